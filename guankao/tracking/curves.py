"""The item page's charts: the progress S-curve (the original and the current baseline
against actual progress), the money S-curve (planned spending against money spent, as a
share of the total budget), each with the table of the same figures beside it."""

from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from guankao.lib.roc import format_roc, format_roc_month
from guankao.tracking import charts, gantt
from guankao.tracking.models import Baseline, Item

DRAWN = (Baseline.State.APPROVED, Baseline.State.SUPERSEDED)


def _month_label(y: int, m: int) -> str:
    return format_roc_month(y, m)


def _axis(item: Item, live, drawn) -> list[tuple[int, int]]:
    ends = [(r.year, r.month) for r in live]
    for b in drawn:
        if b.months:
            ends += [tuple(b.months[0][:2]), tuple(b.months[-1][:2])]
    return charts.month_axis(min(ends), max(ends)) if ends else []


def item_curves(item: Item, live) -> dict:
    """{"progress": svg, "money": svg, "rows": [...], "revised": bool} ("" when nothing)."""
    if not item.reports_progress:
        return {"progress": "", "money": "", "rows": [], "revised": False}
    drawn = [b for b in item.baselines.all() if b.state in DRAWN]
    months = _axis(item, live, drawn)
    if not months:
        return {"progress": "", "money": "", "rows": [], "revised": False}
    original = min(drawn, key=lambda b: b.revision) if drawn else None
    current = next((b for b in drawn if b.pk == item.baseline_id), original)
    revised = original is not None and current is not None and original.pk != current.pk
    by_month = {(r.year, r.month): r for r in live}
    rows = []
    for y, m in months:
        report = by_month.get((y, m))
        first = original.planned_for(y, m) if original else (None, None)
        now = current.planned_for(y, m) if current else (None, None)
        rows.append(
            {
                "label": _month_label(y, m),
                "original": first[0],
                "planned": now[0] if current else (report.planned if report else None),
                "money_planned": now[1] if current else (report.money_planned if report else None),
                "report": report,
            }
        )
    return {
        "progress": _progress_svg(item, rows, revised),
        "money": _money_svg(item, rows),
        "rows": rows,
        "revised": revised,
    }


def _progress_svg(item: Item, rows: list[dict], revised: bool) -> str:
    actual = [r["report"].actual if r["report"] else None for r in rows]
    if revised:
        points = [
            (r["label"], r["original"], r["planned"], a) for r, a in zip(rows, actual, strict=True)
        ]
        legend = (_("Original baseline"), _("Current baseline"), pgettext("progress", "Actual"))
    else:
        points = [(r["label"], r["planned"], a) for r, a in zip(rows, actual, strict=True)]
        legend = (pgettext("progress", "Planned"), pgettext("progress", "Actual"))
    desc = _(
        "Planned and actual progress by month from %(first)s to %(last)s. The table beside "
        "the chart lists every month."
    ) % {"first": rows[0]["label"], "last": rows[-1]["label"]}
    return charts.s_curve(
        points,
        title=_("S-curve of %(number)s: planned and actual progress (%%)")
        % {"number": item.number},
        desc=desc,
        legend=legend,
        id_prefix=f"curve-{item.pk}",
    )


def _share(amount, total) -> Decimal | None:
    if amount is None or not total:
        return None
    return min(Decimal(amount) * 100 / Decimal(total), Decimal(100)).quantize(Decimal("0.01"))


def _money_svg(item: Item, rows: list[dict]) -> str:
    total = item.budget_total
    if not total:
        return ""
    points = [
        (
            r["label"],
            _share(r["money_planned"], total),
            _share(r["report"].money_spent if r["report"] else None, total),
        )
        for r in rows
    ]
    desc = _(
        "Planned spending and money spent to date by month, as a share of the total budget "
        "of NT$%(total)s. The table beside the chart lists the amounts."
    ) % {"total": f"{total:,}"}
    return charts.s_curve(
        points,
        title=_("Money S-curve of %(number)s: planned spending and money spent (%% of budget)")
        % {"number": item.number},
        desc=desc,
        legend=(_("Planned spending"), _("Money spent")),
        id_prefix=f"money-{item.pk}",
    )


def item_gantt(item: Item, milestones: list, today) -> str:
    """The milestones against today (gantt.py draws it; the page's table has the figures)."""
    if not milestones:
        return ""
    late = sum(1 for m in milestones if gantt.state(m, today) == "overdue")
    done = sum(1 for m in milestones if m.done_on)
    desc = _(
        "%(n)d milestones from %(first)s to %(last)s: %(done)d done, %(late)d overdue. The "
        "table below the chart lists every milestone."
    ) % {
        "n": len(milestones),
        "first": format_roc(milestones[0].due),
        "last": format_roc(milestones[-1].due),
        "done": done,
        "late": late,
    }
    return gantt.gantt(
        milestones,
        start=item.start_date,
        today=today,
        title=_("Milestones of %(number)s against today") % {"number": item.number},
        desc=desc,
        labels={"today": _("Today")},
        id_prefix=f"gantt-{item.pk}",
    )
