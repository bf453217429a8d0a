"""The approved baseline schedule (預定進度) that monthly reports take their planned figures
from, and its revisions (修正計畫).

A baseline is proposed by the department (or the 管考 officer): typed month by month,
generated from an S-curve between start and finish, or imported with the PCMS data. The
officer approves it; from then on the item's finish date and total budget change only
through a new revision with its reason, approved the same way. Every revision is kept.
"""

import datetime as dt
import math
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from guankao.core import validation
from guankao.core.errors import ServiceError
from guankao.lib.roc import DateFormatError, format_roc_month, parse_date
from guankao.tracking import access
from guankao.tracking.models import Baseline, Item
from guankao.tracking.services import A, _record, next_month, refresh

CURVE_STEEPNESS = 8  # the logistic's slope: slow start, fast middle, slow finish
_CENT = Decimal("0.01")


def month_span(start: dt.date, finish: dt.date) -> list[tuple[int, int]]:
    months, (y, m) = [], (start.year, start.month)
    while (y, m) <= (finish.year, finish.month) and len(months) < 240:
        months.append((y, m))
        y, m = next_month(y, m)
    return months


def s_curve_share(x: float) -> float:
    """A logistic S-curve rescaled to run from 0 at x = 0 to 1 at x = 1."""
    low, high = (1 / (1 + math.exp(-CURVE_STEEPNESS * (v - 0.5))) for v in (0, 1))
    return (1 / (1 + math.exp(-CURVE_STEEPNESS * (x - 0.5))) - low) / (high - low)


def curve_months(start: dt.date, finish: dt.date, budget: int | None) -> list[list]:
    """The planned % (and planned spending, if a budget is given) at the end of every month
    from the start month to the finish month, on an S-curve reaching 100% at the finish."""
    months = month_span(start, finish)
    rows = []
    for i, (y, m) in enumerate(months, 1):
        share = Decimal(str(s_curve_share(i / len(months)))).quantize(Decimal("0.0001"))
        planned = (share * 100).quantize(_CENT)
        rows.append([y, m, str(planned), int(budget * share) if budget is not None else None])
    return rows


def parse_months(text: str) -> list[list]:
    """Lines of "115/03 12.5 1200000" (民國 or western year/month, planned %, planned
    spending to date in NT$, optional)."""
    rows = []
    for n, line in enumerate(text.splitlines(), 1):
        parts = line.replace(",", " ").replace("%", " ").split()
        if not parts:
            continue
        if len(parts) not in (2, 3):
            raise ServiceError.field(
                "months",
                _(
                    "line %(n)d: give the month, the planned %% and optionally the planned "
                    "spending, such as 115/03 12.5 1200000"
                )
                % {"n": n},
            )
        try:
            day = parse_date(parts[0] + "/01")
        except DateFormatError:
            raise ServiceError.field(
                "months", _("line %(n)d: the month must read like 115/03") % {"n": n}
            ) from None
        planned = validation.percent("months", parts[1], required=True)
        spend = validation.money("months", parts[2]) if len(parts) == 3 else None
        rows.append([day.year, day.month, str(planned.quantize(_CENT)), spend])
    return rows


def _check_months(rows: list[list], start: dt.date, finish: dt.date) -> None:
    if not rows:
        raise ServiceError.field("months", _("give at least one month"))
    first, last = (start.year, start.month), (finish.year, finish.month)
    previous = None
    for y, m, planned, spend in rows:
        label = format_roc_month(y, m)
        if not first <= (y, m) <= last:
            raise ServiceError.field(
                "months", _("%(m)s is outside the start and finish months") % {"m": label}
            )
        if previous and (y, m) <= tuple(previous[:2]):
            raise ServiceError.field("months", _("%(m)s: months must go forward") % {"m": label})
        if previous and Decimal(planned) < Decimal(previous[2]):
            raise ServiceError.field(
                "months",
                _("%(m)s: planned progress is cumulative and must not go down") % {"m": label},
            )
        if previous and spend is not None and (previous[3] or 0) > spend:
            raise ServiceError.field(
                "months",
                _("%(m)s: planned spending is cumulative and must not go down") % {"m": label},
            )
        previous = [y, m, planned, spend]
    if Decimal(rows[-1][2]) != 100:
        raise ServiceError.field("months", _("the last month must plan 100%"))


