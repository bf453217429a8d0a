"""Migrate an empty database and fill it with a city's controlled cases: the tracking
benchmark's data.

40 departments (a small tree, from seed.py), each with a head, one to three liaisons and a
few other staff; an executive reader (city-wide) with a logged-in session. 10,000 items
(--items) of every kind, mostly public works, major programmes and central grants, some
directives and resolutions, led by departments of very different sizes, each with 48
monthly reports (--months; 480,000 reports): percentages on an S-curve plan for works,
programmes and grants, taken from each one's approved baseline (the same S-curve, one
row a month) (about 6% seriously behind, 14% behind, the rest on time, 10% behind
on money), a handling status for the rest. Reports are approved, some filed late; part of
last month's are still awaiting approval, some past the review deadline. About 10% of the
open items have not filed last month's report yet (their 48 months end the month before):
the worker's chasing. About 9% are released and 3% ask to be released or were returned.

The computed fields of every item (lag, money lag, last_*, forecast) are worked out here
from the generated reports as `services.refresh` does, not by calling it 10,000 times, and
risk by one UPDATE with `services.risk_expression`; `--check` items drawn at random are
then refreshed for real (rolled back) and compared field by field. No chasing has happened
yet: no Chase rows, report_overdue false everywhere.
Everything is written with bulk_create; on PostgreSQL the tables are ANALYZEd at the end.

Run by tracking.py with the GUANKAO_* environment of the server under test. Prints one JSON
line, {"session": ..., "items": n, "reports": n, "seed_seconds": s, ...}, last.

    GUANKAO_DATABASE_URL=... GUANKAO_SECRET_KEY=... python bench/seed_tracking.py --items 10000
"""

import argparse
import datetime as dt
import json
import math
import os
import random
import sys
import time
from collections import Counter
from decimal import Decimal

from seed import seed_departments

# kind: weight (percent). Works, programmes and grants report percentages.
KINDS = {
    "works": 40,
    "major": 18,
    "grant": 15,
    "basic_grant": 7,
    "meeting": 6,
    "mayor": 5,
    "resolution": 4,
    "control_yuan": 1,
    "overseas": 2,
    "disaster": 2,
}
PROGRESS = {"works", "major", "grant", "basic_grant"}
PREFIX = {
    "works": "W",
    "major": "M",
    "grant": "G",
    "basic_grant": "B",
    "meeting": "D",
    "mayor": "D",
    "resolution": "R",
    "control_yuan": "C",
    "overseas": "O",
    "disaster": "S",
}
# Of progress items: the lag of the latest report (weights, percent).
LAGS = {"serious": 6, "behind": 14, "on_time": 80}
SLIPPING = 0.12  # of those on time: slower than the plan lately (the early warning)
MONEY_BEHIND = 0.10  # share of progress items spending under 80% of plan
STATUS = {"active": 88, "release_requested": 2, "returned": 1, "released": 9}
MISSING_LAST_MONTH = 0.10  # of open items: last month's report not filed yet
AWAITING = 0.30  # of last month's reports: not yet approved
LATE = 0.08  # of reports: filed after the due day
CO_DEPARTMENTS = 0.20  # of items: one or two co-departments
LOCATED = 0.75  # of works, programmes and grants: with coordinates
NAMES = [
    "工務處",
    "建設處",
    "社會處",
    "教育處",
    "財政處",
    "行政處",
    "民政處",
    "環境保護局",
    "文化局",
    "地政處",
    "交通處",
    "智慧科技處",
    "衛生局",
    "警察局",
    "消防局",
    "人事處",
    "主計處",
    "政風處",
    "觀光新聞處",
    "經濟處",
]
ROADS = [
    "民族路",
    "中山路",
    "垂楊路",
    "忠孝路",
    "友愛路",
    "林森西路",
    "北港路",
    "世賢路",
    "博愛路",
    "興業西路",
    "吳鳳北路",
    "新民路",
    "彌陀路",
    "仁愛路",
    "光彩街",
    "蘭井街",
]
WORKS = [
    "人行道改善工程",
    "排水改善工程",
    "道路拓寬工程",
    "路面更新工程",
    "公園新建工程",
    "橋梁耐震補強工程",
    "共同管道工程",
    "自行車道工程",
    "校舍改建工程",
    "停車場新建工程",
]
PROGRAMMES = [
    "智慧城市推動計畫",
    "長照據點擴充計畫",
    "社會住宅興建計畫",
    "數位轉型計畫",
    "文化資產活化計畫",
    "低碳城市推動計畫",
    "韌性防災計畫",
    "觀光亮點計畫",
]
DIRECTIVES = [
    "市區停車格檢討",
    "路燈全面汰換LED",
    "公有市場整建規劃",
    "校園午餐品質查核",
    "颱風災後復原追蹤",
    "觀光活動檢討",
    "交通號誌時制調整",
    "違章建築清查",
]
LAG_REASONS = ["雨天停工", "管線遷移延宕", "用地取得延宕", "廠商人力不足", "變更設計審查中"]
D = Decimal
HUNDRED = D(100)


