"""The status engine over direction × accumulation × period (pure functions, no database)."""

from decimal import Decimal

import pytest

from guankao.lib.targets import parse_target
from guankao.plans import status as st
from guankao.plans.status import Aggregate, Rule, elapsed_periods, evaluate

D = Decimal
ON_TRACK_FROM, AT_RISK_FROM = D("0.90"), D("0.75")  # the defaults (ServiceNow's)


def rule(
    accumulation="last", per_year=12, path="flat", on_track=ON_TRACK_FROM, at_risk=AT_RISK_FROM
):
    return Rule(accumulation, per_year, path, on_track, at_risk)


def sums(*values):
    """The aggregate of monthly values 1..n of a summed KPI."""
    values = [D(v) for v in values]
    return Aggregate(
        count=len(values),
        total=sum(values),
        last_value=values[-1],
        last_period=len(values),
        mask=(1 << len(values)) - 1,
    )


def last(value, period):
    return Aggregate(
        count=period, total=None, last_value=D(value), last_period=period, mask=(1 << period) - 1
    )


def ratios(*pairs):
    return Aggregate(
        count=len(pairs),
        total=sum(D(n) * 100 / D(d) for n, d in pairs),
        last_value=D(pairs[-1][0]) * 100 / D(pairs[-1][1]),
        last_period=len(pairs),
        numerators=sum(D(n) for n, _ in pairs),
        denominators=sum(D(d) for _, d in pairs),
        mask=(1 << len(pairs)) - 1,
    )


# Exactly on target, no data, no target ------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "direction", "accumulation", "agg"),
    [
        ("≧80%", "higher", "last", last(80, 12)),
        ("100%", "higher", "last", last(100, 12)),
        ("≦3", "lower", "sum", sums(*[0] * 9, 1, 1, 1)),
        ("≧4000", "higher", "sum", sums(*[333] * 11, 337)),
        ("80%~90%", "range", "last", last(80, 12)),
        ("80%~90%", "range", "last", last(90, 12)),
        ("=100%", "range", "last", last(100, 12)),
    ],
)
def test_it_calls_a_value_exactly_on_target_met(text, direction, accumulation, agg):
    target = parse_target(text, direction)
    result = evaluate(rule(accumulation), target, agg, elapsed=12)
    assert result.status == st.MET
    assert result.periods == 12


def test_it_calls_a_quarterly_rate_exactly_on_target_met():
    agg = ratios((9, 9), (10, 10), (8, 8), (9, 9))
    result = evaluate(rule("ratio", per_year=4), parse_target("100%"), agg, elapsed=4)
    assert (result.status, result.due, result.reported, result.missing) == (st.MET, 4, 4, ())


@pytest.mark.parametrize(
    ("text", "accumulation", "agg"),
    [("≧80%", "last", last("79.9999", 12)), ("≦3", "sum", sums(1, 1, 1, 1))],
)
def test_it_calls_a_value_just_off_target_not_met(text, accumulation, agg):
    result = evaluate(rule(accumulation), parse_target(text), agg, elapsed=12)
    assert result.status == st.NOT_MET


@pytest.mark.parametrize("elapsed", [0, 1, 6, 12])
@pytest.mark.parametrize("accumulation", ["sum", "last", "ratio"])
def test_it_says_no_data_without_measurements_never_red_or_green(accumulation, elapsed):
    result = evaluate(rule(accumulation), parse_target("≧80%"), Aggregate(), elapsed)
    assert (result.status, result.actual, result.expected) == (st.NO_DATA, None, None)
    assert result.missing == tuple(range(1, elapsed + 1))


def test_it_says_no_target_when_the_year_has_none():
    result = evaluate(rule(), None, last(50, 3), elapsed=3)
    assert (result.status, result.actual) == (st.NO_TARGET, D(50))


# Lower is better: a count that can only grow ----------------------------------------------


@pytest.mark.parametrize("elapsed", [0, 1, 6, 11])
@pytest.mark.parametrize("incidents", [0, 1, 2, 3])
def test_it_keeps_a_lower_count_on_track_while_within_target(incidents, elapsed):
    agg = sums(*[0] * max(elapsed - 1, 0), incidents)
    result = evaluate(rule("sum"), parse_target("≦3", "lower"), agg, elapsed)
    assert result.status == st.ON_TRACK
    assert result.actual == incidents


