"""The CISO publishes a security incident as STIX 2.1: the incident, an indicator per value,
the observed data, and a sighting of each indicator by the city, sanitized and TLP-marked.

Input is plain (title, description, values, TLP, recipients) so that any register can call
it; `publish_incident` maps an incident of the security app onto it."""

import datetime as dt
import ipaddress
import json
import re
import uuid

import stix2
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from guankao.core import validation
from guankao.core.errors import NotAllowed, ServiceError
from guankao.core.models import User
from guankao.security.isac import access, stix
from guankao.security.isac.ingest import objects_add
from guankao.security.isac.models import ApiRoot, Collection, Member, Tlp

CITY_IDENTITY = f"identity--{uuid.uuid5(uuid.NAMESPACE_URL, 'https://www.chiayi.gov.tw/isac')}"
CITY_CREATED = "2026-01-01T00:00:00.000Z"
MASK = "［已遮蔽］"
_PERSONAL = [
    re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+"),  # e-mail
    re.compile(r"(?<!\d)(09\d{2}-?\d{3}-?\d{3}|0\d{1,2}-?\d{6,8})(?!\d)"),  # phone
    re.compile(r"\b[A-Z][12]\d{8}\b"),  # national ID
]
# Our own networks' kinds of address (RFC 1918, CGN, loopback, link-local, ULA): never shared.
INTERNAL = [
    ipaddress.ip_network(n)
    for n in (
        "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "127.0.0.0/8",
        "169.254.0.0/16", "fc00::/7", "fe80::/10", "::1/128",
    )
]  # fmt: skip
PUBLISHED_TLPS = [Tlp.CLEAR, Tlp.GREEN, Tlp.AMBER, Tlp.RED]


def sanitize(text: str) -> str:
    """No personal data and no staff names leave the city in what we publish."""
    for pattern in _PERSONAL:
        text = pattern.sub(MASK, text)
    names = (
        User.objects.filter(is_active=True)
        .exclude(display_name="")
        .values_list("display_name", flat=True)
    )
    for name in sorted(set(names), key=len, reverse=True):
        if len(name) >= 2 and name in text:
            text = text.replace(name, MASK)
    return text


def _values(raw: str) -> list[tuple[str, str, str]]:
    out, problems = [], []
    for n, line in enumerate(raw.splitlines(), 1):
        value = line.strip()
        if not value:
            continue
        guessed = stix.guess_kind(value)
        if guessed is None:
            problems.append(
                _("line %(n)d: %(v)s is not an IP, domain, URL or hash") % {"n": n, "v": value[:80]}
            )
            continue
        if guessed[0] in ("ipv4", "ipv6"):
            net = ipaddress.ip_network(value, strict=False)
            if any(net.version == inner.version and net.overlaps(inner) for inner in INTERNAL):
                problems.append(
                    _("line %(n)d: %(v)s is an internal address, not shared") % {"n": n, "v": value}
                )
                continue
        out.append((guessed[0], value, guessed[1]))
    if problems:
        raise ServiceError.field("indicators", "；".join(problems[:10]))
    return out


def _sco(kind: str, value: str, marking: str):
    marked = {"object_marking_refs": [marking]}
    if kind == "ipv4":
        return stix2.IPv4Address(value=value, **marked)
    if kind == "ipv6":
        return stix2.IPv6Address(value=value, **marked)
    if kind == "domain":
        return stix2.DomainName(value=value.lower(), **marked)
    if kind == "url":
        return stix2.URL(value=value, **marked)
    names = {32: "MD5", 40: "SHA-1", 64: "SHA-256", 128: "SHA-512"}
    return stix2.File(hashes={names[len(value)]: value.lower()}, **marked)


def _collection(alias: str) -> Collection:
    root = ApiRoot.objects.filter(is_default=True).first()
    found = Collection.objects.filter(api_root=root, alias=alias).first()
    if found is None:
        raise ServiceError.field("tlp", _("the ISAC has no collection %(a)s") % {"a": alias})
    return found


