"""The audit trail: who changed what, when, from where, old and new values."""

import contextvars
import datetime as dt
import decimal
import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import timezone, translation
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from guankao.core.models import AuditEntry, Department
from guankao.lib.roc import format_roc


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


# Reading the trail -----------------------------------------------------------------------
# The trail is shown (case pages, /audit/) and exported in sentences a clerk reads:
# 「實際進度：33% → 34%」, 「狀態：待核定 → 已核定」, 民國 dates, NT$ amounts, 是／否, choices
# by their label, records named as people name them. Labels and formats come from the
# model's fields (verbose name, choices, type; "(NT$)" and "(%)" in the verbose name say
# money and percent); an app registers what the model cannot say (see `describe_model`).

EMPTY = "—"
_UNIT = re.compile(r"\s*[（(](%|％|NT\$|新臺幣元|元)[)）]\s*$")
_LABELS: dict[str, dict[str, str]] = {}
_FORMATS: dict[str, dict[str, str]] = {}
_NAMERS: dict[str, Callable[[list[str]], dict[str, str]]] = {}
# Fields without a verbose name that several models keep in their trail.
COMMON_LABELS = {
    "state": pgettext_lazy("audit field", "State"),
    "status": gettext_lazy("Status"),
    "behind": gettext_lazy("Behind schedule"),
    "seriously_behind": gettext_lazy("Seriously behind"),
    "money_behind": gettext_lazy("Behind on money"),
    "late": gettext_lazy("Late"),
    "revision": gettext_lazy("Revision"),
    "agenda": gettext_lazy("Agenda items"),
    "order": gettext_lazy("Order"),
    "import": gettext_lazy("Import"),
    "numerator": gettext_lazy("Numerator"),
    "denominator": gettext_lazy("Denominator"),
    "source": gettext_lazy("Source"),
}


def describe_model(label: str, *, labels=None, formats=None, namer=None) -> None:
    """Register what a model's fields cannot say themselves: `labels` {field: text},
    `formats` {field: "money" | "percent" | "share" | "date" | "bool" | "text"}, and
    `namer(ids) -> {id: name}` naming records in bulk (「KPI 五-2 111年第3季 第4版」)."""
    _LABELS.setdefault(label, {}).update(labels or {})
    _FORMATS.setdefault(label, {}).update(formats or {})
    if namer is not None:
        _NAMERS[label] = namer


@dataclass
class Change:
    label: str
    old: str
    new: str
    created: bool

    def __str__(self) -> str:
        if self.created:
            return _("%(label)s: %(new)s") % {"label": self.label, "new": self.new}
        return _("%(label)s: %(old)s → %(new)s") % vars(self)


@dataclass
class Described:
    entry: AuditEntry
    record_type: str
    name: str
    changes: list[Change]
    note: str

    @property
    def text(self) -> str:
        """The whole change in one line, for exports."""
        parts = [str(c) for c in self.changes]
        if self.note:
            parts.append(self.note)
        return "；".join(parts)


def _model(object_type: str):
    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):
        return None


def _field(model, name):
    if model is None:
        return None
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return None


def _label(object_type, model, name) -> str:
    registered = _LABELS.get(object_type, {}).get(name)
    if registered:
        return str(registered)
    field = _field(model, name)
    verbose = getattr(field, "verbose_name", None)
    if verbose and str(verbose) != name.replace("_", " "):
        return capfirst(_UNIT.sub("", str(verbose)))
    if name in COMMON_LABELS:
        return str(COMMON_LABELS[name])
    return capfirst(name.replace("_", " "))


def _format_of(object_type, field, name) -> str:
    registered = _FORMATS.get(object_type, {}).get(name)
    if registered:
        return registered
    if field is None:
        return "text"
    if getattr(field, "choices", None):
        return "choice"
    if isinstance(field, models.BooleanField):
        return "bool"
    if isinstance(field, models.DateTimeField):
        return "datetime"
    if isinstance(field, models.DateField):
        return "date"
    with translation.override(None):
        verbose = str(field.verbose_name)
    if "NT$" in verbose:
        return "money"
    if "(%)" in verbose or "percentage points" in verbose:
        return "percent"
    if "share of" in verbose:
        return "share"
    return "text"


def _number(value) -> decimal.Decimal | None:
    try:
        return decimal.Decimal(str(value))
    except (decimal.InvalidOperation, ValueError):
        return None


def _plain_number(number: decimal.Decimal) -> str:
    text = f"{number.normalize():f}"
    return text


def _date_text(value, with_time: bool) -> str:
    try:
        moment = dt.datetime.fromisoformat(str(value))
    except ValueError:
        return str(value)
    if with_time and timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    text = format_roc(moment.date())
    return f"{text} {moment:%H:%M}" if with_time and len(str(value)) > 10 else text


def format_value(value, kind: str, field=None) -> str:
    """One stored value as people read it."""
    if value is None or value == "" or value == []:
        return EMPTY
    if isinstance(value, list):
        return "、".join(format_value(v, kind, field) for v in value)
    if isinstance(value, dict):
        return "，".join(f"{k} {v}" for k, v in value.items())
    if kind == "bool" or isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if kind == "choice":
        return str(dict(field.flatchoices).get(value, value))
    if kind in ("date", "datetime"):
        return _date_text(value, kind == "datetime")
    number = _number(value) if kind in ("money", "percent", "share") else None
    if number is not None and kind == "money":
        return f"NT${int(number):,}"
    if number is not None and kind == "percent":
        return f"{_plain_number(number)}%"
    if number is not None and kind == "share":
        return f"{_plain_number(number * 100)}%"
    text = str(value)
    return text if len(text) <= 120 else text[:119] + "…"


def _changes(entry: AuditEntry, model) -> list[Change]:
    out = []
    created = entry.action == AuditEntry.Action.CREATE
    for name, pair in (entry.changes or {}).items():
        old, new = (pair + [None, None])[:2] if isinstance(pair, list) else (None, pair)
        if created and new in (None, "", []):
            continue
        field = _field(model, name)
        kind = _format_of(entry.object_type, field, name)
        out.append(
            Change(
                label=_label(entry.object_type, model, name),
                old=format_value(old, kind, field),
                new=format_value(new, kind, field),
                created=created,
            )
        )
    return out


def _names(entries) -> dict[tuple[str, str], str]:
    wanted: dict[str, list[str]] = {}
    for e in entries:
        if e.object_type in _NAMERS and e.object_id:
            wanted.setdefault(e.object_type, []).append(e.object_id)
    names = {}
    for object_type, ids in wanted.items():
        for pk, name in _NAMERS[object_type](sorted(set(ids))).items():
            names[(object_type, str(pk))] = name
    return names


def describe(entries) -> list[Described]:
    """The entries in words; one query per registered record type, whatever their number."""
    entries = list(entries)
    names = _names(entries)
    out = []
    for e in entries:
        model = _model(e.object_type)
        record_type = capfirst(str(model._meta.verbose_name)) if model else e.object_type
        name = names.get((e.object_type, e.object_id)) or e.object_repr or record_type
        note = str(_(e.note)) if e.note else ""
        out.append(Described(e, record_type, name, _changes(e, model), note))
    return out
