"""Exports: the board as .ods (scoped and filtered as the board), the control meeting's
agenda (.ods, .odt) and minutes (.odt); they open with odfdo and, when LibreOffice is
installed, convert with it."""

import datetime as dt
import io

import odfdo
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from guankao.tracking import meetings, services
from guankao.tracking.exports import AGENDA_COLUMNS, BOARD_COLUMNS
from guankao.tracking.models import Item
from tests.soffice import NEEDS_SOFFICE, to_pdf_text

from .conftest import file

HELD = dt.date(2026, 11, 20)


def sheet(content: bytes) -> list[list]:
    document = odfdo.Document(io.BytesIO(content))
    assert document.get_type() == "spreadsheet"
    return document.body.get_tables()[0].get_values()


def text_of(content: bytes) -> str:
    document = odfdo.Document(io.BytesIO(content))
    assert document.get_type() == "text"
    return document.get_formatted_text()


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.fixture
def behind(people, works):
    """The work seriously behind in October (planned 60%, actual 45%)."""
    file(works, people["liaison"], 2026, 9, 40, 38)
    file(works, people["liaison"], 2026, 10, 60, 45)
    works.refresh_from_db()
    return works


@pytest.fixture
def social(people, city):
    return services.item_create(
        actor=people["other_liaison"],
        kind="major",
        number="S-115-001",
        title="長照據點擴充計畫",
        lead=city["soc"],
        budget_total=3_000_000,
    )


@pytest.fixture
def meeting(people, city, behind, directive):
    meeting = meetings.meeting_open(
        actor=people["officer"], year=2026, month=10, held_on=HELD, chair="副市長"
    )
    entry = meeting.agenda.get(item=behind)
    meetings.decision_record(
        actor=people["officer"],
        meeting=meeting,
        entry=entry,
        department=city["pw"],
        text="請工務處提出趕工計畫並每週回報",
        due=dt.date(2026, 12, 15),
    )
    meetings.decision_record(
        actor=people["officer"],
        meeting=meeting,
        department=city["soc"],
        text="社會處盤點長照據點無障礙設施",
        due=dt.date(2027, 1, 31),
    )
    return meeting


# The board -----------------------------------------------------------------------------------


def test_it_exports_the_board_as_ods(clients, behind, directive, social):
    response = clients["officer"].get("/tracking/board.ods")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.oasis.opendocument.spreadsheet"
    assert 'filename="tracking-board.ods"' in response["Content-Disposition"]
    rows = sheet(body(response))
    assert rows[0] == BOARD_COLUMNS
    by_number = {row[0]: row for row in rows[1:]}
    assert set(by_number) == {"W-115-001", "D-115-001", "S-115-001"}
    work = by_number["W-115-001"]
    assert work[1:6] == ["民族路人行道改善工程", "公共工程", "工務處", "府列管", "列管中"]
    assert [float(v) for v in work[6:9]] == [60, 45, 15]
    assert work[9:] == ["嚴重落後", "否", work[11], "高", "115/10"]
    assert by_number["D-115-001"][2:4] == ["市長交辦", "工務處"]
    assert by_number["D-115-001"][9] == "尚未填報" and by_number["D-115-001"][13] == ""
    assert by_number["S-115-001"][4] == "自行列管"


def test_it_exports_only_the_readers_items(clients, behind, directive, social):
    rows = sheet(body(clients["other_liaison"].get("/tracking/board.ods")))
    assert [row[0] for row in rows[1:]] == ["S-115-001"]
    rows = sheet(body(clients["liaison"].get("/tracking/board.ods")))
    assert [row[0] for row in rows[1:]] == ["D-115-001", "W-115-001"]
    assert clients["anonymous"].get("/tracking/board.ods").status_code == 302


