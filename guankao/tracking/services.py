"""Every write to controlled cases: items, milestones, monthly reports, release, rules.

Each function checks permission, validates every field by name, writes an audit entry,
and keeps the item's computed figures (lag, risk, forecast) current through `refresh`.
Meetings and decisions are in `meetings.py`.
"""

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import BigIntegerField, Case, Exists, F, Max, OuterRef, Q, Value, When
from django.db.models.functions import Cast, Round
from django.utils import timezone
from django.utils.translation import gettext as _

from guankao.core import audit, validation
from guankao.core.errors import NotAllowed, ServiceError
from guankao.core.models import AuditEntry, Department
from guankao.core.validation import choice, coordinate, date_value, money
from guankao.lib import progress, workdays
from guankao.tracking import access
from guankao.tracking.models import PROGRESS_KINDS, Item, Kind, Milestone, Report, Rules
from guankao.tracking.tags import clean_tags, tag_rows

A = AuditEntry.Action
ITEM_TEXT = {  # field: (max length, required)
    "number": (40, True),
    "title": (300, True),
    "description": (5000, False),
    "tender_number": (60, False),
    "contractor": (200, False),
    "site_address": (300, False),
    "grant_source": (200, False),
}
ITEM_MONEY = ("budget_total", "budget_year", "contract_sum", "grant_amount", "matching_funds")
ITEM_DATES = ("start_date", "finish_date", "due_date")
ITEM_FIELDS = [
    *ITEM_TEXT,
    *ITEM_MONEY,
    *ITEM_DATES,
    "kind",
    "level",
    "lead",
    "latitude",
    "longitude",
    "co_departments",
    "tags",
    "status",
]
# Attachments hang on a model row: a report, or the item itself (release evidence).
ATTACHMENT_REPORT, ATTACHMENT_RELEASE = "tracking.report", "tracking.item"


def _record(actor, action, obj, before, after, department, note=""):
    changes = audit.diff(before, after)
    if changes or action != A.UPDATE:
        audit.record(
            actor=actor, action=action, obj=obj, changes=changes, department=department, note=note
        )


# Dates of the monthly cycle --------------------------------------------------------------


def next_month(year: int, month: int) -> tuple[int, int]:
    return (year + 1, 1) if month == 12 else (year, month + 1)


def previous_month(year: int, month: int) -> tuple[int, int]:
    return (year - 1, 12) if month == 1 else (year, month - 1)


def report_due(year: int, month: int, rules: Rules | None = None) -> dt.date:
    """The month's report is due on the rules' day of the next month; a due day that is not
    a working day (a weekend, a holiday, a typhoon day off) moves to the next working day,
    as a time limit ending on a day off does (行政程序法 第48條)."""
    rules = rules or Rules.current()
    y, m = next_month(year, month)
    return workdays.add_working_days(dt.date(y, m, rules.report_due_day), 0)


def month_end(year: int, month: int) -> dt.date:
    y, m = next_month(year, month)
    return dt.date(y, m, 1) - dt.timedelta(days=1)


# Items -----------------------------------------------------------------------------------


def item_version(item: Item) -> str:
    return audit.version(_snapshot(item))


def _snapshot(item: Item) -> dict:
    many = ("lead", "co_departments", "tags")
    state = audit.snapshot(item, [f for f in ITEM_FIELDS if f not in many])
    state["lead"] = item.lead.code if item.lead_id else None
    if item.pk:
        state["co_departments"] = sorted(d.code for d in item.co_departments.all())
        state["tags"] = sorted(t.name for t in item.tags.all())
    return state


def _department(field: str, value) -> Department:
    if isinstance(value, Department):
        return value
    if not isinstance(value, str) or not value.strip():
        raise ServiceError.field(field, _("must be a department code"))
    try:
        return Department.objects.get(code=value.strip(), active=True)
    except Department.DoesNotExist:
        raise ServiceError.field(
            field, _("no active department has the code %(c)s") % {"c": value}
        ) from None


