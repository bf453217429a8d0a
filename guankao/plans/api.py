"""Plans API: plans, goals, KPIs, targets, measurements, rounds, and the scorecard."""

import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal

from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import BaseModel

from guankao.core import selectors as core_selectors
from guankao.core.api_auth import PUBLIC
from guankao.core.api_paging import Mapped
from guankao.core.api_types import (
    Code,
    DateText,
    Id,
    MultilineStr,
    Paging,
    RocOrGregorianYear,
    SafeStr,
    Year,
)
from guankao.core.errors import NotFound, ServiceError
from guankao.core.models import Department
from guankao.lib import roc
from guankao.lib.roc import DateFormatError, parse_date, year_from_input
from guankao.plans import cache, publishing, rounds, selectors, services
from guankao.plans.models import (
    Accumulation,
    Direction,
    Frequency,
    Path,
    Plan,
)

router = Router(tags=["plans"])

TargetText = Annotated[SafeStr, Field(max_length=100, description="≧4000, 85%, 完成…")]


class PlanOut(BaseModel):
    id: int
    department: str
    kind: str
    title: str
    first_year: int
    last_year: int
    status: str


class PlanIn(Schema):
    department: Code
    kind: Literal["midterm", "annual"]
    title: SafeStr = Field(..., max_length=200)
    first_year: Year
    last_year: Year
    key_projects: MultilineStr = Field("", max_length=5000)


class GoalIn(Schema):
    number: SafeStr = Field(..., max_length=10)
    title: SafeStr = Field(..., max_length=300)


class GoalOut(BaseModel):
    id: int
    plan: int
    number: str
    title: str


class KpiIn(Schema):
    number: SafeStr = Field("", max_length=10)
    name: SafeStr = Field(..., max_length=300)
    measure: SafeStr = Field(..., max_length=300)
    unit: SafeStr = Field("", max_length=30)
    direction: Literal[tuple(Direction.values)] = "higher"  # type: ignore[valid-type]
    accumulation: Literal[tuple(Accumulation.values)] = "last"  # type: ignore[valid-type]
    frequency: Literal[tuple(Frequency.values)] = "monthly"  # type: ignore[valid-type]
    path: Literal[tuple(Path.values)] = "flat"  # type: ignore[valid-type]
    metric_key: SafeStr = Field("", max_length=80)
    targets: dict[Year, TargetText] = Field({}, max_length=289)


class KpiPatch(Schema):
    name: SafeStr | None = Field(None, max_length=300)
    measure: SafeStr | None = Field(None, max_length=300)
    unit: SafeStr | None = Field(None, max_length=30)
    direction: Literal[tuple(Direction.values)] | None = None  # type: ignore[valid-type]
    accumulation: Literal[tuple(Accumulation.values)] | None = None  # type: ignore[valid-type]
    frequency: Literal[tuple(Frequency.values)] | None = None  # type: ignore[valid-type]
    path: Literal[tuple(Path.values)] | None = None  # type: ignore[valid-type]
    on_track_from: Decimal | None = None
    at_risk_from: Decimal | None = None
    over_100: bool | None = None


class KpiOut(BaseModel):
    id: int
    goal: int
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
    metric_key: str
    over_100: bool
    targets: dict[int, str]


class TargetIn(Schema):
    text: TargetText


class MeasurementIn(Schema):
    year: Year
    period: int = Field(..., ge=1, le=12)
    value: SafeStr = Field("", max_length=40)
    numerator: SafeStr = Field("", max_length=40)
    denominator: SafeStr = Field("", max_length=40)
    note: MultilineStr = Field("", max_length=5000)
    evidence_url: SafeStr = Field("", max_length=500)


class MeasurementOut(BaseModel):
    id: int
    kpi: int
    year: int
    period: int
    value: Decimal
    numerator: Decimal | None
    denominator: Decimal | None
    note: str
    evidence_url: str
    status: str
    source: str
    revision: int
    latest: bool
    counted: bool
    entered_at: dt.datetime
    decided_at: dt.datetime | None


class ReasonIn(Schema):
    reason: SafeStr = Field("", max_length=300)


class RoundIn(Schema):
    year: Year
    deadline: DateText
    departments: list[Code] = Field(..., min_length=1, max_length=1000)


class SubmissionOut(BaseModel):
    id: int
    department: str
    plan: int
    status: str
    first_submitted_at: dt.datetime | None
    on_time: bool


class ScorecardKpi(BaseModel):
    id: int
    goal: str
    number: str
    name: str
    measure: str
    target: str | None
    actual: Decimal | None
    status: str
    periods: int
    per_year: int
    due: int = Field(0, description="periods of the year over on the as-of date")
    reported: int = Field(0, description="periods due with an approved value")
    missing: list[int] = Field([], description="periods due without an approved value")


