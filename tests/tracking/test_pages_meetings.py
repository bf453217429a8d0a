"""The monthly control meeting's pages: opening it builds the agenda, decisions become
directives, closing it keeps the minutes. Only 管考 officers change a meeting."""

import datetime as dt
import re

import pytest
from django.conf import settings as django_settings

from guankao.tracking import meetings, services
from guankao.tracking.models import Decision, Item, Kind, Meeting

from .conftest import CREATED, file

OPEN_FORM = {"year": "115", "month": "11", "held_on": "115/11/12", "chair": "黃市長"}


@pytest.fixture
def en(clients):
    for client in clients.values():
        client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    return clients


def make_item(actor, lead, number, planned, actual, **extra):
    item = services.item_create(
        actor=actor, kind="works", number=number, title=f"工程 {number}", lead=lead, **extra
    )
    Item.objects.filter(pk=item.pk).update(created_at=CREATED)
    file(item, actor, 2026, 10, planned, actual)
    item.refresh_from_db()
    return item


@pytest.fixture
def agenda_items(people, city):
    """A seriously behind city item, a seriously behind self-controlled one, a behind one
    (at risk) and one on time."""
    liaison = people["liaison"]
    return {
        "city": make_item(liaison, city["pw"], "C-SER", "50", "30", budget_total=8_000_000),
        "self": make_item(liaison, city["pw"], "S-SER", "50", "30", budget_total=1_000_000),
        "risk": make_item(liaison, city["pw"], "C-BEH", "50", "45", budget_total=6_000_000),
        "fine": make_item(liaison, city["pw"], "C-OK", "50", "50", budget_total=6_000_000),
    }


@pytest.fixture
def meeting(people, agenda_items):
    return meetings.meeting_open(
        actor=people["officer"], year=2026, month=11, held_on=dt.date(2026, 11, 12), chair="市長"
    )


def test_an_officer_opens_the_months_meeting_and_the_agenda_is_built(en, agenda_items):
    response = en["officer"].post("/tracking/meetings/", OPEN_FORM)
    meeting = Meeting.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/tracking/meetings/{meeting.pk}/"
    assert (meeting.year, meeting.month, meeting.held_on) == (2026, 11, dt.date(2026, 11, 12))
    assert meeting.chair == "黃市長" and meeting.title.startswith("115/11")
    on_agenda = {e.item.number: e.reason for e in meeting.agenda.select_related("item")}
    assert on_agenda == {"C-SER": "serious", "C-BEH": "at_risk"}  # not S-SER: self-controlled
    page = en["officer"].get(response["Location"])
    content = page.content.decode()
    assert "opened; its agenda has 2 items" in content
    assert "C-SER" in content and "S-SER" not in content and "C-OK" not in content


def test_the_meeting_page_groups_the_agenda_by_reason_with_the_snapshot(en, meeting, agenda_items):
    content = en["executive"].get(f"/tracking/meetings/{meeting.pk}/").content.decode()
    headings = re.findall(r'<h3 id="reason-(\w+)">', content)
    assert headings == ["serious", "overdue", "milestone", "at_risk", "release"]
    serious = content[content.index('id="reason-serious"') : content.index('id="reason-overdue"')]
    assert f'href="/tracking/items/{agenda_items["city"].pk}/"' in serious
    assert "50%" in serious and "30%" in serious and "20 points" in serious
    assert "Seriously behind (嚴重落後)" in serious  # in words, not colour alone
    at_risk = content[content.index('id="reason-at_risk"') : content.index('id="reason-release"')]
    assert "C-BEH" in at_risk and "5 points" in at_risk
    # The documents another page makes, linked by name.
    for url in ("agenda.odt", "minutes.odt", "agenda.ods"):
        assert f"/tracking/meetings/{meeting.pk}/{url}" in content
    # A reader sees no forms.
    assert "Record the decision" not in content and "Close the meeting" not in content


def test_a_closed_agenda_keeps_the_figures_of_when_it_closed(en, meeting, agenda_items, people):
    meetings.meeting_close(actor=people["officer"], meeting=meeting, minutes="紀錄")
    file(
        agenda_items["city"],
        people["liaison"],
        2026,
        11,
        "60",
        "58",
        now=dt.datetime(2026, 11, 20, 10, tzinfo=dt.UTC),
    )
    content = en["officer"].get(f"/tracking/meetings/{meeting.pk}/").content.decode()
    assert "20 points" in content and "58%" not in content


