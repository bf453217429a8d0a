"""The worker polls the upstream TAXII 2.1 servers (e.g. the national N-ISAC) with the OASIS
`taxii2-client`: added_after from when the last successful poll started, every page
followed, each object stored once (the (collection, id, version) key) with its upstream."""

import datetime as dt
import logging

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from taxii2client.exceptions import TAXIIServiceException
from taxii2client.v21 import Collection, as_pages

from guankao.core import jobs
from guankao.security.isac.access import Principal
from guankao.security.isac.ingest import objects_add
from guankao.security.isac.models import Upstream

log = logging.getLogger("guankao.isac")
PAGE = 1000
# Clocks differ: ask again for a margin before the last poll started (stored once anyway).
OVERLAP = dt.timedelta(minutes=5)


def poll(upstream: Upstream, now: dt.datetime | None = None) -> int:
    """Fetch what `upstream` added since its last successful poll; returns objects stored."""
    started = now or timezone.now()
    kwargs = {}
    if upstream.polled_until is not None:
        kwargs["added_after"] = upstream.polled_until - OVERLAP
    stored = 0
    try:
        remote = Collection(
            upstream.url,
            user=upstream.username or None,
            password=upstream.password or None,
        )
        for envelope in as_pages(remote.get_objects, per_request=PAGE, **kwargs):
            objects = envelope.get("objects", [])
            if objects:
                status = objects_add(
                    principal=Principal(operator=True),
                    collection=upstream.collection,
                    objects=objects,
                    upstream=upstream,
                )
                stored += sum(1 for s in status.successes if "message" not in s)
    except (TAXIIServiceException, OSError, ValueError) as exc:
        Upstream.objects.filter(pk=upstream.pk).update(last_error=str(exc)[:2000])
        log.warning("upstream %s failed: %s", upstream.name, exc)
        return stored
    with transaction.atomic():
        Upstream.objects.filter(pk=upstream.pk).update(
            polled_until=started,
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
