"""Import of historical cases from the earlier 1999 system's export (CSV or ODS).

The whole file is read through core.tabular.read_table (its size, row and cell limits)
and every row checked, against the file and the database, before the write transaction
begins; the transaction only writes, in bulk. Every problem names its row and column
(an unknown category or department, a bad phone or e-mail, a deadline before receipt, a
case number already used or used twice in the file …) and any problem leaves everything
as it was. A dry run is the check alone and answers what the import would do.

Imported cases keep their old number, dates and status (closed when the export gives a
closing date), with a "received" entry on their timeline; they send no notice.
"""

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from guankao.core import audit, validation
from guankao.core.errors import FieldProblem, NotAllowed, ServiceError
from guankao.core.models import AuditEntry, Department
from guankao.core.tabular import read_table
from guankao.lib import workdays
from guankao.petitions import access, figures
from guankao.petitions.models import Assignment, Case, Category, Channel, Event

MAX_ROWS = 5000
# Heading -> field. The earlier system's channel names map to ours.
COLUMNS = {
    "案件編號": "number",
    "收件時間": "received_at",
    "來源管道": "channel",
    "案件類別": "category",
    "主旨": "subject",
    "內容": "text",
    "陳情人": "name",
    "電話": "phone",
    "電子郵件": "email",
    "地址": "address",
    "主辦機關": "lead",
    "處理期限": "due_date",
    "結案日期": "closed_on",
}
REQUIRED = ("案件編號", "收件時間", "案件類別", "主旨", "內容", "主辦機關", "處理期限")
CHANNELS = (
    {
        "1999": Channel.PHONE,
        "電話": Channel.PHONE,
        "臨櫃": Channel.WALK_IN,
        "市長信箱": Channel.MAYOR_MAILBOX,
        "電子郵件": Channel.EMAIL,
        "書信": Channel.LETTER,
        "網路通報": Channel.OPEN311,
    }
    | {str(label): value for value, label in Channel.choices}
    | {v: v for v in Channel.values}
)
HEADING = {field: heading for heading, field in COLUMNS.items()}


def can_import(user) -> bool:
    return access.manages(user)


def _received(value: str) -> dt.datetime:
    text = value.strip().replace("/", "-")
    for fmt in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d"):
        try:
            naive = dt.datetime.strptime(text, fmt)
        except ValueError:
            continue
        return naive.replace(tzinfo=ZoneInfo(settings.TIME_ZONE))
    date = validation.date_value("received_at", value)  # 民國 115/11/27
    return dt.datetime.combine(date, dt.time(9), tzinfo=ZoneInfo(settings.TIME_ZONE))


class Check:
    """Reads every row into a Case (unsaved) or problems naming the row and heading."""

    def __init__(self):
        self.problems: list[FieldProblem] = []
        self.categories = {c.code: c for c in Category.objects.filter(department__isnull=False)}
        self.departments = {d.code: d for d in Department.objects.filter(active=True)}
        self.numbers: dict[str, int] = {}

    def problem(self, row: int, field: str, message) -> None:
        self.problems.append(FieldProblem(HEADING.get(field, field), str(message), row))

    def value(self, row: int, field: str, check):
        try:
            return check()
        except ServiceError as exc:
            for p in exc.problems:
                self.problem(row, field, p.message)
        except ValueError:
            self.problem(row, field, _("is not a date and time such as 2026-11-27 14:30"))
        return None

    def case(self, row: int, data: dict) -> Case | None:
        before = len(self.problems)
        get = lambda field: (data.get(HEADING[field]) or "").strip()  # noqa: E731
        number = self.value(row, "number", lambda: validation.text("number", get("number"), 20))
        if number and number in self.numbers:
            self.problem(
                row, "number", _("repeats row %(r)d of the file") % {"r": self.numbers[number]}
            )
        elif number:
            self.numbers[number] = row
        received = self.value(row, "received_at", lambda: _received(get("received_at")))
        channel = CHANNELS.get(get("channel") or "1999")
        if channel is None:
            self.problem(row, "channel", _("is not a channel the city uses"))
        category = self.categories.get(get("category"))
        if category is None:
            self.problem(row, "category", _("is not a category in use"))
        lead = self.departments.get(get("lead"))
        if lead is None:
            self.problem(row, "lead", _("%(c)s is not a department") % {"c": get("lead")})
        due = self.value(
            row, "due_date", lambda: validation.date_value("due_date", get("due_date"))
        )
        closed = self.value(
            row, "closed_on", lambda: validation.date_value("closed_on", get("closed_on"))
        )
        day = received.astimezone(ZoneInfo(settings.TIME_ZONE)).date() if received else None
        if due and day and due < day:
            self.problem(row, "due_date", _("cannot be before the day of receipt"))
        if closed and day and closed < day:
            self.problem(row, "closed_on", _("cannot be before the day of receipt"))
        fields = {
            "subject": lambda: validation.text("subject", get("subject"), 200),
            "text": lambda: validation.text("text", get("text"), 20000),
            "name": lambda: validation.text("name", get("name"), 100, required=False),
            "phone": lambda: validation.phone("phone", get("phone")),
            "email": lambda: _email(get("email")),
            "address": lambda: validation.text("address", get("address"), 200, required=False),
        }
        values = {f: self.value(row, f, check) for f, check in fields.items()}
        if len(self.problems) > before:
            return None
        return Case(
            number=number,
            kind=Case.Kind.DISPATCH if category.dispatch else Case.Kind.PETITION,
            channel=channel,
            received_at=received,
            category=category,
            lead=lead,
            due_date=due,
            status=Case.Status.REPLIED if closed else Case.Status.ASSIGNED,
            closed_at=_closing(closed) if closed else None,
            workdays_taken=workdays.working_days_between(day, closed) if closed else None,
            updated_at=received,
            **values,
        )


