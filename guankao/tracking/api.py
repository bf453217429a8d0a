"""Controlled cases API (/api/v1/tracking/…): items, milestones, monthly reports and their
review, release from control, control meetings and decisions, the board, the rules, and a
public GeoJSON feed of located items. Validation and 4xx here; every change goes through
services, reporting or meetings, every read through selectors.

Money is whole NT$ (integers); percentages are decimal strings ("42.50") and may be sent
as numbers or strings; dates are ISO (民國 115/11/27 is accepted on input); `year` is the
Gregorian year. Report photos and files are uploaded through the HTML form.
"""

import json
from decimal import Decimal

from django.db.models import prefetch_related_objects
from django.http import HttpResponse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.pagination import paginate

from guankao.core import selectors as core_selectors
from guankao.core.api_auth import PUBLIC
from guankao.core.api_paging import Mapped
from guankao.core.api_types import Id, Paging
from guankao.core.errors import NotFound, ServiceError
from guankao.tracking import baselines, geo, meetings, release, reporting, selectors, services
from guankao.tracking.models import Baseline, Item, Meeting, Milestone, Report, Rules
from guankao.tracking.rules import rules_update
from guankao.tracking.schemas import (
    BaselineIn,
    BaselineOut,
    BehindOut,
    BoardFilters,
    BoardOut,
    CloseIn,
    DecisionIn,
    DecisionOut,
    DoneIn,
    GeoFilters,
    ItemDetailOut,
    ItemFilters,
    ItemIn,
    ItemOut,
    ItemPatch,
    MeetingDetailOut,
    MeetingIn,
    MeetingOut,
    MilestoneIn,
    MilestoneOut,
    NoteIn,
    ReleaseIn,
    ReportIn,
    ReportOut,
    RulesIn,
    RulesOut,
)

router = Router(tags=["tracking"])


def _filters(user, data: dict) -> dict:
    """Non-empty filters; an unknown department code is a 400 naming `department`."""
    if data.get("department"):
        try:
            core_selectors.department_get(user=user, code=data["department"])
        except NotFound:
            message = _("no department has the code %(c)s") % {"c": data["department"]}
            raise ServiceError.field("department", message) from None
    return {k: v for k, v in data.items() if v not in ("", None, False)}


ROW_FIELDS = [
    "number",
    "title",
    "kind",
    "level",
    "status",
    "budget_total",
    "budget_year",
    "due_date",
    "finish_date",
    "lag",
    "money_behind",
    "risk",
    "report_overdue",
    "last_year",
    "last_month",
    "forecast_finish",
    "forecast_late",
]
DETAIL_FIELDS = [
    "description",
    "start_date",
    "tender_number",
    "contractor",
    "contract_sum",
    "site_address",
    "latitude",
    "longitude",
    "grant_source",
    "grant_amount",
    "matching_funds",
    "forecast_method",
    "release_result",
    "release_note",
    "completed_on",
    "release_exception",
    "released_at",
    "created_at",
    "updated_at",
]


def _item_out(i: Item) -> dict:
    return {f: getattr(i, f) for f in ROW_FIELDS} | {
        "id": i.pk,
        "lead": i.lead.code,
        "lead_name": i.lead.name,
        "planned": _pct(i.last_planned),
        "actual": _pct(i.last_actual),
        "spent": i.last_spent,
    }


def _behind_out(i: Item) -> dict:
    return _item_out(i) | {"gap": _pct(i.gap)}


def _detail(user, pk: int) -> dict:
    """The item as stored (read again, so `version` matches what an update will check)."""
    item = selectors.item_get(user=user, pk=pk)
    prefetch_related_objects([item], "co_departments", "milestones")
    return (
        _item_out(item)
        | {f: getattr(item, f) for f in DETAIL_FIELDS}
        | {
            "version": services.item_version(item),
            "reports_progress": item.reports_progress,
            "co_departments": sorted(d.code for d in item.co_departments.all()),
            "milestones": [_milestone_out(m) for m in item.milestones.all()],
            "origin_meeting": item.origin.meeting_id if item.origin_id else None,
        }
    )


def _milestone_out(m: Milestone) -> dict:
    return {"id": m.pk, "item": m.item_id, "title": m.title, "due": m.due, "done_on": m.done_on}


def _note(payload: NoteIn | None) -> str:
    # A decision without a note may be sent with no body at all.
    return payload.note if payload else ""


def _pct(value) -> Decimal | None:
    # As stored (two decimals), also for a report just filed from "42.5".
    return None if value is None else Decimal(value).quantize(Decimal("0.01"))