def _clean_item(data: dict, item: Item) -> list[Department] | None:
    """Apply `data` to `item` field by field; returns the co-departments if given."""
    for field in data:
        if field not in ITEM_FIELDS or field == "status":
            raise ServiceError.field(field, _("cannot be changed here"))
    for field, (limit, required) in ITEM_TEXT.items():
        if field in data:
            setattr(item, field, validation.text(field, data[field], limit, required))
    for field in ITEM_MONEY:
        if field in data:
            setattr(item, field, money(field, data[field]))
    for field in ITEM_DATES:
        if field in data:
            setattr(item, field, date_value(field, data[field]))
    if "kind" in data:
        item.kind = choice("kind", data["kind"], Kind)
    if "lead" in data:
        item.lead = _department("lead", data["lead"])
    if "level" in data:
        item.level = choice("level", data["level"], Item.Level)
    if "latitude" in data:
        item.latitude = coordinate("latitude", data["latitude"], 90)
    if "longitude" in data:
        item.longitude = coordinate("longitude", data["longitude"], 180)
    if (item.latitude is None) != (item.longitude is None):
        raise ServiceError.field("longitude", _("give both latitude and longitude, or neither"))
    if item.start_date and item.finish_date and item.finish_date < item.start_date:
        raise ServiceError.field("finish_date", _("must not be before the start date"))
    if item.budget_year and item.budget_total is not None and item.budget_year > item.budget_total:
        raise ServiceError.field("budget_year", _("must not exceed the total budget"))
    co = None
    if "co_departments" in data:
        co = [_department("co_departments", d) for d in data["co_departments"] or []]
        if any(d.pk == item.lead_id for d in co):
            raise ServiceError.field("co_departments", _("must not include the lead department"))
    return co


def _check_level(item: Item, rules: Rules) -> None:
    if item.level == Item.Level.SELF and rules.must_be_city_controlled(
        item.kind, item.budget_total
    ):
        message = _(
            "must be city-controlled: the city's rule puts every %(kind)s and every project "
            "of NT$%(min)s or more under city control"
        )
        kind = item.get_kind_display()
        raise ServiceError.field(
            "level", message % {"kind": kind, "min": f"{rules.city_min_budget:,}"}
        )


@transaction.atomic
def item_create(*, actor, **data) -> Item:
    for field in ("kind", "number", "title", "lead"):
        if not data.get(field):
            raise ServiceError.field(field, _("is required"))
    item = Item()
    tags = clean_tags(data.pop("tags", None))
    co = _clean_item(data, item)
    validation.require(access.can_create(actor, item.lead))
    rules = Rules.current()
    if not data.get("level"):
        item.level = (
            Item.Level.CITY
            if rules.must_be_city_controlled(item.kind, item.budget_total)
            else Item.Level.SELF
        )
    _check_level(item, rules)
    if Item.objects.filter(number=item.number).exists():
        raise ServiceError.field("number", _("is already used by another item"))
    try:
        with transaction.atomic():
            item.save()
    except IntegrityError:
        raise ServiceError.field("number", _("is already used by another item")) from None
    if co:
        item.co_departments.set(co)
    if tags:
        item.tags.set(tag_rows(tags))
    _record(actor, A.CREATE, item, {}, _snapshot(item), item.lead)
    return item


@transaction.atomic
def item_update(*, actor, item: Item, expected_version: str | None = None, **data) -> Item:
    item = Item.objects.select_for_update(of=("self",)).select_related("lead").get(pk=item.pk)
    validation.require(access.can_edit(actor, item))
    before = _snapshot(item)
    if expected_version is not None and expected_version != audit.version(before):
        raise ServiceError.field(
            "version",
            _(
                "Someone else changed this item after you opened the form. Reload it and make "
                "your change again."
            ),
        )
    if "lead" in data and not access.can_create(actor, _department("lead", data["lead"])):
        raise NotAllowed(_("You may not hand an item to a department outside yours."))
    planned = (item.finish_date, item.budget_total)
    tags = clean_tags(data.pop("tags", None))
    co = _clean_item(data, item)
    if item.baseline_id and planned != (item.finish_date, item.budget_total):
        field = "finish_date" if planned[0] != item.finish_date else "budget_total"
        raise ServiceError.field(
            field,
            _(
                "changes only through a revision of the baseline schedule (修正計畫), with its "
                "reason and the 管考 officer's approval"
            ),
        )
    _check_level(item, Rules.current())
    if Item.objects.filter(number=item.number).exclude(pk=item.pk).exists():
        raise ServiceError.field("number", _("is already used by another item"))
    item.updated_at = timezone.now()
    item.save()
    if co is not None:
        item.co_departments.set(co)
    if tags is not None:
        item.tags.set(tag_rows(tags))
    refresh(item)
    _record(actor, A.UPDATE, item, before, _snapshot(item), item.lead)
    return item


