"""Open311 GeoReport v2 over HTTP, written from the spec's examples: services and a service
definition, filing with an app's key, the public view of requests, tokens, discovery, the
errors (400/403/404 as a list of code and description) in JSON and XML, CORS for reading,
the per-app limit, and nothing stored on a refusal."""

import datetime as dt
import json
from xml.etree import ElementTree as ET

import pytest
from django.test import Client
from django.utils import timezone

from guankao.petitions import clients, handling, public
from guankao.petitions.models import Case, ClientUse, PublicRequest, ServiceAttribute

pytestmark = pytest.mark.django_db
BASE = "/open311/v2"
SPOT = {"lat": "23.4800", "long": "120.4490"}


@pytest.fixture
def app_key(people):
    return clients.client_create(actor=people["officer"], name="市民通", contact="dev@example.com")


@pytest.fixture
def questions(categories, people):
    clients.attribute_save(
        actor=people["officer"],
        category=categories["light_out"],
        code="lamp_no",
        datatype="string",
        required=True,
        description="路燈編號",
        order=1,
    )
    clients.attribute_save(
        actor=people["officer"],
        category=categories["pothole"],
        code="size",
        datatype="singlevaluelist",
        description="坑洞大小",
        values="small=小於 30 公分\nlarge=30 公分以上",
    )


def _post(fmt="json", **data):
    return Client().post(f"{BASE}/requests.{fmt}", data)


def _xml(response):
    assert response["Content-Type"].startswith("text/xml")
    assert response.content.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    return ET.fromstring(response.content)  # noqa: S314 - our own output


def test_it_lists_the_services_citizens_may_report(questions):
    response = Client().get(f"{BASE}/services.json")
    assert response.status_code == 200 and response["Access-Control-Allow-Origin"] == "*"
    services = {s["service_code"]: s for s in response.json()}
    assert set(services) == {"pothole", "light_out"}
    assert services["light_out"] == {
        "service_code": "light_out",
        "service_name": "路燈不亮",
        "description": "路燈不亮",
        "metadata": True,
        "type": "realtime",
        "keywords": "",
        "group": "路燈",
    }
    root = _xml(Client().get(f"{BASE}/services.xml"))
    assert root.tag == "services"
    codes = {s.findtext("service_code") for s in root.findall("service")}
    assert codes == {"pothole", "light_out"}
    assert root.find("service/metadata").text in ("true", "false")


def test_a_service_definition_carries_its_questions(questions):
    definition = Client().get(f"{BASE}/services/pothole.json").json()
    assert definition["service_code"] == "pothole"
    (size,) = definition["attributes"]
    assert size["code"] == "size" and size["datatype"] == "singlevaluelist"
    assert size["values"] == [
        {"key": "small", "name": "小於 30 公分"},
        {"key": "large", "name": "30 公分以上"},
    ]
    root = _xml(Client().get(f"{BASE}/services/pothole.xml"))
    assert root.tag == "service_definition"
    values = root.findall("attributes/attribute/values/value")
    assert [v.findtext("key") for v in values] == ["small", "large"]
    missing = Client().get(f"{BASE}/services/subsidy.json")
    assert missing.status_code == 404 and missing.json()[0]["code"] == 404


def test_an_app_files_a_report_and_the_public_reads_it_without_personal_data(questions, app_key):
    app, key = app_key
    response = _post(
        api_key=key,
        service_code="light_out",
        description="路燈不亮，請打 0912-345-678 找我",
        first_name="小明",
        last_name="王",
        email="wang@example.com",
        phone="0912-345-678",
        address_string="文化路 120 號前",
        media_url="https://example.com/lamp.jpg",
        account_id="u-42",
        **{"attribute[lamp_no]": "CY-0423"},
        **SPOT,
    )
    assert response.status_code == 201, response.content
    (filed,) = response.json()
    case = Case.objects.get(number=filed["service_request_id"])
    assert case.channel == "open311" and case.public_request.client == app
    assert filed["account_id"] == "u-42" and filed["follow_up_code"] in filed["service_notice"]
    assert public.public_case_get(case.number, filed["follow_up_code"]).number == case.number

    (seen,) = Client().get(f"{BASE}/requests/{case.number}.json").json()
    assert seen["status"] == "open" and seen["agency_responsible"] == "工務處"
    assert seen["media_url"] == "https://example.com/lamp.jpg"
    assert seen["requested_datetime"].endswith("+08:00")
    assert seen["expected_datetime"].startswith(case.due_date.isoformat())
    text = json.dumps(seen, ensure_ascii=False)
    for personal in ("王小明", "0912-345-678", "wang@example.com", "小明"):
        assert personal not in text
    listed = Client().get(f"{BASE}/requests.json").json()
    assert [r["service_request_id"] for r in listed] == [case.number]
    token = filed["token"]
    assert Client().get(f"{BASE}/tokens/{token}.json").json() == [
        {"service_request_id": case.number, "token": token}
    ]


