"""Chasing (稽催) without a person doing it.

Every run looks at last month's reports (due on the rules' day of this month, moved to a
working day): a reminder `remind_workdays` before the due day, a notice on the day, an
overdue notice after it, and an escalation to the department head `escalate_workdays`
working days after it; a head whose review is overdue is reminded once too.

Each notice is claimed by inserting its `Chase` row (unique per item, month and kind)
with INSERT … ON CONFLICT DO NOTHING RETURNING: only the rows this worker inserted are
notified, through core.services.notify in the same transaction, so two workers or a rerun
never send one twice; its e-mail goes out after the commit (and is retried by the worker).
Notices are one per person, department and kind, listing the items (a liaison with 40
late items gets one message, and each item still records the chase).
"""

import datetime as dt
from collections import defaultdict

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from guankao.core import jobs
from guankao.core.jobs import register
from guankao.core.models import User
from guankao.core.services import notify
from guankao.lib import workdays
from guankao.lib.roc import format_roc, format_roc_month
from guankao.tracking import services
from guankao.tracking.models import PROGRESS_KINDS, Chase, Item, Milestone, Report, Rules

K = Chase.Kind
OPEN = [Item.Status.ACTIVE, Item.Status.RETURNED, Item.Status.RELEASE_REQUESTED]


def kinds_due(today: dt.date, due: dt.date, rules: Rules) -> list[str]:
    """The chasing notices that apply today for a report due on `due`."""
    if today < due:
        return [K.SOON] if workdays.add_working_days(due, -rules.remind_workdays) <= today else []
    if today == due:
        return [K.DUE]
    kinds = [K.OVERDUE]
    if today >= workdays.add_working_days(due, rules.escalate_workdays):
        kinds.append(K.ESCALATED)
    return kinds


def owing(year: int, month: int):
    """Open items that owe the month's report: under control by the end of the month and
    without a live (or refused) report for it."""
    reported = Report.objects.filter(
        item=OuterRef("pk"),
        year=year,
        month=month,
        state__in=[Report.State.SUBMITTED, Report.State.APPROVED, Report.State.REFUSED],
    )
    end = services.month_end(year, month)
    started = Q(start_date__isnull=True) | Q(start_date__lte=end)
    return (
        Item.objects.filter(status__in=OPEN, created_at__date__lte=end)
        .filter(started)
        .exclude(Exists(reported))
    )


def _claim(rows: list[tuple[int, int, int, str, int]], now: dt.datetime) -> set[int]:
    """Insert Chase rows (item, year, month, kind, recipients); the item ids inserted."""
    columns = ["item_id", "year", "month", "kind", "sent_at", "recipients"]
    rows = [(item, y, m, kind, now, n) for item, y, m, kind, n in rows]
    return jobs.insert_new(Chase, columns, rows, returning="item_id")


def _people(department_ids, role: str) -> dict[int, list[User]]:
    people = defaultdict(list)
    rows = User.objects.filter(
        is_active=True, department_id__in=department_ids, role_assignments__role=role
    ).distinct()
    for user in rows:
        people[user.department_id].append(user)
    return people


SUBJECTS = {
    K.SOON: gettext_lazy("Monthly report for %(month)s due %(date)s: %(count)d item(s)"),
    K.DUE: gettext_lazy("Monthly report for %(month)s due today: %(count)d item(s)"),
    K.OVERDUE: gettext_lazy(
        "Overdue monthly report for %(month)s (due %(date)s): %(count)d item(s)"
    ),
    K.ESCALATED: gettext_lazy(
        "Escalated: your department's monthly report for %(month)s is overdue (due %(date)s): "
        "%(count)d item(s)"
    ),
    K.REVIEW: gettext_lazy("Reports awaiting your approval past the deadline: %(count)d item(s)"),
}