def _dates_and_budget(item: Item, data: dict):
    start = validation.date_value("start_date", data.get("start_date")) or item.start_date
    finish = validation.date_value("finish_date", data.get("finish_date")) or item.finish_date
    budget = validation.money("budget_total", data.get("budget_total"))
    budget = item.budget_total if budget is None else budget
    if start is None:
        raise ServiceError.field("start_date", _("is required for a baseline schedule"))
    if finish is None:
        raise ServiceError.field("finish_date", _("is required for a baseline schedule"))
    if finish < start:
        raise ServiceError.field("finish_date", _("must not be before the start date"))
    if item.budget_year and budget is not None and item.budget_year > budget:
        raise ServiceError.field("budget_total", _("must not be below this year's allocation"))
    return start, finish, budget


@transaction.atomic
def baseline_propose(
    *, actor, item: Item, method: str, reason: str = "", months_text: str = "", **data
) -> Baseline:
    """Propose the item's first baseline or a revision (修正計畫: the reason is required).
    method: "curve" (an S-curve from start to finish) or "typed" (`months_text`)."""
    item = Item.objects.select_for_update(of=("self",)).select_related("lead").get(pk=item.pk)
    validation.require(access.can_edit(actor, item) and item.is_open)
    if not item.reports_progress:
        raise ServiceError.field("method", _("only cases that report progress have a baseline"))
    if method not in (Baseline.Source.CURVE, Baseline.Source.TYPED):
        raise ServiceError.field("method", _("must be curve or typed"))
    revising = item.baseline_id is not None
    reason = validation.text("reason", reason, 5000, required=revising)
    if item.baselines.filter(state=Baseline.State.PROPOSED).exists():
        raise ServiceError.field(
            "method", _("a proposed baseline already awaits the officer's decision")
        )
    start, finish, budget = _dates_and_budget(item, data)
    if method == Baseline.Source.CURVE:
        rows = curve_months(start, finish, budget)
    else:
        rows = parse_months(validation.text("months", months_text, 20000))
    _check_months(rows, start, finish)
    return _create(actor, item, method, reason, start, finish, budget, rows)


def _create(actor, item, source, reason, start, finish, budget, rows) -> Baseline:
    last = item.baselines.aggregate(m=Max("revision"))["m"]
    revision = 0 if last is None else last + 1
    baseline = Baseline(
        item=item,
        revision=revision,
        source=source,
        reason=reason,
        start_date=start,
        finish_date=finish,
        budget_total=budget,
        months=rows,
        proposed_by=actor,
    )
    try:
        with transaction.atomic():
            baseline.save()
    except IntegrityError:
        raise ServiceError.field(
            "method", _("a proposed baseline already awaits the officer's decision")
        ) from None
    after = {"revision": revision, "source": source, "finish_date": str(finish)}
    _record(actor, A.CREATE, baseline, {}, {**after, "budget_total": budget}, item.lead, reason)
    return baseline


def _pending(baseline: Baseline) -> Baseline:
    baseline = (
        Baseline.objects.select_for_update(of=("self",))
        .select_related("item__lead")
        .get(pk=baseline.pk)
    )
    if baseline.state != Baseline.State.PROPOSED:
        raise ServiceError.field("state", _("this baseline is not awaiting a decision"))
    return baseline