class ScorecardOut(BaseModel):
    year: int
    department: str | None
    as_of: dt.date
    published: bool
    kpis: list[ScorecardKpi]


def _plan_out(p: Plan) -> dict:
    return {
        "id": p.pk,
        "department": p.department.code,
        "kind": p.kind,
        "title": p.title,
        "first_year": p.first_year,
        "last_year": p.last_year,
        "status": p.status,
    }


def _kpi_out(k) -> dict:
    return {
        "id": k.pk,
        "goal": k.goal_id,
        "number": k.number,
        "name": k.name,
        "measure": k.measure,
        "unit": k.unit,
        "direction": k.direction,
        "accumulation": k.accumulation,
        "frequency": k.frequency,
        "path": k.path,
        "on_track_from": k.on_track_from,
        "at_risk_from": k.at_risk_from,
        "metric_key": k.metric_key,
        "over_100": k.over_100,
        "targets": {t.year: t.text for t in k.targets.all()},
    }


def _m_out(m) -> dict:
    return {f: getattr(m, f) for f in MeasurementOut.model_fields if f not in ("id", "kpi")} | {
        "id": m.pk,
        "kpi": m.kpi_id,
    }


def _department(user, code: str, field: str = "department") -> Department | None:
    if not code:
        return None
    try:
        return core_selectors.department_get(user=user, code=code)
    except NotFound:
        raise ServiceError.field(field, f"unknown department code {code!r}") from None


def _date(field: str, value: str) -> dt.date:
    try:
        return parse_date(value)
    except DateFormatError as exc:
        raise ServiceError.field(field, str(exc)) from None


@router.get("plans", response=list[PlanOut])
@paginate(Paging)
def list_plans(request, year: Year | None = None):
    return Mapped(selectors.plan_list(user=request.user, year=year), _plan_out)


@router.post("plans", response={201: PlanOut})
def create_plan(request, payload: PlanIn):
    data = payload.dict()
    data["department"] = _department(request.user, data["department"])
    if data["department"] is None:
        raise ServiceError.field("department", "is required")
    return Status(201, _plan_out(services.plan_create(actor=request.user, **data)))


@router.get("plans/{pk}", response=PlanOut)
def get_plan(request, pk: Id):
    return _plan_out(selectors.plan_get(user=request.user, pk=pk))


@router.post("plans/{pk}/goals", response={201: GoalOut})
def create_goal(request, pk: Id, payload: GoalIn):
    plan = selectors.plan_get(user=request.user, pk=pk)
    goal = services.goal_create(
        actor=request.user, plan=plan, order=selectors.next_order(plan=plan), **payload.dict()
    )
    return Status(201, {"id": goal.pk, "plan": plan.pk, "number": goal.number, "title": goal.title})


@router.get("plans/{pk}/kpis", response=list[KpiOut])
def list_kpis(request, pk: Id):
    plan = selectors.plan_get(user=request.user, pk=pk)
    kpis = selectors.kpi_list(user=request.user, plan=plan)
    return [_kpi_out(k) for k in kpis]


@router.post("goals/{pk}/kpis", response={201: KpiOut})
def create_kpi(request, pk: Id, payload: KpiIn):
    goal = selectors.goal_get(user=request.user, pk=pk)
    kpi = services.kpi_create(
        actor=request.user, goal=goal, order=selectors.next_order(goal=goal), **payload.dict()
    )
    return Status(201, _kpi_out(kpi))


@router.get("kpis/{pk}", response=KpiOut)
def get_kpi(request, pk: Id):
    return _kpi_out(selectors.kpi_get(user=request.user, pk=pk))


@router.patch("kpis/{pk}", response=KpiOut)
def update_kpi(request, pk: Id, payload: KpiPatch):
    kpi = selectors.kpi_get(user=request.user, pk=pk)
    data = {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None}
    return _kpi_out(services.kpi_update(actor=request.user, kpi=kpi, **data))


@router.put("kpis/{pk}/targets/{year}", response=KpiOut)
def set_target(request, pk: Id, year: Year, payload: TargetIn):
    kpi = selectors.kpi_get(user=request.user, pk=pk)
    services.target_set(actor=request.user, kpi=kpi, year=year, text=payload.text)
    return _kpi_out(selectors.kpi_get(user=request.user, pk=pk))


@router.get("kpis/{pk}/measurements", response=list[MeasurementOut])
def list_measurements(request, pk: Id, year: Year | None = None):
    kpi = selectors.kpi_get(user=request.user, pk=pk)
    rows = selectors.measurement_history(user=request.user, kpi=kpi)
    return [_m_out(m) for m in rows if year is None or m.year == year]


