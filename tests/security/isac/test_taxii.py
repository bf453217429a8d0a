"""The TAXII 2.1 server through HTTP: media types, auth, every endpoint, paging, versions,
bad input answered with the spec's errors or a failure in the status."""

import json

import pytest

from guankao.security.isac.models import StixObject
from tests.security.isac.conftest import MEDIA, Taxii, basic, indicator, new_id, url

pytestmark = pytest.mark.django_db


def test_it_discovers_the_roots_and_collections(county_taxii, isac):
    r = county_taxii.get("/taxii2/")
    assert r.status_code == 200 and r["Content-Type"] == MEDIA
    assert r.json()["default"].endswith("/taxii2/chiayi/")
    root = county_taxii.get("/taxii2/chiayi/").json()
    assert root["versions"] == [MEDIA] and root["max_content_length"] > 0
    found = county_taxii.get("/taxii2/chiayi/collections/").json()["collections"]
    share = next(c for c in found if c["alias"] == "members-share")
    assert share["can_read"] and share["can_write"]
    green = next(c for c in found if c["alias"] == "indicators-green")
    assert green["can_read"] and not green["can_write"]
    one = county_taxii.get(url(isac["c"]["incidents"], ""))
    assert one.json()["media_types"] == ["application/stix+json;version=2.1"]


def test_it_asks_for_credentials_and_refuses_wrong_ones(client, isac):
    r = client.get("/taxii2/", HTTP_ACCEPT=MEDIA)
    assert r.status_code == 401 and r["WWW-Authenticate"].startswith("Basic")
    assert r.json()["http_status"] == "401" and r["Content-Type"] == MEDIA
    wrong = Taxii(client, "Basic " + "eDp5")  # x:y
    assert wrong.get("/taxii2/").status_code == 401
    assert Taxii(client, "Bearer nope").get("/taxii2/").status_code == 401


def test_it_answers_406_to_a_wrong_accept_and_415_to_a_wrong_body_type(client, county_taxii, isac):
    r = client.get("/taxii2/", HTTP_ACCEPT="application/xml", HTTP_AUTHORIZATION=county_taxii.auth)
    assert r.status_code == 406 and r.json()["title"]
    r = client.get(
        "/taxii2/",
        HTTP_ACCEPT="application/taxii+json;version=2.0",
        HTTP_AUTHORIZATION=county_taxii.auth,
    )
    assert r.status_code == 406
    r = county_taxii.post(
        url(isac["c"]["members-share"]), [indicator()], content_type="application/json"
    )
    assert r.status_code == 415


def test_it_stores_posted_objects_and_reports_each_in_the_status(county_taxii, isac):
    share = isac["c"]["members-share"]
    good = indicator()
    bad_pattern = {**indicator(), "id": new_id(), "pattern": "[ipv4-addr:value = "}
    unknown = {"type": "x-thing", "spec_version": "2.1", "id": new_id("x-thing")}
    old_spec = {**indicator(), "id": new_id(), "spec_version": "2.0"}
    r = county_taxii.post(url(share), [good, bad_pattern, unknown, old_spec, "text"])
    assert r.status_code == 202 and r["Content-Type"] == MEDIA
    status = r.json()
    assert (status["total_count"], status["success_count"], status["failure_count"]) == (5, 1, 4)
    assert status["pending_count"] == 0 and status["status"] == "complete"
    reasons = {f["id"]: f["message"] for f in status["failures"]}
    assert "pattern" in reasons[bad_pattern["id"]] and "2.0" in reasons[old_spec["id"]]
    assert StixObject.objects.filter(collection=share).count() == 1
    for path in (f"/taxii2/chiayi/status/{status['id']}/", f"/taxii2/chiayi/status/{status['id']}"):
        again = county_taxii.get(path)
        assert again.status_code == 200 and again.json()["success_count"] == 1
    # the same object again: idempotent
    r = county_taxii.post(url(share), [good])
    assert r.json()["success_count"] == 1
    assert StixObject.objects.filter(collection=share).count() == 1


def test_it_refuses_bodies_that_are_not_envelopes_and_bodies_too_large(county_taxii, isac):
    share = isac["c"]["members-share"]
    r = county_taxii.post(url(share), body="{not json")
    assert r.status_code == 400 and r.json()["http_status"] == "400"
    assert county_taxii.post(url(share), body="[]").status_code == 400
    root = share.api_root
    root.max_content_length = 200
    root.save()
    r = county_taxii.post(url(share), [indicator()])
    assert r.status_code == 413 and r["Content-Type"] == MEDIA
    assert not StixObject.objects.exclude(type="identity").exists()  # the members' own only


