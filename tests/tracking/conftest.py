"""Controlled cases built through the services: a PW public work and a mayor's directive.

Dates are fixed: "now" is 2026-11-12 (Thursday) unless a test says otherwise; the
October report is due 2026-11-05 (Thursday, the 5th).
"""

import datetime as dt

import pytest
from django.utils import timezone

from guankao.tracking import reporting, services

NOW = timezone.make_aware(dt.datetime(2026, 11, 12, 10, 0))
CREATED = timezone.make_aware(dt.datetime(2026, 1, 5, 9, 0))


def at(year, month, day, hour=10):
    return timezone.make_aware(dt.datetime(year, month, day, hour, 0))


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
    return item


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
    data = {"work_done": "施工中", **extra}
    if planned is not None:
        data.update(planned=planned, actual=actual)
    if actual is not None and planned is not None and actual < planned:
        data.setdefault("lag_reason", "雨天停工")
    return reporting.report_file(
        actor=actor, item=item, year=year, month=month, now=now or NOW, **data
    )
