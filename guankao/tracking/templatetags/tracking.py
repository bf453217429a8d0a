"""Template tags of the controlled-cases pages: lag, risk and status shown in words with a
symbol (never by colour alone), 民國 months, NT$ amounts and percentages."""

from decimal import Decimal, InvalidOperation

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from guankao.core import vocabulary
from guankao.tracking.models import Item, Report

register = template.Library()

# value: tone of the shared vocabulary (core/vocabulary.py), so that 落後 looks the same
# here, on the scorecard and on the map; the words come from the models' choices.
LAG = {
    Item.Lag.NONE: "none",
    Item.Lag.ON_TIME: "ok",
    Item.Lag.BEHIND: "behind",
    Item.Lag.SERIOUS: "serious",
}
RISK = {Item.Risk.LOW: "ok", Item.Risk.MEDIUM: "watch", Item.Risk.HIGH: "serious"}
STATUS = {
    Item.Status.ACTIVE: "ok",
    Item.Status.RELEASE_REQUESTED: "pending",
    Item.Status.RETURNED: "returned",
    Item.Status.RELEASED: "done",
}
STATE = {
    Report.State.SUBMITTED: "pending",
    Report.State.APPROVED: "done",
    Report.State.RETURNED: "returned",
    Report.State.REFUSED: "failed",
}


def _chip(table: dict, choices, value, prefix=""):
    label = dict(choices).get(value, value)
    return vocabulary.chip(table.get(value, "none"), format_html("{}{}", prefix, label))


@register.simple_tag
def lag_chip(lag):
    return _chip(LAG, Item.Lag.choices, lag)


@register.simple_tag
def risk_chip(risk):
    return _chip(RISK, Item.Risk.choices, risk, prefix=_("Risk: "))


@register.simple_tag
def item_status_chip(status):
    return _chip(STATUS, Item.Status.choices, status)


@register.simple_tag
def report_state_chip(state):
    return _chip(STATE, Report.State.choices, state)


@register.simple_tag
def late_chip(late):
    if not late:
        return ""
    return vocabulary.chip("late", _("Late"))


@register.filter
def ntd(value):
    """NT$12,000,000; empty for None."""
    if value is None or value == "":
        return ""
    try:
        return f"NT${int(value):,}"
    except (TypeError, ValueError):
        return ""


@register.filter
def percent(value):
    """42.5% from a Decimal; empty for None."""
    if value is None or value == "":
        return ""
    try:
        number = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return ""
    return f"{number.quantize(Decimal('0.01')).normalize():f}%"


@register.filter
def gap(value):
    """Planned minus actual in words: 「3 個百分點」 behind, 「超前 2 個百分點」 ahead."""
    if value is None or value == "":
        return "—"
    try:
        number = Decimal(value).quantize(Decimal("0.01")).normalize()
    except (InvalidOperation, TypeError, ValueError):
        return "—"
    if number < 0:
        return _("ahead by %(n)s points") % {"n": f"{-number:f}"}
    if number == 0:
        return _("on plan")
    return _("%(n)s points") % {"n": f"{number:f}"}
