"""The monthly control meeting: the agenda, decisions becoming directives, KPI 三 values."""

import datetime as dt
from decimal import Decimal
from unittest import mock

import pytest
from django.utils import timezone, translation

from guankao.core.errors import NotAllowed, ServiceError
from guankao.plans import registry
from guankao.tracking import meetings, release, reporting, services
from guankao.tracking.models import Item, Kind, Meeting

from .conftest import CREATED, at, file


def item(people, city, number, **data):
    data = {"kind": "works", "title": number, "lead": city["pw"], **data}
    made = services.item_create(actor=people["officer"], number=number, **data)
    Item.objects.filter(pk=made.pk).update(created_at=CREATED)
    made.refresh_from_db()
    return made


@pytest.fixture
def cases(people, city):
    """One item for each agenda reason, a quiet one, and a self-controlled serious one."""
    liaison = people["liaison"]
    out = {
        "serious": item(people, city, "S1", budget_total=9_000_000),
        "behind": item(people, city, "B1", budget_total=9_000_000),
        "overdue": item(people, city, "O1", budget_total=9_000_000),
        "release": item(people, city, "R1", budget_total=9_000_000),
        "quiet": item(people, city, "Q1", budget_total=9_000_000),
        "self": item(people, city, "SELF", budget_total=100_000),
    }
    for key, (planned, actual) in {
        "serious": ("60", "45"),
        "behind": ("60", "55"),
        "release": ("100", "100"),
        "quiet": ("60", "60"),
        "self": ("60", "30"),
    }.items():
        file(out[key], liaison, 2026, 10, planned, actual, now=at(2026, 11, 3))
    file(out["overdue"], liaison, 2026, 9, "50", "50", now=at(2026, 10, 3))
    Item.objects.filter(pk=out["overdue"].pk).update(report_overdue=True)
    release.release_request(
        actor=liaison, item=out["release"], result="完工驗收", exception_reason="驗收紀錄補送中"
    )
    return out


def test_it_builds_the_agenda_from_the_items_that_need_the_meeting(cases, people):
    with mock.patch.object(timezone, "now", return_value=at(2026, 11, 12)):
        meeting = meetings.meeting_open(
            actor=people["officer"], year=2026, month=11, held_on="115/11/20"
        )
    agenda = [(e.item.number, e.reason) for e in meeting.agenda.select_related("item")]
    assert agenda == [("S1", "serious"), ("O1", "overdue"), ("B1", "at_risk"), ("R1", "release")]
    entry = meeting.agenda.get(item=cases["serious"])
    assert (entry.planned, entry.actual, entry.lag) == (Decimal(60), Decimal(45), "serious")
    assert meeting.held_on == dt.date(2026, 11, 20)
    assert "115/11" in meeting.title


def test_only_an_officer_opens_a_meeting_once_a_month(cases, people):
    with pytest.raises(NotAllowed):
        meetings.meeting_open(actor=people["head"], year=2026, month=11, held_on="2026-11-20")
    meetings.meeting_open(actor=people["officer"], year=2026, month=11, held_on="2026-11-20")
    with pytest.raises(ServiceError) as e:
        meetings.meeting_open(actor=people["officer"], year=2026, month=11, held_on="2026-11-21")
    assert e.value.problems[0].field == "month"


def test_a_decision_becomes_a_directive_that_is_chased(cases, people, city):
    meeting = meetings.meeting_open(
        actor=people["officer"], year=2026, month=11, held_on="2026-11-20"
    )
    entry = meeting.agenda.get(item=cases["serious"])
    decision = meetings.decision_record(
        actor=people["officer"],
        meeting=meeting,
        entry=entry,
        department="PW",
        text="請工務處於12月底前提出趕工計畫\n並每週回報",
        due="115/12/31",
    )
    directive = decision.directive
    assert directive.kind == Kind.MEETING and directive.lead == city["pw"]
    assert directive.level == Item.Level.CITY and directive.due_date == dt.date(2026, 12, 31)
    assert directive.number == "M11511-01" and directive.title == "請工務處於12月底前提出趕工計畫"
    assert directive.origin == decision and "S1" in directive.description
    # The directive reports its handling monthly like any item.
    report = reporting.report_file(
        actor=people["liaison"],
        item=directive,
        year=2026,
        month=11,
        now=at(2026, 11, 25),
        work_done="已提出趕工計畫",
        handling="in_progress",
        result="每週回報中",
    )
    assert report.handling == "in_progress"


