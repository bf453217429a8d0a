"""The attachment service: types checked by content, nothing stored on refusal, served
only to those who may read the department, with headers that keep files inert."""

import hashlib
import io
import os
import zipfile
from urllib.parse import quote

import odfdo
import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from PIL import Image

from guankao.core import attachments
from guankao.core.attachments import attachment_create, attachment_get_for_download
from guankao.core.errors import NotAllowed, NotFound, ServiceError
from guankao.core.models import Attachment, AuditEntry
from guankao.core.tabular import write_ods

PDF_BYTES = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
GPS_IFD = 0x8825


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def stored_files(tmp_path):
    """Every file in the test's default storage, as paths relative to its root."""
    root = tmp_path / "files"

    def listing() -> list[str]:
        return sorted(
            os.path.relpath(os.path.join(folder, name), root)
            for folder, _dirs, names in os.walk(root)
            for name in names
        )

    return listing


def image_bytes(fmt: str, size=(40, 30), mode="RGB", **save) -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, "teal" if mode != "RGBA" else (0, 128, 128, 100)).save(out, fmt, **save)
    return out.getvalue()


def jpeg_with_gps() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[GPS_IFD] = {1: "N", 2: (23.0, 28.0, 50.0), 3: "E", 4: (120.0, 26.0, 57.0)}
    return image_bytes("JPEG", size=(1000, 600), exif=exif.tobytes())


