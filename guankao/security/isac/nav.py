from django.utils.translation import gettext_lazy as _

from guankao.core.nav import register
from guankao.security.isac import access


def register_isac() -> None:
    register(
        "isac_dashboard", _("Regional ISAC"), "isac_dashboard", order=62, visible=access.sees_pages
    )
