"""The blocklist's `?since=`: exactly what went on and off one member's list since then, from
the change log, whatever happened in between (expiry, a later valid_from, revocation, a
new version, a TAXII DELETE, a grant, TLP:RED recipients)."""

import datetime as dt

import pytest
from django.utils import timezone

from guankao.security.isac import blocklog, publishing, selectors, services, stix
from guankao.security.isac.access import Principal
from guankao.security.isac.models import BlocklistChange, IndicatorValue
from tests.security.isac.conftest import Taxii, basic, indicator, url

pytestmark = pytest.mark.django_db
T0 = dt.datetime(2026, 12, 1, 0, 0, tzinfo=dt.UTC)
KINDS = IndicatorValue.Kind.values


class Clock:
    def __init__(self, monkeypatch):
        self.now = T0
        monkeypatch.setattr(timezone, "now", lambda: self.now)

    def at(self, **delta) -> dt.datetime:
        self.now = T0 + dt.timedelta(**delta)
        return self.now


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


def _z(moment: dt.datetime) -> str:
    return stix.timestamp(moment)


def _read(client, auth, since=None, **params) -> tuple[str, str]:
    if since is not None:
        params["since"] = _z(since) if isinstance(since, dt.datetime) else since
    r = client.get("/isac/blocklist.txt", params, HTTP_AUTHORIZATION=auth)
    assert r.status_code == 200, r.content
    return r.content.decode(), r["X-Changes-Until"]


def _consistent(member=None):
    """The log agrees with the list: every value on it now, added since the epoch."""
    principal = Principal(member=member) if member else Principal(operator=True)
    now = selectors.blocklist(principal)
    added, removed = blocklog.changes(
        member.pk if member else None, KINDS, blocklog.EPOCH, timezone.now()
    )
    assert (set(added), removed) == ({v for k in KINDS for v in now[k]}, [])


def test_indicators_expiring_between_two_reads(client, isac, clock):
    county = Taxii(client, basic(isac["county"]))
    share = isac["c"]["members-share"]
    soon = _z(T0 + dt.timedelta(hours=1))
    later = _z(T0 + dt.timedelta(hours=3))
    county.post(
        url(share),
        [
            indicator("198.51.100.1", valid_from=_z(T0), valid_until=soon),
            indicator("198.51.100.2", valid_from=_z(T0)),
            indicator("198.51.100.3", valid_from=_z(T0), valid_until=later),
            # not valid yet: goes on the list at T0 + 2 h
            indicator("198.51.100.4", valid_from=_z(T0 + dt.timedelta(hours=2))),
        ],
    )
    clock.at(minutes=10)
    body, first = _read(client, county.auth)
    assert body == "198.51.100.1\n198.51.100.2\n198.51.100.3\n"
    clock.at(minutes=30)
    assert _read(client, county.auth, since=first)[0] == ""
    clock.at(minutes=150)  # .1 expired, .4 began; .3 still valid
    body, second = _read(client, county.auth, since=first)
    assert body == "+198.51.100.4\n-198.51.100.1\n"
    clock.at(hours=4)  # .3 expired between the second read and this one
    assert _read(client, county.auth, since=second)[0] == "-198.51.100.3\n"
    # from before everything: what is on the list now; .1 and .3 came and went
    assert _read(client, county.auth, since=T0 - dt.timedelta(days=1))[0] == (
        "+198.51.100.2\n+198.51.100.4\n"
    )
    assert _read(client, county.auth)[0] == "198.51.100.2\n198.51.100.4\n"
    assert _read(client, county.auth, since=first, kind="domain")[0] == ""
    _consistent(isac["county"][0])
    _consistent()


def test_a_revocation_a_new_version_and_a_delete_are_changes(client, isac, clock):
    county = Taxii(client, basic(isac["county"]))
    share = isac["c"]["members-share"]
    made = {"valid_from": _z(T0), "created": _z(T0), "modified": _z(T0)}
    a = indicator("198.51.100.10", **made)
    b = indicator("198.51.100.11", **made)
    county.post(url(share), [a, b])
    clock.at(minutes=5)
    _body, mark = _read(client, county.auth)
    clock.at(minutes=10)
    county.post(url(share), [{**a, "modified": "2026-12-01T00:10:00.000Z", "revoked": True}])
    moved = {
        **b,
        "modified": "2026-12-01T00:10:00.000Z",
        "pattern": "[domain-name:value = 'moved.example']",
    }
    county.post(url(share), [moved])
    clock.at(minutes=20)
    body, mark2 = _read(client, county.auth, since=mark)
    assert body == "+moved.example\n-198.51.100.10\n-198.51.100.11\n"
    clock.at(minutes=30)
    r = county.delete(url(share, f"objects/{b['id']}/"))
    assert r.status_code == 200
    clock.at(minutes=40)
    assert _read(client, county.auth, since=mark2)[0] == "-moved.example\n"
    _consistent(isac["county"][0])
    _consistent(isac["office"][0])


