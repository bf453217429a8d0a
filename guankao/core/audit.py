"""The audit trail: who changed what, when, from where, old and new values."""

import contextvars
import datetime as dt
import decimal
import hashlib
import json
from dataclasses import dataclass

from django.db import models

from guankao.core.models import AuditEntry, Department


@dataclass
class RequestContext:
    ip: str | None = None


_context: contextvars.ContextVar[RequestContext | None] = contextvars.ContextVar(
    "guankao_request", default=None
)


def set_request_context(ctx: RequestContext | None):
    return _context.set(ctx)


def reset_request_context(token) -> None:
    _context.reset(token)


def current_ip() -> str | None:
    ctx = _context.get()
    return ctx.ip if ctx else None


def _plain(value):
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, list | tuple | set | frozenset):
        return sorted(_plain(v) for v in value)
    return value


def snapshot(obj: models.Model, fields: list[str]) -> dict:
    return {name: _plain(getattr(obj, name)) for name in fields}


def version(state: dict) -> str:
    """A short fingerprint of a record's state, carried by edit forms to catch stale ones."""
    raw = json.dumps(state, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(raw.encode()).hexdigest()[:16]


def diff(before: dict, after: dict) -> dict:
    """{field: [old, new]} for every field whose value changed."""
    keys = before.keys() | after.keys()
    return {k: [before.get(k), after.get(k)] for k in sorted(keys) if before.get(k) != after.get(k)}


def record(
    *,
    actor,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    changes: dict | None = None,
    department: Department | None = None,
    note: str = "",
) -> AuditEntry:
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    return AuditEntry.objects.create(
        actor=actor if authenticated else None,
        actor_name=(actor.get_username() if authenticated else "")[:150],
        ip=current_ip(),
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr[:200],
        department=department,
        changes=changes or {},
        note=note[:300],
    )
