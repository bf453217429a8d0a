"""Who may do what with petitions.

- Call-takers (話務人員) record calls and walk-ins, answer consultations and file cases;
  they read the cases they filed and, to spot a repeat caller, the city's open cases
  (personal data masked unless they filed the case).
- 管考 officers assign, decide re-routing and extensions, close under §173, merge and
  reopen; they read every case whole.
- A department's liaisons and heads read the cases their department (or a sub-unit)
  leads or co-handles, handle them and draft replies; the head approves replies.
- Executives read figures and cases, but never a confidential one (密件).
- Personal data is whole only to those who handle the case; every whole view is logged.
"""

from django.db.models import Exists, OuterRef, Q

from guankao.core.access import NOTHING, is_active_user, is_officer, staff_in
from guankao.core.models import Role


def manages(user) -> bool:
    """The 管考 officer's desk: assign, decide requests, close under §173, merge, reopen."""
    return is_officer(user)


def can_file(user) -> bool:
    return is_active_user(user) and (manages(user) or user.has_role(Role.CALLTAKER, Role.LIAISON))


def case_scope(user) -> Q:
    """Cases the user may read."""
    if not is_active_user(user):
        return NOTHING
    if manages(user):
        return Q()
    if user.has_role(Role.EXECUTIVE):
        return Q(confidential=False)
    scope = Q(created_by=user) | _departments_cases(user)
    if user.has_role(Role.CALLTAKER):
        scope |= Q(confidential=False)
    return scope


def _departments_cases(user) -> Q:
    """For a liaison or head: the cases their department (or a sub-unit) leads or co-handles."""
    if user.department_id is None or not user.has_role(Role.LIAISON, Role.HEAD):
        return NOTHING
    from guankao.petitions.models import Case

    path = user.department.path
    co = Case.co_departments.through.objects.filter(
        case_id=OuterRef("pk"), department__path__startswith=path
    )
    return Q(lead__path__startswith=path) | Q(Exists(co))


def handles_scope(user) -> Q:
    """The cases `user` handles (see `handles`), as a filter: who reads a case's files."""
    if not is_active_user(user):
        return NOTHING
    if manages(user):
        return Q()
    return Q(created_by=user) | _departments_cases(user)


def figure_scope(user) -> Q:
    """The cases counted in the figures the user reads (overview, statistics): the officer
    every case; executives, administrators and call-takers the city's cases but confidential
    ones; a department's liaison and head the cases their department (or a sub-unit) leads.
    On cases and on the kept figures alike (both have `lead` and `confidential`)."""
    if not is_active_user(user):
        return NOTHING
    if manages(user):
        return Q()
    scope = NOTHING
    if user.is_admin or user.has_role(Role.EXECUTIVE, Role.CALLTAKER):
        scope |= Q(confidential=False)
    if user.department_id is not None and user.has_role(Role.LIAISON, Role.HEAD):
        scope |= Q(lead__path__startswith=user.department.path)
    return scope


def handles(user, case) -> bool:
    """Handles the case: sees the petitioner's data whole and may act on it."""
    if manages(user) or (is_active_user(user) and case.created_by_id == user.pk):
        return True
    roles = (Role.LIAISON, Role.HEAD)
    return staff_in(user, case.lead, *roles) or any(
        staff_in(user, d, *roles) for d in case.co_departments.all()
    )


def can_act(user, case) -> bool:
    """Draft the reply, ask for re-routing or an extension: the lead department's people."""
    return manages(user) or staff_in(user, case.lead, Role.LIAISON, Role.HEAD)


def can_approve_reply(user, case) -> bool:
    return staff_in(user, case.lead, Role.HEAD) or (is_active_user(user) and user.is_admin)
