import datetime as dt
from decimal import Decimal

import pytest

from guankao.core.errors import NotAllowed, ServiceError
from guankao.core.models import AuditEntry
from guankao.tracking import reporting, services
from guankao.tracking.models import Item, Report, Rules

from .conftest import NOW, file


def test_it_creates_a_city_controlled_work_by_the_rule(works):
    assert works.level == Item.Level.CITY  # NT$12M ≥ NT$5M
    assert AuditEntry.objects.filter(object_type="tracking.item", object_id=str(works.pk)).exists()


def test_it_refuses_self_control_for_a_large_project(people, city):
    with pytest.raises(ServiceError) as e:
        services.item_create(
            actor=people["liaison"], kind="works", number="X1", title="t", lead=city["pw"],
            budget_total=5_000_000, level="self",
        )  # fmt: skip
    assert e.value.problems[0].field == "level"


def test_it_keeps_a_small_project_self_controlled(people, city):
    item = services.item_create(
        actor=people["liaison"], kind="works", number="X2", title="t", lead=city["pw"],
        budget_total=4_999_999,
    )  # fmt: skip
    assert item.level == Item.Level.SELF


def test_another_departments_liaison_cannot_create(people, city):
    with pytest.raises(NotAllowed):
        services.item_create(
            actor=people["other_liaison"], kind="works", number="X3", title="t", lead=city["pw"]
        )


def test_a_behind_report_needs_a_lag_reason(works, people):
    with pytest.raises(ServiceError) as e:
        reporting.report_file(
            actor=people["liaison"], item=works, year=2026, month=10, now=NOW,
            planned="50", actual="40", work_done="x",
        )  # fmt: skip
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
        actor=people["liaison"], item=directive, year=2026, month=10, now=NOW,
        work_done="研議中", handling="in_progress", result="已召開會議",
    )  # fmt: skip
    assert report.planned is None
    with pytest.raises(ServiceError):
        reporting.report_file(
            actor=people["liaison"], item=directive, year=2026, month=9, now=NOW,
            work_done="x", planned="10", actual="10", handling="in_progress", result="r",
        )  # fmt: skip


def test_release_cycle(works, people):
    services.release_request(actor=people["liaison"], item=works, result="完工驗收")
    with pytest.raises(NotAllowed):
        services.release_approve(actor=people["head"], item=works)
    item = services.release_approve(actor=people["officer"], item=works)
    assert item.status == Item.Status.RELEASED and item.released_at


def test_rules_update(people):
    rules = services.rules_update(actor=people["officer"], money_share="75", serious_gap="15")
    assert rules.money_share == Decimal("0.75") and Rules.current().serious_gap == 15