@pytest.mark.parametrize("elapsed", [0, 1, 6, 11])
def test_it_puts_a_lower_count_off_track_once_over_target_january_too(elapsed):
    agg = sums(*[0] * max(elapsed - 1, 0), 4)
    result = evaluate(rule("sum"), parse_target("≦3", "lower"), agg, elapsed)
    assert result.status == st.OFF_TRACK


def test_it_marks_a_lower_count_at_year_end_met_at_3_not_met_at_4():
    target = parse_target("≦3", "lower")
    assert evaluate(rule("sum"), target, sums(1, 0, 2, *[0] * 9), 12).status == st.MET
    assert evaluate(rule("sum"), target, sums(1, 0, 2, 1, *[0] * 8), 12).status == st.NOT_MET


def test_it_grades_a_lower_point_value_by_how_far_over_it_is():
    target = parse_target("≦4", "lower")
    # 4/4.4 = 0.91 on track, 4/5 = 0.8 at risk, 4/6 = 0.67 off track
    assert evaluate(rule("last"), target, last("4.4", 3), 3).status == st.ON_TRACK
    assert evaluate(rule("last"), target, last(5, 3), 3).status == st.AT_RISK
    assert evaluate(rule("last"), target, last(6, 3), 3).status == st.OFF_TRACK


# Higher, cumulative: compared with the expected path --------------------------------------


@pytest.mark.parametrize(
    ("total", "status"),
    [
        (2000, st.ON_TRACK),  # exactly on the path
        (1800, st.ON_TRACK),  # 90% of expected
        (1799, st.AT_RISK),
        (1500, st.AT_RISK),  # 75%
        (1499, st.OFF_TRACK),
        (0, st.OFF_TRACK),
        (4000, st.ON_TRACK),  # the whole year's target reached early
    ],
)
def test_it_grades_a_higher_cumulative_kpi_on_a_linear_path(total, status):
    agg = sums(*[0] * 5, total)
    result = evaluate(rule("sum", path="linear"), parse_target("≧4000"), agg, elapsed=6)
    assert result.status == status
    assert result.periods == 6
    if status != st.ON_TRACK or total < 4000:
        assert result.expected == 2000


@pytest.mark.parametrize(
    ("elapsed", "total", "status", "expected"),
    [
        (2, 0, st.ON_TRACK, D(0)),  # no quarter over yet: nothing expected
        (3, 1000, st.ON_TRACK, D(1000)),
        (3, 740, st.OFF_TRACK, D(1000)),
        (5, 900, st.ON_TRACK, D(1000)),  # still the first step in May
        (6, 1600, st.AT_RISK, D(2000)),
        (9, 2700, st.ON_TRACK, D(3000)),
    ],
)
def test_it_grades_a_higher_cumulative_kpi_on_a_stepped_path(elapsed, total, status, expected):
    agg = sums(*[0] * (elapsed - 1), total)
    result = evaluate(rule("sum", path="stepped"), parse_target("≧4000"), agg, elapsed)
    assert (result.status, result.expected) == (status, expected)


def test_it_uses_thresholds_set_on_the_kpi():
    agg = sums(*[0] * 5, 1700)  # 85% of the 2000 expected by June
    target = parse_target("≧4000")
    assert evaluate(rule("sum", path="linear"), target, agg, 6).status == st.AT_RISK
    lenient = rule("sum", path="linear", on_track=D("0.80"), at_risk=D("0.50"))
    assert evaluate(lenient, target, agg, 6).status == st.ON_TRACK
    strict = rule("sum", path="linear", on_track=D("0.95"), at_risk=D("0.90"))
    assert evaluate(strict, target, agg, 6).status == st.OFF_TRACK


def test_it_counts_periods_reported_ahead_of_the_calendar():
    # July's value is in on 30 June: the path is measured to July.
    agg = sums(*[100] * 7)
    result = evaluate(rule("sum", path="linear"), parse_target("≧1200"), agg, elapsed=6)
    assert (result.periods, result.expected, result.status) == (7, D(700), st.ON_TRACK)