def test_a_decision_on_an_agenda_item_becomes_a_directive(en, meeting, agenda_items, city):
    entry = meeting.agenda.get(item=agenda_items["city"])
    response = en["officer"].post(
        f"/tracking/meetings/{meeting.pk}/decisions/",
        {
            "entry": str(entry.pk),
            f"entry{entry.pk}-text": "請工務處於下月底前提出趕工計畫\n並每週回報",
            f"entry{entry.pk}-department": "PW",
            f"entry{entry.pk}-due": "115/12/31",
        },
    )
    assert response.status_code == 302
    decision = Decision.objects.get()
    directive = decision.directive
    assert decision.entry == entry and directive.kind == Kind.MEETING
    assert directive.lead == city["pw"] and directive.due_date == dt.date(2026, 12, 31)
    assert directive.title == "請工務處於下月底前提出趕工計畫"
    assert directive.level == Item.Level.CITY and directive.origin == decision
    content = en["officer"].get(response["Location"]).content.decode()
    link = f'<a href="/tracking/items/{directive.pk}/">'
    assert f"it is now directive {directive.number}: {link}" in content  # the message
    assert content.count(f"{link}{directive.number}</a>") == 2  # by its entry and in the list


def test_a_general_decision_needs_no_agenda_item(en, meeting):
    response = en["officer"].post(
        f"/tracking/meetings/{meeting.pk}/decisions/",
        {
            "general-text": "各機關加強工程查核",
            "general-department": "SOC",
            "general-due": "2026-12-15",
        },
    )
    assert response.status_code == 302
    decision = Decision.objects.get()
    assert decision.entry is None and decision.directive.lead.code == "SOC"


@pytest.mark.parametrize(
    ("data", "field", "label"),
    [
        (
            {"general-text": "", "general-department": "PW", "general-due": "115/12/31"},
            "text",
            "Decision (決議)",
        ),
        (
            {"general-text": "x", "general-department": "XX", "general-due": "115/12/31"},
            "department",
            "Assigned to (department)",
        ),
        (
            {"general-text": "x", "general-department": "PW", "general-due": "115/13/40"},
            "due",
            "Due date",
        ),
        (
            {"general-text": "x", "general-department": "PW", "general-due": "115/11/01"},
            "due",
            "Due date",
        ),
    ],
)
def test_a_bad_decision_is_refused_naming_the_field(en, meeting, data, field, label):
    response = en["officer"].post(f"/tracking/meetings/{meeting.pk}/decisions/", data)
    assert response.status_code == 400
    content = response.content.decode()
    assert re.search(rf'<a href="#id_general-{field}">{re.escape(label)}</a>:', content)
    assert not Decision.objects.exists()
    assert not Item.objects.filter(kind=Kind.MEETING).exists()


def test_an_entry_of_another_meeting_is_not_found(en, meeting, people, agenda_items):
    other = meetings.meeting_open(
        actor=people["officer"], year=2026, month=10, held_on=dt.date(2026, 10, 15)
    )
    entry = meeting.agenda.first()
    response = en["officer"].post(
        f"/tracking/meetings/{other.pk}/decisions/",
        {
            "entry": str(entry.pk),
            f"entry{entry.pk}-text": "x",
            f"entry{entry.pk}-department": "PW",
            f"entry{entry.pk}-due": "115/12/31",
        },
    )
    assert response.status_code == 404
    assert not Decision.objects.exists()


def test_the_meeting_is_closed_with_its_minutes(en, meeting):
    response = en["officer"].post(
        f"/tracking/meetings/{meeting.pk}/close/", {"minutes": "一、主席致詞\n二、決議事項"}
    )
    # Closing cannot be undone: a page says what will happen and asks first.
    assert response.status_code == 200 and 'name="confirmed"' in response.content.decode()
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.OPEN
    response = en["officer"].post(
        f"/tracking/meetings/{meeting.pk}/close/",
        {"minutes": "一、主席致詞\n二、決議事項", "confirmed": "1"},
    )
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.HELD and meeting.minutes.startswith("一、主席致詞")
    content = en["officer"].get(f"/tracking/meetings/{meeting.pk}/").content.decode()
    assert "一、主席致詞<br>二、決議事項" in content
    assert "Record the decision" not in content
    late = en["officer"].post(
        f"/tracking/meetings/{meeting.pk}/decisions/",
        {"general-text": "x", "general-department": "PW", "general-due": "115/12/31"},
    )
    assert late.status_code == 400 and "this meeting is closed" in late.content.decode()
    assert not Decision.objects.exists()


def test_closing_needs_the_minutes(en, meeting):
    response = en["officer"].post(f"/tracking/meetings/{meeting.pk}/close/", {"minutes": ""})
    assert response.status_code == 400
    assert '<a href="#id_minutes">Minutes (會議紀錄)</a>' in response.content.decode()
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.OPEN


