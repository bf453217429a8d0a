"""A case's files (附件): filed with the case or added by its handlers, read only by them
(a file out of reach is a 404), photos kept without EXIF GPS, each upload and download
audited, a refused case leaving no file behind; on the case page, in its timeline and ODT
summary, and in the API."""

import io
import json
import zipfile

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation
from PIL import Image

from guankao.core.models import Attachment, AuditEntry, Role
from guankao.petitions import case_files, handling, services
from guankao.petitions.models import Case
from tests.conftest import client_for as signed_in
from tests.conftest import make_user
from tests.core.test_attachments import GPS_IFD, PDF_BYTES, body, image_bytes, jpeg_with_gps
from tests.petitions.test_intake import file

pytestmark = pytest.mark.django_db
CALL = {
    "channel": "phone",
    "kind": "petition",
    "category": "pothole",
    "subject": "路面坑洞",
    "text": "中山路上有坑洞",
    "phone": "0912-345-678",
}
HTML = b"<!doctype html><html><body><script>alert(1)</script></body></html>"


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def stored(tmp_path):
    """The files in the test's default storage."""
    return lambda: sorted(p.name for p in (tmp_path / "files").rglob("*") if p.is_file())


def client_for(user):
    """A client for `user` reading the pages in English (the msgids)."""
    client = signed_in(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="image/jpeg")


def photo() -> SimpleUploadedFile:
    return upload("坑洞.jpg", jpeg_with_gps())


@pytest.fixture
def case(calltaker, categories):
    """A 1999 call about a pothole, filed with a photo and a PDF, assigned to PW at once."""
    return file(
        calltaker,
        categories["pothole"],
        received_at=timezone.now(),
        files=[photo(), upload("報告.pdf", PDF_BYTES)],
    )


def read(stored_file) -> bytes:
    with stored_file.open("rb") as handle:
        return handle.read()


def no_gps(data: bytes) -> bool:
    image = Image.open(io.BytesIO(data))
    return not image.getexif().get_ifd(GPS_IFD) and b"PhoneMaker" not in data


# Intake -----------------------------------------------------------------------------------


def test_the_call_taker_files_a_case_with_a_photo(calltaker, categories, city):
    response = client_for(calltaker).post(
        "/petitions/intake/", CALL | {"files": [photo(), upload("現場.png", image_bytes("PNG"))]}
    )
    assert response.status_code == 302
    case = Case.objects.get()
    files = list(Attachment.objects.filter(owner_type="petitions.case", owner_id=str(case.pk)))
    assert [f.original_name for f in files] == ["坑洞.jpg", "現場.png"]
    assert {f.department for f in files} == {city["pw"]} and all(f.thumbnail for f in files)
    uploads = AuditEntry.objects.filter(
        action=AuditEntry.Action.CREATE, object_type="core.attachment"
    )
    assert uploads.count() == 2 and {e.actor for e in uploads} == {calltaker}


def test_exif_gps_is_gone_from_the_stored_thumbnail_and_the_served_photo(case, people):
    original = jpeg_with_gps()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(GPS_IFD)
    image = Attachment.objects.get(content_type="image/jpeg")
    assert no_gps(read(image.file)) and no_gps(read(image.thumbnail))

    client = client_for(people["liaison"])
    served = client.get(f"/files/{image.pk}/")
    assert served.status_code == 200 and served["Content-Type"] == "image/jpeg"
    assert no_gps(body(served))
    assert Image.open(io.BytesIO(body(client.get(f"/files/{image.pk}/")))).size == (1000, 600)
    thumbnail = client.get(f"/files/{image.pk}/thumbnail/")
    assert thumbnail.status_code == 200 and no_gps(body(thumbnail))
    downloads = AuditEntry.objects.filter(action=AuditEntry.Action.VIEW_PERSONAL)
    assert downloads.count() == 2  # the two downloads; the thumbnail is not one
    assert downloads.first().object_id == str(image.pk)


