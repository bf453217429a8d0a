"""The demo's incidents, audits, core systems and outages, after the agencies: three
years of history (ROC 109–111, the demo plan's years, so KPIs 四-1..3 show real statuses)
and some current records with running clocks (one late and escalated), all made through
the services. Deterministic: the same records every time."""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from guankao.core.demo import register_extension
from guankao.core.jobs import run_once
from guankao.core.models import User
from guankao.lib.roc import roc_year
from guankao.security import services_incidents as inc
from guankao.security import services_registers as regs
from guankao.security.models import Agency, Incident

TZ_HOUR = dt.timedelta(hours=1)

# (agency code, aware (y, m, d, h), title, system, kind, C, I, A, hours to recover, cause)
HISTORY = [
    (
        "CYC",
        (2020, 3, 9, 10),
        "網站首頁遭置換",
        "市府全球資訊網",
        "noncore",
        "none",
        "minor",
        "none",
        20,
        "CMS 外掛漏洞未更新",
    ),
    (
        "HR-E",
        (2020, 10, 21, 14),
        "電子郵件帳號遭盜用寄送垃圾信",
        "公務電子郵件",
        "noncore",
        "minor",
        "none",
        "none",
        30,
        "員工點擊釣魚連結",
    ),
    (
        "CYC",
        (2021, 2, 2, 9),
        "勒索軟體加密檔案伺服器",
        "檔案伺服器",
        "core",
        "none",
        "none",
        "minor",
        30,
        "遠端桌面弱密碼",
    ),
    (
        "FUN",
        (2021, 5, 17, 16),
        "預約系統遭 SQL 注入",
        "線上預約系統",
        "core",
        "minor",
        "none",
        "none",
        48,
        "輸入未檢查",
    ),
    (
        "CYC",
        (2021, 8, 30, 11),
        "DDoS 造成網站中斷",
        "市府全球資訊網",
        "core",
        "none",
        "none",
        "minor",
        6,
        "流量攻擊",
    ),
    (
        "HR-E",
        (2021, 11, 8, 8),
        "端點感染惡意程式",
        "戶政櫃台電腦",
        "noncore",
        "none",
        "minor",
        "none",
        24,
        "USB 隨身碟",
    ),
    (
        "CYC",
        (2022, 6, 13, 15),
        "公文系統帳號異常登入",
        "公文系統",
        "core",
        "minor",
        "none",
        "none",
        12,
        "密碼重複使用",
    ),
]
PREVENTION = [("全面更新外掛並啟用自動更新", "資通建設科", 60), ("辦理社交工程演練", "人事處", 120)]


def _at(y, m, d, h) -> dt.datetime:
    return timezone.make_aware(dt.datetime(y, m, d, h))


def _handler(agencies, code, ciso):
    name = {"CYC": "security", "HR-E": "hre.security"}.get(code)
    return User.objects.get(username=name) if name else ciso


def _history(ciso, agencies) -> None:
    for code, when, title, system, kind, c, i, a, hours, cause in HISTORY:
        aware = _at(*when)
        handler = _handler(agencies, code, ciso)
        item = inc.incident_create(
            actor=ciso,
            agency=agencies[code],
            title=title,
            occurred_at=aware - TZ_HOUR,
            aware_at=aware,
            system=system,
            info_kind=kind,
            confidentiality=c,
            integrity=i,
            availability=a,
            description=f"{title}，經{handler}處理。",
            handler=handler,
        )
        inc.incident_notify(
            actor=ciso,
            incident=item,
            notified_at=aware + dt.timedelta(minutes=40),
            notice_ref=f"TWC-{aware:%Y%m%d}-{item.pk:04d}",
        )
        inc.incident_review(actor=ciso, incident=item, reviewed_at=aware + dt.timedelta(hours=3))
        recovered = aware + dt.timedelta(hours=hours)
        inc.incident_recover(actor=ciso, incident=item, recovered_at=recovered)
        day = timezone.localdate(recovered)
        inc.incident_report(
            actor=ciso,
            incident=item,
            reported_at=recovered + dt.timedelta(days=20),
            scope=f"{system}，影響範圍限於該系統。",
            control="隔離受影響主機，自備份還原。",
            cause=cause,
            measures=[
                {"measure": m, "owner": o, "due_date": day + dt.timedelta(days=n)}
                for m, o, n in PREVENTION
            ],
        )
        for follow in item.follow_ups.all():
            inc.followup_done(actor=ciso, follow_up=follow, note="已完成")


