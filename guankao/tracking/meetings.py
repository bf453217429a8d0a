"""The monthly control meeting: open it (the agenda is generated), record decisions (each
becomes a directive item assigned to a department), close it with the minutes.

A held meeting is the month's review that KPI 三-1 (按月清查) counts.
"""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from guankao.core import validation
from guankao.core.errors import ServiceError
from guankao.lib.roc import roc_year
from guankao.tracking import access, agenda
from guankao.tracking.models import AgendaEntry, Decision, Item, Kind, Meeting, Rules
from guankao.tracking.services import A, _department, _record

REASON_ORDER = agenda.REASON_ORDER


def default_title(year: int, month: int) -> str:
    return _("%(y)d/%(m)02d monthly control meeting (工程進度控管會報)") % {
        "y": roc_year(year),
        "m": month,
    }


@transaction.atomic
def meeting_open(*, actor, year, month, held_on, title: str = "", chair: str = "") -> Meeting:
    validation.require(access.can_manage(actor))
    year, month = validation.year_month(year, month)
    held = validation.date_value("held_on", held_on)
    if held is None:
        raise ServiceError.field("held_on", _("is required"))
    if Meeting.objects.filter(year=year, month=month).exists():
        raise ServiceError.field("month", _("already has a control meeting"))
    meeting = Meeting(
        year=year,
        month=month,
        held_on=held,
        opened_by=actor,
        title=validation.text("title", title, 200, required=False) or default_title(year, month),
        chair=validation.text("chair", chair, 100, required=False),
    )
    try:
        with transaction.atomic():
            meeting.save()
    except IntegrityError:
        raise ServiceError.field("month", _("already has a control meeting")) from None
    changes = agenda.build(meeting)
    entries = changes["added"]
    _record(actor, A.CREATE, meeting, {}, {"title": meeting.title, "agenda": len(entries)}, None)
    return meeting


def _open(meeting: Meeting) -> Meeting:
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.status != Meeting.Status.OPEN:
        raise ServiceError.field("status", _("this meeting is closed; its minutes cannot change"))
    return meeting


@transaction.atomic
def decision_record(
    *, actor, meeting: Meeting, text: str, department, due, entry: AgendaEntry | None = None
) -> Decision:
    """Record a decision (決議); it becomes a directive item (市務會議裁示事項) of the
    department, city-controlled, due on `due`, with monthly handling reports."""
    validation.require(access.can_manage(actor))
    meeting = _open(meeting)
    if entry is not None and entry.meeting_id != meeting.pk:
        raise ServiceError.field("entry", _("is not on this meeting's agenda"))
    body = validation.text("text", text, 2000)
    lead = _department("department", department)
    due_on = validation.date_value("due", due)
    if due_on is None:
        raise ServiceError.field("due", _("is required"))
    if due_on < meeting.held_on:
        raise ServiceError.field("due", _("must not be before the meeting"))
    decision = Decision.objects.create(
        meeting=meeting, entry=entry, text=body, department=lead, due=due_on, created_by=actor
    )
    count = Decision.objects.filter(meeting=meeting).count()
    prefix = f"M{roc_year(meeting.year)}{meeting.month:02d}-"
    while Item.objects.filter(number=f"{prefix}{count:02d}").exists():
        count += 1  # a number taken by hand or by an import: take the next free one
    rules = Rules.current()
    source = entry.item.number if entry else ""
    directive = Item.objects.create(
        number=f"{prefix}{count:02d}",
        title=body.splitlines()[0][:300],
        description=body
        + ("\n\n" + _("(from the agenda item %(n)s)") % {"n": source} if source else ""),
        kind=Kind.MEETING,
        lead=lead,
        due_date=due_on,
        origin=decision,
        level=Item.Level.CITY
        if rules.must_be_city_controlled(Kind.MEETING, None)
        else Item.Level.SELF,
    )
    decision.directive = directive
    decision.save(update_fields=["directive"])
    _record(
        actor,
        A.CREATE,
        decision,
        {},
        {"text": body, "department": lead.code, "due": str(due_on)},
        lead,
    )
    _record(
        actor, A.CREATE, directive, {}, {"number": directive.number, "due_date": str(due_on)}, lead
    )
    from guankao.core import services as core_services

    core_services.notify_roles(
        departments=[lead],
        roles=("liaison", "head"),
        subject=_("New directive %(n)s from %(m)s") % {"n": directive.number, "m": meeting.title},
        body=body,
        url=f"/tracking/items/{directive.pk}/",
    )
    return decision


@transaction.atomic
def meeting_close(*, actor, meeting: Meeting, minutes: str, held_on=None) -> Meeting:
    """Close the meeting with its minutes: the month's review is then held."""
    validation.require(access.can_manage(actor))
    meeting = _open(meeting)
    meeting.minutes = validation.text("minutes", minutes, 20000)
    if held_on not in (None, ""):
        meeting.held_on = validation.date_value("held_on", held_on)
    if meeting.held_on > timezone.localdate():
        raise ServiceError.field("held_on", _("a meeting cannot be closed before it is held"))
    meeting.status, meeting.closed_at = Meeting.Status.HELD, timezone.now()
    meeting.save(update_fields=["minutes", "held_on", "status", "closed_at"])
    _record(
        actor,
        A.UPDATE,
        meeting,
        {"status": "open"},
        {"status": "held", "held_on": str(meeting.held_on)},
        None,
    )
    return meeting


def months_reviewed(year: int, first: int = 1, last: int = 12) -> set[int]:
    """Months of `year` whose control meeting was held (KPI 三-1)."""
    rows = Meeting.objects.filter(
        year=year, month__gte=first, month__lte=last, status=Meeting.Status.HELD
    )
    return set(rows.values_list("month", flat=True))
