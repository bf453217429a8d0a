"""Lag in a monthly report and a controlled case's finish forecast, on constructed histories."""

import dataclasses
import datetime as dt
import math
import random
from decimal import Decimal

import pytest
from django.utils import translation

from guankao.lib.progress import (
    FINISHED,
    INSUFFICIENT,
    LINEAR,
    S_CURVE,
    ProgressError,
    ProgressTypeError,
    classify_lag,
    forecast_finish,
)


@pytest.fixture(autouse=True)
def _english():
    """The messages are checked in English; the zh-Hant catalogue translates them."""
    with translation.override("en"):
        yield


D = Decimal
START = dt.date(2025, 1, 31)
DURATION = 730  # days from start to the planned finish
PLANNED = START + dt.timedelta(days=DURATION)  # 2027-01-31


def month_end(i: int) -> dt.date:
    """The last day of the i-th month after START's month (0 = January 2025)."""
    year, month = divmod(START.month - 1 + i + 1, 12)
    return dt.date(START.year + year, month + 1, 1) - dt.timedelta(days=1)


def planned_curve(months: int, delay: int = 0) -> list[tuple[dt.date, Decimal]]:
    """Monthly reports on a logistic running from 1% at START to 99% at PLANNED, shifted
    `delay` days later: the same S-curve the forecast assumes, so its answer is known."""
    k = 2 * math.log(99) / DURATION
    points = []
    for i in range(months):
        day = month_end(i)
        p = 100 / (1 + math.exp(-k * ((day - START).days - delay - DURATION / 2)))
        points.append((day, D(f"{p:.1f}")))
    return points


def forecast(history, today=None, **kwargs):
    today = today or history[-1][0] + dt.timedelta(days=5)  # reports are due by the 5th
    return forecast_finish(history, PLANNED, today, **kwargs)


# Lag -------------------------------------------------------------------------------------


def test_it_is_not_behind_exactly_on_plan():
    lag = classify_lag(D(50), D(50))
    assert (lag.behind, lag.seriously_behind, lag.needs_lag_reason) == (False, False, False)
    assert lag.gap == 0


@pytest.mark.parametrize(
    ("actual", "serious"), [("40.01", False), ("40", True), ("39.99", True)], ids=str
)
def test_it_is_seriously_behind_from_a_gap_of_exactly_ten_points(actual, serious):
    lag = classify_lag(D(50), D(actual))
    assert lag.behind and lag.needs_lag_reason
    assert lag.seriously_behind is serious
    assert lag.gap == D(50) - D(actual)  # 9.99, 10, 10.01


def test_it_takes_the_citys_own_serious_gap():
    assert classify_lag(D(50), D(45), serious_gap=5).seriously_behind
    assert not classify_lag(D(50), D(45), serious_gap=D("5.01")).seriously_behind


def test_it_is_not_behind_when_ahead_of_plan_and_the_gap_is_negative():
    lag = classify_lag(D(30), D("42.5"))
    assert not (lag.behind or lag.seriously_behind or lag.needs_lag_reason)
    assert lag.gap == D("-12.5")


def test_it_is_never_behind_when_nothing_is_planned_yet():
    assert not classify_lag(0, 0).behind
    assert classify_lag(0, D(3)).gap == D(-3)


def test_it_needs_a_lag_reason_for_any_lag_however_small():
    lag = classify_lag(D("50.01"), D(50))
    assert lag.behind and lag.needs_lag_reason and not lag.seriously_behind


@pytest.mark.parametrize(
    ("spent", "behind", "ratio"),
    [(7_990_000, True, "0.799"), (8_000_000, False, "0.8"), (12_000_000, False, "1.2")],
)
def test_it_is_behind_on_money_under_80_percent_of_plan(spent, behind, ratio):
    lag = classify_lag(D(50), D(50), 10_000_000, spent)
    assert lag.money_behind is behind
    assert lag.spend_ratio == D(ratio)
    assert not lag.needs_lag_reason  # the 落後原因 follows progress, not money