def test_it_filters_as_the_board(clients, behind, directive, social):
    def numbers(query):
        return [
            row[0]
            for row in sheet(body(clients["officer"].get(f"/tracking/board.ods?{query}")))[1:]
        ]

    assert numbers("kind=mayor") == ["D-115-001"]
    assert numbers("lag=serious") == ["W-115-001"]
    assert numbers("department=SOC") == ["S-115-001"]
    assert numbers("q=長照") == ["S-115-001"]
    Item.objects.filter(pk=social.pk).update(status=Item.Status.RELEASED)
    assert "S-115-001" in numbers("")  # the board counts released items too
    assert numbers("status=open") == ["D-115-001", "W-115-001"]


def test_the_board_export_makes_as_many_queries_for_20_items_as_for_2(
    clients, people, city, django_assert_max_num_queries
):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert clients["officer"].get("/tracking/board.ods").status_code == 200
        return len(captured)

    for n in range(2):
        services.item_create(
            actor=people["liaison"], kind="works", number=f"A{n}", title="t", lead=city["pw"]
        )
    few = queries()
    for n in range(20):
        services.item_create(
            actor=people["liaison"], kind="works", number=f"B{n}", title="t", lead=city["pw"]
        )
    assert queries() == few
    with django_assert_max_num_queries(few):
        clients["officer"].get("/tracking/board.ods")


# The meeting ---------------------------------------------------------------------------------


def test_it_exports_the_agenda_as_ods(clients, meeting, behind):
    response = clients["other_liaison"].get(f"/tracking/meetings/{meeting.pk}/agenda.ods")
    assert response.status_code == 200
    assert 'filename="meeting-11510-agenda.ods"' in response["Content-Disposition"]
    rows = sheet(body(response))
    assert rows[0] == AGENDA_COLUMNS
    (entry,) = [row for row in rows[1:] if row[1] == "W-115-001"]
    assert entry[2:6] == ["民族路人行道改善工程", "工務處", "嚴重落後", "嚴重落後"]
    assert [float(v) for v in entry[6:8]] == [60, 45]
    assert entry[8] == "天候；雨天停工" and entry[12] == "工務處"  # reasons, who must act
    assert entry[-1] == "請工務處提出趕工計畫並每週回報"


def test_it_writes_the_agenda_as_a_document(clients, meeting):
    response = clients["liaison"].get(f"/tracking/meetings/{meeting.pk}/agenda.odt")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.oasis.opendocument.text"
    assert 'filename="meeting-11510-agenda.odt"' in response["Content-Disposition"]
    text = text_of(body(response))
    for words in (
        "議程",
        "115年11月20日",
        "副市長",
        "提會討論案件",
        "W-115-001 民族路人行道改善工程",
        "嚴重落後",
        "預定 60%／實際 45%",
    ):
        assert words in text, words


def test_it_writes_the_minutes_with_decisions_and_directives(clients, people, meeting):
    response = clients["officer"].get(f"/tracking/meetings/{meeting.pk}/minutes.odt")
    text = text_of(body(response))
    assert "會議紀錄" in text and "會議尚未結束" in text
    meetings.meeting_close(
        actor=people["officer"],
        meeting=meeting,
        minutes="一、工務處應加派人力。\n二、下次會議追蹤。",
    )
    response = clients["executive"].get(f"/tracking/meetings/{meeting.pk}/minutes.odt")
    assert response.status_code == 200
    assert 'filename="meeting-11510-minutes.odt"' in response["Content-Disposition"]
    content = body(response)
    text = text_of(content)
    for words in (
        "請工務處提出趕工計畫並每週回報",
        "社會處盤點長照據點無障礙設施",
        "M11510-01",
        "M11510-02",
        "社會處",
        "115/12/15",
        "116/01/31",
        "臨時動議",
        "一、工務處應加派人力。",
        "二、下次會議追蹤。",
        "紀錄定稿日期",
    ):
        assert words in text, words
    assert "會議尚未結束" not in text
    tables = [t.get_values() for t in odfdo.Document(io.BytesIO(content)).body.get_tables()]
    directives = next(t for t in tables if t[0][0] == "列管編號")
    assert directives[1] == [
        "M11510-01",
        "請工務處提出趕工計畫並每週回報",
        "工務處",
        "115/12/15",
        "W-115-001",
    ]


