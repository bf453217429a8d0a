"""Benchmark of controlled cases (issue 4): the city board and the behind list under load on
SQLite and PostgreSQL, their query counts at two sizes, and the worker's daily sweep.

For each engine: a fresh database in a temp data dir, seeded by bench/seed_tracking.py
(10,000 items with 48 monthly reports each); the pages' queries counted and timed
in-process (and those of a second, --count-items database, to show that the count does not
grow with the items); the production server (`guankao serve`, gunicorn) on a free loopback
port driven from a second process as a logged-in executive (city-wide reader); then the
worker's full sweep (guankao.tracking.jobs.sweep) on the days with notices, twice each.
Prints a table and writes bench/results/tracking-<timestamp>.json.

    .venv/bin/python bench/tracking.py [--engine sqlite|postgresql|both] [--items N]
"""

import argparse
import datetime as dt
import http.client
import json
import os
import platform
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from contextlib import ExitStack, closing
from multiprocessing import get_context
from pathlib import Path

from common import (
    BENCH,
    MAX_SECONDS,
    cpu_shares,
    django_setup,
    drive,
    engine_env,
    free_port,
    load_summary,
    machine_load,
    proc_cpu,
    request,
    run_json,
    serving,
)

GOAL_P95_MS = 200  # the goal on PostgreSQL
PAGES = {"board": "/tracking/", "behind": "/tracking/behind/"}
PAGE_SIZE = 50  # the first page of the behind list, when measured as a selector
SWEEP_DAYS = "2026-11-02,2026-11-05,2026-11-12"  # soon; due; overdue + escalation + reviews


# The child processes (Django set up with the server's environment) -------------------------


def timed(fn, runs: int, budget: float = 60) -> dict:
    """p50/p95/max of `runs` calls of fn() (fewer, at least 3, past `budget` seconds), and
    the p50 of the time spent in the database (cursor.execute, fetching included)."""
    from django.db import connection

    spent = [0.0]

    def in_db(execute, sql, params, many, context):
        t = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            spent[0] += time.perf_counter() - t

    times, db, started = [], [], time.perf_counter()
    with connection.execute_wrapper(in_db):
        for i in range(runs):
            spent[0], t = 0.0, time.perf_counter()
            fn()
            times.append(time.perf_counter() - t)
            db.append(spent[0])
            if i >= 2 and time.perf_counter() - started > budget:
                break
    times.sort()
    db.sort()

    def ms(values, p):
        return round(values[round(p / 100 * (len(values) - 1))] * 1000, 2)

    return {
        "runs": len(times),
        "p50_ms": ms(times, 50),
        "p95_ms": ms(times, 95),
        "max_ms": ms(times, 100),
        "db_p50_ms": ms(db, 50),
    }


def pages_ready() -> bool:
    """The board views are written (not the scaffold's placeholder that answers 404)."""
    from guankao.tracking import views_board

    return "Placeholder" not in (views_board.__doc__ or "")


def child_probe(args) -> dict:
    """Queries and in-process time of the board and the behind list (selectors, and views when
    written), with the plans of their SQL."""
    django_setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from guankao.core.models import User
    from guankao.tracking import selectors

    user = User.objects.get(username="bench.executive")
    out: dict = {"vendor": connection.vendor, "pages_written": pages_ready()}

    def board():
        return selectors.board(user=user)

    def behind_page():
        rows = selectors.behind_list(user=user)
        return rows.count(), list(rows[:PAGE_SIZE])

    result = board()
    count, first = behind_page()
    out["markers"] = {
        "board_total": result.total,
        "behind_total": count,
        "behind_first": first[0].number if first else None,
    }
    for name, fn in (("board", board), ("behind", behind_page)):
        with CaptureQueriesContext(connection) as ctx:
            fn()
        sqls = [q["sql"] for q in ctx.captured_queries]
        timed(fn, 3)  # warm-up
        out[f"selector_{name}"] = {"queries": len(sqls), **timed(fn, args.runs)}
        out[f"selector_{name}"]["plans"] = (
            [explain(connection, s) for s in sqls] if args.explain else []
        )
        out[f"selector_{name}"]["sql"] = sqls
    if out["pages_written"]:
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(user)
        for name, path in PAGES.items():
            response = client.get(path)
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(path)
            first = out["markers"]["behind_first"]
            row = {
                "status": response.status_code,
                "bytes": len(response.content),
                "shows_most_behind": bool(first) and first in response.content.decode(),
                "queries": len(ctx.captured_queries),
                "sql": [q["sql"] for q in ctx.captured_queries],
            }
            if response.status_code == 200:
                row |= timed(lambda p=path: client.get(p), args.runs)
            out[f"view_{name}"] = row
    return out