def test_a_member_may_not_write_to_a_read_only_collection(county_taxii, isac):
    r = county_taxii.post(url(isac["c"]["indicators-green"]), [indicator()])
    assert r.status_code == 403 and r.json()["http_status"] == "403"
    assert not StixObject.objects.exclude(type="identity").exists()  # the members' own only


def test_it_keeps_versions_and_filters_by_version(county_taxii, isac):
    share = isac["c"]["members-share"]
    first = indicator(created="2026-01-01T00:00:00.000Z", modified="2026-01-01T00:00:00.000Z")
    second = {**first, "modified": "2026-02-01T00:00:00.000Z", "name": "v2"}
    third = {**first, "modified": "2026-03-01T00:00:00.000Z", "name": "v3"}
    county_taxii.post(url(share), [second])
    county_taxii.post(url(share), [first, third])
    path = url(share, f"objects/{first['id']}/")
    assert [o.get("name") for o in county_taxii.get(path).json()["objects"]] == ["v3"]
    r = county_taxii.get(path, **{"match[version]": "first"})
    assert [o["modified"] for o in r.json()["objects"]] == ["2026-01-01T00:00:00.000Z"]
    r = county_taxii.get(path, **{"match[version]": "all"})
    assert len(r.json()["objects"]) == 3
    r = county_taxii.get(path, **{"match[version]": "2026-02-01T00:00:00.000Z"})
    assert [o["name"] for o in r.json()["objects"]] == ["v2"]
    versions = county_taxii.get(url(share, f"objects/{first['id']}/versions/")).json()
    assert sorted(versions["versions"]) == [
        "2026-01-01T00:00:00.000000Z",
        "2026-02-01T00:00:00.000000Z",
        "2026-03-01T00:00:00.000000Z",
    ]
    manifest = county_taxii.get(url(share, "manifest/")).json()["objects"]
    assert [m["version"] for m in manifest] == ["2026-03-01T00:00:00.000000Z"]
    assert county_taxii.get(url(share, f"objects/{new_id()}/")).status_code == 404


def test_it_pages_with_a_signed_next_and_refuses_a_forged_one(county_taxii, isac, settings):
    share = isac["c"]["members-share"]
    county_taxii.post(url(share), [indicator(f"198.51.100.{n}") for n in range(1, 8)])
    seen, token, pages = [], None, 0
    while True:
        params = {"limit": 3, **({"next": token} if token else {})}
        r = county_taxii.get(url(share), **params)
        body = r.json()
        seen += [o["id"] for o in body["objects"]]
        pages += 1
        assert r["X-TAXII-Date-Added-First"] <= r["X-TAXII-Date-Added-Last"]
        if not body["more"]:
            break
        token = body["next"]
    assert pages == 3 and len(set(seen)) == 7
    r = county_taxii.get(url(share), limit=3, next=token[:-2] + "xx")
    assert r.status_code == 400 and r.json()["title"]
    r = county_taxii.get(url(share), limit=3, next=token, **{"match[type]": "sighting"})
    assert r.status_code == 400  # a token of other filters


def test_an_expired_next_is_the_specs_400(county_taxii, isac, monkeypatch):
    from guankao.security.isac import paging

    share = isac["c"]["members-share"]
    county_taxii.post(url(share), [indicator(f"198.51.100.{n}") for n in range(1, 4)])
    token = county_taxii.get(url(share), limit=1).json()["next"]
    monkeypatch.setattr(paging, "NEXT_MAX_AGE", -1)
    r = county_taxii.get(url(share), limit=1, next=token)
    assert r.status_code == 400
    assert any(word in r.json()["description"] for word in ("expired", "逾期"))


def test_it_filters_by_added_after_type_and_id(county_taxii, isac):
    share = isac["c"]["members-share"]
    a, b = indicator("198.51.100.1"), indicator("198.51.100.2")
    county_taxii.post(url(share), [a])
    last = county_taxii.get(url(share))["X-TAXII-Date-Added-Last"]
    county_taxii.post(url(share), [b])
    after = county_taxii.get(url(share), added_after=last).json()["objects"]
    assert [o["id"] for o in after] == [b["id"]]
    by_id = county_taxii.get(url(share), **{"match[id]": a["id"]}).json()["objects"]
    assert [o["id"] for o in by_id] == [a["id"]]
    assert county_taxii.get(url(share), **{"match[type]": "malware"}).json() == {
        "more": False,
        "objects": [],
    }
    assert county_taxii.get(url(share), added_after="yesterday").status_code == 400
    assert county_taxii.get(url(share), limit="0").status_code == 400


