"""TAXII 2.1 and STIX 2.1 driven by the OASIS libraries against a live server: taxii2-client
(discovery, collections, add with status, paging, added_after, versions, manifest) and
stix2's TAXIICollectionSource / Sink; medallion, the OASIS reference server, as the
upstream that our worker polls."""

import datetime as dt

import pytest
import stix2
from stix2 import Filter, TAXIICollectionSink, TAXIICollectionSource
from taxii2client.v21 import ApiRoot, Collection, Server, as_pages

from guankao.security.isac import jobs, services
from guankao.security.isac.models import StixObject
from tests.interop import medallion_server
from tests.security.isac.conftest import indicator


def _client_args(isac):
    member, secret = isac["county"]
    return {"user": member.username, "password": secret}


@pytest.fixture
def share(live_server, isac):
    c = isac["c"]["members-share"]
    return Collection(f"{live_server.url}/taxii2/chiayi/collections/{c.pk}/", **_client_args(isac))


def test_taxii2_client_discovers_and_lists_collections(live_server, isac):
    server = Server(f"{live_server.url}/taxii2/", **_client_args(isac))
    assert server.title and server.default.url.endswith("/taxii2/chiayi/")
    root = server.api_roots[0]
    assert root.versions == ["application/taxii+json;version=2.1"]
    assert root.max_content_length > 0
    by_alias = {c.alias: c for c in root.collections}
    assert by_alias["members-share"].can_write and not by_alias["indicators-green"].can_write
    assert by_alias["incidents"].can_read


def test_taxii2_client_adds_pages_versions_and_manifest(live_server, isac, share):
    objects = [indicator(f"198.51.100.{n}") for n in range(1, 26)]
    status = share.add_objects({"objects": objects})
    assert status.status == "complete" and status.success_count == 25
    assert status.failure_count == 0 and status.pending_count == 0
    status.refresh()  # the status address without the trailing slash
    assert status.total_count == 25

    pages = list(as_pages(share.get_objects, per_request=10))
    assert [len(p["objects"]) for p in pages] == [10, 10, 5]
    assert {o["id"] for p in pages for o in p["objects"]} == {o["id"] for o in objects}

    cut = StixObject.objects.filter(type="indicator").order_by("date_added")[9].date_added
    later = share.get_objects(added_after=cut)
    assert len(later["objects"]) == 15

    changed = {**objects[0], "modified": "2099-01-01T00:00:00.000Z", "name": "改"}
    assert share.add_objects({"objects": [changed]}).success_count == 1
    versions = share.object_versions(objects[0]["id"])["versions"]
    assert len(versions) == 2
    latest = share.get_object(objects[0]["id"])["objects"]
    assert [o["name"] for o in latest] == ["改"]
    everything = share.get_object(objects[0]["id"], version="all")["objects"]
    assert len(everything) == 2
    manifest = share.get_manifest(type="indicator")["objects"]
    assert len(manifest) == 25 and manifest[0]["media_type"].startswith("application/stix+json")


def test_a_refused_object_is_named_in_the_status_the_client_reads(live_server, isac, share):
    bad = {**indicator(), "pattern": "[ipv4-addr:value = "}
    status = share.add_objects({"objects": [bad, indicator("203.0.113.8")]})
    assert (status.success_count, status.failure_count) == (1, 1)
    assert status.failures[0]["id"] == bad["id"] and "pattern" in status.failures[0]["message"]


def test_stix2_source_and_sink_read_and_write(live_server, isac, share):
    sink, source = TAXIICollectionSink(share), TAXIICollectionSource(share)
    malware = stix2.Malware(name="Emotet", is_family=True)
    first = stix2.Indicator(
        pattern="[domain-name:value = 'evil.example']",
        pattern_type="stix",
        valid_from="2026-01-01T00:00:00Z",
    )
    sink.add([malware, first])
    second = first.new_version(name="惡意網域")
    sink.add(second)
    assert source.get(first.id).name == "惡意網域"
    assert len(source.all_versions(first.id)) == 2
    found = source.query([Filter("type", "=", "malware")])
    assert [m.name for m in found] == ["Emotet"]


