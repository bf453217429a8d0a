"""Training records: recording, scope, bad input, the import, the API, the pages."""

import datetime as dt
import io
from decimal import Decimal

import pytest

from guankao.core.errors import NotAllowed, ServiceError
from guankao.core.models import AuditEntry
from guankao.core.tabular import write_ods
from guankao.security import selectors_secops, training
from guankao.security.models import TrainingRecord
from guankao.security.training_import import training_import

DAY = dt.date(2026, 3, 2)


def _record(actor, user, **kw):
    data = {"course": "資安通識", "date": DAY, "hours": "3", "kind": "general"} | kw
    return training.training_record(actor=actor, user=user, **data)


def test_it_lets_a_liaison_record_their_own_staff_only(sec_people):
    p = sec_people
    record = _record(p["liaison"], p["worker"])
    assert record.hours == Decimal("3.0") and record.agency.department.code == "CYC"
    assert AuditEntry.objects.filter(object_type="security.trainingrecord").exists()
    with pytest.raises(NotAllowed):
        _record(p["other_liaison"], p["worker"], course="其他")
    with pytest.raises(NotAllowed):
        _record(p["officer"], p["worker"], course="其他")  # reads, never writes
    # the office's security officer records the office's staff, not the city's
    _record(p["other_security"], p["office_liaison"])
    with pytest.raises(NotAllowed):
        _record(p["other_security"], p["worker"], course="其他")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("hours", "-1"),
        ("hours", "0"),
        ("hours", "24.5"),
        ("hours", "1.25"),
        ("hours", "abc"),
        ("date", "2099-01-01"),
        ("date", "115/13/40"),
        ("kind", "unknown"),
        ("course", ""),
    ],
)
def test_it_refuses_bad_records(sec_people, field, value):
    with pytest.raises(ServiceError) as refused:
        _record(sec_people["liaison"], sec_people["worker"], **{field: value})
    assert refused.value.problems[0].field == field
    assert not TrainingRecord.objects.exists()


def test_a_day_holds_at_most_24_hours_and_a_course_once(sec_people):
    p = sec_people
    _record(p["liaison"], p["worker"], hours="20")
    with pytest.raises(ServiceError) as refused:
        _record(p["liaison"], p["worker"], course="第二門", hours="5")
    assert refused.value.problems[0].field == "hours"
    with pytest.raises(ServiceError) as again:
        _record(p["liaison"], p["worker"], hours="1")
    assert again.value.problems[0].field == "course"
    assert TrainingRecord.objects.count() == 1


def test_another_agencys_security_officer_sees_none_of_yours(sec_people):
    p = sec_people
    _record(p["liaison"], p["worker"])
    _record(p["other_security"], p["office_liaison"])
    mine = selectors_secops.training_list(user=p["security"])
    theirs = selectors_secops.training_list(user=p["other_security"])
    assert [r.user.username for r in mine] == ["worker"]
    assert [r.user.username for r in theirs] == ["hre.liaison"]
    assert selectors_secops.training_list(user=p["other_liaison"]).count() == 0
    assert selectors_secops.training_list(user=p["officer"]).count() == 2


def _csv(*rows, header="帳號,課程名稱,日期,時數,類別,開課單位"):
    return ("\n".join([header, *rows]) + "\n").encode()


def test_the_import_checks_first_then_adds_once(sec_people):
    p = sec_people
    content = _csv(
        "worker,資安通識,115/03/02,3,一般,e等公務園+",
        "liaison,資安通識,2026-03-02,1.5,,",
        "head,社交工程,2026-03-03,2,專業,",
    )
    dry = training_import(actor=p["liaison"], content=content, filename="a.csv", dry_run=True)
    assert dry == {"rows": 3, "added": 3, "already_recorded": 0, "dry_run": True}
    assert not TrainingRecord.objects.exists()
    done = training_import(actor=p["liaison"], content=content, filename="a.csv")
    assert done["added"] == 3 and TrainingRecord.objects.count() == 3
    again = training_import(actor=p["liaison"], content=content, filename="a.csv")
    assert again["added"] == 0 and again["already_recorded"] == 3
    assert TrainingRecord.objects.count() == 3
    entry = AuditEntry.objects.filter(action="import", object_type="security.trainingrecord")
    assert entry.count() == 2


