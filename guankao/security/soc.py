"""SOC monitoring points: the register, each point's token, and its reports.

A report (heartbeat with an event summary) is authenticated by the point's token; it
adds to the point's row for the day (Asia/Taipei) in one statement, so a point counts as
monitored on each day it reported, whatever the number of heartbeats.
"""

import datetime as dt
import secrets

from django.db import IntegrityError, models, transaction
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from guankao.core import audit, validation
from guankao.core.errors import NotAllowed, ServiceError
from guankao.core.models import AuditEntry
from guankao.security import access
from guankao.security.models import Agency, SocPoint, SocPointDay

A = AuditEntry.Action
SILENT_AFTER = dt.timedelta(hours=24)
MAX_COUNT = 10**12
PER_MINUTE = 60  # reports a point may make in a minute (the heartbeat's rate limit)
RATE_RULE = f"soc.heartbeat: at most {PER_MINUTE} reports a minute per point"


def _token() -> tuple[str, str, str]:
    raw = SocPoint.PREFIX + secrets.token_urlsafe(32)
    return raw, SocPoint.digest_of(raw), raw[:10]


@transaction.atomic
def point_create(
    *, actor, agency: Agency, name: str, site: str, log_sources: str = ""
) -> tuple[SocPoint, str]:
    """Register a point; returns it and its token (shown once, only its hash is kept)."""
    if not access.can_manage(actor, agency):
        raise NotAllowed(_("Only the agency's security staff register its SOC points."))
    name = validation.text("name", name, 100)
    site = validation.text("site", site, 200)
    log_sources = validation.text("log_sources", log_sources, 500, required=False, multiline=False)
    if SocPoint.objects.filter(agency=agency, name=name).exists():
        raise ServiceError.field("name", _("the agency already has a point of this name"))
    raw, digest, hint = _token()
    point = SocPoint(
        agency=agency, name=name, site=site, log_sources=log_sources, digest=digest, hint=hint
    )
    try:
        with transaction.atomic():
            point.save()
    except IntegrityError:
        raise ServiceError.field("name", _("the agency already has a point of this name")) from None
    audit.record(
        actor=actor,
        action=A.CREATE,
        obj=point,
        department=agency.department,
        changes=audit.diff({}, audit.snapshot(point, ["name", "site", "log_sources"])),
    )
    return point, raw


def _manageable(actor, point: SocPoint) -> SocPoint:
    if not access.can_manage(actor, point.agency):
        raise NotAllowed(_("Only the agency's security staff manage its SOC points."))
    return (
        SocPoint.objects.select_for_update().select_related("agency__department").get(pk=point.pk)
    )


@transaction.atomic
def point_new_token(*, actor, point: SocPoint) -> str:
    """A new token for the point (the old one stops working at once); shown once."""
    point = _manageable(actor, point)
    raw, digest, hint = _token()
    SocPoint.objects.filter(pk=point.pk).update(digest=digest, hint=hint)
    audit.record(
        actor=actor,
        action=A.SECURITY,
        obj=point,
        department=point.agency.department,
        changes={"hint": [point.hint, hint]},
        note="new SOC point token",
    )
    return raw


@transaction.atomic
def point_update(
    *, actor, point: SocPoint, name: str, site: str, log_sources: str = ""
) -> SocPoint:
    """Correct a point's name, site or log sources."""
    point = _manageable(actor, point)
    fields = ["name", "site", "log_sources"]
    before = audit.snapshot(point, fields)
    point.name = validation.text("name", name, 100)
    point.site = validation.text("site", site, 200)
    point.log_sources = validation.text("log_sources", log_sources, 500, required=False)
    taken = SocPoint.objects.filter(agency_id=point.agency_id, name=point.name)
    if taken.exclude(pk=point.pk).exists():
        raise ServiceError.field("name", _("the agency already has a point of this name"))
    point.save(update_fields=fields)
    changes = audit.diff(before, audit.snapshot(point, fields))
    if changes:
        audit.record(
            actor=actor,
            action=A.UPDATE,
            obj=point,
            department=point.agency.department,
            changes=changes,
        )
    return point