def city_identity() -> dict:
    return json.loads(
        stix2.Identity(
            id=CITY_IDENTITY,
            created=CITY_CREATED,
            modified=CITY_CREATED,
            name="嘉義市政府區域聯防 ISAC",
            identity_class="organization",
            sectors=["government"],
        ).serialize()
    )


@transaction.atomic
def publish(
    *,
    actor,
    title: str,
    description: str,
    indicators: str,
    tlp: str,
    recipients=(),
    valid_days: int = 30,
) -> dict:
    """Publish; returns the incident's STIX id and the statuses of the two collections."""
    if not access.can_manage(actor):
        raise NotAllowed
    if tlp not in PUBLISHED_TLPS:
        raise ServiceError.field("tlp", _("choose TLP:CLEAR, GREEN, AMBER or RED"))
    recipients = list(recipients)
    if tlp == Tlp.RED and not recipients:
        raise ServiceError.field(
            "recipients", _("TLP:RED goes only to named recipients: name them")
        )
    if not 1 <= int(valid_days) <= 3650:
        raise ServiceError.field("valid_days", _("between 1 and 3650 days"))
    title = sanitize(validation.text("title", title, 200))
    description = sanitize(validation.text("description", description, 5000, required=False))
    values = _values(indicators or "")
    now = timezone.now()
    common = {"created_by_ref": CITY_IDENTITY, "object_marking_refs": [stix.MARKING_OF[tlp]]}
    incident = stix2.v21.Incident(name=title, description=description or title, **common)
    made = [incident]
    scos, indicator_objs = [], []
    for kind, value, pattern in values:
        indicator_objs.append(
            stix2.Indicator(
                name=value,
                pattern=pattern,
                pattern_type="stix",
                valid_from=now,
                valid_until=now + dt.timedelta(days=int(valid_days)),
                indicator_types=["malicious-activity"],
                **common,
            )
        )
        scos.append(_sco(kind, value, stix.MARKING_OF[tlp]))
    for ind in indicator_objs:
        made += [ind, stix2.Relationship(ind, "related-to", incident, **common)]
    if scos:
        observed = stix2.ObservedData(
            first_observed=now,
            last_observed=now,
            number_observed=1,
            object_refs=[s.id for s in scos],
            **common,
        )
        made += [observed]
        made += [
            stix2.Sighting(
                sighting_of_ref=ind.id,
                where_sighted_refs=[CITY_IDENTITY],
                observed_data_refs=[observed.id],
                count=1,
                **common,
            )
            for ind in indicator_objs
        ]
    as_dicts = [json.loads(o.serialize()) for o in [*scos, *made]]
    principal = access.Principal(user=actor, operator=True)
    members = Member.objects.filter(pk__in=[m.pk for m in recipients])
    identity = city_identity()
    shared = objects_add(
        principal=principal,
        collection=_collection("incidents"),
        objects=[identity, *as_dicts],
        recipients=members,
    )
    alias = "incidents" if tlp == Tlp.RED else f"indicators-{tlp}"
    listed = objects_add(
        principal=principal,
        collection=_collection(alias),
        objects=[identity, *[json.loads(i.serialize()) for i in indicator_objs]],
        recipients=members,
    )
    if shared.failure_count or listed.failure_count:  # our own objects: a bug, not input
        raise ServiceError.field("indicators", str((shared.failures + listed.failures)[:3]))
    return {"incident": incident.id, "statuses": [shared, listed], "indicators": len(values)}


def publish_incident(*, actor, incident, tlp: str, recipients=()) -> dict:
    """Publish a record of the security app's incident register. The register lands on
    main from another branch: this reads the fields every incident has (title, description
    and the indicators noted on it, one per line) and stays the one place to change."""
    return publish(
        actor=actor,
        title=getattr(incident, "title", str(incident)),
        description=getattr(incident, "description", ""),
        indicators=getattr(incident, "indicators", ""),
        tlp=tlp,
        recipients=recipients,
    )
