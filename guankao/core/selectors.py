"""Every read of core records, scoped by the user who asks."""

import datetime as dt

from django.db.models import F, Prefetch, Q, QuerySet

from guankao.core import access
from guankao.core.errors import NotFound
from guankao.core.models import (
    AuditEntry,
    CalendarOverride,
    Department,
    Notification,
    RoleAssignment,
    User,
)


def department_list(*, user, include_inactive: bool = False) -> QuerySet[Department]:
    """The organisation is public information: every department, for anyone."""
    rows = Department.objects.select_related("parent")
    if not include_inactive:
        rows = rows.filter(active=True)
    return rows.order_by("path")


DEPARTMENT_ROW = ("code", "name", "name_en", "kind", "active", "path")


def department_rows(*, user, include_inactive: bool = False) -> list[dict]:
    """department_list as plain rows (with the parent's code): cheap to serialise."""
    rows = department_list(user=user, include_inactive=include_inactive)
    return list(rows.values(*DEPARTMENT_ROW, parent_code=F("parent__code")))


def department_get(*, user, code: str) -> Department:
    department = Department.objects.select_related("parent").filter(code=code).first()
    if department is None:
        raise NotFound
    return department


def department_choices(*, user=None) -> list[tuple[str, str]]:
    """Active departments as (code, "name (code)") in the organisation's order, for the
    department pickers of filters (one query). The organisation is public."""
    rows = Department.objects.filter(active=True).order_by("path").values_list("code", "name")
    return [(code, f"{name} ({code})") for code, name in rows]


def department_find(*, user, text: str) -> Department:
    """A department by its code or by its exact name (「智慧科技處」 or 「ST」)."""
    text = text.strip()
    rows = Department.objects.select_related("parent")
    department = rows.filter(code=text).first() or rows.filter(name=text).first()
    if department is None:
        raise NotFound
    return department


def staff_list(
    *, user, department: Department | None = None, q: str = "", role: str = ""
) -> QuerySet[User]:
    rows = (
        User.objects.filter(access.scope_q(user))
        .select_related("department")
        .prefetch_related(Prefetch("role_assignments", queryset=RoleAssignment.objects.all()))
    )
    if department is not None:
        rows = rows.filter(department__path__startswith=department.path)
    if q:
        rows = rows.filter(
            Q(username__icontains=q) | Q(display_name__icontains=q) | Q(title__icontains=q)
        )
    if role:
        rows = rows.filter(role_assignments__role=role)
    return rows.order_by("department__path", "username")


def staff_get(*, user, pk: int) -> User:
    person = staff_list(user=user).filter(pk=pk).first()
    if person is None:
        raise NotFound
    return person


def audit_list(
    *,
    user,
    actor: str = "",
    action: str = "",
    object_type: str = "",
    object_id: str = "",
    department: Department | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> QuerySet[AuditEntry]:
    if not access.can_read_audit(user):
        raise NotFound
    rows = AuditEntry.objects.select_related("department")
    if actor:
        rows = rows.filter(actor_name__iexact=actor)
    if action:
        rows = rows.filter(action=action)
    if object_type:
        rows = rows.filter(object_type=object_type)
    if object_id:
        rows = rows.filter(object_id=object_id)
    if department is not None:
        rows = rows.filter(department__path__startswith=department.path)
    if since:
        rows = rows.filter(at__date__gte=since)
    if until:
        rows = rows.filter(at__date__lte=until)
    return rows.order_by("-at", "-id")


NOTICE_FILTERS = ("all", "unread", "open")


def notification_list(
    *, user, unread_only: bool = False, show: str = "all"
) -> QuerySet[Notification]:
    """The user's notices, newest first. show: "unread", "open" (asking for work not yet
    done) or "all"."""
    rows = Notification.objects.filter(recipient=user)
    if unread_only or show == "unread":
        rows = rows.filter(read_at=None)
    elif show == "open":
        rows = rows.exclude(task_key="").filter(done_at=None)
    return rows


def unread_count(*, user) -> int:
    if not user.is_authenticated:
        return 0
    return Notification.objects.filter(recipient=user, read_at=None).count()


def calendar_overrides(*, user, around_year: int) -> QuerySet[CalendarOverride]:
    """The calendar's exceptions (public: the office calendar) from the year before to the
    year after."""
    years = [around_year - 1, around_year, around_year + 1]
    return CalendarOverride.objects.filter(date__year__in=years).order_by("date")
