"""Training coverage: who was on the roster on a day, and who had their hours.

The core roster keeps no history table: a person has `date_joined` and `is_active`, and
every change of `is_active` (leaving, coming back) is an entry in the audit trail with its
time. The roster on a day is therefore rebuilt as: staff with a department who had joined
by that day, active on that day by the last `is_active` change at or before it (before
the first change: its old value; no change at all: as they are now). A person's
department is the one they have now (moves between departments are not rebuilt).
"""

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from guankao.core.models import AuditEntry, Role, User
from guankao.lib.roc import roc_year
from guankao.security.models import (
    Audience,
    ItStaff,
    TrainingKind,
    TrainingRecord,
    TrainingRequirement,
)

KPI_HOURS = Decimal(3)  # KPI 四-4: 每年資訊安全教育訓練目標時數3小時 (any kind counts)
# 資通安全專職人員: the security officers. The CISO (資通安全長, a deputy head) owes the
# general hours of 一般使用者及主管.
SECURITY_ROLES = (Role.SECURITY,)
# The kinds of training whose hours meet a requirement of each kind: a course for security
# staff is professional training too (資通安全專業課程訓練或資通安全職能訓練).
COUNTS = {
    TrainingKind.GENERAL: (TrainingKind.GENERAL,),
    TrainingKind.PROFESSIONAL: (TrainingKind.PROFESSIONAL, TrainingKind.SECURITY),
    TrainingKind.SECURITY: (TrainingKind.PROFESSIONAL, TrainingKind.SECURITY),
}


def everyone(field: str) -> Q:
    return Q()


def subtree(department):
    """A staff filter for `department` and its sub-units (None: the whole city)."""
    if department is None:
        return everyone
    return lambda field: Q(**{f"{field}__path__startswith": department.path})


def _end_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))


def active_changes() -> dict[int, list[tuple[dt.datetime, bool, bool]]]:
    """{user id: [(time, old, new), …]} of every recorded change of `is_active`."""
    out = defaultdict(list)
    rows = AuditEntry.objects.filter(
        object_type="core.user", changes__has_key="is_active"
    ).values_list("object_id", "at", "changes")
    for object_id, at, changes in rows:
        old, new = changes["is_active"]
        # The entry of the account's creation (old None) is not a change: date_joined is.
        if object_id.isdigit() and old is not None:
            out[int(object_id)].append((at, bool(old), bool(new)))
    for history in out.values():
        history.sort()
    return out


def _active_on(now_active: bool, history, end: dt.datetime) -> bool:
    if not history:
        return now_active
    before = [h for h in history if h[0] < end]
    return before[-1][2] if before else history[0][1]


def _on_roster(day: dt.date, staff):
    end = _end_of(day)
    rows = User.objects.filter(staff("department"), department__isnull=False, date_joined__lt=end)
    return rows, end


def roster_on(day: dt.date, staff=everyone) -> dict[int, User]:
    """The staff on the roster at the end of `day`, by id. `staff(field)` is the filter of
    the people to look at, on a Department FK named `field`."""
    rows, end = _on_roster(day, staff)
    people = rows.select_related("department").only(
        "pk",
        "username",
        "display_name",
        "is_active",
        "department__name",
        "department__code",
        "department__path",
    )
    history = active_changes()
    return {p.pk: p for p in people if _active_on(p.is_active, history.get(p.pk), end)}


def roster_departments_on(day: dt.date, staff=everyone) -> dict[int, tuple]:
    """{user id: (department path, name, code)} of the same roster as `roster_on`, without
    making a model instance for each person (the dashboard counts thousands)."""
    rows, end = _on_roster(day, staff)
    fields = ("department__path", "department__name", "department__code")
    history = active_changes()
    return {
        pk: tuple(department)
        for pk, active, *department in rows.values_list("pk", "is_active", *fields)
        if _active_on(active, history.get(pk), end)
    }


def hours_in(first: dt.date, last: dt.date, staff=everyone, kinds=None) -> dict[int, Decimal]:
    """{user id: hours} of training taken between the two days (both included)."""
    rows = TrainingRecord.objects.filter(date__gte=first, date__lte=last).filter(
        staff("user__department")
    )
    if kinds:
        rows = rows.filter(kind__in=kinds)
    return dict(rows.values("user_id").annotate(h=Sum("hours")).values_list("user_id", "h"))


