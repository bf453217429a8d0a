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
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from contextlib import ExitStack, closing, contextmanager
from multiprocessing import get_context
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

BENCH = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
PATH = "/api/v1/departments"
MAX_SECONDS = 600  # the longest a measured phase may run, even with --requests


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def request(conn: http.client.HTTPConnection, headers: dict, path=PATH) -> tuple[int, bytes]:
    conn.request("GET", path, headers=headers)
    response = conn.getresponse()
    return response.status, response.read()


def drive(port: int, token: str, connections: int, warmup: float, duration: float, count: int):
    """The load driver (runs in its own process): latencies, errors, sizes, seconds, CPU used."""
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
    lock = threading.Lock()
    latencies, errors, sizes = [], [], set()
    issued = 0
    phase = {"measure": False, "stop": False}

    def worker() -> None:
        nonlocal issued
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        while not phase["stop"]:
            with lock:  # a bounded count: never issue more than `count` measured requests
                if phase["measure"]:
                    if count and issued >= count:
                        break
                    issued += 1
                measuring = phase["measure"]
            started = time.perf_counter()
            try:
                status, body = request(conn, headers)
                problem = None if status == 200 else f"HTTP {status}"
            except (OSError, http.client.HTTPException) as exc:
                conn.close()  # http.client reconnects on the next request
                status, body, problem = 0, b"", type(exc).__name__
            elapsed = time.perf_counter() - started
            if problem and not status:
                time.sleep(0.05)  # no hot loop against a server that is gone
            if measuring:
                with lock:
                    latencies.append(elapsed)
                    sizes.add(len(body))
                    if problem:
                        errors.append(problem)
        conn.close()

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(connections)]
    for t in threads:
        t.start()
    time.sleep(warmup)
    started, cpu = time.perf_counter(), time.process_time()
    phase["measure"] = True
    limit = max(duration, MAX_SECONDS) if count else duration  # a count run is time-bound too
    while time.perf_counter() - started < limit and not (count and issued >= count):
        time.sleep(0.05)
    phase["stop"] = True
    for t in threads:
        t.join(timeout=15)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    return {"latencies": latencies, "errors": errors, "sizes": sorted(sizes), "seconds": seconds,
            "driver_cpu_share": cpu / seconds}  # fmt: skip


def percentile(values: list[float], p: float) -> float | None:
    """Nearest-rank percentile of sorted `values`, in milliseconds."""
    return round(values[round(p / 100 * (len(values) - 1))] * 1000, 2) if values else None


def wait_until_up(port: int, server: subprocess.Popen, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"server exited with code {server.returncode}")
        try:
            with closing(http.client.HTTPConnection("127.0.0.1", port, timeout=2)) as conn:
                if request(conn, {}, "/healthz")[0] == 200:
                    return
        except (OSError, http.client.HTTPException):
            pass
        time.sleep(0.25)
    raise RuntimeError(f"server not up after {timeout:.0f} s")


@contextmanager
def pg_database(url: str, *, keep: bool):
    """A fresh, empty database `url` names (dropped again at the end unless `keep`)."""
    parts = urlsplit(url)
    name = sql.Identifier(parts.path.lstrip("/"))
    admin = urlunsplit(parts._replace(path="/postgres"))
    drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(drop)
        conn.execute(sql.SQL("CREATE DATABASE {}").format(name))
    try:
        yield
    finally:
        if not keep:
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(drop)


@contextmanager
def serving(env: dict, port: int, args):
    """`guankao serve` on 127.0.0.1:port; stopped (SIGTERM, then SIGKILL) however we leave."""
    log_path = Path(env["GUANKAO_DATA_DIR"]) / "server.log"
    with open(log_path, "wb") as log:
        server = subprocess.Popen(
            [str(BIN / "guankao"), "serve", "--bind", f"127.0.0.1:{port}",
             "--workers", str(args.workers), "--threads", str(args.threads)],
            env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        try:
            wait_until_up(port, server)
            yield server
        except BaseException:
            print(log_path.read_text(errors="replace")[-3000:], file=sys.stderr)
            raise
        finally:
            if server.poll() is None:
                server.send_signal(signal.SIGTERM)  # the gunicorn master stops its workers
                try:
                    server.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    os.killpg(server.pid, signal.SIGKILL)  # its own session: only our processes
                    server.wait(timeout=10)


def seed(env: dict, args) -> dict:
    cmd = [sys.executable, str(BENCH / "seed.py"), f"--departments={args.departments}"]
    done = subprocess.run(
        [*cmd, f"--staff={args.staff}"], env=env, capture_output=True, text=True, timeout=600
    )
    if done.returncode:
        raise RuntimeError(f"seed.py failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def preflight(port: int, token: str, expected: int) -> int:
    """The token works (departments is public, so it alone proves nothing); the list is whole."""
    auth = {"Authorization": f"Bearer {token}"}
    with closing(http.client.HTTPConnection("127.0.0.1", port, timeout=10)) as conn:
        status, _ = request(conn, auth, "/api/v1/me/tokens")
        if status != 200:
            raise RuntimeError(f"the API token was refused (HTTP {status})")
        status, body = request(conn, auth)
    found = len(json.loads(body)) if status == 200 else f"HTTP {status}"
    if found != expected:
        raise RuntimeError(f"expected {expected} departments, got {found}")
    return len(body)


def run_engine(engine: str, args) -> dict:
    with ExitStack() as stack:
        data_dir = stack.enter_context(tempfile.TemporaryDirectory(prefix="guankao-bench-"))
        env = {k: v for k, v in os.environ.items() if not k.startswith("GUANKAO_")}
        env |= {"GUANKAO_DATA_DIR": data_dir, "GUANKAO_SECRET_KEY": secrets.token_urlsafe(40)}
        if engine == "postgres":
            env["GUANKAO_DATABASE_URL"] = args.pg_url
            stack.enter_context(pg_database(args.pg_url, keep=args.keep_db))
        print(f"[{engine}] seeding {args.departments} departments, {args.staff} staff…", flush=True)
        seeded = seed(env, args)
        token, port = seeded.pop("token"), free_port()
        server = stack.enter_context(serving(env, port, args))
        size = preflight(port, token, args.departments)
        print(f"[{engine}] serving on :{port}; {args.warmup:g} s warm-up, then load…", flush=True)
        with ProcessPoolExecutor(1, mp_context=get_context("spawn")) as pool:
            job = pool.submit(
                drive, port, token, args.connections, args.warmup, args.duration, args.requests
            )
            raw = job.result(timeout=args.warmup + max(args.duration, MAX_SECONDS) + 60)
        if server.poll() is not None:
            raise RuntimeError(f"the server exited during the run (code {server.returncode})")
    lat = sorted(raw["latencies"])
    return {
        "engine": engine,
        "requests": len(lat),
        "seconds": round(raw["seconds"], 2),
        "rps": round(len(lat) / raw["seconds"], 1),
        **{f"p{p}_ms": percentile(lat, p) for p in (50, 95, 99, 100)},
        "errors": len(raw["errors"]),
        "error_kinds": sorted(set(raw["errors"])),
        "response_bytes": size,
        "other_sizes_seen": [s for s in raw["sizes"] if s != size],
        "departments_in_response": args.departments,
        "driver_cpu_share": round(raw["driver_cpu_share"], 2),  # of one core
        "load_average_1m": round(os.getloadavg()[0], 2),  # other work on the machine skews all
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
    out = {"at": dt.datetime.now().isoformat(timespec="seconds"), "path": PATH, "config": config,
           "cpus": os.cpu_count(), "results": results}  # fmt: skip
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
