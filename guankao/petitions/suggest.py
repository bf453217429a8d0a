"""Suggestions for a case being typed or assigned: the likely categories and departments with
their confidence and the words that weighed most, the most similar past cases and how they
were handled, and possible duplicates (併案) among the open cases; and the record of what the
person chose against the suggestion.

The serving model comes from `dispatch.serving()`; without one (a new city) the category
tree's keywords and names score the categories instead, and the answer says so. Bad input
is refused naming the field (empty text, a coordinate outside the city, one coordinate
without the other); text with nothing to go on (punctuation, emoji, English only) gets a
low-confidence answer that says why. The person always decides.
"""

import datetime as dt
import math
import re
import time
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db.models import BooleanField, OuterRef, Q, Subquery, Value, When
from django.db.models import Case as Choose
from django.utils import timezone
from django.utils.translation import gettext as _

from guankao.core import validation
from guankao.core.errors import ServiceError
from guankao.petitions import access, dispatch
from guankao.petitions.models import OPEN_STATUSES, Case, Category, Reply

# [west, south, east, north]: 嘉義市 (the demo city), unless GUANKAO_CITY_BBOX says otherwise.
DEMO_CITY_BBOX = (120.38, 23.43, 120.53, 23.53)
LOW_CONFIDENCE = 0.35
TEXT_DUPLICATE = 0.6  # cosine of the TF-IDF vectors (or bigram overlap without a model)
CANDIDATES = 300  # open cases compared by text, newest first
# What the pages and the API show of a similar or duplicate case (its text can be long).
SHOWN = ("number", "subject", "status", "workdays_taken", "received_at")
SHOWN += ("category", "category__name", "lead", "lead__name")
CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
LATIN = re.compile(r"[A-Za-z]")


def city_bbox() -> tuple[float, float, float, float]:
    return tuple(getattr(settings, "GUANKAO_CITY_BBOX", None) or DEMO_CITY_BBOX)


def duplicate_metres() -> int:
    return int(getattr(settings, "GUANKAO_DUPLICATE_METRES", 200))


def duplicate_days() -> int:
    return int(getattr(settings, "GUANKAO_DUPLICATE_DAYS", 14))


# Input --------------------------------------------------------------------------------------


def _coordinate(field: str, value, low: float, high: float) -> float | None:
    if value in (None, ""):
        return None
    try:
        number = float(Decimal(str(value)))
    except (InvalidOperation, ValueError):
        raise ServiceError.field(field, _("must be a number")) from None
    if not math.isfinite(number) or not low <= number <= high:
        raise ServiceError.field(
            field,
            _("is outside the city (%(low)s to %(high)s)") % {"low": low, "high": high},
        )
    return number


def place(latitude, longitude) -> tuple[float | None, float | None]:
    west, south, east, north = city_bbox()
    lat = _coordinate("lat", latitude, south, north)
    lon = _coordinate("long", longitude, west, east)
    if (lat is None) != (lon is None):
        field = "long" if lon is None else "lat"
        raise ServiceError.field(field, _("is required with the other coordinate"))
    return lat, lon


def _notes(text: str) -> list[str]:
    """Why the text gives little to go on, if it does."""
    if not any(ch.isalnum() for ch in text):
        return [_("The text has no words, only punctuation or symbols: nothing to go on.")]
    if not CJK.search(text):
        if LATIN.search(text):
            return [_("The text has no Chinese: the suggestions learn from Chinese case texts.")]
        return [_("The text has no Chinese words: nothing to go on.")]
    if len(CJK.findall(text)) < 3:
        return [_("The text is very short: describe the problem in a few more words.")]
    return []


# Scoring ------------------------------------------------------------------------------------


@dataclass
class Scored:
    categories: list[dict]
    departments: list[dict]
    words: list[dict]
    model: dict
    vector: object = None  # the TF-IDF row of the text (None without a model)
    bundle: dict | None = None


_leaf_cache: dict = {"at": 0.0, "leaves": None}
LEAVES_SECONDS = 30  # an officer's change to the category tree shows within this


def leaves() -> dict[str, Category]:
    """The active leaf categories with an owner, by code (kept for LEAVES_SECONDS)."""
    now = time.monotonic()
    if _leaf_cache["leaves"] is None or now - _leaf_cache["at"] > LEAVES_SECONDS:
        rows = Category.objects.filter(active=True, department__isnull=False)
        _leaf_cache["leaves"] = {c.code: c for c in rows.select_related("department")}
        _leaf_cache["at"] = now
    return _leaf_cache["leaves"]


