"""KPI targets as Taiwanese plans write them (≧80%, ≦3次/年, 100%, 80%~90%): read, check, write.

A target is one comparison and a number (≧80%, ＜2, 4000人次以上) or a range (80%~90%,
80 至 90), with a unit (次/年, 人次) or a percent sign, and a note in parentheses
(100%（依限完成率）). Values are compared in the target's own terms: for ≧80% the value 80
means 80%. Decisions on ambiguous text:

- A bare number (100%, 12) is ≧ when higher is better (the default), ≦ when lower is
  better and = for a range KPI: the plan's 100% completion rate is met by exactly 100.
- 以上 / 以下 / 以內 after the number count the number itself (刑法 §10), so they are ≧ / ≦.
- In a range the % or unit may be written once, after the second number (80~90%, 3~5次);
  written on the first number only, or different on each (80%~90, 3次~5場次), it is refused.
- Negative numbers are refused: targets are counts, amounts and rates, and the progress
  ratios below mean nothing for a negative target.
- A percentage takes no unit (≧80%人 is refused; 100%（人數比） carries it as a note).
- Numbers are digits with optional thousands separators and decimals, at most 14 digits
  before the point and 4 after (a DecimalField(18, 4)); 1e9, NaN and ∞ are not numbers.
"""

import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

MAX_LENGTH = 100
MAX_INTEGER_DIGITS = 14
MAX_DECIMAL_PLACES = 4
HIGHER, LOWER, RANGE = "higher", "lower", "range"
OPS = ("ge", "gt", "le", "lt", "eq", "range")

_SYMBOLS = {"ge": "≧", "gt": ">", "le": "≦", "lt": "<", "eq": "="}
_OP_OF = {symbol: op for op, symbol in _SYMBOLS.items()}
_BARE_OP = {None: "ge", HIGHER: "ge", LOWER: "le", RANGE: "eq"}
# NFKC already turns ＞＜＝～％，（） and full-width digits into ASCII; these it leaves alone.
_SPELLINGS = (
    (">=", "≧"),
    ("=>", "≧"),
    ("≥", "≧"),
    ("<=", "≦"),
    ("=<", "≦"),
    ("≤", "≦"),
    ("==", "="),
    ("〜", "~"),
    ("−", "-"),
    ("–", "-"),
    ("—", "-"),
)
_SUFFIXES = {"以上": "ge", "以下": "le", "以內": "le", "以内": "le"}
_EXAMPLES = ("≧80%", "≦3", "100%", "80%~90%")


def _examples() -> str:
    # The joining words follow the reader's language: "≧80%, ≦3, 100% or 80%~90%".
    return _("%(list)s or %(last)s") % {"list": ", ".join(_EXAMPLES[:-1]), "last": _EXAMPLES[-1]}


_ZERO, _ONE = Decimal(0), Decimal(1)

_NOTE = re.compile(r"(?P<body>[^()]*?)\s*\((?P<note>[^()]*)\)", re.S)
# 至 / 到 join a range only before a number, so a unit such as 到場人次 keeps its 到.
_WORD_RANGE = re.compile(r"\s*[至到]\s*(?=[0-9])")
_LEADING_OP = re.compile(r"(?P<op>[≧≦<>=])\s*(?P<rest>.*)", re.S)
_COMPARISON = re.compile(r"[≧≦<>=]")
# Looked for before the range split, which would otherwise read the minus as a separator.
_NEGATIVE = re.compile(r"(?:^|[~-])\s*-\s*[0-9]")
_RANGE = re.compile(r"\s*[~-]\s*")
_SIDE = re.compile(r"(?P<number>[0-9][0-9,.]*)\s*(?P<percent>%*)\s*(?P<unit>.*)", re.S)
_NUMBER = re.compile(r"(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?")
_UNIT = re.compile(r"[^\W\d_]+(?:/[^\W\d_]+)*")  # letters of any script: 次/年, 人次, km/h
_EXPONENT = re.compile(r"[eE][+-]?[0-9]")


class TargetError(ValueError):
    """Text that is not a KPI target; the message says what was expected."""


