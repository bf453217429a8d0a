"""Load test of GET /api/v1/departments (token-authenticated) on SQLite and PostgreSQL.

For each engine: a fresh database in a temp data dir, seeded by bench/seed.py; the production
server (`guankao serve`, gunicorn) on a free loopback port; a driver in a second process with
keep-alive connections. Prints a table and writes bench/results/<timestamp>.json.
"""

import argparse
import datetime as dt
import http.client
import json
import os
import sys
import tempfile
from concurrent.futures import ProcessPoolExecutor
from contextlib import ExitStack, closing
from multiprocessing import get_context

from common import (
    BENCH,
    MAX_SECONDS,
    drive,
    engine_env,
    free_port,
    load_summary,
    machine_load,
    request,
    run_json,
    serving,
)

PATH = "/api/v1/departments"


def seed(env: dict, args) -> dict:
    cmd = [sys.executable, str(BENCH / "seed.py"), f"--departments={args.departments}"]
    return run_json([*cmd, f"--staff={args.staff}"], env, "seed.py")


def preflight(port: int, token: str, expected: int) -> int:
    """The token works (departments is public, so it alone proves nothing); the list is whole."""
    auth = {"Authorization": f"Bearer {token}"}
    with closing(http.client.HTTPConnection("127.0.0.1", port, timeout=10)) as conn:
        status, _ = request(conn, auth, "/api/v1/me/tokens")
        if status != 200:
            raise RuntimeError(f"the API token was refused (HTTP {status})")
        status, body = request(conn, auth, PATH)
    found = len(json.loads(body)) if status == 200 else f"HTTP {status}"
    if found != expected:
        raise RuntimeError(f"expected {expected} departments, got {found}")
    return len(body)


def run_engine(engine: str, args) -> dict:
    with ExitStack() as stack:
        data_dir = stack.enter_context(tempfile.TemporaryDirectory(prefix="guankao-bench-"))
        env = engine_env(stack, engine, data_dir, args)
        print(f"[{engine}] seeding {args.departments} departments, {args.staff} staff…", flush=True)
        seeded = seed(env, args)
        token, port = seeded.pop("token"), free_port()
        server = stack.enter_context(serving(env, port, args))
        size = preflight(port, token, args.departments)
        print(f"[{engine}] serving on :{port}; {args.warmup:g} s warm-up, then load…", flush=True)
        with ProcessPoolExecutor(1, mp_context=get_context("spawn")) as pool:
            job = pool.submit(
                drive,
                port,
                token,
                PATH,
                args.connections,
                args.warmup,
                args.duration,
                args.requests,
            )
            raw = job.result(timeout=args.warmup + max(args.duration, MAX_SECONDS) + 60)
        if server.poll() is not None:
            raise RuntimeError(f"the server exited during the run (code {server.returncode})")
    return {
        "engine": engine,
        **load_summary(raw, size),
        "departments_in_response": args.departments,
        **machine_load(raw),
        **seeded,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--duration", type=float, default=15.0, help="measured seconds")
    parser.add_argument("--requests", type=int, default=0, help="a fixed count instead")
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds, not measured")
    parser.add_argument("--connections", type=int, default=8, help="concurrent keep-alive")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=2, help="threads per gunicorn worker")
    parser.add_argument("--departments", type=int, default=300)
    parser.add_argument("--staff", type=int, default=5000)
    parser.add_argument("--pg-url", default="postgresql://postgres@127.0.0.1:5432/guankao_bench")
    parser.add_argument("--keep-db", action="store_true", help="keep the PostgreSQL database")
    args = parser.parse_args()
    if not (0 < args.duration <= MAX_SECONDS and 0 <= args.requests <= 1_000_000):
        parser.error("--duration must be in (0, 600] and --requests in [0, 1000000]")

    engines = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    results = [run_engine(engine, args) for engine in engines]
    config = {k: v for k, v in vars(args).items() if k != "pg_url"}
    out = {
        "at": dt.datetime.now().isoformat(timespec="seconds"),
        "path": PATH,
        "config": config,
        "cpus": os.cpu_count(),
        "results": results,
    }
    (BENCH / "results").mkdir(exist_ok=True)
    target = BENCH / "results" / f"api_load-{dt.datetime.now():%Y%m%d-%H%M%S}.json"
    target.write_text(json.dumps(out, indent=2) + "\n")

    columns = "engine requests rps p50_ms p95_ms p99_ms errors response_bytes".split()
    print(f"\nGET {PATH} · {args.connections} connections · gunicorn {args.workers}×{args.threads}")
    print("  ".join(f"{c:>14}" for c in columns))
    for r in results:
        print("  ".join(f"{r[c]!s:>14}" for c in columns))
    print(f"\nwritten to {target.relative_to(BENCH.parent)}")
    if any(r["errors"] or r["other_sizes_seen"] for r in results):
        sys.exit(1)


if __name__ == "__main__":
    main()