def forget() -> None:
    """Drop what this process keeps (tests: each has its own category tree)."""
    _leaf_cache.update(at=0.0, leaves=None)
    _vectors.clear()


def _model_scores(bundle, text: str):
    import numpy as np

    vector = dispatch.vector(bundle, text)
    probabilities = dispatch.proba(bundle, vector)[0]
    order = np.argsort(-probabilities)
    return vector, [(bundle["classes"][i], float(probabilities[i])) for i in order], order[0]


def _weighty_words(bundle, vector, klass: int, limit: int = 6) -> list[dict]:
    """The character pieces of the text that pushed most towards the top category."""
    import numpy as np

    row = bundle["coef"][klass]
    weights = vector.data * row[vector.indices]
    chosen: list[dict] = []
    for i in np.argsort(-weights):
        if weights[i] <= 0 or len(chosen) >= limit:
            break
        piece = str(bundle["features"][vector.indices[i]]).strip()
        if len(piece) < 2 or any(piece in c["text"] for c in chosen):
            continue
        chosen = [c for c in chosen if c["text"] not in piece]
        chosen.append({"text": piece, "weight": round(float(weights[i]), 3)})
    return chosen


def _rule_scores(text: str, leaves: dict[str, Category]):
    """Keyword rules from the category tree: each keyword or the name found in the text."""
    hits = {}
    for code, category in leaves.items():
        words = {w for w in category.keywords.split() if w} | {category.name}
        found = sorted(w for w in words if w in text)
        if found:
            hits[code] = found
    total = sum(len(w) for w in hits.values()) or 1
    scored = sorted(((c, len(w) / total * 0.8) for c, w in hits.items()), key=lambda r: -r[1])
    return scored, hits


def score(text: str, top: int = 3) -> Scored:
    """The categories and departments `text` most likely belongs to, best first."""
    tree = leaves()
    note, bundle = dispatch.serving()
    vector, words = None, []
    if bundle is not None:
        vector, ranked, best = _model_scores(bundle, text)
        model = {
            "kind": "model",
            "version": note["version"],
            "trained_at": note["trained_at"],
            "cases": note["cases"],
            "top1": note["scores"]["top1"],
            "top3": note["scores"]["top3"],
        }
    else:
        ranked, hits = _rule_scores(text, tree)
        model = {"kind": "rules", "version": "rules", "trained_at": None, "cases": 0}
        model |= {"top1": None, "top3": None}
    categories = []
    for code, probability in ranked:
        category = tree.get(code)
        if category is None:  # retired since the model was trained
            continue
        categories.append(
            {
                "code": code,
                "name": category.name,
                "department": category.department.code,
                "department_name": category.department.name,
                "score": round(probability, 3),
            }
        )
    if bundle is not None and categories:
        klass = bundle["classes"].index(categories[0]["code"])
        words = _weighty_words(bundle, vector, klass)
    elif categories:
        words = [{"text": w, "weight": 1.0} for w in hits[categories[0]["code"]]]
    departments: dict[str, dict] = {}
    for row in categories:
        entry = departments.setdefault(
            row["department"],
            {"code": row["department"], "name": row["department_name"], "score": 0.0},
        )
        entry["score"] += row["score"]
    by_department = sorted(departments.values(), key=lambda d: -d["score"])[:top]
    for entry in by_department:
        entry["score"] = round(min(entry["score"], 1.0), 3)
    return Scored(categories[:top], by_department, words, model, vector, bundle)


# Similar and duplicate cases ----------------------------------------------------------------

_vectors: dict = {}


def _open_vectors(bundle, version: str, pks: list[int]) -> dict:
    """TF-IDF rows of open cases, kept in memory per model version (a case's text stays):
    only the cases not seen before are read and transformed."""
    if len(_vectors) > 50_000:
        _vectors.clear()
    missing = [pk for pk in pks if (version, pk) not in _vectors]
    if missing:
        rows = list(Case.objects.filter(pk__in=missing).values_list("pk", "subject", "text"))
        matrix = bundle["vectorizer"].transform([dispatch.case_words(s, t) for _, s, t in rows])
        for n, (pk, _s, _t) in enumerate(rows):
            start, end = matrix.indptr[n], matrix.indptr[n + 1]
            _vectors[(version, pk)] = (matrix.indices[start:end], matrix.data[start:end])
    return {pk: _vectors[(version, pk)] for pk in pks if (version, pk) in _vectors}