def explain(connection, sql: str) -> str:
    """The plan of one captured query (already rendered with its parameters)."""
    if not sql.lstrip().upper().startswith("SELECT"):
        return ""
    prefix = (
        "EXPLAIN (ANALYZE, BUFFERS) "
        if connection.vendor == "postgresql"
        else "EXPLAIN QUERY PLAN "
    )
    with connection.cursor() as cursor:
        cursor.execute(prefix + sql)
        return "\n".join(" ".join(str(c) for c in row) for row in cursor.fetchall())


def child_sweep(args) -> dict:
    """jobs.sweep(day) twice on each day: wall time, notices, chases claimed, queries."""
    django_setup()
    from django.db import connection
    from django.db.models import Count
    from django.utils import timezone

    from guankao.core.models import Notification
    from guankao.tracking import jobs
    from guankao.tracking.models import Chase, Item

    count = [0]

    def counter(execute, sql, params, many, context):
        count[0] += 1
        return execute(sql, params, many, context)

    runs = []
    for day in args.days:
        for run in (1, 2):
            now = timezone.make_aware(dt.datetime(day.year, day.month, day.day, 8 + run))
            before = (Notification.objects.count(), Chase.objects.count())
            count[0], started = 0, time.perf_counter()
            with connection.execute_wrapper(counter):
                done = jobs.sweep(day, now)
            seconds = time.perf_counter() - started
            notices = Notification.objects.count() - before[0]
            chases = Chase.objects.count() - before[1]
            runs.append(
                {
                    "day": str(day),
                    "run": run,
                    "seconds": round(seconds, 3),
                    **done,
                    "notifications_created": notices,
                    "chases_claimed": chases,
                    "queries": count[0],
                    "notices_per_second": round(notices / seconds, 1),
                    "chases_per_second": round(chases / seconds, 1),
                }
            )
    kinds = dict(Chase.objects.values_list("kind").annotate(n=Count("pk")).order_by())
    return {
        "runs": runs,
        "chases_by_kind": kinds,
        "report_overdue": Item.objects.filter(report_overdue=True).count(),
    }


def child_main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("what", choices=["probe", "sweep"])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--days", type=days_list, default=days_list(SWEEP_DAYS))
    args = parser.parse_args(argv)
    out = child_probe(args) if args.what == "probe" else child_sweep(args)
    print(json.dumps(out, ensure_ascii=False))


# The driver: common.drive with the executive's session cookie instead of a token ----------


def drive_session(cookie: str, *args, **kwargs) -> dict:
    """Runs in the driver process: every request carries the session cookie."""
    import common

    def with_cookie(conn, _headers, path):
        return request(conn, {"Cookie": cookie, "Accept": "text/html"}, path)

    common.request = with_cookie
    return drive(*args, **kwargs)


def preflight(port: int, cookie: str, path: str, markers: list[str]) -> int:
    with closing(http.client.HTTPConnection("127.0.0.1", port, timeout=60)) as conn:
        status, body = request(conn, {"Cookie": cookie}, path)
    if status != 200:
        raise RuntimeError(f"GET {path} as the executive: HTTP {status}")
    text = body.decode(errors="replace")
    missing = [m for m in markers if m not in text]
    if missing:
        raise RuntimeError(f"GET {path}: the page does not show {missing}")
    return len(body)


def measure(
    port: int, cookie: str, path: str, connections: int, args, size: int, server, markers
) -> dict:
    before, started = proc_cpu(), time.monotonic()
    with ProcessPoolExecutor(1, mp_context=get_context("spawn")) as pool:
        job = pool.submit(
            drive_session,
            cookie,
            port,
            "",
            path,
            connections,
            args.warmup,
            args.duration,
            0,
            bodies=True,
            timeout=60,
        )
        raw = job.result(timeout=args.warmup + max(args.duration, MAX_SECONDS) + 120)
    cores = cpu_shares(before, proc_cpu(), time.monotonic() - started, server.pid)
    bad = sum(
        count
        for count, body in raw["bodies"].values()
        if body is not None and not all(m in body.decode(errors="replace") for m in markers)
    )
    summary = load_summary(raw, size)
    summary.pop("other_sizes_seen")  # a page carries a CSRF token and the user's name: sizes vary
    return {
        "connections": connections,
        **summary,
        "bad_responses": bad,
        **machine_load(raw),
        "cores_used": cores,
        "other_cores": cores["other"],
    }


# The orchestration -------------------------------------------------------------------------


def child(env: dict, what: str, extra: list[str], timeout: float) -> dict:
    return run_json([sys.executable, __file__, "--child", what, *extra], env, f"{what}", timeout)