def test_a_decision_needs_a_department_and_a_due_day_after_the_meeting(cases, people):
    meeting = meetings.meeting_open(
        actor=people["officer"], year=2026, month=11, held_on="2026-11-20"
    )
    for data, field in (
        ({"department": "NOPE", "due": "2026-12-31"}, "department"),
        ({"department": "PW", "due": "2026-11-19"}, "due"),
        ({"department": "PW", "due": "明天"}, "due"),
    ):
        with pytest.raises(ServiceError) as e:
            meetings.decision_record(actor=people["officer"], meeting=meeting, text="x", **data)
        assert e.value.problems[0].field == field
    assert not Item.objects.filter(kind=Kind.MEETING).exists()


def test_a_closed_meeting_is_held_and_cannot_change(cases, people):
    meeting = meetings.meeting_open(
        actor=people["officer"], year=2026, month=11, held_on="2026-11-10"
    )
    with mock.patch.object(timezone, "now", return_value=at(2026, 11, 12)):
        meetings.meeting_close(actor=people["officer"], meeting=meeting, minutes="決議如附")
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.HELD
    with pytest.raises(ServiceError):
        meetings.decision_record(
            actor=people["officer"], meeting=meeting, text="x", department="PW", due="2026-12-31"
        )


def _hold(people, year, month):
    meeting = meetings.meeting_open(
        actor=people["officer"], year=year, month=month, held_on=dt.date(year, month, 20)
    )
    with mock.patch.object(timezone, "now", return_value=at(year, month, 21)):
        meetings.meeting_close(actor=people["officer"], meeting=meeting, minutes="紀錄")


def test_kpi_3_1_counts_the_months_reviewed(people):
    metric = registry.get("tracking.monthly_review")
    for month in (1, 2, 3, 5, 6, 7, 8, 9, 10, 11):
        _hold(people, 2026, month)
    meetings.meeting_open(
        actor=people["officer"], year=2026, month=12, held_on="2026-12-20"
    )  # open, not held
    assert metric.compute(registry.Period(2026, 1, 1), None)[:3] == (Decimal("83.33"), 10, 12)
    assert metric.compute(registry.Period(2026, 4, 12), None)[0] == 0
    assert metric.compute(registry.Period(2026, 3, 12), None)[0] == 100
    records = list(metric.records(registry.Period(2026, 2, 4), None))
    assert [r.label.split(": ")[0] for r in records] == ["115/04", "115/05", "115/06"]


def test_kpi_3_2_is_the_share_of_grant_reports_on_time(people, city):
    on_time = item(
        people, city, "G1", kind="basic_grant", grant_source="國發會", grant_amount=3_000_000
    )
    late = item(people, city, "G2", kind="grant")
    item(people, city, "G3", kind="basic_grant")  # never reports
    item(people, city, "W1")  # not a grant: not counted
    liaison = people["liaison"]
    for month, when in ((7, at(2026, 8, 4)), (8, at(2026, 9, 3)), (9, at(2026, 10, 5))):
        file(on_time, liaison, 2026, month, "50", "50", now=when)
        file(
            late, liaison, 2026, month, "50", "50", now=when + dt.timedelta(days=5)
        )  # 115/09/05 is a Saturday: due 09/07
    metric = registry.get("tracking.grant_reports_on_time")
    with mock.patch.object(timezone, "now", return_value=at(2026, 11, 12)):
        value = metric.compute(registry.Period(2026, 3, 4), None)  # July to September
        with translation.override("en"):
            records = list(metric.records(registry.Period(2026, 3, 4), None))
    assert value == (Decimal("33.33"), 3, 9)
    assert len(records) == 9 and sum("on time" in r.label for r in records) == 3
    with mock.patch.object(timezone, "now", return_value=at(2026, 11, 12)):
        assert metric.compute(registry.Period(2026, 3, 4), city["soc"]) is None
