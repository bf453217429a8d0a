import json

import pytest

from guankao.core import services
from guankao.core.models import AuditEntry, Department, User


def _json(response):
    return json.loads(response.content)


def test_it_lists_departments_in_tree_order_for_anyone(clients):
    r = clients["anonymous"].get("/api/v1/departments")
    assert r.status_code == 200
    codes = [d["code"] for d in _json(r)]
    assert codes.index("ST") < codes.index("ST-CTRL")
    assert {"CYC", "PW", "PW-1", "SOC"} <= set(codes)


def test_it_scopes_the_staff_list_to_the_liaisons_department(clients):
    r = clients["liaison"].get("/api/v1/staff")
    assert r.status_code == 200
    names = {p["username"] for p in _json(r)["items"]}
    assert names == {"liaison", "head", "worker"}


@pytest.mark.parametrize("persona", ["officer", "executive", "admin"])
def test_it_shows_city_wide_readers_everyone(clients, persona):
    body = _json(clients[persona].get("/api/v1/staff?limit=100"))
    assert body["count"] == 8  # with the staff member who has no department


def test_it_masks_personal_data_unless_the_reader_may_see_it(clients, people):
    rows = {p["username"]: p for p in _json(clients["liaison"].get("/api/v1/staff"))["items"]}
    assert rows["liaison"]["email"] == "liaison@example.gov.tw"  # oneself
    assert rows["head"]["email"] == "h***@example.gov.tw"
    assert rows["head"]["phone"] == "05-****321"
    assert rows["head"]["personal_data_masked"] is True
    # Even the head sees others masked in lists: a whole view is a logged, separate call.
    rows = {p["username"]: p for p in _json(clients["head"].get("/api/v1/staff"))["items"]}
    assert rows["worker"]["email"] == "w***@example.gov.tw"
    rows = {
        p["username"]: p for p in _json(clients["officer"].get("/api/v1/staff?limit=100"))["items"]
    }
    assert rows["worker"]["personal_data_masked"] is True


def test_it_logs_every_whole_view_of_personal_data(clients, people):
    worker = people["worker"]
    r = clients["head"].post(f"/api/v1/staff/{worker.pk}/personal-data")
    assert r.status_code == 200
    assert _json(r) == {"email": "worker@example.gov.tw", "phone": "05-2254321"}
    entry = AuditEntry.objects.get(action="view_personal", object_id=str(worker.pk))
    assert entry.actor == people["head"]
    assert clients["officer"].post(f"/api/v1/staff/{worker.pk}/personal-data").status_code == 403


@pytest.mark.parametrize("persona", ["other_liaison", "anonymous", "unplaced"])
def test_it_never_shows_another_departments_person(clients, people, persona):
    worker = people["worker"]
    r = clients[persona].get(f"/api/v1/staff/{worker.pk}")
    assert r.status_code in (401, 404)
    assert b"worker" not in r.content
    r = clients[persona].post(f"/api/v1/staff/{worker.pk}/personal-data")
    assert r.status_code in (401, 403, 404)
    assert b"example.gov.tw" not in r.content


def test_it_lets_an_admin_create_and_change_departments(clients, people):
    payload = {"code": "PW-2", "name": "新建工程科", "kind": "section", "parent": "PW"}
    r = clients["admin"].post("/api/v1/departments", payload, content_type="application/json")
    assert r.status_code == 201, r.content
    assert _json(r)["depth"] == 2
    r = clients["admin"].patch(
        "/api/v1/departments/PW-2",
        {"parent": "SOC", "name": "社工科"},
        content_type="application/json",
    )
    assert r.status_code == 200, r.content
    moved = Department.objects.get(code="PW-2")
    assert moved.is_within(Department.objects.get(code="SOC"))
    entry = AuditEntry.objects.filter(object_id=str(moved.pk), action="update").get()
    assert entry.changes["name"] == ["新建工程科", "社工科"]
    assert entry.actor_name == "admin"