def coverage(year: int, as_of: dt.date, staff=everyone):
    """(people on the roster on `as_of`, {user id: hours that year by then}, ids with ≥ 3 h)."""
    people = roster_on(as_of, staff)
    hours = hours_in(dt.date(year, 1, 1), as_of, staff)
    counted = {pk for pk in people if hours.get(pk, 0) >= KPI_HOURS}
    return people, hours, counted


def counted_label(person, hours, year: int, counted: bool) -> str:
    """One person of KPI 四-4's list, saying what was counted: the year's hours of security
    training of any kind, and whether they reach the KPI's 3 hours."""
    state = _("counted: 3 hours or more") if counted else _("not counted: under 3 hours")
    return _(
        "%(department)s %(name)s: %(hours)s h of security training of any kind "
        "(general, professional or for security staff) in %(year)s — %(state)s"
    ) % {
        "department": person.department.name,
        "name": person.display_name or person.username,
        "hours": f"{Decimal(hours).normalize():f}",  # 3, 1.5: the same on either engine
        "year": roc_year(year),
        "state": state,
    }


def requirement_rows() -> dict[str, TrainingRequirement]:
    return {r.audience: r for r in TrainingRequirement.objects.all()}


def shortfalls(year: int, staff=everyone, as_of: dt.date | None = None) -> list[dict]:
    """Each person on the roster (within `staff_q`) with their hours by kind and what they
    still owe for the year, by the requirements for their role (資通安全責任等級分級辦法
    第11條 附表一、三、五): security staff (資通安全專職人員) their professional hours;
    everyone else the general hours, and IT staff also their professional hours over the
    rule's years. Professional hours never count for the general ones (nor the reverse)."""
    as_of = as_of or min(timezone.localdate(), dt.date(year, 12, 31))
    people = roster_on(as_of, staff)
    rules = requirement_rows()
    year_hours = _by_kind(year, year, staff)
    it_rule = rules.get(Audience.IT)
    window = it_rule.every_years if it_rule else 1
    window_hours = _by_kind(year - window + 1, year, staff) if window > 1 else year_hours
    it_ids = set(ItStaff.objects.filter(user_id__in=list(people)).values_list("user_id", flat=True))
    security_ids = set(
        User.objects.filter(
            pk__in=list(people), role_assignments__role__in=SECURITY_ROLES
        ).values_list("pk", flat=True)
    )
    rows = []
    for pk, person in people.items():
        have = year_hours.get(pk, {})
        owed = []
        if pk in security_ids:
            _owe(owed, rules.get(Audience.SECURITY), have)
        else:
            _owe(owed, rules.get(Audience.EVERYONE), have)
            if pk in it_ids:
                _owe(owed, it_rule, window_hours.get(pk, {}))
        rows.append(
            {
                "person": person,
                "hours": have,
                "total": sum(have.values(), Decimal(0)),
                "counted": sum(have.values(), Decimal(0)) >= KPI_HOURS,
                "owed": owed,
                "it": pk in it_ids,
                "security": pk in security_ids,
            }
        )
    rows.sort(key=lambda r: (r["person"].department.path, r["person"].username))
    return rows


def _owe(owed: list, rule, hours: dict) -> None:
    """Add what `rule` is still owed, given the person's hours by kind."""
    if rule is None:
        return
    have = sum((hours.get(kind, Decimal(0)) for kind in COUNTS[rule.kind]), Decimal(0))
    if have < rule.hours:
        owed.append({"rule": rule, "have": have, "short": rule.hours - have})


def _by_kind(first_year: int, last_year: int, staff, kinds=None) -> dict:
    rows = TrainingRecord.objects.filter(
        date__gte=dt.date(first_year, 1, 1), date__lte=dt.date(last_year, 12, 31)
    ).filter(staff("user__department"))
    if kinds:
        rows = rows.filter(kind__in=kinds)
    out = defaultdict(dict)
    for user_id, kind, h in (
        rows.values("user_id", "kind").annotate(h=Sum("hours")).values_list("user_id", "kind", "h")
    ):
        out[user_id][kind] = h
    return out