def _send(items: list[Item], kind: str, role: str, year: int, month: int, due, now) -> int:
    """Claim and notify one kind of notice for `items`; returns notices created."""
    if not items:
        return 0
    people = _people({i.lead_id for i in items}, role)
    rows = [(i.pk, year, month, kind, len(people.get(i.lead_id, []))) for i in items]
    sent = 0
    with transaction.atomic():  # the notices and their claims commit together, or neither
        claimed = _claim(rows, now)
        by_department = defaultdict(list)
        for item in items:
            if item.pk in claimed:
                by_department[item.lead_id].append(item)
        for department_id, group in by_department.items():
            values = {"month": format_roc_month(year, month), "date": format_roc(due)}
            subject = str(SUBJECTS[kind]) % {**values, "count": len(group)}
            body = "\n".join(f"{i.number} {i.title}" for i in group[:200])
            if len(group) > 200:
                body += "\n" + _("… and %(n)d more") % {"n": len(group) - 200}
            url = "/tracking/my/" if role == "liaison" else "/tracking/board/?overdue=1"
            # Done (notices.report_filed / report_reviewed) once the department catches up.
            chase = "reviews" if kind == K.REVIEW else "due"
            task = f"tracking.{chase}:{department_id}:{year}:{month}"
            recipients = people.get(department_id, [])
            sent += len(
                notify(recipients=recipients, subject=subject, body=body, url=url, task=task)
            )
    return sent


def sweep(today: dt.date, now: dt.datetime | None = None) -> dict[str, int]:
    """One full pass: chase last month's reports and overdue reviews; flag overdue items."""
    now = now or timezone.now()
    rules = Rules.current()
    year, month = services.previous_month(today.year, today.month)
    due = services.report_due(year, month, rules)
    done = {"notices": 0, "flagged": 0, "refreshed": 0}
    kinds = kinds_due(today, due, rules)
    if kinds:
        chased = Chase.objects.filter(item=OuterRef("pk"), year=year, month=month)
        base = owing(year, month).select_related("lead")
        for kind in kinds:
            items = list(
                base.exclude(Exists(chased.filter(kind=kind))).only(
                    "pk", "number", "title", "lead_id"
                )
            )
            role = "head" if kind == K.ESCALATED else "liaison"
            done["notices"] += _send(items, kind, role, year, month, due, now)
    if today > due:
        done["flagged"] = (
            owing(year, month)
            .filter(report_overdue=False)
            .update(report_overdue=True, risk=services.risk_expression(today, overdue=True))
        )
    # A directive's risk turns high by itself the day after its due date.
    Item.objects.filter(status__in=OPEN, due_date__lt=today).exclude(
        kind__in=PROGRESS_KINDS
    ).exclude(risk=Item.Risk.HIGH).update(risk=services.risk_expression(today))
    # A milestone past its due date and not done raises the risk the day after.
    late = Milestone.objects.filter(item=OuterRef("pk"), done_on__isnull=True, due__lt=today)
    Item.objects.filter(status__in=OPEN, risk=Item.Risk.LOW).filter(Exists(late)).update(
        risk=services.risk_expression(today)
    )
    done["notices"] += _chase_reviews(today, now)
    done["refreshed"] = _refresh_passed_finish(today, rules)
    return done


def _chase_reviews(today: dt.date, now) -> int:
    late = Report.objects.filter(state=Report.State.SUBMITTED, review_due__lt=today)
    chased = Chase.objects.filter(
        item=OuterRef("item_id"), year=OuterRef("year"), month=OuterRef("month"), kind=K.REVIEW
    )
    sent = 0
    by_month = defaultdict(list)
    for report in late.exclude(Exists(chased)).select_related("item"):
        by_month[(report.year, report.month)].append(report.item)
    for (year, month), items in sorted(by_month.items()):
        sent += _send(items, K.REVIEW, "head", year, month, None, now)
    return sent


def _refresh_passed_finish(today: dt.date, rules: Rules) -> int:
    """The forecast turns "late" by itself once the planned finish passes unfinished."""
    rows = Item.objects.filter(
        status__in=OPEN, finish_date__lt=today, forecast_late=False, last_actual__lt=100
    ).select_related("lead")
    count = 0
    for item in rows:
        services.refresh(item, today=today, rules=rules)
        count += 1
    return count


@register("tracking.chase", every=dt.timedelta(hours=1))
def chase(now: dt.datetime) -> int:
    return sum(v for k, v in sweep(timezone.localdate(now), now).items() if k == "notices")


@register("tracking.agenda", every=dt.timedelta(hours=1))
def agenda_follow(now: dt.datetime) -> int:
    """Open control meetings' agendas follow the register until the meeting is held."""
    from guankao.tracking import agenda

    return agenda.refresh_open(timezone.localdate(now))
