"""Every change the ISAC makes: members and their credentials, grants, upstream servers,
deletion over TAXII, sightings reported on the page. Publishing is in `publishing.py`,
storing objects in `ingest.py`."""

import hashlib
import secrets
import uuid

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from guankao.core import audit, validation
from guankao.core.errors import NotAllowed, ServiceError
from guankao.core.models import AuditEntry
from guankao.security.isac import access, blocklog
from guankao.security.isac.models import (
    Collection,
    CollectionAccess,
    IndicatorValue,
    Member,
    Upstream,
)

FIELDS = ["name", "kind", "contact_name", "contact_email", "contact_phone", "active"]


def _secret() -> tuple[str, str]:
    raw = secrets.token_urlsafe(32)
    return raw, hashlib.sha256(raw.encode()).hexdigest()


def _username(name: str) -> str:
    return f"m{uuid.uuid4().hex[:11]}"


@transaction.atomic
def member_create(
    *,
    actor,
    name: str,
    kind: str,
    contact_name: str,
    contact_email: str,
    contact_phone: str = "",
    agency=None,
) -> tuple[Member, str]:
    """A new member with its TAXII credentials (the secret is returned once, never stored)
    and the collections' default grants."""
    if not access.can_manage(actor):
        raise NotAllowed
    name = validation.text("name", name, 200)
    if Member.objects.filter(name=name).exists():
        raise ServiceError.field("name", _("a member with this name exists already"))
    if kind not in Member.Kind.values:
        raise ServiceError.field("kind", _("choose one of the kinds listed"))
    if agency is not None and Member.objects.filter(agency=agency).exists():
        raise ServiceError.field("agency", _("this agency is a member already"))
    raw, digest = _secret()
    member = Member.objects.create(
        name=name,
        kind=kind,
        agency=agency,
        contact_name=validation.text("contact_name", contact_name, 100),
        contact_email=validation.text("contact_email", contact_email, 254),
        contact_phone=validation.text("contact_phone", contact_phone, 40, required=False),
        identity_id=f"identity--{uuid.uuid4()}",
        username=_username(name),
        secret_digest=digest,
    )
    CollectionAccess.objects.bulk_create(
        CollectionAccess(
            collection=c, member=member, can_read=c.members_read, can_write=c.members_write
        )
        for c in Collection.objects.all()
    )
    readable = Collection.objects.filter(members_read=True).values_list("pk", flat=True)
    blocklog.sync_member(member.pk, readable)
    _identity_publish(actor, member)
    audit.record(actor=actor, action=AuditEntry.Action.CREATE, obj=member)
    return member, raw


def identity_of(member: Member, created=None) -> dict:
    """The member's STIX identity: what its objects' created_by_ref names."""
    import json

    import stix2

    extra = {"created": created, "modified": created} if created else {}
    identity = stix2.Identity(
        id=member.identity_id,
        name=member.name,
        identity_class="organization",
        sectors=["government"],
        **extra,
    )
    return json.loads(identity.serialize())


def _identity_publish(actor, member: Member) -> None:
    """Into the members' directory collection, so every member can tell who shared what."""
    from guankao.security.isac import defaults
    from guankao.security.isac.ingest import objects_add

    directory = Collection.objects.filter(
        alias="members", id=defaults.collection_uuid("members")
    ).first()
    if directory is not None:
        objects_add(
            principal=access.Principal(user=actor, operator=True),
            collection=directory,
            objects=[identity_of(member)],
        )


@transaction.atomic
def member_update(*, actor, member: Member, **fields) -> Member:
    if not access.can_manage(actor):
        raise NotAllowed
    member = Member.objects.select_for_update().get(pk=member.pk)
    before = audit.snapshot(member, FIELDS)
    for key in ("contact_name", "contact_email", "contact_phone"):
        if key in fields:
            setattr(
                member, key, validation.text(key, fields[key], 254, required=key != "contact_phone")
            )
    if "active" in fields:
        member.active = bool(fields["active"])
    member.save()
    changes = audit.diff(before, audit.snapshot(member, FIELDS))
    if changes:
        audit.record(actor=actor, action=AuditEntry.Action.UPDATE, obj=member, changes=changes)
    return member


@transaction.atomic
def member_reset_secret(*, actor, member: Member) -> str:
    if not access.can_manage(actor):
        raise NotAllowed
    raw, digest = _secret()
    Member.objects.filter(pk=member.pk).update(secret_digest=digest)
    audit.record(
        actor=actor, action=AuditEntry.Action.UPDATE, obj=member, note=_("New TAXII secret")
    )
    return raw


@transaction.atomic
def grant_set(*, actor, member: Member, collection: Collection, can_read: bool, can_write: bool):
    if not access.can_manage(actor):
        raise NotAllowed
    grant, _created = CollectionAccess.objects.update_or_create(
        member=member,
        collection=collection,
        defaults={"can_read": bool(can_read), "can_write": bool(can_write)},
    )
    blocklog.sync_member(member.pk, [collection.pk])
    audit.record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        obj=member,
        changes={str(collection.alias): [None, f"read={can_read} write={can_write}"]},
    )
    return grant


UPSTREAM_FIELDS = ["name", "url", "collection", "username", "active"]