def _cosines(vector, rows: list) -> list[float]:
    """The dot product of the (L2-normalised) TF-IDF row `vector` with each of `rows`, given
    as (indices, values): gathered from a dense copy of `vector` in one pass over them all."""
    import numpy as np

    dense = np.zeros(vector.shape[1], dtype=np.float32)
    dense[vector.indices] = vector.data
    if not rows:
        return []
    products = dense[np.concatenate([i for i, _d in rows])] * np.concatenate([d for _i, d in rows])
    sizes = np.array([len(i) for i, _d in rows])
    ends = np.cumsum(sizes)
    totals = np.concatenate([[0.0], np.cumsum(products, dtype=np.float64)])
    return list(totals[ends] - totals[ends - sizes])


def _bigrams(text: str) -> set[str]:
    chars = "".join(CJK.findall(text)) or text
    return {chars[i : i + 2] for i in range(len(chars) - 1)}


def _text_scores(scored: Scored, text: str, rows: list) -> dict[int, float]:
    """Similarity of `text` to each candidate (pk, subject, text): the cosine of the TF-IDF
    rows with a model (the texts are read only for cases not seen before), else the overlap
    of character pairs."""
    if scored.bundle is not None:
        vectors = _open_vectors(scored.bundle, scored.model["version"], [r[0] for r in rows])
        sims = _cosines(scored.vector, list(vectors.values()))
        return {pk: float(sim) for pk, sim in zip(vectors, sims, strict=True)}
    mine = _bigrams(text)
    return {
        pk: len(mine & (b := _bigrams(dispatch.case_words(s, t)))) / (len(mine | b) or 1)
        for pk, s, t, *_rest in rows
    }


def _category_ids(codes) -> list[int]:
    """The ids of categories named by code (the cached tree; a retired one is looked up)."""
    tree = leaves()
    wanted = {c for c in codes if c}
    ids = [tree[c].pk for c in wanted if c in tree]
    missing = [c for c in wanted if c not in tree]
    if missing:
        ids += list(Category.objects.filter(code__in=missing).values_list("pk", flat=True))
    return ids


def _metres(lat1, lon1, lat2, lon2) -> float:
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlambda = phi2 - phi1, math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * 6_371_000 * math.asin(math.sqrt(a))


def duplicates(*, user, scored: Scored, text: str, lat=None, lon=None, category=None, exclude=None):
    """Open cases the user may read, received within the window, that are probably about the
    same matter: the same category within the distance, or a very similar text. One query
    finds both kinds of candidate (those nearby first, then the newest), one more reads the
    few found."""
    codes = [c["code"] for c in scored.categories]
    if not codes and not category:
        return []
    since = timezone.now() - dt.timedelta(days=duplicate_days())
    rows = Case.objects.filter(
        access.case_scope(user),
        status__in=OPEN_STATUSES,
        received_at__gte=since,
        category_id__in=_category_ids([*codes, category]),
    )
    if exclude is not None:
        rows = rows.exclude(pk=exclude)
    same = _category_ids([category] if category else codes[:1])
    metres = duplicate_metres()
    if lat is not None and same:
        dlat = metres / 111_000
        dlon = metres / (111_000 * max(math.cos(math.radians(lat)), 0.1))
        box = Q(
            category_id__in=same,
            latitude__range=(lat - dlat, lat + dlat),
            longitude__range=(lon - dlon, lon + dlon),
        )
        near = When(box, then=Value(True))
        rows = rows.annotate(near=Choose(near, default=Value(False), output_field=BooleanField()))
    else:
        rows = rows.annotate(near=Value(False, output_field=BooleanField()))
    fields = ["pk", "near", "latitude", "longitude"]
    if scored.bundle is None:
        fields = ["pk", "subject", "text", *fields]
    candidates = list(
        rows.order_by("-near", "-received_at").values_list(*fields)[: CANDIDATES + 50]
    )
    found: dict[int, dict] = {}
    for row in candidates:
        pk, (is_near, la, lo) = row[0], row[-3:]
        if is_near:
            distance = _metres(lat, lon, float(la), float(lo))
            if distance <= metres:
                reason = _("same category, %(m)d m away") % {"m": round(distance)}
                found[pk] = {"score": round(1 - distance / (2 * metres), 3), "reason": reason}
    for pk, similarity in _text_scores(scored, text, candidates).items():
        if similarity >= TEXT_DUPLICATE and similarity > found.get(pk, {}).get("score", 0):
            reason = _("very similar text (%(p)d%%)") % {"p": round(similarity * 100)}
            found[pk] = {"score": round(similarity, 3), "reason": reason}
    best = sorted(found.items(), key=lambda kv: -kv[1]["score"])[:5]
    if not best:
        return []
    shown = Case.objects.select_related("lead", "category").only(*SHOWN).order_by()
    cases = shown.in_bulk([pk for pk, _ in best])
    return [{"case": cases[pk], **info} for pk, info in best if pk in cases]


