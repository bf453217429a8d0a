"""Release from control needs the completion evidence, or a reason the officer approves."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from guankao.core.errors import ServiceError
from guankao.tracking import release
from guankao.tracking.models import Item

from .conftest import at, file


def photo():
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "teal").save(out, "PNG")
    return SimpleUploadedFile("acceptance.png", out.getvalue(), content_type="image/png")


def test_a_release_without_evidence_names_what_is_missing(works, people):
    file(works, people["liaison"], 2026, 10, "95", "96")
    with pytest.raises(ServiceError) as e:
        release.release_request(actor=people["liaison"], item=works, result="完工")
    assert [p.field for p in e.value.problems] == ["completed_on", "files", "actual"]
    assert "96%" in e.value.problems[2].message
    works.refresh_from_db()
    assert works.status == Item.Status.ACTIVE
    assert [f for f, _w in release.release_missing(works)] == ["completed_on", "files", "actual"]


def test_full_evidence_releases_without_a_reason(works, people):
    file(works, people["liaison"], 2026, 10, "100", "100", now=at(2026, 11, 3))
    with pytest.raises(ServiceError) as e:
        release.release_request(
            actor=people["liaison"], item=works, result="完工", completed_on="2099-01-01"
        )
    assert e.value.problems[0].field == "completed_on"
    release.release_request(
        actor=people["liaison"],
        item=works,
        result="完工驗收合格",
        completed_on="115/10/30",
        files=[photo()],
    )
    works.refresh_from_db()
    assert release.release_missing(works) == [] and not works.release_exception
    item = release.release_approve(actor=people["officer"], item=works)  # no note needed
    assert item.status == Item.Status.RELEASED


def test_a_reason_instead_of_evidence_needs_the_officers_note(works, people):
    release.release_request(
        actor=people["liaison"], item=works, result="完工", exception_reason="驗收紀錄補正中"
    )
    with pytest.raises(ServiceError) as e:
        release.release_approve(actor=people["officer"], item=works)
    assert e.value.problems[0].field == "note"
    item = release.release_approve(actor=people["officer"], item=works, note="同意，補件後歸檔")
    assert item.status == Item.Status.RELEASED
