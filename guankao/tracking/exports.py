"""Controlled cases out as ODF: the board's items (.ods), the control meeting's agenda
(.ods and .odt) and its minutes (.odt).

Files are the city's documents, so their headings and words are the fixed Chinese
vocabulary of official tables (as plans/report.py writes), whatever the reader's language.
Each is built in a fixed number of queries whatever the number of items.
"""

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from guankao.core.tabular import write_ods
from guankao.lib.roc import format_roc, format_roc_long, format_roc_month
from guankao.reports.odf import TextDocument
from guankao.tracking import selectors, tally
from guankao.tracking.models import AgendaEntry, Item, Kind, Meeting

KIND_WORDS = {
    Kind.MAJOR: "重大計畫",
    Kind.WORKS: "公共工程",
    Kind.GRANT: "中央補助計畫",
    Kind.BASIC_GRANT: "一般性補助款基本設施",
    Kind.RESOLUTION: "議會議決案",
    Kind.MEETING: "市務會議裁示事項",
    Kind.MAYOR: "市長交辦",
    Kind.CONTROL_YUAN: "監察案件",
    Kind.OVERSEAS: "出國報告",
    Kind.DISASTER: "防災會報列管事項",
}
LEVEL_WORDS = {Item.Level.CITY: "府列管", Item.Level.SELF: "自行列管"}
STATUS_WORDS = {
    Item.Status.ACTIVE: "列管中",
    Item.Status.RELEASE_REQUESTED: "申請解除列管",
    Item.Status.RETURNED: "解除列管退回",
    Item.Status.RELEASED: "解除列管",
}
LAG_WORDS = {
    Item.Lag.NONE: "尚未填報",
    Item.Lag.ON_TIME: "進度正常",
    Item.Lag.BEHIND: "落後",
    Item.Lag.SERIOUS: "嚴重落後",
}
RISK_WORDS = {Item.Risk.LOW: "低", Item.Risk.MEDIUM: "中", Item.Risk.HIGH: "高"}
REASON_WORDS = {
    AgendaEntry.Reason.SERIOUS: "嚴重落後",
    AgendaEntry.Reason.AT_RISK: "落後或有延誤風險",
    AgendaEntry.Reason.OVERDUE: "逾期未填報",
    AgendaEntry.Reason.RELEASE: "申請解除列管",
    AgendaEntry.Reason.MILESTONE: "查核點逾期",
}
BOARD_SHEET = "列管案件"
BOARD_COLUMNS = [
    "編號",
    "案件名稱",
    "類別",
    "主辦機關",
    "列管層級",
    "狀態",
    "預定進度(%)",
    "實際進度(%)",
    "落後百分點",
    "落後情形",
    "經費落後",
    "預估完工日",
    "風險",
    "最近填報月份",
]
AGENDA_SHEET = "會議議程"
AGENDA_COLUMNS = [
    "序號",
    "案件編號",
    "案件名稱",
    "主辦機關",
    "列入原因",
    "落後情形",
    "預定進度(%)",
    "實際進度(%)",
    "落後原因",
    "因應對策",
    "逾期查核點",
    "前次決議",
    "應辦理機關",
    "決議",
]


def _month(year: int | None, month: int | None) -> str:
    return format_roc_month(year, month) if year and month else ""


def _pct(value: Decimal | None) -> str:
    return f"{value.normalize():f}%" if value is not None else "—"


def _progress(planned: Decimal | None, actual: Decimal | None) -> str:
    if planned is None and actual is None:
        return "—"
    return f"預定 {_pct(planned)}／實際 {_pct(actual)}"


# The board ------------------------------------------------------------------------------


def board_filters(params) -> dict:
    """The board's filters from a query string; status as the board counts it (all)."""
    filters = {k: params.get(k, "").strip() for k in selectors.FILTERS if params.get(k, "").strip()}
    filters.setdefault("status", "all")
    return filters


def board_rows(*, user, filters: dict) -> list[list]:
    """One row per item the user may read under the filters (one query)."""
    rows = []
    for item in selectors.item_list(user=user, filters=filters).order_by("number"):
        gap = None
        if item.last_planned is not None and item.last_actual is not None:
            gap = item.last_planned - item.last_actual
        rows.append(
            [
                item.number,
                item.title,
                KIND_WORDS.get(item.kind, item.kind),
                item.lead.name,
                LEVEL_WORDS.get(item.level, item.level),
                STATUS_WORDS.get(item.status, item.status),
                item.last_planned,
                item.last_actual,
                gap,
                LAG_WORDS.get(item.lag, item.lag),
                "是" if item.money_behind else "否",
                format_roc(item.forecast_finish),
                RISK_WORDS.get(item.risk, item.risk),
                _month(item.last_year, item.last_month),
            ]
        )
    return rows


REASONS_SHEET = "落後原因統計"


def reason_rows(*, user, filters: dict) -> tuple[list[str], list[list]]:
    """Open cases by the lag reason categories of their latest report, by department."""
    counted = tally.reason_tally(user=user, filters=filters)
    columns = ["主辦機關", *[c.name for c in counted["categories"]], "合計"]
    rows = [[r["label"], *r["counts"], r["total"]] for r in counted["departments"]]
    rows.append(["全市", *counted["totals"], counted["total"]])
    return columns, rows


def board_ods(*, user, filters: dict) -> bytes:
    return write_ods(
        {
            BOARD_SHEET: (BOARD_COLUMNS, board_rows(user=user, filters=filters)),
            REASONS_SHEET: reason_rows(user=user, filters=filters),
        }
    )


