"""Storing STIX objects: the one way objects enter a collection (TAXII POST, the CISO's
publication, the upstream poller). Every object is checked on its own; what is refused is
named in the status with the reason, what is stored is stored in one transaction with the
status, so the status always says exactly what was written."""

import datetime as dt
from collections import defaultdict

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from guankao.core import audit
from guankao.core.models import AuditEntry
from guankao.security.isac import blocklog, stix
from guankao.security.isac.models import (
    Collection,
    IndicatorValue,
    Member,
    Recipient,
    Sighting,
    Status,
    StixObject,
)

CHUNK = 500


def _entry(stix_id: str, version, message: str = "") -> dict:
    out = {"id": stix_id}
    if version:
        out["version"] = version if isinstance(version, str) else stix.timestamp(version)
    if message:
        out["message"] = message
    return out


def _existing(collection, ids: list[str]) -> dict[str, list[tuple]]:
    found = defaultdict(list)
    for start in range(0, len(ids), CHUNK):
        rows = StixObject.objects.filter(
            collection=collection, stix_id__in=ids[start : start + CHUNK]
        ).values_list("pk", "stix_id", "version", "is_latest", "is_first")
        for pk, stix_id, version, latest, first in rows:
            found[stix_id].append((pk, version, latest, first))
    return found


def _refusal(checked: stix.Checked, collection, principal, identities) -> str | None:
    over = checked.tlp not in ("", "red") and collection.tlp in stix.TLP_ORDER
    if over and stix.TLP_ORDER.index(checked.tlp) > stix.TLP_ORDER.index(collection.tlp or "red"):
        return _("marked TLP:%(o)s, above this collection's TLP:%(c)s") % {
            "o": checked.tlp.upper(),
            "c": collection.tlp.upper(),
        }
    creator = checked.obj.get("created_by_ref")
    member = principal.member if principal is not None else None
    if member is not None and creator and creator != member.identity_id and creator in identities:
        return _("created_by_ref names another member: a member shares only as itself")
    return None


@transaction.atomic
def objects_add(
    *, principal, collection: Collection, objects: list, upstream=None, recipients=()
) -> Status:
    """Check and store `objects` in `collection`; the status says what happened to each."""
    blocklog.hold()  # the blocklists' log first, then the collection: see blocklog.hold
    now = timezone.now()
    # One writer per collection at a time, so the latest/first flags stay right.
    Collection.objects.select_for_update().filter(pk=collection.pk).first()
    member = principal.member if principal is not None else None
    identities = set(
        Member.objects.filter(
            identity_id__in={
                o["created_by_ref"]
                for o in objects
                if isinstance(o, dict) and isinstance(o.get("created_by_ref"), str)
            }
        ).values_list("identity_id", flat=True)
    )
    successes, failures, checked = [], [], []
    for obj in objects:
        try:
            item = stix.check(obj)
        except stix.Refused as refused:
            failures.append(_entry(refused.stix_id or "", refused.version, refused.message))
            continue
        reason = _refusal(item, collection, principal, identities)
        if reason:
            failures.append(_entry(item.stix_id, item.version, reason))
            continue
        checked.append(item)
    existing = _existing(collection, list({c.stix_id for c in checked}))
    versions = {sid: {row[1] for row in rows} for sid, rows in existing.items()}
    new, tick = [], 0
    for item in checked:
        known = versions.setdefault(item.stix_id, set())
        version = item.version
        if version is None:  # unversioned (an SCO): one version, the first one stored
            version = min(known) if known else now + dt.timedelta(microseconds=tick)
        if version in known:
            successes.append(_entry(item.stix_id, version, _("already stored")))
            continue
        known.add(version)
        new.append((item, version, now + dt.timedelta(microseconds=tick)))
        tick += 1
        successes.append(_entry(item.stix_id, version))
    rows = _store(collection, new, versions, existing, principal, upstream)
    _extras(rows, new, recipients, member)
    # the blocklists' change log, for the values of every version of these indicators
    blocklog.sync_objects(collection, [i.stix_id for i, _v, _a in new if i.type == "indicator"])
    status = Status.objects.create(
        api_root=collection.api_root,
        collection=collection,
        member=member,
        user=principal.user if principal is not None else None,
        request_timestamp=now,
        total_count=len(objects),
        success_count=len(successes),
        failure_count=len(failures),
        successes=successes,
        failures=failures,
    )
    if new or failures:
        audit.record(
            actor=principal.user if principal is not None else None,
            action=AuditEntry.Action.CREATE,
            obj=status,
            object_repr=f"{collection.title}: {len(new)}/{len(objects)}",
            note=(principal.name if principal is not None else "")
            or (upstream.name if upstream else ""),
        )
    return status


def _store(collection, new, versions, existing, principal, upstream) -> list[StixObject]:
    latest = {sid: max(vs) for sid, vs in versions.items() if vs}
    first = {sid: min(vs) for sid, vs in versions.items() if vs}
    member = principal.member if principal is not None else None
    user = principal.user if principal is not None else None
    rows = [
        StixObject(
            collection=collection,
            stix_id=item.stix_id,
            type=item.type,
            version=version,
            date_added=added,
            is_latest=version == latest[item.stix_id],
            is_first=version == first[item.stix_id],
            tlp=item.tlp,
            restricted=item.tlp == "red",
            revoked=bool(item.obj.get("revoked")),
            member=member,
            user=user if member is None else None,
            upstream=upstream,
            body=item.body,
        )
        for item, version, added in new
    ]
    StixObject.objects.bulk_create(rows, batch_size=CHUNK)
    not_latest, not_first = [], []
    for sid, olds in existing.items():
        for pk, version, is_latest, is_first in olds:
            if is_latest and version != latest[sid]:
                not_latest.append(pk)
            if is_first and version != first[sid]:
                not_first.append(pk)
    if not_latest:
        StixObject.objects.filter(pk__in=not_latest).update(is_latest=False)
    if not_first:
        StixObject.objects.filter(pk__in=not_first).update(is_first=False)
    return rows


def _extras(rows, new, recipients, member) -> None:
    values, named, sightings = [], [], []
    for row, (item, _version, _added) in zip(rows, new, strict=True):
        parsed = item.parsed
        if item.values:
            start, end = parsed["valid_from"], parsed.get("valid_until")
            values += [
                IndicatorValue(obj=row, kind=k, value=v[:2000], valid_from=start, valid_until=end)
                for k, v in item.values
            ]
        if row.restricted:
            readers = {m.pk for m in recipients} | ({member.pk} if member else set())
            named += [Recipient(obj=row, member_id=pk) for pk in readers]
        if item.type == "sighting" and item.obj.get("sighting_of_ref", "").startswith(
            "indicator--"
        ):
            seen = parsed.get("last_seen") or parsed.get("first_seen") or parsed["created"]
            sightings.append(
                Sighting(
                    indicator_id=parsed["sighting_of_ref"],
                    member=member,
                    obj=row,
                    count=int(parsed.get("count", 1) or 1),
                    seen_at=seen,
                )
            )
    IndicatorValue.objects.bulk_create(values, batch_size=CHUNK)
    Recipient.objects.bulk_create(named, batch_size=CHUNK)
    Sighting.objects.bulk_create(sightings, batch_size=CHUNK)