def test_it_decides_money_lag_on_the_exact_amounts_not_a_rounded_ratio():
    # The share has 3 decimals (the rules keep it so); 2 of NT$3 is just under 66.7%.
    assert classify_lag(0, 0, 3, 2, money_share=D("0.667")).money_behind
    assert not classify_lag(0, 0, 1000, 667, money_share=D("0.667")).money_behind
    assert classify_lag(0, 0, 3_999_999, 3_199_999).money_behind  # 79.99998%
    assert not classify_lag(0, 0, 3_999_999, 3_200_000).money_behind


def test_it_takes_the_citys_own_money_share():
    assert classify_lag(0, 0, 100, 85, money_share=D("0.9")).money_behind


@pytest.mark.parametrize(("planned", "spent"), [(None, None), (None, 5), (0, 5), (100, None)])
def test_it_has_no_spend_ratio_without_money_planned_and_spent(planned, spent):
    lag = classify_lag(D(20), D(10), planned, spent)
    assert lag.spend_ratio is None and not lag.money_behind


def test_it_is_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        classify_lag(1, 1).behind = True


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"planned": D("100.01")},
            "planned progress must be a percentage from 0 to 100, not 100.01",
        ),
        ({"actual": D("-0.01")}, "actual progress must be a percentage from 0 to 100, not -0.01"),
        ({"actual": D("NaN")}, "actual progress must be a finite number, not NaN"),
        ({"money_planned": -1}, "money planned (NT$) cannot be negative, not -1"),
        ({"money_spent": -5}, "money spent (NT$) cannot be negative, not -5"),
        ({"serious_gap": 0}, "the serious lag gap must be above 0 and at most 100 points, not 0"),
        (
            {"money_share": 80},
            "the money share is a ratio above 0 and at most 1 (0.8 for 80%), not 80",
        ),
    ],
    ids=lambda value: str(value)[:30],
)
def test_it_refuses_figures_out_of_range(kwargs, message):
    arguments = {"planned": D(50), "actual": D(40), **kwargs}
    with pytest.raises(ProgressError) as error:
        classify_lag(**arguments)
    assert str(error.value) == message
    assert not isinstance(error.value, TypeError)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"planned": 50.0}, "planned progress must be a Decimal or a whole number, not float"),
        ({"actual": "40"}, "actual progress must be a Decimal or a whole number, not str"),
        ({"actual": True}, "actual progress must be a Decimal or a whole number, not bool"),
        ({"money_planned": 1e6}, "money planned (NT$) must be a whole number, not float"),
        ({"money_spent": D(5)}, "money spent (NT$) must be a whole number, not Decimal"),
        ({"money_share": 0.8}, "the money share must be a Decimal or a whole number, not float"),
    ],
    ids=lambda value: str(value)[:30],
)
def test_it_refuses_floats_and_other_types_with_a_value_error(kwargs, message):
    arguments = {"planned": D(50), "actual": D(40), **kwargs}
    with pytest.raises(ValueError) as error:
        classify_lag(**arguments)
    assert str(error.value) == message
    assert isinstance(error.value, ProgressTypeError) and isinstance(error.value, TypeError)


# Forecast: S-curve -----------------------------------------------------------------------


@pytest.mark.parametrize("months", [12, 18, 22], ids=["40%", "87%", "very late 97%"])
def test_it_forecasts_a_case_on_its_s_curve_on_time(months):
    result = forecast(planned_curve(months))
    assert result.method == S_CURVE
    assert abs(result.slip_days) <= 3
    assert not result.will_finish_late


