"""The 管考 officer's side of Open311: registering client apps (the key shown once, kept
hashed), their per-minute limit and revocation, and the questions (service attributes)
each category asks online. Every change is checked and audited like the rest of petitions.
"""

import datetime as dt
import secrets

from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from guankao.core import audit, validation
from guankao.core.errors import NotFound, ServiceError
from guankao.core.models import AuditEntry
from guankao.petitions import access
from guankao.petitions.models import Category, ClientApp, ClientUse, ServiceAttribute

A = AuditEntry.Action
PER_MINUTE_MAX = 100_000
CLIENT_FIELDS = ["name", "contact", "per_minute", "revoked_at"]
ATTRIBUTE_FIELDS = [
    "code",
    "variable",
    "datatype",
    "required",
    "description",
    "datatype_description",
    "order",
]


def _snapshot(attribute: ServiceAttribute | None) -> dict:
    if attribute is None:
        return {}
    choices = "; ".join(f"{v['key']}={v['name']}" for v in attribute.values)
    return audit.snapshot(attribute, ATTRIBUTE_FIELDS) | {"values": choices}


# Client apps --------------------------------------------------------------------------------


def _per_minute(value) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= PER_MINUTE_MAX:
        raise ServiceError.field(
            "per_minute",
            _("must be a whole number from %(a)d to %(b)d") % {"a": 1, "b": PER_MINUTE_MAX},
        )
    return value


@transaction.atomic
def client_create(*, actor, name: str, contact: str, per_minute: int = 60) -> tuple[ClientApp, str]:
    """A new app and its API key: the key is returned once and only its hash is kept."""
    validation.require(access.manages(actor))
    raw = ClientApp.PREFIX + secrets.token_urlsafe(32)
    client = ClientApp.objects.create(
        name=validation.text("name", name, 100),
        contact=validation.text("contact", contact, 200),
        per_minute=_per_minute(per_minute),
        key_digest=ClientApp.digest_of(raw),
        key_hint=raw[:9],
        created_by=actor,
    )
    after = audit.snapshot(client, CLIENT_FIELDS)
    audit.record(actor=actor, action=A.SECURITY, obj=client, changes=audit.diff({}, after))
    return client, raw


def _client(pk) -> ClientApp:
    client = ClientApp.objects.select_for_update().filter(pk=pk).first()
    if client is None:
        raise NotFound()
    return client


@transaction.atomic
def client_update(*, actor, client_id: int, per_minute: int, contact: str | None = None):
    validation.require(access.manages(actor))
    client = _client(client_id)
    before = audit.snapshot(client, CLIENT_FIELDS)
    client.per_minute = _per_minute(per_minute)
    if contact is not None:
        client.contact = validation.text("contact", contact, 200)
    client.save(update_fields=["per_minute", "contact"])
    changes = audit.diff(before, audit.snapshot(client, CLIENT_FIELDS))
    if changes:
        audit.record(actor=actor, action=A.SECURITY, obj=client, changes=changes)
    return client


@transaction.atomic
def client_revoke(*, actor, client_id: int) -> ClientApp:
    """The key stops working at once; the app's reports stay as they are."""
    validation.require(access.manages(actor))
    client = _client(client_id)
    if client.revoked_at is not None:
        raise ServiceError.field("revoked_at", _("this app's key is revoked already"))
    before = audit.snapshot(client, CLIENT_FIELDS)
    client.revoked_at = timezone.now()
    client.save(update_fields=["revoked_at"])
    changes = audit.diff(before, audit.snapshot(client, CLIENT_FIELDS))
    audit.record(actor=actor, action=A.SECURITY, obj=client, changes=changes, note="revoked")
    return client


def client_authenticate(raw: str, now=None) -> ClientApp | None:
    """The app holding this key, or None for an unknown or revoked key."""
    if not raw or not isinstance(raw, str) or len(raw) > 100:
        return None
    client = ClientApp.objects.filter(
        key_digest=ClientApp.digest_of(raw.strip()), revoked_at=None
    ).first()
    now = now or timezone.now()
    if client is not None and (
        client.last_used_at is None or (now - client.last_used_at).total_seconds() > 300
    ):
        ClientApp.objects.filter(pk=client.pk).update(last_used_at=now)
    return client


