"""The petitions benchmark: five years of citizen service cases on SQLite and PostgreSQL.

For each engine: a fresh database seeded by seed_petitions.py (--cases), then
  1. in-process: the selectors behind the officer's overview for the year, a department's
     inbox (open cases, filtered, one page) and a case (case_get + timeline + petitioner),
     and the pages themselves (overview, inbox, a filtered inbox page, case) rendered by
     Django's test client as their users: p50/p95 and query counts;
  2. over HTTP under gunicorn (`guankao serve`), the driver in a second process: the API
     equivalents (GET /api/v1/petitions/statistics?year=, /cases?department=&status=open
     &limit=50, /cases/{pk}) p95, and filing cases (POST /api/v1/petitions/cases) in
     requests per second;
  3. the worker's daily chase (petitions.jobs.sweep) over the data: wall time, notices,
     and a rerun on the same day that must send nothing.

    python bench/petitions.py --engine both --cases 10000
    python bench/petitions.py --engine postgresql --cases 1000000 --pg-url postgresql://…

Goals on PostgreSQL: overview p95 < 300 ms, inbox p95 < 200 ms, case p95 < 100 ms.
Prints a JSON summary; the machine's load average is part of it (other work skews all).
"""

import argparse
import datetime as dt
import http.client
import json
import multiprocessing
import os
import sys
import tempfile
import time
from contextlib import ExitStack

from common import (
    BENCH,
    django_setup,
    drive,
    engine_env,
    free_port,
    load_summary,
    machine_load,
    percentile,
    run_json,
    serving,
)


def timed(fn, runs: int) -> dict:
    from django.db import connection

    count, times = [0], []

    def counter(execute, sql, params, many, context):
        count[0] += 1
        return execute(sql, params, many, context)

    for _ in range(runs):
        count[0] = 0
        started = time.perf_counter()
        with connection.execute_wrapper(counter):
            fn()
        times.append(time.perf_counter() - started)
    times.sort()
    return {"p50_ms": percentile(times, 50), "p95_ms": percentile(times, 95), "queries": count[0]}


def child_probe(args) -> dict:
    django_setup()
    from guankao.core.models import Department, User
    from guankao.petitions import selectors
    from guankao.petitions.api import _detail

    officer = User.objects.get(username="bench.officer")
    liaison = User.objects.get(username=args.liaison)
    department = Department.objects.get(code=args.department)
    year = dt.date.fromisoformat(args.as_of).year

    def inbox():
        rows = selectors.case_list(user=liaison, filters={"status": "open", "due": False})
        rows.count()
        return list(rows[:50])

    out = {
        "overview": timed(lambda: selectors.overview(user=officer, year=year), args.runs),
        "overview_department": timed(
            lambda: selectors.overview(user=officer, year=year, department=department), args.runs
        ),
        "inbox": timed(inbox, args.runs),
        "inbox_overdue": timed(
            lambda: list(selectors.case_list(user=liaison, filters={"overdue": True})[:50]),
            args.runs,
        ),
        "case": timed(lambda: _detail(liaison, args.case), args.runs),
    }
    # The pages themselves, rendered in-process as their users get them.
    pages = {
        "page_overview": (officer, f"/petitions/overview/?year={year}"),
        "page_inbox": (liaison, "/petitions/inbox/?status=open"),
        "page_inbox_filtered": (liaison, "/petitions/inbox/?status=all&channel=phone&page=3"),
        "page_case": (liaison, f"/petitions/cases/{args.case}/"),
    }
    for name, (user, path) in pages.items():
        client = signed_in(user)
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        out[name] = timed(lambda c=client, p=path: c.get(p), args.runs) | {"path": path}
    return out


def signed_in(user):
    """A test client signed in as `user`, with the second factor passed where it has one."""
    from django.test import Client
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is not None:
        session = client.session
        session["otp_device_id"] = device.persistent_id
        session.save()
    return client


def child_sweep(args) -> dict:
    django_setup()
    from django.utils import timezone

    from guankao.core.models import Notification
    from guankao.petitions import jobs

    day = dt.date.fromisoformat(args.as_of)
    runs = []
    for run in (1, 2):
        now = timezone.make_aware(dt.datetime(day.year, day.month, day.day, 8 + run))
        before, started = Notification.objects.count(), time.perf_counter()
        done = jobs.sweep(day, now)
        runs.append(
            {
                "run": run,
                "seconds": round(time.perf_counter() - started, 2),
                **done,
                "notifications_created": Notification.objects.count() - before,
            }
        )
    return {"runs": runs}


