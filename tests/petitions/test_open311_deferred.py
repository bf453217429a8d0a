"""Open311's deferred reports (GUANKAO_OPEN311_DEFERRED): POST requests answers with a
token after checking the report in full and storing it in one row; the worker files it as
a case with the moment it was received, exactly once, and tokens/{token} then gives the
case number."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from guankao.core.models import AuditEntry, User
from guankao.petitions import clients as open311_clients
from guankao.petitions import jobs, open311_deferred, public
from guankao.petitions.models import Case, DeferredRequest, PublicRequest

pytestmark = pytest.mark.django_db
BASE = "/open311/v2"
SPOT = {"lat": "23.4800", "long": "120.4490"}


@pytest.fixture(autouse=True)
def deferred(settings):
    settings.GUANKAO_OPEN311_DEFERRED = True


@pytest.fixture
def key(people, categories):
    open311_clients.attribute_save(
        actor=people["officer"],
        category=categories["pothole"],
        code="size",
        datatype="singlevaluelist",
        description="坑洞大小",
        values="small=小於 30 公分\nlarge=30 公分以上",
    )
    return open311_clients.client_create(
        actor=people["officer"], name="市民通", contact="d@example.com"
    )[1]


def _post(key, **data):
    body = {"api_key": key, "service_code": "pothole", "description": "路面有洞", **SPOT}
    return Client().post(f"{BASE}/requests.json", body | data)


def test_it_answers_with_a_token_and_the_worker_files_the_case_once(
    key, django_assert_max_num_queries
):
    assert _post(key, service_code="nope").status_code == 400  # the minute's counter made
    with django_assert_max_num_queries(5):  # the app, its minute, the category, one INSERT
        response = _post(key, phone="0912-345-678", first_name="小明", last_name="王")
    assert response.status_code == 201, response.content
    (answer,) = response.json()
    assert "service_request_id" not in answer and answer["token"] and answer["follow_up_code"]
    assert not Case.objects.exists() and DeferredRequest.objects.count() == 1
    waiting = Client().get(f"{BASE}/tokens/{answer['token']}.json").json()
    assert waiting == [{"token": answer["token"]}]
    accepted_at = DeferredRequest.objects.get().received_at

    later = timezone.now() + dt.timedelta(minutes=3)
    assert jobs.open311_file(later) == 1
    assert jobs.open311_file(later) == 0  # a second run files nothing
    case = Case.objects.get()
    assert case.channel == "open311" and case.received_at == accepted_at
    assert case.name == "王小明" and case.lead is not None and case.due_date is not None
    assert not DeferredRequest.objects.exists()
    trail = AuditEntry.objects.filter(object_type="petitions.case", object_id=str(case.pk))
    assert trail.count() == 1
    resolved = Client().get(f"{BASE}/tokens/{answer['token']}.json").json()
    assert resolved == [{"service_request_id": case.number, "token": answer["token"]}]
    seen = public.public_case_get(case.number, answer["follow_up_code"])
    assert seen.number == case.number


def test_the_deadline_is_the_one_of_an_immediate_filing(key, settings):
    token = _post(key).json()[0]["token"]
    open311_deferred.file_waiting()
    later = Case.objects.get(public_request__token=token)
    settings.GUANKAO_OPEN311_DEFERRED = False
    now = Client().post(
        f"{BASE}/requests.json",
        {"api_key": key, "service_code": "pothole", "description": "又一個洞", **SPOT},
    )
    at_once = Case.objects.get(number=now.json()[0]["service_request_id"])
    assert (later.due_date, later.field_due_at is not None) == (at_once.due_date, True)


def test_past_the_minutes_share_a_burst_is_answered_with_tokens(key, settings):
    """Filing at once is the default; once the minute's reports (all apps together) pass
    GUANKAO_OPEN311_IMMEDIATE_PER_MINUTE, the rest of the minute get tokens, and every
    report becomes a case exactly once."""
    settings.GUANKAO_OPEN311_DEFERRED = False
    settings.GUANKAO_OPEN311_IMMEDIATE_PER_MINUTE = 2
    other = open311_clients.client_create(
        actor=User.objects.get(username="officer"), name="嘉義通", contact="e@example.com"
    )[1]
    answers = [
        _post(k, description=f"第 {i} 個洞").json()[0] for i, k in enumerate([key, other, key])
    ]
    assert [("service_request_id" in a) for a in answers] == [True, True, False]
    assert Case.objects.count() == 2 and DeferredRequest.objects.count() == 1
    assert open311_deferred.file_waiting() == 1
    number = Client().get(f"{BASE}/tokens/{answers[2]['token']}.json").json()[0]
    assert Case.objects.filter(number=number["service_request_id"]).count() == 1
    settings.GUANKAO_OPEN311_IMMEDIATE_PER_MINUTE = 0  # never deferred
    assert "service_request_id" in _post(key, description="第 4 個洞").json()[0]


@pytest.mark.parametrize(
    ("data", "name"),
    [
        ({"service_code": "nope"}, "service_code"),
        ({"lat": "25.03", "long": "121.56"}, "lat"),
        ({"description": "洞" * 20000}, "description"),
        ({"attribute[colour]": "red"}, "attribute[colour]"),
        ({"attribute[size]": "huge"}, "attribute[size]"),
        ({"phone": "12345"}, "phone"),
        ({"email": "wang@"}, "email"),
    ],
)
def test_a_bad_report_is_refused_at_once_and_nothing_waits(key, data, name):
    response = _post(key, **data)
    assert response.status_code == 400 and name in response.json()[0]["description"]
    assert not DeferredRequest.objects.exists() and not Case.objects.exists()


def test_a_report_claimed_by_another_worker_is_not_filed_twice(key):
    _post(key)
    pk = DeferredRequest.objects.get().pk
    assert open311_deferred._file_one(pk) is not None
    assert open311_deferred._file_one(pk) is None
    assert Case.objects.count() == 1 and PublicRequest.objects.count() == 1


def test_a_report_that_can_no_longer_be_filed_keeps_its_reason(key, categories, clients):
    token = _post(key).json()[0]["token"]
    categories["pothole"].active = False
    categories["pothole"].save()
    assert open311_deferred.file_waiting() == 0
    waiting = DeferredRequest.objects.get()
    assert waiting.failed_at is not None and "service_code" in waiting.failure
    assert not Case.objects.exists()
    assert Client().get(f"{BASE}/tokens/{token}.json").status_code == 404
    assert Client().get(f"{BASE}/tokens/unknown.json").status_code == 404
    page = clients["officer"].get("/petitions/open311/").content.decode()
    assert "無法立案的通報" in page and "service_code" in page and "市民通" in page
    assert "路面有洞" not in page  # the report itself stays out of the list
