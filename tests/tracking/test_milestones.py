"""Milestones (查核點) that move: the monthly report marks them done or late with a reason;
overdue ones raise the risk and bring the case to the meeting; the case page draws them."""

import datetime as dt

import pytest

from guankao.core.errors import ServiceError
from guankao.tracking import agenda, jobs, reporting, services
from guankao.tracking.models import Item

from .conftest import NOW, at, file, plan


@pytest.fixture
def marks(works, people):
    first = services.milestone_add(
        actor=people["liaison"], item=works, title="開工", due="115/03/01"
    )
    second = services.milestone_add(
        actor=people["liaison"], item=works, title="基礎完成", due="115/10/15"
    )
    later = services.milestone_add(
        actor=people["liaison"], item=works, title="完工", due="115/12/31"
    )
    return first, second, later


def test_the_report_updates_the_milestones_due_by_the_months_end(works, people, marks):
    first, second, later = marks
    plan(works, 2026, 10, "50")
    base = {"actor": people["liaison"], "item": works, "year": 2026, "month": 10, "now": NOW}
    base.update(actual="50", work_done="施工")
    with pytest.raises(ServiceError) as e:
        reporting.report_file(**base, milestones={first.pk: {"done_on": "115/03/01"}})
    assert e.value.problems[0].field == f"milestone_{second.pk}"
    with pytest.raises(ServiceError) as e:
        reporting.report_file(
            **base,
            milestones={first.pk: {"done_on": "115/11/30"}, second.pk: {"late_reason": "雨"}},
        )
    assert "future" in e.value.problems[0].message
    reporting.report_file(
        **base,
        milestones={
            first.pk: {"done_on": "115/03/05"},
            second.pk: {"late_reason": "基樁試驗未過", "expected_on": "115/11/20"},
        },
    )
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.done_on == dt.date(2026, 3, 5)
    assert (second.done_on, second.late_reason) == (None, "基樁試驗未過")
    assert second.expected_on == dt.date(2026, 11, 20)
    later.refresh_from_db()
    assert later.done_on is None and later.late_reason == ""  # not due yet: not asked


def test_an_overdue_milestone_raises_the_risk_and_reaches_the_agenda(works, people, marks):
    first, second, _later = marks
    file(
        works,
        people["liaison"],
        2026,
        10,
        "50",
        "50",
        milestones={first.pk: {"done_on": "115/03/01"}, second.pk: {"late_reason": "基樁"}},
    )
    works.refresh_from_db()
    assert works.lag == Item.Lag.ON_TIME and works.risk == Item.Risk.MEDIUM
    entries = agenda.candidates(dt.date(2026, 11, 12))
    assert [(i.number, reason) for i, reason in entries] == [("W-115-001", "milestone")]
    services.milestone_done(actor=people["liaison"], milestone=second, done_on="115/11/10")
    works.refresh_from_db()
    assert works.risk == Item.Risk.LOW


def test_the_worker_raises_the_risk_the_day_after_a_milestone_is_missed(works, people):
    file(works, people["liaison"], 2026, 10, "50", "50", now=at(2026, 11, 3))
    services.milestone_add(actor=people["liaison"], item=works, title="驗收", due="115/11/20")
    works.refresh_from_db()
    assert works.risk == Item.Risk.LOW
    jobs.sweep(dt.date(2026, 11, 21), at(2026, 11, 21))
    works.refresh_from_db()
    assert works.risk == Item.Risk.MEDIUM


def test_the_case_page_draws_the_milestones_against_today(clients, works, people, marks):
    first, second, _later = marks
    services.milestone_done(actor=people["liaison"], milestone=first, done_on="115/03/02")
    page = clients["head"].get(f"/tracking/items/{works.pk}/")
    html = page.content.decode()
    assert page.status_code == 200 and f'id="gantt-{works.pk}-title"' in html
    assert "基礎完成" in html and "115/10/15" in html


def test_the_report_form_asks_for_the_milestones_due(clients, works, marks):
    first, second, _later = marks
    plan(works, 2026, 10, "50")
    url = f"/tracking/items/{works.pk}/report/?year=2026&month=10"
    data = {"year": "115", "month": "10", "actual": "50", "work_done": "施工"}
    r = clients["liaison"].post(url, data)
    assert r.status_code == 400 and f"milestone_{first.pk}_late_reason" in r.context["form"].errors
    data[f"milestone_{first.pk}_done_on"] = "115/03/01"
    data[f"milestone_{second.pk}_late_reason"] = "基樁試驗未過"
    assert clients["liaison"].post(url, data).status_code == 302
    second.refresh_from_db()
    assert second.late_reason == "基樁試驗未過"
