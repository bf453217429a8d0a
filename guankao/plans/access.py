"""Who may do what with plans and KPIs: the plans' own rules, built from the predicates in
guankao.core.access (reads go through guankao.core.access.scope_q)."""

from guankao.core.access import is_active_user, is_officer, staff_in
from guankao.core.models import Department, Role


def can_edit_plan(user, plan) -> bool:
    """Liaisons and heads draft their department's plans; officers keep every plan."""
    if is_officer(user):
        return True
    if plan.status in ("submitted", "accepted") and plan.kind == "annual":
        return False
    if plan.department_id is None:  # a plan being created without one: nobody's to draft
        return False
    return staff_in(user, plan.department, Role.LIAISON, Role.HEAD)


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
    return staff_in(user, department, Role.LIAISON, Role.HEAD)


def can_report(user, kpi) -> bool:
    return staff_in(user, kpi.goal.plan.department, Role.LIAISON, Role.HEAD)


def can_approve(user, kpi) -> bool:
    department = kpi.goal.plan.department
    return staff_in(user, department, Role.HEAD) or (is_active_user(user) and user.is_admin)
