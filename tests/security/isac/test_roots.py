"""Trust groups (API roots) and collections: the CISO's pages, the services behind them,
discovery, and the grants grid keeping the blocklist change log exact."""

import pytest

from guankao.core.errors import NotAllowed, ServiceError
from guankao.core.models import AuditEntry
from guankao.security.isac import defaults, ingest, roots
from guankao.security.isac.access import Principal
from guankao.security.isac.models import ApiRoot, BlocklistChange, Collection, CollectionAccess
from tests.security.isac.conftest import Taxii, basic, indicator

pytestmark = pytest.mark.django_db


def _neighbours(isac):
    root = roots.root_create(actor=isac["ciso"], slug="yunchiachia", title="雲嘉嘉聯防")
    shared = roots.collection_create(
        actor=isac["ciso"], root=root, alias="indicators", title="雲嘉嘉指標", tlp="green"
    )
    return root, shared


def test_the_ciso_creates_a_trust_group_that_discovery_lists(client, isac, sec_clients):
    ciso = sec_clients["ciso"]
    r = ciso.post(
        "/isac/roots/",
        {"slug": "yunchiachia", "title": "雲嘉嘉聯防", "max_content_length": "2048"},
    )
    assert r.status_code == 302
    root = ApiRoot.objects.get(slug="yunchiachia")
    assert root.max_content_length == 2048 and root.active
    assert AuditEntry.objects.filter(object_id=str(root.pk), action="create").exists()
    r = ciso.post(
        "/isac/roots/yunchiachia/",
        {"action": "collection", "new-alias": "share", "new-title": "分享", "new-tlp": "amber"},
    )
    assert r.status_code == 302
    shared = Collection.objects.get(api_root=root, alias="share")
    r = ciso.post(
        f"/isac/collections/{shared.pk}/",
        {"action": "grants", "member": [isac["county"][0].pk], "read": [isac["county"][0].pk]},
    )
    assert r.status_code == 302
    taxii = Taxii(client, basic(isac["county"]))
    found = taxii.get("/taxii2/").json()["api_roots"]
    assert any(a.endswith("/taxii2/yunchiachia/") for a in found)
    assert taxii.get(f"/taxii2/yunchiachia/collections/{shared.pk}/objects/").status_code == 200


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"slug": "Yun Chia"}, "slug"),
        ({"slug": "chiayi"}, "slug"),
        ({"slug": "collections"}, "slug"),
        ({"slug": "-x-"}, "slug"),
        ({"slug": "ok", "max_content_length": "10"}, "max_content_length"),
        ({"slug": "ok", "max_content_length": str(10**12)}, "max_content_length"),
        ({"slug": "ok", "title": ""}, "title"),
    ],
)
def test_bad_trust_groups_are_refused_with_the_field(isac, sec_clients, fields, field):
    data = {"title": "雲嘉嘉", "max_content_length": "4096", **fields}
    r = sec_clients["ciso"].post("/isac/roots/", data)
    assert r.status_code == 400
    assert field in r.context["form"].errors
    assert ApiRoot.objects.count() == 1


def test_changes_are_bounded_and_audited(isac):
    root = ApiRoot.objects.get(slug="chiayi")
    with pytest.raises(ServiceError) as refused:
        roots.root_update(
            actor=isac["ciso"], root=root, title="x", description="", max_content_length=1
        )
    assert refused.value.problems[0].field == "max_content_length"
    roots.root_update(
        actor=isac["ciso"], root=root, title="新名稱", description="說明", max_content_length=4096
    )
    root.refresh_from_db()
    assert (root.title, root.max_content_length) == ("新名稱", 4096)
    entry = AuditEntry.objects.filter(object_id=str(root.pk), action="update").get()
    assert entry.changes["title"] == [defaults.ROOT[1], "新名稱"]


def test_a_retired_root_answers_404_and_leaves_discovery(client, isac):
    from guankao.security.isac import selectors

    root, shared = _neighbours(isac)
    county = isac["county"][0]
    roots.grants_set(actor=isac["ciso"], collection=shared, wanted={county.pk: (1, 0)})
    ingest.objects_add(
        principal=Principal(user=isac["ciso"], operator=True),
        collection=shared,
        objects=[indicator("203.0.113.78")],
    )
    taxii = Taxii(client, basic(isac["county"]))
    roots.root_set_active(actor=isac["ciso"], root=root, active=False)
    logged = BlocklistChange.objects.filter(member=county, value="203.0.113.78").order_by("at")
    assert list(logged.values_list("added", flat=True)) == [True, False]
    assert "203.0.113.78" not in selectors.blocklist(Principal(member=county))["ipv4"]
    assert not any("yunchiachia" in a for a in taxii.get("/taxii2/").json()["api_roots"])
    r = taxii.get("/taxii2/yunchiachia/")
    assert r.status_code == 404 and r.json()["http_status"] == "404"
    assert taxii.get(f"/taxii2/yunchiachia/collections/{shared.pk}/objects/").status_code == 404
    with pytest.raises(ServiceError):
        roots.root_set_active(
            actor=isac["ciso"], root=ApiRoot.objects.get(slug="chiayi"), active=False
        )
    roots.root_set_active(actor=isac["ciso"], root=root, active=True)
    assert list(logged.values_list("added", flat=True)) == [True, False, True]
    assert taxii.get("/taxii2/yunchiachia/").status_code == 200


