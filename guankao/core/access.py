"""The access rules, in one place.

- 管考 officers, executive readers and administrators read city-wide.
- Everyone else on the staff reads their own department and its sub-units.
- Administrators change departments and staff; a department head changes the
  staff of their own department and its sub-units (but cannot grant city-wide roles).
- Managing a person requires outranking them. Ranks: administrator > 管考 officer and
  executive reader (the city-wide roles) > department head > liaison > no role. A person
  ranks as their highest role. Administrators manage everyone; a head manages only people
  ranked below a head in their subtree (not other heads, nor themselves, nor anyone
  holding a city-wide role), and grants only roles ranked below a head.
- Anonymous visitors read only what is published.
- Personal data of staff (e-mail, phone) is whole only for the person, an
  administrator, or the head of the person's department subtree.
"""

from django.conf import settings
from django.db.models import Q

from guankao.core.models import Department, Role, User

NOTHING = Q(pk__in=[])


# The predicates every app builds its rules from ------------------------------------------


def is_active_user(user) -> bool:
    """Signed in with an account that is still active."""
    return bool(user and user.is_authenticated and user.is_active)


def is_officer(user) -> bool:
    """A 管考 officer (or an administrator): keeps every register city-wide."""
    return is_active_user(user) and (user.is_admin or user.has_role(Role.OFFICER))


def in_subtree(user, department: Department | None) -> bool:
    """`department` is the user's own department or one of its sub-units."""
    return (
        is_active_user(user)
        and department is not None
        and user.department_id is not None
        and department.is_within(user.department)
    )


def staff_in(user, department: Department | None, *roles: str) -> bool:
    """Holds one of `roles` and works in `department`'s line (their department or above)."""
    return in_subtree(user, department) and user.has_role(*roles)


def may_draft(user) -> bool:
    """May draft for their own department: a liaison or a head with a department."""
    return (
        is_active_user(user)
        and user.department_id is not None
        and user.has_role(Role.LIAISON, Role.HEAD)
    )


def scope_department(user) -> Department | None:
    """The department subtree the user is confined to, or None for city-wide."""
    if user.is_city_wide:
        return None
    return user.department


def scope_q(user, field: str = "department") -> Q:
    """A filter for rows whose `field` (a Department FK) lies within what `user` may read."""
    if not user.is_authenticated or not user.is_active:
        return NOTHING
    if user.is_city_wide:
        return Q()
    if user.department_id is None:
        return NOTHING
    return Q(**{f"{field}__path__startswith": user.department.path})


def can_read_department(user, department: Department) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_city_wide:
        return True
    return user.department_id is not None and department.is_within(user.department)


def can_manage_departments(user) -> bool:
    return user.is_authenticated and user.is_active and user.is_admin


def can_manage_staff_in(user, department: Department | None) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_admin:
        return True
    if department is None or user.department_id is None or not user.has_role(Role.HEAD):
        return False
    return department.is_within(user.department)


# Executive readers rank with officers: a head can neither grant nor remove a city-wide
# role, so a head must not be able to deactivate (or rewrite) the person who holds one.
ROLE_RANK = {
    Role.ADMIN: 4,
    Role.OFFICER: 3,
    Role.EXECUTIVE: 3,
    Role.HEAD: 2,
    Role.LIAISON: 1,
    Role.CALLTAKER: 1,
    # A security officer is appointed by an administrator, not by a department head.
    Role.SECURITY: 2,
    Role.CISO: 3,
}


def rank(person: User) -> int:
    if person.is_superuser:
        return ROLE_RANK[Role.ADMIN]
    return max((ROLE_RANK.get(role, 0) for role in person.role_set), default=0)


def can_manage_person(user, person: User) -> bool:
    """Change or deactivate `person`: an administrator anyone; a head lower ranks in the subtree."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_admin:
        return True
    return can_manage_staff_in(user, person.department) and rank(person) < ROLE_RANK[Role.HEAD]


def grantable_roles(user) -> set[str]:
    if user.is_admin:
        return set(Role.values)
    if user.has_role(Role.HEAD):
        return {role for role in Role.values if ROLE_RANK[role] < ROLE_RANK[Role.HEAD]}
    return set()


def can_view_personal(user, person: User) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if user.pk == person.pk or user.is_admin:
        return True
    return (
        user.has_role(Role.HEAD)
        and person.department_id is not None
        and user.department_id is not None
        and person.department.is_within(user.department)
    )


def needs_two_factor(user) -> bool:
    """Administrators and 管考 officers must use TOTP (unless GUANKAO_REQUIRE_2FA is off)."""
    return settings.GUANKAO_REQUIRE_2FA and (user.is_admin or user.has_role(Role.OFFICER))


def can_read_audit(user) -> bool:
    return is_officer(user)


def can_manage_calendar(user) -> bool:
    return can_manage_departments(user)


def does_department_work(user) -> bool:
    """A liaison or head of a department: files its reports and values, or approves them."""
    return (
        user.is_authenticated
        and user.is_active
        and user.department_id is not None
        and user.has_role(Role.LIAISON, Role.HEAD)
    )


def is_executive_reader(user) -> bool:
    """An executive reader who does no other work: sees the city, fills in nothing."""
    return (
        user.is_authenticated
        and user.is_active
        and user.has_role(Role.EXECUTIVE)
        and not user.is_admin
        and not user.has_role(Role.OFFICER, Role.LIAISON, Role.HEAD)
    )
