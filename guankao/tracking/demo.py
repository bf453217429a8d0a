"""The demo city's controlled cases, loaded through the services.

- KPI 三's records for ROC 108–111: a control meeting held every month except 110/11
  (三-1: 91.67% in 110, 100% otherwise), and three 一般性補助款 基本設施 items a year
  reporting monthly, one of them late for 109/08 (三-2: 97.22% in 109, 100% otherwise).
- This year's register, relative to today: public works around Chiayi with coordinates,
  programmes, grants and directives of several departments; on schedule, behind,
  seriously behind, behind on money, one that will finish late, overdue reports, a report
  awaiting approval, a release request and a released item; last month's meeting held with
  a decision that became a directive, and this month's meeting open.
"""

import datetime as dt
import math

from django.db import transaction
from django.utils import timezone

from guankao.core import audit, jobs
from guankao.core.demo import register_extension
from guankao.core.models import AuditEntry, Department, User
from guankao.lib import workdays
from guankao.lib.roc import format_roc_month, roc_year
from guankao.tracking import baselines, meetings, release, reporting, services
from guankao.tracking.models import Item, Meeting, Report

HISTORY = (2019, 2020, 2021, 2022)
S_CURVE = [2, 5, 10, 18, 28, 40, 52, 64, 75, 85, 93, 100]  # cumulative % by month
GRANT_TITLES = ["市區道路人行環境改善", "社區公園及綠地改善", "老舊排水設施改善"]

# number, kind, department, title, budget, lat, lon, (planned, actual) this month − 1, money share
CURRENT = [
    ("W-01", "works", "PW", "民族路人行道改善工程", 18_000_000, 23.4801, 120.4491, (70, 68), 0.95),
    (
        "W-02",
        "works",
        "PW",
        "嘉義公園周邊道路拓寬工程",
        42_000_000,
        23.4833,
        120.4658,
        (60, 44),
        0.7,
    ),
    ("W-03", "works", "PW", "興業西路排水改善工程", 9_500_000, 23.4712, 120.4302, (80, 73), 0.9),
    ("W-04", "works", "PW", "北門驛周邊景觀工程", 6_200_000, 23.4862, 120.4560, (55, 56), 0.6),
    ("W-05", "works", "PW", "文化路夜市人行空間工程", 12_800_000, 23.4785, 120.4492, (45, 45), 0.9),
    ("W-06", "works", "PW", "八掌溪堤防步道工程", 31_000_000, 23.4620, 120.4615, (35, 22), 0.8),
    (
        "W-07",
        "works",
        "PW",
        "東區里民活動中心新建工程",
        7_400_000,
        23.4750,
        120.4700,
        (90, 90),
        0.95,
    ),
    (
        "G-01",
        "basic_grant",
        "PW",
        "115年一般性補助款 市區道路人行環境改善",
        15_000_000,
        23.4760,
        120.4400,
        (65, 61),
        0.85,
    ),
    ("G-02", "grant", "SOC", "長照服務據點整建計畫", 8_000_000, 23.4890, 120.4470, (50, 50), 0.9),
    ("P-01", "major", "ST", "智慧城市物聯網感測建置計畫", 25_000_000, None, None, (60, 58), 0.85),
    (
        "P-02",
        "major",
        "ST",
        "嘉義市資安區域聯防(ISAC/SOC)計畫",
        9_000_000,
        None,
        None,
        (70, 70),
        0.9,
    ),
]
DIRECTIVES = [
    ("D-01", "mayor", "PW", "檢討市區停車格配置並提出改善方案"),
    ("D-02", "resolution", "ST", "議會決議：推動市民卡整合行動支付"),
    ("D-03", "control_yuan", "SOC", "監察院調查案：社福機構查核改善情形"),
    ("D-04", "disaster", "PW", "防災會報：汛期前完成側溝清淤"),
]


def _months_back(today: dt.date, count: int) -> list[tuple[int, int]]:
    """The `count` months up to and including last month, oldest first."""
    year, month = services.previous_month(today.year, today.month)
    months = []
    for _ in range(count):
        months.append((year, month))
        year, month = services.previous_month(year, month)
    return months[::-1]


def _s(x: float) -> float:
    """A logistic S-curve from 0 at x = 0 to 1 at x = 1, as works progress."""
    low, high = (1 / (1 + math.exp(-10 * (v - 0.5))) for v in (0, 1))
    return (1 / (1 + math.exp(-10 * (x - 0.5))) - low) / (high - low)