@transaction.atomic
def baseline_approve(*, actor, baseline: Baseline, note: str = "") -> Baseline:
    """The officer approves: it becomes the item's baseline, with its finish date and
    total budget; the one before is kept as superseded."""
    validation.require(access.can_manage(actor))
    baseline = _pending(baseline)
    item = Item.objects.select_for_update(of=("self",)).get(pk=baseline.item_id)
    before = {"finish_date": str(item.finish_date), "budget_total": item.budget_total}
    item.baselines.filter(state=Baseline.State.APPROVED).update(state=Baseline.State.SUPERSEDED)
    _decide(actor, baseline, Baseline.State.APPROVED, note, required=False)
    item.baseline = baseline
    item.start_date, item.finish_date = baseline.start_date, baseline.finish_date
    item.budget_total, item.updated_at = baseline.budget_total, timezone.now()
    item.save(update_fields=["baseline", "start_date", "finish_date", "budget_total", "updated_at"])
    refresh(item)
    after = {"finish_date": str(item.finish_date), "budget_total": item.budget_total}
    _record(actor, A.UPDATE, item, before, after, item.lead, note=_("baseline approved"))
    return baseline


@transaction.atomic
def baseline_reject(*, actor, baseline: Baseline, note: str) -> Baseline:
    validation.require(access.can_manage(actor))
    baseline = _pending(baseline)
    return _decide(actor, baseline, Baseline.State.REJECTED, note, required=True)


def _decide(actor, baseline: Baseline, state: str, note: str, *, required: bool) -> Baseline:
    baseline.decision_note = validation.text("note", note, 2000, required=required)
    baseline.state, baseline.decided_by, baseline.decided_at = state, actor, timezone.now()
    baseline.save(update_fields=["state", "decision_note", "decided_by", "decided_at"])
    _record(
        actor,
        A.UPDATE,
        baseline,
        {"state": Baseline.State.PROPOSED},
        {"state": state},
        baseline.item.lead,
        note=baseline.decision_note[:300],
    )
    from guankao.core import services as core_services

    core_services.notify(
        recipients=[baseline.proposed_by],
        subject=_("%(item)s, baseline revision %(n)d: %(state)s")
        % {
            "item": baseline.item.number,
            "n": baseline.revision,
            "state": baseline.get_state_display(),
        },
        body=baseline.decision_note,
        url=f"/tracking/items/{baseline.item_id}/",
    )
    return baseline


def planned_figures(item: Item, year: int, month: int) -> tuple[Baseline, Decimal, int | None]:
    """The approved baseline's planned % and planned spending for a month; a clear refusal
    when the item has none yet."""
    baseline = item.baseline
    if baseline is None:
        raise ServiceError.field(
            "planned",
            _(
                "this case has no approved baseline schedule yet: propose one on the case page "
                "(typed, or an S-curve between start and finish) and have the 管考 officer approve "
                "it before filing a report"
            ),
        )
    planned, money = baseline.planned_for(year, month)
    return baseline, planned, money


def imported_month(actor, item: Item, year: int, month: int, planned, money) -> Baseline:
    """An imported report of an item without a baseline: its planned figures form the
    imported baseline (PCMS holds the approved schedule), approved when a 管考 officer
    imports, awaiting approval otherwise."""
    baseline = (
        item.baselines.filter(source=Baseline.Source.IMPORT)
        .exclude(state__in=[Baseline.State.REJECTED, Baseline.State.SUPERSEDED])
        .first()
    )
    if baseline is not None and baseline.months and (year, month) <= tuple(baseline.months[-1][:2]):
        return baseline  # an imported schedule is extended, never rewritten
    start = item.start_date or dt.date(year, month, 1)
    finish = item.finish_date or dt.date(year, month, 1)
    if baseline is None:
        baseline = _create(
            actor, item, Baseline.Source.IMPORT, "", start, finish, item.budget_total, []
        )
    rows = [r for r in baseline.months if (r[0], r[1]) != (year, month)]
    rows.append([year, month, str(planned), money])
    baseline.months = sorted(rows, key=lambda r: (r[0], r[1]))
    baseline.start_date = min(start, dt.date(*baseline.months[0][:2], 1))
    baseline.finish_date = max(finish, baseline.start_date)
    baseline.save(update_fields=["months", "start_date", "finish_date"])
    if baseline.state == Baseline.State.PROPOSED and access.can_manage(actor):
        baseline_approve(actor=actor, baseline=baseline, note=_("imported with the PCMS data"))
        baseline.refresh_from_db()
        item.baseline = baseline
    return baseline
