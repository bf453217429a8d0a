"""The smart dispatch measured honestly, for the officer's page and the API: the serving
model's top-1 / top-3 on its held-out split, the share of filed cases where the suggestion
was taken, and the re-routing (改分) rate per month before and after suggestions were on.

Re-routing is read from the kept figures of closed cases (`Figure.rerouted` of `closed`,
by month of receipt), within what the reader may count (`access.figure_scope`). The day
suggestions went on is the first case filed with suggestions shown on the page.
"""

import datetime as dt

from django.db.models import Count, Min, Q, Sum
from django.utils import timezone

from guankao.petitions import access, dispatch
from guankao.petitions.models import DispatchChoice, Figure


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 3) if whole else None


def _choices() -> dict:
    rows = DispatchChoice.objects.filter(stage=DispatchChoice.Stage.INTAKE)
    counted = rows.aggregate(
        n=Count("pk"),
        shown=Count("pk", filter=Q(shown=True)),
        category_n=Count("pk", filter=Q(category_taken__isnull=False)),
        category=Count("pk", filter=Q(category_taken=True)),
        department_n=Count("pk", filter=Q(department_taken__isnull=False)),
        department=Count("pk", filter=Q(department_taken=True)),
    )
    first = DispatchChoice.objects.filter(shown=True).aggregate(at=Min("at"))["at"]
    return {
        "choices": counted["n"],
        "shown": counted["shown"],
        "category_taken": _share(counted["category"], counted["category_n"]),
        "department_taken": _share(counted["department"], counted["department_n"]),
        "suggestions_on": timezone.localtime(first).date() if first else None,
    }


def measures(*, user, months: int = 24) -> dict:
    out = _choices()
    today = timezone.localdate()
    start = (today.replace(day=1) - dt.timedelta(days=31 * (months - 1))).replace(day=1)
    rows = (
        Figure.objects.filter(access.figure_scope(user), month__gte=start)
        .values("month")
        .annotate(closed=Sum("closed"), rerouted=Sum("rerouted"))
        .order_by("month")
    )
    on = out["suggestions_on"]
    on_month = on.replace(day=1) if on else None
    rerouting, sums = [], {"before": [0, 0], "after": [0, 0]}
    for row in rows:
        side = "after" if on_month and row["month"] >= on_month else "before"
        sums[side][0] += row["rerouted"]
        sums[side][1] += row["closed"]
        rerouting.append(
            {
                "month": row["month"].strftime("%Y-%m"),
                "closed": row["closed"],
                "rerouted": row["rerouted"],
                "rate": _share(row["rerouted"], row["closed"]),
                "suggestions": side,
            }
        )
    note = dispatch.serving_note()
    return out | {
        "model": note,
        "rerouting": rerouting,
        "rerouting_before": _share(*sums["before"]),
        "rerouting_after": _share(*sums["after"]),
    }
