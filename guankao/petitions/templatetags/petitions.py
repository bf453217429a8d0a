"""A case's status in the city's one look (core.vocabulary): symbol, colour and word."""

from django import template
from django.utils import timezone

from guankao.core.vocabulary import chip

register = template.Library()

TONES = {
    "received": "pending",
    "assigned": "ok",
    "drafted": "pending",
    "replied": "done",
    "answered": "done",
    "not_processed": "muted",
    "merged": "muted",
}


@register.filter
def case_status(case):
    """逾期 (late) for an open case past its reply deadline, else the status's own tone."""
    tone = TONES.get(case.status, "none")
    if case.is_open and case.due_date and case.due_date < timezone.localdate():
        tone = "late"
    return chip(tone, case.get_status_display())