@transaction.atomic
def milestone_add(*, actor, item: Item, title: str, due) -> Milestone:
    validation.require(access.can_edit(actor, item))
    due_on = date_value("due", due)
    if due_on is None:
        raise ServiceError.field("due", _("is required"))
    order = (item.milestones.aggregate(m=Max("order"))["m"] or 0) + 1
    milestone = Milestone.objects.create(
        item=item, title=validation.text("title", title, 200), due=due_on, order=order
    )
    _record(
        actor,
        A.CREATE,
        milestone,
        {},
        {"item": item.number, "title": milestone.title, "due": str(due_on)},
        item.lead,
    )
    return milestone


@transaction.atomic
def milestone_done(*, actor, milestone: Milestone, done_on) -> Milestone:
    milestone = (
        Milestone.objects.select_for_update(of=("self",))
        .select_related("item__lead")
        .get(pk=milestone.pk)
    )
    validation.require(access.can_edit(actor, milestone.item))
    before = {"done_on": str(milestone.done_on) if milestone.done_on else None}
    milestone.done_on = date_value("done_on", done_on)
    if milestone.done_on and milestone.done_on > timezone.localdate():
        raise ServiceError.field("done_on", _("must not be in the future"))
    milestone.save(update_fields=["done_on"])
    after = {"done_on": str(milestone.done_on) if milestone.done_on else None}
    _record(actor, A.UPDATE, milestone, before, after, milestone.item.lead)
    refresh(milestone.item)  # an overdue milestone done lowers the risk
    return milestone


# Computed figures --------------------------------------------------------------------------


def _history(item: Item) -> list[Report]:
    """The live report of each month, oldest first."""
    return list(item.reports.filter(state__in=["submitted", "approved"]).order_by("year", "month"))


def refresh(item: Item, *, today: dt.date | None = None, rules: Rules | None = None) -> Item:
    """Recompute lag, money lag, forecast and risk from the item's live reports."""
    today = today or timezone.localdate()
    rules = rules or Rules.current()
    live = _history(item)
    last = live[-1] if live else None
    item.lag, item.money_behind = Item.Lag.NONE, False
    item.forecast_finish, item.forecast_method, item.forecast_late = None, "", False
    item.last_year = last.year if last else None
    item.last_month = last.month if last else None
    item.last_planned = last.planned if last else None
    item.last_actual = last.actual if last else None
    item.last_spent = last.money_spent if last else None
    item.last_money_planned = last.money_planned if last else None
    if last and item.reports_progress and last.planned is not None and last.actual is not None:
        lag = progress.classify_lag(
            last.planned,
            last.actual,
            last.money_planned,
            last.money_spent,
            serious_gap=rules.serious_gap,
            money_share=rules.money_share,
        )
        item.lag = (
            Item.Lag.SERIOUS
            if lag.seriously_behind
            else Item.Lag.BEHIND
            if lag.behind
            else Item.Lag.ON_TIME
        )
        item.money_behind = lag.money_behind
        if item.finish_date:
            forecast = item_forecast(item, live, today)
            item.forecast_finish = forecast.forecast_finish
            item.forecast_method = forecast.method
            item.forecast_late = forecast.will_finish_late and forecast.method != progress.FINISHED
    elif last:
        item.lag = Item.Lag.ON_TIME
    rows = Item.objects.filter(pk=item.pk)
    rows.update(**{f: getattr(item, f) for f in COMPUTED_FIELDS})
    rows.update(risk=risk_expression(today))  # a second UPDATE: it must see the new lag
    item.risk = rows.values_list("risk", flat=True).get()
    return item