def _report_out(r: Report) -> dict:
    fields = [
        f for f in ReportOut.model_fields if f not in ("id", "item", "filed_by", "reviewed_by")
    ]
    return {f: getattr(r, f) for f in fields} | {
        "id": r.pk,
        "item": r.item_id,
        "filed_by": str(r.filed_by),
        "planned": _pct(r.planned),
        "actual": _pct(r.actual),
        "reviewed_by": str(r.reviewed_by) if r.reviewed_by_id else None,
    }


def _decision_out(d) -> dict:
    directive = {"id": d.directive.pk, "number": d.directive.number} if d.directive_id else None
    return {
        "id": d.pk,
        "meeting": d.meeting_id,
        "entry": d.entry_id,
        "text": d.text,
        "department": d.department.code,
        "due": d.due,
        "directive": directive,
    }


MEETING_FIELDS = ["year", "month", "title", "held_on", "chair", "status", "closed_at"]


def _meeting_out(m: Meeting) -> dict:
    return {f: getattr(m, f) for f in MEETING_FIELDS} | {
        "id": m.pk,
        "entries": m.entries,
        "decided": m.decided,
    }


def _meeting_detail(user, pk: int) -> dict:
    meeting = selectors.meeting_get(user=user, pk=pk)
    agenda = [
        {
            "id": e.pk,
            "order": e.order,
            "reason": e.reason,
            "item": e.item_id,
            "number": e.item.number,
            "title": e.item.title,
            "lead": e.item.lead.code,
            "lag": e.lag,
            "planned": _pct(e.planned),
            "actual": _pct(e.actual),
        }
        for e in selectors.meeting_agenda(meeting=meeting)
    ]
    decisions = [_decision_out(d) for d in selectors.meeting_decisions(meeting=meeting)]
    meeting.entries, meeting.decided = len(agenda), len(decisions)
    return _meeting_out(meeting) | {
        "minutes": meeting.minutes,
        "agenda": agenda,
        "decisions": decisions,
    }


def _rules_out(r: Rules) -> dict:
    return {
        "report_due_day": r.report_due_day,
        "review_workdays": r.review_workdays,
        "remind_workdays": r.remind_workdays,
        "escalate_workdays": r.escalate_workdays,
        "serious_gap": _pct(r.serious_gap),
        "city_min_budget": r.city_min_budget,
        "money_share": (r.money_share * 100).quantize(Decimal("0.1")),
        "city_kinds": list(r.city_kinds),
        "updated_at": r.updated_at,
    }


# Items -----------------------------------------------------------------------------------


@router.get("tracking/items", response=list[ItemOut])
@paginate(Paging)
def list_items(request, filters: Query[ItemFilters]):
    """Items you may read; `status` defaults to the open ones ("all", "released"...)."""
    rows = selectors.item_list(user=request.user, filters=_filters(request.user, filters.dict()))
    return Mapped(rows, _item_out)


@router.post("tracking/items", response={201: ItemDetailOut})
def create_item(request, payload: ItemIn):
    """`level` defaults by the city's rule (府列管 from NT$5M, every grant and directive)."""
    data = {k: v for k, v in payload.dict().items() if v is not None}
    item = services.item_create(actor=request.user, **data)
    return Status(201, _detail(request.user, item.pk))


@router.get("tracking/items/{pk}", response=ItemDetailOut)
def get_item(request, pk: Id):
    """With milestones, co-departments, the computed lag, risk and forecast, and `version`."""
    return _detail(request.user, pk)


@router.patch("tracking/items/{pk}", response=ItemDetailOut)
def update_item(request, pk: Id, payload: ItemPatch):
    """Send the `version` you read: a change made since then is a 400 on `version`."""
    item = selectors.item_get(user=request.user, pk=pk)
    data = payload.dict(exclude_unset=True)
    version = data.pop("version")
    services.item_update(actor=request.user, item=item, expected_version=version, **data)
    return _detail(request.user, pk)


@router.post("tracking/items/{pk}/milestones", response={201: MilestoneOut})
def add_milestone(request, pk: Id, payload: MilestoneIn):
    item = selectors.item_get(user=request.user, pk=pk)
    milestone = services.milestone_add(actor=request.user, item=item, **payload.dict())
    return Status(201, _milestone_out(milestone))


@router.post("tracking/milestones/{pk}/done", response=MilestoneOut)
def milestone_done(request, pk: Id, payload: DoneIn | None = None):
    milestone = selectors.milestone_get(user=request.user, pk=pk)
    data = payload.dict(exclude_unset=True) if payload else {}
    done_on = data["done_on"] if "done_on" in data else timezone.localdate()
    done = services.milestone_done(actor=request.user, milestone=milestone, done_on=done_on)
    return _milestone_out(done)


