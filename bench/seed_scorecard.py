"""Migrate an empty database and fill it with a city's KPIs: the scorecard benchmark's data.

40 departments (a small tree, from seed.py) with a few staff; one accepted mid-term plan per
department covering 2023–2026; goals of 3–6 KPIs, 400 KPIs in all, with a mix of
frequencies, accumulations, directions and targets (one target per KPI-year); and 200,000
measurements: every period of every KPI-year has one approved value that is counted (and
latest), and older revisions (latest=False, counted=False; approved-then-corrected or
returned) make up the rest. Everything is written with bulk_create. On PostgreSQL the
tables are ANALYZEd at the end, as autovacuum would soon do.

Run by scorecard.py with the GUANKAO_* environment of the server under test. Prints one JSON
line, {"token": ..., "kpis": n, "measurements": n, "seed_seconds": s, ...}, last.

    GUANKAO_DATABASE_URL=... GUANKAO_SECRET_KEY=... python bench/seed_scorecard.py
"""

import argparse
import datetime as dt
import json
import os
import random
import sys
import time
from decimal import Decimal

from seed import seed_departments, seed_staff

YEARS = (2023, 2024, 2025, 2026)
FREQUENCIES = (("monthly", 70), ("quarterly", 20), ("yearly", 10))  # weights, percent
PER_YEAR = {"monthly": 12, "quarterly": 4, "yearly": 1}
# name, measure, unit, accumulation, direction, path, target, weight
KINDS = [
    ("受訓人次", "年度累計受訓人次", "人次", "sum", "higher", "linear", "≧4000", 20),
    ("資安事件發生次數", "次/年", "次", "sum", "lower", "flat", "≦3", 15),
    ("員工完訓比率", "完訓人數/員工人數", "%", "last", "higher", "flat", "≧80%", 20),
    ("依限完成率", "依限完成件數/應完成件數", "%", "ratio", "higher", "flat", "100%", 20),
    ("監控服務點", "服務點數", "點", "last", "higher", "flat", "≧11", 10),
    ("預算執行率", "執行數/預算數", "%", "last", "range", "flat", "80%~90%", 5),
    ("陳情案件平均處理天數", "平均天數", "天", "last", "lower", "flat", "≦7", 10),
]
D = Decimal


