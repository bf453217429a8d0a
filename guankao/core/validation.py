"""Small input checks shared by every service: each names the field and the rule."""

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from guankao.core.errors import NotAllowed, ServiceError
from guankao.lib import roc
from guankao.lib.roc import DateFormatError, parse_date

MAX_MONEY = 10**13  # NT$10 trillion: more than any city budget, less than a typo of digits


def require(condition: bool, message=None) -> None:
    if not condition:
        raise NotAllowed(message or _("You are not allowed to do this."))


# What no text field stores: C0 and C1 control characters (NUL among them, which
# PostgreSQL refuses), lone surrogates (not encodable) and U+FFFE/U+FFFF (not XML, so
# not ODF). Tab, line feed and carriage return are allowed in multi-line text only.
_REFUSED_MULTILINE = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff"
_REFUSED_LINE = r"\x00-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff"
REFUSED = {True: re.compile(f"[{_REFUSED_MULTILINE}]"), False: re.compile(f"[{_REFUSED_LINE}]")}
# The same rule as a JSON-schema pattern, so API clients (and schemathesis) know it.
SAFE_PATTERN = {True: f"^[^{_REFUSED_MULTILINE}]*$", False: f"^[^{_REFUSED_LINE}]*$"}
# Text fields this long are prose (descriptions, notes, minutes): line breaks belong there.
MULTILINE_FROM = 1000


def text_problem(value: str, *, multiline: bool = False) -> str | None:
    """Why `value` may not be stored as text, or None. The one check behind every API text
    type (core.api_types), every form text field (core.forms) and `text()` below."""
    found = REFUSED[multiline].search(value)
    if found is None:
        return None
    if multiline:
        message = _(
            "contains a control character (U+%(code)04X); only tabs and line breaks are allowed"
        )
    else:
        message = _(
            "contains a control character (U+%(code)04X); it must be one line of plain text"
        )
    return message % {"code": ord(found.group(0))}


def for_output(value: str) -> str:
    """Text as exports write it: a refused character already stored (from before the check)
    becomes U+FFFD, so an ODF or CSV file is always written and shows where it was."""
    return REFUSED[True].sub("\ufffd", value)


def text(
    field: str, value, max_length: int, required: bool = True, *, multiline: bool | None = None
) -> str:
    """Stripped text of at most max_length characters; None counts as empty. No control
    characters; tabs and line breaks only in multi-line text (by default, fields of
    MULTILINE_FROM characters or more)."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ServiceError.field(field, _("must be text"))
    if multiline is None:
        multiline = max_length >= MULTILINE_FROM
    value = value.strip()
    problem = text_problem(value, multiline=multiline)
    if problem:
        raise ServiceError.field(field, problem)
    if required and not value:
        raise ServiceError.field(field, _("is required"))
    if len(value) > max_length:
        raise ServiceError.field(
            field, _("is too long (at most %(n)d characters)") % {"n": max_length}
        )
    return value


def money(field: str, value) -> int | None:
    """Whole NT$ from an int or text ("1,200,000"); None for empty."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool) or isinstance(value, float):
        raise ServiceError.field(field, _("must be a whole amount of NT$, such as 1200000"))
    text = str(value).strip().replace(",", "").replace("，", "")
    if not text.isdigit() or not text.isascii():
        raise ServiceError.field(field, _("must be a whole amount of NT$, such as 1200000"))
    amount = int(text)
    if amount >= MAX_MONEY:
        raise ServiceError.field(field, _("must be below NT$10 trillion"))
    return amount


def percent(field: str, value, *, required: bool = False) -> Decimal | None:
    """A percentage 0–100 with at most 2 decimals, from a number or text ("85.5", "85.5%")."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise ServiceError.field(field, _("is required"))
        return None
    if isinstance(value, bool) or isinstance(value, float):
        raise ServiceError.field(field, _("must be a percentage from 0 to 100, such as 42.5"))
    try:
        number = Decimal(str(value).strip().rstrip("%％").strip())
    except InvalidOperation:
        raise ServiceError.field(
            field, _("must be a percentage from 0 to 100, such as 42.5")
        ) from None
    if not number.is_finite() or not 0 <= number <= 100:
        raise ServiceError.field(field, _("must be a percentage from 0 to 100, such as 42.5"))
    if number != number.quantize(Decimal("0.01")):
        raise ServiceError.field(field, _("has more than 2 decimal places"))
    return number


def date_value(field: str, value) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        raise ServiceError.field(field, _("must be a date, not a time"))
    if isinstance(value, dt.date):
        if not roc.YEAR_MIN <= value.year <= roc.YEAR_MAX:
            raise ServiceError.field(field, roc.year_range_message())
        return value
    if not isinstance(value, str):
        raise ServiceError.field(field, _("must be a date such as 115/11/27"))
    try:
        return parse_date(value)
    except DateFormatError as e:
        raise ServiceError.field(field, str(e)) from None


def coordinate(field: str, value, limit: int) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ServiceError.field(field, _("must be a number of degrees"))
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise ServiceError.field(field, _("must be a number of degrees")) from None
    if not number.is_finite() or not -limit <= number <= limit:
        raise ServiceError.field(field, _("must be between -%(n)d and %(n)d") % {"n": limit})
    return number.quantize(Decimal("0.000001"))


def choice(field: str, value, choices) -> str:
    if value not in choices.values:
        raise ServiceError.field(
            field, _("must be one of: %(v)s") % {"v": ", ".join(choices.values)}
        )
    return value


def year_month(year, month) -> tuple[int, int]:
    if not roc.is_year(year):
        raise ServiceError.field("year", roc.year_range_message())
    if isinstance(month, bool) or not isinstance(month, int) or not 1 <= month <= 12:
        raise ServiceError.field("month", _("must be a month from 1 to 12"))
    return year, month


_PHONE_JUNK = str.maketrans("", "", " -()（）－")


def phone(field: str, value) -> str:
    """A Taiwanese phone number as written (02-2720-8889, 0912-345-678, +886 912 345 678,
    with an extension after #); empty for None or blank. Refused unless, without spaces,
    dashes and brackets, it is 0 and 8–9 digits, or +886 and 8–9 digits."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return ""
    if not isinstance(value, str):
        raise ServiceError.field(field, _("must be text"))
    text = value.strip()
    number, _sep, extension = text.translate(_PHONE_JUNK).partition("#")
    national = "0" + number[4:] if number.startswith("+886") else number
    if not (
        national.isascii()
        and national.isdigit()
        and national.startswith("0")
        and 9 <= len(national) <= 10
        and (not extension or (extension.isdigit() and extension.isascii() and len(extension) <= 6))
    ):
        raise ServiceError.field(
            field, _("must be a phone number such as 05-225-4321 or 0912-345-678")
        )
    if len(text) > 30:
        raise ServiceError.field(field, _("is too long (at most %(n)d characters)") % {"n": 30})
    return text
