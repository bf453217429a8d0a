from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SecurityConfig(AppConfig):
    name = "guankao.security"
    label = "security"
    verbose_name = _("Information security (資通安全)")

    def ready(self):
        from guankao.security import nav

        nav.register_security()
        # seccore: who reads an incident's attachments ------------------------------------
        from guankao.core.attachments import register_reader
        from guankao.security.readers import incident_files

        register_reader("security.incident", incident_files)

        # secops: who reads the duties' evidence
        from guankao.security.duties import register_readers

        register_readers()
