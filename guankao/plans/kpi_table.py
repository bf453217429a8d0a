"""A plan's KPI table as a spreadsheet (ODS or CSV), out and back in.

The layout is the plan documents' own table (參、二、關鍵績效指標): one row per KPI under
its strategic goal, then the year's target as written, one column per year (108年,
109年 …). The columns after the years hold what the table on paper leaves implicit,
so that a file exported here comes back unchanged: direction, accumulation, reporting
frequency, expected path and computing metric. They take the Chinese labels that the
export writes or the English codes (higher, sum, monthly …).

An import is checked whole before anything is written, and every problem names its
row and column. Goals are matched by number; KPIs within a goal by number, or by name
when they have none. Matched goals and KPIs are updated, the others created, all
through the plan services (permission and audit). Nothing is deleted: a goal or KPI
missing from the file stays, and a blank target cell leaves that year's target as it
is. Rows whose goal cells are blank continue the goal above, as in the plan documents'
merged cells.
"""

import copy
import re
import unicodedata
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from guankao.core import audit, validation
from guankao.core.errors import FieldProblem, NotAllowed, ServiceError
from guankao.core.models import AuditEntry
from guankao.core.tabular import ODS_MIME, read_table, write_csv, write_ods
from guankao.lib.roc import parse_year, roc_year
from guankao.lib.targets import TargetError, parse_target
from guankao.plans import access, registry, selectors, services
from guankao.plans.models import KPI, Accumulation, Direction, Frequency, Goal, Path, Plan

SHEET = "關鍵績效指標"
GOAL_NUMBER, GOAL_TITLE = "目標編號", "關鍵策略目標"
KPI_NUMBER, KPI_NAME, MEASURE, UNIT = "指標編號", "關鍵績效指標", "衡量標準", "單位"
DIRECTION, ACCUMULATION, FREQUENCY, PATH, METRIC = (
    "方向",
    "累計方式",
    "頻率",
    "預期路徑",
    "計算指標",
)
REQUIRED = (GOAL_NUMBER, GOAL_TITLE, KPI_NAME, MEASURE)
LEADING = [GOAL_NUMBER, GOAL_TITLE, KPI_NUMBER, KPI_NAME, MEASURE, UNIT]
TRAILING = [DIRECTION, ACCUMULATION, FREQUENCY, PATH, METRIC]

# column: (KPI field, {code: the label exports write}, {other accepted spellings: code})
CHOICES = {
    DIRECTION: (
        "direction",
        {Direction.HIGHER: "愈高愈好", Direction.LOWER: "愈低愈好", Direction.RANGE: "區間"},
        {"越高越好": Direction.HIGHER, "越低越好": Direction.LOWER, "範圍": Direction.RANGE},
    ),
    ACCUMULATION: (
        "accumulation",
        {Accumulation.SUM: "加總", Accumulation.LAST: "最新值", Accumulation.RATIO: "比率"},
        {"累計": Accumulation.SUM, "累加": Accumulation.SUM, "比例": Accumulation.RATIO},
    ),
    FREQUENCY: (
        "frequency",
        {Frequency.MONTHLY: "每月", Frequency.QUARTERLY: "每季", Frequency.YEARLY: "每年"},
        {"月": Frequency.MONTHLY, "季": Frequency.QUARTERLY, "年": Frequency.YEARLY},
    ),
    PATH: (
        "path",
        {Path.FLAT: "持平", Path.LINEAR: "線性", Path.STEPPED: "按季"},
        {"逐季": Path.STEPPED},
    ),
}
KPI_COLUMNS = {KPI_NUMBER: "number", KPI_NAME: "name", MEASURE: "measure", UNIT: "unit"}
KPI_COLUMN_OF = {
    **{f: c for c, f in KPI_COLUMNS.items()},
    **{spec[0]: c for c, spec in CHOICES.items()},
    "metric_key": METRIC,
}
GOAL_COLUMN_OF = {"number": GOAL_NUMBER, "title": GOAL_TITLE}
# A plan has some dozens of KPIs; each row writes a KPI and its targets through the
# services, so the cap keeps an import's write transaction to seconds.
MAX_ROWS = 1_000
TARGET_LENGTH = 100
_YEAR_HEADING = re.compile(r"(?:民國)?\s*([0-9]{2,4})\s*年?(?:度)?")


