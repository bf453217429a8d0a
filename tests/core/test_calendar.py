"""The office calendar: official CSV import, overrides, and the calendar API."""

import datetime as dt
import io
import json
import zipfile

import odfdo
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from guankao.core import calendar
from guankao.core.errors import NotAllowed, ServiceError
from guankao.core.models import AuditEntry, CalendarOverride
from guankao.core.tabular import write_ods
from guankao.lib import workdays

D = dt.date
HEADER = "西元日期,星期,是否放假,備註"
# 2026: Sat 7 March made a working day (補行上班) and Tue 10 March a day off; every other
# row agrees with the rule (weekends and Lunar New Year off, other weekdays on).
ROWS = [
    "20260213,五,0,",
    "20260214,六,2,",
    "20260215,日,2,",
    "20260216,一,2,農曆除夕",
    "20260217,二,2,春節",
    "20260218,三,2,春節",
    "20260219,四,2,春節",
    "20260220,五,2,春節補假",
    "20260223,一,0,",
    "20260306,五,0,",
    "20260307,六,0,補行上班",
    "20260309,一,0,",
    "20260310,二,2,調整放假",
]
SATURDAY, TUESDAY = D(2026, 3, 7), D(2026, 3, 10)


def official_csv(rows=ROWS, header=HEADER) -> str:
    return "\r\n".join([header, *rows]) + "\r\n"


def import_text(actor, text: str | bytes, filename="calendar.csv") -> dict:
    content = text.encode("utf-8") if isinstance(text, str) else text
    return calendar.import_official_calendar(actor=actor, content=content, filename=filename)


def overrides() -> dict:
    return {o.date: (o.is_working_day, o.reason, o.source) for o in CalendarOverride.objects.all()}


EXPECTED = {
    SATURDAY: (True, "補行上班", "official"),
    TUESDAY: (False, "調整放假", "official"),
}


@pytest.fixture(autouse=True)
def _english():
    # Service messages are checked in English; pages answer in zh-Hant by default.
    with translation.override("en"):
        yield


@pytest.mark.parametrize(
    "encode",
    [
        lambda text: text.encode("utf-8"),
        lambda text: ("\ufeff" + text).encode("utf-8"),
        lambda text: text.encode("cp950"),
    ],
    ids=["utf-8", "utf-8-bom", "big5"],
)
def test_it_imports_only_the_days_that_differ_from_the_rule(people, encode):
    result = import_text(people["admin"], encode(official_csv()))
    assert result == {"rows": len(ROWS), "created": 2, "updated": 0, "deleted": 0}
    assert overrides() == EXPECTED
    assert workdays.is_working_day(SATURDAY)
    assert not workdays.is_working_day(TUESDAY)
    assert workdays.add_working_days(D(2026, 3, 6), 1) == SATURDAY


def test_it_imports_an_ods_calendar_too(people):
    table = [row.split(",") for row in ROWS]
    for row in table:
        row[0], row[2] = int(row[0]), int(row[2])  # number cells, as a spreadsheet keeps them
    content = write_ods({"行事曆": (HEADER.split(","), table)})
    import_text(people["admin"], content, "calendar.ods")
    assert overrides() == EXPECTED


def padded_ods(rows: list[list], repeat_rows=1_048_000, repeat_columns=1024, fill=None) -> bytes:
    """An ODS as spreadsheet programs save it: padded with repeated rows and cells."""
    document = odfdo.Document("spreadsheet")
    document.body.clear()
    table = odfdo.Table("工作表1")
    table.set_values(rows)
    padding = odfdo.Row(repeated=repeat_rows)
    padding.append(odfdo.Cell(fill, repeated=repeat_columns))
    table.append(padding)
    document.body.append(table)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_it_reads_an_ods_padded_to_a_million_empty_rows(people):
    content = padded_ods([HEADER.split(","), *[r.split(",") for r in ROWS]])
    assert len(content) < 20_000
    import_text(people["admin"], content, "calendar.ods")
    assert overrides() == EXPECTED


def test_it_refuses_an_ods_with_too_many_rows_of_data(people):
    content = padded_ods([HEADER.split(",")], repeat_rows=200_000, repeat_columns=1, fill="x")
    with pytest.raises(ServiceError, match=f"at most {calendar.MAX_ROWS} rows"):
        import_text(people["admin"], content, "calendar.ods")
    assert CalendarOverride.objects.count() == 0


def test_it_names_days_without_a_note(people):
    import_text(people["admin"], official_csv(["20260314,六,0,", "20260311,三,2,"]))
    assert overrides() == {
        D(2026, 3, 14): (True, "Make-up working day", "official"),
        D(2026, 3, 11): (False, "Day off", "official"),
    }