# The meeting ----------------------------------------------------------------------------


def _entries(meeting: Meeting) -> list[AgendaEntry]:
    return list(selectors.meeting_agenda(meeting=meeting))


def _decided(entry: AgendaEntry) -> str:
    return "\n".join(d.text for d in entry.decisions.all())


def agenda_ods(*, meeting: Meeting) -> bytes:
    rows = [
        [
            entry.order,
            entry.item.number,
            entry.item.title,
            entry.item.lead.name,
            REASON_WORDS.get(entry.reason, entry.reason),
            LAG_WORDS.get(entry.lag, entry.lag),
            entry.planned,
            entry.actual,
            entry.reasons,
            entry.countermeasures,
            entry.milestones_overdue,
            entry.last_decision,
            entry.act_by,
            "；".join(d.text for d in entry.decisions.all()),
        ]
        for entry in _entries(meeting)
    ]
    return write_ods({AGENDA_SHEET: (AGENDA_COLUMNS, rows)})


def _facts(doc: TextDocument, meeting: Meeting, entries: int) -> None:
    doc.heading("一、會議資訊", 1)
    facts = [
        ["會議名稱", meeting.title],
        ["開會日期", format_roc_long(meeting.held_on)],
        ["主持人", meeting.chair or "—"],
        ["提會列管案件", f"{entries} 件"],
    ]
    if meeting.status == Meeting.Status.HELD and meeting.closed_at:
        facts.append(["紀錄定稿日期", format_roc_long(timezone.localdate(meeting.closed_at))])
    doc.table(["項目", "內容"], facts, widths=[1, 3])


def _subtitle(meeting: Meeting) -> str:
    held, today = format_roc_long(meeting.held_on), format_roc_long(timezone.localdate())
    return f"開會日期：{held}；製表日期：{today}"


def agenda_odt(*, meeting: Meeting) -> bytes:
    """會議議程: the meeting's facts and the items it is to look at, by reason."""
    entries = _entries(meeting)
    doc = TextDocument(f"{meeting.title}議程", subtitle=_subtitle(meeting))
    _facts(doc, meeting, len(entries))
    doc.heading("二、提會討論案件", 1)
    if not entries:
        doc.paragraph("本月無須提會討論之列管案件。")
    else:
        doc.table(
            [
                "序號",
                "案件",
                "主辦機關",
                "列入原因",
                "最近進度",
                "落後原因及因應對策",
                "前次決議／應辦理機關",
            ],
            [
                [
                    str(e.order),
                    f"{e.item.number} {e.item.title}",
                    e.item.lead.name,
                    f"{REASON_WORDS.get(e.reason, e.reason)}（{LAG_WORDS.get(e.lag, e.lag)}）"
                    + (f"；逾期查核點 {e.milestones_overdue} 項" if e.milestones_overdue else ""),
                    _progress(e.planned, e.actual),
                    _reasons(e),
                    f"{e.last_decision or '—'}／{e.act_by or '—'}",
                ]
                for e in entries
            ],
            widths=[1, 5, 3, 3, 3, 5, 4],
        )
    doc.heading("三、臨時動議", 1)
    doc.paragraph("")
    return doc.to_bytes()


def _reasons(entry: AgendaEntry) -> str:
    parts = []
    if entry.reasons:
        parts.append(f"落後原因：{entry.reasons}")
    if entry.countermeasures:
        parts.append(f"因應對策：{entry.countermeasures}")
    return "\n".join(parts) or "—"


def _due(value: dt.date | None) -> str:
    return format_roc(value) if value else "—"


def minutes_odt(*, meeting: Meeting) -> bytes:
    """會議紀錄: the meeting's facts, each agenda item with its decisions, the directives
    the decisions created (department, due date) and the minutes text."""
    entries = _entries(meeting)
    decisions = list(selectors.meeting_decisions(meeting=meeting))
    doc = TextDocument(f"{meeting.title}會議紀錄", subtitle=_subtitle(meeting))
    _facts(doc, meeting, len(entries))
    doc.heading("二、提會案件及決議", 1)
    if not entries:
        doc.paragraph("本次會議無提會列管案件。")
    else:
        doc.table(
            ["序號", "案件", "主辦機關", "列入原因", "最近進度", "決議"],
            [
                [
                    str(e.order),
                    f"{e.item.number} {e.item.title}",
                    e.item.lead.name,
                    REASON_WORDS.get(e.reason, e.reason),
                    _progress(e.planned, e.actual),
                    _decided(e) or "—",
                ]
                for e in entries
            ],
            widths=[1, 5, 3, 3, 3, 6],
        )
    doc.heading("三、決議列管事項", 1)
    if not decisions:
        doc.paragraph("本次會議無決議列管事項。")
    else:
        doc.table(
            ["列管編號", "決議事項", "主辦機關", "辦理期限", "相關案件"],
            [
                [
                    d.directive.number if d.directive else "—",
                    d.text,
                    d.department.name,
                    _due(d.due),
                    d.entry.item.number if d.entry else "臨時動議",
                ]
                for d in decisions
            ],
            widths=[3, 8, 3, 2, 3],
        )
    doc.heading("四、會議紀錄", 1)
    if meeting.status == Meeting.Status.HELD and meeting.minutes:
        doc.paragraph(meeting.minutes)
    else:
        doc.paragraph("（會議尚未結束，紀錄尚未定稿。）")
    return doc.to_bytes()
