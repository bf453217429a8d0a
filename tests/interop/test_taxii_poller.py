"""The worker's poll as TAXII 2.1 means it: `added_after` is the upstream's own
X-TAXII-Date-Added-Last of the last page received, so an upstream whose clock is behind
ours loses nothing and one ahead of ours is not read again; pages are followed by `next`;
each object is stored once. Against medallion (the OASIS reference server) and our own
server."""

import datetime as dt

import medallion.views.objects
import pytest
from taxii2client.v21 import Collection

from guankao.security.isac import jobs, services
from guankao.security.isac.models import StixObject, Upstream
from tests.interop import medallion_server
from tests.security.isac.conftest import indicator

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def fetched(monkeypatch):
    """How many objects each poll was sent (stored or not)."""
    counts = []
    real = jobs.objects_add

    def counting(**kwargs):
        counts[-1] += len(kwargs["objects"])
        return real(**kwargs)

    monkeypatch.setattr(jobs, "objects_add", counting)

    def poll(upstream):
        counts.append(0)
        stored = jobs.poll(Upstream.objects.get(pk=upstream.pk))
        return stored, counts[-1]

    return poll


def _skew(monkeypatch, delta: dt.timedelta):
    """medallion's clock, which dates what it adds, off ours by `delta`."""
    real = medallion.views.objects.get_timestamp
    monkeypatch.setattr(medallion.views.objects, "get_timestamp", lambda: real() + delta)


def _medallion_upstream(isac, server):
    return services.upstream_create(
        actor=isac["ciso"],
        name="N-ISAC (medallion)",
        url=server.collection_url,
        collection=isac["c"]["indicators-green"],
        username=medallion_server.USER,
        password=medallion_server.PASSWORD,
    )


def _remote(server):
    return Collection(
        server.collection_url, user=medallion_server.USER, password=medallion_server.PASSWORD
    )


@pytest.mark.parametrize("hours", [-1, 1])
def test_an_upstream_clock_off_ours_loses_and_repeats_nothing(isac, monkeypatch, fetched, hours):
    _skew(monkeypatch, dt.timedelta(hours=hours))
    objects = [indicator(f"192.0.2.{n}") for n in range(1, 131)]
    with medallion_server.Medallion(page_size=50) as server:
        remote = _remote(server)
        assert remote.add_objects({"objects": objects[:110]}).success_count == 110
        upstream = _medallion_upstream(isac, server)
        assert fetched(upstream) == (110, 110)  # three pages of 50, 50, 10
        upstream.refresh_from_db()
        last = server.backend.data[medallion_server.API_ROOT]["collections"][0]["manifest"]
        assert upstream.added_after == max(m["date_added"] for m in last)
        assert fetched(upstream) == (0, 0)  # ahead: not read again
        remote.add_objects({"objects": objects[110:]})
        assert fetched(upstream) == (20, 20)  # behind: not lost
    stored = StixObject.objects.filter(collection=isac["c"]["indicators-green"])
    assert stored.count() == 130


def test_our_own_server_as_the_upstream(live_server, isac, monkeypatch, fetched):
    """The county's share on our server, polled into the green indicators, ten a page; the
    second batch is dated (by that server) before our previous poll started, as a server
    whose clock is behind ours would date it."""
    monkeypatch.setattr(jobs, "PAGE", 10)
    share = isac["c"]["members-share"]
    member, secret = isac["county"]
    collection_url = f"{live_server.url}/taxii2/chiayi/collections/{share.pk}/"
    remote = Collection(collection_url, user=member.username, password=secret)
    now = dt.datetime.now(dt.UTC)
    remote.add_objects({"objects": [indicator(f"198.51.100.{n}") for n in range(1, 26)]})
    StixObject.objects.filter(collection=share).update(date_added=now - dt.timedelta(hours=1))
    upstream = services.upstream_create(
        actor=isac["ciso"],
        name="our own",
        url=collection_url,
        collection=isac["c"]["indicators-green"],
        username=member.username,
        password=secret,
    )
    assert fetched(upstream) == (25, 25)
    assert Upstream.objects.get(pk=upstream.pk).added_after.startswith(
        (now - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H")
    )
    later = [indicator(f"198.51.100.{n}") for n in range(101, 113)]
    remote.add_objects({"objects": later})
    StixObject.objects.filter(collection=share, stix_id__in=[o["id"] for o in later]).update(
        date_added=now - dt.timedelta(minutes=30)
    )
    assert fetched(upstream) == (12, 12)
    assert fetched(upstream) == (0, 0)
    green = StixObject.objects.filter(collection=isac["c"]["indicators-green"])
    assert green.count() == 37 and set(green.values_list("upstream", flat=True)) == {upstream.pk}


def test_a_poll_that_fails_half_way_resumes_after_the_last_page_kept(isac, monkeypatch, fetched):
    objects = [indicator(f"192.0.2.{n}") for n in range(1, 101)]
    with medallion_server.Medallion(page_size=50) as server:
        _remote(server).add_objects({"objects": objects})
        upstream = _medallion_upstream(isac, server)
        real, calls = Collection.get_objects, []

        def second_page_fails(self, **kwargs):
            calls.append(kwargs)
            if len(calls) == 2:
                raise OSError("connection reset")
            return real(self, **kwargs)

        monkeypatch.setattr(Collection, "get_objects", second_page_fails)
        assert fetched(upstream) == (50, 50)
        upstream.refresh_from_db()
        mark = upstream.added_after
        assert mark and "connection reset" in upstream.last_error
        # from just before the last date_added kept: medallion dates one POST alike, so
        # the first page comes again too, and is stored once
        assert fetched(upstream) == (50, 100)
        assert calls[-1]["added_after"] == mark
    assert StixObject.objects.filter(collection=isac["c"]["indicators-green"]).count() == 100
