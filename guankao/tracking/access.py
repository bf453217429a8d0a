"""Who may do what with controlled cases.

- City-wide readers (管考 officers, executives, administrators) read every item; other
  staff read the items their department (or a sub-unit) leads or co-handles.
- The lead department's liaisons and heads edit its items, file the monthly reports and
  ask for release; its head approves or returns a report (never their own).
- 管考 officers keep the register: any item, refusing late reports, deciding releases,
  running the monthly meeting and the control rules.
"""

from django.db.models import Exists, OuterRef, Q

from guankao.core.access import NOTHING
from guankao.core.models import Department, Role


def _active(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def is_officer(user) -> bool:
    return _active(user) and (user.is_admin or user.has_role(Role.OFFICER))


def _in(user, department: Department) -> bool:
    return (
        _active(user) and user.department_id is not None and department.is_within(user.department)
    )


def item_scope(user) -> Q:
    """Items the user may read: led by, or co-handled by, their department subtree."""
    if not _active(user):
        return NOTHING
    if user.is_city_wide:
        return Q()
    if user.department_id is None:
        return NOTHING
    from guankao.tracking.models import Item

    path = user.department.path
    co = Item.co_departments.through.objects.filter(
        item_id=OuterRef("pk"), department__path__startswith=path
    )
    return Q(lead__path__startswith=path) | Q(Exists(co))


def can_read(user, item) -> bool:
    if not _active(user):
        return False
    if user.is_city_wide or _in(user, item.lead):
        return True
    return any(_in(user, d) for d in item.co_departments.all())


def can_create(user, lead: Department) -> bool:
    return is_officer(user) or (_in(user, lead) and user.has_role(Role.LIAISON, Role.HEAD))


def can_edit(user, item) -> bool:
    if item.status == "released":
        return is_officer(user)
    return can_create(user, item.lead)


def can_report(user, item) -> bool:
    return _in(user, item.lead) and user.has_role(Role.LIAISON, Role.HEAD)


def can_review(user, item) -> bool:
    return (_in(user, item.lead) and user.has_role(Role.HEAD)) or (_active(user) and user.is_admin)


def can_request_release(user, item) -> bool:
    return can_report(user, item)


def can_manage(user) -> bool:
    """Refuse late reports, decide releases, run meetings, set the control rules."""
    return is_officer(user)
