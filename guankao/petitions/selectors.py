"""Every read of petitions, scoped to what the user may see.

Lists never carry the petitioner's data whole; `petitioner` gives it whole only to those
who handle the case, and logs that view. The overview reads the kept figures of closed
cases and counts the open ones live: a fixed number of queries, whatever the number of cases.
"""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import ExtractMonth
from django.utils import timezone

from guankao.core import audit
from guankao.core.errors import NotFound
from guankao.core.models import AuditEntry, Department
from guankao.lib.masking import mask_email, mask_name, mask_phone
from guankao.petitions import access
from guankao.petitions import figures as figures_module
from guankao.petitions.models import (
    OPEN_STATUSES,
    Assignment,
    Case,
    Category,
    Figure,
    Reply,
    Request,
    Survey,
)

FILTERS = ("status", "department", "category", "channel", "overdue", "due", "q", "year")
CLOSED = figures_module.CLOSED


def _department(code) -> Department | None:
    return Department.objects.filter(code=str(code)[:40]).first()


def _filtered(rows: QuerySet[Case], filters: dict) -> QuerySet[Case]:
    status = filters.get("status") or "open"
    if status == "open":
        rows = rows.filter(status__in=OPEN_STATUSES)
    elif status == "closed":
        rows = rows.filter(status__in=CLOSED)
    elif status != "all":
        rows = rows.filter(status=status)
    if filters.get("department"):
        department = _department(filters["department"])
        rows = rows.filter(lead__path__startswith=department.path) if department else rows.none()
    if filters.get("category"):
        category = Category.objects.filter(code=str(filters["category"])[:40]).first()
        rows = rows.filter(category__path__startswith=category.path) if category else rows.none()
    if filters.get("channel"):
        rows = rows.filter(channel=filters["channel"])
    if filters.get("overdue"):
        rows = rows.filter(status__in=OPEN_STATUSES, due_date__lt=timezone.localdate())
    if filters.get("due"):
        rows = rows.filter(
            status__in=OPEN_STATUSES, due_date__lte=timezone.localdate() + dt.timedelta(days=3)
        )
    if filters.get("year"):
        rows = rows.filter(received_at__year=int(filters["year"]))
    if filters.get("q"):
        q = str(filters["q"]).strip()[:100]
        rows = rows.filter(Q(number__startswith=q) | Q(subject__icontains=q))
    return rows


def case_list(*, user, filters: dict | None = None) -> QuerySet[Case]:
    """Cases the user may read, newest first. `status` defaults to open cases ("closed",
    "all" or one status otherwise); `department` and `category` are codes taking their
    subtree; `due` keeps open cases due within three days."""
    rows = Case.objects.filter(access.case_scope(user)).select_related("lead", "category")
    return _filtered(rows, filters or {}).order_by("-received_at", "-pk")


