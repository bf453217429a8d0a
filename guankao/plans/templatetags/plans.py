from decimal import Decimal

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from guankao.lib.roc import roc_year as _roc_year
from guankao.plans import status as st

register = template.Library()


@register.filter
def roc_year(year):
    try:
        return _roc_year(int(year))
    except (TypeError, ValueError):
        return ""


# A symbol and a word for each status, so that none relies on colour alone.
STATUS_LABELS = {
    st.MET: ("✔", _("Met")),
    st.NOT_MET: ("✘", _("Not met")),
    st.ON_TRACK: ("●", _("On track")),
    st.AT_RISK: ("▲", _("At risk")),
    st.OFF_TRACK: ("■", _("Off track")),
    st.NO_DATA: ("○", _("No data")),
    st.NO_TARGET: ("–", _("No target")),
}


@register.simple_tag
def status_chip(status, count=None):
    symbol, label = STATUS_LABELS.get(status, ("?", status))
    suffix = "" if count is None else f": {count}"
    return format_html(
        '<span class="chip chip-{}"><span aria-hidden="true">{}</span> {}{}</span>',
        status,
        symbol,
        label,
        suffix,
    )


@register.filter
def num(value):
    """A Decimal without trailing zeros: 80.0000 -> 80, 92.5000 -> 92.5."""
    if value is None or value == "":
        return ""
    value = Decimal(value)
    return f"{value.quantize(Decimal('0.01')).normalize():f}"


@register.filter
def pct(share):
    return f"{Decimal(share) * 100:.0f}%"


@register.filter
def target_for(kpi, year):
    for target in kpi.targets.all():
        if target.year == year:
            return target.text
    return ""
