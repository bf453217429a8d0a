"""The columns of a PCMS export and how their values read (tracking/imports.py)."""

import re
import unicodedata
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from guankao.core.errors import FieldProblem, ServiceError
from guankao.lib.roc import DateFormatError, format_roc_month, is_year, parse_date, parse_year
from guankao.tracking.models import Item, Report

# field: (the headings accepted for it, what it holds). The first heading is the PCMS
# export's own, and the one a problem names when the column is missing. Headings match
# whatever their case, spacing, full-width forms and a unit in brackets ("預定進度(%)").
COLUMNS = {
    "tender_number": (
        ("標案案號", "tender number"),
        gettext_lazy("Tender number; a new one creates a public work with it as its number"),
    ),
    "title": (("標案名稱", "title"), gettext_lazy("Title; required for a new item")),
    "lead": (
        ("主辦機關代碼", "lead department code", "lead department", "lead"),
        gettext_lazy("Lead department's code, such as PW"),
    ),
    "period": (
        ("資料年月", "進度年月", "year month", "month", "period"),
        gettext_lazy("Month of the figures: 115/10, 11510 or 2026-10"),
    ),
    "planned": (
        ("預定進度", "planned progress", "planned"),
        gettext_lazy("Planned progress to date, percent 0–100"),
    ),
    "actual": (
        ("實際進度", "actual progress", "actual"),
        gettext_lazy("Actual progress to date, percent 0–100; never below an earlier month"),
    ),
    "finish_date": (
        ("預定完工日", "預定完工日期", "planned finish", "finish date"),
        gettext_lazy("Planned finish date: 115/12/31 or 2026-12-31"),
    ),
    "start_date": (("開工日", "開工日期", "實際開工日", "start date"), gettext_lazy("Start date")),
    "contract_sum": (
        ("決標金額", "契約金額", "contract sum"),
        gettext_lazy("Contract sum, whole NT$"),
    ),
    "money_planned": (
        ("預定累計估驗計價金額", "money planned"),
        gettext_lazy("Planned spending to date, whole NT$"),
    ),
    "money_spent": (
        ("累計估驗計價金額", "money spent"),
        gettext_lazy("Money spent to date (valuations paid), whole NT$"),
    ),
    "contractor": (("得標廠商", "contractor"), gettext_lazy("Contractor")),
    "work_done": (("執行情形", "work done"), gettext_lazy("What was done this month")),
    "lag_reason": (
        ("落後原因", "lag reason"),
        gettext_lazy("Lag reason; required when actual is behind planned"),
    ),
}
REQUIRED = ("tender_number", "title", "lead", "period", "planned", "actual")
IMPORTED_WORK = "依標案管理系統（PCMS）資料匯入"
LIVE = (Report.State.SUBMITTED, Report.State.APPROVED)
TENDER_LENGTH = Item._meta.get_field("tender_number").max_length
# What a service calls a field, as the column of this file (the others are the same).
SERVICE_FIELDS = {
    "number": "tender_number",
    "item": "tender_number",
    "level": "lead",
    "year": "period",
    "month": "period",
}

_UNIT = re.compile(r"\((?:%|元|新臺幣元|新台幣元|nt\$|ntd)\)$")
_SPACES = re.compile(r"[\s_\-]+")
_PERIOD = re.compile(r"(?:民國)?([0-9]{2,4})\s*(?:[/\-.]|年)\s*([0-9]{1,2})\s*月?")


def _key(heading: str) -> str:
    text = _SPACES.sub("", unicodedata.normalize("NFKC", heading).casefold())
    return _UNIT.sub("", text).rstrip("%")


ALIASES = {_key(h): name for name, (headings, _d) in COLUMNS.items() for h in headings}


def month_label(year: int, month: int) -> str:
    return format_roc_month(year, month)


def pct(value: Decimal) -> str:
    return f"{value.normalize():f}"


def parse_period(value: str) -> tuple[int, int]:
    """(year, month) from 115/10, 115年10月, 11510, 2026-10, 202610 or a whole date."""
    text = unicodedata.normalize("NFKC", value or "").strip()
    if not text:
        raise ServiceError.field("period", _("is required"))
    match = _PERIOD.fullmatch(text)
    if match:
        year_raw, month_raw = match.groups()
    elif text.isascii() and text.isdigit() and len(text) in (4, 5, 6):
        year_raw, month_raw = text[:-2], text[-2:]
    else:
        try:
            day = parse_date(text)
        except DateFormatError:
            message = _("%(v)s is not a year and month; write 115/10, 11510 or 2026-10")
            raise ServiceError.field("period", message % {"v": value}) from None
        return day.year, day.month
    year = parse_year(year_raw)
    month = int(month_raw)
    if not 1 <= month <= 12 or not is_year(year):
        message = _("%(v)s is not a year and month; write 115/10, 11510 or 2026-10")
        raise ServiceError.field("period", message % {"v": value})
    return year, month


def find_columns(header: list[str]) -> tuple[dict[str, str], list[str], list[FieldProblem]]:
    """({field: the file's heading}, headings not read, problems with the heading row)."""
    found, ignored, problems = {}, [], []
    for heading in header:
        name = ALIASES.get(_key(heading))
        if name is None:
            ignored.append(heading)
        elif name in found:
            message = _("is the same column as %(other)s") % {"other": found[name]}
            problems.append(FieldProblem(heading, message, 1))
        else:
            found[name] = heading
    for name in REQUIRED:
        if name not in found:
            accepted = " / ".join(COLUMNS[name][0])
            message = _("this column is required but missing (%(h)s)") % {"h": accepted}
            problems.append(FieldProblem(COLUMNS[name][0][0], message, 1))
    return found, ignored, problems