def _upstream_url(url: str) -> str:
    url = validation.text("url", url, 500)
    if not url.startswith(("https://", "http://")):
        raise ServiceError.field("url", _("must be an http(s) address of a TAXII collection"))
    return url if url.endswith("/") else url + "/"


def _password(raw: str) -> str:
    if not isinstance(raw, str) or len(raw) > 200:
        raise ServiceError.field("password", _("at most 200 characters"))
    return raw


@transaction.atomic
def upstream_create(
    *, actor, name: str, url: str, collection: Collection, username="", password=""
) -> Upstream:
    """A server to poll; its password is stored encrypted (crypto.py), never shown again."""
    if not access.can_manage(actor):
        raise NotAllowed
    upstream = Upstream(
        name=validation.text("name", name, 200),
        url=_upstream_url(url),
        collection=collection,
        username=validation.text("username", username, 100, required=False),
    )
    if Upstream.objects.filter(name=upstream.name).exists():
        raise ServiceError.field("name", _("an upstream server with this name exists already"))
    upstream.set_password(_password(password))
    upstream.save()
    audit.record(actor=actor, action=AuditEntry.Action.CREATE, obj=upstream)
    return upstream


@transaction.atomic
def upstream_update(
    *,
    actor,
    upstream: Upstream,
    name: str,
    url: str,
    collection: Collection,
    username: str = "",
    password: str = "",
    forget_password: bool = False,
    active: bool = True,
) -> Upstream:
    """Change a server. A blank `password` keeps the stored one; `forget_password` drops
    it. Another address or collection starts again from the server's first object (stored
    once all the same). The audit trail says the password changed, never what it is."""
    if not access.can_manage(actor):
        raise NotAllowed
    upstream = Upstream.objects.select_for_update().get(pk=upstream.pk)
    before = audit.snapshot(upstream, UPSTREAM_FIELDS)
    name = validation.text("name", name, 200)
    if Upstream.objects.filter(name=name).exclude(pk=upstream.pk).exists():
        raise ServiceError.field("name", _("an upstream server with this name exists already"))
    url = _upstream_url(url)
    if url != upstream.url or collection.pk != upstream.collection_id:
        upstream.added_after = ""
    upstream.name, upstream.url, upstream.collection = name, url, collection
    upstream.username = validation.text("username", username, 100, required=False)
    upstream.active = bool(active)
    notes = []
    if _password(password):
        upstream.set_password(password)
        notes.append(_("New password"))
    elif forget_password and upstream.password_encrypted:
        upstream.password_encrypted = ""
        notes.append(_("Password removed"))
    upstream.save()
    changes = audit.diff(before, audit.snapshot(upstream, UPSTREAM_FIELDS))
    if changes or notes:
        audit.record(
            actor=actor,
            action=AuditEntry.Action.UPDATE,
            obj=upstream,
            changes=changes,
            note="；".join(notes),
        )
    return upstream


@transaction.atomic
def objects_delete(*, principal, collection: Collection, rows) -> int:
    """Delete object versions over TAXII; the latest/first flags move to what remains."""
    from guankao.security.isac.models import StixObject

    blocklog.hold()
    Collection.objects.select_for_update().filter(pk=collection.pk).first()
    ids = set(rows.values_list("stix_id", flat=True))
    count = rows.count()
    touched = blocklog.keys_of(
        IndicatorValue.objects.filter(obj__collection=collection, obj__stix_id__in=ids)
    )
    StixObject.objects.filter(pk__in=list(rows.values_list("pk", flat=True))).delete()
    for stix_id in ids:
        left = StixObject.objects.filter(collection=collection, stix_id=stix_id)
        versions = list(left.values_list("version", flat=True))
        if versions:
            left.update(is_latest=False, is_first=False)
            left.filter(version=max(versions)).update(is_latest=True)
            left.filter(version=min(versions)).update(is_first=True)
    blocklog.sync(touched)
    audit.record(
        actor=principal.user,
        action=AuditEntry.Action.DELETE,
        object_type="isac.stixobject",
        object_id=",".join(sorted(ids))[:100],
        object_repr=f"{collection.title}: {count}",
        note=principal.name,
    )
    return count


@transaction.atomic
def sighting_report(*, actor, indicator_id: str, count: int = 1):
    """A member's security officer (or the CISO) reports seeing an indicator: stored as a
    STIX sighting in the members' collection, counted on the indicator."""
    import json

    import stix2

    from guankao.security.isac import defaults, publishing
    from guankao.security.isac.ingest import objects_add

    principal = access.principal_for_user(actor)
    if not principal.is_known:
        raise NotAllowed
    if not 1 <= int(count) <= 1_000_000:
        raise ServiceError.field("count", _("between 1 and 1,000,000"))
    who = principal.member.identity_id if principal.member else publishing.CITY_IDENTITY
    seen = timezone.now()
    sighting = stix2.Sighting(
        sighting_of_ref=indicator_id,
        where_sighted_refs=[who],
        count=int(count),
        first_seen=seen,
        last_seen=seen,
        created_by_ref=who,
        object_marking_refs=[stix2.TLP_AMBER.id],
    )
    share = Collection.objects.get(
        alias="members-share", id=defaults.collection_uuid("members-share")
    )
    status = objects_add(
        principal=principal, collection=share, objects=[json.loads(sighting.serialize())]
    )
    if status.failure_count:
        raise ServiceError.field("count", status.failures[0].get("message", ""))
    return status
