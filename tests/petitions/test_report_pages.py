"""The citizens' report pages over HTTP, signed in as no one: filing a report (one case on
the web channel, the category's deadline, photos stored without their metadata, the code
shown once and e-mailed), bad input refused with a message naming the field and nothing
stored, the honeypot, the per-address limits, following a case with its code, and the
public map and list without personal data, in a fixed number of queries."""

import datetime as dt
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from PIL import Image

from guankao.core.models import Attachment, AuditEntry, OutboundMail
from guankao.lib.roc import format_roc
from guankao.petitions import deadlines, handling, public
from guankao.petitions import services as petition_services
from guankao.petitions.models import Case, Rules, ServiceAttribute, Survey

pytestmark = pytest.mark.django_db

SPOT = {"latitude": "23.480100", "longitude": "120.449100"}
CODE_RE = re.compile(r'class="follow-up-code">([A-Z0-9]{5})-([A-Z0-9]{5})<')


@pytest.fixture
def attributes(categories):
    return {
        "lamp_no": ServiceAttribute.objects.create(
            category=categories["light_out"],
            code="lamp_no",
            datatype="string",
            required=True,
            description="路燈編號",
            order=1,
        ),
        "size": ServiceAttribute.objects.create(
            category=categories["pothole"],
            code="size",
            datatype="singlevaluelist",
            description="坑洞大小",
            values=[
                {"key": "small", "name": "小於 30 公分"},
                {"key": "large", "name": "30 公分以上"},
            ],
        ),
    }


@pytest.fixture
def client():
    return Client()


def _jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (64, 48), "orange")
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (23.0, 28.0, 48.0)
    gps[3], gps[4] = "E", (120.0, 26.0, 57.0)
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def _name(field: str, attributes) -> str:
    """ "@code" is the form field of that attribute's question."""
    return f"attr_{attributes[field[1:]].pk}" if field.startswith("@") else field


def _form(**extra) -> dict:
    data = {"category": "pothole", "description": "民族路口有大坑洞，機車很危險。", **SPOT}
    data.update(extra)
    return data


def _stored_files(tmp_path) -> list:
    root = tmp_path / "files"
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def _file(client, **extra):
    return client.post("/report/", _form(**extra))


def _filed(client, **extra) -> tuple[Case, str]:
    response = _file(client, **extra)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert response["Location"] == "/report/filed/"
    page = client.get("/report/filed/").content.decode()
    found = CODE_RE.search(page)
    assert found, page
    case = Case.objects.order_by("-pk").first()
    assert case.number in page
    return case, found.group(1) + found.group(2)


# Filing -------------------------------------------------------------------------------------


