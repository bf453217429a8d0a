from django.apps import AppConfig
from django.core import checks
from django.utils.translation import gettext_lazy as _


class IsacConfig(AppConfig):
    name = "guankao.security.isac"
    label = "isac"
    verbose_name = _("Regional ISAC (區域聯防)")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from guankao.security.isac import nav

        nav.register_isac()
        checks.register(check_secrets_key)


def check_secrets_key(app_configs=None, **kwargs):
    """`guankao check` (and every manage.py command) names a malformed GUANKAO_SECRETS_KEY
    before a page or the worker needs it."""
    from django.core.exceptions import ImproperlyConfigured

    from guankao.security.isac import crypto

    try:
        crypto.fernet()
    except ImproperlyConfigured as exc:
        return [checks.Error(str(exc), id="isac.E001")]
    return []