def _current(ciso, agencies, now) -> None:
    security = User.objects.get(username="security")
    city = agencies["CYC"]
    # recovered last month, report filed, one prevention measure overdue
    item = inc.incident_create(
        actor=security,
        agency=city,
        title="VPN 帳號遭暴力破解",
        occurred_at=now - dt.timedelta(days=40),
        aware_at=now - dt.timedelta(days=40) + TZ_HOUR,
        system="VPN 閘道",
        info_kind="core",
        confidentiality="minor",
        description="VPN 日誌出現大量失敗登入後成功登入。",
    )
    inc.incident_notify(
        actor=security,
        incident=item,
        notified_at=item.aware_at + dt.timedelta(minutes=30),
        notice_ref="TWC-VPN-0001",
    )
    inc.incident_review(
        actor=security, incident=item, reviewed_at=item.aware_at + dt.timedelta(hours=4)
    )
    inc.incident_recover(
        actor=security, incident=item, recovered_at=item.aware_at + dt.timedelta(hours=10)
    )
    today = timezone.localdate(now)
    inc.incident_report(
        actor=security,
        incident=item,
        reported_at=item.aware_at + dt.timedelta(days=10),
        scope="VPN 帳號 1 個",
        control="停用帳號、重設密碼",
        cause="未啟用多因子驗證",
        measures=[
            {
                "measure": "VPN 啟用多因子驗證",
                "owner": "資通建設科",
                "due_date": today - dt.timedelta(days=5),
            },
            {
                "measure": "帳號鎖定政策",
                "owner": "資通建設科",
                "due_date": today + dt.timedelta(days=20),
            },
        ],
    )
    # notified and on the clock: recovery due within 72 hours
    running = inc.incident_create(
        actor=security,
        agency=city,
        title="釣魚郵件大量寄送",
        occurred_at=now - dt.timedelta(hours=6),
        aware_at=now - dt.timedelta(hours=5),
        system="公務電子郵件",
        info_kind="noncore",
        confidentiality="serious",
        description="多位同仁收到仿冒市府公告之釣魚郵件。",
    )
    inc.incident_notify(
        actor=security,
        incident=running,
        notified_at=now - dt.timedelta(hours=4, minutes=30),
        notice_ref="TWC-PHISH-0002",
    )
    # aware three hours ago and never notified: late, escalated to the CISO by the worker
    inc.incident_create(
        actor=User.objects.get(username="hre.security"),
        agency=agencies["HR-E"],
        title="戶政櫃台電腦異常連線",
        occurred_at=now - dt.timedelta(hours=4),
        aware_at=now - dt.timedelta(hours=3),
        system="戶役政資訊系統櫃台端",
        info_kind="sensitive",
        integrity="minor",
        description="端點防護偵測到對外異常連線。",
    )


AUDITS = [
    # (agency, kind, year, month, title, findings)
    ("CYC", "internal", 2020, 11, "109年度資安內部稽核", [("系統帳號未定期清查", "medium")]),
    ("CYC", "internal", 2021, 10, "110年度資安內部稽核", [("備份未異地存放", "high")]),
    ("CYC", "internal", 2022, 9, "111年度資安內部稽核", [("弱點掃描修補逾期", "medium")]),
    (
        "CYC",
        "external",
        2022,
        5,
        "111年度資安稽核（數位發展部）",
        [("核心系統未完成防護基準", "high")],
    ),
    ("HR-E", "internal", 2022, 8, "東區戶政111年度資安內部稽核", []),
]


def _audits(ciso, agencies, now) -> None:
    for code, kind, year, month, title, findings in AUDITS:
        end = dt.date(year, month, 20)
        item = regs.audit_create(
            actor=ciso,
            agency=agencies[code],
            kind=kind,
            title=title,
            scope="資通安全維護計畫之落實",
            auditors="市府資安稽核小組" if kind == "internal" else "數位發展部資通安全署",
            start_date=end - dt.timedelta(days=2),
            end_date=end,
            plan="依年度稽核計畫辦理",
        )
        regs.audit_complete(actor=ciso, audit_item=item)
        for text, severity in findings:
            f = regs.finding_add(
                actor=ciso,
                audit_item=item,
                text=text,
                severity=severity,
                action="限期改善",
                owner="資通建設科",
                due_date=end + dt.timedelta(days=60),
            )
            regs.finding_close(actor=ciso, finding=f, follow_up="已改善並檢附佐證")
    today = timezone.localdate(now)
    current = regs.audit_create(
        actor=ciso,
        agency=agencies["CYC"],
        kind="internal",
        title=f"{roc_year(today.year)}年度資安內部稽核",
        scope="資通安全維護計畫之落實",
        auditors="市府資安稽核小組",
        start_date=today - dt.timedelta(days=40),
        end_date=today - dt.timedelta(days=38),
    )
    regs.finding_add(
        actor=ciso,
        audit_item=current,
        text="特權帳號未啟用多因子驗證",
        severity="high",
        action="導入多因子驗證",
        owner="資通建設科",
        due_date=today - dt.timedelta(days=3),
    )
    regs.finding_add(
        actor=ciso,
        audit_item=current,
        text="機房門禁紀錄未定期檢視",
        severity="low",
        action="每月檢視門禁紀錄",
        owner="資通建設科",
        due_date=today + dt.timedelta(days=30),
    )


