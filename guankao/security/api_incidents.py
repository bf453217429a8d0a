"""The incidents over the API: /api/v1/security/incidents (list, read, create), scoped
exactly as the pages (another agency's security officer gets a 404 on your ids)."""

import datetime as dt

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from guankao.core.api_types import Id, MultilineStr, Paging, SafeStr, Year
from guankao.core.errors import NotAllowed, ServiceError
from guankao.security import access, clock
from guankao.security import selectors_registers as reads
from guankao.security import services_incidents as svc
from guankao.security.models import Agency, ClockRule, Impact, InfoKind

router = Router(tags=["security"])


class StepOut(Schema):
    step: str
    due: dt.datetime | None
    done: dt.datetime | None
    late: bool
    escalated: bool


class IncidentOut(Schema):
    id: int
    number: str
    agency: str
    title: str
    occurred_at: dt.datetime
    aware_at: dt.datetime
    system: str
    info_kind: str
    confidentiality: str
    integrity: str
    availability: str
    level: int
    computed_level: int
    status: str
    notified_at: dt.datetime | None
    notice_ref: str


class IncidentDetailOut(IncidentOut):
    description: str
    round: int
    clock: list[StepOut]


class IncidentIn(Schema):
    agency: SafeStr = Field(..., max_length=20, description="the agency's department code")
    title: SafeStr = Field(..., max_length=200)
    occurred_at: dt.datetime
    aware_at: dt.datetime
    system: SafeStr = Field(..., max_length=200)
    info_kind: InfoKind
    confidentiality: Impact = Impact.NONE
    integrity: Impact = Impact.NONE
    availability: Impact = Impact.NONE
    description: MultilineStr = Field(..., max_length=5000)


class IncidentFilters(Schema):
    year: Year | None = None
    level: int | None = Field(None, ge=1, le=4)
    status: str | None = Field(None, pattern="^(open|recovered|closed)$")


def _out(i) -> dict:
    return {
        "id": i.pk,
        "number": i.number,
        "agency": i.agency.department.code,
        "title": i.title,
        "occurred_at": i.occurred_at,
        "aware_at": i.aware_at,
        "system": i.system,
        "info_kind": i.info_kind,
        "confidentiality": i.confidentiality,
        "integrity": i.integrity,
        "availability": i.availability,
        "level": i.level,
        "computed_level": i.computed_level,
        "status": i.status,
        "notified_at": i.notified_at,
        "notice_ref": i.notice_ref,
    }


@router.get("security/incidents", response=list[IncidentOut])
@paginate(Paging)
def list_incidents(request, filters: Query[IncidentFilters]):
    """The incidents you may read, newest awareness first: the CISO, 管考 officers and
    executives every agency's; a security officer their own agency's."""
    if not access.works_here(request.user):
        raise NotAllowed
    rows = reads.incident_list(user=request.user, filters=filters.dict())
    return [_out(i) for i in rows]


@router.get("security/incidents/{pk}", response=IncidentDetailOut)
def get_incident(request, pk: Id):
    """One incident with its statutory clock (404 outside your agency)."""
    incident = reads.incident_get(user=request.user, pk=pk)
    escalated = incident.escalations.values_list("step", "round")
    steps = clock.steps(incident, ClockRule.current(), dt.datetime.now(dt.UTC), escalated)
    data = _out(incident) | {"description": incident.description, "round": incident.round}
    data["clock"] = [
        {"step": s.key, "due": s.due, "done": s.done, "late": s.late, "escalated": s.escalated}
        for s in steps
    ]
    return data


@router.post("security/incidents", response={201: IncidentDetailOut})
def create_incident(request, payload: IncidentIn):
    """Record an incident of an agency you manage; its level comes from the impact table.
    Awareness before occurrence, or a time in the future: 400, nothing recorded."""
    agency = (
        Agency.objects.select_related("department").filter(department__code=payload.agency).first()
    )
    if agency is None:
        raise ServiceError.field("agency", _("no agency has this code"))
    data = payload.dict()
    data.pop("agency")
    incident = svc.incident_create(actor=request.user, agency=agency, **data)
    return Status(201, get_incident(request, incident.pk))
