"""Smart dispatch (智慧派案): a text model of the city's closed cases that suggests the category
(and so the department) of a new one; `suggest.py` serves it to the pages and the API.

Features are character n-grams (1–3 characters, `char_wb`, TF-IDF with sublinear counts)
rather than words from a segmenter such as jieba: Chinese has no spaces, and a segmenter's
dictionary is general Mandarin, which splits Taiwanese wording (足危險, 麥擱拖), street names
(垂楊路, 興業西路) and phone-input typos (處裡, 以經) badly or not at all; two- and three-
character pieces catch 坑洞/路燈/違停 whatever surrounds them, need no dictionary and no
download, and are robust to one wrong character. The classifier is a linear SVM trained by
stochastic gradient descent (fast on a million short texts, and its weights say which
pieces of the text weighed most), calibrated by `CalibratedClassifierCV` (sigmoid, 3 folds)
so the scores shown are probabilities a call-taker can read as confidence.

Training takes the city's closed cases (replied or answered on the spot; merged and §173
ones are not a category decision), at most `GUANKAO_DISPATCH_MAX_CASES` of the most recent,
sorted by receipt; the most recent tenth is held out (a time split, as the model will meet
the future) and scored: top-1 and top-3 of the category, top-1 of the department. Each model
is a versioned file in `<data dir>/dispatch/` with a JSON note beside it (training date,
data size, scores, whether it went into service and why). A new model goes into service
only if it is not worse on the new held-out split than the serving one; `serving.json`
names the serving file and is replaced atomically, so every app process picks it up on its
next request (loaded once per file, kept in memory). Files there are written by the app
itself; they are loaded with joblib (pickle), so the directory must not be writable by others.

A city with fewer than `GUANKAO_DISPATCH_MIN_CASES` closed cases (a new install) has no
model: the suggestions come from the category tree's keywords and names, and say so.
"""

import datetime as dt
import json
import logging
import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.utils import timezone

log = logging.getLogger("guankao.dispatch")

TRAINED_STATUSES = ("replied", "answered")
HELD_OUT_SHARE = 0.1
MIN_HELD_OUT = 20
# How much worse on top-1 a new model may be than the serving one and still be taken
# (two runs of SGD on the same data differ by about this much).
TOLERANCE = 0.005
SIMILAR_INDEX = 20_000  # the latest training cases kept for "similar past cases"


def min_cases() -> int:
    return int(getattr(settings, "GUANKAO_DISPATCH_MIN_CASES", 200))


def max_cases() -> int:
    return int(getattr(settings, "GUANKAO_DISPATCH_MAX_CASES", 300_000))


def model_dir() -> Path:
    return Path(settings.DATA_DIR) / "dispatch"


def case_words(subject: str, text: str) -> str:
    """What the model reads of a case: its subject and what the petitioner said."""
    return f"{subject or ''}。{text or ''}"


# Training -----------------------------------------------------------------------------------


def vectorizer():
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(
        analyzer="char_wb",
        ngram_range=(1, 3),
        min_df=2,
        max_features=300_000,
        sublinear_tf=True,
        dtype=np.float32,
    )


def classifier(n: int):
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.linear_model import SGDClassifier

    # Ten passes are enough on tens of thousands of cases (the scores do not move after).
    base = SGDClassifier(
        loss="hinge",
        alpha=1e-5 if n > 20_000 else 1e-4,
        max_iter=10 if n > 50_000 else 15,
        tol=None,
        random_state=0,
    )
    return CalibratedClassifierCV(base, method="sigmoid", cv=3)


@dataclass
class Corpus:
    """Training rows, oldest first: case ids, texts, category codes, lead department codes."""

    ids: list = field(default_factory=list)
    texts: list = field(default_factory=list)
    labels: list = field(default_factory=list)
    departments: list = field(default_factory=list)
    confidential: list = field(default_factory=list)


def corpus_from_db(limit: int | None = None) -> Corpus:
    from guankao.petitions.models import Case

    limit = limit or max_cases()
    rows = (
        Case.objects.filter(status__in=TRAINED_STATUSES, category__department__isnull=False)
        .order_by("-received_at", "-pk")
        .values_list("pk", "subject", "text", "category__code", "lead__code", "confidential")[
            :limit
        ]
    )
    corpus = Corpus()
    for pk, subject, text, code, lead, secret in reversed(list(rows.iterator(chunk_size=5000))):
        corpus.ids.append(pk)
        corpus.texts.append(case_words(subject, text))
        corpus.labels.append(code)
        corpus.departments.append(lead or "")
        corpus.confidential.append(secret)
    return corpus


