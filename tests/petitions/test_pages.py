"""The petitions pages over HTTP: intake, inbox, case page and its actions, overview,
survey; scoping, error summaries with 4xx, query counts pinned."""

import hashlib
import re

import pytest
from django.utils import timezone

from guankao.core.models import AuditEntry
from guankao.petitions import handling
from guankao.petitions.models import Case, Knowledge, Reply, Survey
from tests.conftest import client_for
from tests.petitions.test_intake import file

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(calltaker, categories):
    return file(
        calltaker, categories["pothole"], email="citizen@example.com", received_at=timezone.now()
    )


def test_the_call_taker_files_a_case_and_sees_its_number(calltaker, categories):
    client = client_for(calltaker)
    page = client.get("/petitions/intake/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "<optgroup" in body and "道路坑洞" in body and "category_filter.js" in body
    response = client.post(
        "/petitions/intake/",
        {
            "channel": "phone",
            "kind": "petition",
            "category": "pothole",
            "subject": "路面坑洞",
            "text": "中山路上有坑洞",
            "phone": "0912-345-678",
        },
        follow=True,
    )
    case = Case.objects.get()
    assert case.number in response.content.decode()
    assert 'class="filed-number"' in response.content.decode()


def test_a_bad_call_comes_back_400_with_the_summary_and_nothing_filed(calltaker, categories):
    response = client_for(calltaker).post(
        "/petitions/intake/",
        {
            "channel": "phone",
            "kind": "petition",
            "category": "pothole",
            "subject": "x",
            "text": "y",
            "phone": "12",
        },
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "data-error-summary" in body and 'href="#id_phone"' in body
    assert not Case.objects.exists()


def test_a_consultation_is_answered_from_the_knowledge_base(calltaker, categories, city, people):
    Knowledge.objects.create(
        department=city["pw"],
        question="路燈不亮找誰？",
        answer="請撥 1999 由工務處派工。",
        keywords="路燈",
        updated_by=people["liaison"],
    )
    client = client_for(calltaker)
    assert "由工務處派工" in client.get("/petitions/intake/?kb=路燈").content.decode()
    client.post(
        "/petitions/intake/",
        {
            "channel": "phone",
            "kind": "consultation",
            "category": "light_out",
            "subject": "路燈",
            "text": "路燈不亮找誰",
            "answer": "已告知由工務處派工",
        },
    )
    assert Case.objects.get().status == Case.Status.ANSWERED


def test_the_same_caller_s_recent_cases_are_shown_masked(calltaker, case):
    body = client_for(calltaker).get("/petitions/intake/?phone=0912-345-678").content.decode()
    assert case.number in body and "王小明" not in body


def test_the_inbox_is_scoped_and_pinned(people, case, django_assert_max_num_queries):
    client = client_for(people["liaison"])
    with django_assert_max_num_queries(12):
        response = client.get("/petitions/inbox/")
    assert case.number in response.content.decode()
    assert 'class="chip tone-ok"' in response.content.decode()  # the city's one look for 已分案
    assert (
        case.number
        not in client_for(people["other_liaison"]).get("/petitions/inbox/").content.decode()
    )
    assert client_for(people["liaison"]).get("/petitions/inbox/?status=nope").status_code == 400


def test_the_case_page_masks_then_shows_whole_and_logs(people, case, django_assert_max_num_queries):
    client = client_for(people["liaison"])
    with django_assert_max_num_queries(18):
        page = client.get(f"/petitions/cases/{case.pk}/")
    assert "0912-345-678" not in page.content.decode()
    whole = client.post(f"/petitions/cases/{case.pk}/", {"whole": "1"})
    assert "0912-345-678" in whole.content.decode()
    assert AuditEntry.objects.filter(action=AuditEntry.Action.VIEW_PERSONAL).count() == 1
    assert (
        client_for(people["other_liaison"]).get(f"/petitions/cases/{case.pk}/").status_code == 404
    )


def test_a_confidential_case_is_hidden_from_the_executive(people, calltaker, categories):
    secret = file(calltaker, categories["pothole"], confidential=True)
    executive = people["executive"]
    assert client_for(executive).get(f"/petitions/cases/{secret.pk}/").status_code == 404


def test_the_liaison_drafts_and_the_head_approves(people, case):
    liaison = client_for(people["liaison"])
    refused = liaison.post(f"/petitions/cases/{case.pk}/reply/", {"text": "", "method": "email"})
    assert refused.status_code == 400 and "data-error-summary" in refused.content.decode()
    liaison.post(f"/petitions/cases/{case.pk}/reply/", {"text": "已修補完成。", "method": "email"})
    reply = Reply.objects.get()
    assert liaison.get(f"/petitions/cases/{case.pk}/approve/").status_code == 403
    head = client_for(people["head"])
    no_reason = head.post(
        f"/petitions/cases/{case.pk}/approve/", {"reply": reply.pk, "action": "return"}
    )
    assert no_reason.status_code == 400
    head.post(f"/petitions/cases/{case.pk}/approve/", {"reply": reply.pk, "action": "approve"})
    case.refresh_from_db()
    assert case.status == Case.Status.REPLIED


def test_the_officer_merges_by_case_number(people, calltaker, categories):
    first = file(calltaker, categories["pothole"])
    later = file(calltaker, categories["pothole"], received_at=timezone.now())
    officer = client_for(people["officer"])
    bad = officer.post(f"/petitions/cases/{later.pk}/merge/", {"into": "0000000-0000"})
    assert bad.status_code == 400
    officer.post(f"/petitions/cases/{later.pk}/merge/", {"into": first.number})
    later.refresh_from_db()
    assert later.merged_into == first


def test_the_overview_is_for_the_officer_and_pinned(people, case, django_assert_max_num_queries):
    client = client_for(people["officer"])
    with django_assert_max_num_queries(16):
        page = client.get("/petitions/overview/")
    body = page.content.decode()
    assert page.status_code == 200 and "<svg" in body and "0912" not in body
    assert client_for(people["liaison"]).get("/petitions/overview/").status_code == 403


def _token(case, people):
    handling.reply_draft(actor=people["head"], case=case, text="已處理", method="email")
    survey = Survey.objects.get(case=case)
    token = "known-token"
    survey.token_hash = hashlib.sha256(token.encode()).hexdigest()
    survey.save()
    return token


def test_the_survey_is_answered_once_without_signing_in(people, case, client):
    token = _token(case, people)
    answer = {"speed": "5", "attitude": "4", "result": "2", "comment": "還好"}
    assert client.get(f"/petitions/survey/{token}/").status_code == 200
    assert client.post(f"/petitions/survey/{token}/", answer).status_code == 200
    again = client.post(f"/petitions/survey/{token}/", answer)
    assert again.status_code == 410 and re.search("answered|填答", again.content.decode())
    assert client.get("/petitions/survey/forged/").status_code == 404


def test_a_head_s_staff_page_knows_the_call_taker_role(people):
    """The call-taker role had no rank, so a head's staff page failed (KeyError)."""
    assert client_for(people["head"]).get("/staff/").status_code == 200


def _queries(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # roles and session read once, as on every later page
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_the_lists_run_the_same_queries_for_one_case_and_for_twelve(
    people, calltaker, categories, city
):
    """Inbox, overdue list, overview, map and knowledge base: O(1) in queries (the inbox's
    working days left once took a query a row)."""
    from guankao.petitions import upkeep

    pages = {
        "liaison": ["/petitions/inbox/", "/petitions/inbox/?status=all&overdue=1"],
        "officer": ["/petitions/inbox/", "/petitions/overview/", "/petitions/map/"],
        "worker": ["/petitions/knowledge/?q=路"],
    }
    clients = {name: client_for(people[name]) for name in pages}

    def add(n):
        for i in range(n):
            file(
                calltaker,
                categories["pothole"],
                received_at=timezone.now(),
                latitude="23.48",
                longitude="120.45",
                location=f"民族路{i}號",
            )
            upkeep.knowledge_save(
                actor=people["liaison"],
                department="PW",
                question=f"路燈不亮怎麼辦{i}",
                answer="請撥1999",
            )

    add(1)
    before = {(n, u): _queries(clients[n], u) for n, urls in pages.items() for u in urls}
    add(11)
    after = {(n, u): _queries(clients[n], u) for n, urls in pages.items() for u in urls}
    assert after == before
