"""Release from control (解除列管): the department asks with the result and the completion
evidence the rules name (the completion or acceptance date, photos or the acceptance
record and, for works, programmes and grants, actual progress of 100%), or with an explicit
reason why the evidence is not complete, which the 管考 officer must approve with a note.
The officer approves or returns the request."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from guankao.core import attachments, validation
from guankao.core.errors import FieldProblem, ServiceError
from guankao.core.models import Attachment
from guankao.tracking import access
from guankao.tracking.models import Item
from guankao.tracking.services import ATTACHMENT_RELEASE, A, _record, refresh


def release_missing(item: Item, *, completed_on=None, files: int | None = None) -> list:
    """What the completion evidence lacks, as (field, message) pairs; `files`: how many
    evidence files there will be (those kept on the item when None)."""
    if files is None:
        files = Attachment.objects.filter(
            owner_type=ATTACHMENT_RELEASE, owner_id=str(item.pk)
        ).count()
    completed_on = completed_on if completed_on is not None else item.completed_on
    missing = []
    if completed_on is None:
        missing.append(("completed_on", _("the completion or acceptance date")))
    if not files:
        missing.append(("files", _("photos or the acceptance record (at least one file)")))
    if item.reports_progress and item.last_actual != 100:
        actual = "—" if item.last_actual is None else f"{item.last_actual.normalize():f}%"
        missing.append(
            (
                "actual",
                _("actual progress of 100%% in the latest report (now %(a)s)") % {"a": actual},
            )
        )
    return missing


@transaction.atomic
def release_request(
    *, actor, item: Item, result: str, files=(), completed_on=None, exception_reason: str = ""
) -> Item:
    item = Item.objects.select_for_update(of=("self",)).select_related("lead").get(pk=item.pk)
    validation.require(access.can_request_release(actor, item))
    if item.status not in (Item.Status.ACTIVE, Item.Status.RETURNED):
        raise ServiceError.field("status", _("only an item under control can ask to be released"))
    before = {"status": item.status}
    item.release_result = validation.text("result", result, 5000)
    done = validation.date_value("completed_on", completed_on)
    if done is not None and done > timezone.localdate():
        raise ServiceError.field("completed_on", _("must not be in the future"))
    item.completed_on = done or item.completed_on
    item.release_exception = validation.text(
        "exception_reason", exception_reason, 5000, required=False
    )
    kept = Attachment.objects.filter(owner_type=ATTACHMENT_RELEASE, owner_id=str(item.pk)).count()
    missing = release_missing(item, completed_on=item.completed_on, files=kept + len(files))
    if missing and not item.release_exception:
        raise ServiceError(
            *[
                FieldProblem(
                    field,
                    _("is missing: %(what)s; give it, or the reason to release without it")
                    % {"what": what},
                )
                for field, what in missing
            ]
        )
    item.status, item.updated_at = Item.Status.RELEASE_REQUESTED, timezone.now()
    item.save(
        update_fields=[
            "release_result",
            "completed_on",
            "release_exception",
            "status",
            "updated_at",
        ]
    )
    for file in files:
        attachments.attachment_create(
            actor=actor,
            file=file,
            department=item.lead,
            owner_type=ATTACHMENT_RELEASE,
            owner_id=item.pk,
        )
    _record(
        actor,
        A.UPDATE,
        item,
        before,
        {
            "status": item.status,
            "release_result": item.release_result,
            "completed_on": str(item.completed_on or ""),
            "release_exception": item.release_exception,
        },
        item.lead,
    )
    return item


def _decide_release(actor, item: Item, status: str, note: str, note_required: bool) -> Item:
    item = Item.objects.select_for_update(of=("self",)).select_related("lead").get(pk=item.pk)
    validation.require(access.can_manage(actor))
    if item.status != Item.Status.RELEASE_REQUESTED:
        raise ServiceError.field("status", _("this item has not asked to be released"))
    before = {"status": item.status}
    # Releasing without the full evidence is the officer's explicit decision, with a note.
    exception = status == Item.Status.RELEASED and bool(item.release_exception)
    item.release_note = validation.text("note", note, 2000, required=note_required or exception)
    item.status, item.updated_at = status, timezone.now()
    item.released_at = timezone.now() if status == Item.Status.RELEASED else None
    item.save(update_fields=["release_note", "status", "updated_at", "released_at"])
    refresh(item)
    _record(
        actor,
        A.UPDATE,
        item,
        before,
        {"status": item.status},
        item.lead,
        note=item.release_note[:300],
    )
    from guankao.core import services as core_services

    core_services.notify_roles(
        departments=[item.lead],
        roles=("liaison", "head"),
        subject=f"{item.number}: {item.get_status_display()}",
        body=item.release_note,
        url=f"/tracking/items/{item.pk}/",
    )
    return item


@transaction.atomic
def release_approve(*, actor, item: Item, note: str = "") -> Item:
    return _decide_release(actor, item, Item.Status.RELEASED, note, note_required=False)


@transaction.atomic
def release_return(*, actor, item: Item, note: str) -> Item:
    return _decide_release(actor, item, Item.Status.RETURNED, note, note_required=True)
