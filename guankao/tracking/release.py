"""Release from control (解除列管): the department asks with the result and evidence, the
管考 officer approves or returns it."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from guankao.core import attachments, validation
from guankao.core.errors import ServiceError
from guankao.tracking import access
from guankao.tracking.models import Item
from guankao.tracking.services import ATTACHMENT_RELEASE, A, _record, refresh


@transaction.atomic
def release_request(*, actor, item: Item, result: str, files=()) -> Item:
    item = Item.objects.select_for_update(of=("self",)).select_related("lead").get(pk=item.pk)
    validation.require(access.can_request_release(actor, item))
    if item.status not in (Item.Status.ACTIVE, Item.Status.RETURNED):
        raise ServiceError.field("status", _("only an item under control can ask to be released"))
    before = {"status": item.status}
    item.release_result = validation.text("result", result, 5000)
    item.status, item.updated_at = Item.Status.RELEASE_REQUESTED, timezone.now()
    item.save(update_fields=["release_result", "status", "updated_at"])
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
        {"status": item.status, "release_result": item.release_result},
        item.lead,
    )
    return item


def _decide_release(actor, item: Item, status: str, note: str, note_required: bool) -> Item:
    item = Item.objects.select_for_update(of=("self",)).select_related("lead").get(pk=item.pk)
    validation.require(access.can_manage(actor))
    if item.status != Item.Status.RELEASE_REQUESTED:
        raise ServiceError.field("status", _("this item has not asked to be released"))
    before = {"status": item.status}
    item.release_note = validation.text("note", note, 2000, required=note_required)
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
