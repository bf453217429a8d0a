"""Statutory duties (應辦事項): the duties of each level, each agency's instances of them
for a year, evidence, and the CISO's acceptance.

An instance is due at the end of its share of the year (a duty twice a year: 6/30 and
12/31); a duty every 2 years falls in even years. It counts for KPI 五-3 when the CISO
accepted it on or before its due date.
"""

import calendar
import datetime as dt
import re

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from guankao.core import attachments, audit, validation
from guankao.core.errors import NotAllowed, ServiceError
from guankao.core.models import AuditEntry
from guankao.lib import roc
from guankao.security import access
from guankao.security.models import Agency, Duty, DutyInstance, Level

A = AuditEntry.Action
S = DutyInstance.State
EVIDENCE = "security.dutyinstance"
slug_re = re.compile(r"^[-a-zA-Z0-9_]+$")


def dues(duty: Duty, year: int) -> list[dt.date]:
    """The due dates of `duty` in `year` (none in a year it skips)."""
    if duty.every_years > 1 and year % duty.every_years:
        return []
    times = max(1, min(duty.times, 12))
    out = []
    for n in range(1, times + 1):
        month = 12 * n // times
        out.append(dt.date(year, month, calendar.monthrange(year, month)[1]))
    return out


def missing(agencies, year: int, level: str | None = None) -> list[DutyInstance]:
    """The year's duty instances that `agencies` (at their level, or at `level`) should have
    and do not have yet, unsaved, with their due dates."""
    by_level = {}
    for duty in Duty.objects.filter(active=True):
        by_level.setdefault(duty.level, []).append(duty)
    wanted = [
        DutyInstance(agency=a, duty=d, year=year, seq=n, due=due)
        for a in agencies
        for d in by_level.get(level or a.level, [])
        for n, due in enumerate(dues(d, year), start=1)
    ]
    existing = set(
        DutyInstance.objects.filter(year=year, agency__in=agencies).values_list(
            "agency_id", "duty_id", "seq"
        )
    )
    return [i for i in wanted if (i.agency_id, i.duty_id, i.seq) not in existing]


@transaction.atomic
def duties_generate(*, actor, year: int, agency: Agency | None = None) -> int:
    """Create the year's duty instances of every agency (or one), by its level. Those that
    exist stay as they are; returns how many were added."""
    if not access.is_ciso(actor):
        raise NotAllowed(_("Only the CISO opens a year's duties."))
    if not roc.is_year(year):
        raise ServiceError.field("year", roc.year_range_message())
    agencies = [agency] if agency is not None else list(Agency.objects.all())
    new = missing(agencies, year)
    DutyInstance.objects.bulk_create(new, ignore_conflicts=True)
    if new:
        audit.record(
            actor=actor,
            action=A.CREATE,
            object_type="security.dutyinstance",
            object_repr=_("Duties of %(y)s") % {"y": roc.roc_year(year)},
            changes={"instances": [None, len(new)]},
        )
    return len(new)


def _instance(pk) -> DutyInstance:
    return (
        DutyInstance.objects.select_for_update(of=("self",))
        .select_related("agency__department", "duty")
        .get(pk=pk)
    )


@transaction.atomic
def duty_submit(*, actor, instance: DutyInstance, note: str, files=()) -> DutyInstance:
    """The agency reports the duty done, with what was done and its evidence."""
    instance = _instance(instance.pk)
    if not access.can_report_duty(actor, instance.agency):
        raise NotAllowed(_("Only the agency's security staff and liaisons report its duties."))
    if instance.state == S.ACCEPTED:
        raise ServiceError.field("state", _("is already accepted"))
    if instance.set_aside:
        raise ServiceError.field("state", _("is not applicable at the agency's current level"))
    note = validation.text("note", note, 2000)
    has_files = attachments.attachments_for(
        actor=actor, owner_type=EVIDENCE, owner_id=instance.pk
    ).exists()
    if not files and not has_files:
        raise ServiceError.field("files", _("attach the evidence (a report, a certificate)"))
    for file in files:
        attachments.attachment_create(
            actor=actor,
            file=file,
            department=instance.agency.department,
            owner_type=EVIDENCE,
            owner_id=instance.pk,
        )
    before = audit.snapshot(instance, ["state", "note"])
    instance.state, instance.note = S.SUBMITTED, note
    instance.submitted_at, instance.submitted_by = timezone.now(), actor
    instance.save()
    audit.record(
        actor=actor,
        action=A.UPDATE,
        obj=instance,
        department=instance.agency.department,
        changes=audit.diff(before, audit.snapshot(instance, ["state", "note"])),
    )
    return instance


