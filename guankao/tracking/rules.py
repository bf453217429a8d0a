"""The city's control rules (due day, review time, lag thresholds, what the city controls),
editable by the 管考 officer; new thresholds re-classify every open item at once."""

from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from guankao.core import audit, validation
from guankao.core.errors import ServiceError
from guankao.core.validation import choice, money, percent
from guankao.tracking import access
from guankao.tracking.models import Kind, Rules
from guankao.tracking.services import A, _record, relag

RULE_FIELDS = [
    "report_due_day",
    "review_workdays",
    "remind_workdays",
    "escalate_workdays",
    "serious_gap",
    "money_share",
    "city_min_budget",
    "city_kinds",
]


def _whole(field: str, value, low: int, high: int) -> int:
    try:
        number = int(str(value).strip()) if not isinstance(value, bool) else None
    except ValueError:
        number = None
    if number is None or not low <= number <= high:
        raise ServiceError.field(
            field, _("must be a whole number from %(a)d to %(b)d") % {"a": low, "b": high}
        )
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
        ("report_due_day", 1, 28),
        ("review_workdays", 1, 60),
        ("remind_workdays", 0, 20),
        ("escalate_workdays", 1, 60),
    ):
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
        if share != share.quantize(Decimal("0.1")):  # kept as a ratio of 3 decimals, exactly
            raise ServiceError.field("money_share", _("has more than 1 decimal place"))
        rules.money_share = share / 100
    if "city_min_budget" in data:
        rules.city_min_budget = money("city_min_budget", data["city_min_budget"]) or 0
    if "city_kinds" in data:
        kinds = data["city_kinds"] or []
        for kind in kinds:
            choice("city_kinds", kind, Kind)
        rules.city_kinds = sorted(set(kinds))
    rules.updated_at = timezone.now()
    rules.save()
    if (rules.serious_gap, rules.money_share) != thresholds:
        relag(rules)  # every open item's lag follows the new thresholds at once
    _record(actor, A.UPDATE, rules, before, audit.snapshot(rules, RULE_FIELDS), None)
    return rules