def test_it_moves_a_whole_subtree_with_its_department(clients, city):
    r = clients["admin"].patch(
        "/api/v1/departments/PW", {"parent": "ST"}, content_type="application/json"
    )
    assert r.status_code == 200
    pw1 = Department.objects.get(code="PW-1")
    assert pw1.is_within(Department.objects.get(code="ST"))
    assert pw1.depth == 3


def test_it_refuses_a_cycle_in_the_tree(clients, city):
    r = clients["admin"].patch(
        "/api/v1/departments/PW", {"parent": "PW-1"}, content_type="application/json"
    )
    assert r.status_code == 400
    assert _json(r)["detail"][0]["field"] == "parent"
    assert Department.objects.get(code="PW").parent.code == "CYC"


@pytest.mark.parametrize("persona", ["liaison", "head", "officer", "executive", "other_liaison"])
def test_it_lets_only_admins_change_departments(clients, city, persona):
    payload = {"code": "X1", "name": "X", "kind": "office"}
    r = clients[persona].post("/api/v1/departments", payload, content_type="application/json")
    assert r.status_code == 403
    r = clients[persona].patch(
        "/api/v1/departments/PW", {"name": "Y"}, content_type="application/json"
    )
    assert r.status_code == 403
    assert not Department.objects.filter(code="X1").exists()
    assert Department.objects.get(code="PW").name == "工務處"


def test_it_refuses_departments_anonymously(clients, city):
    r = clients["anonymous"].post(
        "/api/v1/departments",
        {"code": "X1", "name": "X", "kind": "office"},
        content_type="application/json",
    )
    assert r.status_code == 401


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"code": "", "name": "X", "kind": "office"}, "code"),
        ({"code": "PW", "name": "X", "kind": "office"}, "code"),
        ({"code": "a b", "name": "X", "kind": "office"}, "code"),
        ({"code": "X" * 21, "name": "X", "kind": "office"}, "code"),
        ({"code": "X1", "name": "", "kind": "office"}, "name"),
        ({"code": "X1", "name": "X" * 101, "kind": "office"}, "name"),
        ({"code": "X1", "name": "X", "kind": "planet"}, "kind"),
        ({"code": "X1", "name": "X", "kind": "office", "parent": "NOPE"}, "parent"),
        ({"code": "X1", "name": "X", "kind": "office", "sort_order": -1}, "sort_order"),
        ({"code": 5, "name": "X", "kind": "office"}, "code"),
        ({"name": "X", "kind": "office"}, "code"),
    ],
)
def test_it_names_the_field_of_bad_department_input(clients, city, payload, field):
    before = Department.objects.count()
    r = clients["admin"].post("/api/v1/departments", payload, content_type="application/json")
    assert 400 <= r.status_code < 500
    fields = [p["field"] for p in _json(r)["detail"]]
    assert field in fields, _json(r)
    assert Department.objects.count() == before


def test_it_answers_a_malformed_json_body_with_4xx(clients, city):
    r = clients["admin"].post("/api/v1/departments", "{not json", content_type="application/json")
    assert 400 <= r.status_code < 500


def test_it_lets_a_head_manage_staff_of_their_department_only(clients, people, city):
    payload = {"username": "newbie", "name": "新人", "department": "PW-1", "roles": ["liaison"]}
    r = clients["head"].post("/api/v1/staff", payload, content_type="application/json")
    assert r.status_code == 201, r.content
    payload = {"username": "spy", "name": "X", "department": "SOC"}
    r = clients["head"].post("/api/v1/staff", payload, content_type="application/json")
    assert r.status_code == 400
    assert _json(r)["detail"][0]["field"] == "department"
    payload = {"username": "boss", "name": "X", "department": "PW", "roles": ["officer"]}
    r = clients["head"].post("/api/v1/staff", payload, content_type="application/json")
    assert r.status_code == 400
    assert _json(r)["detail"][0]["field"] == "roles"
    assert not User.objects.filter(username__in=["spy", "boss"]).exists()
    other = people["other_liaison"]
    r = clients["head"].patch(
        f"/api/v1/staff/{other.pk}", {"title": "x"}, content_type="application/json"
    )
    assert r.status_code == 404


