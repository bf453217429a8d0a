from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PetitionsConfig(AppConfig):
    name = "guankao.petitions"
    label = "petitions"
    verbose_name = _("Citizen petitions (陳情案件)")

    def ready(self):
        from guankao.petitions import case_files, nav

        nav.register_petitions()
        case_files.register()