def split(n: int) -> int:
    """Where the held-out (most recent) part of `n` time-ordered rows starts."""
    held = max(MIN_HELD_OUT, int(n * HELD_OUT_SHARE))
    return max(n - held, 0)


class NotEnoughData(Exception):
    pass


def fit(corpus: Corpus) -> dict:
    """Train on the older part of `corpus`; the held-out part is scored by `evaluate`."""
    from threadpoolctl import threadpool_limits

    # The sigmoid calibration is many tiny BLAS calls: threads fight over them (five times
    # slower on two busy cores than one thread).
    with threadpool_limits(limits=1):
        return _fit(corpus)


def _fit(corpus: Corpus) -> dict:
    import numpy as np

    cut = split(len(corpus.texts))
    train_labels = corpus.labels[:cut]
    counts = {label: train_labels.count(label) for label in set(train_labels)}
    kept = [i for i in range(cut) if counts[corpus.labels[i]] >= 3]  # 3 folds need 3 each
    if len({corpus.labels[i] for i in kept}) < 2:
        raise NotEnoughData("fewer than two categories with three cases each")
    vec = vectorizer()
    x = vec.fit_transform([corpus.texts[i] for i in kept])
    y = np.array([corpus.labels[i] for i in kept])
    model = classifier(len(kept)).fit(x, y)
    coef = np.mean(
        [c.estimator.coef_ for c in model.calibrated_classifiers_], axis=0, dtype=np.float32
    )
    if coef.shape[0] == 1:  # a two-class SGD keeps one row of weights: give each class one
        coef = np.vstack([-coef[0], coef[0]])
    # The latest training cases that anyone may be shown, for "similar past cases".
    similar = [i for i in kept if not corpus.confidential[i]][-SIMILAR_INDEX:]
    positions = {i: n for n, i in enumerate(kept)}
    return {
        "vectorizer": vec,
        "model": model,
        "classes": list(model.classes_),
        "coef": coef,
        "features": vec.get_feature_names_out(),
        "similar_ids": np.array([corpus.ids[i] for i in similar], dtype=np.int64),
        # Transposed once here: a case's row times it costs what the case's n-grams cost.
        "similar_xt": x[[positions[i] for i in similar]].T.tocsr(),
        "trained_cases": len(kept),
    }


def vector(bundle: dict, text: str):
    """`bundle`'s TF-IDF row of one text, as its vectorizer's `transform([text])` makes it
    (sublinear counts, idf, L2 norm; sorted indices) without the machinery that costs
    four times the arithmetic for one short text."""
    import numpy as np
    from scipy.sparse import csr_matrix

    vec = bundle["vectorizer"]
    analyze = bundle.get("_analyze")
    if analyze is None:
        analyze = bundle["_analyze"] = vec.build_analyzer()
    vocabulary = vec.vocabulary_
    counts: dict[int, int] = {}
    for gram in analyze(text):
        i = vocabulary.get(gram)
        if i is not None:
            counts[i] = counts.get(i, 0) + 1
    width = len(vocabulary)
    if not counts:
        return csr_matrix((1, width), dtype=np.float32)
    indices = np.fromiter(counts, np.int32, len(counts))
    order = np.argsort(indices)
    indices = indices[order]
    tf = np.fromiter(counts.values(), np.float64, len(counts))[order]
    weights = (np.log(tf) + 1.0) * vec.idf_[indices]
    weights /= np.sqrt(weights @ weights)
    pointers = np.array([0, len(indices)], dtype=np.int32)
    return csr_matrix((weights.astype(np.float32), indices, pointers), shape=(1, width))


