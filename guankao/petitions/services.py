"""Every write to petitions at intake: filing a case (its number and deadlines), answering a
consultation on the spot, assigning, closing under 行政程序法 §173 and merging (併案).

Each function checks permission, validates every field by name, records the step on the
case's timeline and in the audit trail, and tells the department concerned.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from guankao.core import audit, validation
from guankao.core import services as core_services
from guankao.core.errors import ServiceError
from guankao.core.models import AuditEntry, Department, Role, User
from guankao.lib.roc import roc_year
from guankao.petitions import access, case_files, deadlines, figures
from guankao.petitions.models import (
    OPEN_STATUSES,
    TRANSFER_CHANNELS,
    Assignment,
    Case,
    CaseCounter,
    Category,
    Channel,
    Event,
    Rules,
)

A = AuditEntry.Action
# Channels whose cases go straight to the category's department; mail, letters and
# transfers wait for the 管考 officer to assign them.
DIRECT_CHANNELS = frozenset({Channel.PHONE, Channel.WALK_IN, Channel.OPEN311, Channel.WEB})
CASE_FIELDS = [
    "status",
    "lead",
    "co_departments",
    "due_date",
    "field_due_at",
    "rule_173",
    "merged_into",
    "closed_at",
]


# Numbers ------------------------------------------------------------------------------------


def next_number(day: dt.date) -> str:
    """The city's case number, 1151203-0001: the ROC date of receipt and the day's sequence.

    The counter row is bumped with an UPDATE inside the filing transaction, so a second
    filer waits for the first to commit (PostgreSQL's row lock, SQLite's write lock) and
    two filings in the same second never share a number. One statement in the common case:
    the UPDATE hands back the new value (RETURNING, PostgreSQL and SQLite ≥ 3.35)."""
    last = _bump(day)
    if last is None:
        try:
            with transaction.atomic():
                CaseCounter.objects.create(day=day, last=1)
            last = 1
        except IntegrityError:  # another filer created the day's row first
            last = _bump(day)
    return f"{roc_year(day.year):03d}{day:%m%d}-{last:04d}"


def number_reserve(received: dt.datetime) -> str:
    """A case number for a case received at `received`, taken in a transaction of its own
    before the filing's, for the busiest filing (Open311 apps): the day's counter is then
    held for one statement instead of the whole filing, so filings run side by side. The
    price is that a filing failing after this leaves its number unused; the caller records
    it with `number_void`, so every number of the day is accounted for. Inside a caller's
    transaction it is part of that transaction (no gain, and no gap)."""
    with transaction.atomic():
        return next_number(deadlines.local_day(received))


def number_void(number: str, error: Exception) -> None:
    """Record in the audit trail that a reserved case number was not used, and why."""
    audit.record(
        actor=None,
        action=A.DELETE,
        object_type=Case._meta.label_lower,
        object_repr=number,
        note=_("Case number %(n)s not used: the filing failed (%(e)s).")
        % {"n": number, "e": str(error)[:200] or type(error).__name__},
    )


def _bump(day: dt.date) -> int | None:
    table = connection.ops.quote_name(CaseCounter._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f'UPDATE {table} SET "last" = "last" + 1 WHERE "day" = %s RETURNING "last"',  # noqa: S608
            [connection.ops.adapt_datefield_value(day)],
        )
        row = cursor.fetchone()
    return row[0] if row else None


# Field checks -------------------------------------------------------------------------------


def _category(value) -> Category:
    category = value
    if not isinstance(value, Category):
        code = validation.text("category", value, 40)
        category = Category.objects.filter(code=code, active=True).select_related("department")
        category = category.first()
    if category is None or not category.active:
        raise ServiceError.field("category", _("is not a category in use"))
    if category.department_id is None:
        raise ServiceError.field(
            "category", _("is a group of categories; choose one of its entries")
        )
    return category


def _email(value) -> str:
    address = validation.text("email", value, 254, required=False)
    if address:
        try:
            validate_email(address)
        except ValidationError:
            raise ServiceError.field("email", _("must be an e-mail address")) from None
    return address


def _received(value) -> dt.datetime:
    if value is None:
        return timezone.now()
    if not isinstance(value, dt.datetime) or timezone.is_naive(value):
        raise ServiceError.field("received_at", _("must be a date and time with its time zone"))
    if value > timezone.now() + dt.timedelta(minutes=5):
        raise ServiceError.field("received_at", _("cannot be in the future"))
    return value


def _petitioner(data: dict) -> dict:
    anonymous = bool(data.get("anonymous", False))
    return {
        "anonymous": anonymous,
        "name": "" if anonymous else validation.text("name", data.get("name"), 100, False),
        "phone": validation.phone("phone", data.get("phone")),
        "email": _email(data.get("email")),
        "address": validation.text("address", data.get("address"), 200, required=False),
    }


def petitioner_check(data: dict) -> dict:
    """The petitioner's `name`, `phone`, `email` (and `address`) checked as filing checks
    them, for a caller that files later (Open311's deferred reports)."""
    return _petitioner(data)


def _place(data: dict) -> dict:
    latitude = validation.coordinate("latitude", data.get("latitude"), 90)
    longitude = validation.coordinate("longitude", data.get("longitude"), 180)
    if (latitude is None) != (longitude is None):
        field = "longitude" if longitude is None else "latitude"
        raise ServiceError.field(field, _("is required with the other coordinate"))
    return {
        "location": validation.text("location", data.get("location"), 200, required=False),
        "latitude": latitude,
        "longitude": longitude,
    }


def _record(actor, action, case: Case, before: dict, after: dict, note: str = "") -> None:
    changes = audit.diff(before, after)
    if changes or action != A.UPDATE:
        audit.record(
            actor=actor, action=action, obj=case, changes=changes, department=case.lead, note=note
        )


def _event(case: Case, kind: str, actor=None, *, note="", public=False, at=None) -> Event:
    return Event.objects.create(
        case=case,
        kind=kind,
        actor=actor,
        note=note,
        public=public,
        department=case.lead,
        at=at or timezone.now(),
    )


def _snapshot(case: Case) -> dict:
    return audit.snapshot(case, [f for f in CASE_FIELDS if f != "co_departments"]) | {
        "co_departments": sorted(d.code for d in case.co_departments.all()) if case.pk else []
    }


# Filing -------------------------------------------------------------------------------------


@transaction.atomic
def case_file(
    *, actor, kind: str, channel: str, subject: str, text: str, category, files=(), **data
) -> Case:
    """Record a call, a walk-in, a letter, a mailbox message or a transfer as a case.

    A consultation answered on the spot is filed with its `answer` and closed at once;
    other cases get the reply deadline (and a 派工 category's field-work deadline) from
    the moment of receipt, and go to the category's department at once when they come by
    phone, in person or online, or wait for the 管考 officer's assignment otherwise.
    Its `files` (photos, PDF, ODF; at most five) are all checked before anything is
    written and stored last, so a refused case leaves no file behind."""
    validation.require(access.can_file(actor))
    checked = case_files.check(files)
    case = _file(actor, kind, channel, subject, text, category, data)
    case_files.store(actor=actor, case=case, checked=checked)
    return case


def case_file_checked(
    *, actor, kind, channel, subject, text, category, number: str | None = None, **data
) -> Case:
    """The filing itself, for callers that have decided who may file: `case_file` for the
    staff, `public.file_public_request` for Open311 apps and the citizens' report page
    (filed in the name of the system's own account). Runs inside the caller's transaction;
    `number` is one that `number_reserve` took for this case (else the counter gives one)."""
    return _file(actor, kind, channel, subject, text, category, data, number)


def _file(actor, kind, channel, subject, text, category, data: dict, number=None) -> Case:
    kind = validation.choice("kind", kind, Case.Kind)
    channel = validation.choice("channel", channel, Channel)
    received = _received(data.get("received_at"))
    day = deadlines.local_day(received)
    category = _category(category)
    source_due = validation.date_value("source_due", data.get("source_due"))
    if source_due is not None and source_due < day:
        raise ServiceError.field("source_due", _("cannot be before the day of receipt"))
    if channel not in TRANSFER_CHANNELS and (source_due or data.get("source_number")):
        raise ServiceError.field(
            "source_number", _("only a transferred case carries a sender's number or deadline")
        )
    case = Case(
        kind=kind,
        channel=channel,
        received_at=received,
        subject=validation.text("subject", subject, 200),
        text=validation.text("text", text, 20000),
        category=category,
        confidential=bool(data.get("confidential", False)),
        source_number=validation.text("source_number", data.get("source_number"), 60, False),
        source_due=source_due,
        created_by=actor,
        **_petitioner(data),
        **_place(data),
    )
    answer = validation.text("answer", data.get("answer"), 5000, required=False)
    if kind == Case.Kind.CONSULTATION:
        if not answer:
            raise ServiceError.field("answer", _("is required: say how the question was answered"))
        return _answered(actor, case, day, answer)
    if answer:
        raise ServiceError.field("answer", _("only a consultation is answered on the spot"))
    rules = Rules.current()
    case.due_date = deadlines.reply_due(
        day,
        deadlines.Clock.of(rules),
        category_workdays=category.reply_workdays,
        source_due=source_due,
    )
    if category.dispatch:
        case.kind = Case.Kind.DISPATCH
        case.field_due_at = deadlines.field_due(
            received, category.field_work_limit, category.field_work_unit
        )
    # Numbered last: the day's counter stays locked from here until the filing commits.
    case.number = number or next_number(day)
    if channel in DIRECT_CHANNELS:
        return _file_direct(actor, case, category, received)
    case.save()
    _event(case, Event.Kind.RECEIVED, actor, public=True, at=received)
    _record(actor, A.CREATE, case, {}, _snapshot(case))
    officers = User.objects.filter(is_active=True, role_assignments__role=Role.OFFICER).distinct()
    core_services.notify(
        recipients=list(officers.order_by("pk")),
        subject=_("New case %(n)s waits for assignment") % {"n": case.number},
        body=case.subject,
        url=f"/petitions/cases/{case.pk}/",
    )
    return case


def _file_direct(actor, case: Case, category: Category, received: dt.datetime) -> Case:
    """A case that goes straight to its category's department (by phone, in person,
    online): written assigned, in as few statements as the steps allow (the case, its two
    timeline steps at once, the assignment, the audit entry, the department's notice),
    since online filing is the busiest write there is. The same rows as filing then
    assigning (`_assign`): the reply deadline is the one a single department gets."""
    department = category.department
    case.lead, case.status, case.updated_at = department, Case.Status.ASSIGNED, received
    case.save()
    Event.objects.bulk_create(
        [
            Event(case=case, kind=kind, actor=actor, public=True, department=dept, at=received)
            for kind, dept in ((Event.Kind.RECEIVED, None), (Event.Kind.ASSIGNED, department))
        ]
    )
    Assignment.objects.create(
        case=case, department=department, assigned_by=actor, assigned_at=received
    )
    after = audit.snapshot(case, [f for f in CASE_FIELDS if f != "co_departments"])
    _record(actor, A.CREATE, case, {}, after | {"co_departments": []})
    _tell_assigned(case, [department])
    return case


def _tell_assigned(case: Case, departments: list[Department]) -> None:
    core_services.notify_roles(
        departments=departments,
        roles=(Role.LIAISON,),
        subject=_("Case %(n)s is assigned to your department, reply due %(d)s")
        % {"n": case.number, "d": case.due_date.isoformat()},
        body=case.subject,
        url=f"/petitions/cases/{case.pk}/",
    )


def _answered(actor, case: Case, day: dt.date, answer: str) -> Case:
    case.number = next_number(day)
    case.status = Case.Status.ANSWERED
    case.closed_at = timezone.now()
    case.lead = case.category.department
    case.save()
    figures.recount(case)
    _event(case, Event.Kind.RECEIVED, actor, public=True, at=case.received_at)
    _event(case, Event.Kind.ANSWERED, actor, note=answer, public=True)
    _record(actor, A.CREATE, case, {}, _snapshot(case), note=answer[:300])
    return case


# Assignment ---------------------------------------------------------------------------------


def _departments(field: str, values) -> list[Department]:
    out = []
    for value in values or []:
        department = value
        if not isinstance(value, Department):
            code = validation.text(field, value, 40)
            department = Department.objects.filter(code=code, active=True).first()
        if department is None:
            raise ServiceError.field(field, _("%(c)s is not a department") % {"c": value})
        out.append(department)
    return out


def _assign(actor, case: Case, lead: Department, co: list[Department], rules: Rules, now) -> None:
    Assignment.objects.filter(case=case, ended_at=None).update(ended_at=now)
    for department in [lead, *co]:
        Assignment.objects.create(
            case=case, department=department, assigned_by=actor, assigned_at=now
        )
    shared = bool(co)
    case.lead, case.status, case.updated_at = lead, Case.Status.ASSIGNED, now
    # Several departments answer within 10 working days; the clock still runs from receipt.
    case.due_date = deadlines.reply_due(
        deadlines.local_day(case.received_at),
        deadlines.Clock.of(rules),
        shared=shared,
        category_workdays=case.category.reply_workdays,
        source_due=case.source_due,
    )
    case.save(update_fields=["lead", "status", "updated_at", "due_date"])
    case.co_departments.set(co)
    _event(case, Event.Kind.ASSIGNED, actor, public=True, at=now)
    _tell_assigned(case, [lead, *co])


def _open_case(case: Case) -> Case:
    case = Case.objects.select_for_update(of=("self",)).select_related("category").get(pk=case.pk)
    if case.status not in OPEN_STATUSES:
        raise ServiceError.field("status", _("the case is closed"))
    return case


@transaction.atomic
def case_assign(*, actor, case: Case, lead, co_departments=(), now=None) -> Case:
    """The officer assigns a case to its lead department (and co-operating ones)."""
    validation.require(access.manages(actor))
    case = _open_case(case)
    before = _snapshot(case)
    lead = _departments("lead", [lead])[0]
    co = [d for d in _departments("co_departments", co_departments) if d.pk != lead.pk]
    _assign(actor, case, lead, co, Rules.current(), now or timezone.now())
    _record(actor, A.UPDATE, case, before, _snapshot(case))
    return case


# Closing without a reply --------------------------------------------------------------------


@transaction.atomic
def case_not_processed(*, actor, case: Case, rule: str, note: str = "") -> Case:
    """Register and close a petition under 行政程序法 §173, citing which of its grounds."""
    validation.require(access.manages(actor))
    case = _open_case(case)
    before = _snapshot(case)
    case.rule_173 = validation.choice("rule", rule, Case.Rule173)
    note = validation.text("note", note, 2000, required=rule == Case.Rule173.REPEAT)
    case.status, case.closed_at = Case.Status.NOT_PROCESSED, timezone.now()
    case.save(update_fields=["rule_173", "status", "closed_at"])
    figures.recount(case)
    _event(case, Event.Kind.NOT_PROCESSED, actor, note=note, public=True)
    _record(actor, A.UPDATE, case, before, _snapshot(case), note=note)
    return case


@transaction.atomic
def case_merge(*, actor, case: Case, into: Case, note: str = "") -> Case:
    """併案: a later case about the same matter joins an earlier open one; its petitioner
    gets the reply of the case it joined."""
    validation.require(access.manages(actor))
    case = _open_case(case)
    into = _open_case(into)
    if into.pk == case.pk:
        raise ServiceError.field("into", _("a case cannot be merged into itself"))
    if into.received_at > case.received_at:
        raise ServiceError.field("into", _("merge a later case into the earlier one"))
    before = _snapshot(case)
    case.status, case.merged_into, case.closed_at = Case.Status.MERGED, into, timezone.now()
    case.save(update_fields=["status", "merged_into", "closed_at"])
    figures.recount(case)
    note = validation.text("note", note, 2000, required=False)
    _event(case, Event.Kind.MERGED, actor, note=into.number, public=True)
    _event(into, Event.Kind.MERGED, actor, note=case.number)
    _record(actor, A.UPDATE, case, before, _snapshot(case), note=note)
    return case
