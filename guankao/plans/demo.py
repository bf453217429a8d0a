"""The demo city's plan: the Smart Technology Department's mid-term plan, ROC 108–111,
exactly as the seed text writes it (6 goals, 13 KPIs, 52 targets), with measurements
that show every status, and the annual plan rounds that KPI 一 is computed from. KPI 三
is computed from the controlled cases and meetings that guankao/tracking/demo.py loads.

Demo statuses: year-end met / not met in every year; as of 111/06/30 (scorecard
`?year=111&as_of=111/06/30`) on track, at risk and off track. KPIs 四-4, 五-1, 五-2 and 五-3
are computed from the security app's training, SOC and duty records and the controlled
cases tagged 資安防護 (their demo data: security/demo_secops.py, tracking/demo_tags.py).
"""

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from guankao.core.demo import register_extension
from guankao.core.models import Department, DepartmentKind, User
from guankao.plans import rounds, services
from guankao.plans.jobs import compute_metrics
from guankao.plans.models import Measurement, Plan, PlanRound, Submission

YEARS = (2019, 2020, 2021, 2022)
GOALS = [
    ("一", "強化本府各處暨所屬機關前瞻及整體政策施政規劃能力"),
    ("二", "強化為民服務，回應各階層民意需求"),
    ("三", "強化重要計畫及工程追蹤管考，落實政策理念"),
    ("四", "資通安全法與相關子法之推動"),
    ("五", "強化政府基層機關資安防護及區域聯防計畫"),
    ("六", "推動各項e化服務"),
]
# goal, number, name, measure, unit, target, frequency, accumulation, direction, path, metric
KPIS = [
    (
        "一",
        "",
        "編撰及推動年度施政計畫",
        "依限完成率",
        "%",
        "100%",
        "yearly",
        "last",
        "higher",
        "flat",
        "plans.round_on_time",
    ),
    (
        "二",
        "",
        "推動本府陳情話務中心營運，整合各局處服務，回應市民市政諮詢、陳情與派工需求",
        "推動陳情話務中心持續營運順暢",
        "%",
        "100%",
        "monthly",
        "last",
        "higher",
        "flat",
        "",
    ),
    (
        "三",
        "1",
        "按月清查各項重大計畫及工程執行進度",
        "年度清查次數/12月x100%",
        "%",
        "100%",
        "monthly",
        "ratio",
        "higher",
        "flat",
        "tracking.monthly_review",
    ),
    (
        "三",
        "2",
        "推動一般性補助款基本設施列管追蹤",
        "配合行政院國家發展委員會推動管考之相關措施",
        "%",
        "100%",
        "quarterly",
        "ratio",
        "higher",
        "flat",
        "tracking.grant_reports_on_time",
    ),
    # seccore: KPIs 四-1..3 are computed by the security app's metrics
    (
        "四",
        "1",
        "資安事件發生次數",
        "次/年",
        "次",
        "≦3",
        "monthly",
        "sum",
        "lower",
        "flat",
        "security.incidents",
    ),
    (
        "四",
        "2",
        "資安內部稽核",
        "次/年",
        "次",
        "≧1",
        "yearly",
        "sum",
        "higher",
        "flat",
        "security.internal_audits",
    ),
    (
        "四",
        "3",
        "機房維運服務發生中斷次數",
        "次/年",
        "次",
        "≦4",
        "monthly",
        "sum",
        "lower",
        "flat",
        "security.unplanned_outages",
    ),
    (
        "四",
        "4",
        "每年資訊安全教育訓練目標時數3小時",
        "府內員工受訓人數/府內員工人數",
        "%",
        "≧80%",
        "quarterly",
        "last",
        "higher",
        "linear",
        "security.training_coverage",  # secops: bound to the records
    ),
    (
        "五",
        "1",
        "建置區域聯防ISAC及SOC監控機制",
        "監控服務點",
        "點",
        "≧11",
        "quarterly",
        "last",
        "higher",
        "flat",
        "security.soc_points",  # secops: bound to the records
    ),
    (
        "五",
        "2",
        "強化資安防護縱深及創新服務整合",
        "依限完成率",
        "%",
        "100%",
        "quarterly",
        "ratio",
        "higher",
        "flat",
        "tracking.tagged_milestones_on_time",  # secops: bound to the records
    ),
    (
        "五",
        "3",
        "遵循資通安全管理法相關法令應辦事項",
        "依限完成率",
        "%",
        "100%",
        "quarterly",
        "ratio",
        "higher",
        "flat",
        "security.duties_on_time",  # secops: bound to the records
    ),
    (
        "六",
        "1",
        "辦理推動民眾上網推廣計畫",
        "受訓人次",
        "人次",
        "≧4000",
        "monthly",
        "sum",
        "higher",
        "linear",
        "",
    ),
    (
        "六",
        "2",
        "辦理開放文書格式(ODF)推廣計畫",
        "辦理場次",
        "場次",
        "≧15",
        "monthly",
        "sum",
        "higher",
        "linear",
        "",
    ),
]


def _monthly(total: int, months: int = 12) -> list[int]:
    base, extra = divmod(total, months)
    return [base + (1 if m < extra else 0) for m in range(months)]


