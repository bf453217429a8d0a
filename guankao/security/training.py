"""Every write to the training records (資安教育訓練) and the training requirements.

A record is one course a person took on a day: the same person, course and day is one
record (the import of the same file again adds nothing). A person's hours on one day are
more than 0 and at most 24 in all.
"""

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from guankao.core import audit, validation
from guankao.core.errors import NotAllowed, ServiceError
from guankao.core.models import AuditEntry, User
from guankao.security import access
from guankao.security.models import (
    Agency,
    Audience,
    TrainingKind,
    TrainingRecord,
    TrainingRequirement,
)

A = AuditEntry.Action
MAX_DAY_HOURS = Decimal(24)
KIND_WORDS = {
    "一般": TrainingKind.GENERAL,
    "通識": TrainingKind.GENERAL,
    "專業": TrainingKind.PROFESSIONAL,
    "資安專職": TrainingKind.SECURITY,
    "資安人員": TrainingKind.SECURITY,
}
KIND_NAMES = {
    TrainingKind.GENERAL: "一般",
    TrainingKind.PROFESSIONAL: "專業",
    TrainingKind.SECURITY: "資安專職",
}


def clean_hours(field: str, value) -> Decimal:
    """Hours more than 0 and at most 24, in tenths (1.5)."""
    try:
        hours = Decimal(str(value).strip()) if not isinstance(value, Decimal) else value
    except (InvalidOperation, ValueError):
        raise ServiceError.field(field, _("must be a number of hours such as 1.5")) from None
    if not hours.is_finite() or hours <= 0 or hours > MAX_DAY_HOURS:
        raise ServiceError.field(field, _("must be more than 0 and at most 24 hours in a day"))
    if hours != hours.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP):
        raise ServiceError.field(field, _("at most one decimal place (tenths of an hour)"))
    return hours.quantize(Decimal("0.1"))


def clean_kind(field: str, value) -> str:
    if value in ("", None):
        return TrainingKind.GENERAL
    kind = KIND_WORDS.get(value, value)
    if kind not in TrainingKind.values:
        allowed = "、".join([*KIND_WORDS, *TrainingKind.values])
        raise ServiceError.field(field, _("must be one of %(v)s") % {"v": allowed})
    return kind


def clean_date(field: str, value, today: dt.date | None = None) -> dt.date:
    day = validation.date_value(field, value)
    if day is None:
        raise ServiceError.field(field, _("is required"))
    if day > (today or timezone.localdate()):
        raise ServiceError.field(field, _("must not be in the future"))
    return day


def agencies() -> list[Agency]:
    return list(Agency.objects.select_related("department"))


@transaction.atomic
def training_record(
    *,
    actor,
    user: User,
    course: str,
    date,
    hours,
    kind: str = "",
    provider: str = "",
    source: str = TrainingRecord.Source.FORM,
) -> TrainingRecord:
    """Record one course for `user` (liaison, head, security officer or CISO in scope)."""
    if not access.can_record_training(actor, user):
        raise NotAllowed(_("You may not record training for this person."))
    course = validation.text("course", course, 200)
    provider = validation.text("provider", provider, 200, required=False)
    day = clean_date("date", date)
    hours = clean_hours("hours", hours)
    kind = clean_kind("kind", kind)
    # Lock the person so that two records of one day are added one after the other.
    list(User.objects.select_for_update().filter(pk=user.pk).order_by().values_list("pk"))
    same_day = TrainingRecord.objects.filter(user=user, date=day)
    if same_day.filter(course=course).exists():
        raise ServiceError.field("course", _("this person already has this course on this day"))
    taken = same_day.aggregate(h=Sum("hours"))["h"] or Decimal(0)
    if taken + hours > MAX_DAY_HOURS:
        raise ServiceError.field(
            "hours",
            _("%(taken)s hours are already recorded on this day; a day has at most 24")
            % {"taken": taken},
        )
    record = TrainingRecord(
        user=user,
        department=user.department,
        agency=access.agency_for_path(user.department.path, agencies()),
        course=course,
        provider=provider,
        date=day,
        hours=hours,
        kind=kind,
        source=source,
        created_by=actor,
    )
    try:
        with transaction.atomic():
            record.save()
    except IntegrityError:
        raise ServiceError.field(
            "course", _("this person already has this course on this day")
        ) from None
    audit.record(
        actor=actor,
        action=A.CREATE,
        obj=record,
        department=user.department,
        changes=audit.diff({}, audit.snapshot(record, ["course", "date", "hours", "kind"])),
    )
    return record


@transaction.atomic
def training_delete(*, actor, record: TrainingRecord, reason: str) -> None:
    """Take back a record entered by mistake, with the reason (kept in the audit trail)."""
    if not access.can_record_training(actor, record.user):
        raise NotAllowed(_("You may not change this person's training."))
    reason = validation.text("reason", reason, 300)
    before = audit.snapshot(record, ["course", "date", "hours", "kind"])
    audit.record(
        actor=actor,
        action=A.DELETE,
        obj=record,
        department=record.department,
        changes=audit.diff(before, {}),
        note=reason,
    )
    record.delete()


def requirements() -> dict[str, TrainingRequirement]:
    return {r.audience: r for r in TrainingRequirement.objects.all()}


@transaction.atomic
def requirement_update(*, actor, audience: str, hours, every_years: int, basis: str):
    """Change a requirement (an administrator), naming the rule it comes from."""
    if not access.can_edit_requirements(actor):
        raise NotAllowed(_("Only an administrator changes the training requirements."))
    audience = validation.choice("audience", audience, Audience)
    hours = clean_hours("hours", hours)
    if not isinstance(every_years, int) or not 1 <= every_years <= 5:
        raise ServiceError.field("every_years", _("must be a whole number from 1 to 5"))
    basis = validation.text("basis", basis, 200)
    row = TrainingRequirement.objects.select_for_update().get(audience=audience)
    fields = ["hours", "every_years", "basis"]
    before = audit.snapshot(row, fields)
    row.hours, row.every_years, row.basis = hours, every_years, basis
    row.updated_at, row.updated_by = timezone.now(), actor
    row.save()
    changes = audit.diff(before, audit.snapshot(row, fields))
    if changes:
        audit.record(actor=actor, action=A.UPDATE, obj=row, changes=changes)
    return row


@transaction.atomic
def it_staff_set(*, actor, user: User, it: bool) -> bool:
    """Mark (or unmark) `user` as IT staff, who owe the professional hours (an
    administrator or the CISO). Returns whether anything changed."""
    from guankao.security.models import ItStaff

    if not (access.can_edit_requirements(actor) or access.is_ciso(actor)):
        raise NotAllowed(_("Only an administrator or the CISO marks IT staff."))
    if it:
        _row, changed = ItStaff.objects.get_or_create(user=user)
    else:
        changed = bool(ItStaff.objects.filter(user=user).delete()[0])
    if changed:
        audit.record(
            actor=actor,
            action=A.UPDATE,
            obj=user,
            department=user.department,
            changes={"it_staff": [not it, it]},
            note="security training: IT staff",
        )
    return changed
