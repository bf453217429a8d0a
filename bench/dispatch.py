"""The smart dispatch benchmark: training time and peak memory, `suggest` latency and the
model's accuracy, on seed_petitions.py's five years of cases in the demo's wording.

On PostgreSQL (a fresh database, dropped at the end unless --keep-db):
  1. bench/seed_petitions.py --cases N --texts demo;
  2. in a child process, `dispatch.train()` as the worker runs it: wall time and the
     process's peak resident memory (ru_maxrss), the note (cases read, held-out scores);
  3. in another child process (the model loaded once, as an app process does):
     `suggest.suggest()` for --requests texts (the eval file's and fresh generator texts,
     with and without a position), p50/p95/p99; the same through POST
     /api/v1/petitions/suggest with the officer's token (Django's test client: middleware,
     auth, schema, JSON; no network); top-1/top-3 on tests/data/petitions_eval.tsv.

    python bench/dispatch.py --cases 100000
    python bench/dispatch.py --cases 1000000 --pg-url postgresql://postgres@127.0.0.1:5432/x

Goals: suggest p95 < 50 ms; training < 10 minutes and < 4 GB at 1,000,000 cases.
Prints a JSON summary (with the machine's load average) and writes bench/results/.
"""

import argparse
import csv
import json
import os
import random
import resource
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

from common import BENCH, django_setup, engine_env, machine_load, percentile, run_json

ROOT = BENCH.parent
EVAL = ROOT / "tests" / "data" / "petitions_eval.tsv"


def _eval_rows() -> list[dict]:
    with EVAL.open(encoding="utf-8") as f:
        return list(csv.DictReader(f, delimiter="\t"))


def phase_train() -> dict:
    import django

    django.setup()
    from guankao.petitions import dispatch

    started = time.monotonic()
    outcome = dispatch.train()
    seconds = time.monotonic() - started
    usage = resource.getrusage(resource.RUSAGE_SELF)
    peak_kb = usage.ru_maxrss
    return {
        "train_seconds": round(seconds, 1),
        # On a shared machine the wall time says as much about the others as about us.
        "train_cpu_seconds": round(usage.ru_utime + usage.ru_stime, 1),
        "train_peak_rss_mb": round(peak_kb / 1024),
        "accepted": outcome.accepted,
        "reason": outcome.reason,
        "note": outcome.note,
    }


def phase_token() -> dict:
    """A fresh API token of the bench officer (a reused database's first one is not known)."""
    django_setup()
    from guankao.core import services
    from guankao.core.models import User

    officer = User.objects.get(username="bench.officer")
    return {"token": services.token_create(actor=officer, name="bench again")[1]}