@transaction.atomic
def point_set_active(*, actor, point: SocPoint, active: bool, reason: str, now=None) -> SocPoint:
    """Take a point out of service (from that day on it no longer counts for KPI 五-1, its
    token no longer reports and it is never reported silent) or back into service; with the
    reason, in the audit trail."""
    point = _manageable(actor, point)
    reason = validation.text("reason", reason, 300)
    if point.active == active:
        message = (
            _("the point is already in service")
            if active
            else _("the point is already out of service")
        )
        raise ServiceError.field("reason", message)
    point.active = active
    point.deactivated_at = None if active else (now or timezone.now())
    # Back in service and still not reporting, it is reported silent again (once).
    point.silent_noticed_at = None
    point.save(update_fields=["active", "deactivated_at", "silent_noticed_at"])
    audit.record(
        actor=actor,
        action=A.UPDATE,
        obj=point,
        department=point.agency.department,
        changes={"active": [not active, active]},
        note=reason,
    )
    return point


def point_authenticate(raw: str) -> SocPoint | None:
    if not isinstance(raw, str) or not raw.startswith(SocPoint.PREFIX) or len(raw) > 100:
        return None
    return SocPoint.objects.filter(digest=SocPoint.digest_of(raw), active=True).first()


def _count(field: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_COUNT:
        raise ServiceError.field(field, _("must be a whole number from 0 to 10¹²"))
    return value


class TooManyReports(Exception):
    """The point is over its reports for this minute; nothing was counted."""

    def __init__(self, retry_after: int):
        self.retry_after = retry_after
        super().__init__(RATE_RULE)


def _admit(point: SocPoint, now: dt.datetime) -> bool:
    """Count the report in the point's minute, in the UPDATE that marks it seen: False (and
    nothing changed) once the point has made PER_MINUTE reports in this minute. Shared by
    every app server, and no query more than a report costs anyway."""
    minute = now.replace(second=0, microsecond=0)
    this_minute = Q(beat_minute=minute)
    room = ~this_minute | Q(beat_minute__isnull=True) | Q(minute_beats__lt=PER_MINUTE)
    return bool(
        SocPoint.objects.filter(room, pk=point.pk).update(
            minute_beats=Case(
                When(this_minute, then=F("minute_beats") + 1),
                default=Value(1),
                output_field=models.PositiveSmallIntegerField(),
            ),
            beat_minute=minute,
            last_seen_at=now,
            silent_noticed_at=None,
        )
    )


def _add_to_day(point: SocPoint, day: dt.date, now, events: int, alerts: int) -> int:
    return SocPointDay.objects.filter(point=point, day=day).update(
        last_at=now,
        beats=F("beats") + 1,
        events=F("events") + events,
        alerts=F("alerts") + alerts,
    )


def heartbeat(*, point: SocPoint, events: int = 0, alerts: int = 0, now=None) -> SocPointDay:
    """Add one report to the point's day; clears a silence notice. TooManyReports past
    PER_MINUTE reports of the point in a minute."""
    events, alerts = _count("events", events), _count("alerts", alerts)
    now = now or timezone.now()
    day = timezone.localdate(now)
    with transaction.atomic():
        if not _admit(point, now):
            raise TooManyReports(retry_after=60 - now.second)
        if not _add_to_day(point, day, now, events, alerts):
            try:
                with transaction.atomic():
                    SocPointDay.objects.create(
                        point=point,
                        day=day,
                        first_at=now,
                        last_at=now,
                        events=events,
                        alerts=alerts,
                    )
            except IntegrityError:  # another report of the same point made the row first
                _add_to_day(point, day, now, events, alerts)
    return SocPointDay.objects.get(point=point, day=day)


def in_service_on(day: dt.date) -> Q:
    """Points (on a SocPoint) not taken out of service on or before `day`."""
    next_day = timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))
    return Q(deactivated_at__isnull=True) | Q(deactivated_at__gte=next_day)


def monitored_on(day: dt.date, agency_ids=None) -> int:
    """Points in service that reported on `day` (KPI 五-1); a point taken out of service
    counts no more from the day it was."""
    points = SocPoint.objects.filter(in_service_on(day))
    rows = SocPointDay.objects.filter(day=day, point__in=points)
    if agency_ids is not None:
        rows = rows.filter(point__agency_id__in=agency_ids)
    return rows.values("point_id").distinct().count()
