"""The officer's Open311 pages: registering an app shows its key once, the limit and the
revocation (asked first) are audited; a category's questions are kept on its page."""

import pytest

from guankao.core.models import AuditEntry
from guankao.petitions.models import ClientApp, ServiceAttribute

pytestmark = pytest.mark.django_db


def test_it_registers_an_app_and_shows_its_key_once(clients):
    officer = clients["officer"]
    response = officer.post(
        "/petitions/open311/", {"name": "市民通", "contact": "dev@example.com", "per_minute": 30}
    )
    assert response.status_code == 302
    page = officer.get("/petitions/open311/").content.decode()
    app = ClientApp.objects.get()
    key = page.split('id="new-key">')[1].split("<")[0]
    assert key.startswith(app.key_hint) and app.key_digest == ClientApp.digest_of(key)
    assert key not in officer.get("/petitions/open311/").content.decode()
    assert AuditEntry.objects.filter(object_type="petitions.clientapp").exists()


def test_revoking_asks_first(clients, people):
    officer = clients["officer"]
    officer.post("/petitions/open311/", {"name": "A", "contact": "a@example.com", "per_minute": 5})
    app = ClientApp.objects.get()
    asked = officer.post(f"/petitions/open311/{app.pk}/revoke/")
    assert asked.status_code == 200 and ClientApp.objects.get().revoked_at is None
    officer.post(f"/petitions/open311/{app.pk}/revoke/", {"confirmed": "1"})
    assert ClientApp.objects.get().revoked_at is not None


def test_a_liaison_may_not_register_apps(clients):
    response = clients["liaison"].post(
        "/petitions/open311/", {"name": "A", "contact": "a@example.com", "per_minute": 5}
    )
    assert response.status_code == 403 and not ClientApp.objects.exists()


def test_the_officer_sets_a_categorys_questions(clients, categories):
    officer = clients["officer"]
    pothole = categories["pothole"]
    form = {
        "code": "size",
        "description": "坑洞大小",
        "datatype": "singlevaluelist",
        "variable": "on",
        "order": 1,
        "values": "small=小於 30 公分\nlarge=30 公分以上",
    }
    assert officer.post(f"/petitions/categories/{pothole.pk}/questions/", form).status_code == 302
    question = ServiceAttribute.objects.get()
    assert question.values[1] == {"key": "large", "name": "30 公分以上"}
    refused = officer.post(f"/petitions/categories/{pothole.pk}/questions/", form | {"values": ""})
    assert refused.status_code == 400 and "values" in refused.content.decode()
    page = officer.get(f"/petitions/categories/{pothole.pk}/questions/").content.decode()
    assert "坑洞大小" in page
    officer.post(f"/petitions/questions/{question.pk}/remove/", {"confirmed": "1"})
    assert not ServiceAttribute.objects.exists()


def test_the_case_page_shows_the_answers_of_an_online_report(clients, categories, people):
    from guankao.petitions import clients as apps
    from guankao.petitions import public

    apps.attribute_save(
        actor=people["officer"],
        category=categories["light_out"],
        code="lamp_no",
        datatype="string",
        description="路燈編號",
    )
    case, _code = public.file_public_request(
        client=None,
        category="light_out",
        description="路燈不亮",
        address="文化路",
        attributes={"lamp_no": "CY-0423"},
        media_url="https://example.com/lamp.jpg",
    )
    page = clients["liaison"].get(f"/petitions/cases/{case.pk}/").content.decode()
    assert "路燈編號" in page and "CY-0423" in page and "https://example.com/lamp.jpg" in page
