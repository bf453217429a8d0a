"""Kept figures of closed cases (models.Figure): what the officer's overview reads instead of
scanning the year's cases. Closed cases hardly change, so their counts are kept per month
of receipt, lead department, category, channel and confidentiality; the open cases (a
percent or two) are counted live beside them.

A bucket is recounted from its cases, under a lock on its row, in the same transaction as
the change: whenever a case closes, reopens or has its survey answered (`recount`). A
recount is idempotent, so nothing can drift by being counted twice; `rebuild` recounts
everything at once (after a bulk load) and `check` compares kept with counted.
"""

import datetime as dt
import threading
from contextlib import contextmanager

from django.db import transaction
from django.db.models import Count, DateField, Exists, F, OuterRef, Q, Sum
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from guankao.petitions.models import Assignment, Case, Figure, Survey

CLOSED = (Case.Status.REPLIED, Case.Status.NOT_PROCESSED, Case.Status.MERGED, Case.Status.ANSWERED)
KEY_FIELDS = ("lead_id", "category_id", "channel", "confidential")
CASE_FIGURES = ("closed", "replied", "on_time", "workdays_sum", "workdays_n")
CASE_FIGURES += ("extended", "rerouted")
SURVEY_FIGURES = ("surveys", "speed_sum", "attitude_sum", "result_sum")


def rerouted() -> Exists:
    """Re-routed: the case was once assigned to a department other than its lead now."""
    others = Assignment.objects.filter(case=OuterRef("pk")).exclude(department=OuterRef("lead"))
    return Exists(others)


def case_aggregates() -> dict:
    replied = Q(status=Case.Status.REPLIED)
    return {
        "closed": Count("pk"),
        "replied": Count("pk", filter=replied),
        "on_time": Count("pk", filter=replied & Q(closed_at__date__lte=F("due_date"))),
        "workdays_sum": Coalesce(Sum("workdays_taken"), 0),
        "workdays_n": Count("workdays_taken"),
        "extended": Count("pk", filter=Q(extensions__gt=0)),
        "rerouted": Count("pk", filter=Q(rerouted())),
    }


def survey_aggregates(prefix: str = "") -> dict:
    return {
        "surveys": Count(f"{prefix}pk"),
        "speed_sum": Coalesce(Sum(f"{prefix}speed"), 0),
        "attitude_sum": Coalesce(Sum(f"{prefix}attitude"), 0),
        "result_sum": Coalesce(Sum(f"{prefix}result"), 0),
    }


def _month(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date().replace(day=1)


def _key(month: dt.date, lead_id, category_id, channel: str, confidential: bool) -> str:
    return f"{month:%Y-%m}|{lead_id or '-'}|{category_id or '-'}|{channel}|{int(confidential)}"


def _bucket_cases(month: dt.date, values: dict):
    start = timezone.make_aware(dt.datetime.combine(month, dt.time()))
    following = (month + dt.timedelta(days=32)).replace(day=1)
    end = timezone.make_aware(dt.datetime.combine(following, dt.time()))
    return Case.objects.filter(
        status__in=CLOSED, received_at__gte=start, received_at__lt=end, **values
    )


_batch = threading.local()


@contextmanager
def batch():
    """Within it, recounts wait and each bucket is recounted once at the end (the demo's
    thousands of cases, an import): the same figures, a fraction of the queries."""
    if getattr(_batch, "buckets", None) is not None:  # already in one
        yield
        return
    _batch.buckets = {}
    try:
        yield
        buckets, _batch.buckets = _batch.buckets, None
        _recount(buckets)
    finally:
        _batch.buckets = None


def recount(*cases: Case) -> None:
    """Recount the buckets of these cases from their rows, each under its row's lock (so two
    closings in one bucket at once wait for each other and the second counts both)."""
    buckets = {}
    for case in cases:
        month = _month(case.received_at)
        values = {f: getattr(case, f) for f in KEY_FIELDS}
        buckets[_key(month, *values.values())] = (month, values)
    if getattr(_batch, "buckets", None) is not None:
        _batch.buckets.update(buckets)
        return
    _recount(buckets)


@transaction.atomic
def _recount(buckets: dict) -> None:
    for key in sorted(buckets):  # one order for every transaction: no deadlock
        month, values = buckets[key]
        Figure.objects.bulk_create([Figure(key=key, month=month, **values)], ignore_conflicts=True)
        figure = Figure.objects.select_for_update().get(key=key)
        rows = _bucket_cases(month, values)
        counted = rows.aggregate(**case_aggregates())
        counted |= Survey.objects.filter(case__in=rows, answered_at__isnull=False).aggregate(
            **survey_aggregates()
        )
        for name, value in counted.items():
            setattr(figure, name, value)
        figure.save(update_fields=[*CASE_FIGURES, *SURVEY_FIGURES])


def counted() -> dict[str, dict]:
    """Every bucket counted from the cases now, by key."""
    keys = [*KEY_FIELDS]
    month = TruncMonth("received_at", output_field=DateField())
    out: dict[str, dict] = {}
    cases = Case.objects.filter(status__in=CLOSED).annotate(m=month)
    for row in cases.values("m", *keys).annotate(**case_aggregates()).order_by():
        values = {k: row[k] for k in keys}
        out[_key(row["m"], *values.values())] = (
            {"month": row["m"], **values}
            | {f: row[f] for f in CASE_FIGURES}
            | dict.fromkeys(SURVEY_FIGURES, 0)
        )
    surveys = Survey.objects.filter(case__status__in=CLOSED, answered_at__isnull=False)
    surveys = surveys.annotate(m=TruncMonth("case__received_at", output_field=DateField()))
    by_case = {f"case__{k}": k for k in keys}
    for row in surveys.values("m", *by_case).annotate(**survey_aggregates()).order_by():
        key = _key(row["m"], *(row[k] for k in by_case))
        out[key].update({f: row[f] for f in SURVEY_FIGURES})
    return out


@transaction.atomic
def rebuild() -> int:
    """Every bucket recounted at once (after a bulk load or an import): the number of rows."""
    rows = [Figure(key=key, **values) for key, values in counted().items()]
    Figure.objects.all().delete()
    Figure.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


def check() -> list[str]:
    """The keys whose kept figures differ from the cases' (empty when all agree)."""
    fresh = counted()
    fields = [*CASE_FIGURES, *SURVEY_FIGURES]
    kept = {
        f.key: {n: getattr(f, n) for n in fields}
        for f in Figure.objects.all()
        if any(getattr(f, n) for n in fields)
    }
    wrong = {k for k, v in fresh.items() if kept.get(k) != {n: v[n] for n in fields}}
    return sorted(wrong | (kept.keys() - fresh.keys()))
