"""Petitions files: 案件統計月報 (the year's figures by month, department, category and
channel as .ods, no personal data: fit for publishing) and the ODT case summary (for the
case's handlers only: it carries the petitioner)."""

from django.template.defaultfilters import filesizeformat

from guankao.core.tabular import write_ods
from guankao.lib.roc import format_roc, format_roc_long, roc_year
from guankao.petitions import selectors
from guankao.petitions.models import Case, Channel
from guankao.reports.odf import TextDocument

COLUMNS = ["收案件數", "結案件數", "逾期件數"]


def _rows(rows, label) -> list[list]:
    return [[label(r), r["received"], r["closed"], r["overdue"]] for r in rows]


def statistics_ods(*, user, year: int) -> bytes:
    o = selectors.overview(user=user, year=year)
    channels = dict(Channel.choices)
    totals = [
        ["收案件數", o.received],
        ["結案件數", o.closed],
        ["辦理中件數", o.open],
        ["逾期件數", o.overdue],
        ["依限辦結率（%）", o.on_time_rate if o.on_time_rate is not None else ""],
        ["平均答復工作日數", round(o.average_workdays, 1) if o.average_workdays else ""],
        ["展延件數", o.extended],
        ["改分件數", o.rerouted],
        ["滿意度填答份數", o.satisfaction.get("answered") or 0],
    ]
    return write_ods(
        {
            f"{roc_year(year)}年總計": (["項目", "數值"], totals),
            "依月份": (["月份", *COLUMNS], _rows(o.by_month, lambda r: f"{r['month']}月")),
            "依機關": (
                ["承辦機關", *COLUMNS],
                _rows(o.by_department, lambda r: r["lead__name"] or "—"),
            ),
            "依類別": (["案件類別", *COLUMNS], _rows(o.by_category, lambda r: r["category__name"])),
            "依管道": (
                ["來源管道", *COLUMNS],
                _rows(o.by_channel, lambda r: str(channels.get(r["channel"], r["channel"]))),
            ),
        }
    )


def case_odt(*, case: Case, petitioner, events, replies, files=()) -> bytes:
    doc = TextDocument(f"陳情案件 {case.number} 處理摘要", subtitle=case.subject)
    doc.heading("一、案件資料", 1)
    facts = [
        ["案件編號", case.number],
        ["收案日期", format_roc_long(case.received_at.date())],
        ["來源管道", str(case.get_channel_display())],
        ["案件類別", case.category.name],
        ["承辦機關", case.lead.name if case.lead else "—"],
        ["答復期限", format_roc(case.due_date) or "—"],
        ["辦理狀態", str(case.get_status_display())],
        ["陳情人", "匿名" if case.anonymous else (petitioner.name or "—")],
        ["聯絡電話", petitioner.phone or "—"],
        ["電子郵件", petitioner.email or "—"],
        ["發生地點", case.location or "—"],
    ]
    doc.table(["項目", "內容"], facts)
    doc.heading("二、陳情內容", 1)
    doc.paragraph(case.text)
    doc.heading("三、處理歷程", 1)
    doc.table(
        ["日期", "處理情形", "說明"],
        [[format_roc(e.at.date()), str(e.get_kind_display()), e.note or ""] for e in events],
    )
    doc.heading("四、答復", 1)
    sent = [r for r in replies if r.state == r.State.SENT]
    for reply in sent:
        doc.paragraph(f"{format_roc(reply.sent_at.date())}（{reply.get_method_display()}）")
        doc.paragraph(reply.text)
    if not sent:
        doc.paragraph("尚未答復。")
    doc.heading("五、附件", 1)
    for number, attachment in enumerate(files, 1):
        doc.paragraph(f"{number}. {attachment.original_name}（{filesizeformat(attachment.size)}）")
    if not files:
        doc.paragraph("無。")
    return doc.to_bytes()
