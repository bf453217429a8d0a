from django import template

from guankao.core import vocabulary
from guankao.lib.roc import format_roc, format_roc_long

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


@register.simple_tag
def tone_chip(tone, word):
    """A status in the shared vocabulary: {% tone_chip "behind" _("Behind on money") %}."""
    return vocabulary.chip(tone, word)
