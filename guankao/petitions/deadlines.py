"""The petition clock: reply and field-work deadlines, re-routing and extension limits.

Pure functions over dates and the `Rules` numbers; every working day through
`lib.workdays` (with the calendar's overrides). What each number means and where it
comes from is said on `models.Rules`.
"""

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from guankao.lib import workdays

TAIPEI = ZoneInfo("Asia/Taipei")


@dataclass(frozen=True)
class Clock:
    """The numbers a deadline depends on (a `Rules` row, or a category's own limit)."""

    reply_workdays: int = 6
    reply_workdays_shared: int = 10
    max_days: int = 30
    reroute_workdays: int = 1
    reroute_site_visit_workdays: int = 2

    @classmethod
    def of(cls, rules) -> "Clock":
        return cls(
            rules.reply_workdays,
            rules.reply_workdays_shared,
            rules.max_days,
            rules.reroute_workdays,
            rules.reroute_site_visit_workdays,
        )


def local_day(moment: dt.datetime) -> dt.date:
    return moment.astimezone(TAIPEI).date()


def latest_due(received: dt.date, clock: Clock) -> dt.date:
    """No case runs past this, extensions included (人民陳情案件處理要點: 30 days)."""
    return received + dt.timedelta(days=clock.max_days)


def reply_due(
    received: dt.date,
    clock: Clock,
    *,
    shared: bool = False,
    category_workdays: int | None = None,
    source_due: dt.date | None = None,
) -> dt.date:
    """The reply deadline: N working days counted from the working day after receipt,
    10 when several departments must answer, a category's own shorter or longer limit
    where it has one; never past the 30-day cap, and never past a transferring sender's
    own deadline."""
    days = clock.reply_workdays_shared if shared else clock.reply_workdays
    if category_workdays and not shared:
        days = category_workdays
    due = min(workdays.add_working_days(received, days), latest_due(received, clock))
    if source_due is not None:
        due = min(due, source_due)
    return due


def reroute_deadline(assigned: dt.date, clock: Clock, *, site_visit: bool = False) -> dt.date:
    """The last day a department may ask to have a wrongly assigned case re-routed."""
    days = clock.reroute_site_visit_workdays if site_visit else clock.reroute_workdays
    return workdays.add_working_days(assigned, days)


def field_due(received_at: dt.datetime, limit: int | None, unit: str) -> dt.datetime | None:
    """The field-work deadline of a 派工 category: wall-clock hours from receipt, or the end
    of the N-th working day after the day of receipt."""
    if not limit:
        return None
    if unit == "hours":
        return received_at + dt.timedelta(hours=limit)
    day = workdays.add_working_days(local_day(received_at), limit)
    return dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=TAIPEI)


def may_extend_to(received: dt.date, current_due: dt.date, new_due: dt.date, clock: Clock) -> str:
    """Why `new_due` cannot be the extended deadline ("" when it can)."""
    if new_due <= current_due:
        return "not_later"
    if new_due > latest_due(received, clock):
        return "over_cap"
    return ""
