"""The petitions API over HTTP: scoping, masking, the workflow and field-named errors."""

import datetime as dt
import json

import pytest
from django.utils import timezone

from guankao.core.models import AuditEntry
from guankao.petitions import handling
from guankao.petitions.models import Case, Category, DepartmentRule, Request
from tests.conftest import client_for
from tests.petitions.test_intake import file

pytestmark = pytest.mark.django_db
BASE = "/api/v1/petitions"


def post(client, url, body=None):
    return client.post(url, json.dumps(body or {}), content_type="application/json")


def fields(response) -> list[str]:
    return [p["field"] for p in response.json()["detail"]]


@pytest.fixture
def case(calltaker, categories):
    return file(
        calltaker, categories["pothole"], email="citizen@example.com", received_at=timezone.now()
    )


def test_it_files_a_case_and_names_every_bad_field(calltaker, categories):
    client = client_for(calltaker)
    body = {
        "kind": "petition",
        "channel": "phone",
        "subject": "路燈不亮",
        "text": "中山路 100 號前路燈不亮",
        "category": "light_out",
        "name": "陳大文",
        "phone": "0912-345-678",
    }
    response = post(client, f"{BASE}/cases", body)
    assert response.status_code == 201, response.content
    made = response.json()
    assert made["lead"] == "PW" and made["kind"] == "dispatch"
    assert made["petitioner"]["whole"] is False
    assert post(client, f"{BASE}/cases", body | {"category": "nope"}).status_code == 400
    assert fields(post(client, f"{BASE}/cases", body | {"category": "nope"})) == ["category"]
    assert fields(post(client, f"{BASE}/cases", body | {"phone": "12"})) == ["phone"]
    nul = post(client, f"{BASE}/cases", body | {"subject": "路燈\x00不亮"})
    assert nul.status_code == 422 and fields(nul) == ["subject"]
    bad = post(client, f"{BASE}/cases", body | {"colour": "red"})
    assert bad.status_code == 422 and fields(bad) == ["colour"]
    assert post(client_for(None), f"{BASE}/cases", body).status_code == 401


def test_it_masks_personal_data_unless_a_handler_asks_whole(people, case):
    liaison, executive = client_for(people["liaison"]), client_for(people["executive"])
    listed = liaison.get(f"{BASE}/cases").json()["items"]
    assert [c["number"] for c in listed] == [case.number]
    assert listed[0]["name"] == "王**" or listed[0]["name"] != "王小明"
    masked = executive.get(f"{BASE}/cases/{case.pk}?whole=1").json()["petitioner"]
    assert masked["whole"] is False and masked["name"] != "王小明"
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.VIEW_PERSONAL).exists()
    whole = liaison.get(f"{BASE}/cases/{case.pk}?whole=1").json()["petitioner"]
    assert whole == {
        "name": "王小明",
        "phone": "0912-345-678",
        "email": "citizen@example.com",
        "address": "",
        "whole": True,
    }
    assert AuditEntry.objects.filter(action=AuditEntry.Action.VIEW_PERSONAL).count() == 1
    other = client_for(people["other_liaison"])
    assert other.get(f"{BASE}/cases/{case.pk}").status_code == 404
    assert other.get(f"{BASE}/cases").json()["count"] == 0


def test_it_lists_with_filters_and_bounded_queries(
    people, calltaker, categories, case, django_assert_max_num_queries
):
    for _n in range(5):
        file(calltaker, categories["subsidy"], received_at=timezone.now())
    client = client_for(people["officer"])
    with django_assert_max_num_queries(8):
        page = client.get(f"{BASE}/cases?limit=3").json()
    assert page["count"] == 6 and len(page["items"]) == 3
    assert client.get(f"{BASE}/cases?department=SOC").json()["count"] == 5
    assert client.get(f"{BASE}/cases?category=roads").json()["count"] == 1
    assert client.get(f"{BASE}/cases?q={case.number}").json()["count"] == 1
    bad = client.get(f"{BASE}/cases?department=XX")
    assert bad.status_code == 400 and fields(bad) == ["department"]
    assert fields(client.get(f"{BASE}/cases?status=bogus")) == ["status"]


def test_it_runs_the_workflow_reroute_extend_reply(people, case, city):
    liaison, officer = client_for(people["liaison"]), client_for(people["officer"])
    head = client_for(people["head"])
    asked = post(liaison, f"{BASE}/cases/{case.pk}/extend", {"reason": "需會勘", "new_due": "x"})
    assert asked.status_code == 400 and fields(asked) == ["new_due"]
    due = case.due_date + dt.timedelta(days=2)
    asked = post(
        liaison, f"{BASE}/cases/{case.pk}/extend", {"reason": "需會勘", "new_due": str(due)}
    )
    assert asked.status_code == 201, asked.content
    decide = f"{BASE}/requests/{asked.json()['id']}/decide"
    assert fields(post(officer, decide, {"approve": False})) == ["note"]
    refused = post(officer, decide, {"approve": False, "note": "請於期限內答覆"})
    assert refused.status_code == 200 and refused.json()["state"] == "refused"
    assert fields(post(officer, decide, {"approve": True})) == ["state"]
    rerouted = post(liaison, f"{BASE}/cases/{case.pk}/reroute", {"reason": "非本處"})
    assert rerouted.status_code == 201
    assert (
        post(
            liaison, f"{BASE}/requests/{rerouted.json()['id']}/decide", {"approve": True}
        ).status_code
        == 403
    )
    decided = post(
        officer, f"{BASE}/requests/{rerouted.json()['id']}/decide", {"approve": True, "lead": "XX"}
    )
    assert decided.status_code == 400 and fields(decided) == ["lead"]
    assert Request.objects.get(pk=rerouted.json()["id"]).state == Request.State.PENDING
    # Stays with PW; the head's approval is required to reply.
    DepartmentRule.objects.create(department=city["pw"], reply_needs_approval=True)
    draft = post(liaison, f"{BASE}/cases/{case.pk}/reply", {"text": "已修補", "method": "email"})
    assert draft.status_code == 201 and draft.json()["state"] == "draft"
    returned = post(head, f"{BASE}/replies/{draft.json()['id']}/return", {"reason": ""})
    assert fields(returned) == ["reason"]
    approved = post(head, f"{BASE}/replies/{draft.json()['id']}/approve")
    assert approved.status_code == 200 and approved.json()["state"] == "sent"
    assert Case.objects.get(pk=case.pk).status == Case.Status.REPLIED
    again = post(head, f"{BASE}/replies/{draft.json()['id']}/approve")
    assert again.status_code == 400


