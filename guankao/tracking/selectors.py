"""Every read of controlled cases, scoped to what the user may see.

The board is a fixed number of aggregate queries whatever the number of items: lag, risk
and the last figures live on the item (kept by services.refresh and the worker).
"""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone

from guankao.core.errors import NotFound
from guankao.core.models import AuditEntry, Department
from guankao.tracking import access
from guankao.tracking.models import LOCATED_KINDS, Chase, Item, Meeting, Milestone, Report
from guankao.tracking.services import previous_month, report_due

OPEN = [Item.Status.ACTIVE, Item.Status.RETURNED, Item.Status.RELEASE_REQUESTED]
BEHIND = [Item.Lag.SERIOUS, Item.Lag.BEHIND]
FILTERS = ("kind", "status", "lag", "risk", "level", "department", "q", "overdue", "located")


def _filtered(rows: QuerySet[Item], filters: dict) -> QuerySet[Item]:
    status = filters.get("status") or "open"
    if status == "open":
        rows = rows.filter(status__in=OPEN)
    elif status != "all":
        rows = rows.filter(status=status)
    for field in ("kind", "lag", "risk", "level"):
        if filters.get(field):
            rows = rows.filter(**{field: filters[field]})
    if filters.get("department"):
        department = Department.objects.filter(code=filters["department"]).first()
        rows = rows.filter(lead__path__startswith=department.path) if department else rows.none()
    if filters.get("q"):
        q = str(filters["q"]).strip()[:100]
        rows = rows.filter(
            Q(number__icontains=q) | Q(title__icontains=q) | Q(tender_number__icontains=q)
        )
    if filters.get("overdue"):
        rows = rows.filter(report_overdue=True)
    if filters.get("located"):
        rows = rows.filter(latitude__isnull=False, longitude__isnull=False)
    return rows


def item_list(*, user, filters: dict | None = None) -> QuerySet[Item]:
    """Items the user may read, filtered. `status` defaults to open items ("all" for every
    item, "released" for the released); `department` is a code and takes its subtree."""
    rows = Item.objects.filter(access.item_scope(user)).select_related("lead")
    return _filtered(rows, filters or {})


def public_item_list(*, filters: dict | None = None) -> QuerySet[Item]:
    """What anyone may map without signing in: works and projects (the located kinds),
    filtered by status, kind and department only."""
    filters = {k: v for k, v in (filters or {}).items() if k in ("status", "kind", "department")}
    return _filtered(Item.objects.filter(kind__in=LOCATED_KINDS).select_related("lead"), filters)