def test_it_shows_the_form_with_the_public_categories_and_their_questions(client, attributes):
    response = client.get("/report/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "道路坑洞" in page and "路燈不亮" in page
    assert "補助申請" not in page  # not a category citizens may report
    assert "路燈編號" in page and "30 公分以上" in page
    assert 'name="csrfmiddlewaretoken"' in page and 'name="website"' in page
    assert "<script>" not in page and "cdn" not in page.lower()


def test_filing_creates_one_case_with_the_web_channel_the_deadline_and_a_stripped_photo(
    client, categories, attributes, tmp_path
):
    photo = SimpleUploadedFile("IMG_0001.jpg", _jpeg_with_gps(), content_type="image/jpeg")
    size = _name("@size", attributes)
    case, code = _filed(client, **{size: "large", "photo_1": photo})
    assert Case.objects.count() == 1
    assert case.channel == "web" and case.kind == "dispatch" and case.status == "assigned"
    assert case.lead.code == "PW" and case.anonymous and case.created_by.username == "open311"
    day = deadlines.local_day(case.received_at)
    clock = deadlines.Clock.of(Rules.current())
    assert case.due_date == deadlines.reply_due(day, clock, category_workdays=None)
    assert case.field_due_at == deadlines.field_due(case.received_at, 2, "workdays")
    assert case.public_request.attributes == {"size": "large"}
    photo = Attachment.objects.get(owner_type="petitions.case", owner_id=str(case.pk))
    data = photo.file.read()
    assert data.startswith(b"\xff\xd8") and b"PhoneMaker" not in data and b"Exif" not in data
    assert not Image.open(io.BytesIO(data)).getexif()
    assert public.public_case_get(case.number, code).number == case.number
    # The code is shown once: the page does not show it again.
    assert client.get("/report/filed/")["Location"] == "/report/"


def test_the_code_is_mailed_when_an_address_is_given(client, categories):
    case, code = _filed(
        client, name="王小明", email="wang@example.com", phone="0912-345-678", consent="on"
    )
    mail = OutboundMail.objects.get(address="wang@example.com")
    assert case.number in mail.body and code in mail.body and "/report/track/" in mail.body
    assert case.name == "王小明" and case.phone == "0912-345-678" and not case.anonymous


def _html_named_jpg():
    return SimpleUploadedFile("photo.jpg", b"<html><script>alert(1)</script></html>", "image/jpeg")


def _ten_megabytes():
    return SimpleUploadedFile("big.jpg", b"\xff\xd8\xff" + b"0" * (10 * 1024 * 1024), "image/jpeg")


BAD = {
    "unknown category": ({"category": "nope"}, "category"),
    "not a public category": ({"category": "subsidy"}, "category"),
    "outside the city": ({"latitude": "25.033", "longitude": "121.565"}, "latitude"),
    "east of the city": ({"longitude": "121.565"}, "longitude"),
    "malformed coordinate": ({"latitude": "north"}, "latitude"),
    "one coordinate": ({"longitude": ""}, "longitude"),
    "no place at all": ({"latitude": "", "longitude": ""}, "location"),
    "20,000 characters": ({"description": "洞" * 20000}, "description"),
    "no description": ({"description": ""}, "description"),
    "missing required attribute": ({"category": "light_out"}, "@lamp_no"),
    "not one of the choices": ({"@size": "huge"}, "@size"),
    "a photo of 10 MB": ({"photo_2": "big"}, "photo_2"),
    "HTML named .jpg": ({"photo_1": "html"}, "photo_1"),
    "bad phone": ({"phone": "12345", "consent": "on"}, "phone"),
    "bad e-mail": ({"email": "wang@", "consent": "on"}, "email"),
    "contact without consent": ({"phone": "0912-345-678"}, "consent"),
    "control character": ({"description": "坑洞\x00"}, "description"),
}


@pytest.mark.parametrize("case", BAD.values(), ids=BAD.keys())
def test_bad_input_is_a_form_error_naming_the_field_and_stores_nothing(
    client, categories, attributes, tmp_path, case
):
    data, field = case
    files = {"big": _ten_megabytes, "html": _html_named_jpg}
    data = {_name(k, attributes): files[v]() if v in files else v for k, v in data.items()}
    field = _name(field, attributes)
    response = client.post("/report/", _form(**data))
    page = response.content.decode()
    assert response.status_code == 400
    assert f'href="#id_{field}"' in page, re.findall(r'href="#id_\w+"', page)
    assert "error-summary" in page
    assert not Case.objects.exists() and not Attachment.objects.exists()
    assert _stored_files(tmp_path) == []


def _summary(response) -> str:
    page = response.content.decode()
    return re.search(r'<div class="error-summary".*?</div>', page, re.S).group(0)


def test_the_photo_messages_say_what_is_wrong_in_zh_hant(client, categories):
    summary = _summary(client.post("/report/", _form(photo_1=_html_named_jpg())))
    assert "照片 1" in summary and "網頁" in summary  # a web page, which can carry scripts
    summary = _summary(client.post("/report/", _form(photo_3=_ten_megabytes())))
    assert "照片 3" in summary and "過大" in summary and "MB" in summary


def test_the_honeypot_refuses_the_report(client, categories, tmp_path):
    response = _file(client, website="http://spam.example")
    assert response.status_code == 400
    assert not Case.objects.exists() and _stored_files(tmp_path) == []


def test_filing_is_limited_per_address(client, categories, settings):
    settings.GUANKAO_REPORT_LIMIT_PER_HOUR = 2
    _filed(client)
    _filed(client)
    response = _file(client)
    assert response.status_code == 429
    assert Case.objects.count() == 2
    elsewhere = Client(REMOTE_ADDR="192.0.2.7")
    assert elsewhere.post("/report/", _form())["Location"] == "/report/filed/"
    assert Case.objects.count() == 3


# Following a case ---------------------------------------------------------------------------


def _reply(case, people):
    reply = handling.reply_draft(
        actor=people["liaison"],
        case=case,
        text="已派員於 12/5 修補完成。承辦人 0912-000-111",
        public_text="已派員修補完成。",
        method="phone",
    )
    handling.reply_approve(actor=people["head"], reply=reply)


def test_tracking_shows_status_deadline_reply_and_survey(client, categories, people):
    case, code = _filed(client)
    response = client.post("/report/track/", {"number": case.number, "code": code})
    page = response.content.decode()
    assert response.status_code == 200
    assert case.number in page and "道路坑洞" in page and "工務處" in page
    assert format_roc(case.due_date) in page
    assert "/petitions/survey/" not in page
    _reply(case, people)
    dashed = f"{code[:5]}-{code[5:]}".lower()  # as shown, typed in small letters
    page = client.post("/report/track/", {"number": case.number, "code": dashed}).content.decode()
    assert "已派員修補完成。" in page and "0912-000-111" not in page
    token = re.search(r'href="/petitions/survey/([\w-]+)/"', page).group(1)
    assert client.get(f"/petitions/survey/{token}/").status_code == 200
    assert Survey.objects.filter(case=case).count() == 1


@pytest.mark.parametrize("wrong", ["number", "code", "both"])
def test_a_wrong_number_or_code_gets_the_same_message(client, categories, wrong):
    case, code = _filed(client)
    data = {"number": case.number, "code": code}
    if wrong in ("number", "both"):
        data["number"] = "1140101-9999"
    if wrong in ("code", "both"):
        data["code"] = "ABCDEFGHJK"
    response = client.post("/report/track/", data)
    assert response.status_code == 400
    nonsense = client.post("/report/track/", {"number": "x", "code": "y"})
    assert _summary(response) == _summary(nonsense)
    assert "查無符合" in _summary(response) and "道路坑洞" not in response.content.decode()


def test_tracking_is_limited_per_address(client, categories, settings):
    settings.GUANKAO_TRACK_FAILURE_LIMIT_PER_HOUR = 3
    case, code = _filed(client)
    wrong = {"number": case.number, "code": "WRONG"}
    for _ in range(3):
        assert client.post("/report/track/", wrong).status_code == 400
    refused = client.post("/report/track/", {"number": case.number, "code": code})
    assert refused.status_code == 429 and "道路坑洞" not in refused.content.decode()
    assert AuditEntry.objects.filter(object_type="petitions.tracking").count() == 3
    elsewhere = Client(REMOTE_ADDR="192.0.2.7")
    assert (
        elsewhere.post("/report/track/", {"number": case.number, "code": code}).status_code == 200
    )


# The public map and list --------------------------------------------------------------------


def _confidential(people, categories):
    return petition_services.case_file(
        actor=people["officer"],
        kind="petition",
        channel="phone",
        subject="密件坑洞",
        text="密件：檢舉鄰居占用道路",
        category=categories["pothole"],
        confidential=True,
        name="陳大文",
        phone="0922-111-222",
        latitude="23.47",
        longitude="120.44",
    )


def test_the_map_and_list_show_no_personal_data_and_no_confidential_case(
    client, categories, people
):
    case, _code = _filed(
        client,
        name="王小明",
        phone="0912-345-678",
        email="wang@example.com",
        consent="on",
        description="我是王小明，電話 0912-345-678，家門口有坑洞",
        location="民族路 100 號",
    )
    secret = _confidential(people, categories)
    page = client.get("/report/map/").content.decode()
    assert case.number in page and "民族路 100 號" in page
    assert secret.number not in page
    for personal in ("王小明", "0912-345-678", "wang@example.com", "陳大文", "0922-111-222"):
        assert personal not in page
    assert "/petitions/cases/" not in page


def test_the_list_filters_by_category_and_status(client, categories, attributes):
    pothole, _ = _filed(client)
    light, _ = _filed(client, category="light_out", **{_name("@lamp_no", attributes): "CY-0423"})
    Case.objects.filter(pk=light.pk).update(status="replied", closed_at=timezone.now())
    page = client.get("/report/map/?category=light_out").content.decode()
    assert light.number in page and pothole.number not in page
    page = client.get("/report/map/?status=open").content.decode()
    assert pothole.number in page and light.number not in page
    response = client.get("/report/map/?category=nope")
    assert response.status_code == 400 and pothole.number not in response.content.decode()


def test_the_list_keeps_to_the_last_90_days(client, categories):
    old, _ = _filed(client)
    Case.objects.filter(pk=old.pk).update(received_at=timezone.now() - dt.timedelta(days=91))
    new, _ = _filed(client)
    page = client.get("/report/map/").content.decode()
    assert new.number in page and old.number not in page


def test_the_map_page_reads_in_a_fixed_number_of_queries(
    categories, attributes, settings, django_assert_max_num_queries
):
    settings.GUANKAO_REPORT_LIMIT_PER_HOUR = 100
    for n in range(3):
        public.file_public_request(
            client=None, category="pothole", description=f"坑洞 {n}", address="民族路"
        )
    client = Client()
    with django_assert_max_num_queries(2):
        assert client.get("/report/map/").status_code == 200
    for n in range(30):
        public.file_public_request(
            client=None, category="pothole", description=f"坑洞 {n}", lat="23.48", long="120.45"
        )
    with django_assert_max_num_queries(2):
        assert client.get("/report/map/?status=open").status_code == 200


def test_every_report_page_answers_anyone(client, categories):
    for url in ("/report/", "/report/track/", "/report/map/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "default-src 'self'" in response["Content-Security-Policy"]


def test_each_kind_of_question_reaches_the_case(client, categories):
    light = categories["light_out"]
    kinds = {
        "lamp_no": ("string", "CY-0423", "CY-0423"),
        "height": ("number", "7.5", "7.5"),
        "since": ("datetime", "2026-12-03T19:30", "2026-12-03T19:30:00+08:00"),
        "what": ("multivaluelist", ["dark", "blink"], ["dark", "blink"]),
        "more": ("text", "整排都不亮\n已經三天", "整排都不亮\n已經三天"),
    }
    values = [{"key": "dark", "name": "全暗"}, {"key": "blink", "name": "閃爍"}]
    fields = {}
    for order, (code, (datatype, given, _stored)) in enumerate(kinds.items()):
        attribute = ServiceAttribute.objects.create(
            category=light,
            code=code,
            datatype=datatype,
            description=code,
            order=order,
            values=values if datatype == "multivaluelist" else [],
        )
        fields[f"attr_{attribute.pk}"] = given
    case, _code = _filed(client, category="light_out", **fields)
    assert case.public_request.attributes == {k: v[2] for k, v in kinds.items()}


@pytest.mark.django_db
def test_the_sign_in_page_leads_citizens_to_the_report_pages(client):
    body = client.get("/login/").content.decode()
    assert 'href="/report/"' in body and 'href="/report/track/"' in body


def test_an_unknown_question_is_a_form_error_and_nothing_is_stored(client, categories, tmp_path):
    response = _file(client, attr_99999="紅色")
    assert response.status_code == 400
    assert "attr_99999" in _summary(response) and "重新載入" in _summary(response)
    assert not Case.objects.exists() and _stored_files(tmp_path) == []