def test_the_import_lists_every_problem_and_imports_nothing(sec_people):
    p = sec_people
    content = _csv(
        "worker,資安通識,2026-03-02,3,一般,",  # fine
        "nobody,資安通識,2026-03-02,3,一般,",  # unknown staff identifier
        "other,資安通識,2026-03-02,3,一般,",  # another department's person
        "head,資安通識,2026-03-02,-2,一般,",  # negative hours
        "head,資安通識,2026-03-04,25,一般,",  # over 24
        "worker,資安通識,2026-03-02,3,一般,",  # duplicate row
        "liaison,資安通識,2026-03-05,3,特殊,",  # unknown kind
        "liaison,資安進階,20260399,3,一般,",  # bad date
    )
    with pytest.raises(ServiceError) as refused:
        training_import(actor=p["liaison"], content=content, filename="bad.csv")
    found = {(x.row, x.field) for x in refused.value.problems}
    assert found == {
        (3, "帳號"),
        (4, "帳號"),
        (5, "時數"),
        (6, "時數"),
        (7, "課程名稱"),
        (8, "類別"),
        (9, "日期"),
    }
    assert not TrainingRecord.objects.exists()


def test_the_import_refuses_a_changed_row_and_a_day_over_24(sec_people):
    p = sec_people
    training_import(
        actor=p["liaison"], content=_csv("worker,資安通識,2026-03-02,3,,"), filename="a"
    )
    content = _csv("worker,資安通識,2026-03-02,2,,", "worker,資安實務,2026-03-02,22,,")
    with pytest.raises(ServiceError) as refused:
        training_import(actor=p["liaison"], content=content, filename="b.csv")
    assert {(x.row, x.field) for x in refused.value.problems} == {(2, "時數"), (3, "時數")}
    assert TrainingRecord.objects.count() == 1


def test_the_import_reads_ods_and_refuses_unknown_columns(sec_people):
    p = sec_people
    ods = write_ods(
        {"工作表1": (["帳號", "課程名稱", "日期", "時數"], [["worker", "資安", "2026-03-02", 3]])}
    )
    assert training_import(actor=p["liaison"], content=ods, filename="a.ods")["added"] == 1
    with pytest.raises(ServiceError):
        training_import(
            actor=p["liaison"],
            content=_csv("worker,x,2026-03-02,1", header="帳號,課程,日期,時數"),
            filename="x.csv",
        )
    with pytest.raises(NotAllowed):
        training_import(actor=p["officer"], content=ods, filename="a.ods")


def test_the_pages_record_import_and_list(sec_clients, sec_people):
    liaison = sec_clients["liaison"]
    bad = liaison.post(
        "/security/training/",
        {
            "new-person": "worker",
            "new-course": "資安",
            "new-date": "115/03/02",
            "new-hours": "30",
            "new-kind": "general",
        },
    )
    assert bad.status_code == 400 and not TrainingRecord.objects.exists()
    done = liaison.post(
        "/security/training/",
        {
            "new-person": "worker",
            "new-course": "資安",
            "new-date": "115/03/02",
            "new-hours": "3",
            "new-kind": "general",
        },
    )
    assert done.status_code == 302 and TrainingRecord.objects.count() == 1
    refused = liaison.post(
        "/security/training/import/",
        {"file": io.BytesIO(_csv("nobody,資安,2026-03-02,3,,")), "dry_run": ""},
    )
    assert refused.status_code == 400 and "nobody" in refused.content.decode()
    upload = io.BytesIO(_csv("head,資安,2026-03-02,3,,"))
    upload.name = "a.csv"
    checked = liaison.post("/security/training/import/", {"file": upload, "dry_run": "on"})
    assert checked.status_code == 200 and TrainingRecord.objects.count() == 1
    page = liaison.get("/security/training/", {"year": "115"})
    assert page.status_code == 200 and "資安" in page.content.decode()
    short = liaison.get("/security/training/short/", {"year": "115", "all": "1"})
    assert short.status_code == 200
    ods = liaison.get("/security/training.ods")
    assert ods.status_code == 200 and ods.content[:2] == b"PK"
    assert (
        sec_clients["other_security"]
        .get(f"/security/training/people/{sec_people['worker'].pk}/")
        .status_code
        == 404
    )


