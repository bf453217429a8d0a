"""Who may do what with plans and KPIs (reads go through guankao.core.access.scope_q)."""

from guankao.core.models import Department, Role


def _in(user, department: Department) -> bool:
    return (
        user.is_authenticated
        and user.is_active
        and user.department_id is not None
        and department.is_within(user.department)
    )


def is_officer(user) -> bool:
    return (
        user.is_authenticated and user.is_active and (user.is_admin or user.has_role(Role.OFFICER))
    )


def can_edit_plan(user, plan) -> bool:
    """Liaisons and heads draft their department's plans; officers keep every plan."""
    if is_officer(user):
        return True
    if plan.status in ("submitted", "accepted") and plan.kind == "annual":
        return False
    return _in(user, plan.department) and user.has_role(Role.LIAISON, Role.HEAD)


def in_force(plan, today) -> bool:
    """An accepted plan, or a mid-term plan whose first year has begun: its targets are the
    approved record that statuses rest on, no longer a department's draft."""
    return plan.status == plan.Status.ACCEPTED or (
        plan.kind == plan.Kind.MIDTERM and plan.first_year <= today.year
    )


def can_set_target(user, plan, year: int, today) -> bool:
    """Targets of a plan in force, and of a closed year, are set only by the officer."""
    if not can_edit_plan(user, plan):
        return False
    return is_officer(user) or (year >= today.year and not in_force(plan, today))


def can_submit(user, department: Department) -> bool:
    return _in(user, department) and user.has_role(Role.LIAISON, Role.HEAD)


def can_report(user, kpi) -> bool:
    department = kpi.goal.plan.department
    return _in(user, department) and user.has_role(Role.LIAISON, Role.HEAD)


def can_approve(user, kpi) -> bool:
    department = kpi.goal.plan.department
    return (_in(user, department) and user.has_role(Role.HEAD)) or (
        user.is_authenticated and user.is_admin
    )
