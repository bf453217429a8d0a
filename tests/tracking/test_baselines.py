"""Planned progress comes from the approved baseline; the baseline changes only through a
revision (修正計畫) approved by the 管考 officer; cumulative figures do not go down."""

import datetime as dt
from decimal import Decimal

import pytest

from guankao.core.errors import NotAllowed, ServiceError
from guankao.tracking import baselines, reporting, services
from guankao.tracking.models import Baseline, Item, Report

from .conftest import NOW, at, file, plan


def _report(item, actor, month, *, now=NOW, **data):
    return reporting.report_file(
        actor=actor, item=item, year=2026, month=month, now=now, work_done="施工", **data
    )


def test_the_hidden_delay_is_refused(works, people):
    """Last report planned 33 / actual 33; the baseline plans 45 for the next month. A
    report typing planned 34 / actual 34 to show 進度正常 cannot be filed."""
    plan(works, 2026, 9, "33")
    plan(works, 2026, 10, "45")
    file(works, people["liaison"], 2026, 9, "33", "33", now=at(2026, 10, 3))
    with pytest.raises(ServiceError) as e:
        _report(works, people["liaison"], 10, planned="34", actual="34")
    assert e.value.problems[0].field == "planned"
    assert "baseline" in e.value.problems[0].message
    assert Report.objects.filter(month=10).count() == 0
    # Without the planned figure, the baseline's 45% decides: 11 points behind.
    with pytest.raises(ServiceError) as e:
        _report(works, people["liaison"], 10, actual="34")
    assert e.value.problems[0].field == "lag_reason"
    report = _report(
        works,
        people["liaison"],
        10,
        actual="34",
        lag_reason="管線遷移未完成",
        lag_categories=["utilities"],
        countermeasures="協調台電加速遷移",
    )
    assert report.planned == Decimal("45") and report.seriously_behind
    works.refresh_from_db()
    assert works.lag == Item.Lag.SERIOUS and works.last_planned == Decimal("45")


def test_money_planned_is_not_typed_either(works, people):
    with pytest.raises(ServiceError) as e:
        _report(works, people["liaison"], 10, actual="60", money_planned="1000")
    assert e.value.problems[0].field == "money_planned"


def test_cumulative_figures_do_not_go_down_without_a_correction_reason(works, people):
    plan(works, 2026, 9, "30", 3_000_000)
    plan(works, 2026, 10, "30", 3_000_000)
    file(works, people["liaison"], 2026, 9, "30", "30", now=at(2026, 10, 3), money_spent=3_800_000)
    with pytest.raises(ServiceError) as e:
        _report(works, people["liaison"], 10, actual="30", money_spent=2_900_000)
    assert e.value.problems[0].field == "money_spent"
    with pytest.raises(ServiceError) as e:
        _report(
            works,
            people["liaison"],
            10,
            actual="29",
            money_spent=3_800_000,
            lag_reason="x",
            lag_categories=["other"],
        )
    assert e.value.problems[0].field == "actual"
    report = _report(
        works,
        people["liaison"],
        10,
        actual="30",
        money_spent=2_900_000,
        correction_reason="9月估驗計價誤植，依結算書更正",
    )
    assert report.money_spent == 2_900_000 and report.correction_reason


def test_a_case_without_a_baseline_cannot_report_until_one_is_approved(people, city):
    item = services.item_create(
        actor=people["liaison"],
        kind="works",
        number="NB-1",
        title="無基準案件",
        lead=city["pw"],
        budget_total=6_000_000,
        start_date=dt.date(2026, 1, 1),
        finish_date=dt.date(2026, 12, 31),
    )
    with pytest.raises(ServiceError) as e:
        _report(item, people["liaison"], 10, actual="50")
    assert e.value.problems[0].field == "planned"
    assert "no approved baseline" in e.value.problems[0].message
    proposed = baselines.baseline_propose(actor=people["liaison"], item=item, method="curve")
    assert proposed.revision == 0 and proposed.months[-1][2] == "100.00"
    with pytest.raises(NotAllowed):  # only the 管考 officer approves
        baselines.baseline_approve(actor=people["head"], baseline=proposed)
    baselines.baseline_approve(actor=people["officer"], baseline=proposed)
    item.refresh_from_db()
    report = _report(item, people["liaison"], 10, actual="99")
    assert report.planned == Decimal(proposed.months[9][2]) and report.baseline_id == proposed.pk