# Export ------------------------------------------------------------------------------------


def year_heading(year: int) -> str:
    return f"{roc_year(year)}年"


def kpi_table_rows(plan: Plan) -> tuple[list[str], list[list[str]]]:
    """The header and one row per KPI, goals and KPIs in their order (three queries)."""
    years = range(plan.first_year, plan.last_year + 1)
    header = [*LEADING, *(year_heading(y) for y in years), *TRAILING]
    rows = []
    for goal in plan.goals.prefetch_related("kpis__targets").order_by("order", "pk"):
        for kpi in sorted(goal.kpis.all(), key=lambda k: (k.order, k.pk)):
            targets = {t.year: t.text for t in kpi.targets.all()}
            rows.append(
                [
                    goal.number,
                    goal.title,
                    kpi.number,
                    kpi.name,
                    kpi.measure,
                    kpi.unit,
                    *(targets.get(y, "") for y in years),
                    *(CHOICES[c][1][getattr(kpi, CHOICES[c][0])] for c in CHOICES),
                    kpi.metric_key,
                ]
            )
    return header, rows


def kpi_table_export(*, user, plan_id: int, fmt: str) -> tuple[bytes, str, str]:
    """(content, filename, content type) of the plan's KPI table; NotFound out of scope."""
    plan = selectors.plan_get(user=user, pk=plan_id)
    header, rows = kpi_table_rows(plan)
    name = f"plan-{plan.pk}-kpi-table"
    if fmt == "ods":
        return write_ods({SHEET: (header, rows)}), f"{name}.ods", ODS_MIME
    if fmt == "csv":
        return write_csv(header, rows), f"{name}.csv", "text/csv; charset=utf-8"
    raise ServiceError.field("format", _("must be csv or ods"))


# Import: reading and checking -------------------------------------------------------------


@dataclass
class _Row:
    number: int
    goal_number: str
    goal_title: str
    data: dict  # KPI fields the file sets
    targets: dict[int, str] = field(default_factory=dict)
    goal: Goal | None = None  # the plan's goal, when it has one with this number
    kpi: KPI | None = None  # the plan's KPI this row updates, if any


def _year_of(heading: str) -> int | None:
    match = _YEAR_HEADING.fullmatch(unicodedata.normalize("NFKC", heading).strip())
    if not match:
        return None
    digits = match[1]
    return parse_year(digits)


def _check_header(header: list[str], plan: Plan) -> tuple[dict[str, int], list[FieldProblem]]:
    """({year column: year}, problems with the heading row)."""
    problems = [
        FieldProblem(c, _("this column is required but missing"), 1)
        for c in REQUIRED
        if c not in header
    ]
    years, known = {}, set(LEADING) | set(TRAILING)
    span = f"{year_heading(plan.first_year)}–{year_heading(plan.last_year)}"
    for heading in header:
        if heading in known:
            continue
        year = _year_of(heading)
        if year is None:
            message = _("unknown column; the columns are %(cols)s, then one per year (%(span)s)")
            cols = "、".join([*LEADING, *TRAILING])
            problems.append(FieldProblem(heading, message % {"cols": cols, "span": span}, 1))
        elif not plan.covers(year):
            message = _("year %(y)d is outside the plan's years (%(span)s)")
            problems.append(FieldProblem(heading, message % {"y": roc_year(year), "span": span}, 1))
        elif year in years.values():
            problems.append(FieldProblem(heading, _("a second column for the same year"), 1))
        else:
            years[heading] = year
    return years, problems


def _text(values: dict, column: str, number: int, limit: int, required=False):
    value = values.get(column, "").strip()
    if required and not value:
        raise ServiceError.field(column, _("is required"), number)
    if len(value) > limit:
        message = _("is too long (at most %(n)d characters)") % {"n": limit}
        raise ServiceError.field(column, message, number)
    return value