def test_a_second_meeting_for_the_month_is_refused(en, meeting):
    response = en["officer"].post("/tracking/meetings/", OPEN_FORM)
    assert response.status_code == 400
    assert (
        '<a href="#id_month">Month (1–12)</a>: already has a control meeting'
        in response.content.decode()
    )
    assert Meeting.objects.count() == 1


def test_a_bad_meeting_date_is_refused(en, agenda_items):
    response = en["officer"].post("/tracking/meetings/", {**OPEN_FORM, "held_on": "tomorrow"})
    assert response.status_code == 400
    assert '<a href="#id_held_on">Held on</a>' in response.content.decode()
    assert not Meeting.objects.exists()


@pytest.mark.parametrize(
    "persona", ["liaison", "head", "worker", "other_liaison", "executive", "unplaced"]
)
def test_only_officers_open_decide_and_close(en, meeting, persona):
    client = en[persona]
    assert client.get("/tracking/meetings/").status_code == 200
    assert client.get(f"/tracking/meetings/{meeting.pk}/").status_code == 200
    assert client.post("/tracking/meetings/", {**OPEN_FORM, "month": "12"}).status_code == 403
    decision = {"general-text": "x", "general-department": "PW", "general-due": "115/12/31"}
    assert client.post(f"/tracking/meetings/{meeting.pk}/decisions/", decision).status_code == 403
    assert (
        client.post(f"/tracking/meetings/{meeting.pk}/close/", {"minutes": "x"}).status_code == 403
    )
    assert Meeting.objects.count() == 1 and not Decision.objects.exists()
    assert Meeting.objects.get().status == Meeting.Status.OPEN
    assert (
        "Open the meeting and build the agenda"
        not in client.get("/tracking/meetings/").content.decode()
    )


def test_an_administrator_runs_the_meeting_too(en, meeting):
    decision = {"general-text": "x", "general-department": "PW", "general-due": "115/12/31"}
    assert (
        en["admin"].post(f"/tracking/meetings/{meeting.pk}/decisions/", decision).status_code == 302
    )


def test_the_anonymous_and_unknown_meetings(en, meeting):
    for path in ("/tracking/meetings/", f"/tracking/meetings/{meeting.pk}/"):
        response = en["anonymous"].get(path)
        assert response.status_code == 302 and "/login/" in response["Location"]
    response = en["anonymous"].post(f"/tracking/meetings/{meeting.pk}/close/", {"minutes": "x"})
    assert response.status_code == 302
    assert en["officer"].get("/tracking/meetings/999999/").status_code == 404
    assert (
        en["officer"].post("/tracking/meetings/999999/close/", {"minutes": "x"}).status_code == 404
    )
    assert en["officer"].get(f"/tracking/meetings/{meeting.pk}/decisions/").status_code == 405


def test_the_list_shows_each_meeting(en, meeting):
    content = en["liaison"].get("/tracking/meetings/").content.decode()
    assert f'href="/tracking/meetings/{meeting.pk}/"' in content
    assert "115/11/12" in content and "115/11" in content
    assert "1 meeting" in content


def test_the_meeting_pages_run_a_fixed_number_of_queries(
    en, people, city, django_assert_max_num_queries
):
    officer = people["officer"]
    for n in range(12):
        make_item(people["liaison"], city["pw"], f"Q-{n:02d}", "50", "30", budget_total=6_000_000)
    for month in range(1, 13):
        meetings.meeting_open(
            actor=officer, year=2025, month=month, held_on=dt.date(2025, month, 20)
        )
    meeting = Meeting.objects.get(year=2025, month=12)
    for entry in meeting.agenda.all()[:6]:
        meetings.decision_record(
            actor=officer,
            meeting=meeting,
            text="趕工",
            department="PW",
            due="115/12/31",
            entry=entry,
        )
    with django_assert_max_num_queries(8):
        assert en["officer"].get("/tracking/meetings/").status_code == 200
    # The open meeting first follows the register: a fixed number of reads (and of writes
    # when something changed) whatever the number of entries.
    with django_assert_max_num_queries(21):
        assert en["officer"].get(f"/tracking/meetings/{meeting.pk}/").status_code == 200
    # A held meeting is frozen: the page only reads.
    Meeting.objects.filter(pk=meeting.pk).update(status=Meeting.Status.HELD)
    with django_assert_max_num_queries(12):
        assert en["officer"].get(f"/tracking/meetings/{meeting.pk}/").status_code == 200


def test_the_meeting_pages_render_in_traditional_chinese_by_default(clients, meeting):
    for path in ("/tracking/meetings/", f"/tracking/meetings/{meeting.pk}/"):
        response = clients["officer"].get(path)
        assert response.status_code == 200
        assert 'lang="zh-Hant-TW"' in response.content.decode()
