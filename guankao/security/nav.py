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