def _choice(column: str, value: str, number: int) -> str:
    _name, labels, aliases = CHOICES[column]
    code = value.strip()
    by_label = {label: c for c, label in labels.items()} | aliases
    code = by_label.get(code, code.lower())
    if code not in labels:
        accepted = "、".join(f"{label} ({c})" for c, label in labels.items())
        message = _("'%(v)s' is not one of: %(ok)s") % {"v": value, "ok": accepted}
        raise ServiceError.field(column, message, number)
    return code


def _kpi_data(values: dict, number: int) -> dict:
    """The KPI fields a row sets: only the columns present (a column left out changes nothing),
    and a blank choice leaves the KPI's (or the default) value. Raises every problem of the row."""
    data, problems = {}, []
    for column, name in KPI_COLUMNS.items():
        if column in values:
            limit = KPI._meta.get_field(name).max_length
            required = column in REQUIRED
            data[name] = _collect(_text, problems, values, column, number, limit, required)
    for column, (name, _labels, _aliases) in CHOICES.items():
        if values.get(column, "").strip():
            data[name] = _collect(_choice, problems, column, values[column], number)
    if METRIC in values:
        key = values[METRIC].strip()
        if key and registry.get(key) is None:
            message = _("no metric is registered under %(k)s") % {"k": key}
            problems.append(FieldProblem(METRIC, message, number))
        data["metric_key"] = key
    if problems:
        raise ServiceError(*problems)
    return data


def _collect(fn, problems: list, *args):
    try:
        return fn(*args)
    except ServiceError as exc:
        problems.extend(exc.problems)
        return None


class _Reader:
    """Checks the rows against each other and against the plan as it is."""

    def __init__(self, plan: Plan, years: dict[str, int]):
        self.years = years
        self.goals = {}
        for goal in plan.goals.prefetch_related("kpis__targets").order_by("order", "pk"):
            self.goals.setdefault(goal.number, goal)
        self.titles: dict[str, str] = {}  # goal number -> title, as the file gives them
        self.seen: dict[tuple, int] = {}  # (goal, "#number" or "=name") -> row
        self.matched: dict[int, int] = {}  # KPI pk -> row
        self.previous_goal = ""
        self.problems: list[FieldProblem] = []

    def read(self, number: int, values: dict) -> _Row | None:
        goal_number, goal_title = self._goal(number, values)
        data = _collect(_kpi_data, self.problems, values, number)
        row = _Row(number, goal_number or "", goal_title, data or {})
        ok = goal_number is not None and data is not None
        if ok:
            row.goal = self.goals.get(goal_number)
            self._match(row)
        self._targets(row, values)  # checked in any case, so every problem is reported
        return row if ok else None

    def _goal(self, number: int, values: dict) -> tuple[str | None, str]:
        limits = {f: Goal._meta.get_field(f).max_length for f in ("number", "title")}
        goal_number = _collect(_text, self.problems, values, GOAL_NUMBER, number, limits["number"])
        title = _collect(_text, self.problems, values, GOAL_TITLE, number, limits["title"])
        if goal_number is None or title is None:
            return None, ""
        if not goal_number:
            if title or not self.previous_goal:
                self.problems.append(FieldProblem(GOAL_NUMBER, _("is required"), number))
                return None, ""
            goal_number = self.previous_goal  # a merged cell: the goal of the row above
        self.previous_goal = goal_number
        known = self.titles.get(goal_number)
        if known is None:
            plan_goal = self.goals.get(goal_number)
            if not title and plan_goal is None:
                self.problems.append(FieldProblem(GOAL_TITLE, _("is required"), number))
                return None, ""
            self.titles[goal_number] = known = title or plan_goal.title
        elif title and title != known:
            message = _("goal %(n)s is titled “%(t)s” on an earlier row")
            self.problems.append(
                FieldProblem(GOAL_TITLE, message % {"n": goal_number, "t": known}, number)
            )
        return goal_number, known

    def _match(self, row: _Row) -> None:
        number, name = row.data.get("number", ""), row.data.get("name", "")
        for key, column in (("#" + number, KPI_NUMBER), ("=" + name.casefold(), KPI_NAME)):
            if key in ("#", "="):
                continue
            earlier = self.seen.setdefault((row.goal_number, key), row.number)
            if earlier != row.number:
                message = _("goal %(g)s already has this KPI on row %(r)d")
                self.problems.append(
                    FieldProblem(column, message % {"g": row.goal_number, "r": earlier}, row.number)
                )
        if row.goal is None:
            return
        kpis = list(row.goal.kpis.all())
        found = next((k for k in kpis if number and k.number == number), None)
        if found is None:
            found = next(
                (k for k in kpis if k.name.casefold() == name.casefold() and not k.number), None
            )
            if found is None and not number:
                found = next((k for k in kpis if k.name.casefold() == name.casefold()), None)
        if found is not None:
            earlier = self.matched.setdefault(found.pk, row.number)
            if earlier != row.number:
                message = _("this row and row %(r)d are the same KPI of the plan")
                self.problems.append(FieldProblem(KPI_NAME, message % {"r": earlier}, row.number))
            row.kpi = found

    def _targets(self, row: _Row, values: dict) -> None:
        direction = row.data.get("direction") or (
            row.kpi.direction if row.kpi else Direction.HIGHER
        )
        for column, year in self.years.items():
            text = values.get(column, "").strip()
            if not text:
                continue
            if len(text) > TARGET_LENGTH:
                message = _("is too long (at most %(n)d characters)") % {"n": TARGET_LENGTH}
                self.problems.append(FieldProblem(column, message, row.number))
                continue
            try:
                parse_target(text, direction=direction)
            except TargetError as exc:
                self.problems.append(FieldProblem(column, str(exc), row.number))
                continue
            row.targets[year] = text


