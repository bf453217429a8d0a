"""The blocklists' change log: exactly when each value went on or off each member's list.

A member's list at time T holds a value while some indicator it may read gives it: the
latest, unrevoked version, in a collection the member reads, TLP:RED only if the member is
named, from max(valid_from, date_added) until valid_until (selectors.blocklist). Every
write that can change that (an indicator stored, a new version or a revocation, a TAXII
DELETE, a grant, a new member) calls `sync` for the values it touched: from the data as it
now is, each audience's presence of each value from that moment on is worked out; what
differs from the log at that moment is written as a change now, and the transitions
already known (valid_until ahead, a valid_from in the future) are written with their own
time, replacing what the log had expected after now. So `changes(since, until)` reads the
log alone, one indexed query of the changes in (since, until], and it agrees with the list
at both ends. The audience `None` is the operators' list (every indicator).
"""

import contextlib
import datetime as dt
from collections import defaultdict

from django.apps import apps as global_apps
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

CHUNK = 500
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
ALL = object()  # every audience: the operators (None) and each member


def _model(apps, name):
    return (apps or global_apps).get_model("isac", name)


def _chunks(items: list, size: int = CHUNK):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _contributions(keys: set, apps=None) -> dict:
    """{(kind, value): [(start, end, collection_id, restricted, obj_id)]} of the indicators
    that give each value now (latest, unrevoked)."""
    value_model = _model(apps, "IndicatorValue")
    out = defaultdict(list)
    for chunk in _chunks(sorted({v for _k, v in keys})):
        rows = value_model.objects.filter(
            value__in=chunk,
            obj__type="indicator",
            obj__is_latest=True,
            obj__revoked=False,
        ).values_list(
            "kind",
            "value",
            "valid_from",
            "valid_until",
            "obj__date_added",
            "obj__collection_id",
            "obj__restricted",
            "obj_id",
        )
        for kind, value, start, end, added, collection, restricted, obj in rows:
            start = max(start, added)
            if (kind, value) in keys and (end is None or end > start):
                out[(kind, value)].append((start, end, collection, restricted, obj))
    return out


def _recipients(contributions: dict, apps=None) -> dict:
    restricted = sorted({c[4] for cs in contributions.values() for c in cs if c[3]})
    out = defaultdict(set)
    for chunk in _chunks(restricted):
        rows = _model(apps, "Recipient").objects.filter(obj_id__in=chunk)
        for obj, member in rows.values_list("obj_id", "member_id"):
            out[obj].add(member)
    return out


def _timeline(intervals: list, at) -> tuple[bool, list]:
    """Presence at `at` and the transitions after it of the union of [start, end)."""
    present = any(s <= at and (e is None or e > at) for s, e in intervals)
    merged: list[list] = []
    for s, e in sorted(intervals, key=lambda i: i[0]):
        if merged and (merged[-1][1] is None or s <= merged[-1][1]):
            if merged[-1][1] is not None and (e is None or e > merged[-1][1]):
                merged[-1][1] = e
            continue
        merged.append([s, e])
    transitions = []
    for s, e in merged:
        if s > at:
            transitions.append((s, True))
        if e is not None and e > at:
            transitions.append((e, False))
    return present, transitions


def hold() -> None:
    """Take the log's lock (the BlocklistLock row, written) until the transaction ends.
    Writers take it first of all (before a collection's lock, so two writers never wait on
    each other crosswise) and date their changes after taking it; readers take it to fix
    X-Changes-Until, so every change dated before that is committed and read."""
    lock = _model(None, "BlocklistLock")
    if not lock.objects.filter(pk=1).update(held_at=timezone.now()):
        lock.objects.get_or_create(pk=1)  # a database flushed by a test has no row
        lock.objects.filter(pk=1).update(held_at=timezone.now())


@contextlib.contextmanager
def frozen():
    """`with frozen() as until:` read a list or its changes as of `until`, no write between."""
    with transaction.atomic():
        hold()
        yield timezone.now()


