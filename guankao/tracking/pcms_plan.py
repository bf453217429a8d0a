"""What a checked PCMS file would do, worked out without writing (tracking/imports.py).

Each row, in month order, creates or changes its item and files its month's report, or
finds that month already reported with the same figures. The plan applies the checks the
services would make (permission, field limits, a number already taken, a released item,
a month already reported or refused), so that a dry run gives the answer the import
gives, and the import's write transaction does nothing but write.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from guankao.tracking import access
from guankao.tracking.models import Item, Kind, Report
from guankao.tracking.pcms_check import Reader, Row
from guankao.tracking.pcms_columns import LIVE, month_label, pct

ITEM_FIELDS = ("title", "contractor", "start_date", "finish_date", "contract_sum")


@dataclass
class Step:
    row: Row
    create: bool = False
    level: str = ""  # of an item created
    changes: dict = field(default_factory=dict)
    file_report: bool = False  # False: the month is already reported with these figures


class Plan:
    def __init__(self, actor, reader: Reader):
        self.actor, self.reader = actor, reader
        self.state: dict[str, dict] = {}  # tender number: the item's fields as rows leave them
        self.created: set[str] = set()
        self.updated: set[str] = set()
        self.changed_by: dict[str, tuple[int, str]] = {}  # tender: (row, what it did)
        self.counts = {"reports_filed": 0, "reports_unchanged": 0}
        self.flags: dict[str, str] = {}  # tender: what the file said that the baseline keeps
        self.steps: list[Step] = []
        self.outcomes: list[dict] = []
        self.reports: dict[tuple, list[Report]] = {}

    def make(self, rows: list[Row]) -> None:
        rows = sorted((r for r in rows if r.ok), key=lambda r: (r.period, r.number))
        self._load(rows)
        for row in rows:
            step = self._item(row)
            if step is not None and self._report(row, step):
                self.steps.append(step)

    def _load(self, rows: list[Row]) -> None:
        items = [row.item.pk for row in rows if row.item is not None]
        reports = Report.objects.filter(
            item_id__in=items, state__in=(*LIVE, Report.State.REFUSED)
        ).only("item_id", "year", "month", "state", "planned", "actual", "money_spent")
        for report in reports:
            self.reports.setdefault((report.item_id, report.year, report.month), []).append(report)
        new = {row.tender for row in rows if row.item is None}
        self.taken = set(Item.objects.filter(number__in=new).values_list("number", flat=True))

    def _item(self, row: Row) -> Step | None:
        step, state = Step(row), self.state.get(row.tender)
        if state is None and row.item is None:
            if row.tender in self.taken:
                self.reader.problem(row, "tender_number", _("is already used by another item"))
                return None
            step.create, step.level = True, self._level(row)
            state = self.state[row.tender] = {name: None for name in ITEM_FIELDS}
            state.update(row.item_data)
            self.created.add(row.tender)
            self.changed_by[row.tender] = (row.number, _("new item"))
        else:
            if state is None:
                state = self.state[row.tender] = {n: getattr(row.item, n) for n in ITEM_FIELDS}
            step.changes = {k: v for k, v in row.item_data.items() if state[k] != v}
            if row.item is not None and row.item.baseline_id:
                # An approved baseline holds the finish date: only a revision changes it.
                if step.changes.pop("finish_date", None) is not None:
                    self.flags[row.tender] = _(
                        "the finish date differs from the approved baseline's and is kept: a "
                        "revision (修正計畫) changes it"
                    )
            if step.changes and row.item is not None and not access.can_edit(self.actor, row.item):
                self.reader.problem(
                    row, "tender_number", _("you may not change this item or file its reports")
                )
                return None
            state.update(step.changes)
            if step.changes:
                self.updated.add(row.tender)
                self.changed_by[row.tender] = (row.number, _("item changed"))
        start, finish = state["start_date"], state["finish_date"]
        if start and finish and finish < start:
            self.reader.problem(row, "finish_date", _("must not be before the start date"))
            return None
        return step

    def _level(self, row: Row) -> str:
        # PCMS gives the contract sum, not the budget: the city's NT$5M rule reads it.
        amount = row.item_data.get("contract_sum")
        city = self.reader.rules.must_be_city_controlled(Kind.WORKS, amount)
        return Item.Level.CITY if city else Item.Level.SELF

    def _report(self, row: Row, step: Step) -> bool:
        """Whether the row's report can be filed or is already there; else a problem."""
        item = row.item or Item(lead=row.lead, kind=Kind.WORKS)
        if not (access.can_report(self.actor, item) or access.can_manage(self.actor)):
            message = _("you may not change this item or file its reports")
            self.reader.problem(row, "tender_number", message)
            return False
        if not item.reports_progress:
            message = _("a %(kind)s reports its handling status, not percentages")
            self.reader.problem(row, "planned", message % {"kind": item.get_kind_display()})
            return False
        if item.status == Item.Status.RELEASED:
            message = _("is released from control and takes no more reports")
            self.reader.problem(row, "tender_number", message)
            return False
        year, month = row.period
        existing = self.reports.get((item.pk, year, month), []) if item.pk else []
        live = next((r for r in existing if r.state in LIVE), None)
        if live is not None:
            if not _same(live, row.report):
                message = _(
                    "%(month)s already has a report (planned %(p)s%%, actual %(a)s%%); ask for "
                    "it to be returned before importing other figures"
                )
                figures = {
                    "month": month_label(year, month),
                    "p": pct(live.planned or 0),
                    "a": pct(live.actual or 0),
                }
                self.reader.problem(row, "period", message % figures)
                return False
            self.counts["reports_unchanged"] += 1
            self._outcome(row, _("already reported with these figures"))
            return True
        if existing:
            self.reader.problem(row, "period", _("the report for this month was refused as late"))
            return False
        step.file_report = True
        self.counts["reports_filed"] += 1
        self._outcome(row, self._filed_words(row, item, year, month))
        return True

    def _filed_words(self, row: Row, item: Item, year: int, month: int) -> str:
        """ "report filed", flagged where the file's planned figure or finish date differ
        from the approved baseline, which is kept (the import does not rewrite it)."""
        words = _("report filed")
        said = row.report.get("planned")
        planned = item.baseline.planned_for(year, month)[0] if item.baseline_id else None
        if said is not None and planned is not None and said != planned:
            words = _(
                "report filed; planned %(said)s%% differs from the approved baseline's "
                "%(planned)s%%, which is kept (flagged)"
            ) % {"said": pct(said), "planned": pct(planned)}
        if row.tender in self.flags:
            words = f"{words}; {self.flags.pop(row.tender)}"
        return words

    def _outcome(self, row: Row, what) -> None:
        number, words = self.changed_by.get(row.tender, (None, ""))
        if number == row.number:
            what = _("%(item)s; %(what)s") % {"item": words, "what": what}
        self.outcomes.append(
            {
                "row": row.number,
                "number": row.item.number if row.item else row.tender,
                "title": self.state[row.tender]["title"],
                "month": month_label(*row.period),
                "what": what,
            }
        )

    def result(self, rows: int, ignored: list[str], dry_run: bool) -> dict:
        return {
            "rows": rows,
            "items_created": len(self.created),
            "items_updated": len(self.updated - self.created),
            **self.counts,
            "ignored_columns": ignored,
            "dry_run": dry_run,
            "outcomes": sorted(self.outcomes, key=lambda o: o["row"]),
        }


def _same(report: Report, data: dict) -> bool:
    spent = data.get("money_spent")
    return (
        report.planned == data["planned"]
        and report.actual == data["actual"]
        and (spent is None or report.money_spent == spent)
    )
