"""The demo's current term: a mid-term plan from last year on for 工務處, 社會處 and
智慧科技處 with values up to now, so that every liaison has values to enter, to correct
or overdue, every head values to approve, and this year's scorecard shows on track, at
risk and off track. Loaded after the seed plan (guankao/plans/demo.py imports it)."""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from guankao.core.demo import register_extension
from guankao.core.models import Department, User
from guankao.lib.roc import roc_year
from guankao.plans import services
from guankao.plans.models import Plan
from guankao.plans.selectors import period_end

# department: liaison, approver, goal, [(number, name, measure, unit, target, freq, acc,
# direction, path, value of the i-th period, what the newest periods show)]
# The newest ended period is always left for the liaison (due soon, or overdue late in
# the month); "submitted": the one before waits for the head; "returned": the head sent
# it back; "missing": nobody entered it (overdue).
CURRENT = {
    "PW": (
        "pw.liaison",
        "pw.head",
        "提升道路及排水設施品質",
        [
            (
                "1",
                "道路坑洞查報後7日內修復率",
                "7日內修復件數/查報件數×100%",
                "%",
                "≧95%",
                "monthly",
                "ratio",
                "higher",
                "flat",
                lambda i: (46 + i % 3, 48),
                "submitted",
            ),
            (
                "2",
                "側溝清淤長度",
                "清淤公尺數/年",
                "公尺",
                "≧12000",
                "monthly",
                "sum",
                "higher",
                "linear",
                lambda i: 860 + (i % 4) * 20,
                "returned",
            ),
            (
                "3",
                "公共工程施工查核合格率",
                "查核合格件數/查核件數×100%",
                "%",
                "≧90%",
                "quarterly",
                "ratio",
                "higher",
                "flat",
                lambda i: (16, 20),
                "missing",
            ),
        ],
    ),
    "SOC": (
        "soc.liaison",
        "admin",  # 社會處 has no head in the demo: the administrator approves its values
        "健全社會安全網",
        [
            (
                "1",
                "長照服務據點數",
                "累計設置據點數",
                "處",
                "≧40",
                "quarterly",
                "last",
                "higher",
                "flat",
                lambda i: 34 + i,
                "",
            ),
            (
                "2",
                "低收入戶家庭訪視完成率",
                "訪視戶數/列冊戶數×100%",
                "%",
                "≧95%",
                "monthly",
                "ratio",
                "higher",
                "flat",
                lambda i: (28 + i % 2, 30),
                "missing",
            ),
        ],
    ),
    "ST": (
        "st.liaison",
        "st.head",
        "推動智慧城市及資通安全",
        [
            (
                "1",
                "資安事件發生次數",
                "次/年",
                "次",
                "≦3",
                "monthly",
                "sum",
                "lower",
                "flat",
                lambda i: 1 if i % 7 == 2 else 0,
                "",
            ),
            (
                "2",
                "民眾上網推廣受訓人次",
                "受訓人次",
                "人次",
                "≧4000",
                "monthly",
                "sum",
                "higher",
                "linear",
                lambda i: 180 + (i % 3) * 10,
                "submitted",
            ),
        ],
    ),
}


def _ended_periods(kpi, first_year: int, today: dt.date) -> list[tuple[int, int]]:
    out = []
    for year in range(first_year, today.year + 1):
        for period in range(1, kpi.periods_per_year + 1):
            if period_end(kpi, year, period) < today:
                out.append((year, period))
    return out


@register_extension
@transaction.atomic
def load_current() -> bool:
    """A mid-term plan from last year on for 工務處, 社會處 and 智慧科技處, with values up to
    now: each liaison has values to enter, to correct or overdue; each head values to
    approve; the year's scorecard shows on track, at risk and off track."""
    today = timezone.localdate()
    first = today.year - 1
    if Plan.objects.filter(kind=Plan.Kind.MIDTERM, first_year=first).exists():
        return False
    officer = User.objects.get(username="officer")
    for code, (liaison_name, approver_name, goal_title, kpis) in CURRENT.items():
        department = Department.objects.get(code=code)
        liaison, approver = (User.objects.get(username=u) for u in (liaison_name, approver_name))
        plan = services.plan_create(
            actor=officer,
            department=department,
            kind=Plan.Kind.MIDTERM,
            title=f"嘉義市政府{department.name}中程"
            f"({roc_year(first)}至{roc_year(first + 3)}年度)施政計畫",
            first_year=first,
            last_year=first + 3,
        )
        Plan.objects.filter(pk=plan.pk).update(status=Plan.Status.ACCEPTED)
        goal = services.goal_create(actor=officer, plan=plan, number="一", title=goal_title)
        for order, row in enumerate(kpis):
            number, name, measure, unit, target, freq, acc, direction, path, series, end = row
            kpi = services.kpi_create(
                actor=officer,
                goal=goal,
                number=number,
                name=name,
                measure=measure,
                unit=unit,
                frequency=freq,
                accumulation=acc,
                direction=direction,
                path=path,
                order=order,
                targets=dict.fromkeys(range(first, first + 4), target),
            )
            _current_values(kpi, series, end, first, today, liaison, approver)
    return True


def _current_values(kpi, series, end: str, first: int, today, liaison, approver) -> None:
    periods = _ended_periods(kpi, first, today)[:-1]  # the newest is left to the liaison
    for i, (year, period) in enumerate(periods):
        last = i == len(periods) - 1
        if last and end == "missing":
            break
        value = series(i)
        data = (
            {"numerator": value[0], "denominator": value[1], "value": 0}
            if isinstance(value, tuple)
            else {"value": value}
        )
        m = services.measurement_record(
            actor=liaison, kpi=kpi, year=year, period=period, note="", **data
        )
        if last and end == "submitted":
            continue
        if last and end == "returned":
            services.measurement_return(
                actor=approver, measurement_id=m.pk, reason="請補附佐證資料（施工照片）後再送。"
            )
            continue
        services.measurement_approve(actor=approver, measurement_id=m.pk)