@pytest.mark.parametrize("months", [12, 18, 22], ids=["24%", "76%", "very late 94%"])
def test_it_warns_of_a_late_finish_while_a_slipping_case_is_still_on_time(months):
    history = planned_curve(months, delay=60)  # two months behind the plan
    result = forecast(history)
    assert history[-1][0] < PLANNED
    assert (result.method, result.will_finish_late) == (S_CURVE, True)
    assert 57 <= result.slip_days <= 63
    assert result.forecast_finish == PLANNED + dt.timedelta(days=result.slip_days)


def test_it_explains_the_s_curve():
    result = forecast(planned_curve(18, delay=60))
    assert result.explanation == (
        "An S-curve fitted to 18 reports (0.5% to 75.6%) reaches 99% around 116/04/01, "
        "60 days after the planned finish."
    )
    assert result.pace == D("7.1")


def test_it_gives_a_tolerance_in_days_before_warning():
    history = planned_curve(18, delay=60)
    slip = forecast(history).slip_days
    assert forecast(history, tolerance_days=slip - 1).will_finish_late
    assert not forecast(history, tolerance_days=slip).will_finish_late


def test_it_sees_a_case_recovering_from_a_slip():
    slipped = planned_curve(12, delay=90)
    caught_up = slipped + planned_curve(15)[12:]  # three strong months back onto the plan
    assert forecast(slipped).will_finish_late
    result = forecast(caught_up)
    assert result.method == S_CURVE and not result.will_finish_late
    assert result.forecast_finish <= PLANNED


def test_it_fits_a_noisy_history_with_a_correction():
    rng = random.Random(4)
    noisy = [
        (day, (p * D(1 + rng.uniform(-0.05, 0.05))).quantize(D("0.1")))
        for day, p in planned_curve(18)
    ]
    noisy = [(day, min(p, D(99))) for day, p in noisy]
    noisy[14] = (noisy[14][0], noisy[13][1] - 2)  # a correction: lower than the month before
    result = forecast(noisy)
    assert result.method == S_CURVE
    assert abs(result.slip_days) <= 30


def test_it_takes_a_latest_correction_downwards_as_the_truth():
    history = planned_curve(18)  # ..., 75.4, 81.9, 86.9
    corrected = history + [(history[-1][0], D(80))]  # the last month restated, below the one before
    result = forecast(corrected)
    assert result.method == S_CURVE
    assert result.forecast_finish > forecast(history).forecast_finish


# Forecast: linear, stalls and too little data --------------------------------------------

STEADY = [  # three points a month, 30 days apart: four reports, too few for an S-curve
    (dt.date(2026, 1, 1), D(40)),
    (dt.date(2026, 1, 31), D(43)),
    (dt.date(2026, 3, 2), D(46)),
    (dt.date(2026, 4, 1), D(49)),
]


def test_it_falls_back_to_the_linear_pace_of_the_recent_reports():
    result = forecast_finish(STEADY, dt.date(2027, 6, 30), dt.date(2026, 4, 5))
    # 0.1 points a day: the last 51 points take 510 days from 2026-04-01.
    assert (result.method, result.forecast_finish) == (LINEAR, dt.date(2027, 8, 24))
    assert (result.slip_days, result.will_finish_late, result.pace) == (55, True, D("3.0"))
    assert result.explanation == (
        "At the pace of the last 4 reports (3.0 points a month), 100% is reached around "
        "116/08/24, 55 days after the planned finish."
    )


def test_it_says_how_early_a_linear_forecast_is():
    result = forecast_finish(STEADY, dt.date(2027, 9, 24), dt.date(2026, 4, 5))
    assert (result.slip_days, result.will_finish_late) == (-31, False)
    assert result.explanation.endswith("31 days before the planned finish.")
    one_day = forecast_finish(STEADY, dt.date(2027, 8, 23), dt.date(2026, 4, 5))
    assert one_day.explanation.endswith("1 day after the planned finish.")
    on_time = forecast_finish(STEADY, dt.date(2027, 8, 24), dt.date(2026, 4, 5))
    assert on_time.explanation.endswith("on the planned finish.")
    assert not on_time.will_finish_late


