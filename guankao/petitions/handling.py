"""Handling a case after intake: re-routing (改分) and extension (展延) requests that the
管考 officer decides, the reply (drafted, approved by the head where the department
requires it, sent), field work done, the satisfaction survey and reopening.

The petitioner's deadline never restarts on re-routing; each department's own time is
its `Assignment`. An extension is allowed `Rules.extensions` times and never past the
30-day cap.
"""

import datetime as dt
import hashlib
import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from guankao.core import services as core_services
from guankao.core import validation
from guankao.core.errors import ServiceError
from guankao.core.models import Role
from guankao.lib import workdays
from guankao.lib.roc import format_roc
from guankao.petitions import access, deadlines, figures, mail
from guankao.petitions.models import (
    Case,
    DepartmentRule,
    Event,
    Reply,
    Request,
    Rules,
    Survey,
)
from guankao.petitions.services import (
    A,
    _assign,
    _departments,
    _event,
    _open_case,
    _record,
    _snapshot,
)

SCORE_FIELDS = ("speed", "attitude", "result")


def _case_url(case: Case) -> str:
    return f"/petitions/cases/{case.pk}/"


def _tell_officers(case: Case, subject: str) -> None:
    from guankao.core.models import User

    officers = User.objects.filter(is_active=True, role_assignments__role=Role.OFFICER)
    core_services.notify(
        recipients=list(officers.distinct().order_by("pk")),
        subject=subject,
        body=case.subject,
        url=_case_url(case),
    )


def _tell_department(case: Case, roles, subject: str, body: str = "") -> None:
    core_services.notify_roles(
        departments=[case.lead], roles=roles, subject=subject, body=body, url=_case_url(case)
    )


# Re-routing and extensions ------------------------------------------------------------------


@transaction.atomic
def reroute_request(*, actor, case: Case, reason: str, site_visit: bool = False, suggested=None):
    """The assigned department says the case is not theirs, within its window."""
    case = _open_case(case)
    validation.require(access.can_act(actor, case) and not access.manages(actor))
    assignment = case.assignments.filter(ended_at=None, department=case.lead).first()
    if assignment is None:
        raise ServiceError.field("status", _("the case is not assigned to your department"))
    last_day = deadlines.reroute_deadline(
        deadlines.local_day(assignment.assigned_at),
        deadlines.Clock.of(Rules.current()),
        site_visit=bool(site_visit),
    )
    if timezone.localdate() > last_day:
        raise ServiceError.field(
            "reason",
            _("re-routing had to be asked by %(d)s; answer the case or ask the officer")
            % {"d": format_roc(last_day)},
        )
    if case.requests.filter(kind=Request.Kind.REROUTE, state=Request.State.PENDING).exists():
        raise ServiceError.field("reason", _("a re-routing request is already waiting"))
    suggested = _departments("suggested", [suggested])[0] if suggested else None
    request = Request.objects.create(
        case=case,
        kind=Request.Kind.REROUTE,
        department=case.lead,
        reason=validation.text("reason", reason, 2000),
        site_visit=bool(site_visit),
        suggested=suggested,
        requested_by=actor,
    )
    _event(case, Event.Kind.REROUTE_ASKED, actor, note=request.reason)
    _record(actor, A.UPDATE, case, {}, {}, note=_("re-routing asked"))
    _tell_officers(case, _("Case %(n)s: re-routing asked") % {"n": case.number})
    return request


@transaction.atomic
def extension_request(*, actor, case: Case, reason: str, new_due) -> Request:
    case = _open_case(case)
    validation.require(access.can_act(actor, case) and not access.manages(actor))
    rules = Rules.current()
    if case.extensions >= rules.extensions:
        raise ServiceError.field(
            "new_due", _("this case has had its %(n)d extension(s)") % {"n": rules.extensions}
        )
    new_due = _extended_due(case, new_due, rules)
    if case.requests.filter(kind=Request.Kind.EXTEND, state=Request.State.PENDING).exists():
        raise ServiceError.field("new_due", _("an extension request is already waiting"))
    request = Request.objects.create(
        case=case,
        kind=Request.Kind.EXTEND,
        department=case.lead,
        reason=validation.text("reason", reason, 2000),
        new_due=new_due,
        requested_by=actor,
    )
    _event(case, Event.Kind.EXTENSION_ASKED, actor, note=request.reason)
    _tell_officers(case, _("Case %(n)s: extension asked") % {"n": case.number})
    return request


