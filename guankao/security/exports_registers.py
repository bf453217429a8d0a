"""The incidents, audits and outages registers as .ods, and the annual security report
(資通安全維護計畫實施情形) as .odt. Files are the city's documents: their headings are the
fixed Chinese words of official tables, whatever the reader's language."""

from django.utils import timezone

from guankao.core.tabular import write_ods
from guankao.lib.roc import format_roc, roc_year
from guankao.plans import registry
from guankao.reports.odf import TextDocument
from guankao.security import selectors_registers as reads
from guankao.security.models import Audit, Impact, Incident

IMPACT_WORDS = {Impact.NONE: "無", Impact.MINOR: "輕微", Impact.SERIOUS: "嚴重"}
STATUS_WORDS = {
    Incident.Status.OPEN: "處理中",
    Incident.Status.RECOVERED: "已復原",
    Incident.Status.CLOSED: "已結案",
}
KIND_WORDS = {Audit.Kind.INTERNAL: "內部稽核", Audit.Kind.EXTERNAL: "外部稽核"}
# The seven KPIs of goals 四 and 五, by metric key; a key no app offers yet shows "—".
KPIS = [
    ("四-1", "資安事件發生次數", "≦3", "security.incidents"),
    ("四-2", "資安內部稽核", "≧1", "security.internal_audits"),
    ("四-3", "機房維運服務發生中斷次數", "≦4", "security.unplanned_outages"),
    ("四-4", "資訊安全教育訓練3小時", "≧80%", "security.training_coverage"),
    ("五-1", "建置ISAC及SOC監控機制（監控服務點）", "≧11", "security.soc_points"),
    ("五-2", "強化資安防護縱深及創新服務整合", "100%", "tracking.tagged_milestones_on_time"),
    ("五-3", "遵循資通安全管理法應辦事項", "100%", "security.duties_on_time"),
]
NO_DATA = "—"


def _when(moment) -> str:
    if moment is None:
        return ""
    local = timezone.localtime(moment)
    return f"{format_roc(local.date())} {local:%H:%M}"


def _year_filter(year):
    return {"year": year} if year else {}


def incidents_ods(user, year=None) -> bytes:
    header = [
        "編號",
        "機關",
        "事件名稱",
        "發生時間",
        "知悉時間",
        "受影響系統",
        "機密性",
        "完整性",
        "可用性",
        "等級",
        "通報時間",
        "通報編號",
        "審核時間",
        "損害控制或復原時間",
        "調查報告時間",
        "狀態",
    ]
    rows = [
        [
            i.number,
            str(i.agency),
            i.title,
            _when(i.occurred_at),
            _when(i.aware_at),
            i.system,
            IMPACT_WORDS[i.confidentiality],
            IMPACT_WORDS[i.integrity],
            IMPACT_WORDS[i.availability],
            i.level,
            _when(i.notified_at),
            i.notice_ref,
            _when(i.reviewed_at),
            _when(i.recovered_at),
            _when(i.reported_at),
            STATUS_WORDS[i.status],
        ]
        for i in reads.incident_list(user=user, filters=_year_filter(year)).iterator()
    ]
    return write_ods({"資安事件": (header, rows)})


def audits_ods(user, year=None) -> bytes:
    audits = list(
        reads.audit_list(user=user, filters=_year_filter(year)).prefetch_related("findings")
    )
    header = ["機關", "類別", "稽核名稱", "範圍", "稽核人員", "開始", "結束", "完成"]
    rows = [
        [
            str(a.agency),
            KIND_WORDS[a.kind],
            a.title,
            a.scope,
            a.auditors,
            format_roc(a.start_date),
            format_roc(a.end_date),
            _when(a.completed_at),
        ]
        for a in audits
    ]
    f_header = ["稽核名稱", "發現事項", "嚴重度", "矯正措施", "負責人", "期限", "結案"]
    words = {"high": "高", "medium": "中", "low": "低"}
    f_rows = [
        [
            a.title,
            f.text,
            words[f.severity],
            f.action,
            f.owner,
            format_roc(f.due_date),
            _when(f.closed_at),
        ]
        for a in audits
        for f in a.findings.all()
    ]
    return write_ods({"稽核": (header, rows), "發現事項": (f_header, f_rows)})


def outages_ods(user, year=None) -> bytes:
    rows_q = reads.outage_list(user=user)
    if year:
        rows_q = rows_q.filter(started_at__year=year)
    header = ["機關", "開始", "結束", "計畫性", "原因", "受影響服務"]
    rows = [
        [
            str(o.agency),
            _when(o.started_at),
            _when(o.ended_at),
            "是" if o.planned else "否",
            o.cause,
            "、".join(s.name for s in o.services.all()),
        ]
        for o in rows_q
    ]
    s_header = ["機關", "名稱", "核心資通系統", "機房服務", "負責人", "防護需求等級", "維護時段"]
    words = {"low": "普", "medium": "中", "high": "高"}
    s_rows = [
        [
            str(s.agency),
            s.name,
            "是" if s.core else "否",
            "是" if s.machine_room else "否",
            s.owner,
            words[s.protection],
            s.maintenance,
        ]
        for s in reads.service_list(user=user)
    ]
    return write_ods({"中斷紀錄": (header, rows), "核心系統及機房服務": (s_header, s_rows)})


REGISTERS = {"incidents": incidents_ods, "audits": audits_ods, "outages": outages_ods}


def kpi_values(year: int) -> list[tuple[str, str, str, str]]:
    """(number, name, target, value) of the seven KPIs for the year, through the registry."""
    registry.autodiscover()
    out = []
    for number, name, target, key in KPIS:
        metric = registry.get(key)
        value = metric.compute(registry.Period(year, 1, 1), None) if metric else None
        shown = NO_DATA if value is None else f"{value[0].normalize():f}{metric.unit}"
        out.append((number, name, target, shown))
    return out


def annual_report(user, year: int) -> bytes:
    roc = roc_year(year)
    doc = TextDocument(
        f"{roc}年度資通安全維護計畫實施情形",
        subtitle=f"製表日期 {format_roc(timezone.localdate())}",
    )
    doc.heading("一、績效指標（目標四、五）", 2)
    doc.table(["編號", "指標", "目標值", f"{roc}年實績"], kpi_values(year), widths=[1, 4, 1, 1])
    incidents = list(reads.incident_list(user=user, filters={"year": year}))
    doc.heading("二、資通安全事件", 2)
    doc.paragraph(f"{roc}年共 {len(incidents)} 件。")
    doc.table(
        ["編號", "機關", "事件", "等級", "狀態"],
        [
            [i.number, str(i.agency), i.title, str(i.level), STATUS_WORDS[i.status]]
            for i in incidents
        ],
        widths=[1, 2, 4, 1, 1],
    )
    audits = list(reads.audit_list(user=user, filters={"year": year}).prefetch_related("findings"))
    doc.heading("三、資安稽核", 2)
    doc.table(
        ["機關", "類別", "稽核", "發現事項", "未結案"],
        [
            [
                str(a.agency),
                KIND_WORDS[a.kind],
                a.title,
                str(len(a.findings.all())),
                str(sum(1 for f in a.findings.all() if f.closed_at is None)),
            ]
            for a in audits
        ],
        widths=[2, 1, 4, 1, 1],
    )
    outages = list(reads.outage_list(user=user).filter(started_at__year=year))
    doc.heading("四、機房維運服務中斷", 2)
    unplanned = sum(1 for o in outages if not o.planned)
    doc.paragraph(f"{roc}年共 {len(outages)} 次，其中非計畫性 {unplanned} 次。")
    return doc.to_bytes()
