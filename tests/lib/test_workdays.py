"""Working days: weekends, Taiwan's public holidays, and overrides (explicit or from the DB)."""

import datetime as dt

import pytest

from guankao.core import calendar
from guankao.core.errors import NotAllowed
from guankao.lib.workdays import (
    add_working_days,
    holiday_name,
    is_working_day,
    rule_is_working_day,
    working_days_between,
)

D = dt.date
NONE: dict = {}  # explicit "no overrides": the rule alone, without asking the database

# 2026: Lunar New Year off Mon 16 – Fri 20 February; Peace Memorial Day (Sat 28 Feb)
# observed on Fri 27 Feb.
LUNAR_NEW_YEAR = [D(2026, 2, d) for d in range(16, 21)]
SATURDAY = D(2026, 3, 7)
TYPHOON_DAY = D(2026, 7, 8)  # a Wednesday
OVERRIDES = {SATURDAY: True, TYPHOON_DAY: False}


def test_it_counts_monday_to_friday_and_skips_weekends():
    friday = D(2026, 11, 27)
    assert add_working_days(friday, 1, NONE) == D(2026, 11, 30)
    assert add_working_days(friday, 5, NONE) == D(2026, 12, 4)
    assert add_working_days(D(2026, 11, 28), 1, NONE) == D(2026, 11, 30)  # from a Saturday
    assert add_working_days(D(2026, 11, 23), 4, NONE) == friday
    assert working_days_between(friday, D(2026, 12, 4), NONE) == 5
    assert not is_working_day(D(2026, 11, 28), NONE)
    assert not is_working_day(D(2026, 11, 29), NONE)


def test_it_skips_taiwan_public_holidays():
    for day in [*LUNAR_NEW_YEAR, D(2026, 2, 27), D(2026, 1, 1), D(2026, 10, 9)]:
        assert not rule_is_working_day(day), day
        assert not is_working_day(day, NONE), day
    assert holiday_name(D(2026, 2, 17)) == "春節"
    assert holiday_name(D(2026, 2, 27), "en_US") == "Peace Memorial Day (observed)"
    assert holiday_name(D(2026, 2, 24)) is None
    # Friday before Lunar New Year + 1 working day = the Monday after it.
    assert add_working_days(D(2026, 2, 13), 1, NONE) == D(2026, 2, 23)
    assert add_working_days(D(2026, 2, 26), 1, NONE) == D(2026, 3, 2)
    assert working_days_between(D(2026, 2, 13), D(2026, 2, 23), NONE) == 1
    assert working_days_between(D(2026, 2, 1), D(2026, 2, 28), NONE) == 14
    # Across New Year's Day, into the next year's holidays.
    assert add_working_days(D(2025, 12, 31), 1, NONE) == D(2026, 1, 2)


def test_it_applies_overrides_passed_explicitly():
    friday = SATURDAY - dt.timedelta(days=1)
    assert is_working_day(SATURDAY, OVERRIDES)
    assert add_working_days(friday, 1, OVERRIDES) == SATURDAY
    assert add_working_days(friday, 1, NONE) == D(2026, 3, 9)
    assert not is_working_day(TYPHOON_DAY, OVERRIDES)
    assert add_working_days(D(2026, 7, 7), 1, OVERRIDES) == D(2026, 7, 9)
    assert working_days_between(D(2026, 7, 6), D(2026, 7, 10), OVERRIDES) == 3
    assert working_days_between(D(2026, 7, 6), D(2026, 7, 10), NONE) == 4
    # An override may also make a holiday a working day.
    assert is_working_day(D(2026, 2, 16), {D(2026, 2, 16): True})


def test_it_counts_back_with_negative_n():
    assert add_working_days(D(2026, 2, 23), -1, NONE) == D(2026, 2, 13)
    assert add_working_days(D(2026, 11, 30), -1, NONE) == D(2026, 11, 27)
    assert add_working_days(D(2026, 11, 29), -1, NONE) == D(2026, 11, 27)  # from a Sunday
    assert add_working_days(D(2026, 3, 9), -1, OVERRIDES) == SATURDAY
    assert working_days_between(D(2026, 2, 23), D(2026, 2, 13), NONE) == -1
    assert working_days_between(D(2026, 11, 29), D(2026, 11, 27), NONE) == -1


