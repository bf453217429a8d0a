"""KPI sources of the security app (the seed plan's goals 四 and 五): 四-1 incidents,
四-2 internal audits, 四-3 unplanned outages, 四-4 training coverage, 五-1 SOC points
monitored, 五-3 duties on time. (KPI 五-2 is the tracking app's
`tracking.tagged_milestones_on_time`.)"""

import datetime as dt
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from guankao.lib.roc import format_roc
from guankao.plans.registry import Period, Record, ratio, register
from guankao.security import coverage
from guankao.security.models import (
    Agency,
    Audit,
    DutyInstance,
    Incident,
    Outage,
    SocPoint,
    SocPointDay,
)
from guankao.security.soc import in_service_on, monitored_on


def period_bounds(period: Period) -> tuple[dt.datetime, dt.datetime]:
    """The period's first moment and the next period's, in the city's time (Asia/Taipei)."""
    first, last = period_days(period)
    start = dt.datetime.combine(first, dt.time.min)
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min)
    return timezone.make_aware(start), timezone.make_aware(end)


def period_days(period: Period) -> tuple[dt.date, dt.date]:
    first, last = period.months
    start = dt.date(period.year, first, 1)
    end = dt.date(period.year + (last == 12), last % 12 + 1, 1) - dt.timedelta(days=1)
    return start, end


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


def _as_of(period: Period) -> dt.date:
    """The period's last day, or today while the period runs."""
    return min(period_days(period)[1], timezone.localdate())


def _agency_ids(scope):
    if scope is None:
        return None
    return list(
        Agency.objects.filter(department__path__startswith=scope.path).values_list("pk", flat=True)
    )


# 四-4 ------------------------------------------------------------------------------------


def _training(period: Period, scope):
    as_of = _as_of(period)
    if as_of < dt.date(period.year, 1, 1):
        return None
    return coverage.coverage(period.year, as_of, coverage.subtree(scope))


def _training_records(period: Period, scope):
    found = _training(period, scope)
    if found is None:
        return
    people, hours, counted = found
    for pk, person in sorted(people.items(), key=lambda p: (p[1].department.path, p[1].username)):
        yield Record(
            "core.user",
            str(pk),
            coverage.counted_label(person, hours.get(pk, 0), period.year, pk in counted),
            f"/security/training/people/{pk}/?year={period.year}",
        )


@register(
    "security.training_coverage",
    label=_("Staff with 3 hours of security training (資安教育訓練 3 小時)"),
    formula=_(
        "Staff on the roster at the period's end with at least 3 hours of security training "
        "of any kind (general, professional or for security staff) in the year so far ÷ staff "
        "on the roster at the period's end × 100%"
    ),
    unit="%",
    records=_training_records,
)
def training_coverage(period: Period, scope):
    found = _training(period, scope)
    if found is None:
        return None
    people, hours, counted = found
    # No record at all in the year: the platform held no training data then (not 0%).
    if not any(hours.get(pk) for pk in people):
        return None
    return ratio(len(counted), len(people))


# 五-1 ------------------------------------------------------------------------------------


def _soc_records(period: Period, scope):
    day = _as_of(period)
    reported = set(SocPointDay.objects.filter(day=day).values_list("point_id", flat=True))
    points = SocPoint.objects.select_related("agency__department").filter(
        in_service_on(day), created_at__date__lte=day
    )
    points = _scoped(points, scope)
    for point in points:
        state = _("reported") if point.pk in reported else _("silent")
        yield Record(
            "security.socpoint",
            str(point.pk),
            f"{point.agency.department.name} {point.name} {format_roc(day)}: {state}",
            "/security/soc/",
        )


@register(
    "security.soc_points",
    label=_("SOC monitoring points monitored (監控服務點)"),
    formula=_(
        "SOC points in service that reported on the period's last day (today while it runs); "
        "a point taken out of service no longer counts"
    ),
    unit=_("points"),
    records=_soc_records,
)
def soc_points(period: Period, scope):
    day = _as_of(period)
    ids = _agency_ids(scope)
    count = monitored_on(day, ids)
    if count == 0 and not SocPointDay.objects.filter(day__lte=day).exists():
        return None  # no point had reported yet: no data, not zero
    return Decimal(count), None, None


# 五-3 ------------------------------------------------------------------------------------


def _due_in(period: Period, scope, today=None):
    today = today or timezone.localdate()
    start, end = period_days(period)
    rows = DutyInstance.objects.filter(due__gte=start, due__lte=min(end, today)).select_related(
        "agency__department", "duty"
    )
    return _scoped(rows, scope).order_by("due", "pk")


def duty_rows(period: Period, scope, today=None):
    """The instances due in the period by today, and whether each was accepted in time
    (those set aside by a change of level do not count)."""
    return [(i, i.on_time) for i in _due_in(period, scope, today).filter(set_aside=False)]


def _duty_records(period: Period, scope):
    for instance in _due_in(period, scope).filter(set_aside=True):
        state = _("set aside, not counted: %(why)s") % {"why": instance.set_aside_reason}
        yield Record(
            "security.dutyinstance",
            str(instance.pk),
            f"{instance.agency.department.name} {instance.duty.name} "
            f"{format_roc(instance.due)}: {state}",
            f"/security/duties/{instance.pk}/",
        )
    for instance, ok in duty_rows(period, scope):
        state = _("accepted on time") if ok else _("late or not accepted")
        yield Record(
            "security.dutyinstance",
            str(instance.pk),
            f"{instance.agency.department.name} {instance.duty.name} "
            f"{format_roc(instance.due)}: {state}",
            f"/security/duties/{instance.pk}/",
        )


@register(
    "security.duties_on_time",
    label=_("Statutory security duties done on time (應辦事項 依限完成率)"),
    formula=_(
        "Duty instances due in the period that the CISO accepted by their due date ÷ "
        "duty instances due in the period × 100%"
    ),
    unit="%",
    records=_duty_records,
)
def duties_on_time(period: Period, scope):
    rows = duty_rows(period, scope)
    return ratio(sum(1 for _i, ok in rows if ok), len(rows))
