"""The Open311 benchmark: GeoReport v2 over the petitions benchmark's data.

For each engine: a database seeded by seed_petitions.py (--cases; its public categories
are the ones sent out for field work): a fresh one dropped at the end, or with --reuse the
one --pg-url names (or the SQLite file in --data-dir), seeded only when it has no case yet
(1,000,000 cases take ~6 min on PostgreSQL, ~8–15 min on SQLite here). Then a registered
app (its limit out of the way) and, over HTTP under gunicorn (`guankao serve`), the driver
in a second process:
  0. in-process, one at a time and nothing remembered: building the default window's list
     (public_cases and its JSON) p50/p95 and its query count;
  1. for each --cache-seconds (GUANKAO_OPEN311_CACHE_SECONDS; default "0,30": the list
     cache off, i.e. cold, every list built anew; then as shipped), a server just started:
     each path's first answer, then GET /open311/v2/requests.json, the default window (the
     last 90 days, at most 1,000 requests): p95 (goal < 300 ms with 1,000,000 cases), and
     GET /open311/v2/requests/{id}.json: p95 (goal < 50 ms);
  2. for each --post mode (default "immediate,auto,deferred"), POST
     /open311/v2/requests.json with the app's key for --duration seconds: accepted requests
     per second (goal ≥ 200 on PostgreSQL on this machine). "immediate" files every report
     within its request (GUANKAO_OPEN311_IMMEDIATE_PER_MINUTE=0); "auto" is the server as
     shipped (at once until the minute's reports pass GUANKAO_OPEN311_IMMEDIATE_PER_MINUTE,
     tokens after); "deferred" runs it with GUANKAO_OPEN311_DEFERRED=1 (a token at once).
     After "auto" and "deferred", the worker's job until nothing waits (reports filed per
     second); then a check that every accepted request is in the database exactly once and
     nothing else was filed.

    python bench/open311.py --engine both --cases 10000
    python bench/open311.py --engine postgresql --cases 1000000 --reuse \
        --pg-url postgresql://postgres@127.0.0.1:5432/guankao_bench_open311
    python bench/open311.py --engine sqlite --cases 1000000 --reuse --data-dir var/o311-sqlite

Prints a JSON summary; the machine's load average is part of it (other work skews all).
"""

import argparse
import http.client
import json
import multiprocessing
import os
import secrets
import sys
import tempfile
import threading
import time
from contextlib import ExitStack
from urllib.parse import urlencode

from common import (
    BENCH,
    drive,
    engine_env,
    free_port,
    load_summary,
    machine_load,
    percentile,
    pg_database,
    run_json,
    serving,
)

SPOT = {"lat": "23.4800", "long": "120.4490"}


def django_setup():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "guankao.settings")
    import django

    django.setup()