# Reports ---------------------------------------------------------------------------------


@router.get("tracking/items/{pk}/reports", response=list[ReportOut])
def list_reports(request, pk: Id):
    """Every report of the item, newest month and revision first."""
    item = selectors.item_get(user=request.user, pk=pk)
    return [_report_out(r) for r in selectors.item_reports(item=item)]


@router.post("tracking/items/{pk}/reports", response={201: ReportOut})
def file_report(request, pk: Id, payload: ReportIn):
    """The month's report: planned/actual/money for works, programmes and grants; handling
    and result for directives and resolutions. Late when filed after the due day."""
    item = selectors.item_get(user=request.user, pk=pk)
    report = reporting.report_file(actor=request.user, item=item, **payload.dict())
    return Status(201, _report_out(report))


def _baseline_out(b: Baseline) -> dict:
    fields = [f for f in BaselineOut.model_fields if f != "item"]
    return {f: getattr(b, f) for f in fields} | {"item": b.item_id}


@router.get("tracking/items/{pk}/baselines", response=list[BaselineOut])
def list_baselines(request, pk: Id):
    """Every revision of the item's baseline schedule, the original first."""
    item = selectors.item_get(user=request.user, pk=pk)
    return [_baseline_out(b) for b in item.baselines.order_by("revision")]


@router.post("tracking/items/{pk}/baselines", response={201: BaselineOut})
def propose_baseline(request, pk: Id, payload: BaselineIn):
    """Propose the baseline schedule or a revision (修正計畫, with its reason)."""
    item = selectors.item_get(user=request.user, pk=pk)
    baseline = baselines.baseline_propose(actor=request.user, item=item, **payload.dict())
    return Status(201, _baseline_out(baseline))


@router.post("tracking/baselines/{pk}/approve", response=BaselineOut)
def approve_baseline(request, pk: Id, payload: NoteIn | None = None):
    baseline = _baseline(request, pk)
    done = baselines.baseline_approve(actor=request.user, baseline=baseline, note=_note(payload))
    return _baseline_out(done)


@router.post("tracking/baselines/{pk}/reject", response=BaselineOut)
def reject_baseline(request, pk: Id, payload: NoteIn | None = None):
    baseline = _baseline(request, pk)
    done = baselines.baseline_reject(actor=request.user, baseline=baseline, note=_note(payload))
    return _baseline_out(done)


def _baseline(request, pk: Id) -> Baseline:
    baseline = Baseline.objects.filter(pk=pk).first()
    if baseline is None:
        raise NotFound()
    selectors.item_get(user=request.user, pk=baseline.item_id)  # 404 when out of reach
    return baseline


@router.post("tracking/reports/{pk}/approve", response=ReportOut)
def approve_report(request, pk: Id, payload: NoteIn | None = None):
    report = selectors.report_get(user=request.user, pk=pk)
    return _report_out(
        reporting.report_approve(actor=request.user, report=report, note=_note(payload))
    )


@router.post("tracking/reports/{pk}/return", response=ReportOut)
def return_report(request, pk: Id, payload: NoteIn | None = None):
    report = selectors.report_get(user=request.user, pk=pk)
    return _report_out(
        reporting.report_return(actor=request.user, report=report, note=_note(payload))
    )


@router.post("tracking/reports/{pk}/refuse", response=ReportOut)
def refuse_report(request, pk: Id, payload: NoteIn | None = None):
    """The 管考 officer refuses a late report; the month then counts as not reported."""
    report = selectors.report_get(user=request.user, pk=pk)
    return _report_out(
        reporting.report_refuse(actor=request.user, report=report, note=_note(payload))
    )


# Release from control --------------------------------------------------------------------


@router.post("tracking/items/{pk}/release", response=ItemDetailOut)
def request_release(request, pk: Id, payload: ReleaseIn):
    item = selectors.item_get(user=request.user, pk=pk)
    release.release_request(actor=request.user, item=item, **payload.dict())
    return _detail(request.user, pk)


@router.post("tracking/items/{pk}/release/approve", response=ItemDetailOut)
def approve_release(request, pk: Id, payload: NoteIn | None = None):
    item = selectors.item_get(user=request.user, pk=pk)
    release.release_approve(actor=request.user, item=item, note=_note(payload))
    return _detail(request.user, pk)


