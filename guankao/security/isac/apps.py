from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IsacConfig(AppConfig):
    name = "guankao.security.isac"
    label = "isac"
    verbose_name = _("Regional ISAC (區域聯防)")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from guankao.security.isac import nav

        nav.register_isac()
