"""What a change of an agency's responsibility level does to its duties of the year.

The year's instances not yet accepted of duties the new level does not have are set aside
(not applicable, with the reason; kept for the record and outside KPI 五-3); accepted ones
stay as they are. A duty both levels have (the same code, e.g. ISMS at B and at C) is
carried over: its instance, with its evidence, moves to the new level's duty and takes that
duty's due date. The new level's other duties missing for the year are created by the
yearly opening's rule (`duties.missing`), due no earlier than a year after the change (the
附表' "初次受核定或等級變更後之一年內"); set-aside instances of them are restored, not
duplicated.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

from guankao.core import audit
from guankao.core.models import AuditEntry
from guankao.lib import roc
from guankao.security.duties import missing
from guankao.security.models import Agency, DutyInstance

S = DutyInstance.State


@dataclass
class Plan:
    added: list = field(default_factory=list)
    set_aside: list = field(default_factory=list)
    restored: list = field(default_factory=list)
    carried: list = field(default_factory=list)  # (instance, the new level's duty, due)

    def __bool__(self) -> bool:
        return bool(self.added or self.set_aside or self.restored or self.carried)

    def summary(self) -> str:
        return _("%(a)d duties added, %(s)d set aside, %(r)d restored") % {
            "a": len(self.added),
            "s": len(self.set_aside),
            "r": len(self.restored),
        } + _(", %(c)d carried over to the new level") % {"c": len(self.carried)}


def plan(agency: Agency | None, level: str, year: int | None = None) -> Plan:
    """What setting `agency` to `level` would do to its duties of `year` (this year)."""
    if agency is None or agency.pk is None or agency.level == level:
        return Plan()
    return _plan(agency, level, year)


def _plan(agency: Agency, level: str, year: int | None) -> Plan:
    today = timezone.localdate()
    year = year or today.year
    mine = DutyInstance.objects.filter(agency=agency, year=year).select_related("duty")
    todo = Plan(
        added=missing([agency], year, level=level),
        set_aside=list(
            mine.filter(set_aside=False).exclude(state=S.ACCEPTED).exclude(duty__level=level)
        ),
        restored=list(mine.filter(set_aside=True, duty__level=level, duty__active=True)),
    )
    leaving = {(i.duty.code, i.seq): i for i in todo.set_aside}
    grace = _a_year_after(today)
    for new in list(todo.added):
        old = leaving.pop((new.duty.code, new.seq), None)
        if old is not None:  # the same duty at both levels: it moves, evidence and all
            todo.carried.append((old, new.duty, new.due))
            todo.set_aside.remove(old)
            todo.added.remove(new)
        else:
            new.due = max(new.due, grace)
    return todo


def _a_year_after(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


def apply(*, actor, agency: Agency, old: str, new: str, year: int | None = None) -> Plan:
    """Carry out `plan` after the level changed from `old` to `new` (in the caller's
    transaction; the caller checked the permission and that the level changed)."""
    todo = _plan(agency, new, year)
    reason = _("Level changed from %(old)s to %(new)s on %(on)s by %(who)s") % {
        "old": old,
        "new": new,
        "on": roc.format_roc(timezone.localdate()),
        "who": actor.get_full_name() or actor.get_username(),
    }
    DutyInstance.objects.bulk_create(todo.added, ignore_conflicts=True)
    DutyInstance.objects.filter(pk__in=[i.pk for i in todo.set_aside]).update(
        set_aside=True, set_aside_reason=reason
    )
    DutyInstance.objects.filter(pk__in=[i.pk for i in todo.restored]).update(
        set_aside=False, set_aside_reason=""
    )
    for instance, duty, due in todo.carried:
        instance.duty, instance.due = duty, due
    DutyInstance.objects.bulk_update([i for i, _d, _due in todo.carried], ["duty", "due"])
    if todo:
        audit.record(
            actor=actor,
            action=AuditEntry.Action.UPDATE,
            object_type="security.dutyinstance",
            object_repr=f"{agency.department.name}: {reason}",
            department=agency.department,
            changes={
                "added": [None, len(todo.added)],
                "set_aside": [None, [i.pk for i in todo.set_aside]],
                "restored": [None, [i.pk for i in todo.restored]],
                "carried": [None, [i.pk for i, _duty, _due in todo.carried]],
            },
        )
    return todo
