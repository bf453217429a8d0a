"""TAXII filtering and paging: added_after, limit, next, match[id|type|version|spec_version].

Pages are read along the index (collection, date_added, id). `next` is a signed token that
carries where the last page ended and a digest of the filters; it expires after
NEXT_MAX_AGE seconds, and a forged, expired or re-used-with-other-filters token is the
spec's 400."""

import hashlib
import uuid
from dataclasses import dataclass, field

from django.conf import settings
from django.core import signing
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from guankao.security.isac import stix

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
NEXT_MAX_AGE = getattr(settings, "GUANKAO_ISAC_NEXT_MAX_AGE", 3600)
SALT = "guankao.isac.taxii.next"
FILTERS = ("added_after", "match[id]", "match[type]", "match[version]", "match[spec_version]")


def uuid_or_none(value: str):
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def _bad(title, description=""):
    from guankao.security.isac.taxii import TaxiiError

    return TaxiiError(400, title, description)


@dataclass
class Query:
    collection_id: str
    object_id: str | None = None
    params: dict = field(default_factory=dict)
    limit: int = DEFAULT_LIMIT
    after: tuple | None = None  # (date_added, pk) of the last row already sent
    version_default: str = "last"
    versions_only: bool = False

    @classmethod
    def from_request(cls, request, collection, *, object_id=None, versions=False, deleting=False):
        get = request.GET
        params = {k: get.get(k) for k in FILTERS if get.get(k) not in (None, "")}
        query = cls(str(collection.pk), object_id, params, versions_only=versions)
        query.version_default = "all" if versions or deleting else "last"
        raw_limit = get.get("limit")
        if raw_limit not in (None, ""):
            if not raw_limit.isdigit() or not 1 <= int(raw_limit) <= 10**9:
                raise _bad(_("Bad limit"), _("limit must be a positive whole number."))
            query.limit = min(int(raw_limit), MAX_LIMIT)
        token = get.get("next")
        if token:
            query.after = query._open(token)
        return query

    def _digest(self) -> str:
        text = "|".join(f"{k}={self.params.get(k, '')}" for k in FILTERS)
        key = f"{self.collection_id}|{self.object_id or ''}|{self.versions_only}|{text}"
        return hashlib.sha256(key.encode()).hexdigest()[:32]

    def _open(self, token: str) -> tuple:
        try:
            data = signing.loads(token, salt=SALT, max_age=NEXT_MAX_AGE)
        except signing.SignatureExpired:
            raise _bad(_("Expired next"), _("The next token has expired: start again.")) from None
        except signing.BadSignature:
            raise _bad(_("Bad next"), _("The next token is not one this server gave.")) from None
        if not isinstance(data, dict) or data.get("f") != self._digest():
            raise _bad(_("Bad next"), _("The next token was given for other filters."))
        try:
            return (stix.parse_timestamp(data["d"]), int(data["p"]))
        except (KeyError, ValueError, TypeError):
            raise _bad(_("Bad next"), _("The next token is not one this server gave.")) from None

    def _seal(self, date_added, pk) -> str:
        data = {"f": self._digest(), "d": stix.timestamp(date_added), "p": pk}
        return signing.dumps(data, salt=SALT, compress=True)

    def filter(self, qs: QuerySet) -> QuerySet:
        p = self.params
        if "added_after" in p:
            try:
                qs = qs.filter(date_added__gt=stix.parse_timestamp(p["added_after"]))
            except ValueError:
                raise _bad(_("Bad added_after"), _("added_after must be a timestamp.")) from None
        if "match[id]" in p:
            qs = qs.filter(stix_id__in=_split(p["match[id]"]))
        if "match[type]" in p:
            qs = qs.filter(type__in=_split(p["match[type]"]))
        if "match[spec_version]" in p:
            qs = qs.filter(spec_version__in=_split(p["match[spec_version]"]))
        if not self.versions_only or "match[version]" in p:
            qs = qs.filter(self._versions(p.get("match[version]", self.version_default)))
        return qs

    def _versions(self, raw: str) -> Q:
        q, stamps = Q(pk__in=[]), []
        for part in _split(raw):
            if part == "all":
                return Q()
            if part == "last":
                q |= Q(is_latest=True)
            elif part == "first":
                q |= Q(is_first=True)
            else:
                try:
                    stamps.append(stix.parse_timestamp(part))
                except ValueError:
                    raise _bad(
                        _("Bad match[version]"),
                        _("match[version] takes last, first, all or timestamps."),
                    ) from None
        return q | Q(version__in=stamps) if stamps else q

    def page(self, qs: QuerySet, fields: tuple) -> tuple[list, bool, str]:
        qs = self.filter(qs)
        if self.after is not None:
            added, pk = self.after
            qs = qs.filter(date_added__gte=added).exclude(date_added=added, pk__lte=pk)
        rows = list(
            qs.order_by("date_added", "pk").values_list("pk", "date_added", *fields)[
                : self.limit + 1
            ]
        )
        more = len(rows) > self.limit
        rows = rows[: self.limit]
        token = self._seal(rows[-1][1], rows[-1][0]) if more else ""
        return rows, more, token


def _split(raw: str) -> list[str]:
    return [part.strip() for part in raw.split(",") if part.strip()][:1000]
