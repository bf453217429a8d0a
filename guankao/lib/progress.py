"""Progress of a controlled case (列管案件): lag in a monthly report, and the finish forecast.

The lag thresholds are named after their source; there is no national definition of
嚴重落後, so the city's setting is passed in. 金門縣 inspects works 10% or more behind
first (SERIOUS_GAP_KINMEN); 基本設施補助款 rules want a lag reason under 80% budget
execution (MONEY_SHARE_BASIC_GRANT). Exactly on plan is not behind, a gap exactly on the
threshold is serious, and spending exactly 80% of plan is not behind on money.

The rule is compared on whole numbers: percents and the gap in hundredths of a point
(CENTI), the money share in thousandths (PERMILLE). A change of thresholds re-runs the
same rule in SQL (tracking.services.relag) on the same integers, so the database's
floating point (SQLite) can never decide a case differently from the one filed.
"""

import datetime as dt
import math
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from guankao.lib.roc import format_roc

SERIOUS_GAP_KINMEN = Decimal(10)  # percentage points
MONEY_SHARE_BASIC_GRANT = Decimal("0.8")  # a ratio of the money planned
S_CURVE, LINEAR, INSUFFICIENT, FINISHED = "s-curve", "linear", "insufficient", "finished"
EARLY_LEVEL = Decimal(10)  # below it an S-curve has barely started: no forecast
S_CURVE_MIN_POINTS = 5  # reports strictly between 0% and 100% ...
S_CURVE_MIN_SPAN = 10  # ... covering at least this many points
S_CURVE_MIN_R2 = 0.9  # how straight the logit of progress must be in time
FINISH_LEVEL = 0.99  # a logistic never reaches 100%: its 1%..99% span is the planned work
LINEAR_WINDOW_DAYS = 183  # the linear pace is that of the last six months of reports ...
LINEAR_MIN_POINTS = 3  # ... or of the last three when reports are sparse
HORIZON_DAYS = 100 * 365  # a pace slower than this is "never" (and dates stay in range)
DAYS_A_MONTH = 365.25 / 12
_HUNDRED = Decimal(100)
CENTI = 100  # percents and gaps carry at most 2 decimals: compared in hundredths of a point
PERMILLE = 1000  # a money share carries at most 3 decimals: compared in thousandths


class ProgressError(ValueError):
    """A figure that a progress report cannot hold; the message says which and why."""


class ProgressTypeError(ProgressError, TypeError):
    """A value of the wrong type (a float, a string): still a ProgressError for callers."""


@dataclass(frozen=True)
class Lag:
    """gap = planned − actual, in points (negative when ahead); spend_ratio = spent /
    planned money (0.8 = 80%), None when either is missing or no money is planned."""

    behind: bool
    seriously_behind: bool
    money_behind: bool
    gap: Decimal
    spend_ratio: Decimal | None
    needs_lag_reason: bool  # the 落後原因 is mandatory in a report that is behind


def classify_lag(
    planned: Decimal | int,
    actual: Decimal | int,
    money_planned: int | None = None,
    money_spent: int | None = None,
    *,
    serious_gap: Decimal | int = SERIOUS_GAP_KINMEN,
    money_share: Decimal | int = MONEY_SHARE_BASIC_GRANT,
) -> Lag:
    """Percents are 0..100, money whole NT$, serious_gap in points, money_share a ratio."""
    planned = _percent(planned, _("planned progress"))
    actual = _percent(actual, _("actual progress"))
    money_planned = _whole(money_planned, _("money planned (NT$)"))
    money_spent = _whole(money_spent, _("money spent (NT$)"))
    serious_gap = _number(serious_gap, _("the serious lag gap"))
    if not 0 < serious_gap <= _HUNDRED:
        message = _("the serious lag gap must be above 0 and at most 100 points, not %(value)s")
        raise ProgressError(message % {"value": serious_gap})
    money_share = _number(money_share, _("the money share"))
    if not 0 < money_share <= 1:  # 80 meant as 80% is the likely slip: show the ratio form
        message = _(
            "the money share is a ratio above 0 and at most 1 (0.8 for 80%%), not %(value)s"
        )
        raise ProgressError(message % {"value": money_share})
    gap, ratio, money_behind = planned - actual, None, False
    if money_planned and money_spent is not None:
        ratio = Decimal(money_spent) / Decimal(money_planned)
        money_behind = is_money_behind(money_planned, money_spent, share_permille(money_share))
    behind = centi(actual) < centi(planned)
    serious = centi(actual) + centi(serious_gap) <= centi(planned)
    return Lag(behind, serious, money_behind, gap, ratio, needs_lag_reason=behind)


def centi(value: Decimal | int) -> int:
    """A percent or gap in whole hundredths of a point; more than 2 decimals is refused."""
    return _scaled(value, CENTI, _("a percentage"))


def share_permille(money_share: Decimal | int) -> int:
    """A money share (0.8 = 80%) in whole thousandths; more than 3 decimals is refused."""
    return _scaled(money_share, PERMILLE, _("the money share"))