def test_meeting_files_are_for_signed_in_staff(clients, meeting):
    for part in ("agenda.ods", "agenda.odt", "minutes.odt"):
        assert (
            clients["anonymous"].get(f"/tracking/meetings/{meeting.pk}/{part}").status_code == 302
        )
        assert (
            clients["liaison"].get(f"/tracking/meetings/{meeting.pk + 99}/{part}").status_code
            == 404
        )
    assert clients["liaison"].post(f"/tracking/meetings/{meeting.pk}/agenda.ods").status_code == 405


def test_an_empty_agenda_says_so(clients, people):
    meeting = meetings.meeting_open(actor=people["officer"], year=2026, month=9, held_on=HELD)
    text = text_of(body(clients["officer"].get(f"/tracking/meetings/{meeting.pk}/agenda.odt")))
    assert "本月無須提會討論之列管案件" in text
    text = text_of(body(clients["officer"].get(f"/tracking/meetings/{meeting.pk}/minutes.odt")))
    assert "本次會議無決議列管事項" in text
    assert sheet(body(clients["officer"].get(f"/tracking/meetings/{meeting.pk}/agenda.ods"))) == [
        AGENDA_COLUMNS
    ]


def test_the_meeting_documents_make_as_many_queries_for_many_entries(clients, people, city, behind):
    def queries(meeting) -> dict:
        counts = {}
        for part in ("agenda.ods", "agenda.odt", "minutes.odt"):
            with CaptureQueriesContext(connection) as captured:
                clients["officer"].get(f"/tracking/meetings/{meeting.pk}/{part}")
            counts[part] = len(captured)
        return counts

    small = meetings.meeting_open(actor=people["officer"], year=2026, month=9, held_on=HELD)
    meetings.decision_record(
        actor=people["officer"],
        meeting=small,
        entry=small.agenda.get(),
        department=city["pw"],
        text="趕工",
        due=dt.date(2026, 12, 31),
    )
    meetings.meeting_close(actor=people["officer"], meeting=small, minutes="紀錄")  # frozen
    for n in range(6):
        item = services.item_create(
            actor=people["liaison"],
            kind="works",
            number=f"L{n}",
            title="t",
            lead=city["pw"],
            budget_total=9_000_000,
        )
        file(item, people["liaison"], 2026, 10, 50, 30)
    large = meetings.meeting_open(actor=people["officer"], year=2026, month=10, held_on=HELD)
    for entry in large.agenda.all()[:3]:
        meetings.decision_record(
            actor=people["officer"],
            meeting=large,
            entry=entry,
            department=city["pw"],
            text="趕工",
            due=dt.date(2026, 12, 31),
        )
    assert large.agenda.count() == 7
    meetings.meeting_close(actor=people["officer"], meeting=large, minutes="紀錄")
    assert queries(large) == queries(small)


# LibreOffice ---------------------------------------------------------------------------------


@NEEDS_SOFFICE
@pytest.mark.parametrize(
    ("url", "name", "words"),
    [
        ("/tracking/board.ods", "board.ods", "民族路人行道改善工程"),
        ("/tracking/meetings/{pk}/agenda.ods", "agenda.ods", "民族路人行道改善工程"),
        ("/tracking/meetings/{pk}/agenda.odt", "agenda.odt", "提會討論案件"),
        ("/tracking/meetings/{pk}/minutes.odt", "minutes.odt", "決議列管事項"),
    ],
)
def test_it_opens_in_libreoffice(clients, meeting, tmp_path, url, name, words):
    content = body(clients["officer"].get(url.format(pk=meeting.pk)))
    text = to_pdf_text(tmp_path, name, content)
    if text:
        assert words in text
