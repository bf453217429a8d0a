"""Request and response schemas of the controlled cases API (guankao/tracking/api.py).

Request bodies refuse unknown fields (a 422 naming the field) rather than drop them.
"""

import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal

from ninja import Field, Schema
from pydantic import BaseModel, ConfigDict, Strict

from guankao.core.api_types import Code, DateText, Id, MultilineStr, SafeStr, Search
from guankao.tracking.models import Item, Kind, Report

KINDS = Literal[tuple(Kind.values)]  # type: ignore[valid-type]
LEVELS = Literal[tuple(Item.Level.values)]  # type: ignore[valid-type]
Money = Annotated[int, Strict(), Field(ge=0)]
Whole = Annotated[int, Strict(), Field(ge=-(2**31), le=2**31 - 1)]


def _any(*values) -> type:
    return Literal[tuple(["", *values])]  # type: ignore[return-value]


# Schemas ---------------------------------------------------------------------------------


class In(Schema):
    """A request body: a field this endpoint does not take is a 422 naming it, not ignored."""

    model_config = ConfigDict(extra="forbid")


class ItemFields(In):
    level: LEVELS | None = None
    description: MultilineStr | None = Field(None, max_length=5000)
    budget_total: Money | None = None
    budget_year: Money | None = None
    start_date: DateText | None = None
    finish_date: DateText | None = None
    due_date: DateText | None = None
    tender_number: SafeStr | None = Field(None, max_length=60)
    contractor: SafeStr | None = Field(None, max_length=200)
    contract_sum: Money | None = None
    site_address: SafeStr | None = Field(None, max_length=300)
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    grant_source: SafeStr | None = Field(None, max_length=200)
    grant_amount: Money | None = None
    matching_funds: Money | None = None
    co_departments: list[Code] | None = Field(None, max_length=50)


class ItemIn(ItemFields):
    kind: KINDS
    number: SafeStr = Field(..., max_length=40)
    title: SafeStr = Field(..., max_length=300)
    lead: Code


class ItemPatch(ItemFields):
    """Only the fields sent change; null clears an optional field."""

    version: SafeStr = Field(..., max_length=40, description="`version` of the item as read")
    kind: KINDS | None = None
    number: SafeStr | None = Field(None, max_length=40)
    title: SafeStr | None = Field(None, max_length=300)
    lead: Code | None = None


class ItemFilters(Schema):
    kind: _any(*Kind.values) = ""
    status: _any("open", "all", *Item.Status.values) = Field("", description="default: open")
    lag: _any(*Item.Lag.values) = ""
    risk: _any(*Item.Risk.values) = ""
    level: _any(*Item.Level.values) = ""
    department: Code = Field("", description="a code; takes its sub-units")
    q: Search = ""
    overdue: bool = False


class BoardFilters(Schema):
    kind: _any(*Kind.values) = ""
    level: _any(*Item.Level.values) = ""
    department: Code = ""


class GeoFilters(Schema):
    kind: _any(*Kind.values) = ""
    status: _any("open", "all", *Item.Status.values) = ""
    department: Code = ""


class MilestoneIn(In):
    title: SafeStr = Field(..., max_length=200)
    due: DateText


class DoneIn(In):
    done_on: DateText | None = Field(None, description="default: today; null marks it not done")


class MilestoneUpdateIn(In):
    done_on: DateText | None = None
    late_reason: MultilineStr = Field("", max_length=2000)
    expected_on: DateText | None = None


class ReportIn(In):
    year: Whole
    month: Whole
    planned: Decimal | None = Field(
        None, description="refused: the planned figures come from the approved baseline"
    )
    actual: Decimal | None = None
    money_planned: Money | None = Field(
        None, description="refused: the planned figures come from the approved baseline"
    )
    money_spent: Money | None = None
    work_done: MultilineStr = Field("", max_length=5000)
    problems: MultilineStr = Field("", max_length=5000, description="遭遇困難")
    countermeasures: MultilineStr = Field("", max_length=5000, description="因應對策")
    lag_reason: MultilineStr = Field("", max_length=5000)
    lag_categories: list[Annotated[SafeStr, Field(max_length=30)]] = Field(
        default_factory=list, max_length=20, description="lag reason category codes"
    )
    correction_reason: MultilineStr = Field("", max_length=5000)
    milestones: dict[Annotated[str, Field(pattern=r"^[0-9]{1,19}$")], MilestoneUpdateIn] = Field(
        default_factory=dict, description="open milestones by id: done on a date, or late"
    )
    handling: _any(*Report.Handling.values) = ""
    result: MultilineStr = Field("", max_length=5000)


class BaselineIn(In):
    method: Literal["curve", "typed"]
    start_date: DateText | None = None
    finish_date: DateText | None = None
    budget_total: Money | None = None
    months_text: MultilineStr = Field(
        "", max_length=20000, description="typed: 115/03 12.5 1200000"
    )
    reason: MultilineStr = Field("", max_length=5000)