def test_a_baseline_revision_round_trip(works, people):
    original = works.baseline
    assert original.finish_date == dt.date(2026, 12, 31)
    # The finish date and the budget are not edited on the item any more.
    with pytest.raises(ServiceError) as e:
        services.item_update(actor=people["liaison"], item=works, finish_date="2027-06-30")
    assert e.value.problems[0].field == "finish_date"
    with pytest.raises(ServiceError) as e:
        services.item_update(actor=people["liaison"], item=works, budget_total=13_000_000)
    assert e.value.problems[0].field == "budget_total"
    # A revision needs its reason.
    with pytest.raises(ServiceError) as e:
        baselines.baseline_propose(
            actor=people["liaison"], item=works, method="curve", finish_date="2027-06-30"
        )
    assert e.value.problems[0].field == "reason"
    revision = baselines.baseline_propose(
        actor=people["liaison"],
        item=works,
        method="typed",
        reason="用地取得延宕，展延工期",
        finish_date="2027-03-31",
        budget_total=13_000_000,
        months_text="115/01 5 600000\n115/10 40 5000000\n116/01 70 9000000\n116/03 100 13000000",
    )
    assert revision.revision == 1 and revision.state == Baseline.State.PROPOSED
    with pytest.raises(ServiceError):  # one proposal at a time
        baselines.baseline_propose(
            actor=people["liaison"], item=works, method="curve", reason="again"
        )
    works.refresh_from_db()
    assert works.finish_date == dt.date(2026, 12, 31)  # nothing changes before approval
    with pytest.raises(ServiceError) as e:
        baselines.baseline_reject(actor=people["officer"], baseline=revision, note="")
    assert e.value.problems[0].field == "note"
    baselines.baseline_approve(actor=people["officer"], baseline=revision, note="同意展延")
    works.refresh_from_db()
    assert works.baseline_id == revision.pk
    assert works.finish_date == dt.date(2027, 3, 31) and works.budget_total == 13_000_000
    original.refresh_from_db()
    assert original.state == Baseline.State.SUPERSEDED  # kept, not overwritten
    assert works.baselines.count() == 2
    report = _report(works, people["liaison"], 10, actual="40")
    assert report.planned == Decimal("40") and report.money_planned == 5_000_000


def test_typed_months_are_checked(works, people):
    cases = [
        ("115/01 50\n115/02 40\n115/12 100", "must not go down"),
        ("115/01 50\n115/12 90", "100%"),
        ("117/01 100", "outside"),
        ("115/13 10", "115/03"),
    ]
    for text, words in cases:
        with pytest.raises(ServiceError) as e:
            baselines.baseline_propose(
                actor=people["liaison"], item=works, method="typed", reason="r", months_text=text
            )
        assert words in e.value.problems[0].message, text


def test_the_baseline_pages(client, works, people):
    client.force_login(people["liaison"])
    page = client.get(f"/tracking/items/{works.pk}/")
    assert page.status_code == 200 and 'id="baseline"' in page.content.decode()
    r = client.post(
        f"/tracking/items/{works.pk}/baseline/",
        {
            "baseline-method": "curve",
            "baseline-start_date": "115/01/15",
            "baseline-finish_date": "116/06/30",
            "baseline-budget_total": "12000000",
        },
    )
    assert r.status_code == 400  # a revision without its reason
    r = client.post(
        f"/tracking/items/{works.pk}/baseline/",
        {
            "baseline-method": "curve",
            "baseline-start_date": "115/01/15",
            "baseline-finish_date": "116/06/30",
            "baseline-budget_total": "12000000",
            "baseline-reason": "展延",
        },
    )
    assert r.status_code == 302
    client.force_login(people["officer"])
    r = client.post(f"/tracking/items/{works.pk}/baseline/decide/", {"bdecide-action": "approve"})
    assert r.status_code == 302
    works.refresh_from_db()
    assert works.finish_date == dt.date(2027, 6, 30)
    page = client.get(f"/tracking/items/{works.pk}/")
    body = page.content.decode()
    assert page.status_code == 200 and f"curve-{works.pk}-title" in body
    assert f"money-{works.pk}-title" in body


def test_the_report_form_does_not_ask_for_planned(client, works, people):
    plan(works, 2026, 10, "42.5")
    client.force_login(people["liaison"])
    page = client.get(f"/tracking/items/{works.pk}/report/?year=115&month=10")
    assert "planned" not in page.context["form"].fields
    assert "money_planned" not in page.context["form"].fields
    assert "42.5%" in page.content.decode()
    r = client.post(
        f"/tracking/items/{works.pk}/report/",
        {"year": "115", "month": "10", "planned": "10", "actual": "42.5", "work_done": "x"},
    )
    assert r.status_code == 302
    assert Report.objects.get().planned == Decimal("42.5")  # a posted planned is not read
