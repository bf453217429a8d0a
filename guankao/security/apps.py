from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SecurityConfig(AppConfig):
    name = "guankao.security"
    label = "security"
    verbose_name = _("Information security (資通安全)")

    def ready(self):
        from guankao.security import nav

        nav.register_security()
        # Who reads (and attaches) the files of the incidents, audits and findings, and the
        # duties' evidence.
        from guankao.security import readers

        readers.register()
        from guankao.security.duties import register_readers

        register_readers()