def _read(plan: Plan, content: bytes, filename: str) -> list[_Row]:
    rows = read_table(content, filename, required=(), sheet=SHEET, max_rows=MAX_ROWS)
    if not rows:
        raise ServiceError.field("file", _("has no KPI rows under its heading row"))
    header = list(rows[0][1])
    years, problems = _check_header(header, plan)
    if any(p.field in REQUIRED for p in problems):
        raise ServiceError(*problems)  # the rows cannot be read without these columns
    reader = _Reader(plan, years)
    parsed = [reader.read(number, values) for number, values in rows]
    problems += reader.problems
    if problems:
        raise ServiceError(*sorted(problems, key=lambda p: p.row or 0))
    return [row for row in parsed if row is not None]


# Import: writing --------------------------------------------------------------------------


def _relabel(exc: ServiceError, row: int, columns: dict) -> list[FieldProblem]:
    return [FieldProblem(columns.get(p.field, p.field), p.message, row) for p in exc.problems]


class _Writer:
    """Writes the checked rows through the plan services; `dry` only counts what it would
    write, with the checks the services would add, and sends no write to the database."""

    def __init__(self, actor, plan: Plan, rows: list[_Row], *, dry: bool = False):
        self.actor, self.plan, self.rows, self.dry = actor, plan, rows, dry
        self.goals = {row.goal_number: row.goal for row in rows if row.goal is not None}
        orders = [g.order for g in plan.goals.all()]
        self.next_goal_order = max(orders, default=0) + 1
        self.next_kpi_order: dict[str, int] = {}
        self.counts = dict.fromkeys(
            [
                "goals_created",
                "goals_updated",
                "kpis_created",
                "kpis_updated",
                "kpis_unchanged",
                "targets_set",
            ],
            0,
        )
        self.problems: list[FieldProblem] = []

    def write(self) -> None:
        for row in self.rows:
            goal = self._goal(row)
            if goal is None:
                continue
            try:
                kpi = self._kpi(row, goal)
            except ServiceError as exc:
                self.problems.extend(_relabel(exc, row.number, KPI_COLUMN_OF))
                continue
            self._targets(row, kpi)

    def _goal(self, row: _Row) -> Goal | None:
        goal = self.goals.get(row.goal_number)
        if goal is not None and goal.title == row.goal_title:
            return goal
        try:
            if goal is not None:
                if self.dry:
                    goal = copy.copy(goal)
                    goal.title = row.goal_title
                else:
                    goal = services.goal_update(actor=self.actor, goal=goal, title=row.goal_title)
                self.counts["goals_updated"] += 1
            else:
                data = {"number": row.goal_number, "title": row.goal_title}
                goal = (
                    Goal(plan=self.plan, order=self.next_goal_order, **data)
                    if self.dry
                    else services.goal_create(
                        actor=self.actor, plan=self.plan, order=self.next_goal_order, **data
                    )
                )
                self.next_goal_order += 1
                self.counts["goals_created"] += 1
        except ServiceError as exc:
            self.problems.extend(_relabel(exc, row.number, GOAL_COLUMN_OF))
            return None
        self.goals[row.goal_number] = goal
        return goal

    def _kpi(self, row: _Row, goal: Goal) -> KPI:
        if row.kpi is None:
            if goal.number not in self.next_kpi_order:
                orders = [k.order for k in goal.kpis.all()] if goal.pk else []
                self.next_kpi_order[goal.number] = max(orders, default=0) + 1
            order = self.next_kpi_order[goal.number]
            self.next_kpi_order[goal.number] += 1
            self.counts["kpis_created"] += 1
            if self.dry:
                return KPI(goal=goal, order=order, **row.data)
            return services.kpi_create(actor=self.actor, goal=goal, order=order, **row.data)
        changes = {k: v for k, v in row.data.items() if getattr(row.kpi, k) != v}
        if not changes:
            self.counts["kpis_unchanged"] += 1
            return row.kpi
        self.counts["kpis_updated"] += 1
        if not self.dry:
            return services.kpi_update(actor=self.actor, kpi=row.kpi, **changes)
        if "frequency" in changes and row.kpi.measurements.exists():
            message = _("values are already recorded by period; the frequency cannot change")
            raise ServiceError.field("frequency", message)
        return row.kpi

    def _targets(self, row: _Row, kpi: KPI) -> None:
        current = {t.year: t.text for t in row.kpi.targets.all()} if row.kpi else {}
        columns = {year: year_heading(year) for year in row.targets}
        for year, text in row.targets.items():
            if current.get(year) == text:
                continue
            try:
                if not self.dry:
                    services.target_set(actor=self.actor, kpi=kpi, year=year, text=text)
            except ServiceError as exc:
                labels = {"target": columns[year], "year": columns[year]}
                self.problems.extend(_relabel(exc, row.number, labels))
                continue
            except NotAllowed as exc:  # a plan in force or a closed year: the officer's
                self.problems.append(FieldProblem(columns[year], str(exc), row.number))
                continue
            self.counts["targets_set"] += 1


