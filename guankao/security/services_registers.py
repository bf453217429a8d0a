"""Every change to the audits (資安稽核) and their findings, and to the core systems and
machine-room services with their outages (機房維運). Each checks who may, writes the audit
entry and changes nothing when refused."""

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from guankao.core import audit, validation
from guankao.core.attachments import attachment_check, attachment_create
from guankao.core.errors import NotAllowed, ServiceError
from guankao.core.models import AuditEntry
from guankao.security import access
from guankao.security.models import Agency, Audit, Finding, Outage, Service
from guankao.security.services_incidents import _moment, _not_before

A = AuditEntry.Action


def _may(actor, agency: Agency) -> None:
    if not access.can_manage(actor, agency):
        raise NotAllowed


def _date(field: str, value, *, required: bool = True) -> dt.date | None:
    if value in (None, ""):
        if required:
            raise ServiceError.field(field, _("is required"))
        return None
    if not isinstance(value, dt.date) or not 1912 <= value.year <= 2200:
        raise ServiceError.field(field, _("must be a date between 1912 and 2200"))
    return value


def _log(actor, obj, agency: Agency, changes: dict, action=A.CREATE, note="") -> None:
    audit.record(
        actor=actor,
        action=action,
        obj=obj,
        department=agency.department,
        changes=changes,
        note=note,
    )


AUDIT_FIELDS = ["kind", "title", "scope", "auditors", "plan", "start_date", "end_date"]
FINDING_FIELDS = ["text", "severity", "action", "owner", "due_date"]
AUDIT_FILES = "security.audit"
FINDING_FILES = "security.finding"


def _audit_values(kind, title, scope, auditors, start_date, end_date, plan) -> dict:
    start, end = _date("start_date", start_date), _date("end_date", end_date)
    if end < start:
        raise ServiceError.field("end_date", _("cannot be before the start"))
    return {
        "kind": validation.choice("kind", kind, Audit.Kind),
        "title": validation.text("title", title, 200),
        "scope": validation.text("scope", scope, 500),
        "auditors": validation.text("auditors", auditors, 300),
        "plan": validation.text("plan", plan, 5000, required=False, multiline=True),
        "start_date": start,
        "end_date": end,
    }


@transaction.atomic
def audit_create(
    *,
    actor,
    agency: Agency,
    kind: str,
    title: str,
    scope: str,
    auditors: str,
    start_date,
    end_date,
    plan: str = "",
) -> Audit:
    _may(actor, agency)
    values = _audit_values(kind, title, scope, auditors, start_date, end_date, plan)
    item = Audit.objects.create(agency=agency, created_by=actor, **values)
    _log(actor, item, agency, {"title": [None, item.title], "kind": [None, item.kind]})
    return item


@transaction.atomic
def audit_update(
    *, actor, audit_item: Audit, kind, title, scope, auditors, start_date, end_date, plan=""
) -> Audit:
    """Correct an audit's plan, dates, scope or auditors (its agency stays)."""
    _may(actor, audit_item.agency)
    item = Audit.objects.select_for_update().get(pk=audit_item.pk)
    values = _audit_values(kind, title, scope, auditors, start_date, end_date, plan)
    before = audit.snapshot(item, AUDIT_FIELDS)
    for field, value in values.items():
        setattr(item, field, value)
    item.save(update_fields=AUDIT_FIELDS)
    changes = audit.diff(before, audit.snapshot(item, AUDIT_FIELDS))
    if changes:
        _log(actor, item, item.agency, changes, A.UPDATE)
    return item


@transaction.atomic
def audit_complete(*, actor, audit_item: Audit) -> Audit:
    _may(actor, audit_item.agency)
    item = Audit.objects.select_for_update().get(pk=audit_item.pk)
    if item.completed_at is not None:
        raise ServiceError.field("completed_at", _("the audit is already completed"))
    item.completed_at = timezone.now()
    item.save(update_fields=["completed_at"])
    _log(actor, item, item.agency, {"completed_at": [None, str(item.completed_at)]}, A.UPDATE)
    return item


def _attach(actor, agency: Agency, owner_type: str, owner_id: int, files) -> list:
    """Store the evidence files of a record (all checked before any is stored)."""
    checked = [attachment_check(file=f, owner_type=owner_type) for f in files]
    return [
        attachment_create(
            actor=actor,
            file=f,
            department=agency.department,
            owner_type=owner_type,
            owner_id=owner_id,
        )
        for f in checked
    ]


