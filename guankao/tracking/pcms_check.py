"""Reading and checking a PCMS export, row by row and the rows against each other and the
database, before anything is written (tracking/imports.py)."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from guankao.core import validation
from guankao.core.errors import FieldProblem, NotAllowed, ServiceError
from guankao.core.models import Department
from guankao.core.tabular import read_table
from guankao.lib import progress
from guankao.tracking import access
from guankao.tracking.models import Item, Report, Rules
from guankao.tracking.pcms_columns import (
    COLUMNS,
    IMPORTED_WORK,
    LIVE,
    SERVICE_FIELDS,
    TENDER_LENGTH,
    find_columns,
    month_label,
    parse_period,
    pct,
)
from guankao.tracking.services import ITEM_TEXT

# Each row writes an item and a report through the services, some 20 queries and about
# 10 ms: the cap keeps the write transaction to seconds, within the time another writer
# (a sign-in) waits for it (the SQLite busy timeout, lib/env.py), and the check to a
# fraction of that. A month's export of the city's works is a few hundred rows; a longer
# history goes in several files.
MAX_ROWS = 1_000


@dataclass
class Row:
    number: int
    tender: str = ""
    lead: Department | None = None
    period: tuple[int, int] | None = None
    item_data: dict = field(default_factory=dict)
    report: dict = field(default_factory=dict)
    item: Item | None = None
    ok: bool = True


class Reader:
    """Checks each row, then the rows against each other and against the database."""

    def __init__(self, actor, columns: dict[str, str], raw: list[tuple[int, dict]], now):
        self.actor, self.columns = actor, columns
        self.today = timezone.localdate(now) if now else timezone.localdate()
        self.rules = Rules.current()
        self.departments = {d.code: d for d in Department.objects.filter(active=True)}
        tenders = {values.get(columns["tender_number"], "").strip() for _n, values in raw}
        self.items: dict[str, list[Item]] = {}
        matched = Item.objects.filter(tender_number__in=tenders - {""})
        for item in matched.select_related("lead", "baseline"):
            self.items.setdefault(item.tender_number, []).append(item)
        self.problems: list[FieldProblem] = []

    def heading(self, name: str) -> str:
        return self.columns.get(name) or (COLUMNS[name][0][0] if name in COLUMNS else name)

    def problem(self, row: Row, name: str, message) -> None:
        self.problems.append(FieldProblem(self.heading(name), message, row.number))
        row.ok = False

    def check(self, row: Row, fn, *args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except ServiceError as exc:
            for p in exc.problems:
                self.problem(row, SERVICE_FIELDS.get(p.field, p.field), p.message)
            return None

    def fail(self, row: Row, exc: Exception) -> None:
        """A service's refusal, as problems of the row."""
        if isinstance(exc, NotAllowed):
            message = _("you may not change this item or file its reports")
            self.problem(row, "tender_number", message)
            return
        for p in exc.problems:
            self.problem(row, SERVICE_FIELDS.get(p.field, p.field), p.message)

    def read(self, number: int, values: dict) -> Row:
        row = Row(number)

        def cell(name: str) -> str | None:  # None: the file has no such column
            heading = self.columns.get(name)
            return values.get(heading, "").strip() if heading else None

        self._identity(row, cell)
        self._item_data(row, cell)
        self._figures(row, cell)
        return row

    def _identity(self, row: Row, cell) -> None:
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

    def _item_data(self, row: Row, cell) -> None:
        title = cell("title")
        if row.item is None and row.tender and not title:
            self.problem(row, "title", _("is required for a new item"))
        readers = {
            "title": lambda v: validation.text("title", v, ITEM_TEXT["title"][0]),
            "contractor": lambda v: validation.text("contractor", v, ITEM_TEXT["contractor"][0]),
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

    def _figures(self, row: Row, cell) -> None:
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
        # The lag the service will decide: against the approved baseline's planned figures
        # where the item has one (the file's are then only compared, and flagged).
        planned, money_planned = report["planned"], report.get("money_planned")
        if row.item is not None and row.item.baseline_id and row.period:
            planned, baseline_money = row.item.baseline.planned_for(*row.period)
            money_planned = baseline_money if baseline_money is not None else money_planned
        lag = progress.classify_lag(
            planned,
            report["actual"],
            money_planned,
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

    def check_rows(self, rows: list[Row]) -> None:
        seen: dict[tuple, int] = {}
        leads: dict[str, Row] = {}
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

    def _backwards(self, rows: list[Row]) -> None:
        """Actual progress is cumulative: no month below an earlier one, in the file or
        already reported, nor above a later month already reported."""
        history = self._history()
        groups: dict[str, list[Row]] = {}
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

    def _against(self, row: Row, actual: Decimal, best, reported) -> None:
        earlier = [(a, p) for p, a in reported if p < row.period]
        later = [(a, p) for p, a in reported if p > row.period]
        db_best = max(earlier, default=None, key=lambda e: e[0])
        if best is not None and actual < best[0] and (db_best is None or best[0] >= db_best[0]):
            message = _(
                "is below the %(pct)s%% on row %(row)d, an earlier month: actual progress is "
                "cumulative"
            )
            self.problem(row, "actual", message % {"pct": pct(best[0]), "row": best[1]})
        elif db_best is not None and actual < db_best[0]:
            message = _(
                "is below the %(pct)s%% already reported for %(month)s: actual progress is "
                "cumulative"
            )
            self.problem(
                row,
                "actual",
                message % {"pct": pct(db_best[0]), "month": month_label(*db_best[1])},
            )
        db_low = min(later, default=None, key=lambda e: e[0])
        if db_low is not None and actual > db_low[0]:
            message = _(
                "is above the %(pct)s%% already reported for the later month %(month)s: actual "
                "progress is cumulative"
            )
            self.problem(
                row, "actual", message % {"pct": pct(db_low[0]), "month": month_label(*db_low[1])}
            )


def _higher(a, b):
    return max((x for x in (a, b) if x is not None), default=None, key=lambda x: x[0])


def read(actor, content: bytes, filename: str, now) -> tuple[Reader, list[Row], list[str]]:
    """The checked rows of the file, the reader with every problem found, and the headings
    not read. Nothing is written; the file is at most MAX_ROWS rows."""
    raw = read_table(content, filename, required=(), max_rows=MAX_ROWS)
    if not raw:
        raise ServiceError.field("file", _("has no rows under its heading row"), 1)
    columns, ignored, problems = find_columns(list(raw[0][1]))
    if problems:
        raise ServiceError(*problems)  # the rows cannot be read without their columns
    reader = Reader(actor, columns, raw, now)
    rows = [reader.read(number, values) for number, values in raw]
    reader.check_rows(rows)
    return reader, rows, ignored
