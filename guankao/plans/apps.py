from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    name = "guankao.plans"
    label = "plans"
    verbose_name = _("Plans and KPIs")

    def ready(self):
        from guankao.plans import audit_names, nav, registry

        audit_names.register()
        registry.autodiscover()
        nav.register_plans()
