import datetime as dt
from decimal import Decimal

import pytest

from guankao.core.errors import NotAllowed, ServiceError
from guankao.core.models import AuditEntry
from guankao.tracking import release, reporting, services
from guankao.tracking.models import Item, Report, Rules
from guankao.tracking.rules import rules_update

from .conftest import NOW, at, file, plan


def test_it_creates_a_city_controlled_work_by_the_rule(works):
    assert works.level == Item.Level.CITY  # NT$12M ≥ NT$5M
    assert AuditEntry.objects.filter(object_type="tracking.item", object_id=str(works.pk)).exists()


def test_it_refuses_self_control_for_a_large_project(people, city):
    with pytest.raises(ServiceError) as e:
        services.item_create(
            actor=people["liaison"],
            kind="works",
            number="X1",
            title="t",
            lead=city["pw"],
            budget_total=5_000_000,
            level="self",
        )
    assert e.value.problems[0].field == "level"


def test_it_keeps_a_small_project_self_controlled(people, city):
    item = services.item_create(
        actor=people["liaison"],
        kind="works",
        number="X2",
        title="t",
        lead=city["pw"],
        budget_total=4_999_999,
    )
    assert item.level == Item.Level.SELF


def test_another_departments_liaison_cannot_create(people, city):
    with pytest.raises(NotAllowed):
        services.item_create(
            actor=people["other_liaison"], kind="works", number="X3", title="t", lead=city["pw"]
        )


def test_a_behind_report_needs_a_lag_reason(works, people):
    plan(works, 2026, 10, "50")
    with pytest.raises(ServiceError) as e:
        reporting.report_file(
            actor=people["liaison"],
            item=works,
            year=2026,
            month=10,
            now=NOW,
            actual="40",
            work_done="x",
        )
    assert e.value.problems[0].field == "lag_reason"
    assert not Report.objects.exists()


def test_a_late_behind_report_sets_lag_and_risk(works, people):
    report = file(works, people["liaison"], 2026, 10, "50", "38")
    assert report.late and report.due_on == dt.date(2026, 11, 5)
    works.refresh_from_db()
    assert works.lag == Item.Lag.SERIOUS and works.risk == Item.Risk.HIGH
    assert works.last_actual == Decimal("38")


def test_head_approves_and_not_own(works, people):
    report = file(works, people["head"], 2026, 10, "50", "50")
    with pytest.raises(NotAllowed):
        reporting.report_approve(actor=people["head"], report=report)
    report = file(works, people["liaison"], 2026, 9, "40", "40")
    reporting.report_approve(actor=people["head"], report=report)
    report.refresh_from_db()
    assert report.state == Report.State.APPROVED


def test_actual_cannot_go_backwards(works, people):
    file(works, people["liaison"], 2026, 9, "40", "40")
    with pytest.raises(ServiceError) as e:
        file(works, people["liaison"], 2026, 10, "50", "30")
    assert e.value.problems[0].field == "actual"


def test_directive_reports_handling(directive, people):
    report = reporting.report_file(
        actor=people["liaison"],
        item=directive,
        year=2026,
        month=10,
        now=NOW,
        work_done="研議中",
        handling="in_progress",
        result="已召開會議",
    )
    assert report.planned is None
    with pytest.raises(ServiceError):
        reporting.report_file(
            actor=people["liaison"],
            item=directive,
            year=2026,
            month=9,
            now=NOW,
            work_done="x",
            planned="10",
            actual="10",
            handling="in_progress",
            result="r",
        )


def test_release_cycle(works, people):
    release.release_request(
        actor=people["liaison"], item=works, result="完工驗收", exception_reason="照片補送"
    )
    with pytest.raises(NotAllowed):
        release.release_approve(actor=people["head"], item=works)
    item = release.release_approve(actor=people["officer"], item=works, note="同意")
    assert item.status == Item.Status.RELEASED and item.released_at


