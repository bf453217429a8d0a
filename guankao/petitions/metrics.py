"""KPI sources offered by petitions: the seed plan's KPI 二 (依限辦結率)."""

import datetime as dt

from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from guankao.petitions.models import Case
from guankao.plans.registry import Period, Record, ratio, register

# Cases the rate counts: petitions and field work with a reply deadline. Consultations
# answered on the spot, §173 closures and merged cases are counted apart.
APART = (Case.Status.ANSWERED, Case.Status.NOT_PROCESSED, Case.Status.MERGED)


def _window(period: Period, today: dt.date) -> tuple[dt.date, dt.date]:
    first, last = period.months
    start = dt.date(period.year, first, 1)
    end = dt.date(period.year + (last == 12), last % 12 + 1, 1) - dt.timedelta(days=1)
    return start, min(end, today - dt.timedelta(days=1))


def due_cases(period: Period, scope, today: dt.date | None = None):
    """Cases whose reply deadline fell in the period (up to yesterday), with whether each
    was replied by its deadline (the reply's day, in Taipei, on or before it)."""
    start, end = _window(period, today or timezone.localdate())
    cases = Case.objects.filter(due_date__gte=start, due_date__lte=end).exclude(status__in=APART)
    if scope is not None:
        cases = cases.filter(lead__path__startswith=scope.path)
    return cases


def _on_time(cases):
    # The reply's day in Taipei (the current time zone) on or before the deadline.
    return cases.filter(status=Case.Status.REPLIED, closed_at__date__lte=F("due_date"))


def counts(period: Period, scope, today: dt.date | None = None) -> dict[str, int]:
    """Due, on time, and the cases counted apart, for the KPI page."""
    cases = due_cases(period, scope, today)
    start, end = _window(period, today or timezone.localdate())
    apart = Case.objects.filter(received_at__date__gte=start, received_at__date__lte=end)
    if scope is not None:
        apart = apart.filter(lead__path__startswith=scope.path)
    return {
        "due": cases.count(),
        "on_time": _on_time(cases).count(),
        "consultations": apart.filter(status=Case.Status.ANSWERED).count(),
        "not_processed": apart.filter(status=Case.Status.NOT_PROCESSED).count(),
        "merged": apart.filter(status=Case.Status.MERGED).count(),
    }


def _records(period: Period, scope):
    cases = due_cases(period, scope).select_related("lead").order_by("due_date", "number")
    on_time = set(_on_time(due_cases(period, scope)).values_list("pk", flat=True))
    for case in cases:
        state = _("answered on time") if case.pk in on_time else _("late or open")
        yield Record(
            "petitions.case",
            str(case.pk),
            f"{case.number} {case.lead.name if case.lead else ''}: {state}",
            f"/petitions/cases/{case.pk}/",
        )


@register(
    "petitions.on_time_rate",
    label=_("Petitions answered by their deadline (依限辦結率)"),
    formula=_(
        "Cases whose reply deadline fell in the period and were answered by it ÷ cases due "
        "in the period × 100%; consultations answered on the spot, §173 closures and merged "
        "cases are counted apart"
    ),
    unit="%",
    records=_records,
)
def on_time_rate(period: Period, scope):
    cases = due_cases(period, scope)
    return ratio(_on_time(cases).count(), cases.count())
