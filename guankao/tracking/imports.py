"""Import of public works and their monthly figures from a PCMS export (CSV or ODS).

PCMS (工程會 標案管理系統) is where every public works tender is reported; its export has
one row per tender and month. A row here creates the item when its tender number is new
(a public work, its control level by the city's rule) or updates the item's fields, and
files that month's progress report as the importing user, through the same services as
the forms (permission, field checks, audit). A month already reported with the same
figures is left as it is; with other figures it is a problem (a correction is a new
revision, asked for by returning the report), never an overwrite.

The whole file is read and checked, and what each row would do worked out, before the
write transaction begins (pcms_check, pcms_plan); the transaction only writes
(pcms_write), so it lasts seconds and holds up no sign-in. Every problem names its row
and column, and any problem leaves everything as it was. A dry run is the check alone:
it never opens a write transaction, and its answer is the one the import would give.
Columns the import does not read are listed in the answer, not refused: a PCMS export
carries many (機關名稱, 標案狀態 …) that have no place here.
"""

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from guankao.core import access as core_access
from guankao.core import attachments, audit
from guankao.core.errors import FieldProblem, NotAllowed, ServiceError
from guankao.core.models import AuditEntry
from guankao.tracking.pcms_check import read
from guankao.tracking.pcms_columns import COLUMNS, IMPORTED_WORK, REQUIRED
from guankao.tracking.pcms_plan import Plan
from guankao.tracking.pcms_write import write

__all__ = ["IMPORTED_WORK", "can_import", "column_help", "pcms_import"]


def can_import(user) -> bool:
    """管考 officers (every department's rows), liaisons and heads (their own department's)."""
    return core_access.is_officer(user) or core_access.may_draft(user)


def column_help() -> list[dict]:
    return [
        {"heading": h[0], "aliases": h[1:], "required": n in REQUIRED, "description": d}
        for n, (h, d) in COLUMNS.items()
    ]


def _sorted(problems: list[FieldProblem], columns: dict[str, str]) -> list[FieldProblem]:
    order = {heading: n for n, heading in enumerate(columns.values())}
    return sorted(problems, key=lambda p: (p.row or 0, order.get(p.field, len(order))))


def pcms_import(*, actor, content: bytes, filename: str, dry_run: bool = False, now=None) -> dict:
    """Import a PCMS export; returns counts and what each row did. ServiceError lists every
    problem (row and column) and nothing is written; NotAllowed for someone who may not
    import at all. A dry run checks and answers without writing."""
    if not can_import(actor):
        raise NotAllowed(_("Only 管考 officers and departments' liaisons and heads import."))
    reader, rows, ignored = read(actor, content, filename, now)
    plan = Plan(actor, reader)
    plan.make(rows)
    if reader.problems:
        raise ServiceError(*_sorted(reader.problems, reader.columns))
    result = plan.result(len(rows), ignored, dry_run)
    if dry_run:
        return result
    with transaction.atomic():
        write(actor, reader, plan.steps, now)
        if reader.problems:
            raise ServiceError(*_sorted(reader.problems, reader.columns))
        summary = {k: v for k, v in result.items() if k != "outcomes"}
        _record_import(actor, content, filename, summary)
    return result


def _record_import(actor, content: bytes, filename: str, result: dict) -> None:
    """The audit entry of the import, with the file itself attached to it as evidence."""
    department = None if core_access.is_officer(actor) else actor.department
    entry = audit.record(
        actor=actor,
        action=AuditEntry.Action.IMPORT,
        object_type="tracking.item",
        object_repr=filename[:200],
        changes={"import": [None, result]},
        department=department,
        note=_("PCMS import"),
    )
    if actor.department_id is None:
        return
    upload = ContentFile(content, name=attachments.clean_name(filename) or "pcms.csv")
    try:
        attachments.attachment_create(
            actor=actor,
            file=upload,
            department=actor.department,
            owner_type="core.auditentry",
            owner_id=entry.pk,
        )
    except ServiceError as exc:
        raise ServiceError(*[FieldProblem("file", p.message) for p in exc.problems]) from None
