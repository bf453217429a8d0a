"""Who may do what with the security registers.

- The city's CISO (資安長) reads and manages every agency's records and sets the agencies'
  responsibility levels (so does an administrator).
- A security officer (資安人員) reads and manages the records of their own agency: the
  nearest department at or above their own that is an agency. Another agency's security
  officer sees none of them.
- 管考 officers and executive readers read every agency's records; they change nothing.
- Everyone else sees nothing here unless a register says otherwise (a department's liaison
  records their own department's training and duties).
"""

from django.db.models import Q

from guankao.core.access import NOTHING, is_active_user, is_officer, may_draft
from guankao.core.models import Role


def is_ciso(user) -> bool:
    return is_active_user(user) and (user.is_admin or user.has_role(Role.CISO))


def is_security_officer(user) -> bool:
    return is_active_user(user) and user.has_role(Role.SECURITY)


def reads_all(user) -> bool:
    """City-wide read of the security registers: the CISO, 管考 officers, executives."""
    return (
        is_ciso(user)
        or is_officer(user)
        or (is_active_user(user) and user.has_role(Role.EXECUTIVE))
    )


def agency_of(user):
    """The agency the user works in (nearest agency at or above their department), or None."""
    if not is_active_user(user) or user.department_id is None:
        return None
    if not hasattr(user, "_security_agency"):
        from guankao.security.models import Agency

        ids = [int(part) for part in user.department.path.strip("/").split("/") if part]
        user._security_agency = (
            Agency.objects.filter(department_id__in=ids)
            .select_related("department")
            .order_by("-department__path")
            .first()
        )
    return user._security_agency


def agency_q(user, field: str = "agency") -> Q:
    """Rows (with an Agency FK `field`) that `user` may read."""
    if reads_all(user):
        return Q()
    if is_security_officer(user):
        agency = agency_of(user)
        if agency is not None:
            return Q(**{field: agency})
    return NOTHING


def agencies_managed(user) -> Q:
    """Agencies whose records `user` may change (a filter on Agency)."""
    if is_ciso(user):
        return Q()
    if is_security_officer(user):
        agency = agency_of(user)
        if agency is not None:
            return Q(pk=agency.pk)
    return NOTHING


def can_manage(user, agency) -> bool:
    """Record and change `agency`'s security records."""
    if agency is None:
        return False
    if is_ciso(user):
        return True
    own = agency_of(user) if is_security_officer(user) else None
    return own is not None and own.pk == agency.pk


def can_set_levels(user) -> bool:
    return is_ciso(user)


def works_here(user) -> bool:
    """Sees the security pages at all."""
    return reads_all(user) or is_security_officer(user)


# Training: a department's liaisons and heads record their own staff's training (their
# department and its sub-units); the security officer records their agency's; the CISO
# everyone's. Duties and SOC points are the agencies' (agency_q, can_manage).


def agency_for_path(path: str, agencies) -> "object | None":
    """The agency a department (by its path) belongs to: the deepest agency above it.
    `agencies` is a list of Agency rows with their department loaded."""
    best = None
    for agency in agencies:
        if path.startswith(agency.department.path) and (
            best is None or len(agency.department.path) > len(best.department.path)
        ):
            best = agency
    return best


def _own_agency_staff_q(user, field: str) -> Q:
    """People (or rows with a Department FK `field`) inside the officer's agency, down to
    the next agency below it."""
    from guankao.security.models import Agency

    agency = agency_of(user) if is_security_officer(user) else None
    if agency is None:
        return NOTHING
    q = Q(**{f"{field}__path__startswith": agency.department.path})
    below = Agency.objects.filter(department__path__startswith=agency.department.path).exclude(
        pk=agency.pk
    )
    for path in below.values_list("department__path", flat=True):
        q &= ~Q(**{f"{field}__path__startswith": path})
    return q


def training_staff_q(user, field: str = "department") -> Q:
    """Staff (or rows with a Department FK `field`) whose training `user` may read."""
    if reads_all(user):
        return Q()
    q = NOTHING
    if is_security_officer(user):
        q |= _own_agency_staff_q(user, field)
    if may_draft(user):
        q |= Q(**{f"{field}__path__startswith": user.department.path})
    return q


def can_record_training(user, person) -> bool:
    """Record training for `person`: the CISO; the security officer of their agency; a
    liaison or head of their department's line."""
    if not is_active_user(user) or person is None or person.department_id is None:
        return False
    if is_ciso(user):
        return True
    if may_draft(user) and person.department.is_within(user.department):
        return True
    if is_security_officer(user):
        return agency_of(person) is not None and agency_of(person) == agency_of(user)
    return False


def may_record_training(user) -> bool:
    """Records training for someone at all (the page's form)."""
    return is_ciso(user) or is_security_officer(user) or may_draft(user)


def reads_training(user) -> bool:
    return reads_all(user) or is_security_officer(user) or may_draft(user)


def can_accept_duties(user) -> bool:
    """The CISO accepts the agencies' duty instances (the evidence is enough)."""
    return is_ciso(user)


def can_edit_requirements(user) -> bool:
    """The training requirements: an administrator."""
    return is_active_user(user) and user.is_admin


def can_edit_duties(user) -> bool:
    """The duties of the levels (their list, frequency, description, basis): the CISO."""
    return is_ciso(user)


def duty_q(user, field: str = "agency") -> Q:
    """Duty instances (with an Agency FK `field`) `user` may read: agency_q, and a liaison
    or head of a department that is itself an agency reads (and reports) its duties."""
    q = agency_q(user, field)
    if may_draft(user):
        q |= Q(**{f"{field}__department_id": user.department_id})
    return q


def can_report_duty(user, agency) -> bool:
    return can_manage(user, agency) or (
        agency is not None and may_draft(user) and agency.department_id == user.department_id
    )


def reads_duties(user) -> bool:
    return works_here(user) or may_draft(user)