@transaction.atomic
def duty_decide(
    *, actor, instance: DutyInstance, accept: bool, note: str = "", on: dt.date | None = None
) -> DutyInstance:
    """The CISO accepts the reported duty (on `on`, today by default) or returns it."""
    instance = _instance(instance.pk)
    if not access.can_accept_duties(actor):
        raise NotAllowed(_("Only the CISO accepts duties."))
    if instance.state != S.SUBMITTED or instance.set_aside:
        raise ServiceError.field("state", _("only a reported duty is accepted or returned"))
    note = validation.text("note", note, 300, required=not accept)
    before = audit.snapshot(instance, ["state", "accepted_on", "decision_note"])
    if accept:
        instance.state, instance.accepted_on = S.ACCEPTED, on or timezone.localdate()
        instance.accepted_by = actor
    else:
        instance.state = S.RETURNED
    instance.decision_note = note
    instance.save()
    audit.record(
        actor=actor,
        action=A.UPDATE,
        obj=instance,
        department=instance.agency.department,
        changes=audit.diff(
            before, audit.snapshot(instance, ["state", "accepted_on", "decision_note"])
        ),
    )
    return instance


DUTY_FIELDS = ["level", "code", "name", "description", "times", "every_years", "basis", "active"]


def _may_edit_duties(actor) -> None:
    if not access.can_edit_duties(actor):
        raise NotAllowed(_("Only the CISO changes the duties of the levels."))


@transaction.atomic
def duty_save(*, actor, duty: Duty | None = None, **data) -> Duty:
    """Add a duty to a level, or change one's name, description, frequency or basis (the
    CISO, as the annex or the city's practice changes). A duty's level and code stay once
    it is made."""
    _may_edit_duties(actor)
    new = duty is None
    duty = Duty() if new else Duty.objects.select_for_update().get(pk=duty.pk)
    before = {} if new else audit.snapshot(duty, DUTY_FIELDS)
    if new:
        if data.get("level") not in Level.values:
            raise ServiceError.field(
                "level", _("unknown level; must be one of %(v)s") % {"v": "、".join(Level.values)}
            )
        duty.level = data["level"]
        duty.code = validation.text("code", data.get("code", ""), 30)
        if not slug_re.match(duty.code):
            raise ServiceError.field(
                "code", _("letters, digits, hyphens and underscores only (such as pentest)")
            )
        last = Duty.objects.filter(level=duty.level).order_by("-order").first()
        duty.order = (last.order + 1) if last else 1
    for field, limit, required in (
        ("name", 200, True),
        ("description", 1000, False),
        ("basis", 200, False),
    ):
        if field in data or new:
            multiline = field == "description"
            value = data.get(field, "")
            setattr(
                duty, field, validation.text(field, value, limit, required, multiline=multiline)
            )
    for field, top in (("times", 12), ("every_years", 5)):
        if field in data:
            value = data[field]
            if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= top:
                raise ServiceError.field(
                    field, _("must be a whole number from 1 to %(n)d") % {"n": top}
                )
            setattr(duty, field, value)
    if Duty.objects.filter(level=duty.level, code=duty.code).exclude(pk=duty.pk).exists():
        raise ServiceError.field("code", _("is already used by another duty of this level"))
    duty.save()
    changes = audit.diff(before, audit.snapshot(duty, DUTY_FIELDS))
    if changes:
        audit.record(actor=actor, action=A.CREATE if new else A.UPDATE, obj=duty, changes=changes)
    return duty


@transaction.atomic
def duty_set_active(*, actor, duty: Duty, active: bool) -> Duty:
    """Retire a duty (a year opened afterwards has no instance of it; the instances made
    stay, with their evidence) or bring it back."""
    _may_edit_duties(actor)
    duty = Duty.objects.select_for_update().get(pk=duty.pk)
    if duty.active != active:
        duty.active = active
        duty.save(update_fields=["active"])
        audit.record(
            actor=actor, action=A.UPDATE, obj=duty, changes={"active": [not active, active]}
        )
    return duty


@transaction.atomic
def duty_delete(*, actor, duty: Duty) -> None:
    """Delete a duty added by mistake; one with instances is retired instead, never deleted."""
    _may_edit_duties(actor)
    duty = Duty.objects.select_for_update().get(pk=duty.pk)
    if DutyInstance.objects.filter(duty=duty).exists():
        raise ServiceError.field(
            "duty", _("the duty has instances in some year: retire it instead of deleting it")
        )
    audit.record(
        actor=actor,
        action=A.DELETE,
        obj=duty,
        changes=audit.diff(audit.snapshot(duty, DUTY_FIELDS), {}),
    )
    duty.delete()


def evidence_readable(user, owner_ids: list[str]) -> list[str]:
    """The duty instances (of `owner_ids`) whose evidence `user` may read (and attach)."""
    ids = [int(i) for i in owner_ids if str(i).isdigit()]
    rows = DutyInstance.objects.filter(access.duty_q(user), pk__in=ids)
    return [str(pk) for pk in rows.values_list("pk", flat=True)]


def register_readers() -> None:
    attachments.register_reader(EVIDENCE, evidence_readable)