SERVICES = [
    ("CYC", "公文系統", True, "high", "每月第一個週六 22:00–24:00"),
    ("CYC", "市府全球資訊網", True, "medium", "每週三 06:00–07:00"),
    ("CYC", "公務電子郵件", True, "medium", "每月第三個週六 22:00–02:00"),
    ("CYC", "檔案伺服器", False, "medium", ""),
    ("CYC", "VPN 閘道", False, "high", "每季第一個週日 02:00–04:00"),
    ("HR-E", "戶役政資訊系統櫃台端", True, "high", "依內政部排程"),
]
# (year, month, day, hour, minutes, planned, services, cause)
OUTAGES = [
    (2020, 4, 11, 22, 120, True, ["公文系統"], "系統版本更新"),
    (2020, 7, 2, 14, 45, False, ["市府全球資訊網"], "網站主機記憶體故障"),
    (2020, 12, 8, 9, 30, False, ["公務電子郵件"], "郵件伺服器憑證過期"),
    (2021, 2, 2, 9, 600, False, ["檔案伺服器"], "勒索軟體加密"),
    (2021, 3, 15, 10, 90, False, ["公文系統", "公務電子郵件"], "核心交換器故障"),
    (2021, 6, 6, 13, 240, False, ["市府全球資訊網", "公文系統", "公務電子郵件"], "機房 UPS 故障"),
    (2021, 8, 30, 11, 360, False, ["市府全球資訊網"], "DDoS 攻擊"),
    (2021, 12, 1, 8, 60, False, ["VPN 閘道"], "防火牆規則錯誤"),
    (2022, 1, 8, 22, 180, True, ["公文系統"], "資料庫升級"),
    (2022, 4, 19, 15, 50, False, ["公務電子郵件"], "儲存空間滿載"),
    (2022, 9, 27, 10, 25, False, ["市府全球資訊網"], "DNS 設定錯誤"),
]


def _outages(ciso, agencies, now) -> None:
    made = {}
    for code, name, core, protection, window in SERVICES:
        made[name] = regs.service_create(
            actor=ciso,
            agency=agencies[code],
            name=name,
            owner="資通建設科",
            protection=protection,
            core=core,
            machine_room=True,
            maintenance=window,
        )
    rows = [
        (_at(y, m, d, h), mins, planned, names, cause)
        for y, m, d, h, mins, planned, names, cause in OUTAGES
    ]
    month_start = timezone.localtime(now).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    if now - month_start > dt.timedelta(days=2):
        rows.append(
            (month_start + dt.timedelta(days=1, hours=22), 120, True, ["公文系統"], "作業系統更新")
        )
        rows.append(
            (
                month_start + dt.timedelta(days=1, hours=9),
                35,
                False,
                ["公務電子郵件"],
                "郵件閘道當機",
            )
        )
    for start, mins, planned, names, cause in rows:
        services = [made[n] for n in names]
        regs.outage_create(
            actor=ciso,
            agency=services[0].agency,
            started_at=start,
            ended_at=start + dt.timedelta(minutes=mins),
            planned=planned,
            cause=cause,
            services=services,
        )


@register_extension
@transaction.atomic
def load() -> bool:
    if Incident.objects.exists() or not Agency.objects.exists():
        return False
    now = timezone.now()
    ciso = User.objects.get(username="ciso")
    agencies = {a.department.code: a for a in Agency.objects.select_related("department")}
    _history(ciso, agencies)
    _current(ciso, agencies, now)
    _audits(ciso, agencies, now)
    _outages(ciso, agencies, now)
    # the late step escalated, and the plan's KPIs 四-1..3 computed from these records
    run_once(timezone.now(), ["security.incident_clock", "plans.compute_metrics"])
    return True
