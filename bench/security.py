"""Benchmark of the security dashboard (issue 14): /security/ with 10 years of incidents,
audits and outages, timed in-process on SQLite and PostgreSQL (goal: p95 < 200 ms).

For each engine: a fresh database in a temp data dir, migrated; 10 years of records
bulk-inserted (by default 2,000 incidents a year across 13 agencies, 3 prevention measures
each, 12 audits a year with 8 findings each, 60 services and 600 outages a year; the last
weeks' incidents still open; 5,000 staff with 2 training records each a year, every
agency's statutory duties each year by its level, 12 SOC points reporting daily with one
silent); then the dashboard rendered through Django's test client as
the CISO (every agency) and as one agency's security officer, `--runs` times each after a
warm-up, with the query count. Prints a table and the JSON of the results.

    .venv/bin/python bench/security.py [--engine sqlite|postgresql|both] [--per-year N]
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import engine_env  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
GOAL_P95_MS = 200


def seed(per_year: int, years: int) -> dict:
    import datetime as dt
    import random

    from django.utils import timezone

    from guankao.core.models import Department, Role, RoleAssignment, User
    from guankao.security import services as agency_services
    from guankao.security.models import Audit, Finding, FollowUp, Incident, Outage, Service

    rng = random.Random(14)
    root = Department.objects.create(code="CYC", name="嘉義市政府", kind="government", path="/")
    root.path = f"/{root.pk}/"
    root.save()
    ciso = User.objects.create(username="ciso", department=root)
    RoleAssignment.objects.create(user=ciso, role=Role.CISO)
    agencies = [agency_services.agency_set(actor=ciso, department=root, level="A")]
    for n in range(12):
        d = Department.objects.create(
            code=f"AG{n}", name=f"機關{n}", kind="agency", parent=root, path=""
        )
        d.path = f"{root.path}{d.pk}/"
        d.save()
        agencies.append(agency_services.agency_set(actor=ciso, department=d, level="C"))
    officer = User.objects.create(username="sec", department=agencies[3].department)
    RoleAssignment.objects.create(user=officer, role=Role.SECURITY)
    now = timezone.now()
    first = now.year - years + 1
    services = Service.objects.bulk_create(
        Service(agency=agencies[i % 13], name=f"服務{i}", owner="資訊科", protection="medium")
        for i in range(60)
    )
    incidents, n = [], 0
    for year in range(first, now.year + 1):
        for k in range(per_year):
            n += 1
            aware = timezone.make_aware(dt.datetime(year, 1, 1)) + dt.timedelta(
                minutes=rng.randrange(0, 364 * 24 * 60)
            )
            if aware > now:
                aware = now - dt.timedelta(days=rng.randrange(1, 300))
            recent = now - aware < dt.timedelta(days=20)
            done = None if recent else aware + dt.timedelta(hours=10)
            incidents.append(
                Incident(
                    agency=agencies[k % 13],
                    number=f"B-{n:07d}",
                    title=f"事件{n}",
                    occurred_at=aware,
                    aware_at=aware,
                    system="系統",
                    info_kind="noncore",
                    confidentiality="minor",
                    integrity="none",
                    availability="none",
                    description="bench",
                    handler=ciso,
                    computed_level=1,
                    level=1,
                    clock_from=aware,
                    notified_at=aware + dt.timedelta(minutes=30),
                    reviewed_at=done,
                    recovered_at=done,
                    reported_at=done + dt.timedelta(days=20) if done else None,
                    status="open" if recent else "closed",
                    created_by=ciso,
                )
            )
    Incident.objects.bulk_create(incidents, batch_size=2000)
    ids = list(Incident.objects.values_list("pk", "aware_at"))
    FollowUp.objects.bulk_create(
        (
            FollowUp(
                incident_id=pk,
                measure="措施",
                owner="資訊科",
                due_date=(aware + dt.timedelta(days=60 * j)).date(),
                done_at=None if rng.random() < 0.02 else aware + dt.timedelta(days=30),
            )
            for pk, aware in ids
            for j in (1, 2, 3)
        ),
        batch_size=5000,
    )
    for year in range(first, now.year + 1):
        for k in range(12):
            end = dt.date(year, k + 1, 20)
            a = Audit.objects.create(
                agency=agencies[k],
                kind="internal" if k % 3 else "external",
                title=f"稽核{year}-{k}",
                scope="全機關",
                auditors="小組",
                start_date=end - dt.timedelta(days=2),
                end_date=end,
                created_by=ciso,
                completed_at=now if end < now.date() else None,
            )
            Finding.objects.bulk_create(
                Finding(
                    audit=a,
                    text=f"發現{j}",
                    severity=("high", "medium", "low")[j % 3],
                    action="改善",
                    owner="資訊科",
                    due_date=end + dt.timedelta(days=60),
                    closed_at=None if rng.random() < 0.05 else now,
                )
                for j in range(8)
            )
    outages = []
    for year in range(first, now.year + 1):
        for k in range(600):
            start = timezone.make_aware(dt.datetime(year, 1, 1)) + dt.timedelta(
                minutes=rng.randrange(0, 364 * 24 * 60)
            )
            if start > now:
                start = now - dt.timedelta(days=rng.randrange(0, 28), hours=1)
            s = services[k % 60]
            outages.append(
                (
                    Outage(
                        agency=s.agency,
                        started_at=start,
                        ended_at=start + dt.timedelta(minutes=45),
                        planned=k % 4 == 0,
                        cause="故障",
                        created_by=ciso,
                    ),
                    s,
                )
            )
    Outage.objects.bulk_create([o for o, _s in outages], batch_size=2000)
    Through = Outage.services.through
    Through.objects.bulk_create(
        (Through(outage_id=o.pk, service_id=s.pk) for o, s in outages), batch_size=5000
    )
    sizes = _seed_people_duties_soc(rng, agencies, ciso, years, now)
    return sizes | {
        "incidents": Incident.objects.count(),
        "open_incidents": Incident.objects.exclude(status="closed").count(),
        "follow_ups": FollowUp.objects.count(),
        "audits": Audit.objects.count(),
        "findings": Finding.objects.count(),
        "outages": Outage.objects.count(),
    }


def _seed_people_duties_soc(rng, agencies, ciso, years: int, now) -> dict:
    """The dashboard's other panels: training coverage, duties due, SOC points silent."""
    import datetime as dt

    from guankao.core.models import User
    from guankao.security.duties import missing
    from guankao.security.models import DutyInstance, SocPoint, SocPointDay, TrainingRecord

    staff = User.objects.bulk_create(
        User(username=f"staff{n:05d}", department=agencies[n % len(agencies)].department)
        for n in range(5000)
    )
    first = now.year - years + 1
    records = (
        TrainingRecord(
            user=u,
            department=u.department,
            agency=agencies[n % len(agencies)],
            course=f"資安課程 {year}-{k}",
            date=dt.date(year, rng.randint(1, 12), rng.randint(1, 28)),
            hours=rng.choice([1, 2, 3]),
            kind=rng.choice(["general", "general", "professional"]),
            source="import",
            created_by=ciso,
        )
        for n, u in enumerate(staff)
        for year in range(first, now.year + 1)
        for k in (1, 2)
    )
    TrainingRecord.objects.bulk_create(records, batch_size=5000)
    for year in range(first, now.year + 1):
        instances = missing(agencies, year)
        for i in instances:
            if i.due < now.date() and rng.random() < 0.9:
                i.state, i.accepted_on, i.accepted_by = "accepted", i.due, ciso
        DutyInstance.objects.bulk_create(instances, batch_size=2000)
    points = SocPoint.objects.bulk_create(
        SocPoint(
            agency=agencies[n % len(agencies)],
            name=f"監控點 {n + 1}",
            site="機房",
            digest=f"{n:064d}",
            hint=f"p{n}",
            last_seen_at=now - dt.timedelta(hours=30 if n == 0 else 1),
        )
        for n in range(12)
    )
    days = (
        SocPointDay(point=p, day=d, first_at=now, last_at=now, beats=96, events=1000)
        for p in points
        for d in (now.date() - dt.timedelta(days=k) for k in range(365 * years))
    )
    SocPointDay.objects.bulk_create(days, batch_size=5000)
    return {
        "staff": len(staff),
        "training_records": TrainingRecord.objects.count(),
        "duty_instances": DutyInstance.objects.count(),
        "soc_point_days": SocPointDay.objects.count(),
    }