@transaction.atomic
def audit_attach(*, actor, audit_item: Audit, files) -> list:
    """Evidence of the audit (its plan, report, the auditors' notes)."""
    _may(actor, audit_item.agency)
    if not files:
        raise ServiceError.field("files", _("choose at least one file"))
    return _attach(actor, audit_item.agency, AUDIT_FILES, audit_item.pk, files)


def _finding_values(text, severity, action, owner, due_date) -> dict:
    return {
        "text": validation.text("text", text, 500),
        "severity": validation.choice("severity", severity, Finding.Severity),
        "action": validation.text("action", action, 500),
        "owner": validation.text("owner", owner, 100),
        "due_date": _date("due_date", due_date),
    }


@transaction.atomic
def finding_add(
    *, actor, audit_item: Audit, text: str, severity: str, action: str, owner: str, due_date
) -> Finding:
    _may(actor, audit_item.agency)
    finding = Finding.objects.create(
        audit=audit_item, **_finding_values(text, severity, action, owner, due_date)
    )
    _log(actor, finding, audit_item.agency, {"text": [None, finding.text]})
    return finding


def _open_finding(actor, finding: Finding, field: str = "follow_up") -> Finding:
    _may(actor, finding.audit.agency)
    locked = Finding.objects.select_for_update().select_related("audit__agency__department")
    finding = locked.get(pk=finding.pk)
    if finding.closed_at is not None:
        raise ServiceError.field(field, _("the finding is already closed"))
    return finding


@transaction.atomic
def finding_update(*, actor, finding: Finding, text, severity, action, owner, due_date) -> Finding:
    """Change an open finding: its corrective action, owner or due date (a postponement is
    in the audit trail with the old date)."""
    finding = _open_finding(actor, finding, "text")
    before = audit.snapshot(finding, FINDING_FIELDS)
    for field, value in _finding_values(text, severity, action, owner, due_date).items():
        setattr(finding, field, value)
    finding.save(update_fields=FINDING_FIELDS)
    changes = audit.diff(before, audit.snapshot(finding, FINDING_FIELDS))
    if changes:
        _log(actor, finding, finding.audit.agency, changes, A.UPDATE)
    return finding


@transaction.atomic
def finding_attach(*, actor, finding: Finding, files) -> list:
    """Evidence of a finding's corrective action."""
    _may(actor, finding.audit.agency)
    if not files:
        raise ServiceError.field("files", _("choose at least one file"))
    return _attach(actor, finding.audit.agency, FINDING_FILES, finding.pk, files)


@transaction.atomic
def finding_close(*, actor, finding: Finding, follow_up: str, files=()) -> Finding:
    """Close the finding: what was done (the follow-up), with its evidence files."""
    finding = _open_finding(actor, finding)
    finding.follow_up = validation.text("follow_up", follow_up, 5000, multiline=True)
    if files:
        _attach(actor, finding.audit.agency, FINDING_FILES, finding.pk, files)
    finding.closed_at = timezone.now()
    finding.save()
    _log(
        actor,
        finding,
        finding.audit.agency,
        {"closed_at": [None, str(finding.closed_at)]},
        A.UPDATE,
    )
    return finding


SERVICE_FIELDS = ["name", "owner", "protection", "core", "machine_room", "maintenance", "active"]
OUTAGE_FIELDS = ["started_at", "ended_at", "planned", "cause"]


def _service_values(agency, name, owner, protection, core, machine_room, maintenance, pk=None):
    name = validation.text("name", name, 200)
    if Service.objects.filter(agency=agency, name=name).exclude(pk=pk).exists():
        raise ServiceError.field("name", _("the agency already has a service of this name"))
    return {
        "name": name,
        "owner": validation.text("owner", owner, 100),
        "protection": validation.choice("protection", protection, Service.Protection),
        "core": bool(core),
        "machine_room": bool(machine_room),
        "maintenance": validation.text("maintenance", maintenance, 200, required=False),
    }


@transaction.atomic
def service_create(
    *,
    actor,
    agency: Agency,
    name: str,
    owner: str,
    protection: str,
    core: bool = False,
    machine_room: bool = True,
    maintenance: str = "",
) -> Service:
    _may(actor, agency)
    values = _service_values(agency, name, owner, protection, core, machine_room, maintenance)
    item = Service.objects.create(agency=agency, **values)
    _log(actor, item, agency, {"name": [None, item.name]})
    return item


