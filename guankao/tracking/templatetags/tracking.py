"""Template tags of the controlled-cases pages: lag, risk and status shown in words with a
symbol (never by colour alone), 民國 months, NT$ amounts and percentages."""

from decimal import Decimal, InvalidOperation

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from guankao.tracking.models import Item, Report

register = template.Library()

# value: (symbol, css class). The classes are the scorecard's chip colours, so the
# pages share one palette; the words come from the models' choices.
LAG = {
    Item.Lag.NONE: ("○", "no_data"),
    Item.Lag.ON_TIME: ("●", "on_track"),
    Item.Lag.BEHIND: ("▲", "at_risk"),
    Item.Lag.SERIOUS: ("■", "off_track"),
}
RISK = {
    Item.Risk.LOW: ("●", "on_track"),
    Item.Risk.MEDIUM: ("▲", "at_risk"),
    Item.Risk.HIGH: ("■", "off_track"),
}
STATUS = {
    Item.Status.ACTIVE: ("●", "on_track"),
    Item.Status.RELEASE_REQUESTED: ("◐", "at_risk"),
    Item.Status.RETURNED: ("↩", "at_risk"),
    Item.Status.RELEASED: ("✔", "no_data"),
}
STATE = {
    Report.State.SUBMITTED: ("◐", "at_risk"),
    Report.State.APPROVED: ("✔", "on_track"),
    Report.State.RETURNED: ("↩", "at_risk"),
    Report.State.REFUSED: ("✘", "off_track"),
}


def _chip(table: dict, choices, value, prefix=""):
    symbol, css = table.get(value, ("?", "no_data"))
    label = dict(choices).get(value, value)
    return format_html(
        '<span class="chip chip-{}"><span aria-hidden="true">{}</span> {}{}</span>',
        css,
        symbol,
        prefix,
        label,
    )


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
    return format_html(
        '<span class="chip chip-off_track"><span aria-hidden="true">⏰</span> {}</span>',
        _("Late"),
    )


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
