"""The ISAC benchmark: TAXII 2.1 GET objects pages of 1,000 by `next`, and POST of 1,000-object
envelopes, on our server (gunicorn, `guankao serve`) and, side by side, medallion's memory
backend (the OASIS reference server) holding the same objects.

For each engine: a fresh database seeded by seed_isac.py with --objects indicators in one
collection, then
  1. read: --clients readers, each following `next` from its own starting point
     (added_after spread over the collection), pages of 1,000, for --seconds: pages per
     second, objects per second, p50/p95 per page;
  2. write: --envelopes POSTs of 1,000 new indicators each (every object checked with stix2):
     objects per second, every status complete with 1,000 successes;
  3. medallion: the same read over its memory backend loaded with the first
     --medallion-max objects (default 1,000: it keeps everything in memory and, per page,
     compares every object with every manifest entry, so one page of 5,000 held objects
     took 288 s here; see bench/README.md).

    python bench/isac.py --engine both --objects 100000
    python bench/isac.py --engine postgres --objects 1000000 --pg-url postgresql://…

Prints a JSON summary with the machine's load average (other work skews all figures).
"""

import argparse
import base64
import http.client
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import ExitStack
from urllib.parse import urlencode

from common import BENCH, engine_env, free_port, percentile, run_json, serving
from seed_isac import stix_indicator

MEDIA = "application/taxii+json;version=2.1"


def _headers(user: str, secret: str) -> dict:
    token = base64.b64encode(f"{user}:{secret}".encode()).decode()
    return {"Authorization": f"Basic {token}", "Accept": MEDIA}


def read(port, path, headers, clients, seconds, starts) -> dict:
    """Each client pages by `next` from its own added_after, until time is up."""
    lock = threading.Lock()
    latencies, objects, errors = [], [0], []
    stop = time.monotonic() + seconds

    def client(start):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=900)
        params = {"limit": 1000, **({"added_after": start} if start else {})}
        while time.monotonic() < stop:
            began = time.perf_counter()
            conn.request("GET", f"{path}?{urlencode(params)}", headers=headers)
            response = conn.getresponse()
            body = response.read()
            took = time.perf_counter() - began
            if response.status != 200:
                with lock:
                    errors.append(response.status)
                break
            page = json.loads(body)
            with lock:
                latencies.append(took)
                objects[0] += len(page["objects"])
            if not page.get("more"):
                params = {"limit": 1000, **({"added_after": start} if start else {})}
            else:
                params = {"limit": 1000, "next": page["next"]}
                if start:
                    params["added_after"] = start

    began = time.monotonic()
    threads = [threading.Thread(target=client, args=(s,)) for s in starts[:clients]]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - began
    lat = sorted(latencies)
    return {
        "pages": len(lat),
        "seconds": round(elapsed, 1),
        "pages_per_s": round(len(lat) / elapsed, 2),
        "objects_per_s": round(objects[0] / elapsed, 1),
        "p50_ms": percentile(lat, 50),
        "p95_ms": percentile(lat, 95),
        "errors": errors,
    }


def write(port, path, headers, envelopes, offset) -> dict:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    post_headers = {**headers, "Content-Type": MEDIA}
    took, stored, problems = [], 0, []
    for e in range(envelopes):
        objs = [stix_indicator(offset + e * 1000 + n) for n in range(1000)]
        body = json.dumps({"objects": objs}).encode()
        began = time.perf_counter()
        conn.request("POST", path, body=body, headers=post_headers)
        response = conn.getresponse()
        status = json.loads(response.read())
        took.append(time.perf_counter() - began)
        if response.status != 202 or status.get("success_count") != 1000:
            problems.append((response.status, status.get("failure_count")))
        stored += status.get("success_count", 0)
    total = sum(took)
    return {
        "envelopes": envelopes,
        "objects_stored": stored,
        "seconds": round(total, 1),
        "objects_per_s": round(stored / total, 1) if total else None,
        "p95_ms_per_envelope": percentile(sorted(took), 95),
        "problems": problems,
    }


def _starts(objects: int, clients: int) -> list:
    import datetime as dt

    base = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
    step = objects // max(clients, 1)
    return [
        ""
        if i == 0
        else (base + dt.timedelta(milliseconds=i * step)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        for i in range(clients)
    ]


def medallion_read(data_file: str, held: int, args) -> dict:
    sys.path.insert(0, str(BENCH.parent))
    from tests.interop import medallion_server as ms

    port = free_port()
    started = time.monotonic()
    proc = subprocess.Popen(
        [sys.executable, str(BENCH / "medallion_run.py"), str(port), data_file, "1000"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        if proc.stdout.readline().strip() != b"ready":
            return {"held": held, "error": "medallion did not start"}
        loaded = round(time.monotonic() - started, 1)
        path = f"/{ms.API_ROOT}/collections/{ms.COLLECTION}/objects/"
        result = read(
            port,
            path,
            _headers(ms.USER, ms.PASSWORD),
            args.clients,
            args.seconds,
            _starts(held, args.clients),
        )
        return {"held": held, "load_seconds": loaded, **result}
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def run_engine(engine: str, args) -> dict:
    with ExitStack() as stack:
        data_dir = stack.enter_context(tempfile.TemporaryDirectory(prefix="isac-bench-"))
        env = engine_env(stack, engine, data_dir, args)
        medallion_file = os.path.join(data_dir, "medallion.json")
        held = min(args.objects, args.medallion_max)
        cmd = [
            sys.executable,
            str(BENCH / "seed_isac.py"),
            "--objects",
            str(args.objects),
            "--medallion-file",
            medallion_file if held and engine == args.medallion_with else "",
            "--medallion-max",
            str(held),
        ]
        seeded = run_json(cmd, env, "seeding", timeout=7200)
        port = free_port()
        with serving(env, port, args):
            path = f"/taxii2/chiayi/collections/{seeded['collection']}/objects/"
            headers = _headers(seeded["username"], seeded["secret"])
            starts = _starts(args.objects, args.clients)
            reading = read(port, path, headers, args.clients, args.seconds, starts)
            writing = write(port, path, headers, args.envelopes, args.objects + 10)
        out = {
            "engine": engine,
            "objects": args.objects,
            "seed_seconds": seeded["seconds"],
            "read": reading,
            "write": writing,
            "load_average_1m": round(os.getloadavg()[0], 2),
        }
        if held and engine == args.medallion_with:
            out["medallion"] = medallion_read(medallion_file, held, args)
            out["read_vs_medallion"] = round(
                reading["objects_per_s"] / max(out["medallion"].get("objects_per_s") or 1e-9, 1e-9),
                1,
            )
        return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--engine", choices=["sqlite", "postgres", "both"], default="sqlite")
    parser.add_argument("--objects", type=int, default=100_000)
    parser.add_argument("--clients", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--envelopes", type=int, default=3)
    parser.add_argument("--medallion-max", type=int, default=1_000)
    parser.add_argument("--medallion-with", default="sqlite", help="the engine run beside it")
    parser.add_argument("--pg-url", default="postgresql://postgres@127.0.0.1:5432/isac_bench")
    parser.add_argument("--keep-db", action="store_true")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    engines = ["sqlite", "postgres"] if args.engine == "both" else [args.engine]
    results = []
    for engine in engines:
        results.append(run_engine(engine, args))
        print(json.dumps(results[-1]), file=sys.stderr, flush=True)  # kept if a later one fails
    print(json.dumps({"results": results, "uptime": open("/proc/loadavg").read().strip()}))


if __name__ == "__main__":
    main()
