"""Trust groups (TAXII API roots) and their collections: the CISO creates, changes and
retires them, and sets who may read and write each collection. A per-member grant goes
through `services.grant_set`, which keeps the blocklist change log exact and audits it.
Nothing here deletes a collection or a root: their objects stay."""

import re
import uuid

from django.db import transaction
from django.utils.translation import gettext as _

from guankao.core import audit, validation
from guankao.core.errors import NotAllowed, ServiceError
from guankao.core.models import AuditEntry
from guankao.security.isac import access, blocklog, services
from guankao.security.isac.models import (
    ApiRoot,
    Collection,
    CollectionAccess,
    IndicatorValue,
    Member,
    Tlp,
)

SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
# words of the TAXII addresses (and of the server itself) that a root must not be named
RESERVED = {"taxii", "taxii2", "api", "collections", "status", "objects", "manifest", "versions"}
MIN_CONTENT, MAX_CONTENT = 1024, 100 * 1024 * 1024
ROOT_FIELDS = ["slug", "title", "description", "max_content_length", "active"]
COLLECTION_FIELDS = ["alias", "title", "description", "tlp", "members_read", "members_write"]


def _check(actor) -> None:
    if not access.can_manage(actor):
        raise NotAllowed


def _slug(field: str, value, max_length: int) -> str:
    value = validation.text(field, value, max_length)
    if not SLUG.match(value):
        raise ServiceError.field(
            field, _("only lowercase letters, digits and single hyphens between them")
        )
    return value


def _max_content(value) -> int:
    try:
        value = int(value)
    except (TypeError, ValueError):
        value = 0
    if not MIN_CONTENT <= value <= MAX_CONTENT:
        raise ServiceError.field(
            "max_content_length",
            _("a whole number of bytes from %(low)d to %(high)d")
            % {"low": MIN_CONTENT, "high": MAX_CONTENT},
        )
    return value


@transaction.atomic
def root_create(
    *, actor, slug: str, title: str, description: str = "", max_content_length=None
) -> ApiRoot:
    _check(actor)
    slug = _slug("slug", slug, 40)
    if slug in RESERVED:
        raise ServiceError.field("slug", _("this word is part of the TAXII addresses"))
    if ApiRoot.objects.filter(slug=slug).exists():
        raise ServiceError.field("slug", _("a trust group with this address exists already"))
    root = ApiRoot.objects.create(
        slug=slug,
        title=validation.text("title", title, 200),
        description=validation.text("description", description, 2000, required=False),
        max_content_length=_max_content(
            max_content_length
            if max_content_length not in (None, "")
            else ApiRoot._meta.get_field("max_content_length").default
        ),
    )
    audit.record(actor=actor, action=AuditEntry.Action.CREATE, obj=root)
    return root


@transaction.atomic
def root_update(
    *, actor, root: ApiRoot, title: str, description: str, max_content_length
) -> ApiRoot:
    _check(actor)
    root = ApiRoot.objects.select_for_update().get(pk=root.pk)
    before = audit.snapshot(root, ROOT_FIELDS)
    root.title = validation.text("title", title, 200)
    root.description = validation.text("description", description, 2000, required=False)
    root.max_content_length = _max_content(max_content_length)
    root.save()
    _audit_changes(actor, root, before, ROOT_FIELDS)
    return root


@transaction.atomic
def root_set_active(*, actor, root: ApiRoot, active: bool) -> ApiRoot:
    """Retire a trust group (gone from discovery, 404 to every TAXII caller, its indicators
    off the members' blocklists, logged; its objects and grants stay) or bring it back.
    The city's default root is never retired."""
    _check(actor)
    root = ApiRoot.objects.select_for_update().get(pk=root.pk)
    if root.is_default and not active:
        raise ServiceError.field("active", _("the city's default trust group is not retired"))
    before = audit.snapshot(root, ROOT_FIELDS)
    root.active = bool(active)
    root.save(update_fields=["active"])
    if root.active != before["active"]:  # its indicators leave or rejoin members' lists
        values = IndicatorValue.objects.filter(obj__collection__api_root=root)
        blocklog.sync(blocklog.keys_of(values))
    _audit_changes(actor, root, before, ROOT_FIELDS)
    return root


def _audit_changes(actor, obj, before: dict, fields: list[str]) -> None:
    changes = audit.diff(before, audit.snapshot(obj, fields))
    if changes:
        audit.record(actor=actor, action=AuditEntry.Action.UPDATE, obj=obj, changes=changes)


def _tlp(value) -> str:
    if value not in Tlp.values:
        raise ServiceError.field("tlp", _("choose one of the markings listed"))
    return value


def _collection_fields(title, description, tlp, members_read, members_write) -> dict:
    return {
        "title": validation.text("title", title, 200),
        "description": validation.text("description", description, 2000, required=False),
        "tlp": _tlp(tlp),
        "members_read": bool(members_read),
        "members_write": bool(members_write),
    }


@transaction.atomic
def collection_create(
    *,
    actor,
    root: ApiRoot,
    alias: str,
    title: str,
    description: str = "",
    tlp: str = "",
    members_read: bool = True,
    members_write: bool = False,
) -> Collection:
    """A new collection; no member reads it until the CISO grants it (its defaults are
    what members created from now on get)."""
    _check(actor)
    alias = _slug("alias", alias, 60)
    if Collection.objects.filter(api_root=root, alias=alias).exists():
        raise ServiceError.field("alias", _("a collection with this alias exists in this group"))
    fields = _collection_fields(title, description, tlp, members_read, members_write)
    collection = Collection.objects.create(id=uuid.uuid4(), api_root=root, alias=alias, **fields)
    audit.record(actor=actor, action=AuditEntry.Action.CREATE, obj=collection)
    return collection


@transaction.atomic
def collection_update(
    *, actor, collection: Collection, title, description, tlp, members_read, members_write
) -> Collection:
    _check(actor)
    collection = Collection.objects.select_for_update().get(pk=collection.pk)
    before = audit.snapshot(collection, COLLECTION_FIELDS)
    fields = _collection_fields(title, description, tlp, members_read, members_write)
    for key, value in fields.items():
        setattr(collection, key, value)
    collection.save()
    _audit_changes(actor, collection, before, COLLECTION_FIELDS)
    return collection


@transaction.atomic
def grants_set(*, actor, collection: Collection, wanted: dict) -> int:
    """`wanted`: {member pk: (can_read, can_write)} for the members shown. Each member whose
    grant changes goes through `services.grant_set` (blocklist change log, audit entry).
    Returns how many changed."""
    _check(actor)
    members = {m.pk: m for m in Member.objects.filter(pk__in=list(wanted))}
    if len(members) != len(wanted):
        raise ServiceError.field("grants", _("a member listed does not exist"))
    current = {
        g.member_id: (g.can_read, g.can_write)
        for g in CollectionAccess.objects.filter(collection=collection)
    }
    changed = 0
    for pk, (read, write) in sorted(wanted.items()):
        if current.get(pk, (False, False)) != (bool(read), bool(write)):
            services.grant_set(
                actor=actor,
                member=members[pk],
                collection=collection,
                can_read=bool(read),
                can_write=bool(write),
            )
            changed += 1
    return changed
