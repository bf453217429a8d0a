"""Every write to controlled cases: items, milestones, monthly reports, release, rules.

Each function checks permission, validates every field by name, writes an audit entry,
and keeps the item's computed figures (lag, risk, forecast) current through `refresh`.
Meetings and decisions are in `meetings.py`.
"""

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.db.models import Case, F, Max, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from guankao.core import attachments, audit, validation
from guankao.core.errors import NotAllowed, ServiceError
from guankao.core.models import AuditEntry, Department
from guankao.lib import progress, workdays
from guankao.lib.roc import DateFormatError, parse_date
from guankao.tracking import access
from guankao.tracking.models import PROGRESS_KINDS, Item, Kind, Milestone, Report, Rules

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
    *ITEM_TEXT, *ITEM_MONEY, *ITEM_DATES, "kind", "level", "lead", "latitude", "longitude",
    "co_departments", "status",
]  # fmt: skip
MAX_MONEY = 10**13  # NT$10 trillion: more than any city budget, less than a typo of digits
# Attachments hang on a model row: a report, or the item itself (release evidence).
ATTACHMENT_REPORT, ATTACHMENT_RELEASE = "tracking.report", "tracking.item"


# Field checks ---------------------------------------------------------------------------


def money(field: str, value) -> int | None:
    """Whole NT$ from an int or text ("1,200,000"); None for empty."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool) or isinstance(value, float):
        raise ServiceError.field(field, _("must be a whole amount of NT$, such as 1200000"))
    text = str(value).strip().replace(",", "").replace("，", "")
    if not text.isdigit() or not text.isascii():
        raise ServiceError.field(field, _("must be a whole amount of NT$, such as 1200000"))
    amount = int(text)
    if amount >= MAX_MONEY:
        raise ServiceError.field(field, _("must be below NT$10 trillion"))
    return amount


def percent(field: str, value, *, required: bool = False) -> Decimal | None:
    """A percentage 0–100 with at most 2 decimals, from a number or text ("85.5", "85.5%")."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise ServiceError.field(field, _("is required"))
        return None
    if isinstance(value, bool) or isinstance(value, float):
        raise ServiceError.field(field, _("must be a percentage from 0 to 100, such as 42.5"))
    try:
        number = Decimal(str(value).strip().rstrip("%％").strip())
    except InvalidOperation:
        raise ServiceError.field(
            field, _("must be a percentage from 0 to 100, such as 42.5")
        ) from None
    if not number.is_finite() or not 0 <= number <= 100:
        raise ServiceError.field(field, _("must be a percentage from 0 to 100, such as 42.5"))
    if number != number.quantize(Decimal("0.01")):
        raise ServiceError.field(field, _("has more than 2 decimal places"))
    return number


def date_value(field: str, value) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        raise ServiceError.field(field, _("must be a date, not a time"))
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        raise ServiceError.field(field, _("must be a date such as 115/11/27"))
    try:
        return parse_date(value)
    except DateFormatError as e:
        raise ServiceError.field(field, str(e)) from None


def _coordinate(field: str, value, limit: int) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ServiceError.field(field, _("must be a number of degrees"))
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise ServiceError.field(field, _("must be a number of degrees")) from None
    if not number.is_finite() or not -limit <= number <= limit:
        raise ServiceError.field(field, _("must be between -%(n)d and %(n)d") % {"n": limit})
    return number.quantize(Decimal("0.000001"))


def _choice(field: str, value, choices) -> str:
    if value not in choices.values:
        raise ServiceError.field(field, _("must be one of: %(v)s") % {"v": ", ".join(choices.values)})  # fmt: skip
    return value


def _month(year, month) -> tuple[int, int]:
    if isinstance(year, bool) or not isinstance(year, int) or not 1912 <= year <= 2200:
        raise ServiceError.field("year", _("must be a year between 1912 and 2200 (民國 1–289)"))
    if isinstance(month, bool) or not isinstance(month, int) or not 1 <= month <= 12:
        raise ServiceError.field("month", _("must be a month from 1 to 12"))
    return year, month


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
    state = audit.snapshot(item, [f for f in ITEM_FIELDS if f not in ("lead", "co_departments")])
    state["lead"] = item.lead.code if item.lead_id else None
    if item.pk:
        state["co_departments"] = sorted(d.code for d in item.co_departments.all())
    return state


def _department(field: str, value) -> Department:
    if isinstance(value, Department):
        return value
    if not isinstance(value, str) or not value.strip():
        raise ServiceError.field(field, _("must be a department code"))
    try:
        return Department.objects.get(code=value.strip(), active=True)
    except Department.DoesNotExist:
        raise ServiceError.field(field, _("no active department has the code %(c)s") % {"c": value}) from None  # fmt: skip


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
        item.kind = _choice("kind", data["kind"], Kind)
    if "lead" in data:
        item.lead = _department("lead", data["lead"])
    if "level" in data:
        item.level = _choice("level", data["level"], Item.Level)
    if "latitude" in data:
        item.latitude = _coordinate("latitude", data["latitude"], 90)
    if "longitude" in data:
        item.longitude = _coordinate("longitude", data["longitude"], 180)
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
        raise ServiceError.field("level", message % {"kind": kind, "min": f"{rules.city_min_budget:,}"})  # fmt: skip


