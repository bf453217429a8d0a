"""Import of public works and their monthly figures from a PCMS export (CSV or ODS).

PCMS (工程會 標案管理系統) is where every public works tender is reported; its export has
one row per tender and month. A row here creates the item when its tender number is new
(a public work, its control level by the city's rule) or updates the item's fields, and
files that month's progress report as the importing user, through the same services as
the forms (permission, field checks, audit). A month already reported with the same
figures is left as it is; with other figures it is a problem (a correction is a new
revision, asked for by returning the report), never an overwrite.

The whole file is checked before anything is kept: every problem names its row and
column, and any problem rolls the whole import back. A dry run does the import and rolls
it back, so its answer is the one the real import would give (as plans/kpi_table.py does).
Columns the import does not read are listed in the answer, not refused: a PCMS export
carries many (機關名稱, 標案狀態 …) that have no place here.
"""

import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from guankao.core import attachments, audit, validation
from guankao.core.errors import FieldProblem, NotAllowed, ServiceError
from guankao.core.models import AuditEntry, Department, Role
from guankao.core.tabular import read_table
from guankao.lib import progress, roc
from guankao.lib.roc import DateFormatError, parse_date
from guankao.tracking import access, reporting, services
from guankao.tracking.models import Item, Kind, Report, Rules

# field: (the headings accepted for it, what it holds). The first heading is the PCMS
# export's own, and the one a problem names when the column is missing. Headings match
# whatever their case, spacing, full-width forms and a unit in brackets ("預定進度(%)").
COLUMNS = {
    "tender_number": (
        ("標案案號", "tender number"),
        gettext_lazy("Tender number; a new one creates a public work with it as its number"),
    ),
    "title": (("標案名稱", "title"), gettext_lazy("Title; required for a new item")),
    "lead": (
        ("主辦機關代碼", "lead department code", "lead department", "lead"),
        gettext_lazy("Lead department's code, such as PW"),
    ),
    "period": (
        ("資料年月", "進度年月", "year month", "month", "period"),
        gettext_lazy("Month of the figures: 115/10, 11510 or 2026-10"),
    ),
    "planned": (
        ("預定進度", "planned progress", "planned"),
        gettext_lazy("Planned progress to date, percent 0–100"),
    ),
    "actual": (
        ("實際進度", "actual progress", "actual"),
        gettext_lazy("Actual progress to date, percent 0–100; never below an earlier month"),
    ),
    "finish_date": (
        ("預定完工日", "預定完工日期", "planned finish", "finish date"),
        gettext_lazy("Planned finish date: 115/12/31 or 2026-12-31"),
    ),
    "start_date": (("開工日", "開工日期", "實際開工日", "start date"), gettext_lazy("Start date")),
    "contract_sum": (
        ("決標金額", "契約金額", "contract sum"),
        gettext_lazy("Contract sum, whole NT$"),
    ),
    "money_planned": (
        ("預定累計估驗計價金額", "money planned"),
        gettext_lazy("Planned spending to date, whole NT$"),
    ),
    "money_spent": (
        ("累計估驗計價金額", "money spent"),
        gettext_lazy("Money spent to date (valuations paid), whole NT$"),
    ),
    "contractor": (("得標廠商", "contractor"), gettext_lazy("Contractor")),
    "work_done": (("執行情形", "work done"), gettext_lazy("What was done this month")),
    "lag_reason": (
        ("落後原因", "lag reason"),
        gettext_lazy("Lag reason; required when actual is behind planned"),
    ),
}
REQUIRED = ("tender_number", "title", "lead", "period", "planned", "actual")
IMPORTED_WORK = "依標案管理系統（PCMS）資料匯入"
LIVE = (Report.State.SUBMITTED, Report.State.APPROVED)
TENDER_LENGTH = Item._meta.get_field("tender_number").max_length
# What a service calls a field, as the column of this file (the others are the same).
SERVICE_FIELDS = {
    "number": "tender_number",
    "item": "tender_number",
    "level": "lead",
    "year": "period",
    "month": "period",
}

_UNIT = re.compile(r"\((?:%|元|新臺幣元|新台幣元|nt\$|ntd)\)$")
_SPACES = re.compile(r"[\s_\-]+")
_PERIOD = re.compile(r"(?:民國)?([0-9]{2,4})\s*(?:[/\-.]|年)\s*([0-9]{1,2})\s*月?")


def _key(heading: str) -> str:
    text = _SPACES.sub("", unicodedata.normalize("NFKC", heading).casefold())
    return _UNIT.sub("", text).rstrip("%")


ALIASES = {_key(h): name for name, (headings, _d) in COLUMNS.items() for h in headings}