COMPUTED_FIELDS = [
    "lag",
    "money_behind",
    "last_year",
    "last_month",
    "last_planned",
    "last_actual",
    "last_spent",
    "last_money_planned",
    "forecast_finish",
    "forecast_method",
    "forecast_late",
]


def item_forecast(item: Item, live: list[Report] | None = None, today: dt.date | None = None):
    """The finish forecast from the item's own monthly history (lib.progress explains how)."""
    live = _history(item) if live is None else live
    history = [(month_end(r.year, r.month), r.actual) for r in live if r.actual is not None]
    return progress.forecast_finish(history, item.finish_date, today or timezone.localdate())


def risk_expression(today: dt.date, *, overdue: bool = False) -> Case:
    """The risk rule, in one place, as SQL: refresh uses it for one item, the worker and a
    change of the rules for many at once. `overdue`: as if the report were overdue (for the
    UPDATE that sets the flag, which sees the row as it was).

    High: seriously behind; behind with the report overdue; a directive past its due date.
    Medium: behind, behind on money, will finish late, the report overdue, or a milestone
    past its due date and not done. Released: low.
    """
    past_due = Q(due_date__lt=today) & ~Q(kind__in=PROGRESS_KINDS)
    late = (
        Q(pk__isnull=False) if overdue else Q(report_overdue=True)
    )  # (an empty Q would vanish in |)
    high = Q(lag=Item.Lag.SERIOUS) | (late & Q(lag=Item.Lag.BEHIND)) | past_due
    late_milestone = Exists(
        Milestone.objects.filter(item=OuterRef("pk"), done_on__isnull=True, due__lt=today)
    )
    medium = (
        Q(lag=Item.Lag.BEHIND)
        | Q(money_behind=True)
        | Q(forecast_late=True)
        | late
        | Q(late_milestone)
    )
    return Case(
        When(status=Item.Status.RELEASED, then=Value(Item.Risk.LOW)),
        When(high, then=Value(Item.Risk.HIGH)),
        When(medium, then=Value(Item.Risk.MEDIUM)),
        default=Value(Item.Risk.LOW),
    )


def _centi(field: str):
    """A 2-decimal percent column as whole hundredths: rounded first, since SQLite keeps it
    as a float (33.3 × 100 is 3329.999…), then compared as integers on both engines."""
    return Cast(Round(F(field) * Value(progress.CENTI)), BigIntegerField())


def relag(rules: Rules, today: dt.date | None = None) -> int:
    """Re-classify every open item's last report under new thresholds, in a few UPDATEs.

    The same rule as lib.progress.classify_lag on the same whole numbers: behind when
    actual < planned and serious when actual + gap <= planned, in hundredths of a point;
    money behind when spent × 1000 < planned money × the share in thousandths."""
    today = today or timezone.localdate()
    gap = progress.centi(rules.serious_gap)
    permille = progress.share_permille(rules.money_share)
    rows = Item.objects.exclude(status=Item.Status.RELEASED).filter(
        kind__in=PROGRESS_KINDS, last_planned__isnull=False, last_actual__isnull=False
    )
    changed = rows.update(lag=Item.Lag.ON_TIME, money_behind=False)
    scaled = rows.alias(planned_c=_centi("last_planned"), actual_c=_centi("last_actual"))
    scaled.filter(actual_c__lt=F("planned_c")).update(lag=Item.Lag.BEHIND)
    scaled.filter(actual_c__lte=F("planned_c") - Value(gap)).update(lag=Item.Lag.SERIOUS)
    rows.filter(last_money_planned__gt=0, last_spent__isnull=False).alias(
        spent_k=F("last_spent") * Value(progress.PERMILLE),
        due_k=F("last_money_planned") * Value(permille),
    ).filter(spent_k__lt=F("due_k")).update(money_behind=True)
    Item.objects.update(risk=risk_expression(today))
    return changed