def test_it_reimports_the_same_file_without_changes(people):
    import_text(people["admin"], official_csv())
    entries = AuditEntry.objects.count()
    result = import_text(people["admin"], official_csv())
    assert result == {"rows": len(ROWS), "created": 0, "updated": 0, "deleted": 0}
    assert overrides() == EXPECTED
    # Only the summary of the second import; no row changed.
    assert AuditEntry.objects.count() == entries + 1


def test_it_audits_each_changed_day_and_the_import(people):
    import_text(people["admin"], official_csv())
    rows = AuditEntry.objects.filter(object_type="core.calendaroverride")
    assert sorted(rows.values_list("action", flat=True)) == ["create", "create", "import"]
    summary = rows.get(action="import")
    assert summary.actor == people["admin"]
    assert summary.changes["import"][1]["created"] == 2
    created = rows.filter(action="create").order_by("object_repr").first()
    assert created.changes["is_working_day"] == [None, True]


def test_it_follows_a_revised_calendar_but_keeps_manual_overrides(people):
    admin = people["admin"]
    import_text(admin, official_csv())
    typhoon = D(2026, 3, 12)
    calendar.override_set(actor=admin, date=typhoon, is_working_day=False, reason="颱風停班")
    # The revised calendar cancels the make-up Saturday and lists the typhoon day as usual.
    revised = [r for r in ROWS if not r.startswith("20260307")]
    revised += ["20260307,六,2,", "20260312,四,0,"]
    result = import_text(admin, official_csv(revised))
    assert result["deleted"] == 1
    assert overrides() == {
        TUESDAY: (False, "調整放假", "official"),
        typhoon: (False, "颱風停班", "manual"),
    }
    assert not workdays.is_working_day(SATURDAY)


def test_it_overwrites_an_earlier_override_where_the_calendar_says_otherwise(people):
    admin = people["admin"]
    calendar.override_set(actor=admin, date=SATURDAY, is_working_day=False, reason="舊資料")
    result = import_text(admin, official_csv())
    assert result["updated"] == 1
    assert overrides()[SATURDAY] == (True, "補行上班", "official")


BAD_FILES = [
    pytest.param(
        official_csv([*ROWS, "20260230,一,2,"]), 15, "西元日期", "YYYYMMDD", id="bad-date"
    ),
    pytest.param(official_csv([*ROWS, "2026/03/11,三,2,"]), 15, "西元日期", "", id="slashes"),
    pytest.param(official_csv([*ROWS, "20260311,三,1,"]), 15, "是否放假", "0", id="flag-1"),
    pytest.param(official_csv([*ROWS, "20260311,三,,"]), 15, "是否放假", "0", id="flag-empty"),
    pytest.param(official_csv([*ROWS, "20260307,六,0,"]), 15, "西元日期", "row 12", id="duplicate"),
    pytest.param(
        official_csv([*ROWS, "20260311,三,2," + "長" * 101]), 15, "備註", "100", id="long-note"
    ),
    pytest.param(
        official_csv([r.rsplit(",", 2)[0] + ",x" for r in ROWS], "西元日期,星期,備註"),
        1,
        "file",
        "是否放假",
        id="missing-column",
    ),
    pytest.param(
        official_csv([r + ",x" for r in ROWS], HEADER + ",其他"),
        1,
        "file",
        "其他",
        id="unknown-column",
    ),
    pytest.param(official_csv([*ROWS, "20260311,三,2,,x"]), 15, "file", "heading", id="extra"),
    pytest.param(b"", None, "file", "empty", id="empty"),
    pytest.param(HEADER + "\r\n", None, "file", "no rows", id="header-only"),
    pytest.param(b"\xff\xfe\x00\x00\x80\x81", None, "file", "neither UTF-8 nor Big5", id="bytes"),
]


@pytest.mark.parametrize(("content", "row", "field", "words"), BAD_FILES)
def test_it_refuses_a_bad_file_naming_row_and_column_and_imports_nothing(
    people, content, row, field, words
):
    admin = people["admin"]
    calendar.override_set(actor=admin, date=D(2026, 1, 2), is_working_day=False, reason="颱風")
    before_overrides, before_audit = overrides(), AuditEntry.objects.count()
    with pytest.raises(ServiceError) as caught:
        import_text(admin, content)
    problem = caught.value.problems[0]
    assert (problem.row, problem.field) == (row, field)
    assert words in str(problem.message)
    assert overrides() == before_overrides
    assert AuditEntry.objects.count() == before_audit


def zip_bytes(name="content.txt", data=b"hello") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(name, data)
    return buffer.getvalue()