def test_an_html_file_named_jpg_is_refused_naming_the_field(calltaker, categories, stored):
    response = client_for(calltaker).post(
        "/petitions/intake/", CALL | {"files": [photo(), upload("site.jpg", HTML)]}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert 'href="#id_files"' in page and "attachments" in page
    assert "site.jpg: is a web page" in page
    assert "choose them again" in page
    assert not Case.objects.exists() and not Attachment.objects.exists() and stored() == []


def test_a_refused_case_stores_nothing(calltaker, categories, stored):
    client = client_for(calltaker)
    bad_phone = client.post("/petitions/intake/", CALL | {"phone": "12", "files": [photo()]})
    assert bad_phone.status_code == 400 and 'href="#id_phone"' in bad_phone.content.decode()
    six = [upload(f"{n}.pdf", PDF_BYTES) for n in range(6)]
    too_many = client.post("/petitions/intake/", CALL | {"files": six})
    assert too_many.status_code == 400
    assert "at most 5 files per case" in too_many.content.decode()
    word = upload("memo.txt", b"plain words")
    assert (
        "memo.txt: a case takes photos"
        in client.post("/petitions/intake/", CALL | {"files": [word]}).content.decode()
    )
    assert not Case.objects.exists() and not Attachment.objects.exists() and stored() == []


def test_a_mailbox_case_s_files_belong_to_the_receiving_centre_until_assigned(
    people, categories, city
):
    officer, liaison = people["officer"], people["liaison"]
    case = file(officer, categories["pothole"], channel="mayor_mailbox", files=[photo()])
    attachment = Attachment.objects.get()
    assert case.lead is None and attachment.department == city["ctrl"]
    assert client_for(liaison).get(f"/files/{attachment.pk}/").status_code == 404

    services.case_assign(actor=officer, case=case, lead=city["pw"])
    assert client_for(liaison).get(f"/files/{attachment.pk}/").status_code == 200
    assert client_for(people["other_liaison"]).get(f"/files/{attachment.pk}/").status_code == 404


# Who reads them ---------------------------------------------------------------------------


@pytest.fixture
def second_calltaker(calltaker):
    return make_user("callcentre2", calltaker.department, Role.CALLTAKER)


def test_a_confidential_case_s_files_are_hidden_from_all_but_its_handlers(
    people, calltaker, second_calltaker, categories
):
    secret = file(calltaker, categories["pothole"], confidential=True, files=[photo()])
    attachment = Attachment.objects.get(owner_id=str(secret.pk))
    for user in (calltaker, people["liaison"], people["head"], people["officer"], people["admin"]):
        assert client_for(user).get(f"/files/{attachment.pk}/").status_code == 200, user
    for user in (people["other_liaison"], second_calltaker, people["executive"], people["worker"]):
        client = client_for(user)
        assert client.get(f"/files/{attachment.pk}/").status_code == 404, user
        assert client.get(f"/files/{attachment.pk}/thumbnail/").status_code == 404, user
        assert client.get(f"/petitions/cases/{secret.pk}/files/").status_code == 404, user
        assert client.get(f"/api/v1/petitions/cases/{secret.pk}/files").status_code == 404, user


def test_readers_who_do_not_handle_the_case_see_no_file(people, case, second_calltaker):
    attachment = Attachment.objects.filter(owner_id=str(case.pk)).first()
    for user in (second_calltaker, people["executive"]):
        client = client_for(user)
        page = client.get(f"/petitions/cases/{case.pk}/").content.decode()
        assert "坑洞.jpg" not in page and "shown only to those who handle it" in page
        assert client.get(f"/files/{attachment.pk}/").status_code == 404
        assert client.get(f"/petitions/cases/{case.pk}/files/").status_code == 403
        assert client.get(f"/api/v1/petitions/cases/{case.pk}/files").status_code == 403


# The case page ----------------------------------------------------------------------------


def test_the_case_page_lists_the_files_with_thumbnails_and_in_the_timeline(people, case):
    page = client_for(people["liaison"]).get(f"/petitions/cases/{case.pk}/").content.decode()
    image, pdf = Attachment.objects.order_by("pk")
    # One link a file, named by the file (the thumbnail inside it is not read out twice).
    thumbnail = f'<img src="/files/{image.pk}/thumbnail/" alt="" loading="lazy" width="160">'
    assert f'<a href="/files/{image.pk}/">{thumbnail}坑洞.jpg</a>' in page
    assert f'<a href="/files/{pdf.pk}/">報告.pdf</a>' in page
    assert f"/files/{pdf.pk}/thumbnail/" not in page
    timeline = page.split('id="timeline-heading"')[1]
    assert "File added" in timeline and "報告.pdf" in timeline
    assert 'enctype="multipart/form-data"' in page and f"/petitions/cases/{case.pk}/files/" in page


def test_a_liaison_adds_the_site_photo_and_others_cannot(people, case, stored):
    liaison = client_for(people["liaison"])
    url = f"/petitions/cases/{case.pk}/files/"
    assert liaison.get(url).status_code == 200
    added = liaison.post(url, {"files": [upload("修復後.jpg", jpeg_with_gps())]})
    assert added.status_code == 302 and added["Location"].endswith("#files-heading")
    latest = Attachment.objects.latest("pk")
    assert latest.original_name == "修復後.jpg" and latest.uploaded_by == people["liaison"]
    assert no_gps(read(latest.file))

    empty = liaison.post(url, {})
    assert empty.status_code == 400 and 'href="#id_files"' in empty.content.decode()
    html = liaison.post(url, {"files": [upload("x.jpg", HTML)]})
    assert html.status_code == 400 and "x.jpg: is a web page" in html.content.decode()
    three = [upload(f"{n}.pdf", PDF_BYTES) for n in range(3)]
    full = liaison.post(url, {"files": three})
    assert full.status_code == 400 and "3 already" in full.content.decode()
    before = len(stored())
    assert client_for(people["other_liaison"]).post(url, {"files": [photo()]}).status_code == 404
    assert client_for(people["executive"]).post(url, {"files": [photo()]}).status_code == 403
    assert len(stored()) == before and Attachment.objects.count() == 3


def test_no_file_is_added_to_a_closed_case(people, case):
    handling.reply_draft(actor=people["head"], case=case, text="已修補", method="phone")
    case.refresh_from_db()
    assert not case.is_open
    client = client_for(people["liaison"])
    refused = client.post(f"/petitions/cases/{case.pk}/files/", {"files": [photo()]})
    assert refused.status_code == 400 and "the case is closed" in refused.content.decode()
    assert (
        'action="/petitions/cases/'
        not in client.get(f"/petitions/cases/{case.pk}/")
        .content.decode()
        .split('id="files-heading"')[1]
        .split("</section>")[0]
    )


def test_the_case_page_with_files_is_pinned(
    people, calltaker, categories, case, django_assert_max_num_queries
):
    """As many queries with two files as with none (the files and who reads them: two)."""
    bare = file(calltaker, categories["pothole"], received_at=timezone.now())
    client = client_for(people["liaison"])
    counts = []
    for shown in (bare, case):
        with django_assert_max_num_queries(17) as queries:
            assert client.get(f"/petitions/cases/{shown.pk}/").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_the_summary_lists_the_file_names(people, case):
    response = client_for(people["liaison"]).get(f"/petitions/cases/{case.pk}/summary.odt")
    with zipfile.ZipFile(io.BytesIO(response.content)) as odt:
        content = odt.read("content.xml").decode()
    assert "五、附件" in content and "坑洞.jpg" in content and "報告.pdf" in content


# API --------------------------------------------------------------------------------------


def test_the_api_lists_and_takes_files_with_the_page_s_scoping(people, case):
    url = f"/api/v1/petitions/cases/{case.pk}/files"
    liaison = client_for(people["liaison"])
    listed = liaison.get(url)
    assert listed.status_code == 200
    image = listed.json()[0]
    assert image["name"] == "坑洞.jpg" and image["content_type"] == "image/jpeg"
    assert image["download"] == f"/files/{image['id']}/" and image["thumbnail"]
    assert listed.json()[1]["thumbnail"] is None and image["department"] == "PW"

    made = liaison.post(url, {"files": [upload("後.png", image_bytes("PNG"))]})
    assert made.status_code == 201, made.content
    assert [f["name"] for f in made.json()] == ["後.png"]
    refused = liaison.post(url, {"files": [upload("x.jpg", HTML)]})
    assert refused.status_code == 400
    assert refused.json()["detail"][0]["field"] == "files"
    assert "x.jpg" in refused.json()["detail"][0]["message"]
    nothing = liaison.post(url, json.dumps({}), content_type="application/json")
    assert nothing.status_code == 400 and nothing.json()["detail"][0]["field"] == "files"
    assert client_for(people["other_liaison"]).get(url).status_code == 404
    assert client_for(people["executive"]).post(url, {"files": [photo()]}).status_code == 403
    assert client_for(None).get(url).status_code == 401
    assert Attachment.objects.count() == 3


def test_the_reader_is_registered_for_cases():
    from guankao.core import attachments

    assert attachments._readers[case_files.OWNER].personal is True
