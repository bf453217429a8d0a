"""Training records at city scale: the import of 100,000 records and KPI 四-4 for 5,000 staff.

For each engine (SQLite, PostgreSQL): a fresh database in a temp data dir, seeded by
bench/seed.py (300 departments, 5,000 staff); then, in a child process with the same
environment, the city made an agency with a CISO, and five e-learning export files of
20,000 rows each (every person four courses a file, the import's row limit per file) go
through `training_import` (the check, then the write), timed file by file; one file is
imported again (every row already recorded: nothing added). Then KPI 四-4 for the year
(`security.training_coverage`: the roster at the year's end, its hours) is computed 5 times,
and the dashboard's coverage by department once.

    .venv/bin/python bench/security_training.py --db both
    .venv/bin/python bench/security_training.py --db sqlite --files 1
"""

import argparse
import datetime as dt
import json
import os
import statistics
import sys
import tempfile
import time
from contextlib import ExitStack

from common import BENCH, engine_env, run_json

ROWS_PER_FILE = 20_000
YEAR = 2025


def child(files: int) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "guankao.settings")
    import django

    django.setup()
    from django.db import connection
    from django.utils import timezone

    from guankao.core.models import Department, Role, RoleAssignment, User
    from guankao.plans import registry
    from guankao.security.models import Agency, TrainingRecord
    from guankao.security.selectors_secops import training_coverage_by_department
    from guankao.security.training_import import training_import

    registry.autodiscover()
    root = Department.objects.filter(parent=None).first()
    Agency.objects.create(department=root, level="A")
    ciso = User.objects.create(username="bench.ciso", display_name="資安長", department=root)
    RoleAssignment.objects.create(user=ciso, role=Role.CISO)
    User.objects.update(date_joined=timezone.make_aware(dt.datetime(YEAR - 1, 1, 1)))
    staff = list(User.objects.exclude(pk=ciso.pk).values_list("username", flat=True))
    per_person = ROWS_PER_FILE // len(staff) or 1
    imports = []
    contents = []
    for f in range(files):
        lines = ["帳號,課程名稱,日期,時數,類別,開課單位"]
        for i, name in enumerate(staff):
            for c in range(per_person):
                day = dt.date(YEAR, 1, 1) + dt.timedelta(days=(i + f * 37 + c * 11) % 360)
                hours = ("0.5", "1", "1.5", "2")[(i + c + f) % 4]
                lines.append(f"{name},資安課程{f}-{c},{day.isoformat()},{hours},一般,e等公務園+")
        content = ("\n".join(lines[: ROWS_PER_FILE + 1]) + "\n").encode()
        contents.append(content)
        started = time.perf_counter()
        checked = training_import(actor=ciso, content=content, filename=f"f{f}.csv", dry_run=True)
        check_s = time.perf_counter() - started
        result = training_import(actor=ciso, content=content, filename=f"f{f}.csv")
        total_s = time.perf_counter() - started
        imports.append(
            {
                "rows": checked["rows"],
                "added": result["added"],
                "dry_run_s": round(check_s, 2),
                "import_s": round(total_s - check_s, 2),
            }
        )
    started = time.perf_counter()
    again = training_import(actor=ciso, content=contents[0], filename="again.csv")
    again_s = time.perf_counter() - started
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    metric = registry.get("security.training_coverage")
    period = registry.Period(YEAR, 4, 4)
    runs, value = [], None
    for _n in range(5):
        started = time.perf_counter()
        value = metric.compute(period, None)
        runs.append(time.perf_counter() - started)
    started = time.perf_counter()
    rows = training_coverage_by_department(user=ciso, year=YEAR)
    by_department_s = time.perf_counter() - started
    print(
        json.dumps(
            {
                "engine": connection.vendor,
                "records": TrainingRecord.objects.count(),
                "staff": User.objects.exclude(department=None).count(),
                "files": imports,
                "import_wall_s": round(sum(i["dry_run_s"] + i["import_s"] for i in imports), 2),
                "reimport_s": round(again_s, 2),
                "reimport_added": again["added"],
                "kpi_value": str(value[0]) if value else None,
                "kpi_counted": str(value[1]) if value else None,
                "kpi_s_median": round(statistics.median(runs), 3),
                "kpi_s_all": [round(r, 3) for r in runs],
                "by_department_s": round(by_department_s, 3),
                "departments_shown": len(rows),
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument(
        "--pg-url", default="postgresql://postgres@127.0.0.1:5432/guankao_bench_training"
    )
    parser.add_argument("--keep-db", action="store_true")
    parser.add_argument("--files", type=int, default=5)
    parser.add_argument("--staff", type=int, default=5000)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.files)
        return
    engines = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    results = []
    for engine in engines:
        with ExitStack() as stack:
            data_dir = stack.enter_context(tempfile.TemporaryDirectory(prefix="guankao-bench-"))
            env = engine_env(stack, engine, data_dir, args)
            print(f"[{engine}] seeding 300 departments, {args.staff} staff…", flush=True)
            seed = run_json(
                [sys.executable, str(BENCH / "seed.py"), f"--staff={args.staff}"], env, "seed.py"
            )
            print(f"[{engine}] importing {args.files} × {ROWS_PER_FILE:,} rows…", flush=True)
            cmd = [sys.executable, __file__, "--child", f"--files={args.files}"]
            result = run_json(cmd, env, "security_training child", timeout=3600)
            result["seed_seconds"] = seed.get("seed_seconds")
            results.append(result)
            print(json.dumps(result, ensure_ascii=False), flush=True)
    out = {
        "at": dt.datetime.now().isoformat(timespec="seconds"),
        "load_average_1m": round(os.getloadavg()[0], 2),
        "results": results,
    }
    (BENCH / "results").mkdir(exist_ok=True)
    path = BENCH / "results" / f"security_training-{dt.datetime.now():%Y%m%d-%H%M%S}.json"
    path.write_text(json.dumps(out, ensure_ascii=False, indent=2))
    for r in results:
        print(
            f"{r['engine']:>10}: import {r['records']:,} records {r['import_wall_s']} s "
            f"(re-import of 20,000: {r['reimport_s']} s); KPI 四-4 for {r['staff']:,} staff "
            f"{r['kpi_s_median'] * 1000:.0f} ms (median of 5); by department "
            f"{r['by_department_s'] * 1000:.0f} ms"
        )


if __name__ == "__main__":
    main()