def test_rules_update(people):
    rules = rules_update(actor=people["officer"], money_share="75", serious_gap="15")
    assert rules.money_share == Decimal("0.75") and Rules.current().serious_gap == 15


@pytest.mark.parametrize(
    ("planned", "actual", "spent", "lag", "money_behind"),
    [
        ("50", "50", 400_000, "on_time", False),  # exactly on plan; spent exactly 80% of plan
        ("50", "49.99", 400_000, "behind", False),
        ("50", "40.01", 399_999, "behind", True),  # 9.99 points; a dollar under 80%
        ("50", "40", 500_000, "serious", False),  # exactly 10 points: serious
        ("40", "60", 100_000, "on_time", True),  # ahead on work, behind on money
    ],
)
def test_it_computes_lag_at_the_edge_of_each_threshold(
    works, people, planned, actual, spent, lag, money_behind
):
    file(
        works,
        people["liaison"],
        2026,
        10,
        planned,
        actual,
        money_planned=500_000,
        money_spent=spent,
    )
    works.refresh_from_db()
    assert (works.lag, works.money_behind) == (lag, money_behind)


def test_it_follows_the_citys_thresholds(works, people):
    rules_update(actor=people["officer"], serious_gap="15", money_share="60")
    file(works, people["liaison"], 2026, 10, "50", "38", money_planned=1000, money_spent=600)
    works.refresh_from_db()
    assert (works.lag, works.money_behind) == ("behind", False)


def _month_history(item, liaison, points):
    for month, (planned, actual) in enumerate(points, start=1):
        file(item, liaison, 2026, month, planned, actual, now=at(2026, month + 1, 3))


@pytest.mark.parametrize(
    ("points", "method", "late"),
    [
        # On time: an S-curve on plan reaches 99% two months before the end of December.
        (
            [(5, 5), (12, 12), (25, 25), (45, 45), (65, 65), (80, 80), (90, 90), (95, 95)],
            "s-curve",
            False,
        ),
        # Slipping: a point a month at the end; at that pace 100% comes in 2028.
        ([(10, 10), (20, 20), (30, 25), (40, 27), (50, 28), (60, 29)], "linear", True),
        # Recovering: behind in spring, ahead by August, on an S-curve that finishes in time.
        (
            [(10, 5), (20, 8), (30, 15), (40, 30), (50, 45), (60, 60), (70, 75), (80, 90)],
            "s-curve",
            False,
        ),
        # Finished early.
        ([(20, 30), (40, 60), (60, 90), (80, 100)], "finished", False),
    ],
)
def test_it_forecasts_the_finish_from_the_items_own_history(works, people, points, method, late):
    _month_history(works, people["liaison"], points)
    forecast = services.item_forecast(works, today=dt.date(2026, len(points) + 1, 3))
    assert (forecast.method, forecast.will_finish_late) == (method, late), forecast.explanation


def test_it_warns_of_a_late_finish_while_the_item_is_on_time(works, people):
    """On plan by percent, but the plan itself is slower than the finish date allows."""
    _month_history(works, people["liaison"], [(5, 5), (10, 10), (15, 15), (20, 20)])
    works.refresh_from_db()
    assert works.lag == "on_time" and works.forecast_late and works.risk == "medium"


@pytest.mark.parametrize(
    ("who", "file_", "approve", "create", "release", "refuse"),
    [
        ("liaison", True, False, True, True, False),
        ("head", True, True, True, True, False),
        ("worker", False, False, False, False, False),
        ("other_liaison", False, False, False, False, False),
        ("executive", False, False, False, False, False),
        ("officer", False, False, True, False, True),
        ("admin", False, True, True, False, True),
    ],
)
def test_it_checks_each_persona(works, people, city, who, file_, approve, create, release, refuse):
    from guankao.tracking import access

    user = people[who]
    assert access.can_report(user, works) == file_
    assert access.can_review(user, works) == approve
    assert access.can_create(user, city["pw"]) == create
    assert access.can_request_release(user, works) == release
    assert access.can_manage(user) == refuse
    # PW-1's worker reads its own section's items, not the parent department's.
    assert access.can_read(user, works) == (who not in ("other_liaison", "worker"))


