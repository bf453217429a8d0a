"""Load test of GET /api/v1/scorecard?year=2026 (the whole city, 400 KPIs, token auth of an
executive reader) on SQLite and PostgreSQL, next to the single SQL aggregate it rests on.

For each engine: a fresh database in a temp data dir, seeded by bench/seed_scorecard.py
(40 departments, 400 KPIs, 200,000 measurements); bench/scorecard_probe.py times the
scorecard's SQL alone, the view in-process and performance_report_odt() (if it exists);
then the production server (`guankao serve`, gunicorn) on a free loopback port is driven
from a second process with keep-alive connections, once per --connections value. Prints a
table and writes bench/results/scorecard-<timestamp>.json.
"""

import argparse
import datetime as dt
import http.client
import json
import os
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from contextlib import ExitStack, closing
from multiprocessing import get_context

from common import (
    BENCH,
    MAX_SECONDS,
    cpu_shares,
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

GOAL_P95_MS = 150  # the goal on PostgreSQL: p95 under 150 ms ...
GOAL_RATIO = 2  # ... and within 2× of the single query's p95


def kpis_listed(body: bytes, year: int) -> int | str:
    """How many distinct KPIs a scorecard response lists, or what is wrong with it."""
    try:
        data = json.loads(body)
    except ValueError:
        return "not JSON"
    if data.get("year") != year or data.get("published") is not False:
        return f"year {data.get('year')}, published {data.get('published')}"
    return len({k["id"] for k in data["kpis"]})


def preflight(port: int, token: str, path: str, year: int, expected: int) -> int:
    """The token works (a live scorecard, not the published one) and lists every KPI."""
    with closing(http.client.HTTPConnection("127.0.0.1", port, timeout=60)) as conn:
        status, body = request(conn, {"Authorization": f"Bearer {token}"}, path)
    if status != 200:
        raise RuntimeError(f"GET {path} with the token: HTTP {status}")
    found = kpis_listed(body, year)
    if found != expected:
        raise RuntimeError(f"expected {expected} KPIs in the scorecard, got {found}")
    return len(body)


def measure(port: int, token: str, path: str, connections: int, args, size: int, server) -> dict:
    before, started = proc_cpu(), time.monotonic()
    with ProcessPoolExecutor(1, mp_context=get_context("spawn")) as pool:
        job = pool.submit(
            drive,
            port,
            token,
            path,
            connections,
            args.warmup,
            args.duration,
            args.requests,
            bodies=True,
            timeout=60,
        )
        raw = job.result(timeout=args.warmup + max(args.duration, MAX_SECONDS) + 120)
    cores = cpu_shares(before, proc_cpu(), time.monotonic() - started, server.pid)
    bad, unchecked = 0, 0  # responses that do not list every KPI; ones not kept to check
    for count, body in raw["bodies"].values():
        if body is None:
            unchecked += count
        elif kpis_listed(body, args.year) != args.kpis:
            bad += count
    return {
        "connections": connections,
        **load_summary(raw, size),
        "distinct_bodies": len(raw["bodies"]),
        "bad_responses": bad + unchecked,  # not listing every KPI, or too varied to check
        **machine_load(raw),
        # Cores used while driving (warm-up included): "other" is work that is not ours.
        "cores_used": cores,
        "other_cores": cores["other"],
    }


def run_engine(engine: str, args, stamp: str) -> dict:
    path = f"/api/v1/scorecard?year={args.year}"
    with ExitStack() as stack:
        data_dir = stack.enter_context(tempfile.TemporaryDirectory(prefix="guankao-bench-"))
        env = engine_env(stack, engine, data_dir, args)
        print(
            f"[{engine}] seeding {args.kpis} KPIs, {args.measurements:,} measurements…", flush=True
        )
        seeded = run_json(
            [
                sys.executable,
                str(BENCH / "seed_scorecard.py"),
                f"--kpis={args.kpis}",
                f"--measurements={args.measurements}",
            ],
            env,
            "seed_scorecard.py",
            timeout=1800,
        )
        token = seeded.pop("token")
        print(f"[{engine}] seeded in {seeded['seed_seconds']} s: {seeded}", flush=True)

        cmd = [
            sys.executable,
            str(BENCH / "scorecard_probe.py"),
            f"--year={args.year}",
            f"--kpis={args.kpis}",
            f"--sql-runs={args.sql_runs}",
            f"--odt-runs={args.odt_runs}",
        ]
        if args.profile:
            profile = BENCH / "results" / f"scorecard-profile-{engine}-{stamp}.txt"
            cmd.append(f"--profile={profile}")
        print(f"[{engine}] timing the SQL alone, the view in-process, the ODT report…", flush=True)
        before, started = proc_cpu(), time.monotonic()
        probe = run_json(cmd, env | {"BENCH_TOKEN": token}, "scorecard_probe.py", timeout=900)
        probe["cores_used"] = cpu_shares(before, proc_cpu(), time.monotonic() - started, -1)
        sql, view, odt = probe["sql"], probe["view"], probe["odt"]
        print(
            f"[{engine}] SQL p50 {sql['p50_ms']} ms, p95 {sql['p95_ms']} ms; view in-process "
            f"p50 {view['p50_ms']} ms; ODT {odt.get('p50_ms', odt.get('skipped'))}",
            flush=True,
        )

        port = free_port()
        server = stack.enter_context(serving(env, port, args))
        size = preflight(port, token, path, args.year, args.kpis)
        rows = []
        for connections in args.connections:
            print(
                f"[{engine}] {connections} connection(s): {args.warmup:g} s warm-up, then load…",
                flush=True,
            )
            row = measure(port, token, path, connections, args, size, server)
            if server.poll() is not None:
                raise RuntimeError(f"the server exited during the run (code {server.returncode})")
            ratio = row["p95_ms"] / sql["p95_ms"] if row["p95_ms"] and sql["p95_ms"] else None
            row = {
                "engine": engine,
                **row,
                "sql_p50_ms": sql["p50_ms"],
                "sql_p95_ms": sql["p95_ms"],
                "api_p95_over_sql_p95": round(ratio, 2) if ratio else None,
                "view_inprocess_p50_ms": view["p50_ms"],
                "odt_p50_ms": odt.get("p50_ms"),
            }
            rows.append(row)
    return {"engine": engine, "seed": seeded, "probe": probe, "results": rows}


def connection_counts(text: str) -> list[int]:
    counts = [int(c) for c in text.split(",")]
    if not counts or not all(1 <= c <= 64 for c in counts):
        raise argparse.ArgumentTypeError("comma-separated counts from 1 to 64")
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--duration", type=float, default=15.0, help="measured seconds")
    parser.add_argument("--requests", type=int, default=0, help="a fixed count instead")
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds, not measured")
    parser.add_argument(
        "--connections",
        type=connection_counts,
        default=[1, 3],
        help="concurrent keep-alive connections; a list (1,3) measures each in turn",
    )
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=2, help="threads per gunicorn worker")
    parser.add_argument("--year", type=int, default=2026)
    parser.add_argument("--kpis", type=int, default=400)
    parser.add_argument("--measurements", type=int, default=200_000)
    parser.add_argument("--sql-runs", type=int, default=100, help="times the SQL is executed")
    parser.add_argument("--odt-runs", type=int, default=5, help="performance_report_odt calls")
    parser.add_argument("--profile", action="store_true", help="cProfile 30 in-process requests")
    parser.add_argument("--pg-url", default="postgresql://postgres@127.0.0.1:5432/guankao_bench")
    parser.add_argument("--keep-db", action="store_true", help="keep the PostgreSQL database")
    args = parser.parse_args()
    if not (0 < args.duration <= MAX_SECONDS and 0 <= args.requests <= 1_000_000):
        parser.error("--duration must be in (0, 600] and --requests in [0, 1000000]")
    if not (1 <= args.sql_runs <= 10_000 and 0 <= args.odt_runs <= 100):
        parser.error("--sql-runs must be in [1, 10000] and --odt-runs in [0, 100]")

    (BENCH / "results").mkdir(exist_ok=True)
    stamp = f"{dt.datetime.now():%Y%m%d-%H%M%S}"
    load_before = [round(x, 2) for x in os.getloadavg()]
    engines = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    runs = [run_engine(engine, args, stamp) for engine in engines]
    results = [row for run in runs for row in run["results"]]
    config = {k: v for k, v in vars(args).items() if k != "pg_url"}
    out = {
        "at": dt.datetime.now().isoformat(timespec="seconds"),
        "path": f"/api/v1/scorecard?year={args.year}",
        "config": config,
        "cpus": os.cpu_count(),
        "load_average_before": load_before,
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "results": results,
        "engines": runs,
    }
    target = BENCH / "results" / f"scorecard-{stamp}.json"
    target.write_text(json.dumps(out, indent=2, ensure_ascii=False) + "\n")

    print(
        f"\nGET {out['path']} ({args.kpis} KPIs, {args.measurements:,} measurements) · "
        f"gunicorn {args.workers}×{args.threads} · {os.cpu_count()} CPUs"
    )
    columns = (
        "engine connections requests rps p50_ms p95_ms p99_ms errors bad_responses "
        "sql_p50_ms sql_p95_ms api_p95_over_sql_p95 other_cores"
    ).split()
    print("  ".join(f"{c.replace('api_p95_over_sql_p95', 'p95/sql_p95'):>12}" for c in columns))
    for r in results:
        print("  ".join(f"{r[c]!s:>12}" for c in columns))
    print()
    for run in runs:
        seed, probe = run["seed"], run["probe"]
        odt = probe["odt"]
        odt_text = (
            f"p50 {odt['p50_ms']} ms, max {odt['max_ms']} ms over {odt['runs']} "
            f"({odt['bytes']:,} bytes, {odt['module']})"
            if "p50_ms" in odt
            else odt["skipped"]
        )
        print(
            f"{run['engine']:>8}: seeded in {seed['seed_seconds']} s · SQL {probe['sql']['runs']}× "
            f"p50 {probe['sql']['p50_ms']} / p95 {probe['sql']['p95_ms']} ms · view in-process "
            f"p50 {probe['view']['p50_ms']} ms ({probe['view']['queries_per_request']} queries) · "
            f"performance_report_odt: {odt_text}"
        )
    for r in results:
        if r["engine"] == "postgres":
            ok_p95 = r["p95_ms"] is not None and r["p95_ms"] < GOAL_P95_MS
            ok_ratio = (
                r["api_p95_over_sql_p95"] is not None and r["api_p95_over_sql_p95"] <= GOAL_RATIO
            )
            print(
                f"goal on postgres, {r['connections']} connection(s): p95 < {GOAL_P95_MS} ms "
                f"{'yes' if ok_p95 else 'NO'} ({r['p95_ms']}); within {GOAL_RATIO}× of the SQL "
                f"{'yes' if ok_ratio else 'NO'} ({r['api_p95_over_sql_p95']}×)"
            )
    print(f"\nwritten to {target.relative_to(BENCH.parent)}")
    if any(r["errors"] or r["bad_responses"] or r["other_sizes_seen"] for r in results):
        sys.exit(1)


if __name__ == "__main__":
    main()
