"""Every read of plans and KPIs, scoped by user; the scorecard in one aggregate query."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from django.conf import settings
from django.db.models import (
    Case,
    Count,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.utils import timezone

from guankao.core import access as core_access
from guankao.core import calendar
from guankao.core.errors import NotFound
from guankao.core.models import Attachment, Department, DepartmentKind
from guankao.lib.targets import TargetError, parse_target
from guankao.lib.workdays import add_working_days
from guankao.plans import status as st
from guankao.plans.models import (
    KPI,
    PERIODS_PER_YEAR,
    Goal,
    Measurement,
    Plan,
    PlanRound,
    PublishedScorecard,
    Submission,
    Target,
)


def plan_scope_q(user, prefix: str = "") -> Q:
    return core_access.scope_q(user, field=f"{prefix}department")


def plan_list(*, user, year: int | None = None) -> QuerySet[Plan]:
    rows = Plan.objects.filter(plan_scope_q(user)).select_related("department")
    if year is not None:
        rows = rows.filter(first_year__lte=year, last_year__gte=year)
    return rows


def plan_get(*, user, pk: int) -> Plan:
    plan = plan_list(user=user).filter(pk=pk).first()
    if plan is None:
        raise NotFound
    return plan


def goal_get(*, user, pk: int) -> Goal:
    goal = (
        Goal.objects.filter(plan_scope_q(user, "plan__"))
        .select_related("plan__department")
        .filter(pk=pk)
        .first()
    )
    if goal is None:
        raise NotFound
    return goal


def next_order(*, plan: Plan | None = None, goal: Goal | None = None) -> int:
    """The order a new goal of `plan`, or a new KPI of `goal`, takes: after the last."""
    return (goal.kpis.count() if goal is not None else plan.goals.count()) + 1


def kpi_list(*, user, plan: Plan | None = None) -> QuerySet[KPI]:
    rows = KPI.objects.filter(plan_scope_q(user, "goal__plan__")).select_related(
        "goal__plan__department"
    )
    if plan is not None:  # one plan's KPIs, with their targets
        rows = rows.filter(goal__plan=plan).prefetch_related("targets")
    return rows


def kpi_get(*, user, pk: int) -> KPI:
    kpi = kpi_list(user=user).filter(pk=pk).first()
    if kpi is None:
        raise NotFound
    return kpi


def measurement_history(*, user, kpi: KPI) -> list[Measurement]:
    """Every revision, newest first, each with `.files`: its evidence (two queries)."""
    rows = list(
        kpi.measurements.select_related("entered_by", "decided_by").order_by(
            "-year", "-period", "-revision"
        )
    )
    files: dict[str, list] = {}
    evidence = Attachment.objects.filter(
        core_access.scope_q(user),
        owner_type="plans.measurement",
        owner_id__in=[str(m.pk) for m in rows],
    )
    for attachment in evidence:
        files.setdefault(attachment.owner_id, []).append(attachment)
    for m in rows:
        m.files = files.get(str(m.pk), [])
    return rows


def pending_approvals(*, user) -> QuerySet[Measurement]:
    return (
        Measurement.objects.filter(plan_scope_q(user, "kpi__goal__plan__"))
        .filter(status=Measurement.Status.SUBMITTED, latest=True)
        .select_related("kpi__goal__plan__department", "entered_by")
        .order_by("entered_at")
    )


def returned_measurements(*, user) -> QuerySet[Measurement]:
    return (
        Measurement.objects.filter(plan_scope_q(user, "kpi__goal__plan__"))
        .filter(status=Measurement.Status.RETURNED, latest=True)
        .select_related("kpi__goal__plan__department", "decided_by")
        .order_by("-decided_at")
    )


def round_list(*, user) -> QuerySet[PlanRound]:
    return PlanRound.objects.all()


def round_departments() -> list[Department]:
    """The departments an annual plan round asks a plan of: the active offices and bureaus."""
    kinds = [DepartmentKind.OFFICE, DepartmentKind.BUREAU]
    return list(Department.objects.filter(active=True, kind__in=kinds).order_by("path"))


def round_get_by_pk(*, user, pk: int) -> PlanRound:
    plan_round = PlanRound.objects.filter(pk=pk).first()
    if plan_round is None:
        raise NotFound
    return plan_round


# Published scorecards are public: anyone may read them, signed in or not.


def published_list() -> QuerySet[PublishedScorecard]:
    return PublishedScorecard.objects.select_related("department")


def published_get(*, pk: int) -> PublishedScorecard:
    published = published_list().filter(pk=pk).first()
    if published is None:
        raise NotFound
    return published


def published_latest(*, year: int, department_code: str = "") -> PublishedScorecard:
    """The latest scorecard published for the year, city-wide or for one department."""
    rows = published_list().filter(year=year)
    if department_code:
        rows = rows.filter(department__code=department_code)
    else:
        rows = rows.filter(department=None)
    published = rows.order_by("-published_at").first()
    if published is None:
        raise NotFound
    return published


def submission_list(*, user, plan_round: PlanRound) -> QuerySet[Submission]:
    return (
        Submission.objects.filter(plan_round=plan_round)
        .filter(plan_scope_q(user))
        .select_related("plan", "department", "submitted_by", "plan_round")
        .order_by("department__path")
    )


# What is due ------------------------------------------------------------------------------


def period_end(kpi: KPI, year: int, period: int) -> dt.date:
    last_month = period * 12 // kpi.periods_per_year
    first_of_next = dt.date(year + last_month // 12, last_month % 12 + 1, 1)
    return first_of_next - dt.timedelta(days=1)


def due_date(kpi: KPI, year: int, period: int, overrides=None) -> dt.date:
    """A period's value is due a set number of working days after the period ends.

    overrides: the calendar's overrides of every year the count may touch, read once by
    a caller that asks for many due dates (None: read them here)."""
    return add_working_days(
        period_end(kpi, year, period), settings.GUANKAO_MEASUREMENT_DUE_WORKDAYS, overrides
    )


def periods_due(*, today: dt.date, horizon_days: int = 0, user=None):
    """(kpi, year, period, due date) with no value in, or only a returned one, due by
    today + horizon_days. Manual KPIs of plans covering this year or last; a constant
    number of queries."""
    kpis = (
        KPI.objects.filter(metric_key="")
        if user is None
        else kpi_list(user=user).filter(metric_key="")
    )
    years = (today.year - 1, today.year)
    kpis = list(
        kpis.filter(
            goal__plan__first_year__lte=today.year, goal__plan__last_year__gte=today.year - 1
        )
        .select_related("goal__plan__department")
        .order_by("goal__plan__department__path", "pk")
    )
    have = set(
        Measurement.objects.filter(kpi__in=kpis, year__in=years, latest=True)
        .exclude(status=Measurement.Status.RETURNED)
        .values_list("kpi_id", "year", "period")
    )
    limit = today + dt.timedelta(days=horizon_days)
    # One query for the calendar, not one per due date: up to a year past the horizon.
    overrides = {}
    for year in range(today.year - 1, limit.year + 2):
        overrides.update(calendar.overrides_for_year(year))
    out = []
    for kpi in kpis:
        plan = kpi.goal.plan
        for year in years:
            if not plan.covers(year):
                continue
            for period in range(1, kpi.periods_per_year + 1):
                if period_end(kpi, year, period) >= limit or (kpi.pk, year, period) in have:
                    continue
                due = due_date(kpi, year, period, overrides)
                if due <= limit:
                    out.append((kpi, year, period, due))
    return out


# The scorecard ---------------------------------------------------------------------------


@dataclass
class ScoreRow:
    kpi: "ScoreKpi"
    target_text: str | None
    result: st.Result
    target_error: str = ""


def _as_of_periods(kpi, year: int, as_of: dt.date) -> int:
    last_day = (as_of + dt.timedelta(days=1)).month != as_of.month
    return st.elapsed_periods(year, kpi.periods_per_year, as_of.year, as_of.month, last_day)


def scorecard(
    *, user, year: int, department=None, as_of: dt.date | None = None, public=False, kpi_ids=None
):
    """Every KPI of the plans covering `year` with target, actual and status.

    One query: KPIs joined to their plan and goal, with the year's target and the
    aggregates of its approved (counted) measurements as sub-selects.
    """
    as_of = as_of or timezone.localdate()
    kpis = KPI.objects.all() if public else kpi_list(user=user)
    kpis = kpis.filter(goal__plan__first_year__lte=year, goal__plan__last_year__gte=year)
    if department is not None:
        kpis = kpis.filter(goal__plan__department__path__startswith=department.path)
    if kpi_ids is not None:
        kpis = kpis.filter(pk__in=kpi_ids)
    # `.order_by()` everywhere: the models' default orderings would join KPI, goal, plan
    # and department into every sub-select.
    kpis = kpis.annotate(cut=_last_period_begun(year, as_of))
    counted = Measurement.objects.filter(
        kpi=OuterRef("pk"), year=year, counted=True, period__lte=OuterRef("cut")
    ).order_by()
    agg = counted.values("kpi")
    last = counted.order_by("-period")
    rows = (
        kpis.annotate(
            target_text=Subquery(
                Target.objects.filter(kpi=OuterRef("pk"), year=year).order_by().values("text")[:1]
            ),
            m_count=Subquery(
                agg.annotate(c=Count("pk")).values("c")[:1], output_field=IntegerField()
            ),
            m_total=Subquery(agg.annotate(s=Sum("value")).values("s")[:1]),
            m_num=Subquery(agg.annotate(s=Sum("numerator")).values("s")[:1]),
            m_den=Subquery(agg.annotate(s=Sum("denominator")).values("s")[:1]),
            m_last_period=Subquery(agg.annotate(p=Max("period")).values("p")[:1]),
            m_last_value=Subquery(last.values("value")[:1]),
            m_mask=Subquery(
                agg.annotate(b=Sum(_PERIOD_BIT)).values("b")[:1], output_field=IntegerField()
            ),
        )
        .order_by(
            "goal__plan__department__path",
            "goal__plan__first_year",
            "goal__plan_id",
            "goal__order",
            "order",
            "pk",
        )
        .values(*_ROW_FIELDS)
    )
    # Plain rows, not model instances: building 400 KPIs with their goal, plan and
    # department as models cost more than the query itself.
    goals: dict[int, ScoreGoal] = {}
    plans: dict[int, ScorePlan] = {}
    out = []
    for row in rows:
        kpi = _score_kpi(row, goals, plans)
        target, error = None, ""
        if row["target_text"]:
            try:
                target = _parse_target(row["target_text"], kpi.direction)
            except TargetError as exc:
                error = str(exc)
        aggregate = st.Aggregate(
            count=row["m_count"] or 0,
            total=row["m_total"],
            last_value=row["m_last_value"],
            last_period=row["m_last_period"],
            numerators=row["m_num"],
            denominators=row["m_den"],
            mask=row["m_mask"] or 0,
        )
        rule = st.Rule(
            kpi.accumulation, kpi.periods_per_year, kpi.path, kpi.on_track_from, kpi.at_risk_from
        )
        result = st.evaluate(rule, target, aggregate, _as_of_periods(kpi, year, as_of))
        out.append(ScoreRow(kpi, row["target_text"], result, error))
    return out


_KPI_FIELDS = (
    "pk",
    "number",
    "name",
    "measure",
    "unit",
    "direction",
    "accumulation",
    "frequency",
    "path",
    "on_track_from",
    "at_risk_from",
)
_ROW_FIELDS = (
    *_KPI_FIELDS,
    "goal_id",
    "goal__number",
    "goal__title",
    "goal__order",
    "goal__plan_id",
    "goal__plan__title",
    "goal__plan__first_year",
    "goal__plan__last_year",
    "goal__plan__kind",
    "goal__plan__department_id",
    "goal__plan__department__name",
    "goal__plan__department__code",
    "target_text",
    "m_count",
    "m_total",
    "m_num",
    "m_den",
    "m_last_period",
    "m_last_value",
    "m_mask",
)
# Period p of a KPI-year as bit p-1: one approved value per period (the one_counted
# constraint), so the sum is the set of periods reported.
_PERIOD_BIT = Case(
    *(When(period=p, then=Value(1 << (p - 1))) for p in range(1, 13)),
    default=Value(0),
    output_field=IntegerField(),
)


@dataclass(eq=False)
class ScoreDepartment:
    pk: int
    name: str
    code: str


@dataclass(eq=False)
class ScorePlan:
    pk: int
    title: str
    first_year: int
    last_year: int
    kind: str
    department: ScoreDepartment


@dataclass(eq=False)
class ScoreGoal:
    pk: int
    number: str
    title: str
    order: int
    plan: ScorePlan


@dataclass(eq=False)
class ScoreKpi:
    """What the scorecard, the report and the published copy read of a KPI."""

    pk: int
    number: str
    name: str
    measure: str
    unit: str
    direction: str
    accumulation: str
    frequency: str
    path: str
    on_track_from: Decimal
    at_risk_from: Decimal
    goal: ScoreGoal
    m_last_period: int | None

    @property
    def periods_per_year(self) -> int:
        return PERIODS_PER_YEAR[self.frequency]


def _score_kpi(row: dict, goals: dict, plans: dict) -> ScoreKpi:
    """One ScoreGoal per goal and one ScorePlan per plan, shared by their KPIs."""
    goal = goals.get(row["goal_id"])
    if goal is None:
        plan = plans.get(row["goal__plan_id"])
        if plan is None:
            plan = plans[row["goal__plan_id"]] = ScorePlan(
                row["goal__plan_id"],
                row["goal__plan__title"],
                row["goal__plan__first_year"],
                row["goal__plan__last_year"],
                row["goal__plan__kind"],
                ScoreDepartment(
                    row["goal__plan__department_id"],
                    row["goal__plan__department__name"],
                    row["goal__plan__department__code"],
                ),
            )
        goal = goals[row["goal_id"]] = ScoreGoal(
            row["goal_id"], row["goal__number"], row["goal__title"], row["goal__order"], plan
        )
    return ScoreKpi(
        **{f: row[f] for f in _KPI_FIELDS}, goal=goal, m_last_period=row["m_last_period"]
    )


def _last_period_begun(year: int, as_of: dt.date):
    """The last period of `year` begun by the as-of date, in each KPI's own numbering."""
    if as_of.year > year:
        return Value(12)
    if as_of.year < year:  # the year has not begun: values entered ahead do not count
        return Value(0)
    month = as_of.month
    return Case(
        When(frequency="monthly", then=Value(month)),
        When(frequency="quarterly", then=Value((month + 2) // 3)),
        default=Value(1),
    )


# A few distinct target texts serve hundreds of KPIs; a parsed Target is immutable.
# Errors are not cached, so their messages follow the reader's language.
_parse_target = lru_cache(maxsize=4096)(parse_target)


def measurement_get(*, user, pk: int) -> Measurement:
    m = Measurement.objects.filter(plan_scope_q(user, "kpi__goal__plan__"), pk=pk).first()
    if m is None:
        raise NotFound
    return m


def submission_get(*, user, pk: int) -> Submission:
    s = Submission.objects.filter(plan_scope_q(user), pk=pk).first()
    if s is None:
        raise NotFound
    return s


def round_get(*, user, year: int) -> PlanRound:
    plan_round = PlanRound.objects.filter(year=year).first()
    if plan_round is None:
        raise NotFound
    return plan_round
