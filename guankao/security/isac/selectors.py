"""Reads of the ISAC, scoped to what the caller may see."""

import datetime as dt

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.utils import timezone

from guankao.security.isac.access import Principal
from guankao.security.isac.models import (
    ApiRoot,
    Collection,
    IndicatorValue,
    Recipient,
    Sighting,
    StixObject,
)


def roots_for(principal: Principal) -> QuerySet[ApiRoot]:
    """Active roots only: a retired trust group answers 404 to everyone."""
    if principal.operator:
        return ApiRoot.objects.filter(active=True)
    if principal.member is None:
        return ApiRoot.objects.none()
    return ApiRoot.objects.filter(
        active=True, collections__grants__member=principal.member
    ).distinct()


def collections_for(principal: Principal, root: ApiRoot) -> list[Collection]:
    return [c for c in root.collections.all() if principal.sees(c)]


def red_q(principal: Principal) -> Q:
    """TLP:RED rows only for their named recipients."""
    if principal.operator:
        return Q()
    if principal.member is None:
        return Q(restricted=False)
    named = Recipient.objects.filter(obj=OuterRef("pk"), member=principal.member)
    return Q(restricted=False) | Q(Exists(named))


def objects_in(principal: Principal, collection: Collection) -> QuerySet[StixObject]:
    return StixObject.objects.filter(red_q(principal), collection=collection)


def readable_objects(user_principal: Principal) -> QuerySet[StixObject]:
    """Objects of every collection the principal reads (pages: search, latest indicators).
    Readers of the pages who are neither operator nor member see no TLP:RED object."""
    qs = StixObject.objects.filter(red_q(user_principal))
    if user_principal.operator or user_principal.member is None:
        return qs
    active = Collection.objects.filter(api_root__active=True)
    readable = [c.pk for c in active if user_principal.can_read(c)]
    return qs.filter(collection_id__in=readable)


def value_search(principal: Principal, value: str) -> QuerySet[StixObject]:
    value = value.strip()
    ids = IndicatorValue.objects.filter(value__in={value, value.lower()}).values("obj_id")
    return (
        readable_objects(principal)
        .filter(Q(pk__in=ids) | Q(stix_id=value))
        .select_related("collection", "member")
        .order_by("-date_added")[:100]
    )


def _sightings(indicator_ids) -> dict[tuple, list[Sighting]]:
    """The sighting rows of these indicators by (indicator, STIX sighting id), latest
    version first: one STIX sighting stored in two collections (re-shared, or polled back
    from an upstream) is one sighting, counted once."""
    rows = (
        Sighting.objects.filter(indicator_id__in=list(indicator_ids))
        .select_related("member", "obj")
        .order_by("-obj__version", "pk")
    )
    out: dict[tuple, list[Sighting]] = {}
    for row in rows:
        out.setdefault((row.indicator_id, row.obj.stix_id if row.obj else row.pk), []).append(row)
    return out


def sightings_of(indicator_ids) -> dict[str, int]:
    totals: dict[str, int] = {}
    for (indicator, _sighting), rows in _sightings(indicator_ids).items():
        totals[indicator] = totals.get(indicator, 0) + rows[0].count
    return totals


def sightings_list(indicator_id: str, limit: int = 50) -> list[Sighting]:
    """One row per STIX sighting (its latest version, attributed to the member that shared
    it if any copy says so), the latest seen first."""
    out = []
    for rows in _sightings([indicator_id]).values():
        first = rows[0]
        first.member = next((r.member for r in rows if r.member is not None), None)
        out.append(first)
    return sorted(out, key=lambda r: r.seen_at, reverse=True)[:limit]


def blocklist(principal: Principal, at: dt.datetime | None = None) -> dict[str, set[str]]:
    """Values to block at `at` (now): from the latest, unrevoked version of each indicator
    the principal reads that is valid then. Per kind: {"ipv4": {...}, ...}."""
    at = at or timezone.now()
    objs = readable_objects(principal).filter(
        type="indicator", is_latest=True, revoked=False, date_added__lte=at
    )
    rows = (
        IndicatorValue.objects.filter(obj__in=objs, valid_from__lte=at)
        .filter(Q(valid_until=None) | Q(valid_until__gt=at))
        .values_list("kind", "value")
    )
    out: dict[str, set[str]] = {k: set() for k in IndicatorValue.Kind.values}
    for kind, value in rows.iterator(chunk_size=2000):
        out[kind].add(value)
    return out


def figures(days: int = 14) -> dict:
    """The dashboard's counts: received (from members and upstream) and shared (by us)
    per day, by member and by TLP."""
    since = timezone.now() - dt.timedelta(days=days)
    recent = StixObject.objects.filter(date_added__gte=since)
    from django.db.models.functions import TruncDate

    per_day = (
        recent.annotate(day=TruncDate("date_added", tzinfo=timezone.get_current_timezone()))
        .values("day")
        .annotate(
            received=Count("pk", filter=Q(user=None)),
            shared=Count("pk", filter=~Q(user=None)),
        )
        .order_by("day")
    )
    by_member = list(
        recent.exclude(member=None)
        .values("member__name")
        .annotate(n=Count("pk"))
        .order_by("-n", "member__name")
    )
    by_tlp = list(recent.values("tlp").annotate(n=Count("pk")).order_by("tlp"))
    reporting = list(
        Sighting.objects.filter(recorded_at__gte=since)
        .exclude(member=None)
        .values("member__name")
        .annotate(n=Sum("count"), reports=Count("pk"))
        .order_by("member__name")
    )
    return {
        "per_day": list(per_day),
        "by_member": by_member,
        "by_tlp": by_tlp,
        "reporting": reporting,
        "since": since,
    }