def _extended_due(case: Case, value, rules: Rules) -> dt.date:
    new_due = validation.date_value("new_due", value)
    if new_due is None:
        raise ServiceError.field("new_due", _("is required"))
    received = deadlines.local_day(case.received_at)
    why = deadlines.may_extend_to(received, case.due_date, new_due, deadlines.Clock.of(rules))
    if why == "not_later":
        raise ServiceError.field("new_due", _("must be after the current deadline"))
    if why == "over_cap":
        cap = deadlines.latest_due(received, deadlines.Clock.of(rules))
        raise ServiceError.field(
            "new_due",
            _("cannot be after %(d)s: no case runs over %(n)d days")
            % {"d": format_roc(cap), "n": rules.max_days},
        )
    return new_due


@transaction.atomic
def request_decide(*, actor, request: Request, approve: bool, note="", lead=None, now=None):
    """The officer approves or refuses a re-routing or extension request."""
    validation.require(access.manages(actor))
    request = Request.objects.select_for_update().get(pk=request.pk)
    if request.state != Request.State.PENDING:
        raise ServiceError.field("state", _("this request has been decided"))
    case = _open_case(request.case)
    before = _snapshot(case)
    note = validation.text("note", note, 500, required=not approve)
    request.state = Request.State.APPROVED if approve else Request.State.REFUSED
    now = now or timezone.now()
    request.decided_by, request.decided_at, request.decision_note = actor, now, note
    if approve and request.kind == Request.Kind.REROUTE:
        target = lead or request.suggested
        if target is None:
            raise ServiceError.field("lead", _("name the department the case goes to"))
        target = _departments("lead", [target])[0]
        if target.pk == case.lead_id:
            raise ServiceError.field("lead", _("the case is already with this department"))
        _assign(actor, case, target, list(case.co_departments.all()), Rules.current(), now)
        _event(case, Event.Kind.REROUTED, actor, note=target.name, public=True, at=now)
        mail.rerouted(case)
    elif approve:
        case.due_date = _extended_due(case, request.new_due, Rules.current())
        case.extensions += 1
        case.overdue = False
        case.save(update_fields=["due_date", "extensions", "overdue"])
        _event(
            case,
            Event.Kind.EXTENDED,
            actor,
            note=_("new deadline %(d)s: %(r)s")
            % {"d": format_roc(case.due_date), "r": request.reason},
            public=True,
            at=now,
        )
        mail.extended(case)
    else:
        _event(case, Event.Kind.REFUSED, actor, note=note, at=now)
    request.save()
    _record(actor, A.UPDATE, case, before, _snapshot(case), note=note)
    _tell_department(
        case,
        (Role.LIAISON, Role.HEAD),
        _("Case %(n)s: %(k)s %(s)s")
        % {"n": case.number, "k": request.get_kind_display(), "s": request.get_state_display()},
        note,
    )
    return request


# Replies ------------------------------------------------------------------------------------


