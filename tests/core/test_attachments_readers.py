"""An app's own reader for the files of its records (core.attachments.register_reader):
it replaces the department rule for downloads, lists and uploads; files it declares
personal are stored without image metadata and each download is audited."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from guankao.core import attachments
from guankao.core.attachments import (
    attachment_check,
    attachment_create,
    attachment_get_for_download,
    attachments_for,
)
from guankao.core.errors import NotAllowed, NotFound, ServiceError
from guankao.core.models import AuditEntry
from tests.core.test_attachments import GPS_IFD, PDF_BYTES, body, jpeg_with_gps

OWNER = "core.calendaroverride"  # any real model: the test registers a reader for it


@pytest.fixture
def only_the_liaison(people, monkeypatch):
    """Record 1's files are read by the liaison alone (not the department's head)."""

    def readable(user, owner_ids):
        return ["1"] if user.pk == people["liaison"].pk else []

    monkeypatch.setitem(attachments._readers, OWNER, attachments.Reader(readable, personal=True))


def store(actor, department, content, name, owner_id=1):
    return attachment_create(
        actor=actor,
        file=SimpleUploadedFile(name, content),
        department=department,
        owner_type=OWNER,
        owner_id=owner_id,
    )


@pytest.mark.django_db
def test_it_lets_the_reader_decide_instead_of_the_department(people, city, only_the_liaison):
    photo = store(people["liaison"], city["pw"], PDF_BYTES, "letter.pdf")

    assert attachment_get_for_download(actor=people["liaison"], pk=photo.pk) == photo
    for who in ("head", "officer", "other_liaison", "executive"):
        with pytest.raises(NotFound):
            attachment_get_for_download(actor=people[who], pk=photo.pk)
        assert not attachments_for(actor=people[who], owner_type=OWNER, owner_id=1).exists()
    listed = attachments_for(actor=people["liaison"], owner_type=OWNER, owner_ids=[1, 2])
    assert list(listed) == [photo]


@pytest.mark.django_db
def test_it_refuses_uploads_to_a_record_the_reader_denies(people, city, only_the_liaison):
    with pytest.raises(NotAllowed):
        store(people["head"], city["pw"], PDF_BYTES, "letter.pdf")
    with pytest.raises(NotAllowed):
        store(people["liaison"], city["pw"], PDF_BYTES, "letter.pdf", owner_id=2)


@pytest.mark.django_db
def test_it_stores_personal_photos_without_exif_or_gps(people, city, only_the_liaison):
    original = jpeg_with_gps()
    photo = store(people["liaison"], city["pw"], original, "現場.jpg")

    sizes = []
    for stored in (photo.file, photo.thumbnail):
        with stored.open("rb") as handle:
            data = handle.read()
        image = Image.open(io.BytesIO(data))
        assert image.format == "JPEG"
        assert not image.getexif().get_ifd(GPS_IFD) and len(image.getexif()) == 0
        assert b"PhoneMaker" not in data and b"Exif" not in data
        sizes.append(image.size)
    assert sizes == [(1000, 600), (320, 192)]
    assert photo.size != len(original)


@pytest.mark.django_db
def test_it_audits_each_download_of_a_personal_file_but_not_thumbnails(
    people, city, clients, only_the_liaison
):
    photo = store(people["liaison"], city["pw"], jpeg_with_gps(), "現場.jpg")
    viewed = AuditEntry.objects.filter(action=AuditEntry.Action.VIEW_PERSONAL)

    served = clients["liaison"].get(f"/files/{photo.pk}/")
    assert served.status_code == 200
    assert b"PhoneMaker" not in body(served)
    assert clients["liaison"].get(f"/files/{photo.pk}/thumbnail/").status_code == 200
    entry = viewed.get()
    assert (entry.actor, entry.object_type, entry.object_id) == (
        people["liaison"],
        "core.attachment",
        str(photo.pk),
    )
    assert clients["head"].get(f"/files/{photo.pk}/").status_code == 404
    assert viewed.count() == 1


@pytest.mark.django_db
def test_it_checks_a_file_without_storing_it(people, city, tmp_path, only_the_liaison):
    def stored_files():
        return [p for p in (tmp_path / "files").rglob("*") if p.is_file()]

    with pytest.raises(ServiceError) as refused:
        attachment_check(file=SimpleUploadedFile("x.jpg", b"<html><script>"), owner_type=OWNER)
    assert refused.value.problems[0].field == "file"
    checked = attachment_check(file=SimpleUploadedFile("a.jpg", jpeg_with_gps()), owner_type=OWNER)
    assert stored_files() == [] and b"PhoneMaker" not in checked.data

    photo = store(people["liaison"], city["pw"], checked.data, "a.jpg")
    kept = attachment_create(
        actor=people["liaison"],
        file=checked,
        department=city["pw"],
        owner_type=OWNER,
        owner_id=1,
    )
    assert kept.sha256 == photo.sha256 and len(stored_files()) == 4


def test_it_refuses_to_register_a_malformed_record_type():
    with pytest.raises(ValueError):
        attachments.register_reader("Petitions Case", lambda user, ids: ids)


@pytest.mark.django_db
def test_it_takes_a_checked_file_only_for_the_record_type_it_was_checked_for(
    people, city, only_the_liaison
):
    checked = attachment_check(
        file=SimpleUploadedFile("a.jpg", jpeg_with_gps()), owner_type="core.department"
    )
    assert b"PhoneMaker" in checked.data  # not a personal record type: kept as uploaded
    with pytest.raises(ValueError):
        attachment_create(
            actor=people["liaison"],
            file=checked,
            department=city["pw"],
            owner_type=OWNER,
            owner_id=1,
        )
