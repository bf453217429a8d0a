from django.utils.translation import gettext_lazy as _

from guankao.core.nav import register
from guankao.security import access


def register_security() -> None:
    register(
        "security_agencies",
        _("Security responsibility levels"),
        "security_agencies",
        order=61,
        visible=access.works_here,
    )
    register(
        "security_dashboard",
        _("Information security"),
        "security_dashboard",
        order=60,
        visible=access.works_here,
    )
    register(
        "security_training",
        _("Security training hours"),
        "security_training",
        order=63,
        visible=access.reads_training,
    )
    register(
        "security_duties",
        _("Statutory security duties"),
        "security_duties",
        order=64,
        visible=access.reads_duties,
    )
    register(
        "security_soc",
        _("SOC monitoring points"),
        "security_soc",
        order=65,
        visible=access.works_here,
    )
