from django.utils.translation import gettext_lazy as _

from guankao.core.nav import fills_in, register


def register_tracking() -> None:
    register("tracking", _("Controlled cases"), "tracking_board", order=20)
    register("tracking_my", _("My reports due"), "tracking_my", order=21, visible=fills_in)
    register("tracking_meetings", _("Control meetings"), "tracking_meetings", order=22)
