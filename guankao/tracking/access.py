"""Who may do what with controlled cases: the tracking rules, built from the predicates in
guankao.core.access.

- City-wide readers (管考 officers, executives, administrators) read every item; other
  staff read the items their department (or a sub-unit) leads or co-handles.
- The lead department's liaisons and heads edit its items, file the monthly reports and
  ask for release; its head approves or returns a report (never their own).
- 管考 officers keep the register: any item, refusing late reports, deciding releases,
  running the monthly meeting and the control rules.
"""

from django.db.models import Exists, OuterRef, Q

from guankao.core.access import NOTHING, in_subtree, is_active_user, is_officer, staff_in
from guankao.core.models import Department, Role


def item_scope(user) -> Q:
    """Items the user may read: led by, or co-handled by, their department subtree."""
    if not is_active_user(user):
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
    if not is_active_user(user):
        return False
    if user.is_city_wide or in_subtree(user, item.lead):
        return True
    return any(in_subtree(user, d) for d in item.co_departments.all())


def can_create(user, lead: Department) -> bool:
    return is_officer(user) or staff_in(user, lead, Role.LIAISON, Role.HEAD)


def can_edit(user, item) -> bool:
    if item.status == "released":
        return is_officer(user)
    return can_create(user, item.lead)


def can_report(user, item) -> bool:
    return staff_in(user, item.lead, Role.LIAISON, Role.HEAD)


def can_review(user, item) -> bool:
    return staff_in(user, item.lead, Role.HEAD) or (is_active_user(user) and user.is_admin)


def can_request_release(user, item) -> bool:
    return can_report(user, item)


def can_manage(user) -> bool:
    """Refuse late reports, decide releases, run meetings, set the control rules."""
    return is_officer(user)
