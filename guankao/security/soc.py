"""SOC monitoring points: the register, each point's token, and its reports.

A report (heartbeat with an event summary) is authenticated by the point's token; it
adds to the point's row for the day (Asia/Taipei) in one statement, so a point counts as
monitored on each day it reported, whatever the number of heartbeats.
"""

import datetime as dt
import secrets

from django.db import IntegrityError, transaction
from django.db.models import F
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


@transaction.atomic
def point_new_token(*, actor, point: SocPoint) -> str:
    """A new token for the point (the old one stops working at once)."""
    if not access.can_manage(actor, point.agency):
        raise NotAllowed(_("Only the agency's security staff manage its SOC points."))
    raw, digest, hint = _token()
    SocPoint.objects.filter(pk=point.pk).update(digest=digest, hint=hint)
    audit.record(
        actor=actor,
        action=A.SECURITY,
        obj=point,
        department=point.agency.department,
        note="new SOC point token",
    )
    return raw


@transaction.atomic
def point_set_active(*, actor, point: SocPoint, active: bool, reason: str) -> SocPoint:
    if not access.can_manage(actor, point.agency):
        raise NotAllowed(_("Only the agency's security staff manage its SOC points."))
    reason = validation.text("reason", reason, 300)
    if point.active != active:
        SocPoint.objects.filter(pk=point.pk).update(active=active)
        audit.record(
            actor=actor,
            action=A.UPDATE,
            obj=point,
            department=point.agency.department,
            changes={"active": [point.active, active]},
            note=reason,
        )
        point.active = active
    return point


def point_authenticate(raw: str) -> SocPoint | None:
    if not isinstance(raw, str) or not raw.startswith(SocPoint.PREFIX) or len(raw) > 100:
        return None
    return SocPoint.objects.filter(digest=SocPoint.digest_of(raw), active=True).first()


def _count(field: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_COUNT:
        raise ServiceError.field(field, _("must be a whole number from 0 to 10¹²"))
    return value


def heartbeat(*, point: SocPoint, events: int = 0, alerts: int = 0, now=None) -> SocPointDay:
    """Add one report to the point's day; clears a silence notice."""
    events, alerts = _count("events", events), _count("alerts", alerts)
    now = now or timezone.now()
    day = timezone.localdate(now)
    with transaction.atomic():
        updated = SocPointDay.objects.filter(point=point, day=day).update(
            last_at=now,
            beats=F("beats") + 1,
            events=F("events") + events,
            alerts=F("alerts") + alerts,
        )
        if not updated:
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
                SocPointDay.objects.filter(point=point, day=day).update(
                    last_at=now,
                    beats=F("beats") + 1,
                    events=F("events") + events,
                    alerts=F("alerts") + alerts,
                )
        SocPoint.objects.filter(pk=point.pk).update(last_seen_at=now, silent_noticed_at=None)
    return SocPointDay.objects.get(point=point, day=day)


def monitored_on(day: dt.date, agency_ids=None) -> int:
    """Points that reported on `day` (KPI 五-1)."""
    rows = SocPointDay.objects.filter(day=day)
    if agency_ids is not None:
        rows = rows.filter(point__agency_id__in=agency_ids)
    return rows.values("point_id").distinct().count()