def sync(keys, at: dt.datetime | None = None, audiences=ALL, apps=None) -> int:
    """Bring the log of `keys` ((kind, value) pairs) for `audiences` (member ids, None for
    the operators; ALL: every one) in line with the data as of `at` (now, the lock held;
    the migration passes its own). Returns rows written."""
    keys = set(keys)
    if not keys:
        return 0
    if at is None:
        hold()
        at = timezone.now()
    change = _model(apps, "BlocklistChange")
    if audiences is ALL:
        audiences = [None, *_model(apps, "Member").objects.values_list("pk", flat=True)]
    audiences = list(audiences)
    members = [a for a in audiences if a is not None]
    grants = defaultdict(set)
    readable = _model(apps, "CollectionAccess").objects.filter(member_id__in=members, can_read=True)
    # a retired trust group's collections feed no member's list (roots.py); a migration
    # before 0006 sees no `active`
    if any(f.name == "active" for f in _model(apps, "ApiRoot")._meta.get_fields()):
        readable = readable.filter(collection__api_root__active=True)
    for member, collection in readable.values_list("member_id", "collection_id"):
        grants[member].add(collection)
    contributions = _contributions(keys, apps)
    named = _recipients(contributions, apps)
    who = Q(member_id__in=members)
    if None in audiences:
        who |= Q(member__isnull=True)
    state, ahead = {}, []
    for chunk in _chunks(sorted({v for _k, v in keys})):
        rows = change.objects.filter(who, value__in=chunk).values_list(
            "pk", "member_id", "kind", "value", "added", "at"
        )
        for pk, member, kind, value, added, when in rows:
            if (kind, value) not in keys:
                continue
            if when > at:
                ahead.append(pk)
            elif (member, kind, value) not in state or (when, pk) > state[(member, kind, value)][
                :2
            ]:
                state[(member, kind, value)] = (when, pk, added)
    new = []
    for kind, value in keys:
        given = contributions.get((kind, value), [])
        for audience in audiences:
            intervals = [
                (s, e)
                for s, e, collection, restricted, obj in given
                if audience is None
                or (collection in grants[audience] and (not restricted or audience in named[obj]))
            ]
            last = state.get((audience, kind, value))
            was = bool(last and last[2])
            if not intervals and not was:
                continue
            present, transitions = _timeline(intervals, at)
            if present != was:
                transitions.insert(0, (at, present))
            new += [
                change(member_id=audience, kind=kind, value=value, added=added, at=when)
                for when, added in transitions
            ]
    for chunk in _chunks(ahead):
        change.objects.filter(pk__in=chunk).delete()
    change.objects.bulk_create(new, batch_size=CHUNK)
    return len(new)


def keys_of(values_qs) -> set:
    """The (kind, value) pairs of an IndicatorValue queryset."""
    return set(values_qs.values_list("kind", "value").distinct())


def sync_objects(collection, stix_ids) -> int:
    """After versions of `stix_ids` in `collection` were stored."""
    value_model = _model(None, "IndicatorValue")
    keys = set()
    for chunk in _chunks(sorted(set(stix_ids))):
        keys |= keys_of(
            value_model.objects.filter(obj__collection=collection, obj__stix_id__in=chunk)
        )
    return sync(keys)


def sync_member(member_id, collection_ids=None, apps=None) -> int:
    """After a member's grants changed (or it was created): its list over those collections."""
    value_model = _model(apps, "IndicatorValue")
    rows = value_model.objects.filter(obj__type="indicator")
    if collection_ids is not None:
        rows = rows.filter(obj__collection_id__in=list(collection_ids))
    keys = sorted(keys_of(rows))
    done = 0
    for chunk in _chunks(keys, 2000):
        done += sync(chunk, audiences=[member_id], apps=apps)
    return done


def rebuild(apps=None) -> int:
    """Fill an empty log from the indicators as they are (migration 0003): each value on
    from its start, off at its valid_until. History before the log existed is not known
    better than that; from then on every change is recorded."""
    keys = sorted(keys_of(_model(apps, "IndicatorValue").objects.filter(obj__type="indicator")))
    done = 0
    for chunk in _chunks(keys, 2000):
        done += sync(chunk, EPOCH, apps=apps)
    return done


def changes(member_id, kinds, since: dt.datetime, until: dt.datetime) -> tuple[list, list]:
    """(added, removed) values of `kinds` on the member's list (None: the operators')
    between `since` and `until` (from `frozen()`): what was absent at `since` and is there
    at `until`, and the reverse. One query on (member, at)."""
    change = _model(None, "BlocklistChange")
    who = Q(member__isnull=True) if member_id is None else Q(member_id=member_id)
    rows = (
        change.objects.filter(who, at__gt=since, at__lte=until, kind__in=list(kinds))
        .order_by("at", "pk")
        .values_list("kind", "value", "added")
    )
    first, last = {}, {}
    for kind, value, added in rows.iterator(chunk_size=2000):
        first.setdefault((kind, value), added)
        last[(kind, value)] = added
    # the log alternates per value: the first change says the state before, the last after
    added = sorted({v for k, v in last if last[(k, v)] and first[(k, v)]})
    removed = sorted({v for k, v in last if not last[(k, v)] and not first[(k, v)]})
    return added, removed