@transaction.atomic
def reply_draft(
    *, actor, case: Case, text: str, method: str, public_text: str = "", now=None
) -> Reply:
    """The department's answer; sent at once where the department lets liaisons reply
    directly, otherwise waiting for the head."""
    case = _open_case(case)
    validation.require(access.can_act(actor, case))
    if case.replies.filter(state=Reply.State.DRAFT).exists():
        raise ServiceError.field("text", _("a reply is already waiting for approval"))
    method = validation.choice("method", method, Reply.Method)
    if method == Reply.Method.EMAIL and not case.email:
        raise ServiceError.field("method", _("the petitioner left no e-mail address"))
    reply = Reply.objects.create(
        case=case,
        text=validation.text("text", text, 10000),
        public_text=validation.text("public_text", public_text, 2000, required=False),
        method=method,
        drafted_by=actor,
        drafted_at=now or timezone.now(),
    )
    _event(case, Event.Kind.DRAFTED, actor, at=reply.drafted_at)
    if DepartmentRule.needs_approval(case.lead) and not actor.has_role(Role.HEAD):
        case.status = Case.Status.DRAFTED
        case.save(update_fields=["status"])
        _tell_department(
            case,
            (Role.HEAD,),
            _("Case %(n)s: a reply waits for your approval") % {"n": case.number},
        )
        return reply
    return _send(actor, case, reply, reply.drafted_at)


@transaction.atomic
def reply_approve(*, actor, reply: Reply, now=None) -> Reply:
    reply = Reply.objects.select_for_update().get(pk=reply.pk)
    case = _open_case(reply.case)
    validation.require(access.can_approve_reply(actor, case))
    if reply.state != Reply.State.DRAFT:
        raise ServiceError.field("state", _("this reply is not waiting for approval"))
    if reply.drafted_by_id == actor.pk and DepartmentRule.needs_approval(case.lead):
        if not actor.has_role(Role.HEAD):
            raise ServiceError.field("state", _("a reply is approved by someone else"))
    return _send(actor, case, reply, now or timezone.now())


@transaction.atomic
def reply_return(*, actor, reply: Reply, reason: str) -> Reply:
    reply = Reply.objects.select_for_update().get(pk=reply.pk)
    case = _open_case(reply.case)
    validation.require(access.can_approve_reply(actor, case))
    if reply.state != Reply.State.DRAFT:
        raise ServiceError.field("state", _("this reply is not waiting for approval"))
    reply.state, reply.decided_by, reply.decided_at = Reply.State.RETURNED, actor, timezone.now()
    reply.return_reason = validation.text("reason", reason, 500)
    reply.save()
    case.status = Case.Status.ASSIGNED
    case.save(update_fields=["status"])
    _event(case, Event.Kind.RETURNED, actor, note=reply.return_reason)
    core_services.notify(
        recipients=[reply.drafted_by],
        subject=_("Case %(n)s: your reply was returned") % {"n": case.number},
        body=reply.return_reason,
        url=_case_url(case),
    )
    return reply


def _send(actor, case: Case, reply: Reply, now) -> Reply:
    """Close the case with its reply (and every case merged into it), each with a survey."""
    before = _snapshot(case)
    reply.state, reply.sent_at = Reply.State.SENT, now
    reply.decided_by, reply.decided_at = actor, now
    reply.save()
    case.status, case.closed_at, case.overdue = Case.Status.REPLIED, now, False
    case.workdays_taken = workdays.working_days_between(
        deadlines.local_day(case.received_at), deadlines.local_day(now)
    )
    case.save(update_fields=["status", "closed_at", "overdue", "workdays_taken"])
    figures.recount(case)
    # Unordered: ordered by date, SQLite walked every case by date to find the merged ones.
    for answered in [case, *case.merged_cases.order_by()]:
        _event(answered, Event.Kind.REPLIED, actor, note=reply.public_text, public=True, at=now)
        mail.reply_sent(answered, reply, _survey(answered, reply, now))
    _record(actor, A.UPDATE, case, before, _snapshot(case), note=reply.text[:300])
    return reply


def _survey(case: Case, reply: Reply, now) -> str | None:
    """A survey link for the petitioner (the token is kept hashed); None without contact."""
    if not (case.email or case.phone):
        return None
    token = secrets.token_urlsafe(24)
    Survey.objects.create(
        case=case,
        reply=reply,
        token_hash=hashlib.sha256(token.encode()).hexdigest(),
        sent_at=now,
        expires_at=now + dt.timedelta(days=Rules.current().survey_days),
    )
    return token


