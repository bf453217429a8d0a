"""Scoped reads of the training records, duties and SOC points, and the three summaries
the security dashboard shows (each a fixed number of queries whatever the data)."""

import datetime as dt
from collections import defaultdict

from django.db.models import Q, QuerySet
from django.utils import timezone

from guankao.core.access import NOTHING
from guankao.core.models import Department
from guankao.security import access, coverage
from guankao.security.models import DutyInstance, SocPoint, TrainingRecord
from guankao.security.soc import SILENT_AFTER


def staff_scope(user, department: Department | None = None):
    """The staff filter (coverage's `staff(field)`) of what `user` may read, narrowed to
    `department`'s subtree if given."""

    def staff(field: str) -> Q:
        q = access.training_staff_q(user, field)
        if department is not None:
            q &= Q(**{f"{field}__path__startswith": department.path})
        return q

    return staff


def training_list(*, user, filters: dict | None = None) -> QuerySet[TrainingRecord]:
    filters = filters or {}
    if not access.reads_training(user):
        return TrainingRecord.objects.filter(NOTHING)
    rows = TrainingRecord.objects.filter(access.training_staff_q(user, "user__department"))
    if filters.get("year"):
        rows = rows.filter(date__year=filters["year"])
    if filters.get("department"):
        rows = rows.filter(user__department__path__startswith=filters["department"].path)
    if filters.get("kind"):
        rows = rows.filter(kind=filters["kind"])
    if filters.get("q"):
        q = filters["q"]
        rows = rows.filter(
            Q(course__icontains=q)
            | Q(user__username__icontains=q)
            | Q(user__display_name__icontains=q)
        )
    return rows.select_related("user", "user__department").order_by("-date", "-pk")


def training_shortfalls(*, user, year: int, department: Department | None = None) -> list[dict]:
    if not access.reads_training(user):
        return []
    return coverage.shortfalls(year, staff_scope(user, department))


def training_coverage_by_department(*, user, year: int) -> list[dict]:
    """Per department: staff on the roster (at the year's end, or today), those with ≥ 3 h
    of training that year, and the share. Three queries, no model instance per person."""
    if not access.reads_training(user):
        return []
    as_of = min(timezone.localdate(), dt.date(year, 12, 31))
    staff = staff_scope(user)
    on_roster = coverage.roster_departments_on(as_of, staff)
    hours = coverage.hours_in(dt.date(year, 1, 1), as_of, staff)
    by_department = defaultdict(lambda: [0, 0])
    for pk, department in on_roster.items():
        row = by_department[department]
        row[0] += 1
        row[1] += hours.get(pk, 0) >= coverage.KPI_HOURS
    rows = []
    for (_path, name, code), (staff_count, trained) in sorted(by_department.items()):
        share = round(100 * trained / staff_count, 1) if staff_count else None
        department = {"name": name, "code": code}
        rows.append(
            {"department": department, "staff": staff_count, "trained": trained, "share": share}
        )
    return rows


def duty_list(*, user, filters: dict | None = None) -> QuerySet[DutyInstance]:
    filters = filters or {}
    if not access.reads_duties(user):
        return DutyInstance.objects.filter(NOTHING)
    rows = DutyInstance.objects.filter(access.duty_q(user)).select_related(
        "agency__department", "duty"
    )
    if filters.get("year"):
        rows = rows.filter(year=filters["year"])
    if filters.get("agency"):
        rows = rows.filter(agency=filters["agency"])
    if filters.get("state"):
        rows = rows.filter(state=filters["state"])
    if filters.get("overdue"):
        rows = rows.exclude(state=DutyInstance.State.ACCEPTED).filter(due__lt=timezone.localdate())
    return rows.order_by("due", "agency__department__path", "duty__order", "pk")


def duty_get(*, user, pk: int) -> DutyInstance:
    from guankao.core.errors import NotFound

    found = duty_list(user=user).filter(pk=pk).first()
    if found is None:
        raise NotFound
    return found


def duties_due(*, user, today: dt.date, within: int = 30, limit: int = 20) -> list[DutyInstance]:
    """Duty instances not yet accepted that are overdue or due within `within` days,
    soonest first. One query."""
    horizon = today + dt.timedelta(days=within)
    rows = duty_list(user=user).exclude(state=DutyInstance.State.ACCEPTED).filter(due__lte=horizon)
    return list(rows[:limit])


def soc_point_list(*, user, filters: dict | None = None) -> QuerySet[SocPoint]:
    filters = filters or {}
    if not access.works_here(user):
        return SocPoint.objects.filter(NOTHING)
    rows = SocPoint.objects.filter(access.agency_q(user)).select_related("agency__department")
    if filters.get("agency"):
        rows = rows.filter(agency=filters["agency"])
    if filters.get("silent"):
        rows = rows.filter(silent_q(timezone.now()))
    return rows.order_by("agency__department__path", "name")


def silent_q(now: dt.datetime) -> Q:
    cutoff = now - SILENT_AFTER
    return Q(active=True) & (
        Q(last_seen_at__lt=cutoff) | Q(last_seen_at__isnull=True, created_at__lt=cutoff)
    )


def soc_points_silent(*, user, now: dt.datetime) -> list[SocPoint]:
    """Points in service that have not reported for 24 hours. One query."""
    return list(soc_point_list(user=user).filter(silent_q(now)))