def can_import(user) -> bool:
    """管考 officers (every department's rows), liaisons and heads (their own department's)."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    return access.is_officer(user) or (
        user.department_id is not None and user.has_role(Role.LIAISON, Role.HEAD)
    )


def column_help() -> list[dict]:
    return [
        {"heading": h[0], "aliases": h[1:], "required": n in REQUIRED, "description": d}
        for n, (h, d) in COLUMNS.items()
    ]


def month_label(year: int, month: int) -> str:
    return f"{year - 1911}/{month:02d}"


def _pct(value: Decimal) -> str:
    return f"{value.normalize():f}"


def parse_period(value: str) -> tuple[int, int]:
    """(year, month) from 115/10, 115年10月, 11510, 2026-10, 202610 or a whole date."""
    text = unicodedata.normalize("NFKC", value or "").strip()
    if not text:
        raise ServiceError.field("period", _("is required"))
    match = _PERIOD.fullmatch(text)
    if match:
        year_raw, month_raw = match.groups()
    elif text.isascii() and text.isdigit() and len(text) in (4, 5, 6):
        year_raw, month_raw = text[:-2], text[-2:]
    else:
        try:
            day = parse_date(text)
        except DateFormatError:
            message = _("%(v)s is not a year and month; write 115/10, 11510 or 2026-10")
            raise ServiceError.field("period", message % {"v": value}) from None
        return day.year, day.month
    year = int(year_raw) if len(year_raw) == 4 else int(year_raw) + 1911
    month = int(month_raw)
    if not 1 <= month <= 12 or not roc.is_year(year):
        message = _("%(v)s is not a year and month; write 115/10, 11510 or 2026-10")
        raise ServiceError.field("period", message % {"v": value})
    return year, month


# Reading and checking ---------------------------------------------------------------------


def _columns(header: list[str]) -> tuple[dict[str, str], list[str], list[FieldProblem]]:
    """({field: the file's heading}, headings not read, problems with the heading row)."""
    found, ignored, problems = {}, [], []
    for heading in header:
        name = ALIASES.get(_key(heading))
        if name is None:
            ignored.append(heading)
        elif name in found:
            message = _("is the same column as %(other)s") % {"other": found[name]}
            problems.append(FieldProblem(heading, message, 1))
        else:
            found[name] = heading
    for name in REQUIRED:
        if name not in found:
            accepted = " / ".join(COLUMNS[name][0])
            message = _("this column is required but missing (%(h)s)") % {"h": accepted}
            problems.append(FieldProblem(COLUMNS[name][0][0], message, 1))
    return found, ignored, problems


@dataclass
class _Row:
    number: int
    tender: str = ""
    lead: Department | None = None
    period: tuple[int, int] | None = None
    item_data: dict = field(default_factory=dict)
    report: dict = field(default_factory=dict)
    item: Item | None = None
    ok: bool = True


class _Reader:
    """Checks each row, then the rows against each other and against the database."""

    def __init__(self, actor, columns: dict[str, str], raw: list[tuple[int, dict]], now):
        self.actor, self.columns = actor, columns
        self.today = timezone.localdate(now) if now else timezone.localdate()
        self.rules = Rules.current()
        self.departments = {d.code: d for d in Department.objects.filter(active=True)}
        tenders = {values.get(columns["tender_number"], "").strip() for _n, values in raw}
        self.items: dict[str, list[Item]] = {}
        for item in Item.objects.filter(tender_number__in=tenders - {""}).select_related("lead"):
            self.items.setdefault(item.tender_number, []).append(item)
        self.problems: list[FieldProblem] = []

    def heading(self, name: str) -> str:
        return self.columns.get(name) or (COLUMNS[name][0][0] if name in COLUMNS else name)

    def problem(self, row: _Row, name: str, message) -> None:
        self.problems.append(FieldProblem(self.heading(name), message, row.number))
        row.ok = False

    def check(self, row: _Row, fn, *args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except ServiceError as exc:
            for p in exc.problems:
                self.problem(row, SERVICE_FIELDS.get(p.field, p.field), p.message)
            return None

    def read(self, number: int, values: dict) -> _Row:
        row = _Row(number)

        def cell(name: str) -> str | None:  # None: the file has no such column
            heading = self.columns.get(name)
            return values.get(heading, "").strip() if heading else None

        self._identity(row, cell)
        self._item_data(row, cell)
        self._figures(row, cell)
        return row

    def _identity(self, row: _Row, cell) -> None:
        row.tender = cell("tender_number")
        if not row.tender:
            self.problem(row, "tender_number", _("is required"))
        elif len(row.tender) > TENDER_LENGTH:
            message = _("is too long (at most %(n)d characters)")
            self.problem(row, "tender_number", message % {"n": TENDER_LENGTH})
        code = cell("lead")
        row.lead = self.departments.get(code)
        if not code:
            self.problem(row, "lead", _("is required"))
        elif row.lead is None:
            self.problem(row, "lead", _("no active department has the code %(c)s") % {"c": code})
        elif not access.can_create(self.actor, row.lead):
            message = _(
                "is another department's row: you may import only your own department's (%(d)s)"
            )
            self.problem(row, "lead", message % {"d": self.actor.department.code})
        row.period = self.check(row, parse_period, cell("period"))
        if row.period and row.period > (self.today.year, self.today.month):
            self.problem(row, "period", _("must not be a month that has not begun"))
        matches = self.items.get(row.tender, [])
        if len(matches) > 1:
            numbers = "、".join(sorted(i.number for i in matches))
            message = _("several items have this tender number (%(n)s); correct them first")
            self.problem(row, "tender_number", message % {"n": numbers})
        elif matches:
            row.item = matches[0]
            if row.lead is not None and row.item.lead_id != row.lead.pk:
                message = _("the item with this tender number is led by another department")
                if access.can_read(self.actor, row.item):
                    message = _(
                        "the item %(n)s is led by %(c)s; change the lead on the item's page"
                    )
                    message = message % {"n": row.item.number, "c": row.item.lead.code}
                self.problem(row, "lead", message)

    def _item_data(self, row: _Row, cell) -> None:
        title = cell("title")
        if row.item is None and row.tender and not title:
            self.problem(row, "title", _("is required for a new item"))
        readers = {
            "title": lambda v: v,
            "contractor": lambda v: v,
            "start_date": lambda v: validation.date_value("start_date", v),
            "finish_date": lambda v: validation.date_value("finish_date", v),
            "contract_sum": lambda v: validation.money("contract_sum", v),
        }
        for name, reader in readers.items():
            value = cell(name)
            if value:  # a blank cell or a missing column leaves the item's field as it is
                value = self.check(row, reader, value)
                if value is not None:
                    row.item_data[name] = value

    def _figures(self, row: _Row, cell) -> None:
        report = row.report
        report["planned"] = self.check(
            row, validation.percent, "planned", cell("planned"), required=True
        )
        report["actual"] = self.check(
            row, validation.percent, "actual", cell("actual"), required=True
        )
        for name in ("money_planned", "money_spent"):
            value = self.check(row, validation.money, name, cell(name))
            if value is not None:
                report[name] = value
        report["work_done"] = cell("work_done") or IMPORTED_WORK
        if cell("lag_reason"):
            report["lag_reason"] = cell("lag_reason")
        if report["planned"] is None or report["actual"] is None:
            return
        lag = progress.classify_lag(
            report["planned"],
            report["actual"],
            report.get("money_planned"),
            report.get("money_spent"),
            serious_gap=self.rules.serious_gap,
            money_share=self.rules.money_share,
        )
        if lag.needs_lag_reason and not report.get("lag_reason"):
            self.problem(
                row,
                "lag_reason",
                _("is required when actual progress is behind planned (落後原因)"),
            )

    # Across rows -------------------------------------------------------------------------

    def check_rows(self, rows: list[_Row]) -> None:
        seen: dict[tuple, int] = {}
        leads: dict[str, _Row] = {}
        for row in rows:
            first = leads.setdefault(row.tender, row) if row.tender and row.lead else row
            if first.lead != row.lead:
                message = _("row %(r)d gives this tender number to %(c)s") % {
                    "r": first.number,
                    "c": first.lead.code,
                }
                self.problem(row, "lead", message)
            if not row.tender or row.period is None:
                continue
            earlier = seen.setdefault((row.tender, row.period), row.number)
            if earlier != row.number:
                message = _("the same item and month are on row %(r)d") % {"r": earlier}
                self.problem(row, "period", message)
        self._backwards(rows)

    def _history(self) -> dict[str, list[tuple[tuple[int, int], Decimal]]]:
        """The actual progress already reported, per tender number of one matched item."""
        items = {matches[0].pk: t for t, matches in self.items.items() if len(matches) == 1}
        reports = Report.objects.filter(
            item_id__in=list(items), state__in=LIVE, actual__isnull=False
        )
        history: dict[str, list] = {}
        for item_id, year, month, actual in reports.values_list(
            "item_id", "year", "month", "actual"
        ):
            history.setdefault(items[item_id], []).append(((year, month), actual))
        return history

    def _backwards(self, rows: list[_Row]) -> None:
        """Actual progress is cumulative: no month below an earlier one, in the file or
        already reported, nor above a later month already reported."""
        history = self._history()
        groups: dict[str, list[_Row]] = {}
        for row in rows:
            if row.tender and row.period and row.report.get("actual") is not None:
                groups.setdefault(row.tender, []).append(row)
        for tender, group in groups.items():
            group.sort(key=lambda r: (r.period, r.number))
            reported = history.get(tender, [])
            best = month_best = current = None  # (actual, row) of earlier months / this month
            for row in group:
                if row.period != current:
                    best, month_best, current = _higher(best, month_best), None, row.period
                self._against(row, row.report["actual"], best, reported)
                month_best = _higher(month_best, (row.report["actual"], row.number))

    def _against(self, row: _Row, actual: Decimal, best, reported) -> None:
        earlier = [(a, p) for p, a in reported if p < row.period]
        later = [(a, p) for p, a in reported if p > row.period]
        db_best = max(earlier, default=None, key=lambda e: e[0])
        if best is not None and actual < best[0] and (db_best is None or best[0] >= db_best[0]):
            message = _(
                "is below the %(pct)s%% on row %(row)d, an earlier month: actual progress is "
                "cumulative"
            )
            self.problem(row, "actual", message % {"pct": _pct(best[0]), "row": best[1]})
        elif db_best is not None and actual < db_best[0]:
            message = _(
                "is below the %(pct)s%% already reported for %(month)s: actual progress is "
                "cumulative"
            )
            self.problem(
                row,
                "actual",
                message % {"pct": _pct(db_best[0]), "month": month_label(*db_best[1])},
            )
        db_low = min(later, default=None, key=lambda e: e[0])
        if db_low is not None and actual > db_low[0]:
            message = _(
                "is above the %(pct)s%% already reported for the later month %(month)s: actual "
                "progress is cumulative"
            )
            self.problem(
                row, "actual", message % {"pct": _pct(db_low[0]), "month": month_label(*db_low[1])}
            )


def _higher(a, b):
    return max((x for x in (a, b) if x is not None), default=None, key=lambda x: x[0])


# Writing ----------------------------------------------------------------------------------


class _Writer:
    def __init__(self, actor, reader: _Reader, now):
        self.actor, self.reader, self.now = actor, reader, now
        self.items: dict[str, Item] = {}
        self.created: set[int] = set()
        self.updated: set[int] = set()
        self.counts = {"reports_filed": 0, "reports_unchanged": 0}
        self.outcomes: list[dict] = []
        self.changed_by: dict[int, int] = {}  # item: the row that created or changed it last
        self.change_words: dict[int, str] = {}

    def write(self, rows: list[_Row]) -> None:
        for row in sorted(rows, key=lambda r: (r.period, r.number)):
            item = self._item(row)
            if item is not None:
                self._report(row, item)

    def _fail(self, row: _Row, exc: Exception) -> None:
        if isinstance(exc, NotAllowed):
            self.reader.problem(
                row, "tender_number", _("you may not change this item or file its reports")
            )
            return
        for p in exc.problems:
            self.reader.problem(row, SERVICE_FIELDS.get(p.field, p.field), p.message)

    def _item(self, row: _Row) -> Item | None:
        item = self.items.get(row.tender) or row.item
        try:
            if item is None:
                item = services.item_create(
                    actor=self.actor,
                    kind=Kind.WORKS,
                    number=row.tender,
                    lead=row.lead,
                    tender_number=row.tender,
                    level=self._level(row),
                    **row.item_data,
                )
                self.created.add(item.pk)
                self._changed(item, row, _("new item"))
            else:
                changes = {k: v for k, v in row.item_data.items() if getattr(item, k) != v}
                if changes:
                    item = services.item_update(actor=self.actor, item=item, **changes)
                    self.updated.add(item.pk)
                    self._changed(item, row, _("item changed"))
        except (ServiceError, NotAllowed) as exc:
            self._fail(row, exc)
            return None
        self.items[row.tender] = item
        return item

    def _changed(self, item: Item, row: _Row, words) -> None:
        self.changed_by[item.pk], self.change_words[item.pk] = row.number, words

    def _level(self, row: _Row) -> str:
        # PCMS gives the contract sum, not the budget: the city's NT$5M rule reads it.
        rules = self.reader.rules
        amount = row.item_data.get("contract_sum")
        city = rules.must_be_city_controlled(Kind.WORKS, amount)
        return Item.Level.CITY if city else Item.Level.SELF

    def _report(self, row: _Row, item: Item) -> None:
        year, month = row.period
        data = {k: v for k, v in row.report.items() if v is not None}
        live = Report.objects.filter(item=item, year=year, month=month, state__in=LIVE).first()
        if live is not None:
            if _same(live, data):
                self.counts["reports_unchanged"] += 1
                self._outcome(row, item, _("already reported with these figures"))
            else:
                message = _(
                    "%(month)s already has a report (planned %(p)s%%, actual %(a)s%%); ask for "
                    "it to be returned before importing other figures"
                )
                figures = {
                    "month": month_label(year, month),
                    "p": _pct(live.planned or 0),
                    "a": _pct(live.actual or 0),
                }
                self.reader.problem(row, "period", message % figures)
            return
        try:
            reporting.report_file(
                imported=True,
                actor=self.actor,
                item=item,
                year=year,
                month=month,
                now=self.now,
                **data,
            )
        except (ServiceError, NotAllowed) as exc:
            self._fail(row, exc)
            return
        self.counts["reports_filed"] += 1
        self._outcome(row, item, _("report filed"))

    def _outcome(self, row: _Row, item: Item, what) -> None:
        if self.changed_by.get(item.pk) == row.number:
            what = _("%(item)s; %(what)s") % {"item": self.change_words[item.pk], "what": what}
        self.outcomes.append(
            {
                "row": row.number,
                "number": item.number,
                "title": item.title,
                "month": month_label(*row.period),
                "what": what,
            }
        )


def _same(report: Report, data: dict) -> bool:
    spent = data.get("money_spent")
    return (
        report.planned == data["planned"]
        and report.actual == data["actual"]
        and (spent is None or report.money_spent == spent)
    )


# The import -------------------------------------------------------------------------------


def _read(actor, content: bytes, filename: str, now) -> tuple[_Reader, list[_Row], list[str]]:
    raw = read_table(content, filename, required=())
    if not raw:
        raise ServiceError.field("file", _("has no rows under its heading row"), 1)
    columns, ignored, problems = _columns(list(raw[0][1]))
    if problems:
        raise ServiceError(*problems)  # the rows cannot be read without their columns
    reader = _Reader(actor, columns, raw, now)
    rows = [reader.read(number, values) for number, values in raw]
    reader.check_rows(rows)
    return reader, rows, ignored


def _sorted(problems: list[FieldProblem], columns: dict[str, str]) -> list[FieldProblem]:
    order = {heading: n for n, heading in enumerate(columns.values())}
    return sorted(problems, key=lambda p: (p.row or 0, order.get(p.field, len(order))))


@transaction.atomic
def pcms_import(*, actor, content: bytes, filename: str, dry_run: bool = False, now=None) -> dict:
    """Import a PCMS export; returns counts and what each row did. ServiceError lists every
    problem (row and column) and nothing is written; NotAllowed for someone who may not
    import at all. A dry run does everything, then rolls it back."""
    if not can_import(actor):
        raise NotAllowed(_("Only 管考 officers and departments' liaisons and heads import."))
    reader, rows, ignored = _read(actor, content, filename, now)
    writer = _Writer(actor, reader, now)
    writer.write([row for row in rows if row.ok])
    if reader.problems:
        raise ServiceError(*_sorted(reader.problems, reader.columns))
    result = {
        "rows": len(rows),
        "items_created": len(writer.created),
        "items_updated": len(writer.updated - writer.created),
        **writer.counts,
        "ignored_columns": ignored,
        "dry_run": dry_run,
    }
    if dry_run:
        transaction.set_rollback(True)
        return {**result, "outcomes": sorted(writer.outcomes, key=lambda o: o["row"])}
    _record_import(actor, content, filename, result)
    return {**result, "outcomes": sorted(writer.outcomes, key=lambda o: o["row"])}


def _record_import(actor, content: bytes, filename: str, result: dict) -> None:
    """The audit entry of the import, with the file itself attached to it as evidence."""
    department = None if access.is_officer(actor) else actor.department
    entry = audit.record(
        actor=actor,
        action=AuditEntry.Action.IMPORT,
        object_type="tracking.item",
        object_repr=filename[:200],
        changes={"import": [None, result]},
        department=department,
        note=_("PCMS import"),
    )
    if actor.department_id is None:
        return
    upload = ContentFile(content, name=attachments.clean_name(filename) or "pcms.csv")
    try:
        attachments.attachment_create(
            actor=actor,
            file=upload,
            department=actor.department,
            owner_type="core.auditentry",
            owner_id=entry.pk,
        )
    except ServiceError as exc:
        raise ServiceError(*[FieldProblem("file", p.message) for p in exc.problems]) from None