# Survey, reopening, field work --------------------------------------------------------------


def _score(field: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ServiceError.field(field, _("must be a score from 1 to 5"))
    try:
        score = int(value)
    except ValueError:
        raise ServiceError.field(field, _("must be a score from 1 to 5")) from None
    if not 1 <= score <= 5:
        raise ServiceError.field(field, _("must be a score from 1 to 5"))
    return score


@transaction.atomic
def survey_answer(*, token: str, comment: str = "", **scores) -> Survey:
    """The petitioner answers once, without signing in, before the survey expires."""
    digest = hashlib.sha256(str(token).encode()).hexdigest()
    survey = Survey.objects.select_for_update().filter(token_hash=digest).first()
    if survey is None:
        raise ServiceError.field("token", _("this survey link is not valid"))
    if survey.answered_at is not None:
        raise ServiceError.field("token", _("this survey has been answered already"))
    if timezone.now() > survey.expires_at:
        raise ServiceError.field(
            "token",
            _("this survey closed on %(d)s")
            % {"d": format_roc(timezone.localdate(survey.expires_at))},
        )
    for field in SCORE_FIELDS:
        setattr(survey, field, _score(field, scores.get(field)))
    survey.comment = validation.text("comment", comment, 2000, required=False)
    survey.answered_at = timezone.now()
    survey.save()
    figures.recount(survey.case)
    _event(
        survey.case,
        Event.Kind.SURVEYED,
        None,
        note="/".join(str(getattr(survey, f)) for f in SCORE_FIELDS),
    )
    return survey


@transaction.atomic
def case_reopen(*, actor, case: Case, reason: str, due) -> Case:
    """An unsatisfied petitioner's case reopened by the officer, once, with a new deadline."""
    validation.require(access.manages(actor))
    case = Case.objects.select_for_update(of=("self",)).get(pk=case.pk)
    if case.status != Case.Status.REPLIED:
        raise ServiceError.field("status", _("only a replied case can be reopened"))
    if case.reopened >= 1:
        raise ServiceError.field("status", _("this case has been reopened once already"))
    unsatisfied = [s for s in case.surveys.all() if s.satisfied is False]
    if not unsatisfied:
        raise ServiceError.field(
            "status", _("the petitioner did not answer that they are not satisfied")
        )
    new_due = validation.date_value("due", due)
    if new_due is None or new_due <= timezone.localdate():
        raise ServiceError.field("due", _("must be a date after today"))
    before = _snapshot(case)
    case.status, case.due_date, case.closed_at = Case.Status.ASSIGNED, new_due, None
    case.reopened += 1
    case.overdue = False
    case.save(update_fields=["status", "due_date", "closed_at", "reopened", "overdue"])
    figures.recount(case)
    note = validation.text("reason", reason, 2000)
    _event(case, Event.Kind.REOPENED, actor, note=note, public=True)
    _record(actor, A.UPDATE, case, before, _snapshot(case), note=note)
    _tell_department(
        case, (Role.LIAISON, Role.HEAD), _("Case %(n)s reopened") % {"n": case.number}, note
    )
    return case


@transaction.atomic
def field_done(*, actor, case: Case, note: str = "", done_at=None) -> Case:
    """派工 finished on the street (the reply may follow)."""
    case = _open_case(case)
    validation.require(access.can_act(actor, case))
    if case.kind != Case.Kind.DISPATCH:
        raise ServiceError.field("status", _("this case has no field work"))
    if case.field_done_at is not None:
        raise ServiceError.field("status", _("the field work is recorded as done"))
    case.field_done_at = done_at or timezone.now()
    if case.field_done_at < case.received_at or case.field_done_at > timezone.now():
        raise ServiceError.field("done_at", _("must be between receipt and now"))
    case.save(update_fields=["field_done_at"])
    _event(
        case,
        Event.Kind.FIELD_DONE,
        actor,
        note=validation.text("note", note, 2000, False),
        public=True,
    )
    return case
