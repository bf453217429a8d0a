from decimal import Decimal

from django import template
from django.utils.translation import gettext_lazy as _

from guankao.core import vocabulary
from guankao.lib.roc import roc_year as _roc_year
from guankao.plans import status as st

register = template.Library()


@register.filter
def roc_year(year):
    try:
        return _roc_year(int(year))
    except (TypeError, ValueError):
        return ""


# Each status in the shared vocabulary (core/vocabulary.py): a tone and a word.
STATUS_LABELS = {
    st.MET: ("done", _("Met")),
    st.NOT_MET: ("failed", _("Not met")),
    st.ON_TRACK: ("ok", _("On track")),
    st.AT_RISK: ("watch", _("At risk")),
    st.OFF_TRACK: ("behind", _("Off track")),
    st.NO_DATA: ("none", _("No data")),
    st.NO_TARGET: ("muted", _("No target")),
}


@register.simple_tag
def status_chip(status, count=None):
    tone, label = STATUS_LABELS.get(status, ("none", status))
    return vocabulary.chip(tone, label, "" if count is None else f"：{count}")


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