def test_it_gives_the_start_or_next_working_day_for_n_zero():
    assert add_working_days(D(2026, 11, 27), 0, NONE) == D(2026, 11, 27)
    assert add_working_days(D(2026, 11, 28), 0, NONE) == D(2026, 11, 30)
    assert add_working_days(D(2026, 2, 16), 0, NONE) == D(2026, 2, 23)
    assert add_working_days(SATURDAY, 0, OVERRIDES) == SATURDAY
    assert working_days_between(D(2026, 2, 16), D(2026, 2, 16), NONE) == 0


@pytest.mark.parametrize("overrides", [NONE, OVERRIDES], ids=["rule", "overrides"])
def test_it_makes_working_days_between_the_inverse_of_add_working_days(overrides):
    first = D(2026, 1, 1)
    starts = [first + dt.timedelta(days=i) for i in range(0, 230, 3)]
    for start in starts:
        for offset in range(-30, 31):
            end = start + dt.timedelta(days=offset)
            if not is_working_day(end, overrides):
                continue
            n = working_days_between(start, end, overrides)
            assert add_working_days(start, n, overrides) == end, (start, end, n)
            assert (n > 0) == (end > start) or end == start


def test_it_counts_working_days_monotonically():
    start = D(2026, 1, 1)
    previous = 0
    for offset in range(1, 120):
        end = start + dt.timedelta(days=offset)
        count = working_days_between(start, end, NONE)
        assert count - previous == int(is_working_day(end, NONE))
        previous = count


@pytest.fixture
def db_overrides(people):
    admin = people["admin"]
    calendar.override_set(actor=admin, date=SATURDAY, is_working_day=True, reason="補班")
    calendar.override_set(actor=admin, date=TYPHOON_DAY, is_working_day=False, reason="颱風停班")
    return admin


def test_it_reads_overrides_from_the_database(db_overrides):
    friday = SATURDAY - dt.timedelta(days=1)
    assert is_working_day(SATURDAY)
    assert add_working_days(friday, 1) == SATURDAY
    assert add_working_days(D(2026, 3, 9), -1) == SATURDAY
    assert not is_working_day(TYPHOON_DAY)
    assert add_working_days(D(2026, 7, 7), 1) == D(2026, 7, 9)
    assert working_days_between(D(2026, 7, 6), D(2026, 7, 10)) == 3
    # Explicit overrides replace the database's: the rule alone here.
    assert not is_working_day(SATURDAY, NONE)
    assert is_working_day(TYPHOON_DAY, NONE)


def test_it_follows_database_overrides_as_they_change(db_overrides):
    assert is_working_day(SATURDAY)
    calendar.override_delete(actor=db_overrides, date=SATURDAY)
    assert not is_working_day(SATURDAY)
    calendar.override_set(
        actor=db_overrides, date=TYPHOON_DAY, is_working_day=True, reason="颱風取消"
    )
    assert is_working_day(TYPHOON_DAY)


def test_it_reads_each_years_database_overrides_across_a_year_end(people):
    admin = people["admin"]
    calendar.override_set(actor=admin, date=D(2026, 12, 31), is_working_day=False, reason="颱風")
    calendar.override_set(actor=admin, date=D(2027, 1, 2), is_working_day=True, reason="補班")
    assert add_working_days(D(2026, 12, 30), 1) == D(2027, 1, 2)
    assert working_days_between(D(2026, 12, 30), D(2027, 1, 4)) == 2
    assert add_working_days(D(2027, 1, 4), -2) == D(2026, 12, 30)


def test_it_keeps_the_inverse_property_with_database_overrides(db_overrides):
    for start in [D(2026, 3, 1) + dt.timedelta(days=i) for i in range(0, 14, 2)]:
        for offset in range(-12, 13):
            end = start + dt.timedelta(days=offset)
            if is_working_day(end):
                assert add_working_days(start, working_days_between(start, end)) == end


def test_it_lets_only_administrators_set_overrides(people):
    for persona in ("liaison", "head", "officer", "executive"):
        with pytest.raises(NotAllowed):
            calendar.override_set(
                actor=people[persona], date=SATURDAY, is_working_day=True, reason="補班"
            )
    assert is_working_day(SATURDAY) is False