def kpi_table_import(
    *, actor, plan: Plan, content: bytes, filename: str, dry_run: bool = False
) -> dict:
    """Import a KPI table into `plan`; returns the counts. ServiceError lists every problem
    (row and column) and nothing is written; NotAllowed if the actor may not edit the plan.

    The file is read and checked, and what each row does counted, before the write
    transaction begins; a dry run stops there, never opening one, with the counts the
    import would give. The file is at most MAX_ROWS rows.
    """
    validation.require(access.can_edit_plan(actor, plan))  # before the file is read
    rows = _read(plan, content, filename)
    check = _Writer(actor, plan, rows, dry=True)
    check.write()
    if check.problems:
        raise ServiceError(*sorted(check.problems, key=lambda p: p.row or 0))
    if dry_run:
        return {"rows": len(rows), **check.counts, "dry_run": True}
    with transaction.atomic():
        # An update without changes locks the plan row, so that two imports into one plan
        # run one after the other.
        plan = services.plan_update(actor=actor, plan=plan)
        writer = _Writer(actor, plan, rows)
        writer.write()
        if writer.problems:
            raise ServiceError(*writer.problems)
        result = {"rows": len(rows), **writer.counts, "dry_run": False}
        audit.record(
            actor=actor,
            action=AuditEntry.Action.IMPORT,
            obj=plan,
            changes={"import": [None, result]},
            department=plan.department,
            note=filename[:300],
        )
    return result