def seeded_database(stack, engine: str, args, items: int, suffix: str = "") -> tuple[dict, dict]:
    data_dir = stack.enter_context(tempfile.TemporaryDirectory(prefix="guankao-bench-"))
    url = args.pg_url + suffix
    pg = argparse.Namespace(pg_url=url, keep_db=args.keep_db)
    env = engine_env(stack, "postgres" if engine == "postgresql" else engine, data_dir, pg)
    print(f"[{engine}] seeding {items:,} items × {args.months} reports…", flush=True)
    seeded = run_json(
        [
            sys.executable,
            str(BENCH / "seed_tracking.py"),
            f"--items={items}",
            f"--months={args.months}",
            f"--as-of={args.as_of}",
        ],
        env,
        "seed_tracking.py",
        timeout=7200,
    )
    print(
        f"[{engine}] seeded in {seeded['seed_seconds']} s: {seeded['items']:,} items, "
        f"{seeded['reports']:,} reports; refresh check {seeded['consistency']}",
        flush=True,
    )
    return env, seeded


def query_counts(probe: dict) -> dict:
    names = ["selector_board", "selector_behind", "view_board", "view_behind"]
    return {n: probe[n]["queries"] for n in names if n in probe}


def http_runs(engine: str, env: dict, cookie: str, markers: dict, args) -> list[dict]:
    """Each page under load, once per --connections value; the server is stopped after."""
    rows, port = [], free_port()
    with serving(env, port, args) as server:
        for name, path in PAGES.items():
            # Both pages list the most-behind item first: every response must show it.
            want = [markers["behind_first"]] if markers["behind_first"] else []
            size = preflight(port, cookie, path, want)
            for connections in args.connections:
                print(f"[{engine}] GET {path}, {connections} connection(s)…", flush=True)
                row = measure(port, cookie, path, connections, args, size, server, want)
                if server.poll() is not None:
                    raise RuntimeError(f"the server exited (code {server.returncode})")
                rows.append({"engine": engine, "page": name, "path": path, **row})
    return rows


def run_engine(engine: str, args) -> dict:
    out: dict = {"engine": engine}
    if args.count_items:
        with ExitStack() as stack:
            env, seeded = seeded_database(stack, engine, args, args.count_items, "_small")
            small = child(env, "probe", ["--runs=5"], 900)
            out["small"] = {
                "items": seeded["items"],
                "reports": seeded["reports"],
                "queries": query_counts(small),
            }
    with ExitStack() as stack:
        env, seeded = seeded_database(stack, engine, args, args.items)
        cookie = f"{seeded.pop('cookie')}={seeded.pop('session')}"
        out["seed"] = seeded
        print(f"[{engine}] counting and timing the pages' queries in-process…", flush=True)
        probe = child(env, "probe", [f"--runs={args.runs}", "--explain"], 1800)
        out["probe"] = probe
        out["queries"] = query_counts(probe)
        print(
            f"[{engine}] queries {out['queries']} (at {args.count_items:,} items: "
            f"{out.get('small', {}).get('queries')})",
            flush=True,
        )
        out["http"] = []
        if not probe["pages_written"]:
            out["http_skipped"] = "the board views are still the scaffold's placeholders"
            print(f"[{engine}] HTTP skipped: {out['http_skipped']}", flush=True)
        else:
            out["http"] = http_runs(engine, env, cookie, probe["markers"], args)
        if args.sweep:
            print(
                f"[{engine}] the worker's sweep on {', '.join(map(str, args.days))}, twice each…",
                flush=True,
            )
            days = ",".join(map(str, args.days))
            out["sweep"] = child(env, "sweep", [f"--days={days}"], 3600)
    return out