class BaselineOut(BaseModel):
    id: int
    item: int
    revision: int
    state: str
    source: str
    reason: str
    start_date: dt.date
    finish_date: dt.date
    budget_total: int | None
    months: list
    decision_note: str


class NoteIn(In):
    note: MultilineStr = Field("", max_length=2000)


class ReleaseIn(In):
    result: MultilineStr = Field(..., max_length=5000)
    completed_on: DateText | None = Field(None, description="completion or acceptance date")
    exception_reason: MultilineStr = Field(
        "", max_length=5000, description="why to release without the full evidence"
    )


class MeetingIn(In):
    year: Whole
    month: Whole
    held_on: DateText
    title: SafeStr = Field("", max_length=200)
    chair: SafeStr = Field("", max_length=100)


class DecisionIn(In):
    text: MultilineStr = Field(..., max_length=2000)
    department: Code
    due: DateText
    entry: Id | None = Field(None, description="the agenda entry it decides, if any")


class CloseIn(In):
    minutes: MultilineStr = Field(..., max_length=20000)
    held_on: DateText | None = None


class RulesIn(In):
    report_due_day: Whole
    review_workdays: Whole
    remind_workdays: Whole
    escalate_workdays: Whole
    serious_gap: Decimal = Field(..., description="percentage points")
    money_share: Decimal = Field(..., description="percent of planned spending")
    city_min_budget: Money
    city_kinds: list[KINDS] = Field(..., max_length=len(Kind.values))


# Output rows are dicts, so plain pydantic models (as core and plans do).
class MilestoneOut(BaseModel):
    id: int
    item: int
    title: str
    due: dt.date
    done_on: dt.date | None


class ItemOut(BaseModel):
    id: int
    number: str
    title: str
    kind: str
    level: str
    status: str
    lead: str
    lead_name: str
    budget_total: int | None
    budget_year: int | None
    due_date: dt.date | None
    finish_date: dt.date | None
    lag: str
    money_behind: bool
    risk: str
    report_overdue: bool
    last_year: int | None
    last_month: int | None
    planned: Decimal | None
    actual: Decimal | None
    spent: int | None
    forecast_finish: dt.date | None
    forecast_late: bool


class ItemDetailOut(ItemOut):
    version: str
    reports_progress: bool
    description: str
    start_date: dt.date | None
    tender_number: str
    contractor: str
    contract_sum: int | None
    site_address: str
    latitude: Decimal | None
    longitude: Decimal | None
    grant_source: str
    grant_amount: int | None
    matching_funds: int | None
    co_departments: list[str]
    milestones: list[MilestoneOut]
    forecast_method: str
    origin_meeting: int | None
    release_result: str
    release_note: str
    completed_on: dt.date | None
    release_exception: str
    released_at: dt.datetime | None
    created_at: dt.datetime
    updated_at: dt.datetime


class ReportOut(BaseModel):
    id: int
    item: int
    year: int
    month: int
    revision: int
    state: str
    planned: Decimal | None
    actual: Decimal | None
    money_planned: int | None
    money_spent: int | None
    work_done: str
    problems: str
    countermeasures: str
    lag_reason: str
    correction_reason: str
    imported_planned: Decimal | None
    handling: str
    result: str
    behind: bool
    seriously_behind: bool
    money_behind: bool
    due_on: dt.date
    late: bool
    filed_by: str
    filed_at: dt.datetime
    review_due: dt.date
    reviewed_by: str | None
    reviewed_at: dt.datetime | None
    review_note: str


class DirectiveRef(BaseModel):
    id: int
    number: str


class DecisionOut(BaseModel):
    id: int
    meeting: int
    entry: int | None
    text: str
    department: str
    due: dt.date
    directive: DirectiveRef | None


class AgendaOut(BaseModel):
    id: int
    order: int
    reason: str
    item: int
    number: str
    title: str
    lead: str
    lag: str
    planned: Decimal | None
    actual: Decimal | None


class MeetingOut(BaseModel):
    id: int
    year: int
    month: int
    title: str
    held_on: dt.date
    chair: str
    status: str
    entries: int
    decided: int
    closed_at: dt.datetime | None


class MeetingDetailOut(MeetingOut):
    minutes: str
    agenda: list[AgendaOut]
    decisions: list[DecisionOut]


class DepartmentCounts(BaseModel):
    code: str
    name: str
    total: int
    open: int
    serious: int
    behind: int
    overdue: int
    released: int


class BoardOut(BaseModel):
    total: int
    by_status: dict[str, int]
    by_lag: dict[str, int]
    by_risk: dict[str, int]
    overdue: int
    money_behind: int
    forecast_late: int
    early_warning: int = Field(description="on schedule by percent, yet forecast to finish late")
    departments: list[DepartmentCounts]


class BehindOut(ItemOut):
    gap: Decimal | None


class RulesOut(BaseModel):
    report_due_day: int
    review_workdays: int
    remind_workdays: int
    escalate_workdays: int
    serious_gap: Decimal
    money_share: Decimal
    city_min_budget: int
    city_kinds: list[str]
    updated_at: dt.datetime


# Helpers ---------------------------------------------------------------------------------
