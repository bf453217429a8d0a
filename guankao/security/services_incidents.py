"""Every change to an incident: recording it, its clock steps, a raised level (the
notification starts again), the investigation report and its prevention measures (follow-up
items), and the administrator's clock and level tables. Each checks who may, writes the
audit entry and changes nothing when refused."""

import datetime as dt
import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from guankao.core import audit, validation
from guankao.core.attachments import attachment_check, attachment_create
from guankao.core.errors import NotAllowed, NotFound, ServiceError
from guankao.core.models import AuditEntry, User
from guankao.lib.roc import roc_year
from guankao.security import access
from guankao.security.models import (
    Agency,
    ClockRule,
    Dimension,
    FollowUp,
    Impact,
    ImpactRule,
    Incident,
    InfoKind,
)

A = AuditEntry.Action
OWNER = "security.incident"
SKEW = dt.timedelta(minutes=5)  # a clock a little ahead of the server's is not "the future"
FIELDS = [
    "title",
    "occurred_at",
    "aware_at",
    "system",
    "info_kind",
    "confidentiality",
    "integrity",
    "availability",
    "level",
    "round",
    "clock_from",
    "notified_at",
    "notice_ref",
    "reviewed_at",
    "recovered_at",
    "reported_at",
    "status",
]


def level_for(info_kind: str, confidentiality: str, integrity: str, availability: str) -> int:
    """The level by the impact table (辦法 第2條): the highest level any impact reaches;
    level 1 when nothing in the table matches."""
    table = {(r.dimension, r.kind, r.impact): r.level for r in ImpactRule.objects.all()}
    impacts = {
        Dimension.CONFIDENTIALITY: confidentiality,
        Dimension.INTEGRITY: integrity,
        Dimension.AVAILABILITY: availability,
    }
    found = [table.get((dim, info_kind, value)) for dim, value in impacts.items()]
    return max([level for level in found if level] or [1])


def _moment(field: str, value, *, required: bool = True) -> dt.datetime | None:
    if value is None or value == "":
        if required:
            raise ServiceError.field(field, _("is required"))
        return None
    if not isinstance(value, dt.datetime):
        raise ServiceError.field(field, _("must be a date and time"))
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    if not 1912 <= value.year <= 2200:
        raise ServiceError.field(field, _("the year must be between 1912 and 2200"))
    if value > timezone.now() + SKEW:
        raise ServiceError.field(field, _("cannot be in the future"))
    return value


def _not_before(field: str, value, earlier, earlier_word: str) -> None:
    if value is not None and earlier is not None and value < earlier:
        raise ServiceError.field(field, _("cannot be before %(what)s") % {"what": earlier_word})


def _manageable(actor, incident: Incident) -> Incident:
    """The incident locked for change, if `actor` may change it (NotFound if they may not
    even read it)."""
    if not incident_readable(actor, incident):
        raise NotFound(_("No such incident."))
    if not access.can_manage(actor, incident.agency):
        raise NotAllowed
    return Incident.objects.select_for_update().select_related("agency").get(pk=incident.pk)


def incident_readable(user, incident: Incident) -> bool:
    return Incident.objects.filter(access.agency_q(user), pk=incident.pk).exists()


def _record(actor, incident: Incident, before: dict, action=A.UPDATE, note: str = "") -> None:
    audit.record(
        actor=actor,
        action=action,
        obj=incident,
        department=incident.agency.department,
        changes=audit.diff(before, audit.snapshot(incident, FIELDS)),
        note=note,
    )


