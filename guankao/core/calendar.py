"""The working-day calendar's overrides: entered by hand or imported from the official CSV.

The official office calendar (政府行政機關辦公日曆表, data.gov.tw) has the columns
西元日期 (YYYYMMDD), 星期, 是否放假 (2 = day off, 0 = working day) and 備註.
"""

import datetime as dt
import re
import threading

from django.core.signals import request_finished, request_started
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext as _

from guankao.core import access, audit
from guankao.core.errors import NotAllowed, NotFound, ServiceError
from guankao.core.models import AuditEntry, CalendarOverride
from guankao.core.tabular import read_table
from guankao.lib import workdays

OFFICIAL_COLUMNS = ("西元日期", "是否放假")
ALL_OFFICIAL_COLUMNS = ("西元日期", "星期", "是否放假", "備註")
MAX_ROWS = 2_000  # the official calendar of a year is 365 rows; a few years fit
_OFFICIAL_DATE = re.compile(r"[0-9]{8}")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
A = AuditEntry.Action


# Within one request a year's overrides are read once: a list of fifty cases, each with its
# working days left, is one query, not fifty. Outside requests (the worker, the shell)
# nothing is kept; a change to an override forgets what was kept.
_request = threading.local()


def _remember(**kwargs) -> None:
    _request.years = {}


def _forget(**kwargs) -> None:
    _request.years = None


def overrides_for_year(year: int) -> dict[dt.date, bool]:
    kept = getattr(_request, "years", None)
    if kept is not None and year in kept:
        return kept[year]
    found = dict(
        CalendarOverride.objects.filter(
            date__gte=dt.date(year, 1, 1), date__lte=dt.date(year, 12, 31)
        ).values_list("date", "is_working_day")
    )
    if kept is not None:
        kept[year] = found
    return found


def overrides_list(*, year: int):
    return CalendarOverride.objects.filter(date__year=year).order_by("date")


def explain(day: dt.date) -> tuple[bool, str | None]:
    """Whether `day` is a working day, and why not (or why it is, when overridden)."""
    override = CalendarOverride.objects.filter(date=day).first()
    if override is not None:
        return override.is_working_day, override.reason
    if workdays.rule_is_working_day(day):
        return True, None
    return False, workdays.holiday_name(day) or _("Weekend")


def _changed(**kwargs) -> None:
    if getattr(_request, "years", None):
        _request.years = {}


def install() -> None:
    workdays.set_override_provider(overrides_for_year)
    request_started.connect(_remember, dispatch_uid="calendar_remember")
    request_finished.connect(_forget, dispatch_uid="calendar_forget")
    post_save.connect(_changed, sender=CalendarOverride, dispatch_uid="calendar_saved")
    post_delete.connect(_changed, sender=CalendarOverride, dispatch_uid="calendar_deleted")


def _check(actor) -> None:
    if not access.can_manage_calendar(actor):
        raise NotAllowed(_("Only administrators change the working-day calendar."))


def _fields(o: CalendarOverride) -> dict:
    return {"is_working_day": o.is_working_day, "reason": o.reason, "source": o.source}


@transaction.atomic
def override_set(
    *, actor, date: dt.date, is_working_day: bool, reason: str, source: str = "manual"
) -> CalendarOverride:
    _check(actor)
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError.field("reason", _("is required (e.g. 補班, typhoon closure)"))
    if len(reason) > 100:
        raise ServiceError.field("reason", _("is too long (at most %(n)d characters)") % {"n": 100})
    existing = CalendarOverride.objects.select_for_update().filter(date=date).first()
    before = _fields(existing) if existing else {}
    row, created = CalendarOverride.objects.update_or_create(
        date=date,
        defaults={"is_working_day": is_working_day, "reason": reason, "source": source},
    )
    changes = audit.diff(before, _fields(row))
    if changes:
        audit.record(
            actor=actor, action=A.CREATE if created else A.UPDATE, obj=row, changes=changes
        )
    return row


@transaction.atomic
def override_delete(*, actor, date: dt.date) -> None:
    _check(actor)
    row = CalendarOverride.objects.filter(date=date).first()
    if row is None:
        raise NotFound
    audit.record(actor=actor, action=A.DELETE, obj=row, changes=audit.diff(_fields(row), {}))
    row.delete()