@router.post("kpis/{pk}/measurements", response={201: MeasurementOut})
def record_measurement(request, pk: Id, payload: MeasurementIn):
    """A value for a period; sending one for a period that has a value is a correction."""
    kpi = selectors.kpi_get(user=request.user, pk=pk)
    return Status(
        201, _m_out(services.measurement_record(actor=request.user, kpi=kpi, **payload.dict()))
    )


@router.post("measurements/{pk}/approve", response=MeasurementOut)
def approve_measurement(request, pk: Id):
    m = selectors.measurement_get(user=request.user, pk=pk)
    return _m_out(services.measurement_approve(actor=request.user, measurement_id=m.pk))


@router.post("measurements/{pk}/return", response=MeasurementOut)
def return_measurement(request, pk: Id, payload: ReasonIn):
    m = selectors.measurement_get(user=request.user, pk=pk)
    return _m_out(
        services.measurement_return(actor=request.user, measurement_id=m.pk, reason=payload.reason)
    )


@router.post("rounds", response={201: list[SubmissionOut]})
def open_round(request, payload: RoundIn):
    departments = [_department(request.user, code, "departments") for code in payload.departments]
    plan_round = rounds.round_open(
        actor=request.user,
        year=payload.year,
        deadline=_date("deadline", payload.deadline),
        departments=departments,
    )
    return Status(
        201,
        [
            _submission_out(s)
            for s in selectors.submission_list(user=request.user, plan_round=plan_round)
        ],
    )


@router.get("rounds/{year}/submissions", response=list[SubmissionOut])
def list_submissions(request, year: Year):
    plan_round = selectors.round_get(user=request.user, year=year)
    return [
        _submission_out(s)
        for s in selectors.submission_list(user=request.user, plan_round=plan_round)
    ]


@router.post("submissions/{pk}/submit", response=SubmissionOut)
def submit(request, pk: Id):
    selectors.submission_get(user=request.user, pk=pk)
    return _submission_out(rounds.submission_submit(actor=request.user, submission_id=pk))


@router.post("submissions/{pk}/accept", response=SubmissionOut)
def accept(request, pk: Id):
    selectors.submission_get(user=request.user, pk=pk)
    return _submission_out(
        rounds.submission_decide(actor=request.user, submission_id=pk, accept=True)
    )


@router.post("submissions/{pk}/return", response=SubmissionOut)
def return_submission(request, pk: Id, payload: ReasonIn):
    selectors.submission_get(user=request.user, pk=pk)
    s = rounds.submission_decide(
        actor=request.user, submission_id=pk, accept=False, reason=payload.reason
    )
    return _submission_out(s)


def _submission_out(s) -> dict:
    s.plan.refresh_from_db(fields=["status"])
    return {
        "id": s.pk,
        "department": s.department.code,
        "plan": s.plan_id,
        "status": s.plan.status,
        "first_submitted_at": s.first_submitted_at,
        "on_time": rounds.is_on_time(s),
    }


class ScorecardQuery(Schema):
    year: RocOrGregorianYear
    department: Code = ""
    as_of: DateText = ""


@router.get("scorecard", response=ScorecardOut, auth=PUBLIC)
def scorecard(request, query: Query[ScorecardQuery]):
    """Signed in: the live scorecard, scoped to what you may see. Anonymous: the latest
    published scorecard for that year (and department), or 404."""
    year = year_from_input(query.year)
    if not roc.is_year(year):
        raise ServiceError.field("year", roc.year_range_message())
    if not request.user.is_authenticated:
        return _published(year, query.department)
    department = _department(request.user, query.department)
    as_of = _date("as_of", query.as_of) if query.as_of else None
    as_of = as_of or timezone.localdate()

    def compute():
        rows = selectors.scorecard(user=request.user, year=year, department=department, as_of=as_of)
        content = publishing.scorecard_content(rows, year=year, as_of=as_of)
        return _scorecard_out(content, department.code if department else None, published=False)

    return cache.remembered(
        request.user, ("api", year, department and department.pk, as_of), compute
    )


def _published(year: int, code: str):
    published = selectors.published_latest(year=year, department_code=code)
    return _scorecard_out(published.content, code or None, published=True)


def _scorecard_out(content: dict, department: str | None, *, published: bool) -> dict:
    kpis = [
        {
            "id": k["id"],
            "goal": g["number"],
            "number": k["number"],
            "name": k["name"],
            "measure": k["measure"],
            "target": k["target"],
            "actual": k["actual"],
            "status": k["status"],
            "periods": k["periods"],
            "per_year": k["per_year"],
            # Copies published before these were counted lack them.
            "due": k.get("due", 0),
            "reported": k.get("reported", 0),
            "missing": k.get("missing", []),
        }
        for g in content["goals"]
        for k in g["kpis"]
    ]
    return {
        "year": content["year"],
        "department": department,
        "as_of": content["as_of"],
        "published": published,
        "kpis": kpis,
    }