def pick(rng: random.Random, weights: dict) -> str:
    return rng.choices(list(weights), list(weights.values()))[0]


def months_back(end: tuple[int, int], count: int) -> list[tuple[int, int]]:
    year, month = end
    out = []
    for _ in range(count):
        out.append((year, month))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return out[::-1]


def shift(ym: tuple[int, int], months: int) -> tuple[int, int]:
    index = ym[0] * 12 + ym[1] - 1 + months
    return index // 12, index % 12 + 1


def s_curve(x: float) -> float:
    """Planned share of the work at x (0 = start, 1 = planned finish): a logistic from 1% to
    99% over the plan (the forecast's own model), then done."""
    return 1.0 if x >= 1 else 1 / (1 + math.exp(-2 * math.log(99) * (x - 0.5)))


def pct(value: float) -> Decimal:
    return D(str(round(min(max(value, 0.0), 100.0), 2)))


class City:
    """The people and calendars the generator needs, worked out once."""

    def __init__(self, rng, rules, services, workdays, departments, liaisons, heads, tz):
        self.rng, self.rules, self.services, self.workdays = rng, rules, services, workdays
        self.departments, self.liaisons, self.heads, self.tz = departments, liaisons, heads, tz
        self._due, self._review = {}, {}

    def due(self, year: int, month: int) -> dt.date:
        if (year, month) not in self._due:
            self._due[year, month] = self.services.report_due(year, month, self.rules)
        return self._due[year, month]

    def review_due(self, day: dt.date) -> dt.date:
        if day not in self._review:
            self._review[day] = self.workdays.add_working_days(day, self.rules.review_workdays)
        return self._review[day]

    def at(self, day: dt.date, hour: int = 10) -> dt.datetime:
        return dt.datetime(
            day.year, day.month, day.day, hour, self.rng.randrange(60), tzinfo=self.tz
        )