def _email(value: str) -> str:
    from guankao.petitions.services import _email as check

    return check(value)


def _closing(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(17), tzinfo=ZoneInfo(settings.TIME_ZONE))


def _check(content: bytes, filename: str) -> tuple[list[Case], list[FieldProblem], int]:
    rows = read_table(
        content, filename, required=REQUIRED, columns=tuple(COLUMNS), max_rows=MAX_ROWS
    )
    check = Check()
    cases = [c for c in (check.case(n, data) for n, data in rows) if c is not None]
    taken = set(
        Case.objects.filter(number__in=list(check.numbers)).values_list("number", flat=True)
    )
    for number in sorted(taken, key=check.numbers.get):
        check.problem(check.numbers[number], "number", _("is the number of a case already filed"))
    problems = sorted(check.problems, key=lambda p: (p.row or 0, list(COLUMNS).index(p.field)))
    return cases, problems, len(rows)


def _write(actor, cases: list[Case]) -> None:
    for case in cases:
        case.created_by = actor
    saved = Case.objects.bulk_create(cases, batch_size=500)
    if any(c.pk is None for c in saved):  # backends that return no keys
        numbers = {c.number: c for c in saved}
        for pk, number in Case.objects.filter(number__in=list(numbers)).values_list("pk", "number"):
            numbers[number].pk = pk
    Assignment.objects.bulk_create(
        [
            Assignment(
                case_id=c.pk,
                department_id=c.lead_id,
                assigned_by=actor,
                assigned_at=c.received_at,
                ended_at=c.closed_at,
            )
            for c in saved
        ],
        batch_size=500,
    )
    events = []
    for c in saved:
        events.append(
            Event(
                case_id=c.pk,
                kind=Event.Kind.RECEIVED,
                at=c.received_at,
                public=True,
                department_id=c.lead_id,
                note=_("imported from the earlier system"),
            )
        )
        if c.closed_at:
            events.append(
                Event(
                    case_id=c.pk,
                    kind=Event.Kind.REPLIED,
                    at=c.closed_at,
                    public=True,
                    department_id=c.lead_id,
                )
            )
    Event.objects.bulk_create(events, batch_size=1000)
    figures.recount(*(c for c in saved if c.closed_at))


def case_import(*, actor, content: bytes, filename: str, dry_run: bool = True) -> dict:
    """Check (and unless `dry_run`, write) the export. ServiceError lists every problem by
    row and column and nothing is written; NotAllowed for anyone but the 管考 officer."""
    if not can_import(actor):
        raise NotAllowed(_("Only 管考 officers import cases."))
    cases, problems, count = _check(content, filename)
    if problems:
        raise ServiceError(*problems)
    result = {"dry_run": dry_run, "rows": count, "imported": 0, "problems": []}
    if dry_run:
        return result
    with transaction.atomic():
        _write(actor, cases)
        audit.record(
            actor=actor,
            action=AuditEntry.Action.IMPORT,
            object_type="petitions.case",
            object_repr=filename[:200],
            changes={"import": [None, {"rows": count}]},
            note=_("1999 system import"),
        )
    return result | {"imported": len(cases)}
