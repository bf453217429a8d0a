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
    # seccore: the security dashboard ----------------------------------------------------
    register(
        "security_dashboard",
        _("Information security"),
        "security_dashboard",
        order=60,
        visible=access.works_here,
    )
    # end seccore ---------------------------------------------------------------------------
