"""Chasing open petitions without a person doing it, once a run (the worker runs it often).

For each open case: a reminder `remind_workdays` before the reply deadline, a notice on
the day, the overdue flag and an escalation to the head `escalate_workdays` working days
after it; a 派工 case whose field-work deadline passed undone is chased too. Each step is
claimed by its `Chase` row (unique per case, step and deadline, so an extension chases
again) in the same transaction as its notices: two workers or a rerun never send one
twice. Notices are one per person and step, listing the cases. The 管考 officer gets the
day's overdue list once a day.
"""

import datetime as dt
import logging
from collections import defaultdict

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from guankao.core import services as core_services
from guankao.core.jobs import claim, insert_new, register
from guankao.core.models import Role, User
from guankao.lib import workdays
from guankao.lib.roc import format_roc
from guankao.petitions.models import OPEN_STATUSES, Case, Chase, Rules

S = Chase.Step
log = logging.getLogger("guankao.worker")
LISTED = 100  # cases named in one notice; the rest are counted


def steps_due(today: dt.date, due: dt.date, rules: Rules) -> list[str]:
    """The chasing steps that apply today to a reply due on `due`."""
    if today < due:
        remind_from = workdays.add_working_days(due, -rules.remind_workdays)
        return [S.REMIND] if remind_from <= today else []
    if today == due:
        return [S.DUE]
    if today >= workdays.add_working_days(due, rules.escalate_workdays):
        return [S.ESCALATE]
    return []


def _recipients(department_ids, role: str) -> dict[int, list[User]]:
    out = defaultdict(list)
    rows = User.objects.filter(
        is_active=True, department_id__in=department_ids, role_assignments__role=role
    ).distinct()
    for user in rows.order_by("pk"):
        out[user.department_id].append(user)
    return out


SUBJECTS = {
    S.REMIND: gettext_noop("Petitions due %(date)s: %(count)d case(s)"),
    S.DUE: gettext_noop("Petitions due today: %(count)d case(s)"),
    S.ESCALATE: gettext_noop(
        "Escalated: your department's petitions are overdue: %(count)d case(s)"
    ),
    S.FIELD: gettext_noop("Field work overdue: %(count)d case(s)"),
}


def _chased_date(case: Case, step: str) -> dt.date:
    return case.field_due_at.date() if step == S.FIELD else case.due_date


def _notify(cases: list[Case], step: str, due: dt.date | None, now) -> int:
    """Claim `step` for `cases` and tell their departments; returns notices created."""
    role = Role.HEAD if step == S.ESCALATE else Role.LIAISON
    with transaction.atomic():
        claimed = insert_new(
            Chase,
            ["case_id", "step", "due_date", "at"],
            [(c.pk, step, _chased_date(c, step), now) for c in cases],
            returning="case_id",
        )
        by_department = defaultdict(list)
        for case in cases:
            if case.pk in claimed:
                by_department[case.lead_id].append(case)
        people = _recipients(by_department, role)
        sent = 0
        for department_id, group in by_department.items():
            values = {"date": format_roc(due) if due else "", "count": len(group)}
            body = "\n".join(f"{c.number} {c.subject}" for c in group[:LISTED])
            if len(group) > LISTED:
                body += "\n" + _("… and %(n)d more") % {"n": len(group) - LISTED}
            recipients = people.get(department_id, [])
            core_services.notify(
                recipients=recipients,
                subject=_(SUBJECTS[step]) % values,
                body=body,
                url="/petitions/inbox/?due=1",
            )
            sent += len(recipients)
    return sent


def sweep(today: dt.date, now: dt.datetime | None = None) -> dict[str, int]:
    """One pass over the open cases: chase, flag overdue, chase field work."""
    now = now or timezone.now()
    rules = Rules.current()
    done = {"notices": 0, "flagged": 0}
    open_cases = Case.objects.filter(status__in=OPEN_STATUSES, lead__isnull=False)
    horizon = workdays.add_working_days(today, rules.remind_workdays)
    candidates = open_cases.filter(due_date__lte=horizon).only(
        "pk", "number", "subject", "lead_id", "due_date", "field_due_at"
    )
    by_step: dict[tuple[str, dt.date], list[Case]] = defaultdict(list)
    for case in candidates.order_by("due_date", "pk").iterator(chunk_size=2000):
        for step in steps_due(today, case.due_date, rules):
            by_step[(step, case.due_date)].append(case)
    for (step, due), cases in sorted(by_step.items()):
        done["notices"] += _notify(cases, step, due, now)
    field = open_cases.filter(
        kind=Case.Kind.DISPATCH, field_done_at__isnull=True, field_due_at__lt=now
    ).only("pk", "number", "subject", "lead_id", "due_date", "field_due_at")
    done["notices"] += _notify(list(field.order_by("pk")), S.FIELD, None, now)
    done["flagged"] = open_cases.filter(due_date__lt=today, overdue=False).update(overdue=True)
    done["notices"] += _overdue_list(today)
    return done


def _overdue_list(today: dt.date) -> int:
    """The officer's day-end list of overdue cases, once a day."""
    overdue = Case.objects.filter(status__in=OPEN_STATUSES, due_date__lt=today)
    count = overdue.count()
    if not count or not claim(f"petitions.overdue_list:{today.isoformat()}"):
        return 0
    officers = list(
        User.objects.filter(is_active=True, role_assignments__role=Role.OFFICER)
        .distinct()
        .order_by("pk")
    )
    rows = overdue.select_related("lead").order_by("due_date", "number")[:LISTED]
    body = "\n".join(
        f"{c.number} {c.lead.name if c.lead else ''} {format_roc(c.due_date)} {c.subject}"
        for c in rows
    )
    core_services.notify(
        recipients=officers,
        subject=_("Overdue petitions on %(d)s: %(n)d") % {"d": format_roc(today), "n": count},
        body=body,
        url="/petitions/overview/?overdue=1",
    )
    return len(officers)


@register("petitions.chase", every=dt.timedelta(hours=1))
def chase(now: dt.datetime) -> int:
    return sweep(timezone.localdate(now), now)["notices"]


@register("petitions.dispatch_train", every=dt.timedelta(hours=1))
def dispatch_train(now: dt.datetime) -> int:
    """Retrain the dispatch model once a night (from `GUANKAO_DISPATCH_TRAIN_HOUR`, local
    time), claimed by the day so two workers never train twice; while no model serves (a new
    install, a fresh demo) it tries each hour instead. A model that is worse, or a training
    that fails, leaves the serving model in service. Returns 1 when a new model serves."""
    from django.conf import settings

    from guankao.petitions import dispatch

    local = timezone.localtime(now)
    if dispatch.serving_note() is None:
        key = f"petitions.dispatch_train:{local:%Y-%m-%dT%H}"
    elif local.hour >= getattr(settings, "GUANKAO_DISPATCH_TRAIN_HOUR", 2):
        key = f"petitions.dispatch_train:{local.date().isoformat()}"
    else:
        return 0
    if not claim(key):
        return 0
    try:
        outcome = dispatch.train(now=now)
    except Exception:  # the serving model stays; the worker goes on with other jobs
        log.exception("dispatch training failed; the serving model stays")
        return 0
    log.info("dispatch training: %s (%s)", outcome.accepted, outcome.reason)
    return int(outcome.accepted)


@register("petitions.open311_file", every=dt.timedelta(seconds=5))
def open311_file(now: dt.datetime) -> int:
    """File the Open311 reports accepted to be filed later (GUANKAO_OPEN311_DEFERRED)."""
    from guankao.petitions import open311_deferred

    return open311_deferred.file_waiting()
