"""The checks of a monthly report's fields: planned figures from the approved baseline
(never typed), cumulative figures that go down only with a correction reason, lag reasons
as categories plus text, countermeasures when seriously behind, and the milestones due by
the end of the month (done on a date, or late with a reason)."""

import datetime as dt

from django.utils.translation import gettext as _

from guankao.core import validation
from guankao.core.errors import ServiceError
from guankao.core.validation import choice, money, percent
from guankao.lib import progress
from guankao.lib.roc import format_roc, format_roc_month
from guankao.tracking import baselines
from guankao.tracking.models import Baseline, Item, LagCategory, Milestone, Report, Rules
from guankao.tracking.services import month_end

TEXTS = ("work_done", "problems", "countermeasures", "lag_reason", "correction_reason")


def _texts(data: dict) -> dict:
    clean = {"work_done": validation.text("work_done", data.get("work_done"), 5000)}
    for field in TEXTS[1:]:
        clean[field] = validation.text(field, data.get(field), 5000, required=False)
    return clean


def _handling(item: Item, data: dict, clean: dict) -> dict:
    clean["handling"] = choice("handling", data.get("handling") or "", Report.Handling)
    clean["result"] = validation.text("result", data.get("result"), 5000, required=True)
    for field in ("planned", "actual", "money_planned", "money_spent"):
        if data.get(field) not in (None, ""):
            raise ServiceError.field(
                field,
                _("a %(kind)s reports its handling status, not percentages")
                % {"kind": item.get_kind_display()},
            )
    return clean


def _planned(actor, item: Item, data: dict, year: int, month: int, imported: bool) -> dict:
    """The month's planned figures come from the approved baseline. A typed one is refused;
    an imported one that differs is kept aside as a flag."""
    typed = {f: data.get(f) for f in ("planned", "money_planned") if data.get(f) not in (None, "")}
    if typed and not imported:
        field = next(iter(typed))
        raise ServiceError.field(
            field,
            _(
                "comes from the approved baseline schedule and is not typed in the monthly report; "
                "a change of plan is a revision request (修正計畫)"
            ),
        )
    said = percent("planned", typed.get("planned"))
    said_money = money("money_planned", typed.get("money_planned"))
    if (
        imported
        and said is not None
        and (item.baseline is None or item.baseline.source == Baseline.Source.IMPORT)
    ):
        imported_baseline = baselines.imported_month(actor, item, year, month, said, said_money)
        if item.baseline is None:
            planned = said
            return {
                "baseline": imported_baseline,
                "planned": planned,
                "money_planned": said_money,
                "imported_planned": None,
            }
    baseline, planned, money_planned = baselines.planned_figures(item, year, month)
    flag = said if said is not None and said != planned else None
    return {
        "baseline": baseline,
        "planned": planned,
        "money_planned": money_planned,
        "imported_planned": flag,
    }


def categories(data: dict) -> list[LagCategory]:
    codes = data.get("lag_categories") or []
    if isinstance(codes, str):
        codes = [codes]
    wanted = [c.code if isinstance(c, LagCategory) else str(c) for c in codes]
    found = {c.code: c for c in LagCategory.objects.filter(code__in=wanted, active=True)}
    for code in wanted:
        if code not in found:
            raise ServiceError.field(
                "lag_categories", _("%(c)s is not a lag reason category in use") % {"c": code}
            )
    return [found[c] for c in dict.fromkeys(wanted)]


