"""The statutory clock of an incident, computed from its times and the `ClockRule` hours.

Steps: notify (from awareness, or from the last level change), the reviewer's confirmation
(from the notification), damage control or recovery (from awareness) and the investigation
report (from recovery). Hours are wall-clock hours, not working hours: the regulation counts
hours, so nights and holidays count.
"""

import calendar
import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from guankao.security.models import ClockRule, Incident

NOTIFY, REVIEW, RECOVER, REPORT = "notify", "review", "recover", "report"
STEPS = (NOTIFY, REVIEW, RECOVER, REPORT)
LABELS = {
    NOTIFY: _("Notify the competent authority"),
    REVIEW: _("Reviewer's confirmation"),
    RECOVER: _("Damage control or recovery"),
    REPORT: _("Investigation report"),
}


@dataclass(frozen=True)
class Step:
    key: str
    label: str
    due: dt.datetime | None
    done: dt.datetime | None
    late: bool
    escalated: bool

    @property
    def running(self) -> bool:
        return self.due is not None and self.done is None

    def seconds_left(self, now: dt.datetime) -> int | None:
        return int((self.due - now).total_seconds()) if self.running else None


def add_months(moment: dt.datetime, months: int) -> dt.datetime:
    """The same day and time `months` later (the month's last day if it has fewer days)."""
    index = moment.month - 1 + months
    year, month = moment.year + index // 12, index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def dues(incident: Incident, rule: ClockRule) -> dict[str, dt.datetime | None]:
    high = incident.level >= 3
    review = rule.review_hours_high if high else rule.review_hours_low
    recover = rule.recover_hours_high if high else rule.recover_hours_low
    notified, recovered = incident.notified_at, incident.recovered_at
    return {
        NOTIFY: incident.clock_from + dt.timedelta(hours=rule.notify_hours),
        REVIEW: notified + dt.timedelta(hours=review) if notified else None,
        RECOVER: incident.aware_at + dt.timedelta(hours=recover),
        REPORT: add_months(recovered, rule.report_months) if recovered else None,
    }


def steps(incident: Incident, rule: ClockRule, now: dt.datetime, escalated=()) -> list[Step]:
    """The four steps with their due times; `escalated` holds (step, round) pairs escalated."""
    done = {
        NOTIFY: incident.notified_at,
        REVIEW: incident.reviewed_at,
        RECOVER: incident.recovered_at,
        REPORT: incident.reported_at,
    }
    out = []
    for key, due in dues(incident, rule).items():
        late = due is not None and (done[key] or now) > due
        out.append(
            Step(key, LABELS[key], due, done[key], late, (key, incident.round) in set(escalated))
        )
    return out


def overdue(incident: Incident, rule: ClockRule, now: dt.datetime) -> list[str]:
    """The steps due and not done by `now` (what the worker escalates)."""
    return [s.key for s in steps(incident, rule, now) if s.running and s.late]
