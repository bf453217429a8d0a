"""The map, the knowledge base, the officer's settings pages and the files."""

import datetime as dt

import pytest
from django.utils import timezone

from guankao.core.models import AuditEntry
from guankao.petitions.models import Category, Knowledge, RubricItem, Rules, ServiceCheck
from tests.conftest import client_for
from tests.petitions.test_intake import file

pytestmark = pytest.mark.django_db


def test_the_map_lists_located_cases_without_personal_data(people, calltaker, categories):
    case = file(
        calltaker,
        categories["pothole"],
        received_at=timezone.now(),
        latitude="23.480000",
        longitude="120.449000",
        location="民族路口",
    )
    secret = file(
        calltaker,
        categories["pothole"],
        received_at=timezone.now(),
        latitude="23.481000",
        longitude="120.449000",
        confidential=True,
    )
    body = client_for(people["officer"]).get("/petitions/map/").content.decode()
    assert case.number in body and "民族路口" in body
    assert secret.number not in body and "王小明" not in body and "0912" not in body


def test_liaisons_keep_their_department_s_knowledge(people, city):
    liaison = client_for(people["liaison"])
    response = liaison.post(
        "/petitions/knowledge/new/",
        {
            "department": "PW",
            "question": "路燈不亮怎麼辦？",
            "answer": "通報 1999。",
            "active": "on",
        },
    )
    assert response.status_code == 302
    entry = Knowledge.objects.get()
    assert (
        "路燈不亮"
        in client_for(people["worker"]).get("/petitions/knowledge/?q=路燈").content.decode()
    )
    assert (
        client_for(people["other_liaison"]).get(f"/petitions/knowledge/{entry.pk}/").status_code
        == 403
    )
    refused = liaison.post(
        "/petitions/knowledge/new/", {"department": "SOC", "question": "x", "answer": "y"}
    )
    assert refused.status_code == 400 and "data-error-summary" in refused.content.decode()


def test_the_officer_edits_categories_and_rules(people, city, categories):
    officer = client_for(people["officer"])
    assert officer.get("/petitions/categories/").status_code == 200
    assert client_for(people["liaison"]).get("/petitions/categories/").status_code == 403
    bad = officer.post(
        "/petitions/categories/new/", {"code": "noise", "name": "噪音", "dispatch": "on"}
    )
    assert bad.status_code == 400 and not Category.objects.filter(code="noise").exists()
    officer.post(
        "/petitions/categories/new/",
        {
            "code": "noise",
            "name": "噪音",
            "department": "PW",
            "parent": categories["roads"].pk,
            "active": "on",
        },
    )
    noise = Category.objects.get(code="noise")
    assert noise.path.startswith(categories["roads"].path)
    rules = {f: 6 for f in ("reply_workdays", "reply_workdays_shared")} | {
        "max_days": 30,
        "reroute_workdays": 1,
        "reroute_site_visit_workdays": 2,
        "extensions": 1,
        "survey_days": 7,
        "remind_workdays": 1,
        "escalate_workdays": 2,
    }
    page = officer.get("/petitions/rules/").content.decode()
    assert "人民陳情案件處理要點" in page
    officer.post("/petitions/rules/", rules)
    assert Rules.current().escalate_workdays == 2
    refused = officer.post("/petitions/rules/", rules | {"reply_workdays_shared": 3})
    assert refused.status_code == 400 and Rules.current().reply_workdays_shared == 6


def test_the_officer_records_a_service_check_by_the_rubric(people, city):
    officer = client_for(people["officer"])
    officer.post(
        "/petitions/checks/", {"form": "rubric", "rubric-name": "接聽速度", "rubric-points": 40}
    )
    officer.post(
        "/petitions/checks/", {"form": "rubric", "rubric-name": "禮貌", "rubric-points": 60}
    )
    a, b = RubricItem.objects.order_by("pk")
    day = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    over = officer.post(
        "/petitions/checks/",
        {
            "form": "check",
            "check-department": "PW",
            "check-checked_on": day,
            "check-kind": "電話禮貌測試",
            f"check-score_{a.pk}": 50,
            f"check-score_{b.pk}": 50,
        },
    )
    assert over.status_code == 400 and not ServiceCheck.objects.exists()
    officer.post(
        "/petitions/checks/",
        {
            "form": "check",
            "check-department": "PW",
            "check-checked_on": day,
            "check-kind": "電話禮貌測試",
            f"check-score_{a.pk}": 30,
            f"check-score_{b.pk}": 55,
        },
    )
    check = ServiceCheck.objects.get()
    assert (check.score, check.out_of) == (85, 100)
    assert "85/100" in officer.get("/petitions/overview/").content.decode()


def test_the_statistics_carry_no_personal_data_and_the_summary_is_for_handlers(
    people, calltaker, categories
):
    case = file(calltaker, categories["pothole"], received_at=timezone.now())
    ods = client_for(people["officer"]).get("/petitions/statistics.ods")
    assert ods.status_code == 200 and b"0912" not in ods.content
    assert client_for(people["liaison"]).get("/petitions/statistics.ods").status_code == 403
    odt = client_for(people["liaison"]).get(f"/petitions/cases/{case.pk}/summary.odt")
    assert odt.status_code == 200 and odt.content[:2] == b"PK"
    assert AuditEntry.objects.filter(action=AuditEntry.Action.VIEW_PERSONAL).count() == 1
    assert (
        client_for(people["executive"]).get(f"/petitions/cases/{case.pk}/summary.odt").status_code
        == 403
    )


def test_the_home_page_lists_petition_work_by_role(people, calltaker, categories):
    from guankao.core import todo
    from guankao.petitions import handling

    case = file(calltaker, categories["pothole"], received_at=timezone.now())
    file(calltaker, categories["pothole"], channel="letter", received_at=timezone.now())
    handling.reply_draft(actor=people["liaison"], case=case, text="已修補", method="phone")
    today = timezone.localdate()

    def tasks(user):
        return {
            (t.kind, t.url): t.count
            for g in todo.tasks_for(user, today)
            for t in g["tasks"]
            if t.url.startswith("/petitions/")
        }

    assert tasks(people["head"])[("approve", "/petitions/inbox/?status=drafted")] == 1
    assert tasks(people["officer"])[("decide", "/petitions/inbox/?status=received")] == 1
    assert tasks(people["liaison"])[("due", "/petitions/inbox/")] == 1
    assert not tasks(people["other_liaison"])
