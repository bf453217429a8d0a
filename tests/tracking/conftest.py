"""Controlled cases built through the services: a PW public work and a mayor's directive.

Dates are fixed: "now" is 2026-11-12 (Thursday) unless a test says otherwise; the
October report is due 2026-11-05 (Thursday, the 5th).
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from guankao.core.models import Notification, User
from guankao.tracking import baselines, reporting, services
from guankao.tracking.models import Baseline, Item
from tests.seeded import lag_categories

NOW = timezone.make_aware(dt.datetime(2026, 11, 12, 10, 0))
CREATED = timezone.make_aware(dt.datetime(2026, 1, 5, 9, 0))


def at(year, month, day, hour=10):
    return timezone.make_aware(dt.datetime(year, month, day, hour, 0))


@pytest.fixture(autouse=True)
def _lag_categories(db):
    lag_categories()


@pytest.fixture
def works(people, city):
    item = services.item_create(
        actor=people["liaison"],
        kind="works",
        number="W-115-001",
        title="民族路人行道改善工程",
        lead=city["pw"],
        budget_total=12_000_000,
        budget_year=8_000_000,
        tender_number="PW11501",
        contractor="嘉義營造",
        contract_sum=11_500_000,
        site_address="嘉義市東區民族路",
        latitude="23.480000",
        longitude="120.449000",
        start_date=dt.date(2026, 1, 15),
        finish_date=dt.date(2026, 12, 31),
    )
    item.created_at = CREATED
    item.save(update_fields=["created_at"])
    approve_curve(item, people)
    return item


def approve_curve(item, people):
    """The item's baseline: an S-curve from its start to its finish, approved."""
    proposed = baselines.baseline_propose(actor=people["liaison"], item=item, method="curve")
    baselines.baseline_approve(actor=people["officer"], baseline=proposed)
    Notification.objects.all().delete()  # the approval's notice is not what tests look for
    item.refresh_from_db()
    return item


def plan(item, year, month, planned, money=None):
    """Set the approved baseline's figures for one month (what the officer approved),
    so that a test reads as "the plan says `planned` % for that month"."""
    if item.baseline_id is None:  # an item made by a test: an approved baseline of its own
        officer = User.objects.order_by("pk").first()
        baseline = Baseline.objects.create(
            item=item,
            state=Baseline.State.APPROVED,
            source=Baseline.Source.TYPED,
            start_date=item.start_date or dt.date(2026, 1, 1),
            finish_date=item.finish_date or dt.date(2026, 12, 31),
            budget_total=item.budget_total,
            proposed_by=officer,
        )
        Item.objects.filter(pk=item.pk).update(baseline=baseline)
        item.baseline_id = baseline.pk
    baseline = Baseline.objects.get(pk=item.baseline_id)
    rows = [r for r in baseline.months if (r[0], r[1]) != (year, month)]
    rows.append([year, month, str(planned), money])
    baseline.months = sorted(rows, key=lambda r: (r[0], r[1]))
    baseline.save(update_fields=["months"])
    item.baseline = baseline


@pytest.fixture
def directive(people, city):
    item = services.item_create(
        actor=people["officer"],
        kind="mayor",
        number="D-115-001",
        title="市區停車格檢討",
        lead=city["pw"],
        due_date=dt.date(2026, 12, 31),
    )
    item.created_at = CREATED
    item.save(update_fields=["created_at"])
    return item


def file(item, actor, year, month, planned, actual, *, now=None, **extra):
    """File a report; `planned` is set in the item's baseline for that month first."""
    data = {"work_done": "施工中", **extra}
    if planned is not None:
        plan(item, year, month, planned, data.pop("money_planned", None))
        data.update(actual=actual)
    if actual is not None and planned is not None and Decimal(actual) < Decimal(planned):
        data.setdefault("lag_reason", "雨天停工")
        data.setdefault("lag_categories", ["weather"])
    if actual is not None and planned is not None and Decimal(planned) - Decimal(actual) >= 10:
        data.setdefault("countermeasures", "增派人力趕工")
    return reporting.report_file(
        actor=actor, item=item, year=year, month=month, now=now or NOW, **data
    )