def test_the_list_page_and_api_keep_their_query_count(
    sec_clients, sec_people, django_assert_max_num_queries
):
    p = sec_people
    for n in range(30):
        _record(
            p["liaison"],
            p["worker"],
            course=f"課程{n}",
            hours="0.5",
            date=DAY - dt.timedelta(days=n % 10),
        )
    with django_assert_max_num_queries(12):
        assert sec_clients["officer"].get("/security/training/").status_code == 200
    with django_assert_max_num_queries(8):
        assert sec_clients["officer"].get("/api/v1/security/training?limit=100").status_code == 200


def test_the_api_lists_and_records(sec_clients, sec_people):
    api = sec_clients["liaison"]
    body = {"account": "worker", "course": "資安通識", "date": "115/03/02", "hours": 3}
    created = api.post("/api/v1/security/training", body, content_type="application/json")
    assert created.status_code == 201 and created.json()["hours"] == "3.0"
    for bad, field in [
        ({"hours": -1}, "hours"),
        ({"hours": 25}, "hours"),
        ({"account": "nobody"}, "account"),
        ({"kind": "x"}, "kind"),
    ]:
        answer = api.post(
            "/api/v1/security/training",
            body | bad | {"course": "其他"},
            content_type="application/json",
        )
        assert 400 <= answer.status_code < 500, bad
        assert field in answer.content.decode()
    assert TrainingRecord.objects.count() == 1
    listed = sec_clients["other_security"].get("/api/v1/security/training").json()
    assert listed["count"] == 0
    assert sec_clients["officer"].get("/api/v1/security/training?year=2026").json()["count"] == 1


def test_a_record_is_taken_back_with_a_reason(sec_clients, sec_people):
    record = _record(sec_people["liaison"], sec_people["worker"])
    url = f"/security/training/records/{record.pk}/delete/"
    assert sec_clients["other_liaison"].post(url, {"reason": "誤植"}).status_code == 404
    assert sec_clients["officer"].post(url, {"reason": "誤植"}).status_code == 403
    refused = sec_clients["liaison"].post(url, {"reason": ""})
    assert refused.status_code == 303 and TrainingRecord.objects.exists()
    done = sec_clients["liaison"].post(url, {"reason": "誤植"})
    assert done.status_code == 302 and not TrainingRecord.objects.exists()
    entry = AuditEntry.objects.get(action="delete", object_type="security.trainingrecord")
    assert entry.note == "誤植" and entry.changes["hours"] == ["3.0", None]


def test_the_ciso_marks_it_staff(sec_clients, sec_people):
    from guankao.security.models import ItStaff

    url = "/security/training/it-staff/"
    assert sec_clients["security"].post(url, {"account": "worker", "it": "1"}).status_code == 403
    assert sec_clients["ciso"].post(url, {"account": "nobody", "it": "1"}).status_code == 400
    assert sec_clients["ciso"].post(url, {"account": "worker", "it": "1"}).status_code == 302
    assert ItStaff.objects.filter(user=sec_people["worker"]).exists()
    page = sec_clients["ciso"].get("/security/training/requirements/")
    assert "worker" in page.content.decode()
    sec_clients["ciso"].post(url, {"account": "worker", "it": "0"})
    assert not ItStaff.objects.exists()
