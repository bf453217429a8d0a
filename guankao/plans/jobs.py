"""Periodic work of the plans app: computed KPI values and measurement reminders."""

import datetime as dt
import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from guankao.core import services as core_services
from guankao.core.jobs import claim, register
from guankao.lib.roc import format_roc, roc_year
from guankao.plans import registry, services
from guankao.plans.models import KPI
from guankao.plans.selectors import periods_due

log = logging.getLogger("guankao.worker")


@register("plans.compute_metrics", every=dt.timedelta(hours=1))
def compute_metrics(now: dt.datetime) -> int:
    """Store each metric-bound KPI's value for every period begun so far (revision on change)."""
    today = timezone.localdate(now)
    stored = 0
    for kpi in KPI.objects.exclude(metric_key="").select_related("goal__plan__department"):
        metric = registry.get(kpi.metric_key)
        if metric is None:
            continue
        plan = kpi.goal.plan
        for year in range(plan.first_year, min(plan.last_year, today.year) + 1):
            last = (
                kpi.periods_per_year
                if year < today.year
                else (today.month * kpi.periods_per_year + 11) // 12
            )
            for number in range(1, last + 1):
                # City-wide scope: a metric KPI such as KPI 一 counts every department.
                value = metric.compute(registry.Period(year, number, kpi.periods_per_year), None)
                if value is None:
                    continue
                try:
                    if services.measurement_store_computed(
                        kpi=kpi,
                        year=year,
                        period=number,
                        value=value[0],
                        numerator=value[1],
                        denominator=value[2],
                    ):
                        stored += 1
                except IntegrityError:  # another worker stored this revision first
                    log.info(
                        "plans.compute_metrics: %s %d/%d stored elsewhere", kpi.pk, year, number
                    )
    return stored


@register("plans.measurement_reminders", every=dt.timedelta(hours=1))
def measurement_reminders(now: dt.datetime) -> int:
    """Notify liaisons before a value is due, on the day, and once it is overdue; each once."""
    today = timezone.localdate(now)
    warn_days = settings.GUANKAO_MEASUREMENT_REMIND_DAYS
    sent = 0
    for kpi, year, period, due in periods_due(today=today, horizon_days=warn_days):
        if due < today:
            kind, subject = "overdue", _("Overdue: %(kpi)s for %(p)s (due %(d)s)")
        elif due == today:
            kind, subject = "due", _("Due today: %(kpi)s for %(p)s")
        else:
            kind, subject = "soon", _("Due %(d)s: %(kpi)s for %(p)s")
        # The claim and the notice commit together: a notice that fails is tried again.
        with transaction.atomic():
            if not claim(f"plans.measurement:{kpi.pk}:{year}:{period}:{kind}"):
                continue
            label = f"{roc_year(year)}/{period}"
            core_services.notify_roles(
                departments=[kpi.goal.plan.department],
                roles=("liaison",),
                subject=subject % {"kpi": kpi.name[:80], "p": label, "d": format_roc(due)},
                url=f"/plans/kpis/{kpi.pk}/",
                task=f"plans.due:{kpi.pk}:{year}:{period}",  # done once a value is entered
            )
        sent += 1
    return sent