def proba(bundle: dict, x):
    """The calibrated probabilities of `bundle`'s model for rows `x`, as
    `CalibratedClassifierCV.predict_proba` computes them (sigmoid of each fold's decision,
    normalised, averaged over the folds) but with one matrix product a fold instead of a
    call per class: 50 ms became under 1 ms a case."""
    import numpy as np
    from scipy.special import expit

    model = bundle["model"]
    classes = model.classes_
    total = np.zeros((x.shape[0], len(classes)))
    one = x.shape[0] == 1
    for fold in model.calibrated_classifiers_:
        estimator = fold.estimator
        if one:  # one case: only the weights of its own n-grams (a product of the whole
            # weight matrix copies it, transposed, first: 5 ms of the 7 a suggestion took)
            decision = (estimator.coef_[:, x.indices] @ x.data)[None, :] + estimator.intercept_
        else:
            decision = np.asarray(x @ estimator.coef_.T) + estimator.intercept_
        a = np.array([c.a_ for c in fold.calibrators])
        b = np.array([c.b_ for c in fold.calibrators])
        p = expit(-(a * decision + b))
        if len(classes) == 2:
            part = np.column_stack([1.0 - p[:, 0], p[:, 0]])
        else:
            part = np.zeros_like(total)
            part[:, np.searchsorted(classes, estimator.classes_)] = p
            sums = part.sum(axis=1, keepdims=True)
            part = np.divide(part, sums, out=np.full_like(part, 1 / len(classes)), where=sums != 0)
        total += part
    return np.clip(total / len(model.calibrated_classifiers_), 0.0, 1.0)


def evaluate(bundle: dict, texts: list[str], labels: list[str], departments=None) -> dict:
    """Top-1 and top-3 of the category (and top-1 of the department, where the categories'
    owners are known) of `bundle` on labelled texts."""
    import numpy as np

    if not texts:
        return {"n": 0, "top1": None, "top3": None, "department_top1": None}
    probabilities = proba(bundle, bundle["vectorizer"].transform(texts))
    classes = np.array(bundle["classes"])
    order = np.argsort(-probabilities, axis=1)[:, :3]
    top = classes[order]
    labels_arr = np.array(labels)
    top1 = float(np.mean(top[:, 0] == labels_arr))
    top3 = float(np.mean([label in row for label, row in zip(labels, top, strict=True)]))
    department_top1 = None
    owners = bundle.get("owners") or {}
    if departments is not None and owners:
        guessed = [owners.get(c, "") for c in top[:, 0]]
        department_top1 = float(
            np.mean([g == d for g, d in zip(guessed, departments, strict=True)])
        )
    return {"n": len(texts), "top1": top1, "top3": top3, "department_top1": department_top1}


def owners() -> dict[str, str]:
    from guankao.petitions.models import Category

    rows = Category.objects.filter(department__isnull=False).values_list("code", "department__code")
    return dict(rows)


# Files --------------------------------------------------------------------------------------


def _write_json(path: Path, data: dict) -> None:
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    os.replace(temporary, path)


def _version(now: dt.datetime, directory: Path | None = None) -> str:
    stamp = now.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    taken = {p.stem.removeprefix("model-") for p in (directory or model_dir()).glob("model-*.json")}
    version, n = stamp, 1
    while version in taken:
        n += 1
        version = f"{stamp}-{n}"
    return version


def serving_note() -> dict | None:
    """The serving model's note (version, training date, data size, scores), or None."""
    path = model_dir() / "serving.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return None


def notes() -> list[dict]:
    """Every model's note, newest first (for the officer's page)."""
    out = []
    for path in model_dir().glob("model-*.json"):
        try:
            out.append(json.loads(path.read_text(encoding="utf-8")))
        except ValueError:
            continue
    return sorted(out, key=lambda n: n.get("trained_at", ""), reverse=True)


_cache: dict = {"key": None, "bundle": None}
_lock = threading.Lock()


def serving() -> tuple[dict | None, dict | None]:
    """(note, bundle) of the serving model, loaded once per file and kept in memory; a
    process checks `serving.json`'s time stamp on each call (one stat)."""
    pointer = model_dir() / "serving.json"
    try:
        stamp = pointer.stat().st_mtime_ns
    except FileNotFoundError:
        return None, None
    key = (str(pointer), stamp)
    if _cache["key"] == key:
        return _cache["note"], _cache["bundle"]
    with _lock:
        if _cache["key"] != key:
            note = serving_note()
            bundle = None
            if note is not None:
                try:
                    import joblib
                    from threadpoolctl import threadpool_limits

                    # One case at a time: BLAS threads only cost (see `fit`).
                    threadpool_limits(limits=1)
                    bundle = joblib.load(model_dir() / note["file"])  # noqa: S301 - our own file
                except (OSError, KeyError, ValueError, EOFError):
                    log.exception("the serving dispatch model could not be loaded")
                    note = None
            _cache.update(key=key, note=note, bundle=bundle)
    return _cache["note"], _cache["bundle"]