@transaction.atomic
def incident_create(
    *,
    actor,
    agency: Agency,
    title: str,
    occurred_at,
    aware_at,
    system: str,
    info_kind: str,
    confidentiality: str = Impact.NONE,
    integrity: str = Impact.NONE,
    availability: str = Impact.NONE,
    description: str = "",
    handler: User | None = None,
    files=(),
) -> Incident:
    if not access.can_manage(actor, agency):
        raise NotAllowed
    values = {
        "title": validation.text("title", title, 200),
        "system": validation.text("system", system, 200),
        "description": validation.text("description", description, 5000, multiline=True),
        "info_kind": validation.choice("info_kind", info_kind, InfoKind),
        "confidentiality": validation.choice("confidentiality", confidentiality, Impact),
        "integrity": validation.choice("integrity", integrity, Impact),
        "availability": validation.choice("availability", availability, Impact),
        "occurred_at": _moment("occurred_at", occurred_at),
        "aware_at": _moment("aware_at", aware_at),
    }
    _not_before("aware_at", values["aware_at"], values["occurred_at"], _("the time it occurred"))
    handler = handler or actor
    if not access.can_manage(handler, agency):
        raise ServiceError.field("handler", _("must be a security officer of the agency"))
    checked = [attachment_check(file=f, owner_type=OWNER) for f in files]
    level = level_for(
        values["info_kind"], values["confidentiality"], values["integrity"], values["availability"]
    )
    incident = Incident.objects.create(
        agency=agency,
        number=f"tmp-{secrets.token_hex(8)}",  # the real number needs the pk
        handler=handler,
        computed_level=level,
        level=level,
        clock_from=values["aware_at"],
        created_by=actor,
        **values,
    )
    incident.number = f"{roc_year(values['aware_at'].year)}-{incident.pk:05d}"
    incident.save(update_fields=["number"])
    for file in checked:
        attachment_create(
            actor=actor,
            file=file,
            department=agency.department,
            owner_type=OWNER,
            owner_id=incident.pk,
        )
    _record(actor, incident, {}, A.CREATE)
    return incident


@transaction.atomic
def incident_attach(*, actor, incident: Incident, file):
    incident = _manageable(actor, incident)
    return attachment_create(
        actor=actor,
        file=file,
        department=incident.agency.department,
        owner_type=OWNER,
        owner_id=incident.pk,
    )


@transaction.atomic
def incident_notify(*, actor, incident: Incident, notified_at, notice_ref: str) -> Incident:
    """The notification to the competent authority was made at `notified_at`, with the
    national platform's reference number."""
    incident = _manageable(actor, incident)
    before = audit.snapshot(incident, FIELDS)
    notified_at = _moment("notified_at", notified_at)
    _not_before("notified_at", notified_at, incident.aware_at, _("the time of awareness"))
    _not_before("notified_at", notified_at, incident.clock_from, _("the last level change"))
    incident.notice_ref = validation.text("notice_ref", notice_ref, 60)
    incident.notified_at = notified_at
    incident.save()
    _record(actor, incident, before)
    return incident


@transaction.atomic
def incident_review(*, actor, incident: Incident, reviewed_at) -> Incident:
    incident = _manageable(actor, incident)
    before = audit.snapshot(incident, FIELDS)
    if incident.notified_at is None:
        raise ServiceError.field("reviewed_at", _("record the notification first"))
    reviewed_at = _moment("reviewed_at", reviewed_at)
    _not_before("reviewed_at", reviewed_at, incident.notified_at, _("the notification"))
    incident.reviewed_at = reviewed_at
    incident.save()
    _record(actor, incident, before)
    return incident


@transaction.atomic
def incident_recover(*, actor, incident: Incident, recovered_at) -> Incident:
    incident = _manageable(actor, incident)
    before = audit.snapshot(incident, FIELDS)
    recovered_at = _moment("recovered_at", recovered_at)
    _not_before("recovered_at", recovered_at, incident.aware_at, _("the time of awareness"))
    incident.recovered_at = recovered_at
    if incident.status == Incident.Status.OPEN:
        incident.status = Incident.Status.RECOVERED
    incident.save()
    _record(actor, incident, before)
    return incident


def _measures(measures) -> list[tuple[str, str, dt.date]]:
    out = []
    for row, item in enumerate(measures or [], start=1):
        measure = validation.text("measures", item.get("measure"), 500)
        owner = validation.text("measures", item.get("owner"), 100)
        due = item.get("due_date")
        if not isinstance(due, dt.date) or not 1912 <= due.year <= 2200:
            raise ServiceError.field("measures", _("each measure needs a due date"), row=row)
        out.append((measure, owner, due))
    return out