def test_grants_and_tlp_red_change_what_one_member_sees(client, isac, clock, sec_people):
    county, office = isac["county"], isac["office"]
    publishing.publish(
        actor=isac["ciso"], title="綠", description="", indicators="203.0.113.1", tlp="green"
    )
    publishing.publish(
        actor=isac["ciso"],
        title="紅",
        description="",
        indicators="203.0.113.9",
        tlp="red",
        recipients=[county[0]],
    )
    clock.at(minutes=5)
    assert _read(client, basic(county), since=T0 - dt.timedelta(seconds=1))[0] == (
        "+203.0.113.1\n+203.0.113.9\n"
    )
    assert _read(client, basic(office), since=T0 - dt.timedelta(seconds=1))[0] == "+203.0.113.1\n"
    _body, mark = _read(client, basic(county))
    clock.at(minutes=10)
    # the green value is also in the incidents collection: still readable, no change
    services.grant_set(
        actor=isac["ciso"],
        member=county[0],
        collection=isac["c"]["indicators-green"],
        can_read=False,
        can_write=False,
    )
    clock.at(minutes=15)
    assert _read(client, basic(county), since=mark)[0] == ""
    services.grant_set(
        actor=isac["ciso"],
        member=county[0],
        collection=isac["c"]["incidents"],
        can_read=False,
        can_write=False,
    )
    clock.at(minutes=20)
    assert _read(client, basic(county), since=mark)[0] == "-203.0.113.1\n-203.0.113.9\n"
    assert _read(client, basic(office), since=mark)[0] == ""
    _consistent(county[0])
    _consistent(office[0])
    _consistent()


def test_a_new_member_starts_with_everything_added(client, isac, clock):
    publishing.publish(
        actor=isac["ciso"], title="綠", description="", indicators="203.0.113.2", tlp="green"
    )
    clock.at(hours=1)
    member, secret = services.member_create(
        actor=isac["ciso"],
        name="雲林縣政府",
        kind="neighbour",
        contact_name="窗口",
        contact_email="soc@yunlin.example.gov.tw",
    )
    clock.at(hours=2)
    assert _read(client, basic((member, secret)), since=T0)[0] == "+203.0.113.2\n"
    _consistent(member)


def test_changes_since_is_one_query_whatever_their_number(
    client, isac, clock, django_assert_max_num_queries
):
    county = Taxii(client, basic(isac["county"]))
    share = isac["c"]["members-share"]
    county.post(
        url(share),
        [
            indicator(
                f"198.51.100.{n}",
                valid_from=_z(T0),
                valid_until=_z(T0 + dt.timedelta(minutes=n)),
            )
            for n in range(1, 60)
        ],
    )
    clock.at(minutes=30)
    # the member (Basic); the lock (savepoint, update, release); the changes
    with django_assert_max_num_queries(5):
        body, _until = _read(client, county.auth, since=T0 + dt.timedelta(minutes=10))
    assert len(body.splitlines()) == 20 and all(line[0] == "-" for line in body.splitlines())
    assert BlocklistChange.objects.filter(member=isac["county"][0]).count() == 2 * 59


@pytest.mark.django_db(transaction=True)
def test_a_reader_waits_for_a_write_in_flight(isac):
    """X-Changes-Until is taken once no write dated before it is uncommitted: otherwise a
    change committed just after a read, but dated before it, would be in no `since`."""
    import threading
    import time

    from django.db import connection, transaction

    from guankao.security.isac.ingest import objects_add

    if connection.vendor != "postgresql":
        pytest.skip("SQLite has one writer at a time and no row locks to wait on")
    county = isac["county"][0]
    before = timezone.now()
    stored, release, seen = threading.Event(), threading.Event(), {}

    def writer():
        with transaction.atomic():
            objects_add(
                principal=Principal(member=county),
                collection=isac["c"]["members-share"],
                objects=[indicator("198.51.100.200", valid_from=_z(before))],
            )
            stored.set()
            release.wait(10)
        connection.close()

    def reader():
        with blocklog.frozen() as until:
            seen["changes"] = blocklog.changes(county.pk, KINDS, before, until)
        connection.close()

    threads = [threading.Thread(target=writer), threading.Thread(target=reader)]
    threads[0].start()
    assert stored.wait(10)
    threads[1].start()
    time.sleep(0.5)
    assert "changes" not in seen  # waiting for the write to end
    release.set()
    for thread in threads:
        thread.join(10)
    assert seen["changes"] == (["198.51.100.200"], [])