@transaction.atomic
def item_create(*, actor, **data) -> Item:
    for field in ("kind", "number", "title", "lead"):
        if not data.get(field):
            raise ServiceError.field(field, _("is required"))
    item = Item()
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
                "Someone else changed this item after you opened the form. Reload it and make your change again."
            ),  # fmt: skip
        )
    if "lead" in data and not access.can_create(actor, _department("lead", data["lead"])):
        raise NotAllowed(_("You may not hand an item to a department outside yours."))
    co = _clean_item(data, item)
    _check_level(item, Rules.current())
    if Item.objects.filter(number=item.number).exclude(pk=item.pk).exists():
        raise ServiceError.field("number", _("is already used by another item"))
    item.updated_at = timezone.now()
    item.save()
    if co is not None:
        item.co_departments.set(co)
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
    _record(actor, A.CREATE, milestone, {}, {"item": item.number, "title": milestone.title, "due": str(due_on)}, item.lead)  # fmt: skip
    return milestone


@transaction.atomic
def milestone_done(*, actor, milestone: Milestone, done_on) -> Milestone:
    milestone = Milestone.objects.select_for_update(of=("self",)).select_related("item__lead").get(pk=milestone.pk)  # fmt: skip
    validation.require(access.can_edit(actor, milestone.item))
    before = {"done_on": str(milestone.done_on) if milestone.done_on else None}
    milestone.done_on = date_value("done_on", done_on)
    if milestone.done_on and milestone.done_on > timezone.localdate():
        raise ServiceError.field("done_on", _("must not be in the future"))
    milestone.save(update_fields=["done_on"])
    after = {"done_on": str(milestone.done_on) if milestone.done_on else None}
    _record(actor, A.UPDATE, milestone, before, after, milestone.item.lead)
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
            last.planned, last.actual, last.money_planned, last.money_spent,
            serious_gap=rules.serious_gap, money_share=rules.money_share,
        )  # fmt: skip
        item.lag = (
            Item.Lag.SERIOUS if lag.seriously_behind else Item.Lag.BEHIND if lag.behind
            else Item.Lag.ON_TIME
        )  # fmt: skip
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
    "lag", "money_behind", "last_year", "last_month", "last_planned", "last_actual",
    "last_spent", "last_money_planned", "forecast_finish", "forecast_method", "forecast_late",
]  # fmt: skip


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
    Medium: behind, behind on money, will finish late, or the report overdue. Released: low.
    """
    past_due = Q(due_date__lt=today) & ~Q(kind__in=PROGRESS_KINDS)
    late = (
        Q(pk__isnull=False) if overdue else Q(report_overdue=True)
    )  # (an empty Q would vanish in |)
    high = Q(lag=Item.Lag.SERIOUS) | (late & Q(lag=Item.Lag.BEHIND)) | past_due
    medium = Q(lag=Item.Lag.BEHIND) | Q(money_behind=True) | Q(forecast_late=True) | late
    return Case(
        When(status=Item.Status.RELEASED, then=Value(Item.Risk.LOW)),
        When(high, then=Value(Item.Risk.HIGH)),
        When(medium, then=Value(Item.Risk.MEDIUM)),
        default=Value(Item.Risk.LOW),
    )


def relag(rules: Rules, today: dt.date | None = None) -> int:
    """Re-classify every open item's last report under new thresholds, in a few UPDATEs
    (the same rule as lib.progress.classify_lag: behind when actual < planned, serious
    from the gap, money behind under the share of planned spending)."""
    today = today or timezone.localdate()
    rows = Item.objects.exclude(status=Item.Status.RELEASED).filter(
        kind__in=PROGRESS_KINDS, last_planned__isnull=False, last_actual__isnull=False
    )
    changed = rows.update(lag=Item.Lag.ON_TIME, money_behind=False)
    rows.filter(last_actual__lt=F("last_planned")).update(lag=Item.Lag.BEHIND)
    rows.filter(last_actual__lte=F("last_planned") - rules.serious_gap).update(lag=Item.Lag.SERIOUS)
    rows.filter(last_money_planned__gt=0, last_spent__lt=F("last_money_planned") * rules.money_share).update(money_behind=True)  # fmt: skip
    Item.objects.update(risk=risk_expression(today))
    return changed


# Release from control ----------------------------------------------------------------------


@transaction.atomic
def release_request(*, actor, item: Item, result: str, files=()) -> Item:
    item = Item.objects.select_for_update(of=("self",)).select_related("lead").get(pk=item.pk)
    validation.require(access.can_request_release(actor, item))
    if item.status not in (Item.Status.ACTIVE, Item.Status.RETURNED):
        raise ServiceError.field("status", _("only an item under control can ask to be released"))
    before = {"status": item.status}
    item.release_result = validation.text("result", result, 5000)
    item.status, item.updated_at = Item.Status.RELEASE_REQUESTED, timezone.now()
    item.save(update_fields=["release_result", "status", "updated_at"])
    for file in files:
        attachments.attachment_create(
            actor=actor, file=file, department=item.lead, owner_type=ATTACHMENT_RELEASE, owner_id=item.pk
        )  # fmt: skip
    _record(actor, A.UPDATE, item, before, {"status": item.status, "release_result": item.release_result}, item.lead)  # fmt: skip
    return item


def _decide_release(actor, item: Item, status: str, note: str, note_required: bool) -> Item:
    item = Item.objects.select_for_update(of=("self",)).select_related("lead").get(pk=item.pk)
    validation.require(access.can_manage(actor))
    if item.status != Item.Status.RELEASE_REQUESTED:
        raise ServiceError.field("status", _("this item has not asked to be released"))
    before = {"status": item.status}
    item.release_note = validation.text("note", note, 2000, required=note_required)
    item.status, item.updated_at = status, timezone.now()
    item.released_at = timezone.now() if status == Item.Status.RELEASED else None
    item.save(update_fields=["release_note", "status", "updated_at", "released_at"])
    refresh(item)
    _record(actor, A.UPDATE, item, before, {"status": item.status}, item.lead, note=item.release_note[:300])  # fmt: skip
    from guankao.core import services as core_services

    core_services.notify_roles(
        departments=[item.lead], roles=("liaison", "head"),
        subject=f"{item.number}: {item.get_status_display()}", body=item.release_note,
        url=f"/tracking/items/{item.pk}/",
    )  # fmt: skip
    return item


@transaction.atomic
def release_approve(*, actor, item: Item, note: str = "") -> Item:
    return _decide_release(actor, item, Item.Status.RELEASED, note, note_required=False)


@transaction.atomic
def release_return(*, actor, item: Item, note: str) -> Item:
    return _decide_release(actor, item, Item.Status.RETURNED, note, note_required=True)


# Rules -------------------------------------------------------------------------------------


RULE_FIELDS = [
    "report_due_day", "review_workdays", "remind_workdays", "escalate_workdays",
    "serious_gap", "money_share", "city_min_budget", "city_kinds",
]  # fmt: skip


def _whole(field: str, value, low: int, high: int) -> int:
    try:
        number = int(str(value).strip()) if not isinstance(value, bool) else None
    except ValueError:
        number = None
    if number is None or not low <= number <= high:
        raise ServiceError.field(field, _("must be a whole number from %(a)d to %(b)d") % {"a": low, "b": high})  # fmt: skip
    return number


@transaction.atomic
def rules_update(*, actor, **data) -> Rules:
    validation.require(access.can_manage(actor))
    rules = Rules.current()
    rules = Rules.objects.select_for_update().get(pk=rules.pk)
    before = audit.snapshot(rules, RULE_FIELDS)
    thresholds = (rules.serious_gap, rules.money_share)
    for field in data:
        if field not in RULE_FIELDS:
            raise ServiceError.field(field, _("cannot be changed here"))
    for field, low, high in (
        ("report_due_day", 1, 28), ("review_workdays", 1, 60), ("remind_workdays", 0, 20),
        ("escalate_workdays", 1, 60),
    ):  # fmt: skip
        if field in data:
            setattr(rules, field, _whole(field, data[field], low, high))
    if "serious_gap" in data:
        gap = percent("serious_gap", data["serious_gap"], required=True)
        if gap == 0:
            raise ServiceError.field("serious_gap", _("must be above 0 points"))
        rules.serious_gap = gap
    if "money_share" in data:
        share = percent("money_share", data["money_share"], required=True)
        if share == 0:
            raise ServiceError.field("money_share", _("must be above 0%"))
        rules.money_share = (share / 100).quantize(Decimal("0.001"))
    if "city_min_budget" in data:
        rules.city_min_budget = money("city_min_budget", data["city_min_budget"]) or 0
    if "city_kinds" in data:
        kinds = data["city_kinds"] or []
        for kind in kinds:
            _choice("city_kinds", kind, Kind)
        rules.city_kinds = sorted(set(kinds))
    rules.updated_at = timezone.now()
    rules.save()
    if (rules.serious_gap, rules.money_share) != thresholds:
        relag(rules)  # every open item's lag follows the new thresholds at once
    _record(actor, A.UPDATE, rules, before, audit.snapshot(rules, RULE_FIELDS), None)
    return rules