def test_the_worker_polls_medallion_once_per_object(live_server, isac):
    objects = [indicator(f"192.0.2.{n}") for n in range(1, 121)]
    with medallion_server.Medallion(page_size=50) as upstream_server:
        remote = Collection(
            upstream_server.collection_url,
            user=medallion_server.USER,
            password=medallion_server.PASSWORD,
        )
        assert remote.add_objects({"objects": objects[:100]}).success_count == 100
        upstream = services.upstream_create(
            actor=isac["ciso"],
            name="N-ISAC (medallion)",
            url=upstream_server.collection_url,
            collection=isac["c"]["indicators-green"],
            username=medallion_server.USER,
            password=medallion_server.PASSWORD,
        )
        assert jobs.poll(upstream) == 100
        upstream.refresh_from_db()
        assert upstream.added_after and upstream.last_error == ""
        # polled again: nothing new is stored twice
        assert jobs.poll(upstream) == 0
        remote.add_objects({"objects": objects[100:]})
        assert jobs.poll(upstream) == 20
    stored = StixObject.objects.filter(collection=isac["c"]["indicators-green"])
    assert stored.count() == 120 and set(stored.values_list("upstream", flat=True)) == {upstream.pk}


def test_a_failing_upstream_keeps_its_watermark_and_says_why(live_server, isac):
    upstream = services.upstream_create(
        actor=isac["ciso"],
        name="gone",
        url="http://127.0.0.1:9/taxii2/x/collections/y/",
        collection=isac["c"]["indicators-green"],
    )
    assert jobs.poll(upstream, dt.datetime(2026, 12, 1, tzinfo=dt.UTC)) == 0
    upstream.refresh_from_db()
    assert upstream.added_after == "" and upstream.last_error


def test_an_api_root_opened_directly_lists_only_standard_properties(live_server, isac):
    root = ApiRoot(f"{live_server.url}/taxii2/chiayi/", **_client_args(isac))
    assert root.title and root.custom_properties == {}
    assert all(c.custom_properties == {} for c in root.collections)


def test_taxii2_client_reads_a_new_trust_group_until_its_grant_is_removed(live_server, isac):
    """A trust group the CISO created (roots.py): listed by discovery, its collection read
    by taxii2-client with the member's credentials; without the grant, refused."""
    import requests

    from guankao.security.isac import ingest, roots
    from guankao.security.isac.access import Principal

    ciso, member = isac["ciso"], isac["county"][0]
    root = roots.root_create(actor=ciso, slug="yunchiachia", title="雲嘉嘉聯防")
    c = roots.collection_create(actor=ciso, root=root, alias="shared", title="分享", tlp="green")
    roots.grants_set(actor=ciso, collection=c, wanted={member.pk: (True, False)})
    ingest.objects_add(
        principal=Principal(user=ciso, operator=True),
        collection=c,
        objects=[indicator("203.0.113.9")],
    )
    server = Server(f"{live_server.url}/taxii2/", **_client_args(isac))
    found = {r.url.rstrip("/").rsplit("/", 1)[-1]: r for r in server.api_roots}
    assert set(found) >= {"chiayi", "yunchiachia"}
    group = ApiRoot(found["yunchiachia"].url, **_client_args(isac))
    assert group.title == "雲嘉嘉聯防"
    [listed] = group.collections
    assert listed.can_read and not listed.can_write
    objects = listed.get_objects()["objects"]
    assert [o["pattern"] for o in objects] == ["[ipv4-addr:value = '203.0.113.9']"]

    roots.grants_set(actor=ciso, collection=c, wanted={member.pk: (False, False)})
    again = Collection(listed.url, **_client_args(isac))
    with pytest.raises(requests.exceptions.HTTPError) as refused:
        again.get_objects()
    assert refused.value.response.status_code == 404