@dataclass(frozen=True)
class Target:
    """A parsed target. low is the lower bound (ge, gt, eq, range), high the upper (le, lt,
    eq, range), the other None. text is the original and is not part of equality, so
    ≥80% and ≧80% are the same target."""

    op: str
    low: Decimal | None
    high: Decimal | None
    unit: str = ""
    percent: bool = False
    note: str = ""
    text: str = field(default="", compare=False)

    def __post_init__(self):
        needs_low = self.op in ("ge", "gt", "eq", "range")
        needs_high = self.op in ("le", "lt", "eq", "range")
        if (
            self.op not in OPS
            or (self.low is None) == needs_low
            or (self.high is None) == needs_high
        ):
            raise ValueError(f"inconsistent target: op={self.op!r} low={self.low} high={self.high}")

    def __str__(self) -> str:
        return format_target(self)

    @property
    def direction(self) -> str:
        if self.op in ("ge", "gt"):
            return HIGHER
        return LOWER if self.op in ("le", "lt") else RANGE

    def is_met(self, value: Decimal | int) -> bool:
        """Whether value meets the target; a value exactly on the bound is met (except < and >)."""
        value = _value(value)
        if self.op == "gt":
            return value > self.low
        if self.op == "lt":
            return value < self.high
        return (self.low is None or value >= self.low) and (self.high is None or value <= self.high)

    def progress(self, value: Decimal | int) -> Decimal | None:
        """How close value is to the target, from 0 to 1 (1 = on target), not rounded.

        - higher is better (≧, >): value / target, kept within 0..1; None when the target
          is 0, as any value reaches it and no ratio says how far.
        - lower is better (≦, <): 1 while value <= target, else target / value (so ≦3 at 4
          is 0.75 and ≦0 at anything above 0 is 0).
        - range and =: 1 inside; below, value / low as for higher; above, high / value as
          for lower (the distance from the nearest bound, relative to it).

        For > and < the bound itself gives 1 although is_met says no: is_met decides.
        """
        value = _value(value)
        if self.op in ("ge", "gt"):
            return _share(value, self.low)
        if self.op in ("le", "lt"):
            return _inverse_share(value, self.high)
        if value < self.low:
            # Under a floor of 0 lie only negative values: plainly off, no ratio needed.
            return _share(value, self.low) if self.low else _ZERO
        return _inverse_share(value, self.high)


def _share(value: Decimal, target: Decimal) -> Decimal | None:
    if target == 0:
        return None
    return min(max(value / target, _ZERO), _ONE)


def _inverse_share(value: Decimal, target: Decimal) -> Decimal:
    # Past the target value > target >= 0, so the division never meets a zero value.
    return _ONE if value <= target else target / value


def _value(value) -> Decimal:
    # Floats are refused so that 0.1 stays 0.1: callers pass Decimal (or int) values.
    if isinstance(value, bool) or not isinstance(value, (int, Decimal)):
        raise TypeError(
            f"a target is checked against a Decimal or an int, not {type(value).__name__}"
        )
    value = Decimal(value)
    if not value.is_finite():
        raise ValueError(f"a target is checked against a finite number, not {value}")
    return value


def _error(text: str, reason: str | None = None, **values) -> TargetError:
    """'…' is not a target: reason (by default, what a target looks like)."""
    reason = reason or _("expected a comparison and a number, such as %(examples)s")
    values = {"examples": _examples(), "range": "80%~90%", "note": "100%（依限完成率）", **values}
    message = _("'%(text)s' is not a target: %(reason)s")
    return TargetError(message % {"text": text, "reason": reason % values})


def _side(raw: str, text: str) -> tuple[Decimal, bool, str]:
    """One number with its % or unit: (number, percent, unit)."""
    match = _SIDE.fullmatch(raw)
    if not match:
        raise _error(text)
    number, percent, unit = match["number"], match["percent"], match["unit"].strip()
    if not _NUMBER.fullmatch(number):
        reason = _("'%(number)s' is not a number (write 4000, 4,000 or 99.5)")
        raise _error(text, reason, number=number)
    whole, _point, places = number.replace(",", "").partition(".")
    if len(whole.lstrip("0")) > MAX_INTEGER_DIGITS or len(places) > MAX_DECIMAL_PLACES:
        reason = _(
            "'%(number)s' has more than %(whole)s digits before the point or %(places)s after"
        )
        raise _error(
            text, reason, number=number, whole=MAX_INTEGER_DIGITS, places=MAX_DECIMAL_PLACES
        )
    if len(percent) > 1:
        raise _error(text, _("write one percent sign"))
    if unit and _EXPONENT.match(unit):
        raise _error(text, _("write the number in full, without an exponent such as 1e9"))
    if unit and (not _UNIT.fullmatch(unit) or any(word in unit for word in _SUFFIXES)):
        reason = _("'%(unit)s' is not a unit (expected words such as 次/年, 人次 or 場次)")
        raise _error(text, reason, unit=unit)
    if percent and unit:
        raise _error(
            text, _("a percentage takes no unit; put a note in parentheses, as in %(note)s")
        )
    return Decimal(number.replace(",", "")), bool(percent), unit