def days_list(text: str) -> list[dt.date]:
    try:
        return [dt.date.fromisoformat(d) for d in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError("comma-separated ISO dates") from None


def connection_counts(text: str) -> list[int]:
    counts = [int(c) for c in text.split(",")]
    if not counts or not all(1 <= c <= 64 for c in counts):
        raise argparse.ArgumentTypeError("comma-separated counts from 1 to 64")
    return counts


def machine() -> dict:
    info = {"cpus": os.cpu_count(), "python": platform.python_version(), "os": platform.platform()}
    cpuinfo = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    models = [
        line.split(":", 1)[1].strip()
        for line in cpuinfo.splitlines()
        if line.startswith("model name")
    ]
    info["cpu"] = models[0] if models else platform.processor()
    meminfo = Path("/proc/meminfo").read_text().split() if Path("/proc/meminfo").exists() else []
    info["memory_gib"] = round(int(meminfo[1]) / 2**20, 1) if len(meminfo) > 1 else None
    import sqlite3

    import django

    info |= {"sqlite": sqlite3.sqlite_version, "django": django.get_version()}
    return info


def print_summary(out: dict, args) -> None:
    print(
        f"\n{args.items:,} items × {args.months} reports · gunicorn {args.workers}×{args.threads} "
        f"· {out['machine']['cpus']} CPUs ({out['machine']['cpu']})"
    )
    columns = (
        "engine page connections requests rps p50_ms p95_ms p99_ms errors bad_responses other_cores"
    ).split()
    print("  ".join(f"{c:>10}" for c in columns))
    for run in out["engines"]:
        for r in run["http"]:
            print("  ".join(f"{r[c]!s:>10}" for c in columns))
    for run in out["engines"]:
        probe = run["probe"]
        print(
            f"\n{run['engine']}: seeded in {run['seed']['seed_seconds']} s; queries per page "
            f"{run['queries']} at {args.items:,} items, {run.get('small', {}).get('queries')} "
            f"at {args.count_items:,}"
        )
        for name in ("selector_board", "selector_behind", "view_board", "view_behind"):
            if name in probe and "p50_ms" in probe[name]:
                p = probe[name]
                print(
                    f"  in-process {name}: p50 {p['p50_ms']} ms, p95 {p['p95_ms']} ms "
                    f"(database p50 {p['db_p50_ms']} ms)"
                )
        if run.get("http_skipped"):
            print(f"  HTTP not measured: {run['http_skipped']}")
        for r in run.get("sweep", {}).get("runs", []):
            print(
                f"  sweep {r['day']} run {r['run']}: {r['seconds']} s, "
                f"{r['notifications_created']} "
                f"notices ({r['notices_per_second']}/s), {r['chases_claimed']} chases "
                f"({r['chases_per_second']}/s), {r['flagged']} flagged, {r['refreshed']} "
                f"refreshed, {r['queries']} queries"
            )
    for r in (r for run in out["engines"] for r in run["http"] if r["engine"] == "postgresql"):
        ok = r["p95_ms"] is not None and r["p95_ms"] < GOAL_P95_MS
        print(
            f"goal on postgresql, {r['path']}, {r['connections']} connection(s): p95 < "
            f"{GOAL_P95_MS} ms {'yes' if ok else 'NO'} ({r['p95_ms']})"
        )


def main() -> None:
    if sys.argv[1:2] == ["--child"]:
        return child_main(sys.argv[2:])
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--months", type=int, default=48, help="monthly reports per item")
    parser.add_argument(
        "--count-items",
        type=int,
        default=1_000,
        help="a second, smaller database whose query counts are compared (0: none)",
    )
    parser.add_argument("--as-of", default="2026-11-12", help="the day the seeded data describes")
    parser.add_argument(
        "--days",
        type=days_list,
        default=days_list(SWEEP_DAYS),
        help="days the worker's sweep runs on, twice each",
    )
    parser.add_argument("--no-sweep", dest="sweep", action="store_false")
    parser.add_argument("--runs", type=int, default=30, help="in-process calls timed per page")
    parser.add_argument("--duration", type=float, default=15.0, help="measured seconds")
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds, not measured")
    parser.add_argument(
        "--connections",
        type=connection_counts,
        default=[1, 3],
        help="concurrent keep-alive connections; a list (1,3) measures each",
    )
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=2, help="threads per gunicorn worker")
    parser.add_argument(
        "--pg-url", default="postgresql://postgres@127.0.0.1:5432/guankao_bench_tracking"
    )
    parser.add_argument("--keep-db", action="store_true", help="keep the PostgreSQL database")
    args = parser.parse_args()
    if not (0 < args.duration <= MAX_SECONDS and 1 <= args.items and 0 <= args.count_items):
        parser.error("--duration must be in (0, 600], --items at least 1")

    (BENCH / "results").mkdir(exist_ok=True)
    stamp = f"{dt.datetime.now():%Y%m%d-%H%M%S}"
    load_before = [round(x, 2) for x in os.getloadavg()]
    engines = ["sqlite", "postgresql"] if args.engine == "both" else [args.engine]
    runs = [run_engine(engine, args) for engine in engines]
    config = {k: (str(v) if k == "days" else v) for k, v in vars(args).items() if k != "pg_url"}
    out = {
        "at": dt.datetime.now().isoformat(timespec="seconds"),
        "config": config,
        "machine": machine(),
        "load_average_before": load_before,
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "engines": runs,
    }
    target = BENCH / "results" / f"tracking-{stamp}.json"
    target.write_text(json.dumps(out, indent=2, ensure_ascii=False, default=str) + "\n")
    print_summary(out, args)
    print(f"\nwritten to {target.relative_to(BENCH.parent)}")
    bad = [r for run in runs for r in run["http"] if r["errors"] or r["bad_responses"]]
    resent = [
        r
        for run in runs
        for r in run.get("sweep", {}).get("runs", [])
        if r["run"] == 2 and (r["notifications_created"] or r["chases_claimed"])
    ]
    if resent:
        print(f"the second sweep of a day sent notices again: {resent}")
    if bad or resent or any(run["seed"]["consistency"]["mismatches"] for run in runs):
        sys.exit(1)


if __name__ == "__main__":
    main()