def test_a_co_department_reads_but_does_not_report(works, people, city):
    from guankao.tracking import access, selectors

    services.item_update(actor=people["liaison"], item=works, co_departments=["SOC"])
    other = people["other_liaison"]
    assert access.can_read(other, works) and not access.can_report(other, works)
    assert list(selectors.item_list(user=other)) == [works]


def test_only_a_late_report_is_refused_and_then_counts_as_not_reported(works, people):
    on_time = file(works, people["liaison"], 2026, 10, "50", "50", now=at(2026, 11, 4))
    with pytest.raises(ServiceError):
        reporting.report_refuse(actor=people["officer"], report=on_time, note="逾期")
    late = file(works, people["liaison"], 2026, 9, "40", "40", now=at(2026, 11, 4))
    with pytest.raises(NotAllowed):
        reporting.report_refuse(actor=people["head"], report=late, note="逾期")
    reporting.report_refuse(actor=people["officer"], report=late, note="逾期未報")
    late.refresh_from_db()
    assert late.state == Report.State.REFUSED
    with pytest.raises(ServiceError):  # the month cannot be filed again
        file(works, people["liaison"], 2026, 9, "40", "40", now=at(2026, 11, 5))


def test_a_returned_report_is_filed_again_as_a_new_revision(works, people):
    first = file(works, people["liaison"], 2026, 10, "50", "45")
    reporting.report_return(actor=people["head"], report=first, note="請補照片")
    second = file(works, people["liaison"], 2026, 10, "50", "46")
    assert (first.revision, second.revision) == (1, 2)
    first.refresh_from_db()
    assert first.state == Report.State.RETURNED and first.actual == Decimal(45)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("planned", "101"),
        ("actual", "-1"),
        ("actual", "abc"),
        ("planned", 50.5),
        ("money_spent", "1.5"),
        ("money_spent", "9" * 20),
        ("work_done", ""),
        ("work_done", "x" * 5001),
        ("handling", "done"),
        ("nonsense", "1"),
    ],
)
def test_it_refuses_bad_report_fields_by_name(works, people, field, value):
    data = {"planned": "50", "actual": "50", "work_done": "施工", field: value}
    with pytest.raises(ServiceError) as e:
        reporting.report_file(
            actor=people["liaison"], item=works, year=2026, month=10, now=NOW, **data
        )
    assert e.value.problems[0].field == field
    assert not Report.objects.exists()


def test_it_refuses_a_month_that_has_not_begun(works, people):
    with pytest.raises(ServiceError) as e:
        file(works, people["liaison"], 2026, 12, "50", "50")
    assert e.value.problems[0].field == "month"


def test_it_refuses_a_stale_edit(works, people):
    version = services.item_version(works)
    services.item_update(
        actor=people["liaison"], item=works, title="新名稱", expected_version=version
    )
    with pytest.raises(ServiceError) as e:
        services.item_update(
            actor=people["head"], item=works, title="另一名稱", expected_version=version
        )
    assert e.value.problems[0].field == "version"
    works.refresh_from_db()
    assert works.title == "新名稱"


def test_a_change_of_thresholds_reclassifies_open_items_at_once(works, people):
    file(works, people["liaison"], 2026, 10, "50", "38", money_planned=1000, money_spent=700)
    works.refresh_from_db()
    assert (works.lag, works.money_behind, works.risk) == ("serious", True, "high")
    rules_update(actor=people["officer"], serious_gap="15", money_share="60")
    works.refresh_from_db()
    assert (works.lag, works.money_behind) == ("behind", False)
    assert works.risk == "medium"  # behind (and will finish late), no longer serious
    rules_update(actor=people["officer"], serious_gap="12")
    works.refresh_from_db()
    assert (works.lag, works.risk) == ("serious", "high")