def forget() -> None:
    """Drop the in-memory model (tests; a process normally follows serving.json)."""
    _cache.update(key=None, note=None, bundle=None)


# Train, compare, serve ----------------------------------------------------------------------


@dataclass
class Outcome:
    accepted: bool
    reason: str
    note: dict | None = None


def build(corpus: Corpus, owner_codes: dict[str, str], now: dt.datetime):
    """(bundle, note, held-out rows) of a model trained on `corpus`; raises NotEnoughData."""
    started = time.monotonic()
    try:
        bundle = fit(corpus)
    except ValueError as exc:  # e.g. no text at all to learn n-grams from
        raise NotEnoughData(str(exc)) from None
    bundle["owners"] = owner_codes
    cut = split(len(corpus.texts))
    held = (corpus.texts[cut:], corpus.labels[cut:], corpus.departments[cut:])
    note = {
        "trained_at": now.isoformat(),
        "cases": len(corpus.texts),
        "trained_cases": bundle["trained_cases"],
        "held_out": len(held[0]),
        "categories": len(bundle["classes"]),
        "scores": evaluate(bundle, *held),
        "seconds": round(time.monotonic() - started, 1),
    }
    return bundle, note, held


def publish(bundle: dict, note: dict, directory: Path | None = None) -> dict:
    """Write the model file and its note, and make it the serving one (atomically)."""
    import joblib

    directory = directory or model_dir()
    directory.mkdir(parents=True, exist_ok=True)
    previous = (serving_note() or {}).get("file") if directory == model_dir() else None
    note = note | {"accepted": True}
    note.setdefault("version", _version(dt.datetime.fromisoformat(note["trained_at"]), directory))
    note.setdefault("reason", "first model")
    note["file"] = f"model-{note['version']}.joblib"
    joblib.dump(bundle, directory / note["file"], compress=3)
    _write_json(directory / f"model-{note['version']}.json", note)
    _write_json(directory / "serving.json", note)
    _prune(directory, keep=note["file"], previous=previous)
    return note


def train(*, now: dt.datetime | None = None, corpus: Corpus | None = None) -> Outcome:
    """Train a new model, score it on the held-out split and serve it if it is not worse than
    the serving one. Never raises for want of data: the serving model stays."""
    now = now or timezone.now()
    corpus = corpus if corpus is not None else corpus_from_db()
    if len(corpus.texts) < min_cases():
        return Outcome(False, f"{len(corpus.texts)} closed cases, fewer than {min_cases()}")
    try:
        bundle, note, held = build(corpus, owners(), now)
    except NotEnoughData as exc:
        return Outcome(False, f"not trained: {exc}")
    _old_note, old = serving()
    scores = note["scores"]
    if old is not None:
        before = evaluate(old, *held)
        note["serving_scores_on_this_split"] = before
        if (scores["top1"] or 0) < (before["top1"] or 0) - TOLERANCE:
            note |= {
                "version": _version(now),
                "accepted": False,
                "reason": f"top-1 {scores['top1']:.3f}, worse than the serving model's "
                f"{before['top1']:.3f} on the same cases",
            }
            model_dir().mkdir(parents=True, exist_ok=True)
            _write_json(model_dir() / f"model-{note['version']}.json", note)  # the record only
            return Outcome(False, note["reason"], note)
        note["reason"] = (
            f"top-1 {scores['top1']:.3f}, not worse than the serving model's "
            f"{before['top1']:.3f} on the same cases"
        )
    note = publish(bundle, note)
    return Outcome(True, note["reason"], note)


def _prune(directory: Path, keep: str, previous: str | None) -> None:
    """Keep the serving model file and the one before it; their notes all stay."""
    for path in directory.glob("model-*.joblib"):
        if path.name not in (keep, previous):
            path.unlink(missing_ok=True)