@pytest.mark.parametrize(
    "persona", ["liaison", "officer", "executive", "other_liaison", "unplaced"]
)
def test_it_refuses_staff_changes_to_non_managers(clients, people, persona):
    worker = people["worker"]
    r = clients[persona].patch(
        f"/api/v1/staff/{worker.pk}", {"title": "x"}, content_type="application/json"
    )
    assert r.status_code in (403, 404)
    r = clients[persona].post(
        "/api/v1/staff",
        {"username": "z", "name": "z", "department": "PW"},
        content_type="application/json",
    )
    assert r.status_code in (400, 403)
    worker.refresh_from_db()
    assert worker.title == ""
    assert not User.objects.filter(username="z").exists()


def test_it_audits_role_changes_with_old_and_new_values(clients, people):
    worker = people["worker"]
    r = clients["admin"].patch(
        f"/api/v1/staff/{worker.pk}",
        {"roles": ["liaison"], "phone": "05-1234567"},
        content_type="application/json",
    )
    assert r.status_code == 200
    entry = AuditEntry.objects.get(action="update", object_id=str(worker.pk))
    assert entry.changes["roles"] == [[], ["liaison"]]
    assert entry.changes["phone"] == ["05-2254321", "05-1234567"]


def test_it_reads_the_audit_trail_for_officers_only(clients, people):
    services.token_create(actor=people["liaison"], name="x")
    r = clients["officer"].get("/api/v1/audit?actor=liaison&action=security")
    assert r.status_code == 200
    assert _json(r)["count"] == 1
    for persona in ("liaison", "head", "executive", "other_liaison"):
        assert clients[persona].get("/api/v1/audit").status_code == 404
    assert clients["officer"].get("/api/v1/audit?since=115/13/01").status_code == 400


def test_it_authenticates_with_a_personal_token(client, people):
    _token, raw = services.token_create(actor=people["liaison"], name="script")
    r = client.get("/api/v1/staff", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert r.status_code == 200
    assert {p["username"] for p in _json(r)["items"]} == {"liaison", "head", "worker"}
    assert client.get("/api/v1/staff", HTTP_AUTHORIZATION="Bearer gk_wrong").status_code == 401
    services.token_revoke(actor=people["liaison"], token_id=_token.pk)
    assert client.get("/api/v1/staff", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401


def test_it_shows_a_new_token_once_and_stores_only_its_hash(clients, people):
    r = clients["liaison"].post(
        "/api/v1/me/tokens", {"name": "cron"}, content_type="application/json"
    )
    assert r.status_code == 201
    raw = _json(r)["token"]
    assert raw.startswith("gk_")
    listed = _json(clients["liaison"].get("/api/v1/me/tokens"))
    assert "token" not in listed[0]
    stored = people["liaison"].api_tokens.get()
    assert raw not in (stored.digest, stored.hint) and stored.digest != raw
    # Another user cannot revoke it.
    assert clients["head"].delete(f"/api/v1/me/tokens/{stored.pk}").status_code == 404
    assert clients["liaison"].delete(f"/api/v1/me/tokens/{stored.pk}").status_code == 204


def test_it_publishes_openapi_docs(client, db):
    assert client.get("/api/docs").status_code == 200
    spec = _json(client.get("/api/openapi.json"))
    assert "/api/v1/departments" in spec["paths"]


def test_it_refuses_a_bad_token_even_on_public_endpoints(client, db):
    assert client.get("/api/v1/departments").status_code == 200
    r = client.get("/api/v1/departments", HTTP_AUTHORIZATION="Bearer gk_revoked_or_wrong")
    assert r.status_code == 401
    assert "detail" in r.json()
