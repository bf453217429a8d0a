"""Security API, training and SOC part (/api/v1/security/…): training records (list and
record one), the SOC points' heartbeat (authenticated by the point's own token, never by a
person's), and the points with their last report."""

import datetime as dt
from decimal import Decimal

from django.http import JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate
from ninja.security import HttpBearer
from pydantic import ConfigDict

from guankao.core import selectors as core_selectors
from guankao.core.api_paging import Mapped
from guankao.core.api_types import Code, DateText, Paging, SafeStr, Search, Year
from guankao.core.errors import NotAllowed, NotFound, ServiceError
from guankao.core.models import User
from guankao.security import access, selectors_secops, soc, training
from guankao.security.models import SocPoint, TrainingKind, TrainingRecord

router = Router(tags=["security"])


class In(Schema):
    model_config = ConfigDict(extra="forbid")


class TrainingOut(Schema):
    id: int
    account: str
    name: str
    department: str
    course: str
    provider: str
    date: dt.date
    hours: Decimal
    kind: str


class TrainingIn(In):
    account: SafeStr = Field(..., max_length=150, description="the staff member's account")
    course: SafeStr = Field(..., max_length=200)
    provider: SafeStr = Field("", max_length=200)
    date: DateText
    hours: Decimal = Field(..., description="more than 0, at most 24, in tenths")
    kind: TrainingKind = TrainingKind.GENERAL


class TrainingFilters(Schema):
    year: Year | None = None
    department: Code = Field("", description="a code; takes its sub-units")
    kind: TrainingKind | None = None
    q: Search = ""


def _training_out(r: TrainingRecord) -> dict:
    return {
        "id": r.pk,
        "account": r.user.username,
        "name": r.user.display_name,
        "department": r.user.department.code if r.user.department_id else "",
        "course": r.course,
        "provider": r.provider,
        "date": r.date,
        "hours": r.hours,
        "kind": r.kind,
    }


@router.get("security/training", response=list[TrainingOut])
@paginate(Paging)
def list_training(request, filters: Query[TrainingFilters]):
    """Training records of the staff you may read (a department's liaison: its own)."""
    data = {k: v for k, v in filters.dict().items() if v not in ("", None)}
    if data.get("department"):
        try:
            data["department"] = core_selectors.department_get(
                user=request.user, code=data["department"]
            )
        except NotFound:
            message = _("no department has the code %(c)s") % {"c": data["department"]}
            raise ServiceError.field("department", message) from None
    if not access.reads_training(request.user):
        raise NotAllowed
    rows = selectors_secops.training_list(user=request.user, filters=data)
    return Mapped(rows, _training_out)


@router.post("security/training", response={201: TrainingOut})
def create_training(request, payload: TrainingIn):
    """Record one course for a member of your staff (hours more than 0, at most 24 a day)."""
    data = payload.dict()
    person = User.objects.select_related("department").filter(username=data.pop("account")).first()
    if person is None or not access.can_record_training(request.user, person):
        if not access.may_record_training(request.user):
            raise NotAllowed
        raise ServiceError.field("account", _("no staff member of yours has this account"))
    record = training.training_record(
        actor=request.user, user=person, source=TrainingRecord.Source.API, **data
    )
    record.user = person
    return Status(201, _training_out(record))


# SOC points -------------------------------------------------------------------------------


class PointAuth(HttpBearer):
    """The SOC point's own token (soc_…); a person's token or session is not enough."""

    def authenticate(self, request, token):
        return soc.point_authenticate(token)


class HeartbeatIn(In):
    events: int = Field(0, ge=0, le=10**12, description="events seen since the last report")
    alerts: int = Field(0, ge=0, le=10**12, description="alerts raised since the last report")


class HeartbeatOut(Schema):
    point: str
    day: dt.date
    beats_today: int
    events_today: int
    alerts_today: int


class RateProblem(Schema):
    field: str
    message: str
    type: str


class RateOut(Schema):
    detail: list[RateProblem]


@router.post("security/soc/heartbeat", response={200: HeartbeatOut, 429: RateOut}, auth=PointAuth())
def heartbeat(request, payload: HeartbeatIn | None = None):
    """A point's heartbeat with its event summary: `Authorization: Bearer soc_…`. A point
    may report at most 60 times a minute; past that the answer is 429 with `Retry-After`
    (seconds), and the report is not counted."""
    point: SocPoint = request.auth
    data = payload.dict() if payload else {}
    try:
        day = soc.heartbeat(point=point, **data)
    except soc.TooManyReports as exc:
        message = _(
            "too many reports: a SOC point may report at most %(n)d times a minute; "
            "try again in %(s)d seconds"
        ) % {"n": soc.PER_MINUTE, "s": exc.retry_after}
        problem = {"field": "point", "message": message, "type": soc.RATE_RULE}
        response = JsonResponse(
            {"detail": [problem]}, status=429, json_dumps_params={"ensure_ascii": False}
        )
        response["Retry-After"] = str(exc.retry_after)
        return response
    return {
        "point": point.name,
        "day": day.day,
        "beats_today": day.beats,
        "events_today": day.events,
        "alerts_today": day.alerts,
    }


class PointOut(Schema):
    id: int
    agency: str
    name: str
    site: str
    log_sources: str
    active: bool
    last_seen_at: dt.datetime | None
    silent: bool


@router.get("security/soc/points", response=list[PointOut])
def list_points(request):
    """The points you may read, with their last report and whether silent for 24 h."""
    if not access.works_here(request.user):
        raise NotAllowed
    now = timezone.now()
    cutoff = now - soc.SILENT_AFTER
    return [
        {
            "id": p.pk,
            "agency": p.agency.department.code,
            "name": p.name,
            "site": p.site,
            "log_sources": p.log_sources,
            "active": p.active,
            "last_seen_at": p.last_seen_at,
            "silent": p.active and (p.last_seen_at or p.created_at) < cutoff,
        }
        for p in selectors_secops.soc_point_list(user=request.user)
    ]