def _duration(planned: int, months: int) -> int:
    """Months of work such that the S-curve plan stands at `planned` % after `months`."""
    return next(d for d in range(months, 120) if _s(months / d) * 100 <= planned)


def _plan(planned: int, actual: int, months: int) -> list[tuple[int, int]]:
    """(planned %, actual %) of each month: the S-curve plan, the actual in proportion."""
    d = _duration(planned, months)
    return [
        (round(_s(i / d) * 100), round(_s(i / d) * 100 * actual / planned))
        for i in range(1, months + 1)
    ]


def _finish(first: tuple[int, int], months: int) -> dt.date:
    year, month = first
    for _ in range(months - 1):
        year, month = services.next_month(year, month)
    return services.month_end(year, month)


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime(day.year, day.month, day.day, hour))


def _filed_on(year: int, month: int, late: bool = False) -> dt.date:
    due = services.report_due(year, month)
    return due + dt.timedelta(days=3) if late else due - dt.timedelta(days=2)


def _baseline(item: Item, officer: User, proposer: User, rows: list[tuple], note: str) -> None:
    """The item's approved baseline from (year, month, planned %, planned spending)."""
    text = "\n".join(f"{format_roc_month(y, m)} {p} {money}" for y, m, p, money in rows)
    proposed = baselines.baseline_propose(
        actor=proposer, item=item, method="typed", months_text=text
    )
    baselines.baseline_approve(actor=officer, baseline=proposed, note=note)
    item.refresh_from_db()


