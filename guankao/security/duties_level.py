"""What a change of an agency's responsibility level does to its duties of the year.

The year's instances not yet accepted of duties the new level does not have are set aside
(not applicable, with the reason; kept for the record and outside KPI 五-3); accepted ones
stay as they are. The new level's duties missing for the year are created by the yearly
opening's rule (`duties.missing`); set-aside instances of them are restored, not duplicated.
"""

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

    def __bool__(self) -> bool:
        return bool(self.added or self.set_aside or self.restored)

    def summary(self) -> str:
        return _("%(a)d duties added, %(s)d set aside, %(r)d restored") % {
            "a": len(self.added),
            "s": len(self.set_aside),
            "r": len(self.restored),
        }


def plan(agency: Agency | None, level: str, year: int | None = None) -> Plan:
    """What setting `agency` to `level` would do to its duties of `year` (this year)."""
    if agency is None or agency.pk is None or agency.level == level:
        return Plan()
    year = year or timezone.localdate().year
    mine = DutyInstance.objects.filter(agency=agency, year=year).select_related("duty")
    return Plan(
        added=missing([agency], year, level=level),
        set_aside=list(
            mine.filter(set_aside=False).exclude(state=S.ACCEPTED).exclude(duty__level=level)
        ),
        restored=list(mine.filter(set_aside=True, duty__level=level, duty__active=True)),
    )


def apply(*, actor, agency: Agency, old: str, new: str, year: int | None = None) -> Plan:
    """Carry out `plan` after the level changed from `old` to `new` (in the caller's
    transaction; the caller checked the permission)."""
    agency.level = old
    todo = plan(agency, new, year)
    agency.level = new
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
            },
        )
    return todo