def client_admit(client: ClientApp, now=None) -> bool:
    """Count one request of the app in this minute; False once it is over its limit.

    One row a minute, bumped by a conditional UPDATE (so two app servers share the count);
    the first request of a minute creates the row and clears the app's rows of over an
    hour ago."""
    minute = _minute(now)
    this_minute = ClientUse.objects.filter(
        client=client, minute=minute, count__lt=client.per_minute
    )
    if this_minute.update(count=F("count") + 1):
        return True
    if not ClientUse.objects.filter(client=client, minute=minute).exists():
        try:
            with transaction.atomic():
                ClientUse.objects.create(client=client, minute=minute, count=1)
        except IntegrityError:
            pass  # another server's request created the minute's row first: count on it
        else:
            old = minute - dt.timedelta(hours=1)
            ClientUse.objects.filter(client=client, minute__lt=old).delete()
            return True
    return bool(this_minute.update(count=F("count") + 1))


def requests_this_minute(now=None) -> int:
    """Requests all apps made in this minute (the rows `client_admit` keeps)."""
    rows = ClientUse.objects.filter(minute=_minute(now))
    return rows.aggregate(n=Sum("count"))["n"] or 0


def _minute(now=None) -> dt.datetime:
    return (now or timezone.now()).replace(second=0, microsecond=0)


# Service attributes -------------------------------------------------------------------------


def _values(datatype: str, values) -> list[dict]:
    """Choices as [{"key", "name"}]; from text, one a line, `key=name` or just the name
    (then the key is its line number)."""
    if isinstance(values, str):
        rows = []
        for number, line in enumerate(values.splitlines(), start=1):
            if line.strip():
                key, sep, name = line.partition("=")
                rows.append(
                    {"key": key.strip(), "name": name.strip()}
                    if sep
                    else {"key": str(number), "name": key.strip()}
                )
        values = rows
    out, keys = [], set()
    for item in values or []:
        key = validation.text("values", str(item.get("key", "")), 40)
        name = validation.text("values", str(item.get("name", "")), 100)
        if key in keys:
            raise ServiceError.field("values", _("the key %(k)s is used twice") % {"k": key})
        keys.add(key)
        out.append({"key": key, "name": name})
    if datatype in ServiceAttribute.LISTS and not out:
        raise ServiceError.field("values", _("a list needs its choices, one a line"))
    if datatype not in ServiceAttribute.LISTS and out:
        raise ServiceError.field("values", _("only the list kinds have choices"))
    return out


@transaction.atomic
def attribute_save(
    *, actor, category: Category, attribute: ServiceAttribute | None = None, **data
) -> ServiceAttribute:
    """Add or change one question of a category's Open311 service definition."""
    validation.require(access.manages(actor))
    before = _snapshot(attribute)
    attribute = attribute or ServiceAttribute(category=category)
    code = validation.text("code", data.get("code"), 40)
    if not code.replace("_", "").replace("-", "").isalnum() or not code.isascii():
        raise ServiceError.field("code", _("letters, digits, - and _ only"))
    taken = ServiceAttribute.objects.filter(category=category, code=code)
    if taken.exclude(pk=attribute.pk).exists():
        raise ServiceError.field("code", _("this category already has a question with this code"))
    attribute.code = code
    attribute.datatype = validation.choice(
        "datatype", data.get("datatype"), ServiceAttribute.Datatype
    )
    attribute.variable = bool(data.get("variable", True))
    attribute.required = bool(data.get("required")) and attribute.variable
    attribute.description = validation.text("description", data.get("description"), 300)
    attribute.datatype_description = validation.text(
        "datatype_description", data.get("datatype_description"), 200, required=False
    )
    order = data.get("order") or 0
    if isinstance(order, bool) or not isinstance(order, int) or not 0 <= order <= 999:
        raise ServiceError.field(
            "order", _("must be a whole number from %(a)d to %(b)d") % {"a": 0, "b": 999}
        )
    attribute.order = order
    attribute.values = _values(attribute.datatype, data.get("values"))
    attribute.save()
    changes = audit.diff(before, _snapshot(attribute))
    if changes:
        action = A.UPDATE if before else A.CREATE
        audit.record(actor=actor, action=action, obj=attribute, changes=changes, note=category.code)
    return attribute


@transaction.atomic
def attribute_delete(*, actor, attribute: ServiceAttribute) -> None:
    """Remove a question; answers already given stay on their cases."""
    validation.require(access.manages(actor))
    before = _snapshot(attribute)
    audit.record(
        actor=actor,
        action=A.DELETE,
        obj=attribute,
        changes=audit.diff(before, {}),
        note=attribute.category.code,
    )
    attribute.delete()
