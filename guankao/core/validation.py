"""Small input checks shared by every service: each names the field and the rule."""

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from guankao.core.errors import NotAllowed, ServiceError
from guankao.lib.roc import DateFormatError, parse_date

MAX_MONEY = 10**13  # NT$10 trillion: more than any city budget, less than a typo of digits


def require(condition: bool, message=None) -> None:
    if not condition:
        raise NotAllowed(message or _("You are not allowed to do this."))


def text(field: str, value, max_length: int, required: bool = True) -> str:
    """Stripped text of at most max_length characters; None counts as empty."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ServiceError.field(field, _("must be text"))
    value = value.strip()
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
    if isinstance(year, bool) or not isinstance(year, int) or not 1912 <= year <= 2200:
        raise ServiceError.field("year", _("must be a year between 1912 and 2200 (民國 1–289)"))
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
