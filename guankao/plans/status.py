"""A KPI's status for a year: met / not met after the year, on track / at risk / off track
during it, no data without measurements. Pure functions over one KPI's aggregates.

During the year a higher-is-better KPI whose value grows through the year (trainees, a
share trained so far) is compared with its expected path, linear or stepped by quarter,
up to the periods reported or elapsed; with a flat path (completion rates, sites
monitored) the value is compared with the target itself. A lower-is-better count
(≦3 incidents) is on track while at or under the target and off track once over it, in
January too: it can only grow. A value exactly on target is met.

Periods count honestly: a result says which periods were due (over on the as-of date),
how many of them have an approved value and which are missing. After the year, missing
periods that the accumulation needs leave the year "incomplete" rather than met: every
period for sums and rates, the last period for point values. A result that no missing
period can change stands: a higher-is-better sum already met, a lower-is-better sum
already over its target.
"""

from dataclasses import dataclass
from decimal import Decimal

from guankao.lib.targets import Target

MET, NOT_MET = "met", "not_met"
ON_TRACK, AT_RISK, OFF_TRACK = "on_track", "at_risk", "off_track"
NO_DATA, NO_TARGET, INCOMPLETE = "no_data", "no_target", "incomplete"
ALL = (MET, NOT_MET, INCOMPLETE, ON_TRACK, AT_RISK, OFF_TRACK, NO_DATA, NO_TARGET)


@dataclass(frozen=True)
class Aggregate:
    """What the scorecard query returns for one KPI-year (approved, counted values)."""

    count: int = 0
    total: Decimal | None = None
    last_value: Decimal | None = None
    last_period: int | None = None
    numerators: Decimal | None = None
    denominators: Decimal | None = None
    mask: int = 0  # bit p-1 set: period p has an approved value


@dataclass(frozen=True)
class Rule:
    accumulation: str  # sum | last | ratio
    per_year: int
    path: str  # linear | stepped
    on_track_from: Decimal
    at_risk_from: Decimal


@dataclass(frozen=True)
class Result:
    status: str
    actual: Decimal | None
    expected: Decimal | None
    periods: int  # periods the value covers (1..per_year)
    due: int = 0  # periods over on the as-of date
    missing: tuple[int, ...] = ()  # periods due without an approved value

    @property
    def reported(self) -> int:
        return self.due - len(self.missing)


def missing_periods(mask: int, due: int) -> tuple[int, ...]:
    return tuple(p for p in range(1, due + 1) if not mask >> (p - 1) & 1)


def needs_missing(rule: Rule, missing: tuple[int, ...]) -> bool:
    """Whether the year's value depends on a missing period: a point value needs only the
    last period, sums and rates need them all."""
    if not missing:
        return False
    if rule.accumulation == "last":
        return rule.per_year in missing
    return True


def actual_value(rule: Rule, agg: Aggregate) -> Decimal | None:
    if not agg.count:
        return None
    if rule.accumulation == "sum":
        return agg.total
    if rule.accumulation == "ratio" and agg.denominators:
        return (agg.numerators or 0) * 100 / agg.denominators
    return agg.last_value


def _expected_share(rule: Rule, periods: int) -> Decimal:
    if rule.path == "stepped":
        quarters = (periods * 4) // rule.per_year
        return Decimal(quarters) / 4
    return Decimal(periods) / rule.per_year


def _grade(rule: Rule, share: Decimal | None) -> str:
    if share is None:
        return ON_TRACK
    if share >= rule.on_track_from:
        return ON_TRACK
    if share >= rule.at_risk_from:
        return AT_RISK
    return OFF_TRACK


def evaluate(rule: Rule, target: Target | None, agg: Aggregate, elapsed: int) -> Result:
    """`elapsed`: periods of the year already over on the as-of date (0..per_year)."""
    result = _evaluate(rule, target, agg, elapsed)
    due = min(elapsed, rule.per_year)
    return Result(
        result.status,
        result.actual,
        result.expected,
        result.periods,
        due,
        missing_periods(agg.mask, due),
    )


def _year_over(rule: Rule, target: Target, agg: Aggregate, actual: Decimal) -> str:
    met = target.is_met(actual)
    if needs_missing(rule, missing_periods(agg.mask, rule.per_year)):
        # Values are never negative, so a sum can only grow with the missing periods.
        decided = rule.accumulation == "sum" and met == (target.direction == "higher")
        if not decided:
            return INCOMPLETE
    return MET if met else NOT_MET


def _evaluate(rule: Rule, target: Target | None, agg: Aggregate, elapsed: int) -> Result:
    actual = actual_value(rule, agg)
    periods = max(elapsed, agg.last_period or 0)
    if actual is None:
        return Result(NO_DATA, None, None, 0)
    if target is None:
        return Result(NO_TARGET, actual, None, periods)
    if elapsed >= rule.per_year:
        return Result(_year_over(rule, target, agg, actual), actual, None, rule.per_year)
    if target.is_met(actual):
        return Result(ON_TRACK, actual, None, periods)
    if target.direction == "lower":
        if rule.accumulation == "sum":  # a count that only grows: over the target is lost
            return Result(OFF_TRACK, actual, None, periods)
        return Result(_grade(rule, target.progress(actual)), actual, None, periods)
    if target.direction == "higher" and rule.path != "flat":
        expected = target.low * _expected_share(rule, periods)
        if expected <= 0:
            return Result(ON_TRACK, actual, expected, periods)
        return Result(_grade(rule, actual / expected), actual, expected, periods)
    return Result(_grade(rule, target.progress(actual)), actual, None, periods)


def elapsed_periods(
    year: int, per_year: int, as_of_year: int, as_of_month: int, month_over: bool
) -> int:
    """Periods of `year` over on a date in as_of_year/as_of_month (month_over: last day passed)."""
    if as_of_year > year:
        return per_year
    if as_of_year < year:
        return 0
    months = as_of_month if month_over else as_of_month - 1
    return months * per_year // 12
