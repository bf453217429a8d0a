"""Reads that add up the open cases for the board and the reasons page, each one grouped
query whatever the number of cases: the lag reasons of the cases' current reports by
department, case kind and reason category, and the budget-weighted planned and actual
progress and the spending by department and for the city."""

from decimal import Decimal

from django.db.models import (
    BigIntegerField,
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    OuterRef,
    Subquery,
    Sum,
)

from guankao.tracking.models import PROGRESS_KINDS, Kind, LagCategory, Report
from guankao.tracking.selectors import item_list

LIVE = [Report.State.SUBMITTED, Report.State.APPROVED]
_CENT = Decimal("0.01")


def reason_tally(*, user, filters: dict | None = None) -> dict:
    """Open cases counted by the lag reason categories of their current (latest live)
    report: {"categories", "departments": [{department, counts, total}], "kinds": [...],
    "totals": {category id: n}}. A case with two categories counts under both."""
    items = item_list(user=user, filters={**(filters or {}), "status": "open"})
    # Each open case's current report, found from the case (its month's live report is
    # unique): driven from the reports, SQLite scanned every approved report (2.5 s at
    # 480,000).
    current = Report.objects.filter(
        item=OuterRef("pk"),
        state__in=LIVE,
        year=OuterRef("last_year"),
        month=OuterRef("last_month"),
    ).values("pk")[:1]
    through = Report.lag_categories.through
    rows = (
        through.objects.filter(
            report__in=items.annotate(current=Subquery(current)).values("current")
        )
        .values(
            "report__item__lead_id",
            "report__item__lead__name",
            "report__item__kind",
            "lagcategory_id",
        )
        .annotate(n=Count("report__item_id", distinct=True))
        .order_by()
    )
    by_department: dict[int, dict[int, int]] = {}
    names: dict[int, str] = {}
    by_kind: dict[str, dict[int, int]] = {}
    totals: dict[int, int] = {}
    for row in rows:
        category, n = row["lagcategory_id"], row["n"]
        names[row["report__item__lead_id"]] = row["report__item__lead__name"]
        counts = by_department.setdefault(row["report__item__lead_id"], {})
        counts[category] = counts.get(category, 0) + n
        kinds = by_kind.setdefault(row["report__item__kind"], {})
        kinds[category] = kinds.get(category, 0) + n
        totals[category] = totals.get(category, 0) + n
    categories = [c for c in LagCategory.objects.all() if c.active or c.pk in totals]
    labels = dict(Kind.choices)

    def line(label, counts):
        return {
            "label": label,
            "counts": [counts.get(c.pk, 0) for c in categories],
            "total": sum(counts.values()),
        }

    departments = [line(names.get(pk) or "—", counts) for pk, counts in by_department.items()]
    departments.sort(key=lambda r: (-r["total"], r["label"]))
    kinds = sorted(
        (line(labels.get(k, k), counts) for k, counts in by_kind.items()),
        key=lambda r: (-r["total"], str(r["label"])),
    )
    return {
        "categories": categories,
        "departments": departments,
        "kinds": kinds,
        "totals": [totals.get(c.pk, 0) for c in categories],
        "total": sum(totals.values()),
    }


def progress_totals(*, user, filters: dict | None = None) -> dict:
    """Planned and actual progress of the open progress cases weighted by their total
    budget, and planned spending and money spent, by lead department and for the city.
    Cases without a budget or a report are not in the weights (their count is given)."""
    items = item_list(user=user, filters={**(filters or {}), "status": "open"}).filter(
        kind__in=PROGRESS_KINDS,
        last_planned__isnull=False,
        last_actual__isnull=False,
        budget_total__gt=0,
    )
    weighted = DecimalField(max_digits=30, decimal_places=2)
    rows = (
        items.values("lead_id", "lead__name", "lead__code")
        .annotate(
            n=Count("pk"),
            budget=Sum("budget_total"),
            planned_w=Sum(ExpressionWrapper(F("last_planned") * F("budget_total"), weighted)),
            actual_w=Sum(ExpressionWrapper(F("last_actual") * F("budget_total"), weighted)),
            money_planned=Sum("last_money_planned", output_field=BigIntegerField()),
            spent=Sum("last_spent", output_field=BigIntegerField()),
        )
        .order_by()
    )
    city = {"n": 0, "budget": 0, "planned_w": 0, "actual_w": 0, "money_planned": 0, "spent": 0}
    lines = []
    for row in rows:
        for key in city:
            city[key] += row[key] or 0
        lines.append({**_shares(row), "name": row["lead__name"], "code": row["lead__code"]})
    lines.sort(key=lambda r: (r["gap"] is None, -(r["gap"] or 0)))
    return {"departments": lines, "city": _shares(city) if city["n"] else None}


def _shares(row: dict) -> dict:
    budget = Decimal(row["budget"] or 0)
    planned = (Decimal(row["planned_w"]) / budget).quantize(_CENT) if budget else None
    actual = (Decimal(row["actual_w"]) / budget).quantize(_CENT) if budget else None
    return {
        "n": row["n"],
        "budget": int(budget),
        "planned": planned,
        "actual": actual,
        "gap": planned - actual if planned is not None else None,
        "money_planned": row["money_planned"] or 0,
        "spent": row["spent"] or 0,
    }