def test_the_xml_forms_follow_the_spec(questions, app_key):
    _app, key = app_key
    root = _xml(_post("xml", api_key=key, service_code="pothole", description="有洞", **SPOT))
    assert root.tag == "service_requests"
    number = root.findtext("request/service_request_id")
    assert root.find("request/service_notice").text
    listed = _xml(Client().get(f"{BASE}/requests.xml"))
    assert [r.findtext("service_request_id") for r in listed.findall("request")] == [number]
    one = _xml(Client().get(f"{BASE}/requests/{number}.xml"))
    assert one.findtext("request/status") == "open"
    assert one.findtext("request/lat") == "23.48"
    refused = Client().get(f"{BASE}/requests.xml?start_date=yesterday")
    root = _xml(refused)
    assert refused.status_code == 400 and root.tag == "errors"
    assert root.findtext("error/code") == "400"
    assert "start_date" in root.findtext("error/description")


def test_status_notes_are_the_public_part_of_the_reply(categories, people, app_key):
    _app, key = app_key
    (filed,) = _post(api_key=key, service_code="pothole", description="有洞", **SPOT).json()
    case = Case.objects.get(number=filed["service_request_id"])
    handling.reply_draft(
        actor=people["head"],
        case=case,
        text="內部：承包商 A 公司，單價 3,000 元",
        public_text="已於 12/4 完成修補。",
        method="phone",
    )
    (seen,) = Client().get(f"{BASE}/requests/{case.number}.json").json()
    assert seen["status"] == "closed" and seen["status_notes"] == "已於 12/4 完成修補。"
    assert "承包商" not in json.dumps(seen, ensure_ascii=False)
    closed = Client().get(f"{BASE}/requests.json?status=closed").json()
    assert [r["service_request_id"] for r in closed] == [case.number]
    assert Client().get(f"{BASE}/requests.json?status=open").json() == []


@pytest.mark.parametrize(
    ("data", "status", "names"),
    [
        ({"api_key": ""}, 403, "api_key"),
        ({"api_key": "o311_forged"}, 403, "api_key"),
        ({"service_code": "nope"}, 400, "service_code"),
        ({"lat": "25.0330", "long": "121.5654"}, 400, "lat"),
        ({"lat": "23.48", "long": "east"}, 400, "long"),
        ({"description": "坑" * 20000}, 400, "description"),
        ({"attribute[colour]": "red"}, 400, "attribute[colour]"),
        ({"attribute[size]": "huge"}, 400, "attribute[size]"),
        ({"service_code": "light_out"}, 400, "attribute[lamp_no]"),
        ({"email": "not-an-address"}, 400, "email"),
        ({"media_url": "javascript:alert(1)"}, 400, "media_url"),
        ({"jurisdiction_id": "taipei.gov.tw"}, 404, "jurisdiction_id"),
        ({"description": "a\x00b"}, 400, "description"),
    ],
)
def test_bad_reports_are_refused_in_the_spec_format_and_nothing_is_stored(
    questions, app_key, data, status, names
):
    _app, key = app_key
    body = {"api_key": key, "service_code": "pothole", "description": "有洞", **SPOT} | data
    for fmt in ("json", "xml"):
        response = _post(fmt, **body)
        assert response.status_code == status, response.content
        if fmt == "json":
            (error,) = response.json()
            code, description = error["code"], error["description"]
        else:
            root = _xml(response)
            code, description = int(root.findtext("error/code")), root.findtext("error/description")
        assert code == status and names in description
    assert not Case.objects.exists() and not PublicRequest.objects.exists()


def test_a_revoked_key_is_refused(categories, app_key, people):
    app, key = app_key
    clients.client_revoke(actor=people["officer"], client_id=app.pk)
    response = _post(api_key=key, service_code="pothole", description="有洞", **SPOT)
    assert response.status_code == 403 and not Case.objects.exists()


def test_an_app_over_its_limit_waits_a_minute(categories, app_key, people):
    app, key = app_key
    clients.client_update(actor=people["officer"], client_id=app.pk, per_minute=2)
    codes = [
        _post(api_key=key, service_code="pothole", description="有洞", **SPOT).status_code
        for _ in range(3)
    ]
    assert codes == [201, 201, 429]
    assert Case.objects.count() == 2 and ClientUse.objects.get().count == 2


@pytest.mark.parametrize(
    ("query", "name"),
    [
        ("start_date=2026-13-01", "start_date"),
        ("end_date=tomorrow", "end_date"),
        ("start_date=2026-12-01T08:00:00", "start_date"),
        ("start_date=2026-01-01T00:00:00Z&end_date=2026-06-01T00:00:00Z", "end_date"),
        ("status=pending", "status"),
        ("service_code=nope", "service_code"),
    ],
)
def test_bad_queries_name_the_parameter(categories, query, name):
    response = Client().get(f"{BASE}/requests.json?{query}")
    assert response.status_code == 400 and response["Access-Control-Allow-Origin"] == "*"
    assert name in response.json()[0]["description"]