def _official_date(raw: str, row: int) -> dt.date:
    # YYYYMMDD as the official CSV has it; YYYY-MM-DD is what a date cell of an ODS gives.
    try:
        if _OFFICIAL_DATE.fullmatch(raw):
            return dt.date(int(raw[:4]), int(raw[-4:-2]), int(raw[-2:]))
        if _ISO_DATE.fullmatch(raw):
            return dt.date.fromisoformat(raw)
    except ValueError:
        pass
    raise ServiceError.field(
        "西元日期", _("%(v)r is not a date in YYYYMMDD form") % {"v": raw}, row=row
    )


def _parse_official_rows(rows: list[tuple[int, dict]]) -> list[tuple[dt.date, bool, str]]:
    parsed, seen = [], {}
    for number, row in rows:
        raw_date = (row.get("西元日期") or "").strip()
        day = _official_date(raw_date, number)
        if day in seen:
            raise ServiceError.field(
                "西元日期",
                _("%(v)s already appears on row %(r)d") % {"v": raw_date, "r": seen[day]},
                number,
            )
        seen[day] = number
        flag = (row.get("是否放假") or "").strip()
        if flag not in ("0", "2"):
            raise ServiceError.field(
                "是否放假",
                _("must be 0 (working day) or 2 (day off), not %(v)r") % {"v": flag},
                number,
            )
        note = (row.get("備註") or "").strip()
        if len(note) > 100:
            raise ServiceError.field(
                "備註", _("is too long (at most %(n)d characters)") % {"n": 100}, number
            )
        parsed.append((day, flag == "0", note))
    if not parsed:
        raise ServiceError.field("file", _("has no rows"))
    return parsed


def _apply_official_day(actor, day: dt.date, working: bool, note: str, existing) -> str | None:
    """Make one day's override agree with the official calendar; what was done, if anything."""
    if working == workdays.rule_is_working_day(day):
        # The rule already gives the right answer. An override from an earlier official
        # import that the calendar no longer carries (a cancelled 補班 day) must go;
        # overrides entered by hand (typhoon closures) are not the calendar's to undo.
        if existing is not None and existing.source == CalendarOverride.Source.OFFICIAL:
            audit.record(
                actor=actor,
                action=A.DELETE,
                obj=existing,
                changes=audit.diff(_fields(existing), {}),
            )
            existing.delete()
            return "deleted"
        return None
    fields = {
        "is_working_day": working,
        "reason": note or (_("Make-up working day") if working else _("Day off")),
        "source": CalendarOverride.Source.OFFICIAL,
    }
    before = _fields(existing) if existing is not None else {}
    changes = audit.diff(before, fields)
    if not changes:
        return None
    row, created = CalendarOverride.objects.update_or_create(date=day, defaults=fields)
    audit.record(actor=actor, action=A.CREATE if created else A.UPDATE, obj=row, changes=changes)
    return "created" if created else "updated"


def import_official_calendar(*, actor, content: bytes, filename: str) -> dict:
    """Store, as overrides, every day where the official calendar differs from the rule.

    All rows are read and checked before the write transaction begins; on any error
    nothing is imported. A year is some 365 rows; a file holds at most MAX_ROWS.
    """
    _check(actor)
    rows = read_table(
        content,
        filename,
        required=OFFICIAL_COLUMNS,
        columns=ALL_OFFICIAL_COLUMNS,
        max_rows=MAX_ROWS,
    )
    parsed = _parse_official_rows(rows)
    with transaction.atomic():
        return _write_official_days(actor, parsed, filename)


def _write_official_days(actor, parsed: list[tuple[dt.date, bool, str]], filename: str) -> dict:
    days = [day for day, _working, _note in parsed]
    existing = {
        o.date: o
        for o in CalendarOverride.objects.select_for_update().filter(
            date__gte=min(days), date__lte=max(days)
        )
    }
    counts = {"created": 0, "updated": 0, "deleted": 0}
    for day, working, note in parsed:
        done = _apply_official_day(actor, day, working, note, existing.get(day))
        if done:
            counts[done] += 1
    first, last = min(days), max(days)
    result = {"rows": len(parsed), **counts}
    audit.record(
        actor=actor,
        action=A.IMPORT,
        object_type="core.calendaroverride",
        object_repr=f"{filename} {first}…{last}"[:200],
        changes={"import": [None, result]},
    )
    return result
