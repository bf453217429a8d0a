"""Every change to the agencies' security standing (levels). The registers (incidents,
audits, outages, training, duties, SOC points) keep their services in their own modules."""

from django.db import transaction
from django.utils.translation import gettext as _

from guankao.core import audit, validation
from guankao.core.errors import NotAllowed, ServiceError
from guankao.core.models import AuditEntry, Department, DepartmentKind
from guankao.security import access, duties_level
from guankao.security.models import Agency, Level

AGENCY_KINDS = {DepartmentKind.GOVERNMENT, DepartmentKind.AGENCY, DepartmentKind.SCHOOL}


def _level(value) -> str:
    if value not in Level.values:
        raise ServiceError.field(
            "level", _("must be one of %(v)s") % {"v": "、".join(Level.values)}
        )
    return value


@transaction.atomic
def agency_set(
    *, actor, department: Department, level: str, approved_ref: str = "", reason: str = ""
) -> Agency:
    """Make `department` an agency with `level`, or change its level (the CISO only); a
    change sets aside or adds the year's duties in the same transaction (duties_level)."""
    if not access.can_set_levels(actor):
        raise NotAllowed
    if department.kind not in AGENCY_KINDS:
        raise ServiceError.field(
            "department", _("only the city government, its agencies and schools can be agencies")
        )
    level = _level(level)
    approved_ref = validation.text("approved_ref", approved_ref, 100, required=False)
    reason = validation.text("reason", reason, 300, required=False)
    agency = Agency.objects.select_for_update().filter(department=department).first()
    before = audit.snapshot(agency, ["level", "approved_ref"]) if agency else {}
    if agency is None:
        agency = Agency(department=department)
    old = agency.level
    agency.level, agency.approved_ref, agency.updated_by = level, approved_ref, actor
    agency.save()
    if before and old != level:
        duties_level.apply(actor=actor, agency=agency, old=old, new=level)
    changes = audit.diff(before, audit.snapshot(agency, ["level", "approved_ref"]))
    if changes:
        audit.record(
            actor=actor,
            action=AuditEntry.Action.UPDATE if before else AuditEntry.Action.CREATE,
            obj=agency,
            department=department,
            changes=changes,
            note=reason,
        )
    return agency
