"""The petition clock over the calendar (weekends, holidays, typhoon days off)."""

import datetime as dt

import pytest

from guankao.core.models import CalendarOverride
from guankao.petitions.deadlines import (
    TAIPEI,
    Clock,
    field_due,
    latest_due,
    may_extend_to,
    reply_due,
    reroute_deadline,
)

pytestmark = pytest.mark.django_db
D = dt.date
CLOCK = Clock()
FRIDAY = D(2026, 12, 4)


def test_it_counts_six_working_days_from_the_working_day_after_receipt():
    assert reply_due(FRIDAY, CLOCK) == D(2026, 12, 14)  # Mon 7 is day 1, Mon 14 day 6
    assert reply_due(D(2026, 12, 5), CLOCK) == D(2026, 12, 14)  # received on a Saturday


def test_it_gives_several_departments_ten_working_days():
    assert reply_due(FRIDAY, CLOCK, shared=True) == D(2026, 12, 18)


def test_it_skips_a_typhoon_day_off():
    CalendarOverride.objects.create(date=D(2026, 12, 9), is_working_day=False, reason="颱風停班")
    assert reply_due(FRIDAY, CLOCK) == D(2026, 12, 15)


def test_it_keeps_a_transferring_senders_earlier_deadline():
    assert reply_due(FRIDAY, CLOCK, source_due=D(2026, 12, 10)) == D(2026, 12, 10)
    assert reply_due(FRIDAY, CLOCK, source_due=D(2026, 12, 30)) == D(2026, 12, 14)


def test_it_takes_a_categorys_own_limit_and_never_passes_thirty_days():
    assert reply_due(FRIDAY, CLOCK, category_workdays=2) == D(2026, 12, 8)
    assert reply_due(FRIDAY, CLOCK, category_workdays=40) == latest_due(FRIDAY, CLOCK)
    assert latest_due(FRIDAY, CLOCK) == D(2027, 1, 3)


def test_it_allows_re_routing_by_the_next_working_day_or_two_after_a_site_visit():
    assert reroute_deadline(FRIDAY, CLOCK) == D(2026, 12, 7)
    assert reroute_deadline(FRIDAY, CLOCK, site_visit=True) == D(2026, 12, 8)


def test_it_sets_field_work_in_wall_clock_hours_or_working_days():
    received = dt.datetime(2026, 12, 4, 17, 30, tzinfo=TAIPEI)
    assert field_due(received, 24, "hours") == dt.datetime(2026, 12, 5, 17, 30, tzinfo=TAIPEI)
    assert field_due(received, 2, "workdays") == dt.datetime(2026, 12, 8, 23, 59, 59, tzinfo=TAIPEI)
    assert field_due(received, None, "") is None


def test_it_refuses_an_extension_that_is_not_later_or_passes_the_cap():
    due = D(2026, 12, 14)
    assert may_extend_to(FRIDAY, due, D(2026, 12, 14), CLOCK) == "not_later"
    assert may_extend_to(FRIDAY, due, D(2027, 1, 4), CLOCK) == "over_cap"
    assert may_extend_to(FRIDAY, due, D(2027, 1, 3), CLOCK) == ""