def test_it_refuses_a_zip_that_is_not_ods(people):
    for content in [zip_bytes(), zip_bytes("mimetype", b"application/zip")]:
        with pytest.raises(ServiceError, match="CSV or ODS"):
            import_text(people["admin"], content, "calendar.ods")
    assert CalendarOverride.objects.count() == 0


def test_it_refuses_a_broken_ods(people):
    good = write_ods({"x": (HEADER.split(","), [r.split(",") for r in ROWS])})
    broken = good[: len(good) // 2]
    with pytest.raises(ServiceError, match="ODS"):
        import_text(people["admin"], broken, "calendar.ods")
    assert CalendarOverride.objects.count() == 0


def test_it_lets_only_administrators_import(people):
    for persona in ("liaison", "head", "officer", "executive", "other_liaison"):
        with pytest.raises(NotAllowed):
            import_text(people[persona], official_csv())
    assert CalendarOverride.objects.count() == 0


# The page ------------------------------------------------------------------------------


def upload(content: bytes, name="calendar.csv"):
    return {"file": SimpleUploadedFile(name, content, content_type="text/csv")}


def test_it_imports_through_the_page(clients):
    response = clients["admin"].post("/calendar/import/", upload(official_csv().encode("cp950")))
    assert response.status_code == 302
    assert response["Location"] == "/calendar/"
    assert overrides() == EXPECTED


def test_it_shows_the_row_and_column_of_a_bad_row_on_the_page(clients):
    content = official_csv([*ROWS, "20260311,三,1,"]).encode("utf-8")
    response = clients["admin"].post("/calendar/import/", upload(content))
    assert response.status_code == 400
    body = response.content.decode()
    assert "<td>15</td>" in body
    assert "<td>是否放假</td>" in body
    assert CalendarOverride.objects.count() == 0


def test_it_refuses_a_10_mb_upload_on_the_page(clients):
    content = official_csv().encode("utf-8")
    content += b"\r\n" * ((10 * 1024 * 1024 - len(content)) // 2)
    response = clients["admin"].post("/calendar/import/", upload(content))
    assert response.status_code == 400
    assert "5120" in response.content.decode()  # the limit, in KB
    assert CalendarOverride.objects.count() == 0


def test_it_refuses_a_zip_and_undecodable_bytes_on_the_page(clients):
    for content in [zip_bytes(), b"\xff\xfe\x80\x81\x82"]:
        response = clients["admin"].post("/calendar/import/", upload(content, "a.csv"))
        assert response.status_code == 400
    assert CalendarOverride.objects.count() == 0


@pytest.mark.parametrize("persona", ["liaison", "head", "officer", "executive"])
def test_it_forbids_the_import_page_to_non_administrators(clients, persona):
    response = clients[persona].post("/calendar/import/", upload(official_csv().encode()))
    assert response.status_code == 403
    assert CalendarOverride.objects.count() == 0


def test_it_sends_anonymous_visitors_to_sign_in(clients):
    response = clients["anonymous"].post("/calendar/import/", upload(official_csv().encode()))
    assert response.status_code == 302
    assert "login" in response["Location"]
    assert CalendarOverride.objects.count() == 0


def test_it_lets_an_administrator_set_an_override_on_the_page(clients):
    response = clients["admin"].post(
        "/calendar/", {"date": "115/03/07", "is_working_day": "1", "reason": "補班"}
    )
    assert response.status_code == 302, response.content[:500]
    assert overrides() == {SATURDAY: (True, "補班", "manual")}
    response = clients["liaison"].post(
        "/calendar/", {"date": "115/03/10", "is_working_day": "0", "reason": "颱風"}
    )
    assert response.status_code == 403
    assert len(overrides()) == 1


# The API -------------------------------------------------------------------------------


def test_it_answers_whether_a_day_is_a_working_day(clients):
    response = clients["anonymous"].get("/api/v1/calendar/is-working-day?date=115/02/16")
    assert response.status_code == 200
    assert response.json() == {
        "date": "2026-02-16",
        "roc_date": "115/02/16",
        "is_working_day": False,
        "reason": "農曆除夕",
    }
    answer = clients["liaison"].get("/api/v1/calendar/is-working-day?date=2026-02-24").json()
    assert (answer["is_working_day"], answer["reason"]) == (True, None)
    answer = clients["liaison"].get("/api/v1/calendar/is-working-day?date=115/02/21").json()
    assert answer["is_working_day"] is False
    assert answer["reason"]  # a weekend is named as such


def test_it_adds_and_counts_working_days(clients):
    client = clients["anonymous"]
    answer = client.get("/api/v1/calendar/add-working-days?date=2026-02-13&days=1").json()
    assert answer == {
        "date": "2026-02-13",
        "days": 1,
        "result": "2026-02-23",
        "roc_result": "115/02/23",
    }
    answer = client.get("/api/v1/calendar/add-working-days?date=115/02/23&days=-1").json()
    assert answer["result"] == "2026-02-13"
    answer = client.get(
        "/api/v1/calendar/working-days-between?start=115/02/13&end=2026-02-23"
    ).json()
    assert answer == {"start": "2026-02-13", "end": "2026-02-23", "working_days": 1}
    answer = client.get(
        "/api/v1/calendar/working-days-between?start=2026-02-23&end=2026-02-13"
    ).json()
    assert answer["working_days"] == -1


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/api/v1/calendar/is-working-day?date=115/02/30", "date"),
        ("/api/v1/calendar/is-working-day?date=abc", "date"),
        ("/api/v1/calendar/is-working-day?date=", "date"),
        ("/api/v1/calendar/is-working-day", "date"),
        ("/api/v1/calendar/add-working-days?date=2026-02-29&days=1", "date"),
        ("/api/v1/calendar/add-working-days?date=2026-02-13&days=x", "days"),
        ("/api/v1/calendar/add-working-days?date=2026-02-13&days=99999", "days"),
        ("/api/v1/calendar/working-days-between?start=115/13/01&end=115/02/01", "start"),
        ("/api/v1/calendar/working-days-between?start=115/01/01&end=1151301", "end"),
        ("/api/v1/calendar/working-days-between?start=2000-01-01&end=2026-01-01", "end"),
    ],
)
def test_it_refuses_bad_dates_naming_the_field(clients, url, field):
    response = clients["anonymous"].get(url)
    assert 400 <= response.status_code < 500
    detail = response.json()["detail"]
    assert detail[0]["field"] == field
    assert detail[0]["message"]