def file_cases(port: int, token: str, seconds: float, connections: int) -> dict:
    """The filing driver (its own process): POST cases for `seconds`, one thread each."""
    import threading

    body = json.dumps(
        {
            "kind": "petition",
            "channel": "phone",
            "subject": "路燈不亮",
            "text": "中山路路燈不亮，請處理。",
            "category": "c01",
            "name": "壓測",
            "phone": "0912345678",
        }
    )
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    done, errors, lock = [], [], threading.Lock()
    stop = time.perf_counter() + seconds

    def worker():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while time.perf_counter() < stop:
            started = time.perf_counter()
            conn.request("POST", "/api/v1/petitions/cases", body=body, headers=headers)
            response = conn.getresponse()
            response.read()
            with lock:
                (done if response.status == 201 else errors).append(
                    time.perf_counter() - started if response.status == 201 else response.status
                )

    threads = [threading.Thread(target=worker) for _ in range(connections)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    done.sort()
    return {
        "filed": len(done),
        "rps": round(len(done) / elapsed, 1),
        "p95_ms": percentile(done, 95),
        "errors": sorted(set(errors)),
    }


def in_child(env: dict, what: str, seeded: dict, args) -> dict:
    cmd = [sys.executable, str(BENCH / "petitions.py"), "--child", what, "--as-of"]
    cmd += [seeded["as_of"], "--liaison", seeded["busiest_liaison"]]
    cmd += ["--department", seeded["busiest_department"], "--case", str(seeded["a_case"])]
    cmd += ["--runs", str(args.runs)]
    return run_json(cmd, env, what, timeout=3600)


def http_runs(port: int, seeded: dict, args) -> dict:
    year = seeded["as_of"][:4]
    paths = {
        "overview_api": f"/api/v1/petitions/statistics?year={year}",
        "inbox_api": (
            f"/api/v1/petitions/cases?department={seeded['busiest_department']}"
            "&status=open&limit=50"
        ),
        "case_api": f"/api/v1/petitions/cases/{seeded['a_case']}",
    }
    out = {}
    with multiprocessing.Pool(1) as pool:  # the driver is a second process
        for name, path in paths.items():
            raw = pool.apply(
                drive, (port, seeded["token"], path, args.connections, 2, args.duration, 0)
            )
            out[name] = load_summary(raw, raw["sizes"][0] if raw["sizes"] else 0) | {"path": path}
            out[name].pop("other_sizes_seen", None)
            out[name] |= machine_load(raw)
        out["filing"] = pool.apply(
            file_cases, (port, seeded["token"], args.duration, args.connections)
        )
    return out


def run_engine(engine: str, args) -> dict:
    with ExitStack() as stack:
        data_dir = stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-pet-"))
        env = engine_env(stack, engine, data_dir, args)
        started = time.monotonic()
        seeded = run_json(
            [sys.executable, str(BENCH / "seed_petitions.py"), "--cases", str(args.cases)],
            env,
            "seed",
            timeout=6 * 3600,
        )
        out = {"seed": seeded | {"token": "…"}, "seed_wall_seconds": time.monotonic() - started}
        out["in_process"] = in_child(env, "probe", seeded, args)
        port = free_port()
        with serving(env, port, args):
            out["http"] = http_runs(port, seeded, args)
        out["chase"] = in_child(env, "sweep", seeded, args)
        out["load_average"] = os.getloadavg()
        return out


def main() -> None:
    if "--child" in sys.argv:
        parser = argparse.ArgumentParser()
        parser.add_argument("--child", choices=["probe", "sweep"])
        for name in ("--as-of", "--liaison", "--department"):
            parser.add_argument(name)
        parser.add_argument("--case", type=int)
        parser.add_argument("--runs", type=int, default=20)
        args = parser.parse_args()
        out = child_probe(args) if args.child == "probe" else child_sweep(args)
        print(json.dumps(out, ensure_ascii=False))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=20, help="in-process calls timed")
    parser.add_argument("--duration", type=float, default=10.0, help="measured seconds")
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument(
        "--pg-url", default="postgresql://postgres@127.0.0.1:5432/guankao_bench_petitions"
    )
    parser.add_argument("--keep-db", action="store_true")
    args = parser.parse_args()
    engines = ["sqlite", "postgresql"] if args.engine == "both" else [args.engine]
    results = {e: run_engine("postgres" if e == "postgresql" else e, args) for e in engines}
    print(json.dumps({"cases": args.cases, **results}, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
