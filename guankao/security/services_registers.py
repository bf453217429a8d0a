"""Every change to the audits (資安稽核) and their findings, and to the core systems and
machine-room services with their outages (機房維運). Each checks who may, writes the audit
entry and changes nothing when refused."""

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from guankao.core import audit, validation
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
    start, end = _date("start_date", start_date), _date("end_date", end_date)
    if end < start:
        raise ServiceError.field("end_date", _("cannot be before the start"))
    item = Audit.objects.create(
        agency=agency,
        kind=validation.choice("kind", kind, Audit.Kind),
        title=validation.text("title", title, 200),
        scope=validation.text("scope", scope, 500),
        auditors=validation.text("auditors", auditors, 300),
        plan=validation.text("plan", plan, 5000, required=False, multiline=True),
        start_date=start,
        end_date=end,
        created_by=actor,
    )
    _log(actor, item, agency, {"title": [None, item.title], "kind": [None, item.kind]})
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


@transaction.atomic
def finding_add(
    *, actor, audit_item: Audit, text: str, severity: str, action: str, owner: str, due_date
) -> Finding:
    _may(actor, audit_item.agency)
    finding = Finding.objects.create(
        audit=audit_item,
        text=validation.text("text", text, 500),
        severity=validation.choice("severity", severity, Finding.Severity),
        action=validation.text("action", action, 500),
        owner=validation.text("owner", owner, 100),
        due_date=_date("due_date", due_date),
    )
    _log(actor, finding, audit_item.agency, {"text": [None, finding.text]})
    return finding


@transaction.atomic
def finding_close(*, actor, finding: Finding, follow_up: str) -> Finding:
    _may(actor, finding.audit.agency)
    finding = Finding.objects.select_for_update().get(pk=finding.pk)
    if finding.closed_at is not None:
        raise ServiceError.field("follow_up", _("the finding is already closed"))
    finding.follow_up = validation.text("follow_up", follow_up, 5000, multiline=True)
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
    name = validation.text("name", name, 200)
    if Service.objects.filter(agency=agency, name=name).exists():
        raise ServiceError.field("name", _("the agency already has a service of this name"))
    item = Service.objects.create(
        agency=agency,
        name=name,
        owner=validation.text("owner", owner, 100),
        protection=validation.choice("protection", protection, Service.Protection),
        core=bool(core),
        machine_room=bool(machine_room),
        maintenance=validation.text("maintenance", maintenance, 200, required=False),
    )
    _log(actor, item, agency, {"name": [None, name]})
    return item


@transaction.atomic
def outage_create(
    *, actor, agency: Agency, started_at, ended_at=None, planned: bool, cause: str, services=()
) -> Outage:
    _may(actor, agency)
    start = _moment("started_at", started_at)
    end = _moment("ended_at", ended_at, required=False)
    _not_before("ended_at", end, start, _("the start"))
    services = list(services)
    if not services:
        raise ServiceError.field("services", _("name at least one service affected"))
    if any(s.agency_id != agency.pk for s in services):
        raise ServiceError.field("services", _("must be services of the same agency"))
    item = Outage.objects.create(
        agency=agency,
        started_at=start,
        ended_at=end,
        planned=bool(planned),
        cause=validation.text("cause", cause, 500),
        created_by=actor,
    )
    item.services.set(services)
    _log(actor, item, agency, {"started_at": [None, str(start)], "planned": [None, item.planned]})
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