def test_the_officer_assigns_closes_and_merges(people, calltaker, categories, city):
    officer = client_for(people["officer"])
    first = file(calltaker, categories["subsidy"], channel="letter", received_at=timezone.now())
    later = file(calltaker, categories["subsidy"], channel="letter", received_at=timezone.now())
    assert (
        post(client_for(calltaker), f"{BASE}/cases/{first.pk}/assign", {"lead": "SOC"}).status_code
        == 403
    )
    assigned = post(
        officer, f"{BASE}/cases/{first.pk}/assign", {"lead": "SOC", "co_departments": ["PW"]}
    )
    assert assigned.status_code == 200
    assert (assigned.json()["lead"], assigned.json()["co_departments"]) == ("SOC", ["PW"])
    bad = post(officer, f"{BASE}/cases/{later.pk}/merge", {"into": "0000000-0000"})
    assert bad.status_code == 400 and fields(bad) == ["into"]
    merged = post(officer, f"{BASE}/cases/{later.pk}/merge", {"into": first.number})
    assert merged.json()["status"] == "merged" and merged.json()["merged_into"] == first.number
    closed = post(officer, f"{BASE}/cases/{first.pk}/not-processed", {"rule": "repeat"})
    assert fields(closed) == ["note"]
    closed = post(
        officer,
        f"{BASE}/cases/{first.pk}/not-processed",
        {"rule": "repeat", "note": "同一事由已答覆"},
    )
    assert closed.json()["status"] == "not_processed"


def test_field_done_and_reopen(people, case):
    liaison, officer = client_for(people["liaison"]), client_for(people["officer"])
    done = post(liaison, f"{BASE}/cases/{case.pk}/field-done", {"note": "已填補"})
    assert done.status_code == 200 and done.json()["field_done_at"]
    assert fields(post(liaison, f"{BASE}/cases/{case.pk}/field-done")) == ["status"]
    reopen = post(officer, f"{BASE}/cases/{case.pk}/reopen", {"reason": "不滿意", "due": "x"})
    assert reopen.status_code == 400 and fields(reopen) == ["status"]


def test_categories_are_read_by_all_and_kept_by_the_officer(people, categories):
    liaison, officer = client_for(people["liaison"]), client_for(people["officer"])
    codes = [c["code"] for c in liaison.get(f"{BASE}/categories").json()]
    assert "pothole" in codes
    body = {"code": "noise", "name": "噪音", "parent": "roads", "department": "PW"}
    assert post(liaison, f"{BASE}/categories", body).status_code == 403
    made = post(officer, f"{BASE}/categories", body)
    assert made.status_code == 201 and made.json()["parent"] == "roads"
    assert fields(post(officer, f"{BASE}/categories", body)) == ["code"]
    moved = officer.patch(
        f"{BASE}/categories/roads", json.dumps({"parent": "noise"}), content_type="application/json"
    )
    assert moved.status_code == 400 and fields(moved) == ["parent"]
    moved = officer.patch(
        f"{BASE}/categories/noise",
        json.dumps({"parent": "welfare", "dispatch": True}),
        content_type="application/json",
    )
    assert fields(moved) == ["field_work_limit"]
    moved = officer.patch(
        f"{BASE}/categories/noise",
        json.dumps({"parent": "welfare"}),
        content_type="application/json",
    )
    assert moved.status_code == 200
    noise = Category.objects.get(code="noise")
    assert noise.path == f"{categories['welfare'].path}{noise.pk}/"


def test_statistics_are_scoped(people, case, calltaker, categories):
    file(calltaker, categories["subsidy"], received_at=timezone.now())
    year = timezone.localdate().year
    officer = client_for(people["officer"]).get(f"{BASE}/statistics?year={year}").json()
    liaison = client_for(people["liaison"]).get(f"{BASE}/statistics?year={year}").json()
    assert (officer["received"], liaison["received"]) == (2, 1)
    bad = client_for(people["officer"]).get(f"{BASE}/statistics?year={year}&department=XX")
    assert bad.status_code == 400 and fields(bad) == ["department"]


def test_the_openapi_schema_documents_the_refusals():
    from guankao.api import api

    paths = api.get_openapi_schema()["paths"]
    responses = paths["/api/v1/petitions/cases/{pk}/assign"]["post"]["responses"]
    assert {200, 400, 401, 403, 404, 422} <= {int(code) for code in responses}


def test_a_liaison_cannot_decide_its_own_request(people, case):
    request = handling.reroute_request(actor=people["liaison"], case=case, reason="非本處")
    client = client_for(people["head"])
    assert (
        post(client, f"{BASE}/requests/{request.pk}/decide", {"approve": True}).status_code == 403
    )
    other = client_for(people["other_liaison"])
    assert post(other, f"{BASE}/requests/{request.pk}/decide", {"approve": True}).status_code == 404