def test_it_uses_only_the_last_six_months_for_the_linear_pace():
    fast_then_slow = [(dt.date(2025, 1, 1), D(10)), (dt.date(2025, 4, 1), D(40))]
    fast_then_slow += [(dt.date(2026, m, 1), D(60 + m)) for m in (1, 3, 5, 7)]
    result = forecast_finish(fast_then_slow, dt.date(2027, 1, 1), dt.date(2026, 7, 5))
    assert result.method == LINEAR and result.explanation.startswith(
        "At the pace of the last 4 reports"
    )
    assert result.pace == D("1.0")  # not the 10 points a month of early 2025


def test_it_uses_the_last_three_reports_when_they_are_sparse():
    sparse = [
        (dt.date(2024, 1, 1), D(20)),
        (dt.date(2025, 1, 1), D(30)),
        (dt.date(2026, 1, 1), D(50)),
    ]
    result = forecast_finish(sparse, dt.date(2027, 1, 1), dt.date(2026, 1, 5))
    assert result.explanation.startswith("At the pace of the last 3 reports (1.2 points a month)")


@pytest.mark.parametrize(
    "values", [[40, 40, 40, 40], [40, 42, 41, 40, 39]], ids=["flat", "going backwards"]
)
def test_it_says_a_stalled_case_never_finishes(values):
    history = [(month_end(i), D(v)) for i, v in enumerate(values)]
    result = forecast_finish(history, dt.date(2030, 1, 1), month_end(len(values)))
    assert (result.method, result.forecast_finish, result.slip_days) == (LINEAR, None, None)
    assert result.will_finish_late
    assert "at this pace the work never finishes" in result.explanation


def test_it_calls_a_correction_below_the_report_two_months_back_a_stall():
    history = planned_curve(18)  # ..., 75.4, 81.9, 86.9
    corrected = history + [(history[-1][0] + dt.timedelta(days=1), D(75))]
    result = forecast(corrected)
    assert (result.method, result.forecast_finish, result.will_finish_late) == (LINEAR, None, True)
    assert result.explanation.startswith("Progress did not rise enough over the last 3 reports")


def test_it_lets_a_stall_override_the_s_curve():
    history = planned_curve(12)
    history += [(month_end(i), history[-1][1]) for i in (12, 13, 14)]  # three months stuck
    result = forecast(history)
    assert (result.method, result.forecast_finish, result.will_finish_late) == (LINEAR, None, True)


def test_it_calls_a_pace_needing_over_a_century_never():
    crawl = [(month_end(i), D(50) + D("0.0001") * i) for i in range(4)]
    result = forecast_finish(crawl, PLANNED, month_end(4))
    assert result.forecast_finish is None and result.will_finish_late


def test_it_does_not_forecast_before_today():
    history = [
        (dt.date(2026, 1, 1), D(80)),
        (dt.date(2026, 2, 1), D(90)),
        (dt.date(2026, 3, 1), D(98)),
    ]
    today = dt.date(2026, 6, 5)  # the pace reached 100% in March, but no report says so
    assert forecast_finish(history, dt.date(2026, 12, 31), today).forecast_finish == today


@pytest.mark.parametrize("months", [5, 6], ids=["very early 4%", "very early 6%"])
def test_it_does_not_forecast_very_early_in_the_curve(months):
    result = forecast(planned_curve(months))
    assert (result.method, result.forecast_finish, result.will_finish_late) == (
        INSUFFICIENT,
        None,
        False,
    )
    assert result.explanation.startswith("Too early to forecast:")


def test_it_warns_when_the_planned_finish_has_passed_without_a_forecast():
    history = planned_curve(5)
    result = forecast_finish(history, dt.date(2025, 5, 31), dt.date(2025, 6, 5))
    assert (result.method, result.will_finish_late) == (INSUFFICIENT, True)
    assert result.explanation.endswith("The planned finish (114/05/31) has passed.")
    assert not forecast_finish(
        history, dt.date(2025, 5, 31), dt.date(2025, 6, 5), tolerance_days=5
    ).will_finish_late


