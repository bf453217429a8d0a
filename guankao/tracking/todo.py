"""What controlled cases put on the home page: monthly reports to file, to correct and to
approve, meeting decisions to act on, releases to decide; the register's lag for the city
summary. A fixed number of queries each."""

from django.db.models import Count, Exists, OuterRef, Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from guankao.core import todo
from guankao.core.models import Role
from guankao.lib.roc import format_roc
from guankao.tracking import access, selectors
from guankao.tracking.models import Item, Meeting, Report

OPEN = selectors.OPEN


def _returned(user):
    """Reports of the user's department returned and not filed again: (item, year, month)."""
    newer = Report.objects.filter(
        item=OuterRef("item"),
        year=OuterRef("year"),
        month=OuterRef("month"),
        revision__gt=OuterRef("revision"),
    )
    return set(
        Report.objects.filter(
            state=Report.State.RETURNED,
            item__lead__path__startswith=user.department.path,
            item__status__in=OPEN,
        )
        .exclude(Exists(newer))
        .values_list("item_id", "year", "month")
    )


def _filing(user, today, *, liaison: bool) -> list[todo.Task]:
    """A liaison's reports to file and correct; a head sees the overdue ones (to chase)."""
    url = reverse("tracking_my")
    returned = _returned(user)
    rows = [
        r
        for r in selectors.reports_due(user=user, today=today)
        if (r["item"].pk, r["year"], r["month"]) not in returned
    ]
    out = []
    if returned and liaison:
        label = _("Monthly reports returned for correction")
        out.append(todo.Task(todo.RETURNED, label, len(returned), url))
    late = [r for r in rows if r["late"]]
    if late:
        detail = _("due %(date)s") % {"date": format_roc(late[0]["due"])}
        out.append(todo.Task(todo.OVERDUE, _("Monthly reports overdue"), len(late), url, detail))
    soon = [r for r in rows if not r["late"]]
    if soon and liaison:
        detail = _("due %(date)s") % {"date": format_roc(soon[0]["due"])}
        out.append(todo.Task(todo.DUE, _("Monthly reports to file"), len(soon), url, detail))
    decisions = Item.objects.filter(
        lead__path__startswith=user.department.path, status__in=OPEN, origin__isnull=False
    ).aggregate(n=Count("pk"), late=Count("pk", filter=Q(due_date__lt=today)))
    if decisions["n"]:
        detail = (
            _("%(n)d past their due date") % {"n": decisions["late"]} if decisions["late"] else ""
        )
        url = reverse("tracking_items") + f"?kind=meeting&department={user.department.code}"
        label = _("Directives from control meetings")
        out.append(todo.Task(todo.DECISION, label, decisions["n"], url, detail))
    return out


def _reviewing(user, today) -> list[todo.Task]:
    counts = (
        selectors.reviews_due(user=user)
        .exclude(filed_by=user)
        .aggregate(n=Count("pk"), late=Count("pk", filter=Q(review_due__lt=today)))
    )
    if not counts["n"]:
        return []
    detail = _("%(n)d past the review deadline") % {"n": counts["late"]} if counts["late"] else ""
    label = _("Monthly reports to approve")
    return [todo.Task(todo.APPROVE, label, counts["n"], reverse("tracking_my"), detail)]


def _managing(today) -> list[todo.Task]:
    out = []
    asked = Item.objects.filter(status=Item.Status.RELEASE_REQUESTED).count()
    if asked:
        label = _("Requests for release from control")
        out.append(todo.Task(todo.DECIDE, label, asked, reverse("tracking_board")))
    meeting = Meeting.objects.filter(status=Meeting.Status.OPEN).order_by("year", "month").first()
    if meeting is not None:
        label = _("Control meeting open: %(title)s") % {"title": meeting.title}
        detail = _("held on %(date)s") % {"date": format_roc(meeting.held_on)}
        url = reverse("tracking_meeting", args=[meeting.pk])
        out.append(todo.Task(todo.DECIDE, label, 1, url, detail))
    return out


def tasks(user, today) -> list[todo.Task]:
    out = []
    if user.department_id is not None and user.has_role(Role.LIAISON, Role.HEAD):
        out += _filing(user, today, liaison=user.has_role(Role.LIAISON))
    if user.department_id is not None and user.has_role(Role.HEAD):
        out += _reviewing(user, today)
    if access.can_manage(user):
        out += _managing(today)
    return out


def summary(user, today) -> list[todo.Figure]:
    board = selectors.board(user=user)
    group = gettext_lazy("Controlled cases under control")
    behind = reverse("tracking_behind")
    items = reverse("tracking_items")
    return [
        todo.Figure(group, _("Seriously behind"), board.by_lag["serious"], behind, "bad", "■"),
        todo.Figure(group, _("Behind"), board.by_lag["behind"], behind, "warn", "▲"),
        todo.Figure(
            group, _("Overdue monthly reports"), board.overdue, items + "?overdue=on", "bad", "!"
        ),
        todo.Figure(group, _("Behind on spending"), board.money_behind, behind, "warn", "$"),
        todo.Figure(
            group,
            _("Open cases"),
            sum(n for s, n in board.by_status.items() if s != Item.Status.RELEASED),
            items,
        ),
    ]


todo.register_tasks("tracking", tasks)
todo.register_summary("tracking", summary)