def kpi_counts(departments: int, kpis: int, rng: random.Random) -> list[int]:
    """KPIs per department: about kpis/departments each, between 5 and 15, summing to kpis."""
    counts = [kpis // departments] * departments
    for i in range(kpis - sum(counts)):
        counts[i % departments] += 1
    for _ in range(departments * 3):
        a, b = rng.randrange(departments), rng.randrange(departments)
        if counts[a] > 5 and counts[b] < 15:
            counts[a] -= 1
            counts[b] += 1
    return counts


def goal_sizes(n: int, rng: random.Random) -> list[int]:
    """n KPIs cut into goals of 3–6 (n >= 3)."""
    sizes = []
    while n > 6:
        size = rng.randint(3, min(6, n - 3))
        sizes.append(size)
        n -= size
    return [*sizes, n]


def period_value(kind: tuple, per_year: int, period: int, rng: random.Random) -> dict:
    """One period's value (or numerator/denominator) for a KPI of `kind`, near its target."""
    accumulation, direction, target = kind[3], kind[4], kind[6]
    if accumulation == "ratio":
        den = rng.randint(5, 12)
        return {"value": D(0), "numerator": D(den - (rng.random() < 0.1)), "denominator": D(den)}
    if accumulation == "sum" and direction == "higher":  # ≧4000 over the year
        return {"value": D(round(4000 / per_year * rng.uniform(0.7, 1.3)))}
    if accumulation == "sum":  # ≦3 incidents over the year, about 2.8 on average
        return {
            "value": D(rng.randint(0, 5) if per_year == 1 else int(rng.random() < 2.8 / per_year))
        }
    low = {"≧80%": 80, "≧11": 11, "80%~90%": 85, "≦7": 7}[target]
    return {"value": D(str(round(low * rng.uniform(0.8, 1.15), 1)))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--departments", type=int, default=40)
    parser.add_argument("--staff", type=int, default=400)
    parser.add_argument("--kpis", type=int, default=400)
    parser.add_argument("--measurements", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=2026, help="of the random generator")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "guankao.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from guankao.core import services
    from guankao.core.models import Department, Role, RoleAssignment, User
    from guankao.plans.models import KPI, Goal, Measurement, Plan, Target

    rng = random.Random(args.seed)
    started = time.monotonic()
    call_command("migrate", verbosity=0, interactive=False)
    if Department.objects.exists() or User.objects.exists():
        sys.exit("seed_scorecard.py: the database is not empty")
    with transaction.atomic():
        departments = seed_departments(args.departments)
        seed_staff(args.staff, departments)
        staff = list(User.objects.order_by("username"))  # staff i is in departments[i % n]
        reader = User(username="bench.reader", display_name="壓測", department=departments[0])
        reader.set_unusable_password()
        reader.save()
        RoleAssignment.objects.create(user=reader, role=Role.EXECUTIVE)
        _, raw = services.token_create(actor=reader, name="bench")

        plans = Plan.objects.bulk_create(
            Plan(
                department=d,
                kind=Plan.Kind.MIDTERM,
                status=Plan.Status.ACCEPTED,
                title=f"{d.name}中程(112至115年度)施政計畫",
                first_year=YEARS[0],
                last_year=YEARS[-1],
            )
            for d in departments
        )
        goals, goal_sizes_of = [], []
        for plan, count in zip(plans, kpi_counts(len(plans), args.kpis, rng), strict=True):
            for order, size in enumerate(goal_sizes(count, rng), start=1):
                goals.append(
                    Goal(
                        plan=plan,
                        number=str(order),
                        order=order,
                        title=f"{plan.department.name}策略目標{order}",
                    )
                )
                goal_sizes_of.append(size)
        Goal.objects.bulk_create(goals)
        kinds, weights = KINDS, [k[-1] for k in KINDS]
        kpis, kind_of = [], []
        for goal, size in zip(goals, goal_sizes_of, strict=True):
            for order in range(1, size + 1):
                kind = rng.choices(kinds, weights)[0]
                frequency = rng.choices([f for f, _ in FREQUENCIES], [w for _, w in FREQUENCIES])
                kpis.append(
                    KPI(
                        goal=goal,
                        number=str(order),
                        name=f"{kind[0]}（{goal.plan.department.code}）",
                        measure=kind[1],
                        unit=kind[2],
                        accumulation=kind[3],
                        direction=kind[4],
                        path=kind[5],
                        frequency=frequency[0],
                        order=order,
                    )
                )
                kind_of.append(kind)
        KPI.objects.bulk_create(kpis)
        pairs = zip(kpis, kind_of, strict=True)
        targets = [Target(kpi=k, year=y, text=kind[6]) for k, kind in pairs for y in YEARS]
        Target.objects.bulk_create(targets, batch_size=1000)

        # Every (kpi, year, period): revisions 1..n, the last approved, counted and latest.
        slots = [
            (k, kind, y, p)
            for k, kind in zip(kpis, kind_of, strict=True)
            for y in YEARS
            for p in range(1, PER_YEAR[k.frequency] + 1)
        ]
        older = args.measurements - len(slots)
        if older < 0:
            sys.exit(f"seed_scorecard.py: {len(slots)} periods need more than {args.measurements}")
        base, extra = divmod(older, len(slots))
        heads = {d.pk: staff[i] for i, d in enumerate(departments)}  # staff[i] heads dept i
        tz = timezone.get_current_timezone()
        rows = []
        for index, (kpi, kind, year, period) in enumerate(slots):
            per_year = PER_YEAR[kpi.frequency]
            month = period * 12 // per_year
            revisions = base + (index < extra) + 1
            head = heads[kpi.goal.plan.department_id]
            when = dt.datetime(year + month // 12, month % 12 + 1, 3, 9, tzinfo=tz)
            for revision in range(1, revisions + 1):
                final = revision == revisions
                status = "approved" if final or revision % 2 else "returned"
                at = when + dt.timedelta(hours=revision)
                rows.append(
                    Measurement(
                        kpi=kpi,
                        year=year,
                        period=period,
                        revision=revision,
                        **period_value(kind, per_year, period, rng),
                        note="" if final else f"第{revision}版",
                        status=status,
                        latest=final,
                        counted=final,
                        entered_by=head,
                        entered_at=at,
                        decided_by=head,
                        decided_at=at + dt.timedelta(minutes=30),
                    )
                )
            if len(rows) >= 20_000:
                Measurement.objects.bulk_create(rows, batch_size=2000)
                rows = []
        Measurement.objects.bulk_create(rows, batch_size=2000)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    counts = {
        "departments": Department.objects.count(),
        "staff": User.objects.count(),
        "plans": Plan.objects.count(),
        "goals": Goal.objects.count(),
        "kpis": KPI.objects.count(),
        "targets": Target.objects.count(),
        "measurements": Measurement.objects.count(),
        "counted": Measurement.objects.filter(counted=True).count(),
    }
    seconds = round(time.monotonic() - started, 1)
    print(json.dumps({"token": raw, **counts, "seed_seconds": seconds}))


if __name__ == "__main__":
    main()