def item_fields(rng, kind: str, index: int, lead, start: tuple, end: tuple, months: int) -> dict:
    """An item's own (typed) fields."""
    roc = start[0] - 1911
    number = f"{PREFIX[kind]}-{roc}-{index:05d}"
    fields = {"number": number, "kind": kind, "lead": lead, "start_date": dt.date(*start, 1)}
    if kind in ("works", "grant", "basic_grant"):
        fields["title"] = f"{rng.choice(ROADS)}{rng.choice(WORKS)}（{number}）"
    elif kind == "major":
        fields["title"] = f"{lead.name}{rng.choice(PROGRAMMES)}（{number}）"
    else:
        fields["title"] = f"{rng.choice(DIRECTIVES)}（{number}）"
    if kind in PROGRESS:
        low, high = {"works": (1e6, 3e8), "major": (1e7, 2e9)}.get(kind, (5e6, 1.5e8))
        total = int(math.exp(rng.uniform(math.log(low), math.log(high))) // 1000 * 1000)
        fields |= {"budget_total": total, "budget_year": total // rng.randint(2, 5)}
        finish = shift(start, months)
        fields["finish_date"] = dt.date(*finish, 1) - dt.timedelta(days=1)
        if rng.random() < LOCATED:
            fields["latitude"] = D(f"{rng.uniform(23.44, 23.52):.6f}")
            fields["longitude"] = D(f"{rng.uniform(120.40, 120.49):.6f}")
            fields["site_address"] = f"嘉義市{rng.choice(['東區', '西區'])}{rng.choice(ROADS)}"
    if kind == "works":
        fields |= {
            "tender_number": f"PW{roc}{index:05d}",
            "contractor": f"{rng.choice(['嘉義', '諸羅', '玉山', '八掌溪'])}營造",
            "contract_sum": int(fields["budget_total"] * rng.uniform(0.85, 0.98)),
        }
    if kind in ("grant", "basic_grant"):
        grant = int(fields["budget_total"] * rng.uniform(0.5, 0.9))
        fields |= {
            "grant_source": rng.choice(["內政部", "交通部", "國家發展委員會", "環境部"]),
            "grant_amount": grant,
            "matching_funds": fields["budget_total"] - grant,
        }
    if kind not in PROGRESS:
        fields["due_date"] = dt.date(*shift(end, rng.randint(-3, 24)), 28)  # some past due
    return fields


def progress_rows(rng, count: int, months: int, lag: str, money_behind: bool, done: bool, budget):
    """planned, actual, money_planned, money_spent of `count` months of an item whose plan
    spans `months`; the last report has the lag asked for (or 100% when `done`)."""
    final_gap = {
        "serious": rng.uniform(10, 30),
        "behind": rng.uniform(0.5, 9.5),
        "on_time": rng.uniform(-3, 0),
    }[lag]
    slipping, head_start = lag == "on_time" and rng.random() < SLIPPING, rng.uniform(8, 15)
    ratio_end = rng.uniform(0.5, 0.78) if money_behind else rng.uniform(0.82, 1.0)
    rows, actual, spent = [], D(0), 0
    for k in range(1, count + 1):
        planned = pct(100 * s_curve(k / months))
        share = k / count
        gap = final_gap * share**1.5 + rng.uniform(-0.4, 0.4) * (lag != "on_time")
        if slipping:  # ahead early, now slower than the plan: on time, forecast late
            gap = -head_start * (1 - share) ** 0.5
        target = pct(float(planned) - gap)
        if done and k >= count - 1:
            target = HUNDRED
        actual = max(actual, target)  # cumulative: never below the month before
        money_planned = int(budget * float(planned) / 100) if budget else None
        if money_planned:
            ratio = 1 - (1 - ratio_end) * share if not done else 1.0
            spent = max(spent, min(int(money_planned * ratio), budget))
        rows.append((planned, actual, money_planned, spent if money_planned else None))
    if lag != "on_time" and not done:  # the cumulative floor may have closed the gap: reopen
        planned, _a, money_planned, money_spent = rows[-1]
        rows[-1] = (
            planned,
            max(pct(float(planned) - final_gap), rows[-2][1] if count > 1 else D(0)),
            money_planned,
            money_spent,
        )
    return rows


def plan_months(first: tuple[int, int], span: int, budget) -> list[list]:
    """The approved baseline the reports' planned figures come from: the same S-curve, one
    row a month from the first report to the planned finish, 100% in its last month."""
    rows = []
    for k in range(1, span + 1):
        planned = HUNDRED if k == span else pct(100 * s_curve(k / span))
        money = int(budget * float(planned) / 100) if budget else None
        rows.append([*shift(first, k - 1), str(planned), money])
    return rows


def baselines_for(items: list, officer) -> list:
    """Unsaved approved baselines (revision 0) of the progress items just inserted."""
    from guankao.tracking.models import Baseline

    return [
        Baseline(
            item=item,
            revision=0,
            state=Baseline.State.APPROVED,
            source=Baseline.Source.TYPED,
            start_date=dt.date(*item.plan[0][:2], 1),
            finish_date=item.finish_date,
            budget_total=item.budget_total,
            months=item.plan,
            proposed_by=officer,
            decided_by=officer,
        )
        for item in items
        if item.plan
    ]


def report_rows(city: City, item, window: list, figures, as_of: dt.date, current: bool) -> list:
    """The item's live report of each month of `window` (unsaved, item not yet set).
    `current`: the window ends with last month, whose report may await the head."""
    from guankao.tracking.models import Report

    rng, rules, done = city.rng, city.rules, item.status in ("released", "release_requested")
    liaisons, head = city.liaisons[item.lead.pk], city.heads[item.lead.pk]
    reports = []
    for k, (year, month) in enumerate(window):
        due = city.due(year, month)
        last = k == len(window) - 1
        late = rng.random() < LATE
        filed = (
            due - dt.timedelta(days=rng.randint(0, 4))
            if not late
            else due + dt.timedelta(days=rng.randint(1, 9))
        )
        filed = min(max(filed, dt.date(*shift((year, month), 1), 1)), as_of)  # after the month
        awaiting = last and current and item.status == "active" and rng.random() < AWAITING
        review_due = city.review_due(filed)
        row = Report(
            year=year,
            month=month,
            state="submitted" if awaiting else "approved",
            work_done=f"{month}月份依進度辦理",
            due_on=due,
            late=filed > due,
            filed_by=rng.choice(liaisons),
            filed_at=city.at(filed),
            review_due=review_due,
        )
        if not awaiting:
            reviewed = min(review_due, filed + dt.timedelta(days=rng.randint(0, 6)), as_of)
            row.reviewed_by, row.reviewed_at = head, city.at(reviewed, 16)
        if figures is not None:
            planned, actual, money_planned, money_spent = figures[k]
            lagged = city.services.progress.classify_lag(
                planned,
                actual,
                money_planned,
                money_spent,
                serious_gap=rules.serious_gap,
                money_share=rules.money_share,
            )
            row.planned, row.actual = planned, actual
            row.money_planned, row.money_spent = money_planned, money_spent
            row.behind, row.seriously_behind = lagged.behind, lagged.seriously_behind
            row.money_behind = lagged.money_behind
            if lagged.behind:
                row.lag_reason = rng.choice(LAG_REASONS)
                row.problems = "加派人力趕工"
        else:
            row.handling = "done" if done and last else rng.choice(["in_progress", "continuing"])
            row.result = "持續辦理中" if row.handling != "done" else "已辦理完竣"
        reports.append(row)
    return reports


def build_item(city: City, index: int, as_of: dt.date, months: int, lead_weights) -> tuple:
    """(Item, [Report], co-department ids) of one item, its computed fields filled."""
    from guankao.tracking.models import Item

    rng, services = city.rng, city.services
    kind = pick(rng, KINDS)
    status = pick(rng, STATUS)
    lead = rng.choices(city.departments, lead_weights)[0]
    reporting = services.previous_month(as_of.year, as_of.month)
    if status == "released":
        end = shift(reporting, -rng.randint(1, 30))
    elif status == "active" and rng.random() < MISSING_LAST_MONTH:
        end = shift(reporting, -1)
    else:
        end = reporting
    window = months_back(end, months)
    done = status in ("released", "release_requested")
    # The plan spans 40-96 months from the first report; a finished one ends inside the window.
    span = rng.randint(max(12, months - 8), months) if done else rng.randint(40, 96)
    fields = item_fields(rng, kind, index, lead, window[0], end, span)
    if done and "due_date" in fields:
        fields["due_date"] = dt.date(*shift(end, rng.randint(-2, 3)), 28)
    rules = city.rules
    fields["level"] = (
        "city" if rules.must_be_city_controlled(kind, fields.get("budget_total")) else "self"
    )
    created = city.at(dt.date(*window[0], 1), 9)
    item = Item(**fields, status=status, created_at=created, updated_at=created)
    lag = pick(rng, LAGS) if kind in PROGRESS and not done else "on_time"
    figures = None
    if kind in PROGRESS:
        figures = progress_rows(
            rng, months, span, lag, rng.random() < MONEY_BEHIND, done, fields.get("budget_total")
        )
    reports = report_rows(city, item, window, figures, as_of, end == reporting)
    item.plan = plan_months(window[0], span, fields.get("budget_total")) if figures else None
    if status == "released":
        item.released_at = reports[-1].reviewed_at + dt.timedelta(days=rng.randint(10, 40))
        item.release_result = "已完工驗收"
    elif status in ("release_requested", "returned"):
        item.release_result = "已完工，申請解除列管"
    compute(item, reports, as_of, rules, services)
    co = []
    if rng.random() < CO_DEPARTMENTS:
        co = rng.sample([d.pk for d in city.departments if d.pk != lead.pk], rng.randint(1, 2))
    return item, reports, co


def compute(item, live: list, today: dt.date, rules, services) -> None:
    """The computed fields but risk, as services.refresh works them out from the live
    reports (oldest first), without its query and its UPDATEs. Risk is one SQL expression
    (services.risk_expression), applied to every item at the end."""
    from guankao.tracking.models import Item

    progress = services.progress
    last = live[-1] if live else None
    item.lag, item.money_behind = Item.Lag.NONE, False
    item.forecast_finish, item.forecast_method, item.forecast_late = None, "", False
    for field, source in LAST_FIELDS.items():
        setattr(item, field, getattr(last, source) if last else None)
    if last and item.reports_progress and last.planned is not None and last.actual is not None:
        item.lag = (
            Item.Lag.SERIOUS
            if last.seriously_behind
            else Item.Lag.BEHIND
            if last.behind
            else Item.Lag.ON_TIME
        )
        item.money_behind = last.money_behind
        if item.finish_date:
            forecast = services.item_forecast(item, live, today)
            item.forecast_finish = forecast.forecast_finish
            item.forecast_method = forecast.method
            item.forecast_late = forecast.will_finish_late and forecast.method != progress.FINISHED
    elif last:
        item.lag = Item.Lag.ON_TIME


# Item field: the last live report's field it copies (as services.refresh does).
LAST_FIELDS = {
    "last_year": "year",
    "last_month": "month",
    "last_planned": "planned",
    "last_actual": "actual",
    "last_spent": "money_spent",
    "last_money_planned": "money_planned",
}


def seed_people(departments: list, rng: random.Random) -> tuple[dict, dict, object]:
    """A head, 1-3 liaisons and 3 other staff per department; an executive reader."""
    from guankao.core.models import Role, RoleAssignment, User

    users, roles, heads, liaisons = [], [], {}, {}
    for d in departments:
        staff = []
        for n in range(1 + rng.randint(1, 3) + 3):
            user = User(
                username=f"{d.code.lower()}.{n}",
                display_name=f"{d.name}職員{n}",
                email=f"{d.code.lower()}.{n}@city.example.gov.tw",
                department=d,
            )
            user.set_unusable_password()
            staff.append(user)
        users += staff
        heads[d.pk] = staff[0]
        liaisons[d.pk] = staff[1:-3]
    executive = User(username="bench.executive", display_name="市長室", department=departments[0])
    executive.set_unusable_password()
    User.objects.bulk_create([*users, executive], batch_size=500)
    for d in departments:
        roles.append(RoleAssignment(user=heads[d.pk], role=Role.HEAD))
        roles += [RoleAssignment(user=u, role=Role.LIAISON) for u in liaisons[d.pk]]
    roles.append(RoleAssignment(user=executive, role=Role.EXECUTIVE))
    RoleAssignment.objects.bulk_create(roles, batch_size=500)
    return heads, liaisons, executive


def check_sample(items: list, as_of: dt.date, rules, count: int, rng) -> dict:
    """Refresh `count` random items for real (rolled back): do the seeded fields agree?"""
    from django.db import transaction

    from guankao.tracking import services
    from guankao.tracking.models import Item

    fields = [*services.COMPUTED_FIELDS, "risk", "report_overdue"]
    mismatches = []
    chosen = rng.sample(items, min(count, len(items)))
    with transaction.atomic():
        for pk in chosen:
            item = Item.objects.select_related("lead").get(pk=pk)
            before = {f: getattr(item, f) for f in fields}
            services.refresh(item, today=as_of, rules=rules)
            after = {f: getattr(Item.objects.get(pk=pk), f) for f in fields}
            if before != after:
                diff = {f: [str(before[f]), str(after[f])] for f in fields if before[f] != after[f]}
                mismatches.append({"item": item.number, **diff})
        transaction.set_rollback(True)
    return {"checked": len(chosen), "mismatches": len(mismatches), "examples": mismatches[:5]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--months", type=int, default=48, help="monthly reports per item")
    parser.add_argument("--departments", type=int, default=40)
    parser.add_argument(
        "--as-of",
        type=dt.date.fromisoformat,
        default=dt.date(2026, 11, 12),
        help="the day the data describes (last month's reports are due)",
    )
    parser.add_argument("--check", type=int, default=200, help="items refreshed to compare")
    parser.add_argument("--seed", type=int, default=2026, help="of the random generator")
    args = parser.parse_args()
    if args.months < 3 or args.items < 1:
        sys.exit("seed_tracking.py: --months must be at least 3 and --items at least 1")

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "guankao.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.db.models import OuterRef, Subquery
    from django.test import Client
    from django.utils import timezone

    from guankao.core.models import Department, User
    from guankao.lib import workdays
    from guankao.tracking import services
    from guankao.tracking.models import Baseline, Chase, Item, Report, Rules

    rng = random.Random(args.seed)
    started = time.monotonic()
    call_command("migrate", verbosity=0, interactive=False)
    if Department.objects.exists() or User.objects.exists():
        sys.exit("seed_tracking.py: the database is not empty")
    timings = {}
    with transaction.atomic():
        departments = seed_departments(args.departments)
        departments[0].name = "嘉義市政府"
        for i, department in enumerate(departments[1:]):
            suffix = f"第{i // len(NAMES) + 1}分處" if i >= len(NAMES) else ""
            department.name = f"{NAMES[i % len(NAMES)]}{suffix}"
        Department.objects.bulk_update(departments, ["name"])
        heads, liaisons, executive = seed_people(departments, rng)
        rules = Rules.current()
        leads = departments[1:]  # the city government itself leads nothing
        # A few departments lead most items.
        lead_weights = [min(rng.paretovariate(1.2), 15) for _ in leads]
        city = City(
            rng, rules, services, workdays, leads, liaisons, heads, timezone.get_current_timezone()
        )
        item_pks, chunk = [], 500
        built = inserted = 0.0
        reports_written = 0
        for first in range(0, args.items, chunk):
            t0 = time.monotonic()
            batch = [
                build_item(city, i + 1, args.as_of, args.months, lead_weights)
                for i in range(first, min(first + chunk, args.items))
            ]
            t1 = time.monotonic()
            Item.objects.bulk_create([b[0] for b in batch], batch_size=500)
            rows = []
            through = Item.co_departments.through
            co = []
            for item, reports, co_ids in batch:
                for report in reports:
                    report.item = item
                rows += reports
                co += [through(item_id=item.pk, department_id=d) for d in co_ids]
                item_pks.append(item.pk)
            Report.objects.bulk_create(rows, batch_size=2000)
            through.objects.bulk_create(co, batch_size=1000)
            plans = Baseline.objects.bulk_create(
                baselines_for([b[0] for b in batch], executive), batch_size=500
            )
            ids = [b.item_id for b in plans]
            first_plan = Baseline.objects.filter(item=OuterRef("pk")).values("pk")[:1]
            Item.objects.filter(pk__in=ids).update(baseline=Subquery(first_plan))
            item_plan = Baseline.objects.filter(item=OuterRef("item_id")).values("pk")[:1]
            Report.objects.filter(item_id__in=ids).update(baseline=Subquery(item_plan))
            reports_written += len(rows)
            built += t1 - t0
            inserted += time.monotonic() - t1
        Item.objects.update(risk=services.risk_expression(args.as_of))
        timings = {"generate_seconds": round(built, 1), "insert_seconds": round(inserted, 1)}
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    t0 = time.monotonic()
    consistency = check_sample(item_pks, args.as_of, rules, args.check, rng)
    timings["check_seconds"] = round(time.monotonic() - t0, 1)

    client = Client()
    client.force_login(executive)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    items = Item.objects.all()
    last = services.previous_month(args.as_of.year, args.as_of.month)
    counts = {
        "departments": Department.objects.count(),
        "staff": User.objects.count(),
        "items": items.count(),
        "reports": Report.objects.count(),
        "baselines": Baseline.objects.count(),
        "co_departments": Item.co_departments.through.objects.count(),
        "chases": Chase.objects.count(),
        "kinds": dict(Counter(items.values_list("kind", flat=True))),
        "status": dict(Counter(items.values_list("status", flat=True))),
        "lag_open": dict(Counter(items.exclude(status="released").values_list("lag", flat=True))),
        "risk_open": dict(Counter(items.exclude(status="released").values_list("risk", flat=True))),
        "money_behind_open": items.exclude(status="released").filter(money_behind=True).count(),
        "forecast_late_open": items.exclude(status="released").filter(forecast_late=True).count(),
        "without_last_month": items.exclude(status="released")
        .exclude(last_year=last[0], last_month=last[1])
        .count(),
        "awaiting_approval": Report.objects.filter(state="submitted").count(),
        "review_overdue": Report.objects.filter(
            state="submitted", review_due__lt=args.as_of
        ).count(),
        "late_reports": Report.objects.filter(late=True).count(),
        "items_per_department": sorted(Counter(items.values_list("lead_id", flat=True)).values()),
    }
    seconds = round(time.monotonic() - started, 1)
    print(
        json.dumps(
            {
                "session": session,
                "cookie": settings.SESSION_COOKIE_NAME,
                "executive": executive.username,
                "as_of": str(args.as_of),
                **counts,
                "consistency": consistency,
                **timings,
                "seed_seconds": seconds,
            }
        )
    )


if __name__ == "__main__":
    main()