def is_money_behind(money_planned: int, money_spent: int, permille: int) -> bool:
    """Spent under the share of planned money, on whole numbers only. relag's SQL is this
    very comparison (spent × 1000 < planned × permille) on integer columns."""
    return money_spent * PERMILLE < money_planned * permille


def _scaled(value: Decimal | int, scale: int, name: str) -> int:
    scaled = Decimal(value) * scale
    if scaled != scaled.to_integral_value():
        message = _("%(name)s has too many decimal places: %(value)s")
        raise ProgressError(message % {"name": name, "value": value})
    return int(scaled)


@dataclass(frozen=True)
class Forecast:
    """method: s-curve, linear, insufficient (no forecast) or finished (forecast_finish is
    the day 100% was reported). slip_days = forecast − planned finish, negative when early.
    A stalled case (linear, no forecast) will finish late, and so will any unfinished case
    once the planned finish plus the tolerance has passed. pace is in points a month."""

    method: str
    forecast_finish: dt.date | None
    will_finish_late: bool
    slip_days: int | None
    explanation: str
    pace: Decimal | None = None


def forecast_finish(
    history, planned_finish: dt.date, today: dt.date, *, tolerance_days: int = 0
) -> Forecast:
    """Forecast when 100% is reached from (date, actual %) reports in any order; of two on
    one date the later in the list counts. The latest report is the truth, even below the
    one before it (a correction).

    - 100% in the latest report: finished, on the first day of that final run of 100%.
    - Under 2 reports, or the latest under 10%: insufficient (an S-curve starts slowly).
    - Stalled, never finishing: the latest report is not above the one two reports before,
      or the linear pace below is not positive. A stall overrides the S-curve, which,
      fitted to the whole history, would still rise.
    - S-curve, when at least 5 reports lie strictly between 0% and 100% and cover at least
      10 points. The logit ln(p / (100 − p)) of a logistic is a straight line in time; it
      is fitted by least squares weighted by (q(1 − q))², q = p / 100, which approximates
      least squares on the percent itself, so reports near 0% or 100% do not dominate.
      Guards: the line must rise and its weighted R² be at least 0.9. The fitted steepness
      is placed through the latest report; the finish is where that curve reaches 99%.
    - Otherwise linear: ordinary least squares over the reports of the six months up to
      the latest (at least the last 3), and 100% at that pace from the latest report. In
      the rising half of an S-curve this is pessimistic, past the middle optimistic.

    A forecast never lies before today; a pace needing over a century is never.
    """
    tolerance = dt.timedelta(days=_whole(tolerance_days, _("the tolerance in days")))
    _date(planned_finish, _("the planned finish"))
    _date(today, _("today"))
    points = _clean(history)
    past_due = today > planned_finish + tolerance

    def insufficient(message: str) -> Forecast:
        if past_due:
            message += " " + _("The planned finish (%(date)s) has passed.") % {
                "date": format_roc(planned_finish)
            }
        return Forecast(INSUFFICIENT, None, past_due, None, message)

    def result(method: str, finish: dt.date, text: str, values: dict, pace=None) -> Forecast:
        finish = finish if method == FINISHED else max(finish, today)
        slip = (finish - planned_finish).days
        text %= {**values, "date": format_roc(finish), "relation": _relation(slip)}
        return Forecast(method, finish, finish > planned_finish + tolerance, slip, text, pace)

    if not points:
        return insufficient(_("No progress has been reported yet."))
    last_day, last = points[-1]
    if last == _HUNDRED:
        first = len(points) - 1
        while first and points[first - 1][1] == _HUNDRED:
            first -= 1
        return result(
            FINISHED, points[first][0], _("100%% was reported on %(date)s, %(relation)s."), {}
        )
    if len(points) < 2:
        return insufficient(_("One report is not enough to forecast the finish."))
    if last < EARLY_LEVEL:
        message = _("Too early to forecast: %(percent)s%% done, and an S-curve starts slowly.")
        return insufficient(message % {"percent": _format(last)})
    window = [p for p in points if (last_day - p[0]).days <= LINEAR_WINDOW_DAYS]
    window = points[-LINEAR_MIN_POINTS:] if len(window) < LINEAR_MIN_POINTS else window
    slope = _slope(window)
    tail = points[-LINEAR_MIN_POINTS:]  # a stall of three reports stops the forecast
    stalled = tail if tail[-1][1] <= tail[0][1] else window if slope <= 0 else None
    rate = None if stalled else _s_curve(points)
    if rate is not None:
        q = float(last) / 100
        days = (_logit(FINISH_LEVEL) - _logit(q)) / rate
        inner = [p for _d, p in points if 0 < p < _HUNDRED]
        text = _(
            "An S-curve fitted to %(count)s reports (%(low)s%% to %(high)s%%) reaches 99%% "
            "around %(date)s, %(relation)s."
        )
        values = {"count": len(inner), "low": _format(min(inner)), "high": _format(max(inner))}
        method, pace = S_CURVE, _pace(rate * q * (1 - q) * 100)  # the curve's slope today
    elif not stalled:
        days = float(_HUNDRED - last) / slope
        text = _(
            "At the pace of the last %(count)s reports (%(pace)s points a month), 100%% is "
            "reached around %(date)s, %(relation)s."
        )
        method, values, pace = LINEAR, {"count": len(window), "pace": _pace(slope)}, _pace(slope)
    if stalled or days > HORIZON_DAYS:
        stalled = stalled or window
        values = {"count": len(stalled), "pace": _pace(_slope(stalled))}
        text = _(
            "Progress did not rise enough over the last %(count)s reports (%(pace)s points a "
            "month): at this pace the work never finishes."
        )
        return Forecast(LINEAR, None, True, None, text % values, values["pace"])
    return result(method, last_day + dt.timedelta(days=round(max(days, 0))), text, values, pace)