def child_prepare(args) -> dict:
    """Register the bench's app; name a public category and a case of the default window."""
    django_setup()
    from guankao.core.models import User
    from guankao.petitions import clients, public
    from guankao.petitions.models import Category

    officer = User.objects.get(username="bench.officer")
    app, key = clients.client_create(
        actor=officer, name="bench", contact="bench@example.com", per_minute=100_000
    )
    category = Category.objects.filter(public=True, department__isnull=False).order_by("pk")[0]
    window = public.public_cases()
    return {
        "app": app.pk,
        "key": key,
        "service_code": category.code,
        "number": window[len(window) // 2].number,
        "window_requests": len(window),
    }


def child_probe(args) -> dict:
    """The list's own cost, one request at a time and nothing remembered: the default
    window read and written as JSON (p50/p95 of --runs), and its query count."""
    django_setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from guankao.petitions import open311_out, public

    def once():
        rows = public.public_cases()
        return open311_out.document(
            "service_requests", [open311_out.request(r) for r in rows], "json"
        )

    once()
    times = []
    for _ in range(args.runs):
        started = time.perf_counter()
        once()
        times.append(time.perf_counter() - started)
    times.sort()
    with CaptureQueriesContext(connection) as queries:
        size = len(once().content)
    return {
        "p50_ms": percentile(times, 50),
        "p95_ms": percentile(times, 95),
        "queries": len(queries.captured_queries),
        "bytes": size,
    }


def child_count(args) -> dict:
    """The cases in the database (migrating it first: a reused database may be behind)."""
    django_setup()
    from django.core.management import call_command

    from guankao.petitions.models import Case, PublicRequest

    call_command("migrate", verbosity=0, interactive=False)
    return {"cases": Case.objects.count(), "online": PublicRequest.objects.count()}


def child_drain(args) -> dict:
    """The worker's part of deferred filing: file every waiting report (the job
    petitions.open311_file, run until none waits), reports per second."""
    django_setup()
    from guankao.petitions import open311_deferred
    from guankao.petitions.models import DeferredRequest

    waiting = DeferredRequest.objects.filter(failed_at=None).count()
    started, filed = time.perf_counter(), 0
    while True:
        done = open311_deferred.file_waiting()
        filed += done
        if not done:
            break
    seconds = time.perf_counter() - started
    return {
        "waiting": waiting,
        "filed": filed,
        "seconds": round(seconds, 1),
        "per_second": round(filed / seconds, 1) if seconds else None,
    }


def child_check(args) -> dict:
    """Every accepted request in the database exactly once, and nothing else filed (an
    immediate answer names the case, a deferred one its token)."""
    django_setup()
    from guankao.petitions.models import Case, DeferredRequest, PublicRequest

    accepted = json.loads(open(args.accepted).read())
    numbers = set(accepted)
    mine = PublicRequest.objects.filter(client_id=args.app, case__channel="open311")
    stored = list(mine.filter(token__in=numbers).values_list("token", flat=True))
    stored += Case.objects.filter(number__in=numbers, channel="open311").values_list(
        "number", flat=True
    )
    filed = mine.count()
    return {
        "accepted": len(accepted),
        "accepted_distinct": len(numbers),
        "stored": len(stored),
        "stored_distinct": len(set(stored)),
        "filed_by_the_app": filed,
        "still_waiting": DeferredRequest.objects.filter(client_id=args.app).count(),
        "exactly_once": len(accepted) == len(numbers) == len(stored) == filed,
    }


def file_requests(port: int, key: str, code: str, seconds: float, connections: int) -> dict:
    """The filing driver (its own process): POST reports for `seconds`, one thread each."""
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    accepted, latencies, errors, lock = [], [], [], threading.Lock()
    stop = time.perf_counter() + seconds

    def worker(n: int):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        sent = 0
        while time.perf_counter() < stop:
            sent += 1
            body = urlencode(
                {
                    "api_key": key,
                    "service_code": code,
                    "description": f"壓測 {n}-{sent}：路面坑洞，請處理。",
                    "first_name": "測",
                    "last_name": "壓",
                    "phone": "0912-345-678",
                    **SPOT,
                }
            )
            started = time.perf_counter()
            try:
                conn.request("POST", "/open311/v2/requests.json", body=body, headers=headers)
                response = conn.getresponse()
                data = response.read()
            except (OSError, http.client.HTTPException) as exc:
                conn.close()
                with lock:
                    errors.append(type(exc).__name__)
                continue
            with lock:
                if response.status == 201:
                    answer = json.loads(data)[0]
                    accepted.append(answer.get("service_request_id") or answer["token"])
                    latencies.append(time.perf_counter() - started)
                else:
                    errors.append(response.status)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(connections)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "accepted": accepted,
        "rps": round(len(accepted) / elapsed, 1),
        "p50_ms": percentile(latencies, 50),
        "p95_ms": percentile(latencies, 95),
        "errors": len(errors),
        "error_kinds": sorted({str(e) for e in errors}),
    }


def in_child(env: dict, what: str, args, *extra: str) -> dict:
    cmd = [sys.executable, str(BENCH / "open311.py"), "--child", what, *extra]
    return run_json(cmd, env, what, timeout=3600)


def first_requests(port: int, paths: dict) -> dict:
    """Each path's first answer from a server just started (nothing remembered, each worker
    process new): milliseconds, one request at a time."""
    out = {}
    for name, path in paths.items():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        started = time.perf_counter()
        conn.request("GET", path)
        response = conn.getresponse()
        response.read()
        elapsed = time.perf_counter() - started
        out[name] = {"status": response.status, "ms": round(elapsed * 1e3, 1)}
        conn.close()
    return out


def get_runs(port: int, prepared: dict, args) -> dict:
    paths = {
        "requests_default_window": "/open311/v2/requests.json",
        "request_one": f"/open311/v2/requests/{prepared['number']}.json",
    }
    out = {"first_after_start": first_requests(port, paths)}
    with multiprocessing.Pool(1) as pool:  # the driver is a second process
        for name, path in paths.items():
            raw = pool.apply(drive, (port, "", path, args.connections, 2, args.duration, 0))
            out[name] = load_summary(raw, raw["sizes"][0] if raw["sizes"] else 0) | {"path": path}
            out[name].pop("other_sizes_seen", None)
            out[name] |= machine_load(raw)
    return out


def post_run(port: int, prepared: dict, args) -> tuple[dict, list]:
    with multiprocessing.Pool(1) as pool:  # the driver is a second process
        filing = pool.apply(
            file_requests,
            (port, prepared["key"], prepared["service_code"], args.duration, args.connections),
        )
    out = {k: v for k, v in filing.items() if k != "accepted"}
    out["answered_with_a_token"] = sum(1 for a in filing["accepted"] if "-" not in a)
    out["load_average_1m"] = round(os.getloadavg()[0], 2)
    return out, filing["accepted"]


