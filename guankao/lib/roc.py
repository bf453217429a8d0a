"""民國 (ROC) dates: shown as 115/11/27 or 115年11月27日, accepted in either form or ISO."""

import datetime as dt
import re
import unicodedata

from django.utils.translation import gettext as _

ROC_OFFSET = 1911
# The years any date or year field accepts, here and nowhere else: from 民國 1 to a bound
# far past any plan, low enough that adding ten years of working days stays a real date.
YEAR_MIN, YEAR_MAX = 1912, 2200

# ASCII digits only (full-width digits become ASCII through NFKC first); `\d` would also
# take Arabic-Indic and other scripts' digits, which no Taiwanese form uses.
_SEPARATED = re.compile(
    r"(?:民國|中華民國)?\s*([0-9]{1,4})\s*(?:[/\-.]|年)\s*([0-9]{1,2})\s*(?:[/\-.]|月)\s*([0-9]{1,2})\s*日?"
)
_COMPACT = re.compile(r"[0-9]{6,8}")


class DateFormatError(ValueError):
    """A date string that is neither a 民國 nor an ISO date."""


def is_year(value) -> bool:
    """A Gregorian year within YEAR_MIN..YEAR_MAX (an int, not a bool)."""
    return isinstance(value, int) and not isinstance(value, bool) and YEAR_MIN <= value <= YEAR_MAX


def year_range_message() -> str:
    return _("must be a year between 1912 and 2200 (民國 1–289)")


def roc_year(year: int) -> int:
    """The 民國 year of a Gregorian year (2026 → 115)."""
    return year - ROC_OFFSET


def gregorian_year(year: int) -> int:
    """The Gregorian year of a 民國 year (115 → 2026)."""
    return year + ROC_OFFSET


def year_from_input(year: int) -> int:
    """A year typed either way: under 1000 is a 民國 year (115), else Gregorian (2026)."""
    return gregorian_year(year) if 0 < year < 1000 else year


def parse_year(digits: str) -> int:
    """A year written in digits: four are a Gregorian year, one to three a 民國 year."""
    return int(digits) if len(digits) == 4 else gregorian_year(int(digits))


def format_roc_month(year: int | None, month: int | None) -> str:
    """115/11 for November 2026; empty when either is missing."""
    if not year or not month:
        return ""
    return f"{roc_year(year)}/{month:02d}"


def format_roc(value: dt.date | None) -> str:
    if value is None:
        return ""
    return f"{roc_year(value.year)}/{value.month:02d}/{value.day:02d}"


def format_roc_long(value: dt.date | None) -> str:
    if value is None:
        return ""
    return f"{roc_year(value.year)}年{value.month}月{value.day}日"


def parse_date(text: str) -> dt.date:
    """Read 115/11/27, 115-11-27, 115.11.27, 1151127, 115年11月27日, 2026-11-27 or 20261127."""
    if not isinstance(text, str):
        raise DateFormatError(_("expected text such as 115/11/27 or 2026-11-27"))
    value = unicodedata.normalize("NFKC", text).strip()
    if not value:
        raise DateFormatError(_("empty date; expected 115/11/27 or 2026-11-27"))
    match = _SEPARATED.fullmatch(value)
    if match:
        year_raw, month_raw, day_raw = match.groups()
        if len(year_raw) == 4 and year_raw.startswith("0"):
            raise DateFormatError(
                _("%(text)s: year %(year)s is not valid") % {"text": text, "year": year_raw}
            )
        year, month, day = parse_year(year_raw), int(month_raw), int(day_raw)
    else:
        match = _COMPACT.fullmatch(value)
        if not match:
            raise DateFormatError(
                _("%(text)s is not a date; expected 115/11/27 or 2026-11-27") % {"text": text}
            )
        digits = match.group(0)
        if len(digits) == 8:
            year, month, day = int(digits[:4]), int(digits[4:6]), int(digits[6:])
        else:  # 6 or 7 digits: a 民國 year of 2 or 3 digits, then MMDD
            year = gregorian_year(int(digits[:-4]))
            month, day = int(digits[-4:-2]), int(digits[-2:])
    if year <= ROC_OFFSET:
        raise DateFormatError(
            _("%(text)s: dates before 民國 1 (1912) are not accepted") % {"text": text}
        )
    if year > YEAR_MAX:
        raise DateFormatError(
            _("%(text)s: dates after 2200 (民國 289) are not accepted") % {"text": text}
        )
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise DateFormatError(
            _("%(text)s: no such day (%(iso)s)")
            % {"text": text, "iso": f"{year}-{month:02d}-{day:02d}"}
        ) from None