def test_it_needs_more_than_one_report():
    single = forecast_finish([(dt.date(2026, 3, 31), D(45))], PLANNED, dt.date(2026, 4, 5))
    assert (single.method, single.forecast_finish, single.slip_days) == (INSUFFICIENT, None, None)
    assert single.explanation == "One report is not enough to forecast the finish."
    assert forecast_finish([], PLANNED, dt.date(2026, 4, 5)).method == INSUFFICIENT


# Forecast: finished cases, order and duplicates ------------------------------------------


def test_it_dates_a_finished_case_by_its_first_report_of_100_percent():
    history = planned_curve(18) + [(month_end(18), D(100)), (month_end(19), D(100))]
    result = forecast(history)
    assert (result.method, result.forecast_finish) == (FINISHED, month_end(18))
    assert (result.slip_days, result.will_finish_late) == ((month_end(18) - PLANNED).days, False)
    assert (
        result.explanation == "100% was reported on 115/07/31, 184 days before the planned finish."
    )


def test_it_reports_a_case_finished_late():
    history = [(month_end(i), D(v)) for i, v in enumerate([60, 80, 100])]
    result = forecast_finish(history, month_end(1), month_end(5))
    assert (result.method, result.slip_days, result.will_finish_late) == (FINISHED, 31, True)


def test_it_is_not_finished_when_a_correction_takes_back_100_percent():
    history = planned_curve(18) + [(month_end(18), D(100)), (month_end(19), D(98))]
    assert forecast(history).method == S_CURVE


def test_it_sorts_dates_and_keeps_the_last_value_of_a_duplicate_date():
    history = planned_curve(18)
    shuffled = history[:]
    random.Random(7).shuffle(shuffled)
    assert forecast(shuffled) == forecast(history)
    day = history[-1][0]
    duplicated = history + [(day, D(50)), (day, history[-1][1])]  # corrected, then restored
    assert forecast(duplicated) == forecast(history)
    assert forecast(history + [(day, D(80))]).forecast_finish > forecast(history).forecast_finish


@pytest.mark.parametrize(
    ("history", "kwargs", "message"),
    [
        (
            [(dt.date(2026, 1, 1), 40.0)],
            {},
            "actual progress must be a Decimal or a whole number, not float",
        ),
        ([(dt.datetime(2026, 1, 1), D(40))], {}, "a report date must be a date, not datetime"),
        (
            [(dt.date(2026, 1, 1), D(101))],
            {},
            "actual progress must be a percentage from 0 to 100, not 101",
        ),
        ([D(40)], {}, "a progress point is a (date, percent) pair, not Decimal('40')"),
        ([], {"tolerance_days": -1}, "the tolerance in days cannot be negative, not -1"),
        ([], {"planned_finish": "2027-01-31"}, "the planned finish must be a date, not str"),
    ],
    ids=lambda value: str(value)[:40],
)
def test_it_refuses_a_bad_history(history, kwargs, message):
    arguments = {"planned_finish": PLANNED, "today": dt.date(2026, 4, 5), **kwargs}
    with pytest.raises(ProgressError) as error:
        forecast_finish(history, **arguments)
    assert str(error.value) == message


def test_the_lag_rule_refuses_a_share_or_percent_it_cannot_compare_exactly():
    from guankao.lib.progress import ProgressError, classify_lag

    with pytest.raises(ProgressError):
        classify_lag(Decimal(50), Decimal(50), 100, 55, money_share=Decimal("0.5555"))
    with pytest.raises(ProgressError):
        classify_lag(Decimal("50.001"), Decimal(50))
    assert (
        classify_lag(Decimal(100), Decimal(100), 100, 55, money_share=Decimal("0.55")).money_behind
        is False
    )
