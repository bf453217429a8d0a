"""The training, duties and SOC registers out as ODS (the city's words in the headings)."""

from django.utils import timezone

from guankao.core.tabular import ODS_MIME, write_ods
from guankao.lib.roc import format_roc, roc_year
from guankao.security.training import KIND_NAMES

ODS = ODS_MIME
STATE_WORDS = {"open": "待辦理", "submitted": "待審認", "returned": "退回", "accepted": "已審認"}


def _when(value) -> str:
    if not value:
        return ""
    local = timezone.localtime(value)
    return f"{format_roc(local.date())} {local:%H:%M}"


def training_ods(rows) -> bytes:
    header = ["帳號", "姓名", "單位", "課程名稱", "開課單位", "日期", "時數", "類別"]
    body = [
        [
            r.user.username,
            r.user.display_name,
            r.user.department.name if r.user.department_id else "",
            r.course,
            r.provider,
            format_roc(r.date),
            float(r.hours),
            KIND_NAMES.get(r.kind, r.kind),
        ]
        for r in rows.iterator(chunk_size=2000)
    ]
    return write_ods({"資安教育訓練": (header, body)})


def duties_ods(rows) -> bytes:
    header = ["機關", "責任等級", "應辦事項", "年度", "次", "期限", "狀態", "審認日期", "依限完成"]
    body = [
        [
            i.agency.department.name,
            i.agency.level,
            i.duty.name,
            roc_year(i.year),
            i.seq,
            format_roc(i.due),
            STATE_WORDS.get(i.state, i.state),
            format_roc(i.accepted_on) if i.accepted_on else "",
            "是" if i.on_time else "否",
        ]
        for i in rows
    ]
    return write_ods({"資通安全應辦事項": (header, body)})


def soc_ods(rows) -> bytes:
    header = ["機關", "監控服務點", "地點", "日誌來源", "服務中", "最後回報"]
    body = [
        [
            p.agency.department.name,
            p.name,
            p.site,
            p.log_sources,
            "是" if p.active else "否",
            _when(p.last_seen_at),
        ]
        for p in rows
    ]
    return write_ods({"SOC監控服務點": (header, body)})
