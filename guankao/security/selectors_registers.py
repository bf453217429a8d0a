"""Reads of the incidents, audits, core systems and outages, always scoped by
`access.agency_q` (an agency's security officer sees only their agency's rows), and the
dashboard's lists in a fixed number of queries whatever the data."""

import calendar
import datetime as dt
from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from guankao.core.errors import NotFound
from guankao.security import access, clock
from guankao.security.models import (
    Agency,
    Audit,
    ClockRule,
    Escalation,
    Finding,
    FollowUp,
    Incident,
    Outage,
    Service,
)

LISTED = 25  # rows a dashboard list shows (most urgent first); the registers list the rest


def incident_list(*, user, filters: dict | None = None) -> QuerySet[Incident]:
    f = filters or {}
    rows = Incident.objects.filter(access.agency_q(user)).select_related("agency__department")
    if f.get("agency"):
        rows = rows.filter(agency_id=f["agency"])
    if f.get("level"):
        rows = rows.filter(level=f["level"])
    if f.get("status"):
        rows = rows.filter(status=f["status"])
    if f.get("year"):
        start = timezone.make_aware(dt.datetime(f["year"], 1, 1))
        rows = rows.filter(aware_at__gte=start, aware_at__lt=start.replace(year=f["year"] + 1))
    return rows.order_by("-aware_at", "-pk")


def incident_get(*, user, pk) -> Incident:
    row = None
    if isinstance(pk, int) and 0 < pk < 2**63:
        row = incident_list(user=user).select_related("handler").filter(pk=pk).first()
    if row is None:
        raise NotFound
    return row


@dataclass
class Clocked:
    incident: Incident
    steps: list

    @property
    def next(self):
        """The running step due first (late ones first of all), or None."""
        running = [s for s in self.steps if s.running]
        return min(running, key=lambda s: s.due) if running else None


def with_clocks(incidents, now=None) -> list[Clocked]:
    """The incidents with their clock steps (two queries: the rule and the escalations)."""
    incidents = list(incidents)
    now = now or timezone.now()
    rule = ClockRule.current()
    escalated = set(
        Escalation.objects.filter(incident__in=[i.pk for i in incidents]).values_list(
            "incident_id", "step", "round"
        )
    )
    out = []
    for i in incidents:
        mine = {(step, rnd) for pk, step, rnd in escalated if pk == i.pk}
        out.append(Clocked(i, clock.steps(i, rule, now, mine)))
    return out


def follow_ups_open(*, user, overdue_on: dt.date | None = None) -> QuerySet[FollowUp]:
    rows = FollowUp.objects.filter(access.agency_q(user, "incident__agency"), done_at=None)
    if overdue_on is not None:
        rows = rows.filter(due_date__lt=overdue_on)
    return rows.select_related("incident__agency__department").order_by("due_date", "pk")


def audit_list(*, user, filters: dict | None = None) -> QuerySet[Audit]:
    f = filters or {}
    rows = Audit.objects.filter(access.agency_q(user)).select_related("agency__department")
    if f.get("agency"):
        rows = rows.filter(agency_id=f["agency"])
    if f.get("kind"):
        rows = rows.filter(kind=f["kind"])
    if f.get("year"):
        rows = rows.filter(end_date__year=f["year"])
    return rows.order_by("-start_date", "-pk")


def audit_get(*, user, pk) -> Audit:
    row = audit_list(user=user).filter(pk=pk).prefetch_related("findings").first()
    if row is None:
        raise NotFound
    return row


def findings_of(*, user) -> QuerySet[Finding]:
    """The findings of the audits `user` reads, with their audit and agency."""
    rows = Finding.objects.filter(access.agency_q(user, "audit__agency"))
    return rows.select_related("audit__agency__department")


def service_get(*, user, pk: int) -> Service:
    row = service_list(user=user).filter(pk=pk).first()
    if row is None:
        raise NotFound
    return row


def outage_get(*, user, pk: int) -> Outage:
    row = outage_list(user=user).filter(pk=pk).first()
    if row is None:
        raise NotFound
    return row


def findings_open(*, user, filters: dict | None = None) -> QuerySet[Finding]:
    f = filters or {}
    rows = Finding.objects.filter(access.agency_q(user, "audit__agency"), closed_at=None)
    if f.get("severity"):
        rows = rows.filter(severity=f["severity"])
    if f.get("agency"):
        rows = rows.filter(audit__agency_id=f["agency"])
    return rows.select_related("audit__agency__department").order_by("due_date", "pk")


def service_list(*, user) -> QuerySet[Service]:
    return (
        Service.objects.filter(access.agency_q(user))
        .select_related("agency__department")
        .order_by("agency__department__path", "name")
    )


def outage_list(*, user, filters: dict | None = None) -> QuerySet[Outage]:
    f = filters or {}
    rows = Outage.objects.filter(access.agency_q(user)).select_related("agency__department")
    if f.get("agency"):
        rows = rows.filter(agency_id=f["agency"])
    if f.get("planned") in ("yes", "no"):
        rows = rows.filter(planned=f["planned"] == "yes")
    if f.get("month"):
        start, end = month_bounds(*f["month"])
        rows = rows.filter(started_at__gte=start, started_at__lt=end)
    services = Prefetch("services", queryset=Service.objects.order_by("name"))
    return rows.prefetch_related(services).order_by("-started_at", "-pk")


def month_bounds(year: int, month: int) -> tuple[dt.datetime, dt.datetime]:
    start = timezone.make_aware(dt.datetime(year, month, 1))
    nxt = dt.datetime(year + 1, 1, 1) if month == 12 else dt.datetime(year, month + 1, 1)
    return start, timezone.make_aware(nxt)


def availability(*, user, year: int, month: int, now=None) -> list[tuple[Service, float, int]]:
    """(service, availability %, outage minutes) for the month: 100 % less the minutes its
    outages (planned or not) overlapped the month; an outage still open counts to now."""
    now = now or timezone.now()
    start, end = month_bounds(year, month)
    end_of_view = min(end, max(now, start))
    minutes_in = calendar.monthrange(year, month)[1] * 24 * 60
    down: dict[int, float] = {}
    outages = (
        Outage.objects.filter(access.agency_q(user), started_at__lt=end)
        .exclude(ended_at__lt=start)
        .prefetch_related("services")
    )
    for o in outages:
        a, b = max(o.started_at, start), min(o.ended_at or end_of_view, end)
        if b > a:
            for s in o.services.all():
                down[s.pk] = down.get(s.pk, 0) + (b - a).total_seconds() / 60
    out = []
    for s in service_list(user=user).filter(active=True):
        lost = down.get(s.pk, 0)
        out.append((s, round(100 * (1 - lost / minutes_in), 3), round(lost)))
    return out


def agency_choices(*, user) -> list[Agency]:
    """The agencies whose records `user` reads (every one, or their own)."""
    if access.reads_all(user):
        return list(Agency.objects.select_related("department").order_by("department__path"))
    own = access.agency_of(user) if access.is_security_officer(user) else None
    return [own] if own is not None else []
