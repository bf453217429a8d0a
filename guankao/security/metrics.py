"""KPI sources of the security app (the seed plan's goals 四 and 五).

Each part of the app keeps its metrics in its own block below, so that the parts can be
merged side by side."""

# seccore: KPI 四-1, 四-2, 四-3 (incidents, internal audits, unplanned outages) --------------
import datetime as dt
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from guankao.lib.roc import format_roc
from guankao.plans.registry import Period, Record, register
from guankao.security.models import Audit, Incident, Outage


def period_bounds(period: Period) -> tuple[dt.datetime, dt.datetime]:
    """The period's first moment and the next period's, in the city's time (Asia/Taipei)."""
    first, last = period.months
    start = dt.datetime(period.year, first, 1)
    end = (
        dt.datetime(period.year + 1, 1, 1) if last == 12 else dt.datetime(period.year, last + 1, 1)
    )
    return timezone.make_aware(start), timezone.make_aware(end)


def _scoped(rows, scope):
    return rows if scope is None else rows.filter(agency__department__path__startswith=scope.path)


def _count(n: int):
    return Decimal(n), None, None


def incidents_in(period: Period, scope):
    start, end = period_bounds(period)
    rows = Incident.objects.filter(aware_at__gte=start, aware_at__lt=end)
    return _scoped(rows, scope)


def _incident_records(period: Period, scope):
    rows = incidents_in(period, scope).select_related("agency__department").order_by("aware_at")
    for i in rows:
        day = format_roc(timezone.localdate(i.aware_at))
        label = f"{i.number} {day} {i.agency} 第{i.level}級 {i.title}"
        yield Record("security.incident", str(i.pk), label, f"/security/incidents/{i.pk}/")


@register(
    "security.incidents",
    label=_("Security incidents in the period (資安事件發生次數)"),
    formula=_("Incidents the agencies became aware of in the period, every level (次/年)"),
    unit="次",
    records=_incident_records,
)
def incidents(period: Period, scope):
    return _count(incidents_in(period, scope).count())


def internal_audits_in(period: Period, scope):
    first, last = period.months
    rows = Audit.objects.filter(
        kind=Audit.Kind.INTERNAL,
        completed_at__isnull=False,
        end_date__year=period.year,
        end_date__month__gte=first,
        end_date__month__lte=last,
    )
    return _scoped(rows, scope)


def _audit_records(period: Period, scope):
    rows = internal_audits_in(period, scope).select_related("agency__department")
    for a in rows.order_by("end_date"):
        label = f"{format_roc(a.end_date)} {a.agency} {a.title}"
        yield Record("security.audit", str(a.pk), label, f"/security/audits/{a.pk}/")


@register(
    "security.internal_audits",
    label=_("Internal security audits completed (資安內部稽核)"),
    formula=_("Internal audits completed whose last day falls in the period (次/年)"),
    unit="次",
    records=_audit_records,
)
def internal_audits(period: Period, scope):
    return _count(internal_audits_in(period, scope).count())


def unplanned_outages_in(period: Period, scope):
    start, end = period_bounds(period)
    rows = Outage.objects.filter(
        planned=False, started_at__gte=start, started_at__lt=end, services__machine_room=True
    ).distinct()
    return _scoped(rows, scope)


def _outage_records(period: Period, scope):
    rows = unplanned_outages_in(period, scope).select_related("agency__department")
    for o in rows.order_by("started_at"):
        label = f"{format_roc(timezone.localdate(o.started_at))} {o.agency} {o.cause}"
        yield Record("security.outage", str(o.pk), label, "/security/outages/")


@register(
    "security.unplanned_outages",
    label=_("Unplanned interruptions of machine-room services (機房維運服務發生中斷次數)"),
    formula=_("Unplanned outages of machine-room services that began in the period (次/年)"),
    unit="次",
    records=_outage_records,
)
def unplanned_outages(period: Period, scope):
    return _count(unplanned_outages_in(period, scope).count())


# end seccore ------------------------------------------------------------------------------
