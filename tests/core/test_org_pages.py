import pytest

from guankao.core import services
from guankao.core.models import AuditEntry, Department, User


def test_it_lets_an_admin_add_and_edit_a_department_in_the_page(clients, city):
    c = clients["admin"]
    r = c.post(
        "/departments/new/",
        {"code": "PW-2", "name": "新建工程科", "kind": "section", "parent": "PW", "sort_order": 3},
    )
    assert r.status_code == 302
    department = Department.objects.get(code="PW-2")
    form = c.get("/departments/PW-2/edit/").context["form"]
    data = {**form.initial, "name": "新建工程科（改）", "active": "on"}
    assert c.post("/departments/PW-2/edit/", data).status_code == 302
    department.refresh_from_db()
    assert department.name == "新建工程科（改）"


def test_it_refuses_a_stale_department_form_and_changes_nothing(clients, city, people):
    c = clients["admin"]
    stale = dict(c.get("/departments/PW/edit/").context["form"].initial)
    services.department_update(actor=people["admin"], department=city["pw"], name="工務處（新）")
    r = c.post("/departments/PW/edit/", {**stale, "name": "工務局", "active": "on"})
    assert r.status_code == 400
    assert "someone else" in r.content.decode() or "其他人" in r.content.decode()
    assert Department.objects.get(code="PW").name == "工務處（新）"


@pytest.mark.parametrize("persona", ["liaison", "head", "officer", "executive"])
def test_it_keeps_department_pages_for_admins(clients, city, persona):
    assert clients[persona].get("/departments/new/").status_code == 403
    assert clients[persona].post("/departments/PW/edit/", {"name": "x"}).status_code == 403


def test_it_names_the_field_when_the_department_form_is_wrong(clients, city):
    r = clients["admin"].post("/departments/new/", {"code": "PW", "name": "", "kind": "office"})
    assert r.status_code == 400
    form = r.context["form"]
    assert "name" in form.errors
    r = clients["admin"].post(
        "/departments/new/", {"code": "PW", "name": "重複", "kind": "office", "sort_order": 0}
    )
    assert "code" in r.context["form"].errors
    r = clients["admin"].post(
        "/departments/new/",
        {"code": "NEW", "name": "X", "kind": "office", "parent": "NOPE", "sort_order": 0},
    )
    assert "parent" in r.context["form"].errors
    assert not Department.objects.filter(code="NEW").exists()


def test_it_lets_a_head_add_and_edit_their_staff_in_the_page(clients, people, city):
    c = clients["head"]
    r = c.post(
        "/staff/new/",
        {"username": "newbie", "display_name": "新人", "department": "PW-1", "roles": ["liaison"]},
    )
    assert r.status_code == 302
    newbie = User.objects.get(username="newbie")
    assert newbie.role_set == {"liaison"}
    form = c.get(f"/staff/{newbie.pk}/edit/").context["form"]
    data = {**form.initial, "title": "技佐", "is_active": "on"}
    assert c.post(f"/staff/{newbie.pk}/edit/", data).status_code == 302
    newbie.refresh_from_db()
    assert newbie.title == "技佐"
    assert AuditEntry.objects.filter(object_id=str(newbie.pk), action="update").exists()


def test_it_refuses_another_departments_staff_in_the_page(clients, people):
    other = people["other_liaison"]
    assert clients["head"].get(f"/staff/{other.pk}/edit/").status_code == 404
    assert clients["head"].get(f"/staff/{other.pk}/").status_code == 404
    r = clients["head"].post(
        "/staff/new/", {"username": "spy", "display_name": "X", "department": "SOC"}
    )
    assert "department" in r.context["form"].errors
    assert clients["liaison"].get("/staff/new/").status_code == 403
    worker = people["worker"]
    assert clients["liaison"].get(f"/staff/{worker.pk}/edit/").status_code == 403
    assert not User.objects.filter(username="spy").exists()


def test_it_refuses_a_stale_staff_form(clients, people):
    worker = people["worker"]
    stale = dict(clients["head"].get(f"/staff/{worker.pk}/edit/").context["form"].initial)
    services.staff_update(actor=people["admin"], user=worker, title="技正")
    r = clients["head"].post(
        f"/staff/{worker.pk}/edit/", {**stale, "title": "技士", "is_active": "on"}
    )
    assert r.status_code == 400
    worker.refresh_from_db()
    assert worker.title == "技正"


def test_it_logs_the_whole_view_of_a_persons_data_in_the_page(clients, people):
    worker = people["worker"]
    page = clients["head"].get(f"/staff/{worker.pk}/").content.decode()
    assert "w***@example.gov.tw" in page
    page = clients["head"].post(f"/staff/{worker.pk}/").content.decode()
    assert "worker@example.gov.tw" in page
    assert AuditEntry.objects.filter(action="view_personal", object_id=str(worker.pk)).count() == 1
    assert clients["officer"].post(f"/staff/{worker.pk}/").status_code == 403


def test_it_lists_only_the_staff_of_the_liaisons_department(clients, people):
    page = clients["liaison"].get("/staff/").content.decode()
    for visible in ("liaison", "head", "worker"):
        assert f"<td>{visible}</td>" in page
    for hidden in ("other", "officer", "mayor"):
        assert f"<td>{hidden}</td>" not in page


def test_it_keeps_the_staff_page_constant_in_queries(
    clients, people, city, django_assert_max_num_queries
):
    for i in range(30):
        User.objects.create(username=f"bulk{i}", display_name="x", department=city["pw1"])
    with django_assert_max_num_queries(12):
        assert clients["officer"].get("/staff/").status_code == 200
    with django_assert_max_num_queries(12):
        assert clients["liaison"].get("/staff/").status_code == 200


def test_it_keeps_the_api_lists_constant_in_queries(
    clients, people, city, django_assert_max_num_queries
):
    for i in range(30):
        User.objects.create(username=f"bulk{i}", display_name="x", department=city["pw1"])
        services.department_create(
            actor=people["admin"], code=f"D{i}", name="x", kind="section", parent=city["pw"]
        )
    with django_assert_max_num_queries(8):
        assert clients["officer"].get("/api/v1/staff?limit=100").status_code == 200
    with django_assert_max_num_queries(6):
        assert clients["officer"].get("/api/v1/departments").status_code == 200
    with django_assert_max_num_queries(8):
        assert clients["officer"].get("/api/v1/audit?limit=100").status_code == 200