# Per KPI (by list index) and year: period values, or (numerator, denominator) pairs.
def _series(index: int, year: int):
    bad = {2019: 4, 2020: 2, 2021: 1, 2022: 3}
    if index == 1:  # 話務中心 monthly availability %
        return [100] * 12 if year != 2021 else [100] * 7 + [96] + [100] * 4
    if index == 4:  # incidents by month
        months = [0] * 12
        for m in range(bad[year]):
            months[(m * 5 + 1) % 12] += 1
        return months
    if index == 5:
        return [1 if year != 2021 else 2]
    if index == 6:
        return [0] * 11 + [1] if year != 2022 else [1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0]
    if index == 7:  # share trained so far, by quarter
        return {
            2019: [20, 45, 70, 86],
            2020: [15, 40, 62, 78],
            2021: [25, 50, 75, 90],
            2022: [10, 30, 60, 82],
        }[year]
    if index == 8:
        return {
            2019: [6, 8, 9, 11],
            2020: [11, 11, 12, 12],
            2021: [12, 12, 13, 13],
            2022: [12, 12, 13, 14],
        }[year]
    if index in (9, 10):
        if index == 9 and year == 2022:
            return []
        return (
            [(5, 5), (4, 4), (6, 6), (5, 5)]
            if year != 2021 or index == 9
            else [(5, 5), (4, 5), (6, 6), (5, 5)]
        )
    if index == 11:  # 111 is back-loaded: off track at mid-year, short at year end
        if year == 2022:
            return [100, 100, 150, 200, 250, 300, 450, 450, 450, 450, 500, 500]
        return _monthly({2019: 4210, 2020: 3400, 2021: 4100}[year])
    if index == 12:
        return _monthly({2019: 16, 2020: 12, 2021: 18, 2022: 16}[year])
    return []


@register_extension
@transaction.atomic
def load() -> Plan | None:
    """Load the seed plan once; None if it is there already."""
    officer, liaison, head = (
        User.objects.get(username=u) for u in ("officer", "st.liaison", "st.head")
    )
    department = Department.objects.get(code="ST")
    if Plan.objects.filter(department=department, kind=Plan.Kind.MIDTERM, first_year=2019).exists():
        return None
    plan = services.plan_create(
        actor=officer,
        department=department,
        kind=Plan.Kind.MIDTERM,
        title="嘉義市政府智慧科技處中程(108至111年度)施政計畫",
        first_year=2019,
        last_year=2022,
    )
    goals = {
        number: services.goal_create(actor=officer, plan=plan, number=number, title=title, order=i)
        for i, (number, title) in enumerate(GOALS, start=1)
    }
    for index, row in enumerate(KPIS):
        goal, number, name, measure, unit, target, freq, acc, direction, path, metric = row
        kpi = services.kpi_create(
            actor=officer,
            goal=goals[goal],
            number=number,
            name=name,
            measure=measure,
            unit=unit,
            frequency=freq,
            accumulation=acc,
            direction=direction,
            path=path,
            metric_key=metric,
            order=index,
            targets=dict.fromkeys(YEARS, target),
        )
        if not metric:
            _measure(kpi, index, liaison, head)
    _rounds(officer)
    compute_metrics(timezone.now())
    return plan


def _measure(kpi, index: int, liaison: User, head: User) -> None:
    for year in YEARS:
        for period, value in enumerate(_series(index, year), start=1):
            data = (
                {"numerator": value[0], "denominator": value[1], "value": 0}
                if isinstance(value, tuple)
                else {"value": value}
            )
            m = services.measurement_record(
                actor=liaison, kpi=kpi, year=year, period=period, note="", **data
            )
            services.measurement_approve(actor=head, measurement_id=m.pk)
    if index == 11:  # one correction, kept as a revision: 111/03 trainees re-counted
        services.measurement_record(
            actor=liaison, kpi=kpi, year=2022, period=3, value=Decimal(160), note="重新清點簽到表"
        )
        latest = Measurement.objects.get(kpi=kpi, year=2022, period=3, latest=True)
        services.measurement_approve(actor=head, measurement_id=latest.pk)


def _rounds(officer: User) -> None:
    """KPI 一's records: four annual plan rounds; one plan late in 109, one missing in 111.

    The rounds are opened through the service; how each ended (years ago) is back-filled
    as it happened, since the service stamps submissions with the current time."""
    departments = list(
        Department.objects.filter(kind=DepartmentKind.OFFICE, active=True).order_by("path")[:8]
    )
    for year in YEARS:
        plan_round = rounds.round_open(
            actor=officer, year=year, deadline=dt.date(year, 1, 31), departments=departments
        )
        for i, submission in enumerate(
            Submission.objects.filter(plan_round=plan_round).select_related("plan", "department")
        ):
            if year == 2022 and i == 7:
                continue  # never submitted
            on_time = not (year == 2020 and i == 3)
            when = timezone.make_aware(
                dt.datetime(year, 1 if on_time else 2, 20 if on_time else 10, 10)
            )
            Plan.objects.filter(pk=submission.plan_id).update(status=Plan.Status.ACCEPTED)
            Submission.objects.filter(pk=submission.pk).update(
                first_submitted_at=when, submitted_at=when, decided_at=when
            )
        PlanRound.objects.filter(pk=plan_round.pk).update(
            opened_at=timezone.make_aware(dt.datetime(year, 1, 2, 9, 0))
        )


# This term's plans, for every department with a liaison (registered after the seed plan).
from guankao.plans import demo_current  # noqa: E402, F401