# Flat paths: rates and counts in place ----------------------------------------------------


@pytest.mark.parametrize(
    ("value", "status"),
    [(100, st.ON_TRACK), (80, st.ON_TRACK), (72, st.ON_TRACK), (71, st.AT_RISK), (60, st.AT_RISK)]
    + [(59, st.OFF_TRACK), (0, st.OFF_TRACK)],
)
def test_it_grades_a_flat_rate_against_the_target_itself(value, status):
    result = evaluate(rule("last"), parse_target("≧80%"), last(value, 4), elapsed=4)
    assert result.status == status
    assert result.expected is None


def test_it_grades_a_point_value_on_a_linear_path_by_the_latest_period():
    # ≧80% trained by year end, quarterly; 30% at mid-year is 75% of the 40% expected.
    r = rule("last", per_year=4, path="linear")
    assert evaluate(r, parse_target("≧80%"), last(30, 2), elapsed=2).status == st.AT_RISK
    assert evaluate(r, parse_target("≧80%"), last(36, 2), elapsed=2).status == st.ON_TRACK
    assert evaluate(r, parse_target("≧80%"), last(82, 4), elapsed=4).status == st.MET


# Ratio accumulation: a ratio of sums, not an average of ratios ----------------------------


def test_it_takes_a_rate_as_the_sum_of_numerators_over_the_sum_of_denominators():
    agg = ratios((1, 1), (0, 3), (0, 2), (0, 2))  # averaging the quarters would say 25%
    result = evaluate(rule("ratio", per_year=4), parse_target("100%"), agg, elapsed=4)
    assert result.actual == 1 * D(100) / 8
    assert result.status == st.NOT_MET


def test_it_meets_a_ratio_exactly_on_target():
    agg = ratios((9, 9), (10, 10), (8, 9), (9, 9))
    result = evaluate(rule("ratio", per_year=4), parse_target("100%"), agg, elapsed=4)
    assert result.status == st.NOT_MET
    assert result.actual.quantize(D("0.01")) == D("97.30")
    agg = ratios((9, 9), (10, 10), (9, 9), (9, 9))
    assert evaluate(rule("ratio", per_year=4), parse_target("100%"), agg, 4).status == st.MET


# Ranges ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "during", "year_end"),
    [
        (85, st.ON_TRACK, st.MET),
        (80, st.ON_TRACK, st.MET),
        (90, st.ON_TRACK, st.MET),
        (75, st.ON_TRACK, st.NOT_MET),  # 75/80 = 0.94
        (65, st.AT_RISK, st.NOT_MET),  # 65/80 = 0.81
        (100, st.ON_TRACK, st.NOT_MET),  # 90/100 = 0.9, the on-track threshold
        (110, st.AT_RISK, st.NOT_MET),  # 90/110 = 0.82
        (130, st.OFF_TRACK, st.NOT_MET),  # 90/130 = 0.69
    ],
)
def test_it_grades_a_range_from_its_nearest_bound(value, during, year_end):
    target = parse_target("80%~90%", "range")
    r = rule("last", per_year=4)
    assert evaluate(r, target, last(value, 2), elapsed=2).status == during
    assert evaluate(r, target, last(value, 4), elapsed=4).status == year_end


# The year: over, or how far ----------------------------------------------------------------


def test_it_decides_met_or_not_met_once_the_year_is_over_whatever_the_path():
    target = parse_target("≧4000")
    for path in ("flat", "linear", "stepped"):
        r = rule("sum", path=path)
        assert evaluate(r, target, sums(*[330] * 12), elapsed=12).status == st.NOT_MET
        assert evaluate(r, target, sums(*[330] * 12), elapsed=12).periods == 12
        assert evaluate(r, target, sums(*[390] * 10), elapsed=10).status == st.ON_TRACK
        assert evaluate(r, target, sums(*[390] * 10), elapsed=12).expected is None