def similar(*, user, scored: Scored, limit: int = 3) -> list[dict]:
    """The past cases most like this text that the user may read, and how they ended (the
    reply sent): one query, whatever the number of candidates."""
    if scored.bundle is None or scored.vector is None or not scored.vector.nnz:
        return []
    import numpy as np

    index = scored.bundle["similar_xt"]
    if index.shape[1] == 0:
        return []
    sims = (scored.vector @ index).toarray().ravel()
    k = min(limit * 4, sims.size)
    best = np.argpartition(-sims, k - 1)[:k]  # the k best, then only those sorted
    top = best[np.argsort(-sims[best], kind="stable")]
    ids = [int(scored.bundle["similar_ids"][i]) for i in top if sims[i] > 0]
    if not ids:
        return []
    sent = Reply.objects.filter(case=OuterRef("pk"), state=Reply.State.SENT)
    rows = (
        Case.objects.filter(access.case_scope(user), pk__in=ids)
        .select_related("lead", "category")
        .only(*SHOWN)
        .annotate(reply=Subquery(sent.order_by("-sent_at").values("public_text")[:1]))
        .order_by()
    )
    cases = {c.pk: c for c in rows}
    out = []
    for i in top:
        pk = int(scored.bundle["similar_ids"][i])
        if pk in cases and len(out) < limit:
            case = cases[pk]
            out.append({"case": case, "score": round(float(sims[i]), 3), "reply": case.reply})
    return out


# The whole answer ---------------------------------------------------------------------------


def suggest(*, user, text, subject="", latitude=None, longitude=None, category=None, exclude=None):
    """Everything the intake and assign pages and the API show for `text`."""
    text = validation.text("text", text, 20000, multiline=True)
    subject = validation.text("subject", subject, 200, required=False)
    lat, lon = place(latitude, longitude)
    words = dispatch.case_words(subject, text)
    notes = _notes(subject + text)
    scored = score(words)
    if notes:  # nothing real to go on: never shown as confident, no "words" to point at
        for row in scored.categories + scored.departments:
            row["score"] = min(row["score"], LOW_CONFIDENCE - 0.01)
        scored.words = []
    if scored.model["kind"] == "rules":
        notes.append(
            _("Too few closed cases for a model yet: these come from the categories' keywords.")
        )
    top = scored.categories[0]["score"] if scored.categories else 0.0
    if not scored.categories:
        notes.append(_("No category matches: choose one yourself."))
    elif top < LOW_CONFIDENCE and not notes:
        notes.append(_("Low confidence: the text fits several categories; check before choosing."))
    return {
        "categories": scored.categories,
        "departments": scored.departments,
        "words": scored.words,
        "confident": bool(scored.categories) and top >= LOW_CONFIDENCE,
        "notes": notes,
        "model": scored.model,
        "similar": similar(user=user, scored=scored),
        "duplicates": duplicates(
            user=user,
            scored=scored,
            text=words,
            lat=lat,
            lon=lon,
            category=category,
            exclude=exclude,
        ),
    }


def may_suggest(user) -> bool:
    """Who may ask for suggestions: those who file or assign cases."""
    return access.can_file(user) or access.manages(user)


def _case_row(case: Case, **extra) -> dict:
    return {
        "case": case.number,
        "id": case.pk,
        "subject": case.subject,
        "category": case.category.name,
        "department": case.lead.name if case.lead_id else None,
        "status": case.get_status_display(),
        "workdays_taken": case.workdays_taken,
    } | extra


def as_json(answer: dict) -> dict:
    """The answer with its cases as plain rows (the API's and the page script's shape)."""
    return answer | {
        "notes": [str(n) for n in answer["notes"]],
        "duplicates": [
            _case_row(d["case"], score=d["score"], reason=str(d["reason"]))
            for d in answer["duplicates"]
        ],
        "similar": [
            _case_row(s["case"], score=s["score"], reply=s["reply"]) for s in answer["similar"]
        ],
    }
