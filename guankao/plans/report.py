"""The yearly performance report (施政績效報告) as an ODF text document.

Per plan, per strategic goal, a table of the KPIs with their measurement standard,
target as written, actual value, status in words (never colour alone) and the
department's explanation: the note of the latest counted measurement of the year.
The numbers are the scorecard's, so the report and the screen always agree.

The report is an official document written in Chinese, so its headings and status
words are the document's fixed vocabulary, like the columns of an import file.
"""

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from guankao.core.models import Department
from guankao.lib.roc import format_roc_long, roc_year
from guankao.lib.targets import value_with_unit
from guankao.plans import selectors
from guankao.plans import status as st
from guankao.plans.models import Measurement
from guankao.reports.odf import TextDocument

STATUS_WORDS = {
    st.MET: "達成",
    st.NOT_MET: "未達成",
    st.ON_TRACK: "進度正常",
    st.AT_RISK: "需注意",
    st.OFF_TRACK: "落後",
    st.NO_DATA: "無資料",
    st.NO_TARGET: "未訂目標值",
    st.INCOMPLETE: "資料不全",
}
PERIOD_WORDS = {12: "{}月".format, 4: "第{}季".format, 1: lambda _p: "全年"}
COLUMNS = ["關鍵績效指標", "衡量標準", "目標值", "實際值", "達成情形", "說明"]
WIDTHS = [9, 7, 4, 5, 5, 10]


def _title(year: int, department: Department | None) -> str:
    city = (
        Department.objects.filter(parent__isnull=True)
        .order_by("path")
        .values_list("name", flat=True)
        .first()
    ) or ""
    if department is not None and department.name != city:
        city += department.name
    return f"{city} {roc_year(year)} 年度施政績效報告".strip()


def _notes(rows, year: int) -> dict[int, str]:
    """The note of each KPI's latest counted measurement (the one the scorecard counted
    last), in one query."""
    last = {row.kpi.pk: row.kpi.m_last_period for row in rows if row.kpi.m_last_period}
    if not last:
        return {}
    notes = (
        Measurement.objects.filter(kpi_id__in=list(last), year=year, counted=True)
        .exclude(note="")
        .values_list("kpi_id", "period", "note")
    )
    return {kpi: note for kpi, period, note in notes if last[kpi] == period}


def _actual(value: Decimal, row) -> str:
    kpi = row.kpi
    return value_with_unit(
        value, target_text=row.target_text, direction=kpi.direction, unit=kpi.unit
    )


def _status(row) -> str:
    """達成情形, with the periods still missing named (缺第1季、第2季)."""
    words = STATUS_WORDS[row.result.status]
    if not row.result.missing:
        return words
    per_year = row.kpi.periods_per_year
    names = "、".join(PERIOD_WORDS[per_year](p) for p in row.result.missing)
    return f"{words}（缺{names}）"


def _kpi_row(row, notes: dict[int, str]) -> list[str]:
    kpi = row.kpi
    actual = row.result.actual
    return [
        f"{kpi.number}. {kpi.name}" if kpi.number else kpi.name,
        kpi.measure,
        row.target_text or "—",
        _actual(actual, row) if actual is not None else "—",
        _status(row),
        notes.get(kpi.pk, ""),
    ]


def _summary(doc: TextDocument, rows) -> None:
    counts = dict.fromkeys(st.ALL, 0)
    for row in rows:
        counts[row.result.status] += 1
    doc.heading("總覽", 1)
    doc.table(
        ["達成情形", "指標數"],
        [[STATUS_WORDS[s], str(n)] for s, n in counts.items() if n] + [["合計", str(len(rows))]],
        widths=[3, 1],
    )


def _by_plan_and_goal(rows) -> dict:
    """{plan: {goal: [rows]}} in the scorecard's order of first appearance (two plans of
    one department starting the same year would otherwise interleave by goal order)."""
    out: dict = {}
    for row in rows:
        goal = row.kpi.goal
        out.setdefault(goal.plan, {}).setdefault(goal, []).append(row)
    return out


def performance_report_odt(
    *, actor, year: int, department: Department | None = None, as_of: dt.date | None = None
) -> bytes:
    """The 施政績效報告 of `year` for what `actor` may read (one department's subtree when
    given) as .odt bytes, as the scorecard stood on `as_of` (today by default). Three
    queries whatever the number of KPIs."""
    rows = selectors.scorecard(user=actor, year=year, department=department, as_of=as_of)
    subtitle = f"製表日期：{format_roc_long(timezone.localdate())}"
    if as_of is not None:
        subtitle += f"；資料截至：{format_roc_long(as_of)}"
    doc = TextDocument(_title(year, department), subtitle=subtitle)
    if not rows:
        doc.paragraph("本年度尚無關鍵績效指標。")
        return doc.to_bytes()
    _summary(doc, rows)
    notes = _notes(rows, year)
    for plan, goals in _by_plan_and_goal(rows).items():
        years = f"{roc_year(plan.first_year)}–{roc_year(plan.last_year)} 年"
        doc.heading(f"{plan.title}（{plan.department.name}，{years}）", 1)
        for goal, goal_rows in goals.items():
            doc.heading(f"{goal.number}、{goal.title}", 2)
            doc.table(COLUMNS, [_kpi_row(row, notes) for row in goal_rows], widths=WIDTHS)
    doc.paragraph("附註：實際值為各機關填報並經核定之數值；年度進行中之達成情形依預期進度判斷。")
    return doc.to_bytes()