def odf_bytes(kind: str) -> bytes:
    if kind == "spreadsheet":
        return write_ods({"成果": (["項目", "數值"], [["A", "1"]])})
    document = odfdo.Document(kind)
    if kind == "text":
        document.body.append(odfdo.Paragraph("成果說明"))
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def zip_bytes(members: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return out.getvalue()


def ooxml_bytes(main_part: str, content_types=b"<Types/>") -> bytes:
    return zip_bytes(
        {
            "[Content_Types].xml": content_types,
            "_rels/.rels": b"<Relationships/>",
            main_part: b"<document/>",
        }
    )


def upload(content: bytes, name: str, claimed="application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=claimed)


def create(actor, department, content: bytes, name: str) -> Attachment:
    return attachment_create(
        actor=actor,
        file=upload(content, name),
        department=department,
        owner_type="core.department",
        owner_id=department.pk,
    )


ACCEPTED = [
    ("report.pdf", lambda: PDF_BYTES, "application/pdf"),
    ("site.png", lambda: image_bytes("PNG"), "image/png"),
    ("site.jpg", lambda: image_bytes("JPEG"), "image/jpeg"),
    ("site.gif", lambda: image_bytes("GIF"), "image/gif"),
    ("site.webp", lambda: image_bytes("WEBP"), "image/webp"),
    ("notes.odt", lambda: odf_bytes("text"), "application/vnd.oasis.opendocument.text"),
    (
        "table.ods",
        lambda: odf_bytes("spreadsheet"),
        "application/vnd.oasis.opendocument.spreadsheet",
    ),
    ("memo.docx", lambda: ooxml_bytes("word/document.xml"), attachments.DOCX),
    ("sheet.xlsx", lambda: ooxml_bytes("xl/workbook.xml"), attachments.XLSX),
    ("data.csv", lambda: "項目,數值\n道路,3\n".encode(), "text/csv; charset=utf-8"),
    ("big5.csv", lambda: "項目,數值\n道路,3\n".encode("cp950"), "text/csv; charset=big5"),
    ("readme.txt", lambda: b"plain notes\r\n\tindented\n", "text/plain; charset=utf-8"),
]


@pytest.mark.parametrize(("name", "make", "content_type"), ACCEPTED, ids=[a[0] for a in ACCEPTED])
def test_it_accepts_each_allowed_type_by_content(
    people, city, stored_files, name, make, content_type
):
    content = make()

    attachment = create(people["liaison"], city["pw"], content, name)

    attachment.refresh_from_db()
    assert attachment.content_type == content_type
    assert attachment.original_name == name
    assert attachment.size == len(content)
    assert attachment.uploaded_by == people["liaison"]
    assert attachment.department == city["pw"]
    assert (attachment.owner_type, attachment.owner_id) == ("core.department", str(city["pw"].pk))
    with attachment.file.open("rb") as handle:
        assert handle.read() == content
    is_image = content_type.startswith("image/")
    assert bool(attachment.thumbnail) is is_image
    assert len(stored_files()) == (2 if is_image else 1)


def test_it_stores_under_a_random_dated_name_never_the_uploaded_one(people, city):
    first = create(people["liaison"], city["pw"], PDF_BYTES, "../../etc/道路報告.pdf")
    second = create(people["liaison"], city["pw"], PDF_BYTES, "道路報告.pdf")

    assert first.original_name == "道路報告.pdf"
    for attachment in (first, second):
        assert attachment.file.name.startswith("attachments/")
        assert attachment.file.name.endswith(".pdf")
        assert "道路" not in attachment.file.name and ".." not in attachment.file.name
    assert first.file.name != second.file.name
    assert first.sha256 == second.sha256 == hashlib.sha256(PDF_BYTES).hexdigest()


def test_it_keeps_the_detected_type_when_the_name_disagrees(people, city):
    attachment = create(people["liaison"], city["pw"], PDF_BYTES, "report.html")

    assert attachment.content_type == "application/pdf"
    assert attachment.original_name == "report.html"
    assert attachments.download_name(attachment) == "report.html.pdf"


def test_it_drops_invisible_direction_overrides_from_names(people, city):
    attachment = create(people["liaison"], city["pw"], PDF_BYTES, "evidence\u202efdp.exe.pdf")

    assert attachment.original_name == "evidencefdp.exe.pdf"


def svg() -> bytes:
    return b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


def truncated_png() -> bytes:
    content = image_bytes("PNG", size=(200, 200), mode="RGB", compress_level=0)
    return content[: len(content) // 2]


def truncated_jpeg() -> bytes:
    content = image_bytes("JPEG", size=(800, 800), quality=95)
    return content[: len(content) // 2]


REJECTED = [
    ("tool.pdf", lambda: b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200, "program"),
    ("run.pdf", lambda: b"\x7fELF\x02\x01\x01" + b"\x00" * 200, "program"),
    ("page.png", lambda: b"<!DOCTYPE html><html><script>alert(1)</script></html>", "web page"),
    ("logo.svg", svg, "SVG"),
    ("page.csv", lambda: b"name\n<script>alert(1)</script>\n", "web page"),
    ("files.zip", lambda: zip_bytes({"a.txt": b"hello"}), "not an ODF or Word/Excel"),
    (
        "book.epub",
        lambda: zip_bytes(
            {"mimetype": b"application/epub+zip", "META-INF/manifest.xml": b"<m/>"},
            zipfile.ZIP_STORED,
        ),
        "not accepted",
    ),
    (
        "macro.docx",
        lambda: zip_bytes(
            {
                "[Content_Types].xml": b"<Types/>",
                "word/document.xml": b"<d/>",
                "word/vbaProject.bin": b"x",
            }
        ),
        "macros",
    ),
    ("slides.pptx", lambda: ooxml_bytes("ppt/presentation.xml"), "Office document other"),
    ("broken.docx", lambda: b"PK\x03\x04" + b"\x00" * 100, "damaged"),
    ("empty.pdf", lambda: b"", "empty"),
    (
        "corrupt.png",
        lambda: b"\x89PNG\r\n\x1a\n" + b"\x13\x37" * 100,
        "damaged or unreadable image",
    ),
    ("half.png", truncated_png, "damaged or unreadable image"),
    ("half.jpg", truncated_jpeg, "damaged or unreadable image"),
    ("binary.csv", lambda: b"a,b\n\x01\x02\x03\x04,5\n", "not an accepted file type"),
    ("latin1.txt", lambda: "caf\xe9 cr\xe8me\n".encode("latin-1"), "neither UTF-8 nor Big5"),
]


@pytest.mark.parametrize(("name", "make", "rule"), REJECTED, ids=[r[0] for r in REJECTED])
def test_it_refuses_other_content_and_stores_nothing(people, city, stored_files, name, make, rule):
    audits = AuditEntry.objects.count()

    with pytest.raises(ServiceError) as caught:
        create(people["liaison"], city["pw"], make(), name)

    [problem] = caught.value.problems
    assert problem.field == "file"
    assert rule in str(problem.message)
    assert Attachment.objects.count() == 0
    assert AuditEntry.objects.count() == audits
    assert stored_files() == []


def test_it_refuses_a_zip_bomb_by_its_declared_size(people, city, settings, stored_files):
    settings.GUANKAO_MAX_UPLOAD_BYTES = 10_000
    bomb = zip_bytes({"mimetype": b"application/vnd.oasis.opendocument.text", "x": b"\0" * 10**6})
    assert len(bomb) < 10_000

    with pytest.raises(ServiceError) as caught:
        create(people["liaison"], city["pw"], bomb, "bomb.odt")

    assert caught.value.problems[0].field == "file"
    assert "unpacks to more than" in str(caught.value.problems[0].message)
    assert Attachment.objects.count() == 0
    assert stored_files() == []


def test_it_refuses_a_file_over_the_limit(people, city, settings, stored_files):
    settings.GUANKAO_MAX_UPLOAD_BYTES = 1000
    create(people["liaison"], city["pw"], PDF_BYTES.ljust(1000, b" "), "exact.pdf")

    with pytest.raises(ServiceError) as caught:
        create(people["liaison"], city["pw"], PDF_BYTES.ljust(1001, b" "), "big.pdf")

    assert caught.value.problems[0].field == "file"
    assert "too large" in str(caught.value.problems[0].message)
    assert Attachment.objects.count() == 1
    assert len(stored_files()) == 1


@pytest.mark.parametrize("size", [(8_000, 8_000), (20_000, 10_000)])
def test_it_refuses_an_image_with_too_many_pixels(people, city, stored_files, size):
    # A small file that declares 64 (or 200) megapixels.
    huge = image_bytes("PNG", size=size, mode="1")

    with pytest.raises(ServiceError, match="megapixels"):
        create(people["liaison"], city["pw"], huge, "huge.png")

    assert stored_files() == []


def test_it_makes_thumbnails_without_exif_or_gps(people, city):
    original = jpeg_with_gps()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(GPS_IFD)

    attachment = create(people["liaison"], city["pw"], original, "現場照片.jpg")

    with attachment.thumbnail.open("rb") as handle:
        thumbnail = Image.open(io.BytesIO(handle.read()))
    assert thumbnail.format == "JPEG"
    assert thumbnail.size == (320, 192)
    assert len(thumbnail.getexif()) == 0
    assert "exif" not in thumbnail.info
    # The original is evidence and is kept byte for byte.
    with attachment.file.open("rb") as handle:
        assert handle.read() == original


def test_it_turns_thumbnails_upright_as_the_camera_recorded(people, city):
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: rotate 90° clockwise to view
    photo = image_bytes("JPEG", size=(400, 300), exif=exif.tobytes())

    attachment = create(people["liaison"], city["pw"], photo, "side.jpg")

    with attachment.thumbnail.open("rb") as handle:
        assert Image.open(io.BytesIO(handle.read())).size == (240, 320)


def test_it_keeps_transparency_in_thumbnails(people, city):
    attachment = create(people["liaison"], city["pw"], image_bytes("PNG", mode="RGBA"), "a.png")

    with attachment.thumbnail.open("rb") as handle:
        thumbnail = Image.open(io.BytesIO(handle.read()))
    assert (thumbnail.format, thumbnail.mode, thumbnail.size) == ("PNG", "RGBA", (40, 30))


def test_it_writes_an_audit_entry(people, city):
    attachment = create(people["liaison"], city["pw"], PDF_BYTES, "report.pdf")

    entry = AuditEntry.objects.get(object_type="core.attachment", object_id=str(attachment.pk))
    assert entry.action == AuditEntry.Action.CREATE
    assert entry.actor == people["liaison"]
    assert entry.department == city["pw"]
    assert entry.changes["sha256"] == [None, attachment.sha256]
    assert entry.changes["owner_type"] == [None, "core.department"]


def test_it_removes_stored_files_when_the_save_fails(people, city, stored_files, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("audit unavailable")

    monkeypatch.setattr(attachments.audit, "record", broken)

    with pytest.raises(RuntimeError):
        create(people["liaison"], city["pw"], image_bytes("PNG"), "photo.png")

    assert Attachment.objects.count() == 0
    assert stored_files() == []


@pytest.mark.parametrize("who", ["other_liaison", "worker", None])
def test_it_refuses_uploads_to_a_department_the_actor_cannot_read(people, city, stored_files, who):
    actor = people[who] if who else AnonymousUser()

    with pytest.raises(NotAllowed):
        create(actor, city["pw"], PDF_BYTES, "report.pdf")

    assert Attachment.objects.count() == 0
    assert stored_files() == []


def test_it_checks_the_owner_reference(people, city):
    with pytest.raises(ServiceError) as caught:
        attachment_create(
            actor=people["liaison"],
            file=upload(PDF_BYTES, "a.pdf"),
            department=city["pw"],
            owner_type="nosuch.thing",
            owner_id=1,
        )
    assert caught.value.problems[0].field == "owner_type"

    with pytest.raises(ServiceError) as caught:
        attachment_create(
            actor=people["liaison"],
            file=upload(PDF_BYTES, "a.pdf"),
            department=city["pw"],
            owner_type="core.department",
            owner_id="",
        )
    assert caught.value.problems[0].field == "owner_id"


# Reading and serving ----------------------------------------------------------------------

READERS = ["liaison", "head", "officer", "executive", "admin"]


def test_it_lets_only_readers_of_the_department_get_a_file(people, city):
    attachment = create(people["worker"], city["pw1"], PDF_BYTES, "report.pdf")

    for who in [*READERS, "worker"]:
        assert attachment_get_for_download(actor=people[who], pk=attachment.pk) == attachment
    with pytest.raises(NotFound):
        attachment_get_for_download(actor=people["other_liaison"], pk=attachment.pk)
    with pytest.raises(NotFound):
        attachment_get_for_download(actor=people["liaison"], pk=attachment.pk + 1000)
    listed = attachments.attachments_for(
        actor=people["other_liaison"], owner_type="core.department", owner_id=city["pw1"].pk
    )
    assert list(listed) == []


def body(response) -> bytes:
    # Reading to the end closes the file; the test client does that for streamed answers.
    return b"".join(response.streaming_content)


def test_it_serves_files_to_readers_with_safe_headers(people, city, clients):
    content = "項目,數值\n道路,3\n".encode()
    attachment = create(people["liaison"], city["pw"], content, "成果 報告.csv")

    for who in READERS:
        response = clients[who].get(f"/files/{attachment.pk}/")
        assert response.status_code == 200, who
        assert body(response) == content
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        "attachment; filename=\"__ __.csv\"; filename*=UTF-8''" + quote("成果 報告.csv", safe="")
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert "private" in response["Cache-Control"]


def test_it_hides_files_from_others(people, city, clients):
    attachment = create(people["liaison"], city["pw"], PDF_BYTES, "report.pdf")

    assert clients["other_liaison"].get(f"/files/{attachment.pk}/").status_code == 404
    assert clients["other_liaison"].get(f"/files/{attachment.pk}/thumbnail/").status_code == 404
    assert clients["worker"].get(f"/files/{attachment.pk}/").status_code == 404
    assert clients["liaison"].get(f"/files/{attachment.pk + 1000}/").status_code == 404
    anonymous = clients["anonymous"].get(f"/files/{attachment.pk}/")
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/login/")
    assert clients["liaison"].post(f"/files/{attachment.pk}/").status_code == 405


def test_it_shows_images_and_pdfs_inline(people, city, clients):
    photo = create(people["liaison"], city["pw"], image_bytes("PNG", size=(800, 400)), "照片.png")
    pdf = create(people["liaison"], city["pw"], PDF_BYTES, "report.html")

    response = clients["officer"].get(f"/files/{photo.pk}/")
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("inline; ")
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    body(response)

    response = clients["liaison"].get(f"/files/{photo.pk}/thumbnail/")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["Content-Disposition"].startswith("inline; ")
    assert (
        "filename*=UTF-8''" + quote("照片-thumbnail.jpg", safe="")
        in response["Content-Disposition"]
    )
    assert Image.open(io.BytesIO(body(response))).size == (320, 160)

    response = clients["liaison"].get(f"/files/{pdf.pk}/")
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith('inline; filename="report.html.pdf"')
    # Browsers' PDF viewers do not run in a sandboxed document; nothing else is allowed.
    assert response["Content-Security-Policy"] == "default-src 'none'"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert body(response) == PDF_BYTES
    assert clients["liaison"].get(f"/files/{pdf.pk}/thumbnail/").status_code == 404


def test_it_sweeps_files_that_no_attachment_points_to(people, city, settings):
    import datetime as dt
    import os

    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from guankao.core.attachments import sweep_orphans

    kept = attachments.attachment_create(
        actor=people["liaison"],
        file=SimpleUploadedFile("a.csv", "代碼,名稱\nA,甲\n".encode(), content_type="text/csv"),
        department=city["pw"],
        owner_type="core.department",
        owner_id=city["pw"].pk,
    )
    old = default_storage.save("attachments/2020/01/01/orphan.pdf", ContentFile(b"%PDF-1.4 x"))
    young = default_storage.save("attachments/2026/11/27/young.pdf", ContentFile(b"%PDF-1.4 y"))
    past = (dt.datetime.now() - dt.timedelta(days=3)).timestamp()
    os.utime(default_storage.path(old), (past, past))
    os.utime(default_storage.path(kept.file.name), (past, past))
    assert sweep_orphans() == 1
    assert not default_storage.exists(old)
    assert default_storage.exists(young) and default_storage.exists(kept.file.name)
    assert sweep_orphans() == 0