def database(stack, engine: str, args) -> tuple[dict, bool]:
    """The server's environment and whether its database still needs seeding: a fresh one
    (dropped at the end), or with --reuse the one named (--pg-url, or the SQLite file in
    --data-dir) as it is when it holds cases already."""
    if not args.reuse:
        data_dir = stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-o311-"))
        return engine_env(stack, engine, data_dir, args), True
    data_dir = os.path.abspath(args.data_dir or f"var/bench-o311-{engine}")
    os.makedirs(data_dir, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("GUANKAO_")}
    env |= {"GUANKAO_DATA_DIR": data_dir, "GUANKAO_SECRET_KEY": secrets.token_urlsafe(40)}
    if engine == "postgres":
        env["GUANKAO_DATABASE_URL"] = args.pg_url
        try:
            counted = in_child(env, "count", args)
        except RuntimeError:  # no such database yet
            stack.enter_context(pg_database(args.pg_url, keep=True))
            return env, True
    else:
        counted = in_child(env, "count", args)
    return env, counted["cases"] == 0


def run_engine(engine: str, args) -> dict:
    with ExitStack() as stack:
        env, empty = database(stack, engine, args)
        data_dir = env["GUANKAO_DATA_DIR"]
        out = {}
        if empty:
            started = time.monotonic()
            seeded = run_json(
                [sys.executable, str(BENCH / "seed_petitions.py"), "--cases", str(args.cases)],
                env,
                "seed",
                timeout=6 * 3600,
            )
            out["seed"] = seeded | {"token": "…"}
            out["seed_wall_seconds"] = round(time.monotonic() - started, 1)
        else:
            out["reused"] = in_child(env, "count", args)
        prepared = in_child(env, "prepare", args)
        out["prepared"] = {k: v for k, v in prepared.items() if k != "key"}
        out["list_in_process"] = in_child(env, "probe", args, "--runs", str(args.runs))
        out["http"] = {}
        for seconds in args.cache_seconds:
            env["GUANKAO_OPEN311_CACHE_SECONDS"] = str(seconds)
            port = free_port()
            with serving(env, port, args):
                out["http"][f"cache_{seconds}s"] = get_runs(port, prepared, args)
        for mode in args.post:
            env["GUANKAO_OPEN311_DEFERRED"] = "1" if mode == "deferred" else "0"
            env.pop("GUANKAO_OPEN311_IMMEDIATE_PER_MINUTE", None)  # auto: as shipped
            if mode == "immediate":
                env["GUANKAO_OPEN311_IMMEDIATE_PER_MINUTE"] = "0"  # every report at once
            port = free_port()
            with serving(env, port, args):
                out[f"post_{mode}"], accepted = post_run(port, prepared, args)
            if mode != "immediate":
                out[f"post_{mode}"]["worker"] = in_child(env, "drain", args)
            accepted_file = os.path.join(data_dir, "accepted.json")
            with open(accepted_file, "w") as f:
                json.dump(accepted, f)
            extra = ["--accepted", accepted_file, "--app", str(prepared["app"])]
            out[f"post_{mode}"]["check"] = in_child(env, "check", args, *extra)
            prepared = in_child(env, "prepare", args)  # a new app: its own count
        out["load_average"] = [round(x, 2) for x in os.getloadavg()]
        return out


def main() -> None:
    if "--child" in sys.argv:
        parser = argparse.ArgumentParser()
        parser.add_argument("--child", choices=["prepare", "probe", "check", "count", "drain"])
        parser.add_argument("--accepted")
        parser.add_argument("--app", type=int)
        parser.add_argument("--runs", type=int, default=20)
        args = parser.parse_args()
        child = {"prepare": child_prepare, "probe": child_probe, "check": child_check}
        child |= {"count": child_count, "drain": child_drain}
        out = child[args.child](args)
        print(json.dumps(out, ensure_ascii=False))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--duration", type=float, default=10.0, help="measured seconds")
    parser.add_argument("--runs", type=int, default=20, help="in-process list builds timed")
    parser.add_argument(
        "--cache-seconds",
        type=lambda v: [int(x) for x in v.split(",")],
        default=[0, 30],
        help="the server's GUANKAO_OPEN311_CACHE_SECONDS, one GET run each, comma-separated "
        "(0: every list built anew, the cache cold; 30 as shipped); POST runs under the last",
    )
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="keep the database (--pg-url, or the SQLite file in --data-dir) and seed it only "
        "when it holds no case yet",
    )
    parser.add_argument("--data-dir", help="with --reuse: the SQLite data dir to keep")
    parser.add_argument(
        "--post",
        type=lambda v: [m for m in v.split(",") if m],
        default=["immediate", "auto", "deferred"],
        help="POST runs: immediate (the case filed within the request), auto (as shipped: "
        "tokens past the minute's share), deferred (GUANKAO_OPEN311_DEFERRED: a token, the "
        "worker files it), comma-separated; '' none",
    )
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument(
        "--pg-url", default="postgresql://postgres@127.0.0.1:5432/guankao_bench_open311"
    )
    parser.add_argument("--keep-db", action="store_true")
    args = parser.parse_args()
    engines = ["sqlite", "postgresql"] if args.engine == "both" else [args.engine]
    results = {e: run_engine("postgres" if e == "postgresql" else e, args) for e in engines}
    summary = {"cases": args.cases, **results}
    print(json.dumps(summary, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
