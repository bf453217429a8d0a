"""In-process measurements for scorecard.py, run with the server's GUANKAO_* environment on a
seeded database while no server is running:

- the SQL of the scorecard: selectors.scorecard() is run once for the executive reader with
  every query captured (connection.execute_wrapper: the SQL string and parameters exactly as
  handed to the database cursor); the aggregate over plans_kpi and plans_measurement is then
  executed again and fetched `--sql-runs` times on a plain cursor, and timed;
- the view in-process: GET /api/v1/scorecard through django.test.Client (no HTTP, no
  gunicorn), `--view-runs` times, with the number of queries per request;
- performance_report_odt(actor=reader, year=…) `--odt-runs` times, if some module under
  guankao/ defines it (skipped, and said so, if none does);
- with --profile FILE: cProfile over `--profile-runs` in-process requests, the statistics
  written to FILE (sorted by cumulative and by own time).

Prints one JSON line last.
"""

import argparse
import cProfile
import importlib
import io
import json
import os
import pstats
import re
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ODT_FUNCTION = "performance_report_odt"


def timed(fn, runs: int, budget: float) -> list[float]:
    """Seconds of each call of fn(), sorted: `runs` calls, fewer (at least 3) past `budget` s."""
    times, started = [], time.perf_counter()
    for i in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
        if i >= 2 and time.perf_counter() - started > budget:
            break
    return sorted(times)


def ms(values: list[float], p: float) -> float | None:
    return round(values[round(p / 100 * (len(values) - 1))] * 1000, 2) if values else None


def stats(values: list[float]) -> dict:
    return {
        "runs": len(values),
        "p50_ms": ms(values, 50),
        "p95_ms": ms(values, 95),
        "max_ms": ms(values, 100),
    }


def find_odt_function():
    """performance_report_odt from whichever module under guankao/ defines it, or None."""
    pattern = re.compile(rf"^def {ODT_FUNCTION}\(", re.M)
    for path in sorted((ROOT / "guankao").rglob("*.py")):
        if "migrations" in path.parts or not pattern.search(path.read_text(errors="replace")):
            continue
        module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        return module, getattr(importlib.import_module(module), ODT_FUNCTION)
    return None, None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--year", type=int, default=2026)
    parser.add_argument("--kpis", type=int, default=400, help="expected in the scorecard")
    parser.add_argument("--sql-runs", type=int, default=100)
    parser.add_argument("--view-runs", type=int, default=20)
    parser.add_argument("--odt-runs", type=int, default=5)
    parser.add_argument("--profile", default="", help="write cProfile statistics here")
    parser.add_argument("--profile-runs", type=int, default=30)
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "guankao.settings")
    warnings.filterwarnings("ignore", "No directory at", UserWarning)  # no collectstatic here
    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    from guankao.core.models import ApiToken, User
    from guankao.plans import selectors

    reader = User.objects.get(username="bench.reader")
    out: dict = {"vendor": connection.vendor}

    # 1. The scorecard's queries, captured as handed to the cursor.
    captured = []

    def capture(execute, sql, params, many, context):
        captured.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(capture):
        rows = selectors.scorecard(user=reader, year=args.year)
    if len(rows) != args.kpis:
        raise SystemExit(f"scorecard_probe: {len(rows)} KPIs in the scorecard, not {args.kpis}")
    aggregates = [(s, p) for s, p in captured if "plans_measurement" in s and "plans_kpi" in s]
    if len(aggregates) != 1:
        raise SystemExit(f"scorecard_probe: {len(aggregates)} aggregate queries, expected 1")
    sql, params = aggregates[0]
    params = tuple(params or ())

    def run_sql():
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            found = cursor.fetchall()
        if len(found) != args.kpis:
            raise SystemExit(f"scorecard_probe: the SQL returned {len(found)} rows")

    timed(run_sql, 3, 60)  # warm-up: caches, the statement cache
    out["sql"] = stats(timed(run_sql, args.sql_runs, 60))
    out["sql"] |= {
        "queries_in_scorecard": len(captured),
        "chars": len(sql),
        "subselects": sql.count("(SELECT"),
        "text": sql,
        "params": [str(p) for p in params],
    }
    explain = "EXPLAIN (ANALYZE, BUFFERS) " if connection.vendor == "postgresql" else ""
    explain = explain or "EXPLAIN QUERY PLAN "
    with connection.cursor() as cursor:
        cursor.execute(explain + sql, params)
        out["sql"]["plan"] = ["  ".join(str(c) for c in row) for row in cursor.fetchall()]

    # 2. The view, in-process.
    token = ApiToken.objects.get(user=reader)
    raw = os.environ.get("BENCH_TOKEN", "")
    if not raw or ApiToken.digest_of(raw) != token.digest:
        raise SystemExit("scorecard_probe: BENCH_TOKEN is not the reader's token")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}", HTTP_HOST="127.0.0.1")
    url = f"/api/v1/scorecard?year={args.year}"

    def call_view():
        response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"scorecard_probe: HTTP {response.status_code} in-process")
        return response

    kpis = len(json.loads(call_view().content)["kpis"])
    if kpis != args.kpis:
        raise SystemExit(f"scorecard_probe: {kpis} KPIs from the view in-process")
    view_queries = []
    with connection.execute_wrapper(
        lambda ex, s, p, m, c: view_queries.append(s) or ex(s, p, m, c)
    ):
        call_view()
    out["view"] = stats(timed(call_view, args.view_runs, 60)) | {
        "queries_per_request": len(view_queries)
    }

    # 3. The ODT report, if it exists yet.
    module, report = find_odt_function()
    if report is None:
        out["odt"] = {"skipped": f"no guankao module defines {ODT_FUNCTION}() yet"}
    elif args.odt_runs == 0:
        out["odt"] = {"skipped": "--odt-runs 0", "module": module}
    else:
        size = []

        def run_report():
            size[:] = [len(report(actor=reader, year=args.year))]

        out["odt"] = {"module": module} | stats(timed(run_report, args.odt_runs, 120))
        out["odt"]["bytes"] = size[0]

    # 4. A profile of the view, if asked for.
    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(args.profile_runs):
            call_view()
        profiler.disable()
        text = io.StringIO()
        for key in ("cumulative", "tottime"):
            text.write(f"== {args.profile_runs} × GET {url}, by {key} ==\n")
            pstats.Stats(profiler, stream=text).sort_stats(key).print_stats(45)
        Path(args.profile).write_text(text.getvalue())
        out["profile"] = args.profile
    print(json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    main()