def parse_target(text: str, direction: str | None = None) -> Target:
    """Read a target as plans write it; direction (higher, lower, range) only says what a
    bare number means. Raises TargetError, with a message for the user, on anything else."""
    if direction not in _BARE_OP:
        raise ValueError(f"direction must be higher, lower, range or None, not {direction!r}")
    if not isinstance(text, str):
        message = _("expected text such as %(examples)s, not %(type)s")
        raise TargetError(message % {"examples": _examples(), "type": type(text).__name__})
    if len(text) > MAX_LENGTH:
        message = _("'%(start)s…' is too long for a target: at most %(max)s characters")
        raise TargetError(message % {"start": text[:20], "max": MAX_LENGTH})
    body = unicodedata.normalize("NFKC", text).strip()
    if not body:
        message = _("empty target: expected a comparison and a number, such as %(examples)s")
        raise TargetError(message % {"examples": _examples()})
    note = ""
    if match := _NOTE.fullmatch(body):
        body, note = match["body"].strip(), match["note"].strip()
    for spelling, symbol in _SPELLINGS:
        body = body.replace(spelling, symbol)
    body = _WORD_RANGE.sub("~", body)
    op = None
    for word, word_op in _SUFFIXES.items():
        if body.endswith(word):
            body, op = body[: -len(word)].rstrip(), word_op
            break
    one_comparison = _("write one comparison, or a range as %(range)s")
    if match := _LEADING_OP.fullmatch(body):
        if op and op != _OP_OF[match["op"]]:  # ≧80%以上 says it twice, but agrees
            raise _error(text, one_comparison)
        op, body = _OP_OF[match["op"]], match["rest"]
    if _COMPARISON.search(body):
        raise _error(text, one_comparison if op else None)
    if _NEGATIVE.search(body):
        raise _error(text, _("negative numbers are not accepted"))
    parts = _RANGE.split(body)
    if len(parts) > 2:
        raise _error(text)
    if len(parts) == 1:
        number, percent, unit = _side(body, text)
        op = op or _BARE_OP[direction]
        low = number if op in ("ge", "gt", "eq") else None
        high = number if op in ("le", "lt", "eq") else None
        return Target(op, low, high, unit, percent, note, text)
    if op:
        raise _error(text, _("a range takes no comparison sign, as in %(range)s"))
    if not all(parts):
        raise _error(text, _("a range needs a number at both ends, as in %(range)s"))
    low, low_percent, low_unit = _side(parts[0], text)
    high, percent, unit = _side(parts[1], text)
    # 80~90% and 3~5次 write the unit once, at the end; 80%~90 and 3次~5場次 disagree.
    if (low_percent or low_unit) and (low_percent, low_unit) != (percent, unit):
        reason = _("the two ends of the range are in different units (%(first)s, %(second)s)")
        first, second = _unit_name(low_percent, low_unit), _unit_name(percent, unit)
        raise _error(text, reason, first=first, second=second)
    if low > high:
        reason = _("the range starts above its end (%(low)s > %(high)s)")
        raise _error(text, reason, low=_number(low), high=_number(high))
    return Target("range", low, high, unit, percent, note, text)


def _unit_name(percent: bool, unit: str) -> str:
    return "%" if percent else unit or _("no unit")


def _number(value: Decimal) -> str:
    return f"{value.normalize():f}"  # 4000, not 4E+3; 99.5, not 99.50


def format_target(target: Target) -> str:
    """The canonical form: ≧80%, ≦3次/年, >5, =100%, 80%~90%, 3~5次, ≧100%（依限完成率）."""
    suffix = "%" if target.percent else target.unit
    note = f"（{target.note}）" if target.note else ""
    if target.op == "range":
        first = _number(target.low) + ("%" if target.percent else "")
        return f"{first}~{_number(target.high)}{suffix}{note}"
    number = target.low if target.low is not None else target.high
    return f"{_SYMBOLS[target.op]}{_number(number)}{suffix}{note}"


def value_with_unit(value: Decimal, *, target_text: str, direction: str, unit: str) -> str:
    """86.5%, 4,120人次, 2次: a value in its target's own terms (the KPI's unit otherwise)."""
    suffix = "%" if unit.strip() in ("%", "％") else unit.strip()
    try:
        target = parse_target(target_text or "", direction=direction)
        suffix = "%" if target.percent else target.unit or suffix
    except TargetError:
        pass
    return f"{Decimal(value).quantize(Decimal('0.01')).normalize():,f}{suffix}"
