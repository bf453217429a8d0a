"""What petitions put on the home page: a liaison's cases to handle, due soon, overdue and
replies returned; a head's replies to approve; the officer's cases to assign, requests to
decide and the city's overdue cases. A fixed number of queries each."""

import datetime as dt

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from guankao.core import todo
from guankao.core.models import Role
from guankao.petitions import access
from guankao.petitions.models import OPEN_STATUSES, Case, Reply, Request

SOON = 3


def _inbox(query: str = "") -> str:
    return reverse("petitions_inbox") + (f"?{query}" if query else "")


def _department(user, today) -> list[todo.Task]:
    path = user.department.path
    counts = Case.objects.filter(lead__path__startswith=path, status__in=OPEN_STATUSES).aggregate(
        open=Count("pk"),
        overdue=Count("pk", filter=Q(due_date__lt=today)),
        soon=Count("pk", filter=Q(due_date__gte=today, due_date__lte=today + dt.timedelta(SOON))),
    )
    out = []
    if counts["overdue"]:
        label = _("Petition cases overdue")
        out.append(todo.Task(todo.OVERDUE, label, counts["overdue"], _inbox("overdue=on")))
    if counts["soon"] and user.has_role(Role.LIAISON):
        label = _("Petition cases due within 3 days")
        out.append(todo.Task(todo.DUE, label, counts["soon"], _inbox("due=on")))
    if counts["open"] and user.has_role(Role.LIAISON):
        label = _("Petition cases to handle")
        out.append(todo.Task(todo.DUE, label, counts["open"], _inbox()))
    if user.has_role(Role.LIAISON):
        returned = Reply.objects.filter(
            state=Reply.State.RETURNED,
            drafted_by=user,
            case__status=Case.Status.ASSIGNED,
            case__lead__path__startswith=path,
        ).count()
        if returned:
            label = _("Petition replies returned to you")
            out.append(todo.Task(todo.RETURNED, label, returned, _inbox()))
    if user.has_role(Role.HEAD):
        drafts = Reply.objects.filter(
            state=Reply.State.DRAFT, case__lead__path__startswith=path
        ).count()
        if drafts:
            label = _("Petition replies to approve")
            out.append(todo.Task(todo.APPROVE, label, drafts, _inbox("status=drafted")))
    return out


def _managing(today) -> list[todo.Task]:
    out = []
    received = Case.objects.filter(status=Case.Status.RECEIVED).count()
    if received:
        label = _("Petition cases to assign")
        out.append(todo.Task(todo.DECIDE, label, received, _inbox("status=received")))
    asked = Request.objects.filter(state=Request.State.PENDING).count()
    if asked:
        label = _("Re-routing and extension requests to decide")
        out.append(todo.Task(todo.DECIDE, label, asked, _inbox() + "#requests"))
    overdue = Case.objects.filter(status__in=OPEN_STATUSES, due_date__lt=today).count()
    if overdue:
        label = _("Petition cases overdue in the city")
        out.append(todo.Task(todo.OVERDUE, label, overdue, _inbox("overdue=on")))
    return out


def tasks(user, today) -> list[todo.Task]:
    out = []
    if user.department_id is not None and user.has_role(Role.LIAISON, Role.HEAD):
        out += _department(user, today)
    if access.manages(user):
        out += _managing(today)
    return out


def summary(user, today) -> list[todo.Figure]:
    group = gettext_lazy("Petition cases")
    counts = Case.objects.filter(access.case_scope(user), status__in=OPEN_STATUSES).aggregate(
        open=Count("pk"), overdue=Count("pk", filter=Q(due_date__lt=today))
    )
    return [
        todo.Figure(
            group, _("Overdue petition cases"), counts["overdue"], _inbox("overdue=on"), "bad", "!"
        ),
        todo.Figure(group, _("Open petition cases"), counts["open"], _inbox()),
    ]


todo.register_tasks("petitions", tasks)
todo.register_summary("petitions", summary)
