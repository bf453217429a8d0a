from django.utils.translation import gettext_lazy as _

from guankao.core.models import Role
from guankao.core.nav import register
from guankao.petitions import access


def _handles_cases(user) -> bool:
    return user.is_authenticated and (
        access.manages(user)
        or (user.department_id is not None and user.has_role(Role.LIAISON, Role.HEAD))
    )


def _reads_figures(user) -> bool:
    return user.is_authenticated and (
        access.manages(user) or user.is_admin or user.has_role(Role.EXECUTIVE)
    )


def _works(user) -> bool:
    return user.is_authenticated and (access.can_file(user) or _handles_cases(user))


def register_petitions() -> None:
    register(
        "petitions_intake",
        _("Record a call"),
        "petitions_intake",
        order=30,
        visible=access.can_file,
    )
    register(
        "petitions_inbox", _("Petition cases"), "petitions_inbox", order=31, visible=_handles_cases
    )
    register(
        "petitions_knowledge", _("Knowledge base"), "petitions_knowledge", order=33, visible=_works
    )
    register(
        "petitions_overview",
        _("Petition figures"),
        "petitions_overview",
        order=32,
        visible=_reads_figures,
    )
    # Citizens who are not signed in: report a problem and follow it (no account needed).
    register(
        "report", _("Report a problem"), "report", order=5, visible=lambda u: not u.is_authenticated
    )
    register(
        "report_track",
        _("Follow my case"),
        "report_track",
        order=6,
        visible=lambda u: not u.is_authenticated,
    )
