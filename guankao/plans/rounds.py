"""The annual plan round (KPI 一): a 管考 officer opens it, departments submit, the officer
returns or accepts. A submission is on time when first sent by the end of the deadline day
(Asia/Taipei) and accepted in the end; that share is the round's 依限完成率."""

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from guankao.core import access as core_access
from guankao.core import audit
from guankao.core import services as core_services
from guankao.core.errors import NotAllowed, NotFound, ServiceError
from guankao.core.models import AuditEntry, Department
from guankao.lib import roc
from guankao.lib.roc import format_roc, roc_year
from guankao.plans import access
from guankao.plans.models import KPI, Plan, PlanRound, Submission, Target

A = AuditEntry.Action
S = Plan.Status


def deadline_end(plan_round: PlanRound) -> dt.datetime:
    # The deadline day ends at midnight in Taipei, whatever time zone is active.
    day_after = plan_round.deadline + dt.timedelta(days=1)
    return dt.datetime.combine(day_after, dt.time.min, tzinfo=ZoneInfo(settings.TIME_ZONE))


def is_on_time(submission: Submission) -> bool:
    return (
        submission.plan.status == S.ACCEPTED
        and submission.first_submitted_at is not None
        and submission.first_submitted_at < deadline_end(submission.plan_round)
    )


@transaction.atomic
def round_open(*, actor, year: int, deadline: dt.date, departments: list[Department]) -> PlanRound:
    if not core_access.is_officer(actor):
        raise NotAllowed(_("Only 管考 officers open the annual plan round."))
    if not roc.is_year(year):
        raise ServiceError.field("year", roc.year_range_message())
    if not isinstance(deadline, dt.date) or isinstance(deadline, dt.datetime):
        raise ServiceError.field("deadline", _("must be a date, such as 115/01/31"))
    if PlanRound.objects.filter(year=year).exists():
        raise ServiceError.field(
            "year", _("the round for %(y)d is already open") % {"y": roc_year(year)}
        )
    if not departments:
        raise ServiceError.field("departments", _("choose at least one department"))
    plan_round = PlanRound.objects.create(year=year, deadline=deadline, opened_by=actor)
    plan_round.departments.set(departments)
    for department in departments:
        plan = Plan.objects.create(
            department=department,
            kind=Plan.Kind.ANNUAL,
            title=_("%(d)s annual plan %(y)d") % {"d": department.name, "y": roc_year(year)},
            first_year=year,
            last_year=year,
        )
        Submission.objects.create(plan_round=plan_round, department=department, plan=plan)
        audit.record(
            actor=actor,
            action=A.CREATE,
            obj=plan,
            department=department,
            changes={"title": [None, plan.title], "kind": [None, plan.kind]},
            note=f"annual plan round {year}",
        )
    audit.record(
        actor=actor,
        action=A.CREATE,
        obj=plan_round,
        changes={
            "year": [None, year],
            "deadline": [None, deadline.isoformat()],
            "departments": [None, sorted(d.code for d in departments)],
        },
    )
    core_services.notify_roles(
        departments=departments,
        roles=("liaison", "head"),
        subject=_("The %(y)d annual plan round is open; submit by %(d)s")
        % {
            "y": roc_year(year),
            "d": format_roc(deadline),
        },
        url=f"/plans/rounds/{plan_round.pk}/",
    )
    return plan_round


def _submission(submission_id: int) -> Submission:
    s = (
        Submission.objects.select_for_update(of=("self",))
        .select_related("plan", "plan_round", "department")
        .filter(pk=submission_id)
        .first()
    )
    if s is None:
        raise NotFound
    return s


def _check_complete(plan: Plan) -> None:
    kpis = KPI.objects.filter(goal__plan=plan)
    if not kpis.exists():
        raise ServiceError.field(
            "plan", _("add at least one strategic goal with a KPI before submitting")
        )
    missing = kpis.exclude(pk__in=Target.objects.filter(year=plan.first_year).values("kpi"))
    if missing.exists():
        names = "、".join(missing.values_list("name", flat=True)[:5])
        raise ServiceError.field(
            "targets", _("these KPIs have no target for the year: %(n)s") % {"n": names}
        )


@transaction.atomic
def submission_submit(*, actor, submission_id: int) -> Submission:
    s = _submission(submission_id)
    if not access.can_submit(actor, s.department):
        raise NotAllowed(_("Only the department's liaison or head submits its plan."))
    if s.plan.status not in (S.DRAFT, S.RETURNED):
        raise ServiceError.field("status", _("this plan has already been submitted"))
    if s.plan_round.closed_at is not None:
        raise ServiceError.field("status", _("the round is closed"))
    _check_complete(s.plan)
    now = timezone.now()
    s.submitted_at, s.submitted_by = now, actor
    s.first_submitted_at = s.first_submitted_at or now
    s.save(update_fields=["submitted_at", "submitted_by", "first_submitted_at"])
    before = s.plan.status
    Plan.objects.filter(pk=s.plan_id).update(status=S.SUBMITTED)
    late = now >= deadline_end(s.plan_round)
    audit.record(
        actor=actor,
        action=A.UPDATE,
        obj=s.plan,
        department=s.department,
        changes={"status": [before, S.SUBMITTED]},
        note="late" if late else "on time",
    )
    return s


@transaction.atomic
def submission_decide(*, actor, submission_id: int, accept: bool, reason: str = "") -> Submission:
    if not core_access.is_officer(actor):
        raise NotAllowed(_("Only 管考 officers accept or return annual plans."))
    s = _submission(submission_id)
    if s.plan.status != S.SUBMITTED:
        raise ServiceError.field("status", _("only a submitted plan can be accepted or returned"))
    reason = (reason or "").strip()
    if not accept and not reason:
        raise ServiceError.field("reason", _("say why the plan is returned"))
    if len(reason) > 300:
        raise ServiceError.field("reason", _("is too long (at most %(n)d characters)") % {"n": 300})
    status = S.ACCEPTED if accept else S.RETURNED
    Plan.objects.filter(pk=s.plan_id).update(status=status)
    s.decided_at, s.decision_note = timezone.now(), reason
    s.save(update_fields=["decided_at", "decision_note"])
    audit.record(
        actor=actor,
        action=A.UPDATE,
        obj=s.plan,
        department=s.department,
        changes={"status": [S.SUBMITTED, status]},
        note=reason,
    )
    return s
