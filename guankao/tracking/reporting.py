"""Monthly progress reports: filing (late when after the due day), the head's approval or
return, and the 管考 officer's refusal of a late report. Every write is checked, audited
and keeps the item's computed figures current.
"""

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from guankao.core import attachments, validation
from guankao.core.errors import NotAllowed, ServiceError
from guankao.core.validation import year_month
from guankao.lib import workdays
from guankao.tracking import access, notices, report_checks
from guankao.tracking.models import Item, Report, Rules
from guankao.tracking.services import (
    ATTACHMENT_REPORT,
    A,
    _record,
    previous_month,
    refresh,
    report_due,
)

# Monthly reports -------------------------------------------------------------------------


@transaction.atomic
def report_file(
    *, actor, item: Item, year, month, files=(), now=None, imported: bool = False, **data
) -> Report:
    """File the month's report (or file again after a return). Late if after the due day.
    `imported`: figures from a PCMS import, which a 管考 officer may load for any department."""
    item = (
        Item.objects.select_for_update(of=("self",))
        .select_related("lead", "baseline")
        .get(pk=item.pk)
    )
    validation.require(access.can_report(actor, item) or (imported and access.can_manage(actor)))
    if item.status == Item.Status.RELEASED:
        raise ServiceError.field("item", _("is released from control and takes no more reports"))
    year, month = year_month(year, month)
    now = now or timezone.now()
    today = timezone.localdate(now)
    if (year, month) > (today.year, today.month):
        raise ServiceError.field("month", _("must not be a month that has not begun"))
    unknown = set(data) - REPORT_FIELDS
    if unknown:
        raise ServiceError.field(sorted(unknown)[0], _("cannot be changed here"))
    rules = Rules.current()
    clean, categories = report_checks.check_progress(
        actor, item, data, rules, year, month, imported
    )
    report_checks.check_not_backwards(item, year, month, clean)
    milestones = report_checks.milestone_updates(item, year, month, data.get("milestones"), today)
    existing = item.reports.filter(year=year, month=month)
    if existing.filter(state__in=["submitted", "approved"]).exists():
        raise ServiceError.field(
            "month",
            _("already has a report; wait for the head's review or ask for it to be returned"),
        )
    if existing.filter(state=Report.State.REFUSED).exists():
        raise ServiceError.field("month", _("the report for this month was refused as late"))
    due_on = report_due(year, month, rules)
    report = Report(
        item=item,
        year=year,
        month=month,
        filed_by=actor,
        filed_at=now,
        due_on=due_on,
        late=today > due_on,
        review_due=workdays.add_working_days(today, rules.review_workdays),
        revision=(existing.aggregate(m=Max("revision"))["m"] or 0) + 1,
        **clean,
    )
    try:
        with transaction.atomic():
            report.save()
    except IntegrityError:
        raise ServiceError.field("month", _("already has a report")) from None
    report.lag_categories.set(categories)
    report_checks.apply_milestones(milestones)
    for file in files:
        attachments.attachment_create(
            actor=actor,
            file=file,
            department=item.lead,
            owner_type=ATTACHMENT_REPORT,
            owner_id=report.pk,
        )
    if (year, month) >= _reporting_month(today):
        item.report_overdue = False
        Item.objects.filter(pk=item.pk).update(report_overdue=False)
    refresh(item, today=today, rules=rules)
    after = {k: str(v) for k, v in clean.items() if v not in (None, "") and k != "baseline"}
    if categories:
        after["lag_categories"] = ", ".join(c.name for c in categories)
    if report.imported_planned is not None:
        after["flag"] = _("the import said planned %(said)s%%; the baseline's %(p)s%% is kept") % {
            "said": report.imported_planned,
            "p": report.planned,
        }
    note = _("late") if report.late else ""
    _record(actor, A.CREATE, report, {}, after, item.lead, note=note)
    notices.report_filed(item, report)
    return report


REPORT_FIELDS = {
    "planned",
    "actual",
    "money_planned",
    "money_spent",
    "work_done",
    "problems",
    "countermeasures",
    "lag_reason",
    "lag_categories",
    "correction_reason",
    "milestones",
    "handling",
    "result",
}


def _reporting_month(today: dt.date) -> tuple[int, int]:
    """The month whose report is being collected now: last month."""
    return previous_month(today.year, today.month)


def _reviewable(actor, report: Report, states=("submitted",)) -> Report:
    report = (
        Report.objects.select_for_update(of=("self",))
        .select_related("item__lead", "filed_by")
        .get(pk=report.pk)
    )
    if report.state not in states:
        raise ServiceError.field(
            "state",
            _("this report is %(s)s and cannot be reviewed now")
            % {"s": report.get_state_display()},
        )
    return report


def _review(actor, report: Report, state: str, note: str, *, note_required: bool) -> Report:
    before = {"state": report.state}
    report.state = state
    report.review_note = validation.text("note", note, 2000, required=note_required)
    report.reviewed_by, report.reviewed_at = actor, timezone.now()
    report.save(update_fields=["state", "review_note", "reviewed_by", "reviewed_at"])
    refresh(report.item)
    _record(
        actor,
        A.UPDATE,
        report,
        before,
        {"state": state},
        report.item.lead,
        note=report.review_note[:300],
    )
    report.notified = notices.report_reviewed(report)
    return report


@transaction.atomic
def report_approve(*, actor, report: Report, note: str = "") -> Report:
    report = _reviewable(actor, report)
    validation.require(access.can_review(actor, report.item))
    if report.filed_by_id == actor.pk:
        raise NotAllowed(_("A report is approved by someone other than the person who filed it."))
    return _review(actor, report, Report.State.APPROVED, note, note_required=False)


@transaction.atomic
def report_return(*, actor, report: Report, note: str) -> Report:
    """The head returns a report for changes; an officer may also return an approved one."""
    report = _reviewable(actor, report, states=("submitted", "approved"))
    allowed = (
        access.can_review(actor, report.item)
        if report.state == "submitted"
        else access.can_manage(actor)
    )
    validation.require(allowed)
    return _review(actor, report, Report.State.RETURNED, note, note_required=True)


@transaction.atomic
def report_refuse(*, actor, report: Report, note: str) -> Report:
    """The 管考 officer refuses a late report; the month then counts as not reported."""
    report = _reviewable(actor, report, states=("submitted", "approved"))
    validation.require(access.can_manage(actor))
    if not report.late:
        raise ServiceError.field("state", _("only a late report can be refused"))
    return _review(actor, report, Report.State.REFUSED, note, note_required=True)
