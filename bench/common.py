"""What the load benchmarks share: a fresh database per engine, the production server on a
free loopback port, the keep-alive load driver (run in a second process), percentiles.

Used by api_load.py (GET /api/v1/departments) and scorecard.py (GET /api/v1/scorecard).
"""

import hashlib
import http.client
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from contextlib import closing, contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

BENCH = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
MAX_SECONDS = 600  # the longest a measured phase may run, even with --requests
KEEP_BODIES = 10  # distinct response bodies the driver hands back when asked to


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def request(conn: http.client.HTTPConnection, headers: dict, path: str) -> tuple[int, bytes]:
    conn.request("GET", path, headers=headers)
    response = conn.getresponse()
    return response.status, response.read()


def drive(
    port: int,
    token: str,
    path: str,
    connections: int,
    warmup: float,
    duration: float,
    count: int,
    bodies: bool = False,
    timeout: float = 10,
):
    """The load driver (runs in its own process): latencies, errors, sizes, seconds, CPU used.

    With `bodies`, also every distinct measured response body (by digest, the first
    KEEP_BODIES of them kept whole) with how often it came, so that the caller can check
    each response and not only its size."""
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
    lock = threading.Lock()
    latencies, errors, sizes = [], [], set()
    digests: dict[str, list] = {}  # digest -> [count, body or None]
    issued = 0
    phase = {"measure": False, "stop": False}

    def worker() -> None:
        nonlocal issued
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        while not phase["stop"]:
            with lock:  # a bounded count: never issue more than `count` measured requests
                if phase["measure"]:
                    if count and issued >= count:
                        break
                    issued += 1
                measuring = phase["measure"]
            started = time.perf_counter()
            try:
                status, body = request(conn, headers, path)
                problem = None if status == 200 else f"HTTP {status}"
            except (OSError, http.client.HTTPException) as exc:
                conn.close()  # http.client reconnects on the next request
                status, body, problem = 0, b"", type(exc).__name__
            elapsed = time.perf_counter() - started
            if problem and not status:
                time.sleep(0.05)  # no hot loop against a server that is gone
            if measuring:
                digest = hashlib.blake2b(body, digest_size=16).hexdigest() if bodies else ""
                with lock:
                    latencies.append(elapsed)
                    sizes.add(len(body))
                    if problem:
                        errors.append(problem)
                    if bodies:
                        seen = digests.setdefault(digest, [0, None])
                        seen[0] += 1
                        if seen[1] is None and len(digests) <= KEEP_BODIES:
                            seen[1] = body
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
        t.join(timeout=timeout + 5)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    out = {
        "latencies": latencies,
        "errors": errors,
        "sizes": sorted(sizes),
        "seconds": seconds,
        "driver_cpu_share": cpu / seconds,
    }
    if bodies:
        out["bodies"] = digests
    return out


def percentile(values: list[float], p: float) -> float | None:
    """Nearest-rank percentile of sorted `values`, in milliseconds."""
    return round(values[round(p / 100 * (len(values) - 1))] * 1000, 2) if values else None


def load_summary(raw: dict, size: int) -> dict:
    """The figures every benchmark reports of one load run (latencies in ms)."""
    lat = sorted(raw["latencies"])
    return {
        "requests": len(lat),
        "seconds": round(raw["seconds"], 2),
        "rps": round(len(lat) / raw["seconds"], 1),
        **{f"p{p}_ms": percentile(lat, p) for p in (50, 95, 99, 100)},
        "errors": len(raw["errors"]),
        "error_kinds": sorted(set(raw["errors"])),
        "response_bytes": size,
        "other_sizes_seen": [s for s in raw["sizes"] if s != size],
    }


def machine_load(raw: dict) -> dict:
    return {
        "driver_cpu_share": round(raw["driver_cpu_share"], 2),  # of one core
        "load_average_1m": round(os.getloadavg()[0], 2),  # other work on the machine skews all
    }


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


def engine_env(stack, engine: str, data_dir: str, args) -> dict:
    """The server's environment for `engine` (a fresh PostgreSQL database is entered on `stack`)."""
    # A fresh environment, but for the knobs a benchmark run compares on purpose.
    passed = ("GUANKAO_SCORECARD_CACHE_SECONDS",)
    env = {k: v for k, v in os.environ.items() if not k.startswith("GUANKAO_") or k in passed}
    env |= {"GUANKAO_DATA_DIR": data_dir, "GUANKAO_SECRET_KEY": secrets.token_urlsafe(40)}
    if engine == "postgres":
        env["GUANKAO_DATABASE_URL"] = args.pg_url
        stack.enter_context(pg_database(args.pg_url, keep=args.keep_db))
    return env


def run_json(cmd: list[str], env: dict, what: str, timeout: float = 600) -> dict:
    """Run a helper script; its last line of output is a JSON object."""
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout)
    if done.returncode:
        raise RuntimeError(f"{what} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


@contextmanager
def serving(env: dict, port: int, args):
    """`guankao serve` on 127.0.0.1:port; stopped (SIGTERM, then SIGKILL) however we leave."""
    log_path = Path(env["GUANKAO_DATA_DIR"]) / "server.log"
    with open(log_path, "wb") as log:
        server = subprocess.Popen(
            [
                str(BIN / "guankao"),
                "serve",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(args.workers),
                "--threads",
                str(args.threads),
            ],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
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


def proc_cpu() -> dict[int, tuple[int, int, str, int]]:
    """Every process now: pid -> (parent pid, process group, name, CPU clock ticks used)."""
    found = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat") as f:
                stat = f.read()
        except OSError:  # gone meanwhile
            continue
        name, rest = stat[stat.index("(") + 1 : stat.rindex(")")], stat[stat.rindex(")") + 2 :]
        fields = rest.split()  # from field 3 (state) on: ppid, pgrp, ..., utime (14), stime (15)
        found[int(entry.name)] = (
            int(fields[1]),
            int(fields[2]),
            name,
            int(fields[11]) + int(fields[12]),
        )
    return found


def cpu_shares(before: dict, after: dict, seconds: float, server_pgid: int) -> dict:
    """Cores used between two proc_cpu() snapshots by the server under test, PostgreSQL, this
    benchmark (it and its children: the driver) and everything else on the machine."""
    me = os.getpid()
    used = {"server": 0, "postgres": 0, "bench": 0, "other": 0}
    for pid, (ppid, pgrp, name, ticks) in after.items():
        ticks -= before[pid][3] if pid in before and before[pid][2] == name else 0
        if pgrp == server_pgid:
            used["server"] += ticks
        elif name.startswith("postgres"):
            used["postgres"] += ticks
        elif me in (pid, ppid):
            used["bench"] += ticks
        else:
            used["other"] += ticks
    hz = os.sysconf("SC_CLK_TCK")
    return {k: round(v / hz / seconds, 2) for k, v in used.items()}


def django_setup():
    """Django set up in a child process with the server's environment, able to render pages."""
    import warnings

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "guankao.settings")
    warnings.filterwarnings("ignore", "No directory at", UserWarning)  # no collectstatic here
    import django

    django.setup()
    from django.conf import settings
    from django.test.utils import override_settings

    # Pages in-process without collectstatic: plain static URLs instead of the manifest's.
    plain = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    override_settings(STORAGES={**settings.STORAGES, "staticfiles": plain}).enable()