def test_a_member_deletes_only_what_it_shared(client, county_taxii, isac):
    from tests.security.isac.conftest import basic

    share = isac["c"]["members-share"]
    mine = indicator("198.51.100.9")
    county_taxii.post(url(share), [mine])
    office = Taxii(client, basic(isac["office"]))
    r = office.delete(url(share, f"objects/{mine['id']}/"))
    assert r.status_code == 403
    r = county_taxii.delete(url(share, f"objects/{mine['id']}/"))
    assert r.status_code == 200
    assert not StixObject.objects.exclude(type="identity").exists()  # the members' own only


def test_a_member_does_not_see_tlp_red_unless_named(client, county_taxii, isac):
    from stix2 import TLP_RED

    from tests.security.isac.conftest import basic

    share = isac["c"]["members-share"]
    red = indicator("203.0.113.5", object_marking_refs=[TLP_RED.id])
    assert county_taxii.post(url(share), [red]).json()["success_count"] == 1
    office = Taxii(client, basic(isac["office"]))
    assert office.get(url(share)).json()["objects"] == []
    assert office.get(url(share, f"objects/{red['id']}/")).status_code == 404
    mine = county_taxii.get(url(share)).json()["objects"]
    assert [o["id"] for o in mine] == [red["id"]]


def test_a_member_cannot_claim_another_members_identity(client, county_taxii, isac):
    share = isac["c"]["members-share"]
    office_identity = isac["office"][0].identity_id
    forged = indicator(created_by_ref=office_identity)
    status = county_taxii.post(url(share), [forged]).json()
    assert status["failure_count"] == 1 and "created_by_ref" in status["failures"][0]["message"]


def test_the_ciso_reads_with_an_api_token(client, isac):
    from guankao.core import services as core_services

    _token, raw = core_services.token_create(actor=isac["ciso"], name="taxii")
    ciso = Taxii(client, f"Bearer {raw}")
    found = ciso.get("/taxii2/chiayi/collections/").json()["collections"]
    assert len(found) == 6 and all(c["can_write"] for c in found)


def test_a_bad_json_envelope_item_never_raises(county_taxii, isac):
    share = isac["c"]["members-share"]
    weird = [{}, {"id": 5, "type": []}, {"type": "indicator", "id": "indicator--x"}, None, 3]
    r = county_taxii.post(url(share), body=json.dumps({"objects": weird}))
    assert r.status_code == 202 and r.json()["failure_count"] == 5


def test_odd_but_valid_spellings_and_odd_references_never_raise(county_taxii, isac):
    share = isac["c"]["members-share"]
    odd = {**indicator(), "created_by_ref": ["not", "a", "string"]}
    sighting = {
        "type": "sighting",
        "spec_version": "2.1",
        "id": new_id("sighting"),
        "created": "2026-01-01T00:00:00Z",
        "modified": "2026-01-01T00:00:00Z",
        "sighting_of_ref": new_id("indicator"),
        "count": 4,
    }
    status = county_taxii.post(url(share), [odd, sighting]).json()
    assert (status["success_count"], status["failure_count"]) == (1, 1)
    from guankao.security.isac.models import Sighting

    assert Sighting.objects.get().count == 4


def test_a_members_created_by_ref_names_it_for_every_reader(client, county_taxii, isac):
    """Each member's STIX identity is in the members' directory: what the office shares
    as itself, the county can tell is the office's."""
    office = isac["office"][0]
    shared = indicator("198.51.100.61", created_by_ref=office.identity_id)
    Taxii(client, basic(isac["office"])).post(url(isac["c"]["members-share"]), [shared])
    seen = county_taxii.get(url(isac["c"]["members-share"])).json()["objects"]
    creator = next(o for o in seen if o["id"] == shared["id"])["created_by_ref"]
    directory = county_taxii.get(url(isac["c"]["members"])).json()["objects"]
    names = {o["id"]: o["name"] for o in directory if o["type"] == "identity"}
    assert names[creator] == office.name and len(names) == 2
    assert not county_taxii.get(url(isac["c"]["members"]), **{"match[type]": "indicator"}).json()[
        "objects"
    ]