def put_override(client, **body):
    return client.put(
        "/api/v1/calendar/overrides", json.dumps(body), content_type="application/json"
    )


def test_it_lets_an_administrator_put_an_override_and_audits_it(clients, people):
    response = put_override(
        clients["admin"], date="115/03/07", is_working_day=True, reason="補行上班"
    )
    assert response.status_code == 200, response.content
    assert response.json() == {
        "date": "2026-03-07",
        "is_working_day": True,
        "reason": "補行上班",
        "source": "manual",
    }
    entry = AuditEntry.objects.get(object_type="core.calendaroverride")
    assert (entry.action, entry.actor) == ("create", people["admin"])
    assert entry.changes["is_working_day"] == [None, True]
    answer = clients["anonymous"].get("/api/v1/calendar/is-working-day?date=115/03/07").json()
    assert (answer["is_working_day"], answer["reason"]) == (True, "補行上班")
    listed = clients["anonymous"].get("/api/v1/calendar/overrides?year=2026").json()
    assert [o["date"] for o in listed] == ["2026-03-07"]

    response = put_override(
        clients["admin"], date="2026-03-07", is_working_day=False, reason="颱風停班"
    )
    assert response.status_code == 200
    entry = AuditEntry.objects.filter(object_type="core.calendaroverride").first()
    assert entry.action == "update"
    assert entry.changes["is_working_day"] == [True, False]


def test_it_refuses_overrides_from_others_and_bad_input(clients):
    for persona, status in [("liaison", 403), ("officer", 403), ("anonymous", 401)]:
        response = put_override(clients[persona], date="115/03/07", is_working_day=True, reason="x")
        assert response.status_code == status, persona
    response = put_override(clients["admin"], date="115/02/30", is_working_day=True, reason="x")
    assert response.status_code == 400
    assert response.json()["detail"][0]["field"] == "date"
    response = put_override(clients["admin"], date="115/03/07", is_working_day=True, reason=" ")
    assert response.status_code == 400
    assert response.json()["detail"][0]["field"] == "reason"
    assert CalendarOverride.objects.count() == 0
    assert not AuditEntry.objects.filter(object_type="core.calendaroverride").exists()


def test_the_calendar_page_reads_its_overrides_through_the_selector(people, clients):
    from guankao.core import calendar as core_calendar
    from guankao.core import selectors

    year = dt.date.today().year
    for day in (dt.date(year - 2, 6, 1), dt.date(year + 1, 6, 1), dt.date(year, 6, 1)):
        core_calendar.override_set(
            actor=people["admin"], date=day, is_working_day=False, reason="颱風停班"
        )
    rows = selectors.calendar_overrides(user=people["liaison"], around_year=year)
    assert [o.date for o in rows] == [dt.date(year, 6, 1), dt.date(year + 1, 6, 1)]
    assert clients["liaison"].get("/calendar/").status_code == 200