def test_removing_a_grant_stops_reading_and_logs_the_blocklist_removal(client, isac):
    root, shared = _neighbours(isac)
    county = isac["county"][0]
    roots.grants_set(actor=isac["ciso"], collection=shared, wanted={county.pk: (True, False)})
    ingest.objects_add(
        principal=Principal(user=isac["ciso"], operator=True),
        collection=shared,
        objects=[indicator("203.0.113.77")],
    )
    on = BlocklistChange.objects.filter(member=county, value="203.0.113.77")
    assert list(on.values_list("added", flat=True)) == [True]
    taxii = Taxii(client, basic(isac["county"]))
    path = f"/taxii2/yunchiachia/collections/{shared.pk}/objects/"
    assert taxii.get(path).status_code == 200
    changed = roots.grants_set(
        actor=isac["ciso"], collection=shared, wanted={county.pk: (False, False)}
    )
    assert changed == 1
    assert taxii.get(path).status_code == 404  # no grant left: the collection is not there
    assert list(on.order_by("at").values_list("added", flat=True)) == [True, False]
    grant = CollectionAccess.objects.get(member=county, collection=shared)
    assert (grant.can_read, grant.can_write) == (False, False)
    # write only: the collection is there, reading it is refused
    roots.grants_set(actor=isac["ciso"], collection=shared, wanted={county.pk: (False, True)})
    assert taxii.get(path).status_code == 403


def test_the_grants_grid_sets_each_member(isac, sec_clients):
    _root, shared = _neighbours(isac)
    county, office = isac["county"][0], isac["office"][0]
    ciso = sec_clients["ciso"]
    members = [county.pk, office.pk]
    r = ciso.post(
        f"/isac/collections/{shared.pk}/",
        {"action": "grants", "member": members, "read": members, "write": [office.pk]},
    )
    assert r.status_code == 302
    got = dict(
        CollectionAccess.objects.filter(collection=shared).values_list("member", "can_write")
    )
    assert got == {county.pk: False, office.pk: True}
    bad = ciso.post(
        f"/isac/collections/{shared.pk}/", {"action": "grants", "member": ["x"], "read": ["x"]}
    )
    assert bad.status_code == 400
    unknown = ciso.post(f"/isac/collections/{shared.pk}/", {"action": "grants", "member": [99999]})
    assert unknown.status_code == 400
    assert CollectionAccess.objects.filter(collection=shared).count() == 2


def test_collections_are_validated_and_changed(isac, sec_clients):
    root, shared = _neighbours(isac)
    ciso = sec_clients["ciso"]
    r = ciso.post(
        "/isac/roots/yunchiachia/",
        {"action": "collection", "new-alias": "indicators", "new-title": "重複"},
    )
    assert r.status_code == 400 and "alias" in r.context["new"].errors
    r = ciso.post(
        f"/isac/collections/{shared.pk}/",
        {"action": "collection", "title": "新標題", "tlp": "amber", "members_write": "on"},
    )
    assert r.status_code == 302
    shared.refresh_from_db()
    assert (shared.title, shared.tlp, shared.members_read, shared.members_write) == (
        "新標題",
        "amber",
        False,
        True,
    )
    assert Collection.objects.filter(api_root=root).count() == 1


def test_only_the_ciso_manages(isac, sec_clients, sec_people):
    root, shared = _neighbours(isac)
    for name in ("security", "other_security", "liaison", "officer"):
        with pytest.raises(NotAllowed):
            roots.root_create(actor=sec_people[name], slug="x", title="x")
        c = sec_clients[name]
        assert c.get("/isac/roots/").status_code == 403
        assert c.post("/isac/roots/", {"slug": "x", "title": "x"}).status_code == 403
        assert c.get(f"/isac/collections/{shared.pk}/").status_code == 403
    assert ApiRoot.objects.count() == 2


def test_the_list_pages_take_a_fixed_number_of_queries(
    isac, sec_clients, django_assert_max_num_queries
):
    for n in range(3):
        root = roots.root_create(actor=isac["ciso"], slug=f"group-{n}", title=f"群組 {n}")
        roots.collection_create(actor=isac["ciso"], root=root, alias="a", title="甲")
    ciso = sec_clients["ciso"]
    with django_assert_max_num_queries(12):
        r = ciso.get("/isac/roots/")
    assert r.status_code == 200 and len(r.context["rows"]) == 4
    with django_assert_max_num_queries(12):
        assert ciso.get("/isac/roots/chiayi/").status_code == 200
    shared = Collection.objects.get(alias="members-share")
    with django_assert_max_num_queries(12):
        assert ciso.get(f"/isac/collections/{shared.pk}/").status_code == 200


def test_the_default_roots_description_is_in_zh_hant(isac):
    root = ApiRoot.objects.get(slug="chiayi")
    assert root.title == "嘉義市區域聯防 ISAC" and root.description == defaults.ROOT[2]