def _s_curve(points) -> float | None:
    """The fitted logistic's steepness (logit units a day), None when a guard refuses it."""
    inner = [(d, float(p) / 100) for d, p in points if 0 < p < _HUNDRED]
    if len(inner) < S_CURVE_MIN_POINTS:
        return None
    if (max(q for _d, q in inner) - min(q for _d, q in inner)) * 100 < S_CURVE_MIN_SPAN:
        return None
    xs = [(d - inner[0][0]).days for d, _q in inner]
    ys = [_logit(q) for _d, q in inner]
    _a, rate, r2 = _fit_line(xs, ys, [(q * (1 - q)) ** 2 for _d, q in inner])
    return rate if rate > 0 and r2 >= S_CURVE_MIN_R2 else None


def _fit_line(xs, ys, ws=None) -> tuple[float, float, float]:
    """Weighted least squares y = a + b·x: (a, b, R²). The xs are distinct days, so their
    spread is never 0; a flat y is a perfect fit with b = 0."""
    ws = ws or [1.0] * len(xs)
    total = sum(ws)
    mx = sum(w * x for w, x in zip(ws, xs, strict=True)) / total
    my = sum(w * y for w, y in zip(ws, ys, strict=True)) / total
    sxx = sum(w * (x - mx) ** 2 for w, x in zip(ws, xs, strict=True))
    sxy = sum(w * (x - mx) * (y - my) for w, x, y in zip(ws, xs, ys, strict=True))
    syy = sum(w * (y - my) ** 2 for w, y in zip(ws, ys, strict=True))
    b = sxy / sxx
    return my - b * mx, b, (b * sxy / syy if syy > 0 else 1.0)


def _slope(points) -> float:
    """Points a day by ordinary least squares."""
    return _fit_line([(d - points[0][0]).days for d, _p in points], [float(p) for _d, p in points])[
        1
    ]


def _logit(q: float) -> float:
    return math.log(q / (1 - q))


def _relation(slip: int) -> str:
    days = abs(slip)
    if slip > 0:
        return ngettext(
            "%(days)s day after the planned finish", "%(days)s days after the planned finish", days
        ) % {"days": days}
    if slip < 0:
        return ngettext(
            "%(days)s day before the planned finish",
            "%(days)s days before the planned finish",
            days,
        ) % {"days": days}
    return _("on the planned finish")


def _pace(per_day: float) -> Decimal:
    return Decimal(f"{per_day * DAYS_A_MONTH:.1f}")


def _format(value: Decimal) -> str:
    return f"{value.normalize():f}"  # 95, not 9.5E+1; 12.5, not 12.50


def _clean(history) -> list[tuple[dt.date, Decimal]]:
    by_day: dict[dt.date, Decimal] = {}  # a later duplicate overwrites an earlier one
    for point in history:
        if not isinstance(point, (tuple, list)) or len(point) != 2:
            message = _("a progress point is a (date, percent) pair, not %(value)r")
            raise ProgressTypeError(message % {"value": point})
        by_day[_date(point[0], _("a report date"))] = _percent(point[1], _("actual progress"))
    return sorted(by_day.items())


def _wrong_type(name: str, expected: str, value) -> ProgressTypeError:
    message = _("%(name)s must be %(expected)s, not %(type)s")
    return ProgressTypeError(
        message % {"name": name, "expected": expected, "type": type(value).__name__}
    )


def _date(value, name: str) -> dt.date:
    # A datetime is a date too, but comparing one with a date raises: refuse it here.
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        raise _wrong_type(name, _("a date"), value)
    return value


def _number(value, name: str) -> Decimal:
    # Floats are refused so that 9.99 stays 9.99; bool is an int but never a figure.
    if isinstance(value, bool) or not isinstance(value, (int, Decimal)):
        raise _wrong_type(name, _("a Decimal or a whole number"), value)
    if not Decimal(value).is_finite():
        message = _("%(name)s must be a finite number, not %(value)s")
        raise ProgressError(message % {"name": name, "value": value})
    return Decimal(value)


def _percent(value, name: str) -> Decimal:
    value = _number(value, name)
    if not 0 <= value <= _HUNDRED:
        message = _("%(name)s must be a percentage from 0 to 100, not %(value)s")
        raise ProgressError(message % {"name": name, "value": value})
    return value


def _whole(value, name: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise _wrong_type(name, _("a whole number"), value)
    if value < 0:
        message = _("%(name)s cannot be negative, not %(value)s")
        raise ProgressError(message % {"name": name, "value": value})
    return value
