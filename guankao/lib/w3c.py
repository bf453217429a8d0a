"""W3C date and time (the ISO 8601 profile of www.w3.org/TR/NOTE-datetime), as Open311 and
feeds exchange them: `2026-12-03T08:15:30+08:00`, `2026-12-03T00:15:30Z`, or a day alone.

A time always carries its zone (the note requires it); a day alone means that day's
midnight in the city's time zone. Years stay within roc.YEAR_MIN..YEAR_MAX.
"""

import datetime as dt
import re
import zoneinfo

from guankao.lib import roc

TAIPEI = zoneinfo.ZoneInfo("Asia/Taipei")
_DATETIME = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?(Z|[+-]\d{2}:\d{2})"
)
_DAY = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


class W3CFormatError(ValueError):
    pass


def _zone(text: str) -> dt.tzinfo:
    if text == "Z":
        return dt.UTC
    sign = 1 if text[0] == "+" else -1
    hours, minutes = int(text[1:3]), int(text[4:6])
    if hours > 14 or minutes > 59:
        raise W3CFormatError(text)
    return dt.timezone(sign * dt.timedelta(hours=hours, minutes=minutes))


def parse(value: str) -> dt.datetime:
    """An aware datetime; W3CFormatError for anything else (a time without its zone too)."""
    text = (value or "").strip()
    try:
        found = _DATETIME.fullmatch(text)
        if found:
            year, month, day, hour, minute, second, fraction, zone = found.groups()
            moment = dt.datetime(
                int(year),
                int(month),
                int(day),
                int(hour),
                int(minute),
                int(second or 0),
                int((fraction or "0").ljust(6, "0")),
                tzinfo=_zone(zone),
            )
        elif _DAY.fullmatch(text):
            day = dt.date.fromisoformat(text)
            moment = dt.datetime.combine(day, dt.time(0, 0), tzinfo=TAIPEI)
        else:
            raise W3CFormatError(text)
    except ValueError as exc:  # 2026-02-30, 25:00
        raise W3CFormatError(text) from exc
    if not roc.YEAR_MIN <= moment.year <= roc.YEAR_MAX:
        raise W3CFormatError(text)
    return moment


def format(moment: dt.datetime | None) -> str | None:  # noqa: A001 - the module's verb
    """Seconds precision in the city's time zone: 2026-12-03T08:15:30+08:00."""
    if moment is None:
        return None
    return moment.astimezone(TAIPEI).replace(microsecond=0).isoformat()