@transaction.atomic
def service_update(
    *,
    actor,
    service: Service,
    name: str,
    owner: str,
    protection: str,
    core: bool,
    machine_room: bool,
    maintenance: str,
    active: bool,
) -> Service:
    """Change a core system or machine-room service; `active` False takes it out of service
    (its outages stay; it leaves the availability table)."""
    _may(actor, service.agency)
    item = Service.objects.select_for_update().select_related("agency__department")
    item = item.get(pk=service.pk)
    values = _service_values(
        item.agency, name, owner, protection, core, machine_room, maintenance, pk=item.pk
    )
    before = audit.snapshot(item, SERVICE_FIELDS)
    for field, value in (values | {"active": bool(active)}).items():
        setattr(item, field, value)
    item.save(update_fields=SERVICE_FIELDS)
    changes = audit.diff(before, audit.snapshot(item, SERVICE_FIELDS))
    if changes:
        _log(actor, item, item.agency, changes, A.UPDATE)
    return item


def _outage_values(agency, started_at, ended_at, planned, cause, services) -> tuple[dict, list]:
    start = _moment("started_at", started_at)
    end = _moment("ended_at", ended_at, required=False)
    _not_before("ended_at", end, start, _("the start"))
    services = list(services)
    if not services:
        raise ServiceError.field("services", _("name at least one service affected"))
    if any(s.agency_id != agency.pk for s in services):
        raise ServiceError.field("services", _("must be services of the same agency"))
    values = {
        "started_at": start,
        "ended_at": end,
        "planned": bool(planned),
        "cause": validation.text("cause", cause, 500),
    }
    return values, services


@transaction.atomic
def outage_create(
    *, actor, agency: Agency, started_at, ended_at=None, planned: bool, cause: str, services=()
) -> Outage:
    _may(actor, agency)
    values, services = _outage_values(agency, started_at, ended_at, planned, cause, services)
    item = Outage.objects.create(agency=agency, created_by=actor, **values)
    item.services.set(services)
    start = values["started_at"]
    _log(actor, item, agency, {"started_at": [None, str(start)], "planned": [None, item.planned]})
    return item


def _same_minute(a, b) -> bool:
    if a is None or b is None:
        return a is b
    return a.replace(second=0, microsecond=0) == b.replace(second=0, microsecond=0)


@transaction.atomic
def outage_update(
    *, actor, outage: Outage, started_at, ended_at, planned: bool, cause: str, services
) -> Outage:
    """Record the end of an outage (end after start), or correct its start, cause, whether
    it was planned and the services it took down."""
    _may(actor, outage.agency)
    item = Outage.objects.select_for_update().select_related("agency__department")
    item = item.get(pk=outage.pk)
    values, services = _outage_values(item.agency, started_at, ended_at, planned, cause, services)
    for field in ("started_at", "ended_at"):  # the form gives minutes: keep the seconds
        if _same_minute(values[field], getattr(item, field)):
            values[field] = getattr(item, field)
    _not_before("ended_at", values["ended_at"], values["started_at"], _("the start"))
    before = audit.snapshot(item, OUTAGE_FIELDS)
    before["services"] = sorted(item.services.values_list("name", flat=True))
    for field, value in values.items():
        setattr(item, field, value)
    item.save(update_fields=OUTAGE_FIELDS)
    item.services.set(services)
    after = audit.snapshot(item, OUTAGE_FIELDS) | {"services": sorted(s.name for s in services)}
    changes = audit.diff(before, after)
    if changes:
        _log(actor, item, item.agency, changes, A.UPDATE)
    return item


@transaction.atomic
def outage_end(*, actor, outage: Outage, ended_at) -> Outage:
    _may(actor, outage.agency)
    outage = Outage.objects.select_for_update().get(pk=outage.pk)
    end = _moment("ended_at", ended_at)
    _not_before("ended_at", end, outage.started_at, _("the start"))
    before = str(outage.ended_at) if outage.ended_at else None
    outage.ended_at = end
    outage.save(update_fields=["ended_at"])
    _log(actor, outage, outage.agency, {"ended_at": [before, str(end)]}, A.UPDATE)
    return outage