def _curve_rows(first: tuple[int, int], duration: int, budget: int) -> list[tuple]:
    """The demo's S-curve plan month by month (the same figures its reports show)."""
    rows, (year, month) = [], first
    for i in range(1, duration + 1):
        planned = round(_s(i / duration) * 100)
        rows.append((year, month, planned, budget * planned // 100))
        year, month = services.next_month(year, month)
    return rows


# Milestones of a works case: (title, share of the planned duration).
MILESTONES = [("開工", 0.1), ("基礎工程完成", 0.4), ("主體結構完成", 0.7), ("完工驗收", 1.0)]
# Lag reason categories and countermeasures of the demo's cases that are behind.
REASONS = {
    "W-01": ["weather"],
    "W-02": ["land", "utilities"],
    "W-03": ["contractor"],
    "W-06": ["utilities", "weather"],
    "G-01": ["budget"],
    "P-01": ["administrative"],
}


def _milestones(item: Item, liaison: User, first: tuple[int, int], duration: int) -> None:
    for title, share in MILESTONES:
        year, month = first
        for _ in range(max(round(share * duration), 1) - 1):
            year, month = services.next_month(year, month)
        services.milestone_add(
            actor=liaison, item=item, title=title, due=services.month_end(year, month)
        )


def _milestone_updates(item: Item, year: int, month: int, behind: bool) -> dict:
    """Milestones due by the month's end: done on their due date, or (a case behind, in
    its last month) late with a reason."""
    end = services.month_end(year, month)
    updates = {}
    for m in item.milestones.filter(done_on__isnull=True, due__lte=end):
        if behind and m.due.month == month and m.due.year == year:
            updates[m.pk] = {"late_reason": "受用地及管線遷移影響，預計下月完成。"}
        else:
            updates[m.pk] = {"done_on": m.due}
    return updates


def _backdate(item: Item, day: dt.date) -> None:
    Item.objects.filter(pk=item.pk).update(created_at=_at(day, 9))


@register_extension
@transaction.atomic
def load() -> bool:
    if Item.objects.exists():
        return False
    people = {
        u.username: u
        for u in User.objects.filter(
            username__in=[
                "officer",
                "pw.liaison",
                "pw.head",
                "st.liaison",
                "st.head",
                "soc.liaison",
            ]
        )
    }
    _history(people)
    _current(people)
    # KPI 三 of the demo plan is bound to these records: compute its values now rather
    # than at the worker's next hourly run (through the job registry: no plans import).
    # The worker's chasing too, so that the board shows last month's overdue reports.
    jobs.run_once(timezone.now(), ["tracking.chase", "plans.compute_metrics"])
    return True


def _history(people) -> None:
    officer, liaison, head = people["officer"], people["pw.liaison"], people["pw.head"]
    pw = Department.objects.get(code="PW")
    for year in HISTORY:
        for month in range(1, 13):
            if (year, month) == (2021, 11):
                continue  # 110/11: the review was not held
            meeting = Meeting.objects.create(
                year=year,
                month=month,
                held_on=dt.date(year, month, 20),
                opened_by=officer,
                title=meetings.default_title(year, month),
                minutes="各列管案件進度報告，均依決議辦理。",
                status=Meeting.Status.HELD,
                closed_at=_at(dt.date(year, month, 20), 17),
            )
            Meeting.objects.filter(pk=meeting.pk).update(created_at=_at(dt.date(year, month, 1)))
        for n, title in enumerate(GRANT_TITLES, 1):
            item = services.item_create(
                actor=liaison,
                kind="basic_grant",
                number=f"BG{roc_year(year)}-{n:02d}",
                title=f"{roc_year(year)}年一般性補助款 {title}",
                lead=pw,
                grant_source="國家發展委員會",
                grant_amount=4_000_000,
                matching_funds=1_000_000,
                budget_total=5_000_000,
                start_date=dt.date(year, 1, 1),
                finish_date=dt.date(year, 12, 31),
            )
            _backdate(item, dt.date(year, 1, 2))
            rows = [(year, m, pct, 50_000 * pct) for m, pct in enumerate(S_CURVE, 1)]
            _baseline(item, officer, liaison, rows, "依核定計畫")
            _migrated_reports(item, year, n, liaison, head)
            release.release_request(
                actor=liaison,
                item=item,
                result="工程完工驗收，核銷完畢。",
                completed_on=dt.date(year, 12, 20),
                exception_reason="舊系統移轉案件，驗收紀錄及照片存於紙本卷宗。",
            )
            item = release.release_approve(
                actor=officer, item=item, note="同意解除列管（紙本驗收紀錄已查核）"
            )
            Item.objects.filter(pk=item.pk).update(released_at=_at(dt.date(year + 1, 1, 15)))


def _migrated_reports(item: Item, year: int, n: int, liaison: User, head: User) -> None:
    """ROC 108–111 reports as migrated from the old system: approved, inserted at once,
    with one audit entry for the migration (the current year's go through the services)."""
    reports = []
    for month, pct in enumerate(S_CURVE, 1):
        due = services.report_due(year, month)
        filed = _filed_on(year, month, late=(year, month, n) == (2020, 8, 2))
        reports.append(
            Report(
                item=item,
                year=year,
                month=month,
                state=Report.State.APPROVED,
                planned=pct,
                actual=pct,
                money_planned=50_000 * pct,
                baseline=item.baseline,
                money_spent=48_000 * pct,
                work_done="依進度施工",
                due_on=due,
                late=filed > due,
                filed_by=liaison,
                filed_at=_at(filed),
                review_due=workdays.add_working_days(filed, 7),
                reviewed_by=head,
                reviewed_at=_at(filed, 16),
            )
        )
    Report.objects.bulk_create(reports)
    services.refresh(item, today=dt.date(year, 12, 31))
    audit.record(
        actor=liaison,
        action=AuditEntry.Action.IMPORT,
        obj=item,
        department=item.lead,
        note=f"{len(reports)} monthly reports migrated from the previous control system",
    )


def _staff(people, code: str) -> tuple[User, User | None]:
    liaison = people[{"PW": "pw.liaison", "ST": "st.liaison", "SOC": "soc.liaison"}[code]]
    head = people.get({"PW": "pw.head", "ST": "st.head"}.get(code, ""))
    return liaison, head


def _current(people) -> None:
    today = timezone.localdate()
    months = _months_back(today, 10)
    start = dt.date(*months[0], 1)
    items = {}
    for number, kind, code, title, budget, lat, lon, (planned, actual), share in CURRENT:
        liaison, head = _staff(people, code)
        item = services.item_create(
            actor=liaison,
            kind=kind,
            number=f"{roc_year(today.year)}-{number}",
            title=title,
            lead=Department.objects.get(code=code),
            budget_total=budget,
            budget_year=budget * 6 // 10,
            latitude=lat,
            longitude=lon,
            start_date=start,
            finish_date=_finish(months[0], _duration(planned, len(months))),
            tender_number=f"{code}{roc_year(today.year)}{number[-2:]}" if kind == "works" else "",
            contractor="嘉義營造股份有限公司" if kind == "works" else "",
            contract_sum=budget * 9 // 10 if kind == "works" else None,
            site_address="嘉義市東區" if lon and lon > 120.45 else "嘉義市西區" if lon else "",
            grant_source="國家發展委員會" if kind in ("grant", "basic_grant") else "",
            grant_amount=budget * 8 // 10 if kind in ("grant", "basic_grant") else None,
        )
        _backdate(item, start)
        duration = _duration(planned, len(months))
        _baseline(
            item, people["officer"], liaison, _curve_rows(months[0], duration, budget), "核定"
        )
        if kind == "works":
            _milestones(item, liaison, months[0], duration)
        items[number] = item
        skip_last = number in ("W-05", "P-02")  # last month's report is missing: chased
        for i, ((year, month), (p, a)) in enumerate(
            zip(months, _plan(planned, actual, len(months)), strict=True)
        ):
            last = i == len(months) - 1
            if last and skip_last:
                break
            report = reporting.report_file(
                actor=liaison,
                item=item,
                year=year,
                month=month,
                now=_at(min(_filed_on(year, month, late=last and number == "W-02"), today)),
                actual=a,
                money_spent=int(budget * a // 100 * share),
                work_done="依進度施工，完成本月工項。",
                problems="用地取得延宕，管線單位遷移排程未定。" if a < p else "",
                countermeasures="已協調地主及管線單位，增派人力趕工。" if a < p else "",
                lag_reason="雨季停工及用地協調延宕" if a < p else "",
                lag_categories=REASONS.get(number, ["other"]) if a < p else [],
                milestones=_milestone_updates(item, year, month, behind=last and a < p),
            )
            if head and not (last and number in ("W-03", "G-01")):  # two await approval
                reporting.report_approve(actor=head, report=report, note="")
    for number, kind, code, title in DIRECTIVES:
        liaison, head = _staff(people, code)
        item = services.item_create(
            actor=people["officer"],
            kind=kind,
            number=f"{roc_year(today.year)}-{number}",
            title=title,
            lead=Department.objects.get(code=code),
            due_date=today + dt.timedelta(days=45)
            if number != "D-04"
            else today - dt.timedelta(days=10),
        )
        _backdate(item, start)
        year, month = months[-1]
        if number != "D-03":
            reporting.report_file(
                actor=liaison,
                item=item,
                year=year,
                month=month,
                now=_at(min(_filed_on(year, month), today)),
                work_done="召開研商會議",
                handling=Report.Handling.IN_PROGRESS,
                result="已完成初步方案，持續辦理。",
            )
    release.release_request(
        actor=people["pw.liaison"],
        item=items["W-07"],
        result="工程已完工，驗收合格。",
        completed_on=today - dt.timedelta(days=5),
        exception_reason="已完工驗收，驗收紀錄正由廠商補正用印；PCMS 結算進度尚未更新為 100%。",
    )
    _meetings(people, months, today)


def _meetings(people, months, today) -> None:
    officer = people["officer"]
    for year, month in months[:-1]:
        Meeting.objects.create(
            year=year,
            month=month,
            held_on=dt.date(year, month, 20),
            opened_by=officer,
            title=meetings.default_title(year, month),
            minutes="各案依決議列管。",
            status=Meeting.Status.HELD,
            closed_at=_at(dt.date(year, month, 20), 17),
        )
    year, month = months[-1]
    last = meetings.meeting_open(
        actor=officer, year=year, month=month, held_on=dt.date(year, month, 20), chair="黃市長"
    )
    entry = last.agenda.order_by("order").first()
    if entry is not None:
        meetings.decision_record(
            actor=officer,
            meeting=last,
            entry=entry,
            department=entry.item.lead,
            text=f"請{entry.item.lead.name}於一個月內提出趕工計畫並按週回報。",
            due=max(dt.date(year, month, 20), today) + dt.timedelta(days=30),
        )
    Meeting.objects.filter(pk=last.pk).update(
        status=Meeting.Status.HELD,
        minutes="會議決議如列管事項。",
        closed_at=_at(dt.date(year, month, 20), 17),
    )
    meetings.meeting_open(
        actor=officer, year=today.year, month=today.month, held_on=today + dt.timedelta(days=7)
    )


# secops: the demo cases tagged 資安防護 (KPI 五-2), loaded after the cases above
from guankao.tracking import demo_tags  # noqa: E402, F401
