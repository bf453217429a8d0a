"""Working days: weekends and Taiwan's public holidays off, with overrides.

Every working-day deadline in Guankao goes through `add_working_days` and its
inverse `working_days_between`. Overrides (補班 make-up workdays, typhoon
closures, the official office calendar) come from a provider that `core`
registers at start-up, so this module stays free of models. The provider is
asked once per calendar year that a call touches.
"""

import datetime as dt
from collections.abc import Callable, Mapping
from functools import lru_cache

import holidays

# A year's overrides: date -> True (a working day) or False (a day off).
Overrides = Mapping[dt.date, bool]
_provider: Callable[[int], Overrides] | None = None
ONE_DAY = dt.timedelta(days=1)


def set_override_provider(provider: Callable[[int], Overrides] | None) -> None:
    global _provider
    _provider = provider


class _Lookup:
    """Overrides fetched lazily, one year at a time, for the span of one call."""

    def __init__(self, overrides: Overrides | None):
        self._fixed = overrides
        self._years: dict[int, Overrides] = {}

    def get(self, day: dt.date) -> bool | None:
        if self._fixed is not None:
            return self._fixed.get(day)
        year = self._years.get(day.year)
        if year is None:
            year = self._years[day.year] = dict(_provider(day.year)) if _provider else {}
        return year.get(day)

    def working(self, day: dt.date) -> bool:
        override = self.get(day)
        return rule_is_working_day(day) if override is None else override


@lru_cache(maxsize=128)
def _public_holidays(year: int) -> frozenset[dt.date]:
    return frozenset(holidays.country_holidays("TW", years=year))


def holiday_name(day: dt.date, language: str = "zh_TW") -> str | None:
    return holidays.country_holidays("TW", years=day.year, language=language).get(day)


def rule_is_working_day(day: dt.date) -> bool:
    """The rule without overrides: Monday to Friday and not a public holiday."""
    return day.weekday() < 5 and day not in _public_holidays(day.year)


def is_working_day(day: dt.date, overrides: Overrides | None = None) -> bool:
    return _Lookup(overrides).working(day)


def add_working_days(start: dt.date, n: int, overrides: Overrides | None = None) -> dt.date:
    """The n-th working day after `start` (start itself not counted); n < 0 counts back.

    n == 0 gives `start` if it is a working day, else the next working day.
    """
    lookup = _Lookup(overrides)
    day = start
    if n == 0:
        while not lookup.working(day):
            day += ONE_DAY
        return day
    step = ONE_DAY if n > 0 else -ONE_DAY
    remaining = abs(n)
    while remaining:
        day += step
        if lookup.working(day):
            remaining -= 1
    return day


def working_days_between(start: dt.date, end: dt.date, overrides: Overrides | None = None) -> int:
    """Working days in (start, end]; when end is before start, minus those in [end, start).

    The inverse of add_working_days: add_working_days(s, working_days_between(s, e)) == e
    for every working day e, before or after s. Counting back, add_working_days steps
    over the days before s, so s itself never counts and e does; hence the half-open
    interval is mirrored rather than the sign simply flipped.
    """
    lookup = _Lookup(overrides)
    count = 0
    if end < start:
        day = end
        while day < start:
            count -= lookup.working(day)
            day += ONE_DAY
        return count
    day = start
    while day < end:
        day += ONE_DAY
        count += lookup.working(day)
    return count