def item_get(*, user, pk) -> Item:
    try:
        item = Item.objects.select_related("lead", "origin__meeting").get(pk=int(pk))
    except (Item.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None
    if not access.can_read(user, item):
        raise NotFound()
    return item


def report_get(*, user, pk) -> Report:
    """A report, readable when its item is; NotFound otherwise."""
    report = Report.objects.filter(pk=_pk(pk)).first()
    if report is None:
        raise NotFound()
    report.item = item_get(user=user, pk=report.item_id)
    return report


def milestone_get(*, user, pk) -> Milestone:
    milestone = Milestone.objects.filter(pk=_pk(pk)).first()
    if milestone is None:
        raise NotFound()
    milestone.item = item_get(user=user, pk=milestone.item_id)
    return milestone


def _pk(value) -> int:
    try:
        return int(value)
    except (ValueError, TypeError):
        raise NotFound() from None


def behind_list(*, user, filters: dict | None = None) -> QuerySet[Item]:
    """Open items behind schedule: seriously behind first, then by the widest gap."""
    rows = item_list(user=user, filters={**(filters or {}), "status": "open"})
    return (
        rows.filter(lag__in=BEHIND)
        .annotate(gap=F("last_planned") - F("last_actual"))
        .order_by(F("lag").desc(), F("gap").desc(nulls_last=True), "number")
    )  # "serious" sorts after "behind" alphabetically, hence descending


@dataclass
class Board:
    total: int
    by_status: dict[str, int]
    by_lag: dict[str, int]
    by_risk: dict[str, int]
    overdue: int
    money_behind: int
    forecast_late: int
    early_warning: int
    departments: list[dict]


GROUP = ("lead_id", "status", "lag", "risk", "report_overdue", "money_behind", "forecast_late")


def board(*, user, filters: dict | None = None) -> Board:
    """Counts by status, lag, risk and lead department: one grouped scan of the items (a
    few hundred groups however many items) added up here, and the departments' names.
    Lag, risk and the flags count open items only; status counts every item."""
    filters = {**(filters or {}), "status": (filters or {}).get("status") or "all"}
    groups = item_list(user=user, filters=filters).values(*GROUP).annotate(n=Count("pk")).order_by()
    by_status = dict.fromkeys(Item.Status.values, 0)
    by_lag, by_risk = dict.fromkeys(Item.Lag.values, 0), dict.fromkeys(Item.Risk.values, 0)
    flags = {"overdue": 0, "money_behind": 0, "forecast_late": 0, "early_warning": 0}
    departments: dict[int, dict] = {}
    for g in groups:
        n, is_open = g["n"], g["status"] != Item.Status.RELEASED
        by_status[g["status"]] += n
        row = departments.setdefault(
            g["lead_id"],
            dict.fromkeys(("total", "open", "serious", "behind", "overdue", "released"), 0),
        )
        row["total"] += n
        if not is_open:
            row["released"] += n
            continue
        by_lag[g["lag"]] += n
        by_risk[g["risk"]] += n
        flags["overdue"] += n * g["report_overdue"]
        flags["money_behind"] += n * g["money_behind"]
        flags["forecast_late"] += n * g["forecast_late"]
        # The early warning: on schedule by its percentages, yet its own pace finishes late.
        flags["early_warning"] += n * (g["forecast_late"] and g["lag"] == Item.Lag.ON_TIME)
        row["open"] += n
        row["serious"] += n * (g["lag"] == Item.Lag.SERIOUS)
        row["behind"] += n * (g["lag"] == Item.Lag.BEHIND)
        row["overdue"] += n * g["report_overdue"]
    names = Department.objects.in_bulk(list(departments))
    per_department = [
        {"lead_id": pk, "department": names.get(pk), **row} for pk, row in departments.items()
    ]
    per_department.sort(
        key=lambda r: (
            -(r["serious"] + r["behind"]),
            r["department"].path if r["department"] else "",
        )
    )
    return Board(
        total=sum(by_status.values()),
        by_status=by_status,
        by_lag=by_lag,
        by_risk=by_risk,
        departments=per_department,
        **flags,
    )


def reports_due(*, user, today: dt.date | None = None) -> list[dict]:
    """The liaison's "my reports due": open items of their department without a live report
    for last month, or whose last report was returned; with the due day."""
    today = today or timezone.localdate()
    if not user.is_authenticated or user.department_id is None:
        return []
    year, month = previous_month(today.year, today.month)
    due = report_due(year, month)
    live = Report.objects.filter(
        item=OuterRef("pk"),
        year=year,
        month=month,
        state__in=[Report.State.SUBMITTED, Report.State.APPROVED, Report.State.REFUSED],
    )
    rows = (
        Item.objects.filter(lead__path__startswith=user.department.path, status__in=OPEN)
        .filter(created_at__date__lte=due)
        .exclude(Exists(live))
        .select_related("lead")
        .order_by("number")
    )
    return [
        {"item": i, "year": year, "month": month, "due": due, "late": today > due} for i in rows
    ]


def reviews_due(*, user) -> QuerySet[Report]:
    """Reports awaiting the head's approval in the head's department subtree."""
    if not user.is_authenticated or user.department_id is None or not user.has_role("head"):
        return Report.objects.none()
    return (
        Report.objects.filter(
            state=Report.State.SUBMITTED, item__lead__path__startswith=user.department.path
        )
        .select_related("item__lead", "filed_by")
        .order_by("review_due", "pk")
    )


def item_reports(*, item: Item) -> QuerySet[Report]:
    return item.reports.select_related("filed_by", "reviewed_by").order_by(
        "-year", "-month", "-revision"
    )


def item_chases(*, item: Item) -> QuerySet[Chase]:
    return item.chases.all()


def item_audit(*, item: Item) -> QuerySet[AuditEntry]:
    """The audit trail of the item and of its reports and milestones."""
    report_ids = [str(pk) for pk in item.reports.values_list("pk", flat=True)]
    milestone_ids = [str(pk) for pk in item.milestones.values_list("pk", flat=True)]
    return AuditEntry.objects.filter(
        Q(object_type="tracking.item", object_id=str(item.pk))
        | Q(object_type="tracking.report", object_id__in=report_ids)
        | Q(object_type="tracking.milestone", object_id__in=milestone_ids)
    ).order_by("-at", "-pk")


def meeting_list(*, user) -> QuerySet[Meeting]:
    if not user.is_authenticated or not user.is_active:
        return Meeting.objects.none()
    return Meeting.objects.annotate(
        entries=Count("agenda", distinct=True), decided=Count("decisions", distinct=True)
    )


def meeting_get(*, user, pk) -> Meeting:
    """Meetings are read by every member of staff (their decisions name departments)."""
    if not user.is_authenticated or not user.is_active:
        raise NotFound()
    try:
        return Meeting.objects.get(pk=int(pk))
    except (Meeting.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def meeting_agenda(*, meeting: Meeting):
    return meeting.agenda.select_related("item__lead").prefetch_related("decisions__directive")


def meeting_decisions(*, meeting: Meeting):
    return meeting.decisions.select_related("department", "directive", "entry__item")


def readable_item_ids(*, user, ids) -> set[int]:
    """Of these items, the ones `user` may open (one query): a page links only those."""
    ids = {i for i in ids if i is not None}
    if not ids:
        return set()
    return set(
        Item.objects.filter(access.item_scope(user), pk__in=ids).values_list("pk", flat=True)
    )
