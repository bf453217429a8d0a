"""The worker polls the upstream TAXII 2.1 servers (e.g. the national N-ISAC) with the OASIS
`taxii2-client`, the way TAXII 2.1 (section 3.4, 5.3) means it: `added_after` is the
upstream's own `X-TAXII-Date-Added-Last` of the last page received, so neither clock skew
nor a slow poll loses or repeats objects; pages are followed by `next` while `more` is
true; each object is stored once (the (collection, id, version) key) with its upstream.

The watermark moves after each page is stored, so a poll that fails half-way resumes at the
last page it kept (from just before its last date_added: objects added at that instant may
straddle two pages, and are stored once). A server that sends no X-TAXII-Date-Added-Last
(it should) leaves the watermark where it was: the next poll reads those objects again and
stores nothing twice."""

import datetime as dt
import logging

from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from taxii2client.common import _HTTPConnection
from taxii2client.exceptions import TAXIIServiceException
from taxii2client.v21 import Collection

from guankao.core import jobs
from guankao.security.isac import crypto, stix
from guankao.security.isac.access import Principal
from guankao.security.isac.ingest import objects_add
from guankao.security.isac.models import Upstream

log = logging.getLogger("guankao.isac")
PAGE = 1000
MAX_PAGES = 10_000  # one poll reads at most PAGE * MAX_PAGES objects; the next goes on
LAST = "X-TAXII-Date-Added-Last"


class _Headers:
    """A requests hook keeping the headers of the last response on the connection."""

    def __init__(self):
        self.last = {}

    def __call__(self, response, *args, **kwargs):
        self.last = response.headers
        return response


def _remote(upstream: Upstream, password: str) -> tuple[Collection, _Headers]:
    conn = _HTTPConnection(upstream.username or None, password or None, version="2.1")
    seen = _Headers()
    conn.session.hooks["response"].append(seen)
    return Collection(upstream.url, conn=conn), seen


def _pages(remote: Collection, seen: _Headers, added_after: str):
    """(envelope, its X-TAXII-Date-Added-Last or "") for each page, `next` followed (a
    server may give the same token for every page of one read, as medallion does)."""
    kwargs = {"added_after": added_after} if added_after else {}
    token = None
    for _n in range(MAX_PAGES):
        args = {**kwargs, "next": token} if token else kwargs
        envelope = remote.get_objects(limit=PAGE, **args)
        if not isinstance(envelope, dict):
            raise ValueError(_("the upstream answered something that is not a TAXII envelope"))
        last = _stamp(seen.last.get(LAST, ""))
        yield envelope, last
        if not envelope.get("more"):
            return
        token = envelope.get("next")
        if not token:
            # more without next: go on by date, as TAXII 2.1 allows
            if not last or last == kwargs.get("added_after"):
                raise ValueError(_("the upstream says more but gives no way to the next page"))
            kwargs = {"added_after": last}


def _parse(raw: str) -> dt.datetime | None:
    try:
        return stix.parse_timestamp(raw)
    except ValueError:
        pass
    try:
        parsed = dt.datetime.fromisoformat(raw)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def _stamp(raw: str) -> str:
    """The header as the server wrote it, if it is a timestamp (else "")."""
    raw = (raw or "").strip()[:40]
    return raw if _parse(raw) is not None else ""


def _resume_at(last: str) -> str:
    """Where a poll that stops after this page (more to come) starts again: just before
    `last`, since the next page may hold more objects added at that same instant (a
    server dates a whole POST alike). Those few are read again and stored once."""
    return stix.timestamp(_parse(last) - dt.timedelta(microseconds=1))


def poll(upstream: Upstream, now: dt.datetime | None = None) -> int:
    """Fetch what `upstream` added after its watermark; returns objects stored."""
    stored = 0
    try:
        password = upstream.get_password()
    except crypto.Unreadable:
        message = _(
            "The stored password cannot be decrypted: the key (GUANKAO_SECRETS_KEY or "
            "SECRET_KEY) changed. Enter the password again on the upstream's page."
        )
        Upstream.objects.filter(pk=upstream.pk).update(last_error=message)
        log.warning("upstream %s: password unreadable", upstream.name)
        return 0
    rotated = crypto.rotated(upstream.password_encrypted)
    if rotated:
        Upstream.objects.filter(pk=upstream.pk).update(password_encrypted=rotated)
    try:
        remote, seen = _remote(upstream, password)
        for envelope, last in _pages(remote, seen, upstream.added_after):
            objects = envelope.get("objects") or []
            if objects:
                status = objects_add(
                    principal=Principal(operator=True),
                    collection=upstream.collection,
                    objects=objects,
                    upstream=upstream,
                )
                stored += sum(1 for s in status.successes if "message" not in s)
            if last:
                mark = _resume_at(last) if envelope.get("more") else last
                Upstream.objects.filter(pk=upstream.pk).update(added_after=mark)
    except (TAXIIServiceException, OSError, ValueError) as exc:
        Upstream.objects.filter(pk=upstream.pk).update(
            last_error=str(exc)[:2000], received=F("received") + stored
        )
        log.warning("upstream %s failed: %s", upstream.name, exc)
        return stored
    Upstream.objects.filter(pk=upstream.pk).update(
        last_success_at=timezone.now(),
        last_error="",
        received=F("received") + stored,
    )
    return stored


@jobs.register("isac_poll_upstream", every=dt.timedelta(minutes=15))
def poll_upstreams(now: dt.datetime) -> int:
    done = 0
    for upstream in Upstream.objects.filter(active=True).select_related("collection__api_root"):
        # One worker per upstream and slot: the claim key names the quarter hour.
        slot = now.replace(minute=now.minute - now.minute % 15, second=0, microsecond=0)
        if not jobs.claim(f"isac-poll:{upstream.pk}:{slot.isoformat()}"):
            continue
        done += poll(upstream, now)
    return done
