"""The ISAC's pages and the blocklists, through services and HTTP."""

import datetime as dt

import pytest
from django.utils import timezone

from guankao.core.errors import NotAllowed, ServiceError
from guankao.security.isac import publishing, services
from guankao.security.isac.models import IndicatorValue, Member, Sighting, StixObject
from tests.security.isac.conftest import Taxii, basic, indicator, url

pytestmark = pytest.mark.django_db


def _publish(isac, **kwargs):
    defaults = {
        "title": "勒索軟體攻擊 王小明 0912-345-678",
        "description": "請聯絡 someone@example.com，身分證 A123456789",
        "indicators": "198.51.100.20\nevil.example\nhttp://evil.example/x\n" + "a" * 64,
        "tlp": "green",
    }
    return publishing.publish(actor=isac["ciso"], **{**defaults, **kwargs})


def test_it_publishes_sanitized_marked_stix(isac, sec_people):
    sec_people["ciso"].display_name = "王小明"
    sec_people["ciso"].save()
    result = _publish(isac)
    assert result["indicators"] == 4
    incident = StixObject.objects.get(stix_id=result["incident"])
    assert "王小明" not in incident.body and "0912" not in incident.body
    assert "someone@" not in incident.body and "A123456789" not in incident.body
    assert incident.tlp == "green"
    green = StixObject.objects.filter(collection=isac["c"]["indicators-green"], type="indicator")
    assert green.count() == 4
    kinds = set(IndicatorValue.objects.values_list("kind", flat=True))
    assert kinds == {"ipv4", "domain", "url", "hash"}
    types = set(
        StixObject.objects.filter(collection=isac["c"]["incidents"]).values_list("type", flat=True)
    )
    assert {"incident", "indicator", "observed-data", "sighting", "identity"} <= types


def test_it_refuses_internal_addresses_and_unnamed_red(isac):
    with pytest.raises(ServiceError):
        _publish(isac, indicators="10.1.2.3")
    with pytest.raises(ServiceError):
        _publish(isac, tlp="red")
    assert not StixObject.objects.exclude(type="identity").exists()  # the members' own only


def test_tlp_red_reaches_only_the_named_recipients(client, isac):
    county, office = isac["county"], isac["office"]
    _publish(isac, tlp="red", recipients=[county[0]], indicators="203.0.113.50")
    incidents = isac["c"]["incidents"]
    seen = Taxii(client, basic(county)).get(url(incidents)).json()["objects"]
    assert any(o["type"] == "incident" for o in seen)
    others = Taxii(client, basic(office)).get(url(incidents)).json()["objects"]
    assert [o["type"] for o in others] == ["identity"]  # the city's own, unmarked
    assert (
        Taxii(client, basic(county))
        .client.get("/isac/blocklist.txt", HTTP_AUTHORIZATION=basic(county))
        .content.decode()
        == "203.0.113.50\n"
    )
    text = client.get("/isac/blocklist.txt", HTTP_AUTHORIZATION=basic(office)).content
    assert text == b""