def test_the_window_defaults_to_90_days_and_dates_choose_another(categories, app_key):
    _app, key = app_key
    old, _code = public.file_public_request(
        client=None,
        category="pothole",
        description="舊",
        received_at=timezone.now() - dt.timedelta(days=100),
        **SPOT,
    )
    (new,) = _post(api_key=key, service_code="pothole", description="新", **SPOT).json()
    numbers = [r["service_request_id"] for r in Client().get(f"{BASE}/requests.json").json()]
    assert numbers == [new["service_request_id"]]
    start = (timezone.now() - dt.timedelta(days=120)).strftime("%Y-%m-%dT%H:%M:%SZ")
    end = (timezone.now() - dt.timedelta(days=95)).strftime("%Y-%m-%dT%H:%M:%SZ")
    query = f"start_date={start}&end_date={end}"
    dated = Client().get(f"{BASE}/requests.json?{query}").json()
    assert [r["service_request_id"] for r in dated] == [old.number]
    both = (
        Client()
        .get(f"{BASE}/requests.json?service_request_id={old.number},{new['service_request_id']}")
        .json()
    )
    assert len(both) == 2


def test_a_confidential_case_is_never_out(categories, app_key):
    _app, key = app_key
    (filed,) = _post(api_key=key, service_code="pothole", description="有洞", **SPOT).json()
    Case.objects.filter(number=filed["service_request_id"]).update(confidential=True)
    assert Client().get(f"{BASE}/requests.json").json() == []
    one = Client().get(f"{BASE}/requests/{filed['service_request_id']}.json")
    assert one.status_code == 404 and one.json()[0]["code"] == 404


def test_discovery_names_the_endpoint(db):
    document = Client().get("/open311/discovery.json").json()
    (endpoint,) = document["endpoints"]
    assert endpoint["url"].endswith("/open311/v2/") and endpoint["type"] == "production"
    assert set(endpoint["formats"]) == {"text/xml", "application/json"}
    root = _xml(Client().get("/open311/discovery.xml"))
    assert [f.text for f in root.findall("endpoints/endpoint/formats/format")] == [
        "text/xml",
        "application/json",
    ]


def test_the_jurisdiction_is_accepted(categories, settings):
    settings.GUANKAO_OPEN311_JURISDICTION = "chiayi.gov.tw"
    assert Client().get(f"{BASE}/services.json?jurisdiction_id=chiayi.gov.tw").status_code == 200
    assert Client().get(f"{BASE}/services.json?jurisdiction_id=elsewhere").status_code == 404


def test_other_methods_are_refused(db):
    assert Client().delete(f"{BASE}/requests.json").status_code == 405
    assert Client().post(f"{BASE}/services.json").status_code == 405


def test_query_counts_stay_constant(categories, app_key, django_assert_max_num_queries):
    _app, key = app_key
    for n in range(5):
        _post(api_key=key, service_code="pothole", description=f"第 {n} 個洞", **SPOT)
    number = Case.objects.first().number
    with django_assert_max_num_queries(1):
        assert len(Client().get(f"{BASE}/requests.json").json()) == 5
    with django_assert_max_num_queries(1):
        Client().get(f"{BASE}/requests/{number}.json")


def test_the_answers_are_kept_with_the_case(questions, app_key):
    _app, key = app_key
    (filed,) = _post(
        api_key=key,
        service_code="pothole",
        description="有洞",
        **{"attribute[size]": "large"},
        **SPOT,
    ).json()
    online = PublicRequest.objects.get(case__number=filed["service_request_id"])
    assert online.attributes == {"size": "large"}
    assert ServiceAttribute.objects.count() == 2


def test_the_list_is_remembered_for_the_configured_seconds(categories, app_key, settings):
    _app, key = app_key
    settings.GUANKAO_OPEN311_CACHE_SECONDS = 30
    _post(api_key=key, service_code="pothole", description="一", **SPOT)
    assert len(Client().get(f"{BASE}/requests.json").json()) == 1
    _post(api_key=key, service_code="pothole", description="二", **SPOT)
    assert len(Client().get(f"{BASE}/requests.json").json()) == 1
    assert len(Client().get(f"{BASE}/requests.json?status=open").json()) == 2
    settings.GUANKAO_OPEN311_CACHE_SECONDS = 0
    assert len(Client().get(f"{BASE}/requests.json").json()) == 2


@pytest.mark.parametrize(
    "photo",
    [
        ("big.jpg", b"\xff\xd8\xff" + b"0" * (10 * 1024 * 1024), "image/jpeg"),
        ("lamp.jpg", b"<!DOCTYPE html><html><script>alert(1)</script></html>", "image/jpeg"),
    ],
    ids=["10 MB", "HTML named .jpg"],
)
def test_a_photo_sent_as_a_file_is_refused_and_nothing_is_stored(categories, app_key, photo):
    from django.core.files.uploadedfile import SimpleUploadedFile

    _app, key = app_key
    body = {"api_key": key, "service_code": "pothole", "description": "有洞", **SPOT}
    response = _post(media=SimpleUploadedFile(*photo), **body)
    assert response.status_code == 400
    (error,) = response.json()
    assert error["code"] == 400 and error["description"].startswith("media:")
    assert "media_url" in error["description"]
    assert not Case.objects.exists() and not PublicRequest.objects.exists()