@router.post("tracking/items/{pk}/release/return", response=ItemDetailOut)
def return_release(request, pk: Id, payload: NoteIn | None = None):
    item = selectors.item_get(user=request.user, pk=pk)
    release.release_return(actor=request.user, item=item, note=_note(payload))
    return _detail(request.user, pk)


# Meetings --------------------------------------------------------------------------------


@router.get("tracking/meetings", response=list[MeetingOut])
@paginate(Paging)
def list_meetings(request):
    return Mapped(selectors.meeting_list(user=request.user), _meeting_out)


@router.post("tracking/meetings", response={201: MeetingDetailOut})
def open_meeting(request, payload: MeetingIn):
    """Open the month's control meeting (officers); its agenda is generated."""
    meeting = meetings.meeting_open(actor=request.user, **payload.dict())
    return Status(201, _meeting_detail(request.user, meeting.pk))


@router.get("tracking/meetings/{pk}", response=MeetingDetailOut)
def get_meeting(request, pk: Id):
    return _meeting_detail(request.user, pk)


@router.post("tracking/meetings/{pk}/decisions", response={201: DecisionOut})
def record_decision(request, pk: Id, payload: DecisionIn):
    """A decision (決議) becomes a directive item of the department: its id and number are
    in `directive`."""
    meeting = selectors.meeting_get(user=request.user, pk=pk)
    data = payload.dict()
    if data["entry"] is not None:
        agenda = selectors.meeting_agenda(meeting=meeting).prefetch_related(None)
        entry = agenda.filter(pk=data["entry"]).first()
        if entry is None:
            raise ServiceError.field("entry", _("is not on this meeting's agenda"))
        data["entry"] = entry
    decision = meetings.decision_record(actor=request.user, meeting=meeting, **data)
    return Status(201, _decision_out(decision))


@router.post("tracking/meetings/{pk}/close", response=MeetingDetailOut)
def close_meeting(request, pk: Id, payload: CloseIn):
    """Close it with the minutes: the month's review (KPI 三-1) is then held."""
    meeting = selectors.meeting_get(user=request.user, pk=pk)
    meetings.meeting_close(actor=request.user, meeting=meeting, **payload.dict())
    return _meeting_detail(request.user, pk)


# Board and rules -------------------------------------------------------------------------


@router.get("tracking/board", response=BoardOut)
def board(request, filters: Query[BoardFilters]):
    """Counts by status, lag, risk and lead department (lag and risk of open items)."""
    found = selectors.board(user=request.user, filters=_filters(request.user, filters.dict()))
    departments = [
        {k: r[k] for k in ("total", "open", "serious", "behind", "overdue", "released")}
        | {"code": r["department"].code, "name": r["department"].name}
        for r in found.departments
    ]
    return {
        "total": found.total,
        "by_status": found.by_status,
        "by_lag": found.by_lag,
        "by_risk": found.by_risk,
        "overdue": found.overdue,
        "money_behind": found.money_behind,
        "forecast_late": found.forecast_late,
        "early_warning": found.early_warning,
        "departments": departments,
    }


@router.get("tracking/behind", response=list[BehindOut])
@paginate(Paging)
def behind(request, filters: Query[BoardFilters]):
    """Open items behind schedule: seriously behind first, then by the widest gap."""
    rows = selectors.behind_list(user=request.user, filters=_filters(request.user, filters.dict()))
    return Mapped(rows, _behind_out)


@router.get("tracking/rules", response=RulesOut)
def get_rules(request):
    return _rules_out(Rules.current())


@router.put("tracking/rules", response=RulesOut)
def set_rules(request, payload: RulesIn):
    """Officers. `money_share` is a percentage (80 = under 80% of planned spending)."""
    return _rules_out(rules_update(actor=request.user, **payload.dict()))


# GeoJSON ---------------------------------------------------------------------------------


GEOJSON = "application/geo+json"


@router.get(
    "tracking/items.geojson",
    auth=PUBLIC,
    openapi_extra={
        "responses": {200: {"description": "RFC 7946 FeatureCollection", "content": {GEOJSON: {}}}}
    },
)
def items_geojson(request, filters: Query[GeoFilters]):
    """Located items as GeoJSON (longitude first), with no personal data: no staff, no
    report texts. Anonymous callers see the located kinds (works, programmes, grants)."""
    data = _filters(request.user, filters.dict())
    if request.user.is_authenticated:
        rows = selectors.item_list(user=request.user, filters=data)
    else:
        rows = selectors.public_item_list(filters=data)
    body = json.dumps(geo.feature_collection(rows), ensure_ascii=False)
    response = HttpResponse(body, content_type=GEOJSON)
    patch_vary_headers(response, ["Authorization"])  # signed-in callers see more
    return response