def case_get(*, user, pk) -> Case:
    try:
        case = Case.objects.select_related(
            "lead", "category", "merged_into", "public_request__client"
        ).get(pk=int(pk))
    except (Case.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None
    if not Case.objects.filter(access.case_scope(user), pk=case.pk).exists():
        raise NotFound()
    return case


@dataclass(frozen=True)
class Petitioner:
    name: str
    phone: str
    email: str
    address: str
    whole: bool


def masked(case: Case) -> Petitioner:
    if case.anonymous:
        return Petitioner("", "", "", "", False)
    return Petitioner(
        mask_name(case.name),
        mask_phone(case.phone),
        mask_email(case.email),
        case.address[:3] + "…" if case.address else "",
        False,
    )


def petitioner(*, user, case: Case, whole: bool = False) -> Petitioner:
    """The petitioner, masked; whole only when asked by someone who handles the case,
    and then written to the audit trail."""
    if not whole or not access.handles(user, case):
        return masked(case)
    audit.record(
        actor=user,
        action=AuditEntry.Action.VIEW_PERSONAL,
        obj=case,
        department=case.lead,
        note="petitioner",
    )
    return Petitioner(case.name, case.phone, case.email, case.address, True)


def same_caller(*, user, phone: str, limit: int = 5) -> list[Case]:
    """The latest cases from the same phone number, for the call-taker to spot a repeat
    caller or a case already open (masked like any list)."""
    phone = (phone or "").strip()
    if len(phone) < 6:
        return []
    rows = Case.objects.filter(access.case_scope(user), phone=phone)
    return list(rows.select_related("lead", "category").order_by("-received_at")[:limit])


def timeline(case: Case):
    return case.events.select_related("actor", "department").order_by("at", "pk")


# The officer's overview ---------------------------------------------------------------------


@dataclass(frozen=True)
class Overview:
    year: int
    received: int
    closed: int
    open: int
    overdue: int
    on_time: int
    due: int
    average_workdays: float | None
    extended: int
    rerouted: int
    satisfaction: dict
    by_month: list[dict]
    by_department: list[dict]
    by_category: list[dict]
    by_channel: list[dict]

    @property
    def on_time_rate(self) -> float | None:
        return round(self.on_time * 100 / self.due, 1) if self.due else None


BREAKDOWNS = {
    "by_month": ("month",),
    "by_department": ("lead__code", "lead__name"),
    "by_category": ("category__code", "category__name"),
    "by_channel": ("channel",),
}


def overview(*, user, year: int, department: Department | None = None) -> Overview:
    """The year's figures over the cases `access.figure_scope` counts for the user: the closed
    cases from their kept figures (petitions.figures), one small query a breakdown; the open
    ones counted live, grouped once; three small counts. The same eight queries whatever the
    number of cases."""
    scope = access.figure_scope(user)
    kept = Figure.objects.filter(scope, month__year=year)
    live = Case.objects.filter(scope, status__in=OPEN_STATUSES, received_at__year=year)
    replied = Case.objects.filter(scope, status=Case.Status.REPLIED, received_at__year=year)
    if department is not None:
        kept = kept.filter(lead__path__startswith=department.path)
        live = live.filter(lead__path__startswith=department.path)
        replied = replied.filter(lead__path__startswith=department.path)
    today = timezone.localdate()
    sums = {f: Sum(f) for f in (*figures_module.CASE_FIGURES, *figures_module.SURVEY_FIGURES)}
    kept = kept.annotate(month_number=ExtractMonth("month"))
    closed_by = {
        name: list(kept.values(*keys).annotate(**sums).order_by())
        for name, keys in BREAKDOWNS.items()
        if name != "by_month"
    }
    closed_by["by_month"] = [
        g | {"month": g.pop("month_number")}
        for g in kept.values("month_number").annotate(**sums).order_by()
    ]
    open_groups = list(
        live.annotate(month=ExtractMonth("received_at"))
        .values("month", *GROUP_KEYS)
        .annotate(
            received=Count("pk"),
            overdue=Count("pk", filter=Q(due_date__lt=today)),
            extended=Count("pk", filter=Q(extensions__gt=0)),
        )
        .order_by()
    )
    # An open case whose earlier assignment ended was re-routed (the ended ones are few).
    open_rerouted = (
        Assignment.objects.filter(case__in=live, ended_at__isnull=False)
        .values("case")
        .distinct()
        .count()
    )
    # Replied before a deadline that has not come yet: not due, so neither late nor on time.
    not_yet_due = replied.filter(due_date__gte=today).count()
    # Only a reopened case is open with an answered survey.
    open_surveys = Survey.objects.filter(
        case__in=live.filter(reopened__gt=0), answered_at__isnull=False
    ).aggregate(**figures_module.survey_aggregates())

    by_month = closed_by["by_month"]  # every closed case once: the totals

    def total(groups, name):
        return sum(g[name] or 0 for g in groups)

    closed, opened = total(by_month, "closed"), total(open_groups, "received")
    overdue = total(open_groups, "overdue")
    answered = total(by_month, "surveys") + open_surveys["surveys"]

    def mean(name):
        return (total(by_month, name) + open_surveys[name]) / answered if answered else None

    workdays_n = total(by_month, "workdays_n")
    breakdowns = {
        name: _fold(
            [g | {"received": g["closed"], "overdue": 0} for g in closed_by[name]]
            + [g | {"closed": 0} for g in open_groups],
            keys,
        )
        for name, keys in BREAKDOWNS.items()
    }
    return Overview(
        year=year,
        received=closed + opened,
        closed=closed,
        open=opened,
        overdue=overdue,
        due=total(by_month, "replied") - not_yet_due + overdue,
        on_time=total(by_month, "on_time") - not_yet_due,
        average_workdays=total(by_month, "workdays_sum") / workdays_n if workdays_n else None,
        extended=total(by_month, "extended") + total(open_groups, "extended"),
        rerouted=total(by_month, "rerouted") + open_rerouted,
        satisfaction={
            "answered": answered,
            "speed": mean("speed_sum"),
            "attitude": mean("attitude_sum"),
            "result": mean("result_sum"),
        },
        **breakdowns,
    )


GROUP_KEYS = ("lead__code", "lead__name", "category__code", "category__name", "channel")


def _fold(groups: list[dict], keys: tuple[str, ...]) -> list[dict]:
    out: dict[tuple, dict] = {}
    for g in groups:
        key = tuple(g[k] for k in keys)
        row = out.setdefault(
            key, dict(zip(keys, key, strict=True), received=0, closed=0, overdue=0)
        )
        for figure in ("received", "closed", "overdue"):
            row[figure] += g[figure]
    # In key order, a department-less row (None) last, as PostgreSQL orders NULLs.
    return [out[k] for k in sorted(out, key=_none_last)]


def _none_last(key: tuple) -> tuple:
    return tuple((True, 0) if v is None else (False, v) for v in key)


def case_by_number(*, user, number: str, field: str = "into") -> Case:
    """A case the user may read, by its number; an unknown one is a 400 naming `field`."""
    from django.utils.translation import gettext as _

    from guankao.core.errors import ServiceError

    case = Case.objects.filter(access.case_scope(user), number=str(number).strip()[:20]).first()
    if case is None:
        raise ServiceError.field(field, _("no case you may read has this number"))
    return case


def request_get(*, user, pk) -> Request:
    row = Request.objects.filter(pk=pk, case__in=Case.objects.filter(access.case_scope(user)))
    found = row.select_related("case").first()
    if found is None:
        raise NotFound()
    return found


def reply_get(*, user, pk) -> Reply:
    row = Reply.objects.filter(pk=pk, case__in=Case.objects.filter(access.case_scope(user)))
    found = row.select_related("case").first()
    if found is None:
        raise NotFound()
    return found


def categories(*, active_only: bool = False) -> QuerySet[Category]:
    rows = Category.objects.select_related("parent", "department").order_by("path")
    return rows.filter(active=True) if active_only else rows


def category_get(*, code: str) -> Category:
    category = Category.objects.filter(code=str(code)[:40]).first()
    if category is None:
        raise NotFound()
    return category
