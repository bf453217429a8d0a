from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "guankao.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self):
        from guankao.core import calendar, nav, signals, todo

        calendar.install()
        signals.connect()
        nav.register_core()
        todo.autodiscover()
