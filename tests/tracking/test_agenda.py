"""The open meeting's agenda follows the register; it is frozen when the meeting closes."""

import io
from unittest import mock

import odfdo
import pytest
from django.utils import timezone

from guankao.core.errors import NotAllowed, ServiceError
from guankao.tracking import agenda, jobs, meetings, services
from guankao.tracking.models import Item

from .conftest import CREATED, at, file


def _item(people, city, number):
    made = services.item_create(
        actor=people["officer"],
        kind="works",
        number=number,
        title=number,
        lead=city["pw"],
        budget_total=9_000_000,
    )
    Item.objects.filter(pk=made.pk).update(created_at=CREATED)
    return made


@pytest.fixture
def meeting(people):
    with mock.patch.object(timezone, "now", return_value=at(2026, 11, 12)):
        return meetings.meeting_open(
            actor=people["officer"], year=2026, month=11, held_on="115/11/12"
        )


def test_a_case_that_falls_seriously_behind_joins_the_open_agenda(people, city, clients):
    quiet = _item(people, city, "LATE-1")
    file(quiet, people["liaison"], 2026, 9, "40", "40", now=at(2026, 10, 3))
    with mock.patch.object(timezone, "now", return_value=at(2026, 11, 2)):
        meeting = meetings.meeting_open(
            actor=people["officer"], year=2026, month=11, held_on="115/11/20"
        )
    assert not meeting.agenda.exists()
    file(
        quiet,
        people["liaison"],
        2026,
        10,
        "60",
        "45",
        now=at(2026, 11, 3),
        lag_categories=["land", "utilities"],
        lag_reason="用地取得延宕",
        countermeasures="協調地主，12月前點交",
    )
    # The page shows it at once, and says so.
    page = clients["officer"].get(f"/tracking/meetings/{meeting.pk}/")
    body = page.content.decode()
    assert "LATE-1" in body and "協調地主" in body
    entry = meeting.agenda.get()
    assert (entry.reason, entry.lag) == ("serious", "serious")
    assert "用地取得" in entry.reasons and "管線遷移" in entry.reasons
    assert entry.countermeasures == "協調地主，12月前點交" and entry.act_by == "工務處"
    # The documents carry it too.
    ods = clients["officer"].get(f"/tracking/meetings/{meeting.pk}/agenda.ods")
    table = odfdo.Document(io.BytesIO(ods.content)).body.get_table(position=0)
    header, row = table.get_values()[:2]
    assert "落後原因" in header and "因應對策" in header and "應辦理機關" in header
    assert "協調地主，12月前點交" in row
    # A decision on it, then it catches up: it stays (decided); with no decision it would go.
    meetings.decision_record(
        actor=people["officer"],
        meeting=meeting,
        entry=entry,
        text="限期改善",
        department="PW",
        due="115/12/31",
    )
    file(quiet, people["liaison"], 2026, 11, "70", "70", now=at(2026, 11, 30))
    with mock.patch.object(timezone, "now", return_value=at(2026, 11, 30)):
        changes = agenda.agenda_refresh(actor=people["officer"], meeting=meeting)
    assert changes["removed"] == [] and meeting.agenda.count() == 1


def test_the_agenda_stops_following_when_the_meeting_closes(people, city, meeting):
    item = _item(people, city, "AFTER-1")
    meetings.meeting_close(actor=people["officer"], meeting=meeting, minutes="紀錄")
    file(item, people["liaison"], 2026, 10, "60", "40", now=at(2026, 11, 3))
    with pytest.raises(ServiceError):
        agenda.agenda_refresh(actor=people["officer"], meeting=meeting)
    assert jobs.agenda_follow(at(2026, 11, 13)) == 0
    assert not meeting.agenda.exists()


def test_the_worker_and_the_button_refresh_and_say_what_changed(people, city, clients, meeting):
    item = _item(people, city, "W-9")
    file(item, people["liaison"], 2026, 10, "60", "40", now=at(2026, 11, 3))
    assert jobs.agenda_follow(at(2026, 11, 13)) == 1
    assert [e.item.number for e in meeting.agenda.all()] == ["W-9"]
    with pytest.raises(NotAllowed):
        agenda.agenda_refresh(actor=people["liaison"], meeting=meeting)
    assert (
        clients["liaison"].post(f"/tracking/meetings/{meeting.pk}/agenda/refresh/").status_code
        == 403
    )
    r = clients["officer"].post(f"/tracking/meetings/{meeting.pk}/agenda/refresh/", follow=True)
    assert "nothing changed" in r.content.decode() or "沒有變更" in r.content.decode()
