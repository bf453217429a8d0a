from decimal import Decimal

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as gettext_now
from django.utils.translation import gettext_lazy as _

from guankao.core import vocabulary
from guankao.lib.roc import roc_year as _roc_year
from guankao.lib.targets import value_with_unit
from guankao.plans import status as st
from guankao.plans.registry import Period

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
    st.INCOMPLETE: ("pending", _("Periods missing")),
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


@register.simple_tag
def value_unit(value, row):
    """A scorecard row's value in its target's terms: 87.5%, 4,000人次."""
    if value is None or value == "":
        return "—"
    kpi = row.kpi
    return value_with_unit(
        value, target_text=row.target_text, direction=kpi.direction, unit=kpi.unit
    )


@register.simple_tag
def periods_reported(result, kpi):
    """已填期數: approved periods of those due, and the missing ones by name."""
    if not result.due:
        return "—"
    counted = gettext_now("%(n)d of %(due)d periods") % {"n": result.reported, "due": result.due}
    if not result.missing:
        return counted
    per_year = kpi.periods_per_year
    names = gettext_now(", ").join(Period(0, p, per_year).name for p in result.missing)
    return format_html(
        '{}<br><small class="missing">{}</small>',
        counted,
        gettext_now("missing %(periods)s") % {"periods": names},
    )