def check_progress(actor, item, data, rules: Rules, year, month, imported) -> tuple[dict, list]:
    """A progress report's figures, lag and reasons; returns (fields, categories)."""
    clean = _texts(data)
    if not item.reports_progress:
        return _handling(item, data, clean), []
    for field in ("handling", "result"):
        if data.get(field):
            raise ServiceError.field(
                field, _("is for directives and resolutions; this item reports percentages")
            )
    clean["actual"] = percent("actual", data.get("actual"), required=True)
    clean["money_spent"] = money("money_spent", data.get("money_spent"))
    clean.update(_planned(actor, item, data, year, month, imported))
    chosen = categories(data)
    lag = progress.classify_lag(
        clean["planned"],
        clean["actual"],
        clean["money_planned"],
        clean["money_spent"],
        serious_gap=rules.serious_gap,
        money_share=rules.money_share,
    )
    if lag.needs_lag_reason and not clean["lag_reason"]:
        raise ServiceError.field(
            "lag_reason", _("is required when actual progress is behind planned (落後原因)")
        )
    if lag.needs_lag_reason and not chosen and not imported:
        raise ServiceError.field(
            "lag_categories", _("choose at least one kind of lag reason when behind plan")
        )
    if lag.seriously_behind and not clean["countermeasures"] and not imported:
        raise ServiceError.field(
            "countermeasures", _("is required when the case is seriously behind (因應對策)")
        )
    clean.update(
        behind=lag.behind, seriously_behind=lag.seriously_behind, money_behind=lag.money_behind
    )
    return clean, chosen


def check_not_backwards(item: Item, year: int, month: int, clean: dict) -> None:
    """Cumulative actual progress and money spent do not go down, unless the report says
    why (a correction reason)."""
    if clean.get("correction_reason"):
        return
    earlier = (
        item.reports.filter(state__in=["submitted", "approved"])
        .exclude(year__gt=year)
        .exclude(year=year, month__gte=month)
        .order_by("-year", "-month")
        .first()
    )
    if earlier is None:
        return
    when = format_roc_month(earlier.year, earlier.month)
    actual, spent = clean.get("actual"), clean.get("money_spent")
    if actual is not None and earlier.actual is not None and actual < earlier.actual:
        message = _(
            "must not be below the %(pct)s%% reported for %(month)s: actual progress is "
            "cumulative (give a correction reason to correct it)"
        )
        raise ServiceError.field("actual", message % {"pct": earlier.actual, "month": when})
    if spent is not None and earlier.money_spent is not None and spent < earlier.money_spent:
        message = _(
            "must not be below the NT$%(amount)s reported for %(month)s: money spent is "
            "cumulative (give a correction reason to correct it)"
        )
        amount = f"{earlier.money_spent:,}"
        raise ServiceError.field("money_spent", message % {"amount": amount, "month": when})


def milestone_updates(item: Item, year: int, month: int, raw, today: dt.date) -> list:
    """The milestones due by the end of the month that are not done: each must be marked
    done on a date, or late with a reason. raw: {milestone id: {"done_on", "late_reason",
    "expected_on"}}. Returns [(milestone, done_on, late_reason, expected_on)]."""
    raw = {str(k): v for k, v in (raw or {}).items()}
    end = month_end(year, month)
    rows = list(item.milestones.filter(done_on__isnull=True).order_by("due", "order", "pk"))
    known = {str(m.pk) for m in rows}
    for key in raw:
        if key not in known:
            raise ServiceError.field(
                "milestones", _("%(id)s is not an open milestone of this case") % {"id": key}
            )
    updates = []
    for m in rows:
        given = raw.get(str(m.pk)) or {}
        field = f"milestone_{m.pk}"
        done = validation.date_value(field, given.get("done_on"))
        reason = validation.text(field, given.get("late_reason"), 2000, required=False)
        expected = validation.date_value(field, given.get("expected_on"))
        if done and done > today:
            raise ServiceError.field(field, _("must not be done in the future"))
        if m.due <= end and not done and not reason:
            raise ServiceError.field(
                field,
                _("%(title)s was due on %(due)s: give the date it was done, or why it is late")
                % {"title": m.title, "due": format_roc(m.due)},
            )
        if done or reason or expected:
            updates.append((m, done, reason, expected))
    return updates


def apply_milestones(updates: list) -> None:
    for m, done, reason, expected in updates:
        m.done_on = done or m.done_on
        m.late_reason = reason or m.late_reason
        m.expected_on = expected or m.expected_on
    Milestone.objects.bulk_update(
        [u[0] for u in updates], ["done_on", "late_reason", "expected_on"]
    )