@transaction.atomic
def incident_report(
    *, actor, incident: Incident, reported_at, scope: str, control: str, cause: str, measures=()
) -> Incident:
    """The investigation report (施行細則 第8條): times are on the incident; scope and damage,
    damage control, root cause, and the prevention measures with their schedule, which
    become follow-up items."""
    incident = _manageable(actor, incident)
    before = audit.snapshot(incident, FIELDS)
    if incident.recovered_at is None:
        raise ServiceError.field("reported_at", _("record the recovery first"))
    reported_at = _moment("reported_at", reported_at)
    _not_before("reported_at", reported_at, incident.recovered_at, _("the recovery"))
    incident.report_scope = validation.text("scope", scope, 5000, multiline=True)
    incident.report_control = validation.text("control", control, 5000, multiline=True)
    incident.report_cause = validation.text("cause", cause, 5000, multiline=True)
    rows = _measures(measures)
    incident.reported_at, incident.status = reported_at, Incident.Status.CLOSED
    incident.save()
    FollowUp.objects.bulk_create(
        FollowUp(incident=incident, measure=m, owner=o, due_date=d) for m, o, d in rows
    )
    _record(actor, incident, before, note=f"{len(rows)} prevention measure(s)")
    return incident


@transaction.atomic
def incident_raise_level(*, actor, incident: Incident, level, reason: str) -> Incident:
    """Raise the level (never below the table's): the notification starts again, its
    clock from now."""
    incident = _manageable(actor, incident)
    before = audit.snapshot(incident, FIELDS)
    if not isinstance(level, int) or isinstance(level, bool) or not 1 <= level <= 4:
        raise ServiceError.field("level", _("must be a level from 1 to 4"))
    if level <= incident.level:
        raise ServiceError.field(
            "level", _("can only be raised (it is level %(n)d now)") % {"n": incident.level}
        )
    reason = validation.text("reason", reason, 500)
    incident.level, incident.level_reason, incident.round = level, reason, incident.round + 1
    incident.clock_from = timezone.now()
    incident.notified_at, incident.notice_ref, incident.reviewed_at = None, "", None
    incident.save()
    _record(actor, incident, before, note=reason)
    return incident


@transaction.atomic
def followup_done(*, actor, follow_up: FollowUp, note: str = "") -> FollowUp:
    incident = _manageable(actor, follow_up.incident)
    follow_up = FollowUp.objects.select_for_update().get(pk=follow_up.pk, incident=incident)
    if follow_up.done_at is not None:
        raise ServiceError.field("follow_up", _("is already done"))
    follow_up.note = validation.text("note", note, 500, required=False)
    follow_up.done_at = timezone.now()
    follow_up.save()
    audit.record(
        actor=actor,
        action=A.UPDATE,
        obj=follow_up,
        department=incident.agency.department,
        changes={"done_at": [None, str(follow_up.done_at)]},
        note=follow_up.note,
    )
    return follow_up


CLOCK_FIELDS = [
    "notify_hours",
    "review_hours_low",
    "review_hours_high",
    "recover_hours_low",
    "recover_hours_high",
    "report_months",
]


@transaction.atomic
def clock_rule_update(*, actor, **values) -> ClockRule:
    """The administrator changes the statutory numbers (1 to 720 hours, 1 to 12 months)."""
    if not (access.is_active_user(actor) and actor.is_admin):
        raise NotAllowed
    rule = ClockRule.current()
    before = audit.snapshot(rule, CLOCK_FIELDS)
    for name, value in values.items():
        if name not in CLOCK_FIELDS:
            raise ServiceError.field(name, _("is not a clock setting"))
        top = 12 if name == "report_months" else 720
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= top:
            raise ServiceError.field(name, _("must be a whole number from 1 to %(n)d") % {"n": top})
        setattr(rule, name, value)
    rule.save()
    audit.record(
        actor=actor,
        action=A.UPDATE,
        obj=rule,
        changes=audit.diff(before, audit.snapshot(rule, CLOCK_FIELDS)),
    )
    return rule


@transaction.atomic
def impact_rule_set(*, actor, rule: ImpactRule, level) -> ImpactRule:
    """The administrator changes one cell of the level table (incidents already recorded
    keep their level; a security officer raises one if need be)."""
    if not (access.is_active_user(actor) and actor.is_admin):
        raise NotAllowed
    if not isinstance(level, int) or isinstance(level, bool) or not 1 <= level <= 4:
        raise ServiceError.field("level", _("must be a level from 1 to 4"))
    rule = ImpactRule.objects.select_for_update().get(pk=rule.pk)
    if rule.level != level:
        audit.record(actor=actor, action=A.UPDATE, obj=rule, changes={"level": [rule.level, level]})
        rule.level = level
        rule.save(update_fields=["level"])
    return rule
