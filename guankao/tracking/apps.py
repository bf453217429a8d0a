from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrackingConfig(AppConfig):
    name = "guankao.tracking"
    label = "tracking"
    verbose_name = _("Controlled cases (列管案件)")

    def ready(self):
        from guankao.tracking import nav

        nav.register_tracking()