def test_the_blocklist_drops_expired_indicators_and_lists_changes(client, isac):
    share = isac["c"]["members-share"]
    county = Taxii(client, basic(isac["county"]))
    past = timezone.now() - dt.timedelta(days=3)
    stamp = past.strftime("%Y-%m-%dT%H:%M:%SZ")
    expired = indicator("198.51.100.66", valid_from="2020-01-01T00:00:00Z", valid_until=stamp)
    county.post(url(share), [indicator("198.51.100.65"), expired])
    r = client.get("/isac/blocklist.txt", HTTP_AUTHORIZATION=county.auth)
    assert r.status_code == 200 and r["Content-Type"].startswith("text/plain")
    assert r.content.decode() == "198.51.100.65\n"
    since = (past - dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    r = client.get("/isac/blocklist.txt", {"since": since}, HTTP_AUTHORIZATION=county.auth)
    assert r.content.decode() == "+198.51.100.65\n"  # neither was there yet
    assert r["X-Changes-Until"].endswith("Z")  # expiry between reads: test_blocklog.py
    r = client.get("/isac/blocklist.txt", {"kind": "domain"}, HTTP_AUTHORIZATION=county.auth)
    assert r.content == b""
    assert (
        client.get(
            "/isac/blocklist.txt", {"since": "soon"}, HTTP_AUTHORIZATION=county.auth
        ).status_code
        == 400
    )
    assert client.get("/isac/blocklist.txt").status_code == 401


def test_sightings_are_counted_per_indicator(isac, sec_clients, sec_people):
    result = _publish(isac, indicators="198.51.100.77")
    ind = StixObject.objects.filter(type="indicator").first()
    officer = sec_clients["other_security"]  # the office's security officer: a member
    r = officer.post(f"/isac/objects/{ind.stix_id}/", {"count": 3})
    assert r.status_code == 302
    r = officer.get(f"/isac/objects/{ind.stix_id}/")
    assert r.status_code == 200
    # the city's own sighting at publication (1) and the office's three
    assert r.context["total"] == 4
    assert Sighting.objects.filter(member=isac["office"][0]).count() == 1
    assert result["incident"]


def test_the_pages_answer_each_persona(isac, sec_clients, django_assert_max_num_queries):
    _publish(isac)
    ciso = sec_clients["ciso"]
    with django_assert_max_num_queries(20):
        assert ciso.get("/isac/").status_code == 200
    assert ciso.get("/isac/", {"q": "198.51.100.20"}).context["found"]
    assert sec_clients["officer"].get("/isac/").status_code == 200
    assert sec_clients["liaison"].get("/isac/").status_code == 403
    assert sec_clients["officer"].get("/isac/publish/").status_code == 403
    assert ciso.get("/isac/publish/").status_code == 200
    assert ciso.get("/isac/members/").status_code == 200
    assert ciso.get(f"/isac/members/{isac['county'][0].pk}/").status_code == 200
    assert ciso.get("/isac/upstreams/").status_code == 200


def test_the_ciso_adds_a_member_and_sees_the_secret_once(client, isac, sec_clients):
    r = sec_clients["ciso"].post(
        "/isac/members/",
        {
            "name": "嘉義縣消防局",
            "kind": "neighbour",
            "contact_name": "資安窗口",
            "contact_email": "soc@example.gov.tw",
        },
    )
    assert r.status_code == 200 and r.context["secret"]
    member = Member.objects.get(name="嘉義縣消防局")
    taxii = Taxii(client, basic((member, r.context["secret"])))
    assert taxii.get("/taxii2/").status_code == 200
    refused = sec_clients["ciso"].post("/isac/members/", {"name": "嘉義縣消防局"})
    assert refused.status_code == 400


def test_the_ciso_publishes_through_the_page(isac, sec_clients):
    r = sec_clients["ciso"].post(
        "/isac/publish/",
        {
            "title": "釣魚郵件",
            "indicators": "phish.example",
            "tlp": "amber",
            "valid_days": 30,
        },
    )
    assert r.status_code == 302
    r = sec_clients["ciso"].post(
        "/isac/publish/",
        {"title": "釣魚郵件", "indicators": "not a value", "tlp": "amber", "valid_days": 30},
    )
    assert r.status_code == 400 and "indicators" in r.context["form"].errors


def test_a_grant_changes_what_a_member_reads(client, isac, sec_clients):
    county = isac["county"]
    green = isac["c"]["indicators-green"]
    r = sec_clients["ciso"].post(
        f"/isac/members/{county[0].pk}/", {"collection": str(green.pk), "can_read": ""}
    )
    assert r.status_code == 302
    assert Taxii(client, basic(county)).get(url(green)).status_code == 404
    new_secret = services.member_reset_secret(actor=isac["ciso"], member=county[0])
    assert Taxii(client, basic(county)).get("/taxii2/").status_code == 401
    assert Taxii(client, basic((county[0], new_secret))).get("/taxii2/").status_code == 200


def test_an_incident_record_is_published_through_the_hook(isac, sec_people):
    class Incident:  # the fields the security app's incident register will carry
        title = "主機遭入侵"
        description = "由 198.51.100.99 連入"
        indicators = "198.51.100.99"

    result = publishing.publish_incident(actor=isac["ciso"], incident=Incident(), tlp="amber")
    assert result["indicators"] == 1
    assert StixObject.objects.filter(stix_id=result["incident"], tlp="amber").exists()
    with pytest.raises(NotAllowed):
        publishing.publish_incident(actor=sec_people["security"], incident=Incident(), tlp="amber")


def test_the_ciso_shares_an_incident_from_its_page(sec_clients, sec_people, agencies):
    from tests.security.incident_helpers import incident

    item = incident(sec_people["ciso"], agencies["office"])
    page = sec_clients["ciso"].get(f"/security/incidents/{item.pk}/").content.decode()
    assert f"/isac/publish/?incident={item.pk}" in page
    form = sec_clients["ciso"].get(f"/isac/publish/?incident={item.pk}").content.decode()
    assert item.number in form and item.title in form
    # the security officer of the incident's agency may not publish; another's never sees it
    assert (
        "/isac/publish/"
        not in sec_clients["other_security"].get(f"/security/incidents/{item.pk}/").content.decode()
    )
    assert sec_clients["security"].get(f"/security/incidents/{item.pk}/").status_code == 404


def test_the_ciso_keeps_a_members_contact(isac, sec_clients):
    from guankao.core.models import AuditEntry

    member = isac["county"][0]
    page = f"/isac/members/{member.pk}/"
    assert "縣府資安窗口" in sec_clients["ciso"].get(page).content.decode()
    bad = sec_clients["ciso"].post(
        page,
        {"action": "contact", "contact-contact_name": "", "contact-contact_email": "not-mail"},
    )
    assert bad.status_code == 400
    member.refresh_from_db()
    assert member.contact_name == "縣府資安窗口"
    done = sec_clients["ciso"].post(
        page,
        {
            "action": "contact",
            "contact-contact_name": "新窗口",
            "contact-contact_email": "isac@cyhg.gov.tw",
            "contact-contact_phone": "05-3620123",
        },
    )
    assert done.status_code == 302
    member.refresh_from_db()
    assert (member.contact_name, member.contact_phone) == ("新窗口", "05-3620123")
    assert AuditEntry.objects.filter(object_id=str(member.pk), action="update").exists()
    assert sec_clients["officer"].post(page, {"action": "contact"}).status_code == 403


def test_one_stix_sighting_stored_twice_is_counted_once(client, isac, sec_clients):
    """Polled back from an upstream or re-shared in another collection, one STIX sighting
    is one sighting: counted once, attributed to the member that shared it."""
    import json

    import stix2

    from guankao.security.isac.access import Principal
    from guankao.security.isac.ingest import objects_add

    _publish(isac, indicators="198.51.100.78")  # the city's own sighting, count 1
    ind = StixObject.objects.filter(type="indicator").first()
    county = isac["county"][0]
    seen = json.loads(
        stix2.Sighting(
            sighting_of_ref=ind.stix_id, count=4, created_by_ref=county.identity_id
        ).serialize()
    )
    Taxii(client, basic(isac["county"])).post(url(isac["c"]["members-share"]), [seen])
    objects_add(
        principal=Principal(operator=True), collection=isac["c"]["indicators-amber"], objects=[seen]
    )
    assert Sighting.objects.filter(indicator_id=ind.stix_id).count() == 3
    r = sec_clients["ciso"].get(f"/isac/objects/{ind.stix_id}/")
    assert r.context["total"] == 5
    assert [(s.member, s.count) for s in r.context["sightings"]] == [(county, 4), (None, 1)]
    figures = sec_clients["ciso"].get("/isac/").context["latest"]
    assert {o.stix_id: o.sightings for o in figures}[ind.stix_id] == 5