def child(args) -> None:
    from common import django_setup

    django_setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from guankao.core.models import User

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    sizes = seed(args.per_year, args.years)
    seeded = time.perf_counter() - started
    out = {"sizes": sizes, "seed_seconds": round(seeded, 1), "pages": {}}
    for who in ("ciso", "sec"):
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(User.objects.get(username=who))
        for _ in range(3):
            assert client.get("/security/").status_code == 200
        queries = []  # counted by a wrapper: each request's start clears connection.queries

        def count(execute, sql, params, many, context, queries=queries):
            queries.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            client.get("/security/")
        times = []
        for _ in range(args.runs):
            t = time.perf_counter()
            response = client.get("/security/")
            times.append((time.perf_counter() - t) * 1000)
            assert response.status_code == 200
        times.sort()
        out["pages"][who] = {
            "queries": len(queries),
            "p50_ms": round(statistics.median(times), 1),
            "p95_ms": round(times[max(0, int(len(times) * 0.95) - 1)], 1),
            "max_ms": round(times[-1], 1),
        }
    # the page shell alone (layout, navigation, to-dos), for comparison: the agencies list
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(User.objects.get(username="ciso"))
    shell = []
    for _ in range(args.runs):
        t = time.perf_counter()
        client.get("/security/agencies/")
        shell.append((time.perf_counter() - t) * 1000)
    out["shell_p50_ms"] = round(statistics.median(shell), 1)
    print(json.dumps(out))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--per-year", type=int, default=2000, help="incidents a year")
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--runs", type=int, default=40, help="dashboard renders timed per user")
    parser.add_argument("--pg-url", default="postgresql://postgres@127.0.0.1:5432/bench_security")
    parser.add_argument("--keep-db", action="store_true")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    engines = {"both": ["sqlite", "postgres"], "sqlite": ["sqlite"], "postgresql": ["postgres"]}
    engines = engines[args.engine]
    results = {"load_average_1m": round(os.getloadavg()[0], 2), "engines": {}}
    for engine in engines:
        with ExitStack() as stack, tempfile.TemporaryDirectory() as data_dir:
            env = engine_env(stack, engine, data_dir, args)
            cmd = [
                sys.executable,
                __file__,
                "--child",
                "--per-year",
                str(args.per_year),
                "--years",
                str(args.years),
                "--runs",
                str(args.runs),
            ]
            done = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=ROOT)
            if done.returncode:
                raise SystemExit(f"{engine} failed:\n{done.stderr[-3000:]}")
            results["engines"][engine] = json.loads(done.stdout.strip().splitlines()[-1])
    for engine, r in results["engines"].items():
        print(f"{engine}: {r['sizes']} seeded in {r['seed_seconds']} s")
        print(f"  /security/agencies/ (the page shell, for comparison): p50 {r['shell_p50_ms']} ms")
        for who, p in r["pages"].items():
            ok = "ok" if p["p95_ms"] < GOAL_P95_MS else "OVER GOAL"
            print(
                f"  /security/ as {who}: {p['queries']} queries, p50 {p['p50_ms']} ms, "
                f"p95 {p['p95_ms']} ms, max {p['max_ms']} ms ({ok})"
            )
    print(json.dumps(results))


if __name__ == "__main__":
    main()