def reuse_env(data_dir: str, args) -> dict:
    """The environment of a run on a kept database (as `engine_env`, without creating it)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GUANKAO_")}
    return env | {
        "GUANKAO_DATA_DIR": data_dir,
        "GUANKAO_SECRET_KEY": "bench-dispatch-reuse-" + "x" * 40,
        "GUANKAO_DATABASE_URL": args.pg_url,
    }


def phase_suggest(requests: int, token: str) -> dict:
    django_setup()
    return _suggest(requests, token)


def _suggest(requests: int, token: str) -> dict:
    from django.test import Client

    from guankao.core.models import User
    from guankao.petitions import dispatch, phrasing, suggest

    officer = User.objects.get(username="bench.officer")
    rng = random.Random(7)
    rows = _eval_rows()
    texts = [r["text"] for r in rows]
    codes = sorted({r["category"] for r in rows})
    texts += [phrasing.case_text(rng.choice(codes), rng)[1] for _ in range(len(texts))]
    started = time.monotonic()
    note, bundle = dispatch.serving()
    load_seconds = time.monotonic() - started
    places = [(None, None), ("23.4801", "120.4491")]
    # The first calls of a process read and transform the open cases' texts once (then kept
    # in memory): measured apart, as "cold", before the steady state is measured.
    cold = []
    for n in range(requests // 4):
        t = time.perf_counter()
        suggest.suggest(
            user=officer, text=texts[-1 - n], latitude=places[n % 2][0], longitude=places[n % 2][1]
        )
        cold.append(time.perf_counter() - t)
    timings = []
    for n in range(requests):
        lat, lon = places[n % 2]
        t = time.perf_counter()
        suggest.suggest(user=officer, text=texts[n % len(texts)], latitude=lat, longitude=lon)
        timings.append(time.perf_counter() - t)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_HOST="127.0.0.1")
    api = []
    for n in range(requests):
        body = {"text": texts[n % len(texts)]}
        if n % 2:
            body |= {"lat": "23.4801", "long": "120.4491"}
        t = time.perf_counter()
        response = client.post("/api/v1/petitions/suggest", body, content_type="application/json")
        api.append(time.perf_counter() - t)
        if response.status_code != 200:
            raise RuntimeError(f"suggest answered {response.status_code}: {response.content[:300]}")
    scores = dispatch.evaluate(bundle, [r["text"] for r in rows], [r["category"] for r in rows])
    ms = {"p50": 50, "p95": 95, "p99": 99}
    return {
        "model_load_seconds": round(load_seconds, 2),
        "model_version": note["version"],
        "cold_suggest_ms": {k: percentile(sorted(cold), p) for k, p in ms.items()},
        "suggest_ms": {k: percentile(sorted(timings), p) for k, p in ms.items()},
        "api_suggest_ms": {k: percentile(sorted(api), p) for k, p in ms.items()},
        "requests": requests,
        "eval_file": {"n": scores["n"], "top1": scores["top1"], "top3": scores["top3"]},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument(
        "--pg-url", default="postgresql://postgres@127.0.0.1:5432/guankao_bench_dispatch"
    )
    parser.add_argument("--keep-db", action="store_true")
    parser.add_argument(
        "--reuse",
        metavar="DATA_DIR",
        help="measure again on a database kept by an earlier --keep-db --data-dir run: "
        "no seeding; no training if DATA_DIR already has a serving model",
    )
    parser.add_argument("--data-dir", help="keep the models here (default: a temporary dir)")
    parser.add_argument(
        "--max-cases",
        type=int,
        help="GUANKAO_DISPATCH_MAX_CASES for the training (default: the setting's 300,000)",
    )
    parser.add_argument(
        "--train-again", action="store_true", help="with --reuse: train even if a model serves"
    )
    parser.add_argument("--phase", choices=["train", "suggest", "token"], help=argparse.SUPPRESS)
    parser.add_argument("--token", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:  # a child process with the benchmark's environment
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "guankao.settings")
        if args.phase == "token":
            out = phase_token()
        elif args.phase == "train":
            out = phase_train()
        else:
            out = phase_suggest(args.requests, args.token)
        print(json.dumps(out, ensure_ascii=False))
        return
    python, me = sys.executable, str(Path(__file__).resolve())
    summary = {"cases": "reused" if args.reuse else args.cases, "engine": "postgres"}
    with ExitStack() as stack:
        data_dir = args.reuse or args.data_dir
        if data_dir:
            Path(data_dir).mkdir(parents=True, exist_ok=True)
        else:
            data_dir = stack.enter_context(tempfile.TemporaryDirectory(prefix="guankao-dispatch-"))
        if args.reuse:
            env = reuse_env(data_dir, args)
            token = run_json([python, me, "--phase", "token"], env, "token")["token"]
        else:
            env = engine_env(stack, "postgres", data_dir, args)
            seed = [python, str(BENCH / "seed_petitions.py"), "--cases", str(args.cases)]
            seeded = run_json(seed + ["--texts", "demo"], env, "seed", timeout=7200)
            summary["seed_seconds"] = seeded["seed_seconds"]
            token = seeded["token"]
        if args.max_cases:
            env["GUANKAO_DISPATCH_MAX_CASES"] = str(args.max_cases)
            summary["max_cases"] = args.max_cases
        serving = (Path(data_dir) / "dispatch" / "serving.json").exists()
        if not (args.reuse and serving and not args.train_again):
            trained = run_json([python, me, "--phase", "train"], env, "training", timeout=7200)
            summary |= {k: v for k, v in trained.items() if k != "note"}
            note = trained["note"] or {}
            summary["trained_on"] = {k: note.get(k) for k in ("cases", "trained_cases", "held_out")}
            summary["held_out"] = note.get("scores")
        suggest_cmd = [python, me, "--phase", "suggest", "--requests", str(args.requests)]
        summary |= run_json(suggest_cmd + ["--token", token], env, "suggest")
    summary |= machine_load({"driver_cpu_share": 0.0})
    summary.pop("driver_cpu_share", None)
    results = BENCH / "results"
    results.mkdir(exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    (results / f"dispatch-{stamp}.json").write_text(json.dumps(summary, indent=1) + "\n")
    print(json.dumps(summary, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
