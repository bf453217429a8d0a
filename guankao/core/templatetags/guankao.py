from django import template

from guankao.core import vocabulary
from guankao.lib.roc import format_roc, format_roc_long, format_roc_month, roc_year

register = template.Library()


@register.filter
def roc(value):
    """115/11/27 (datetimes are shown in the current time zone, Asia/Taipei)."""
    if hasattr(value, "astimezone") and hasattr(value, "hour"):
        from django.utils import timezone

        value = timezone.localtime(value).date()
    return format_roc(value)


@register.filter
def roc_long(value):
    return format_roc_long(value)


@register.filter(name="roc_year")
def roc_year_filter(value):
    """115 for 2026; empty for a missing year."""
    try:
        return roc_year(int(value))
    except (TypeError, ValueError):
        return ""


@register.filter
def roc_month(value, month=None):
    """115/10 from an object with `year` and `month` (a report, a meeting), or from a year
    and a month given as the argument: {{ report|roc_month }}, {{ year|roc_month:month }};
    empty when either is missing."""
    if month is None and hasattr(value, "year") and hasattr(value, "month"):
        value, month = value.year, value.month
    try:
        year, month = int(value), int(month)
    except (TypeError, ValueError):
        return ""
    return format_roc_month(year, month)


@register.simple_tag
def tone_chip(tone, word):
    """A status in the shared vocabulary: {% tone_chip "behind" _("Behind on money") %}."""
    return vocabulary.chip(tone, word)