@pytest.mark.parametrize(
    ("per_year", "month", "over", "expected"),
    [
        (12, 1, False, 0),
        (12, 1, True, 1),
        (12, 6, False, 5),
        (12, 6, True, 6),
        (12, 12, True, 12),
        (4, 1, True, 0),
        (4, 3, False, 0),
        (4, 3, True, 1),
        (4, 6, False, 1),
        (4, 6, True, 2),
        (4, 12, False, 3),
        (4, 12, True, 4),
        (1, 6, True, 0),
        (1, 12, False, 0),
        (1, 12, True, 1),
    ],
)
def test_it_counts_elapsed_periods_on_month_ends_and_mid_month(per_year, month, over, expected):
    assert elapsed_periods(2026, per_year, 2026, month, over) == expected


@pytest.mark.parametrize("per_year", [1, 4, 12])
def test_it_counts_a_past_year_whole_and_a_future_year_empty(per_year):
    assert elapsed_periods(2025, per_year, 2026, 1, False) == per_year
    assert elapsed_periods(2027, per_year, 2026, 12, True) == 0


@pytest.mark.parametrize("accumulation", ["sum", "last"])
@pytest.mark.parametrize("elapsed", [1, 6, 12])
def test_it_never_shows_a_value_under_a_lower_target_as_red(accumulation, elapsed):
    # The complaint DOMAIN.md quotes: "≤150" shown red at 119.
    agg = sums(*[0] * (elapsed - 1), 119) if accumulation == "sum" else last(119, elapsed)
    result = evaluate(rule(accumulation), parse_target("≤150", "lower"), agg, elapsed)
    assert result.status == (st.MET if elapsed == 12 else st.ON_TRACK)


# Periods due, reported and missing ----------------------------------------------------------


def quarters(*values_by_quarter):
    """Quarterly point values; None leaves a quarter unreported."""
    mask = sum(1 << i for i, v in enumerate(values_by_quarter) if v is not None)
    reported = [(i + 1, D(v)) for i, v in enumerate(values_by_quarter) if v is not None]
    return Aggregate(
        count=len(reported),
        total=sum(v for _, v in reported),
        last_value=reported[-1][1],
        last_period=reported[-1][0],
        mask=mask,
    )


def test_it_names_the_missing_quarters_of_a_year_with_only_q3():
    # The seen defect: 「達成 · 4／4 期」 when only Q3 was reported.
    result = evaluate(
        rule("sum", per_year=4), parse_target("≧3"), quarters(None, None, 5, None), elapsed=4
    )
    assert (result.due, result.reported, result.missing) == (4, 1, (1, 2, 4))
    assert result.status == st.MET  # a sum already over a higher target: nothing can undo it
    result = evaluate(
        rule("ratio", per_year=4),
        parse_target("≧80%"),
        Aggregate(count=1, numerators=D(9), denominators=D(10), last_period=3, mask=0b100),
        elapsed=4,
    )
    assert (result.status, result.missing) == (st.INCOMPLETE, (1, 2, 4))


@pytest.mark.parametrize(
    ("values", "status"),
    [
        ((None, None, 90, 95), st.MET),  # a point value: the last quarter decides
        ((90, 90, 90, None), st.INCOMPLETE),  # without the last quarter, the year is open
        ((None, None, None, 70), st.NOT_MET),
    ],
)
def test_it_needs_only_the_last_period_of_a_point_value(values, status):
    result = evaluate(rule("last", per_year=4), parse_target("≧80%"), quarters(*values), 4)
    assert result.status == status


def test_it_keeps_a_lower_sum_not_met_once_over_whatever_is_missing():
    target = parse_target("≦3", "lower")
    agg = quarters(2, None, 3, None)
    assert evaluate(rule("sum", per_year=4), target, agg, 4).status == st.NOT_MET
    assert evaluate(rule("sum", per_year=4), target, quarters(1, None, 1, 1), 4).status == (
        st.INCOMPLETE
    )


def test_it_counts_only_periods_due_during_the_year():
    result = evaluate(rule("last", per_year=4), parse_target("≧80%"), quarters(85), elapsed=2)
    assert (result.due, result.reported, result.missing) == (2, 1, (2,))
    assert result.status == st.ON_TRACK
