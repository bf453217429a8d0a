"""Request and response schemas of the petitions API (guankao/petitions/api.py).

Request bodies refuse unknown fields (a 422 naming the field) rather than drop them. Dates
are ISO (民國 115/11/27 is accepted on input); date-times carry their time zone.
"""

import datetime as dt
from decimal import Decimal
from typing import Literal

from ninja import Field, Schema
from pydantic import ConfigDict

from guankao.petitions.models import Case, Category, Channel, Reply

DateText = Field(..., max_length=20, description="2026-11-27 or 民國 115/11/27")


def _any(*values) -> type:
    return Literal[tuple(["", *values])]  # type: ignore[return-value]


class In(Schema):
    """A request body: a field this endpoint does not take is a 422 naming it, not ignored."""

    model_config = ConfigDict(extra="forbid")


class CaseIn(In):
    kind: Literal[tuple(Case.Kind.values)]  # type: ignore[valid-type]
    channel: Literal[tuple(Channel.values)]  # type: ignore[valid-type]
    subject: str = Field(..., max_length=200)
    text: str = Field(..., max_length=20000)
    category: str = Field(..., max_length=40, description="a category code (a leaf)")
    received_at: dt.datetime | None = Field(None, description="default: now")
    anonymous: bool = False
    name: str = Field("", max_length=100)
    phone: str = Field("", max_length=30)
    email: str = Field("", max_length=254)
    address: str = Field("", max_length=200)
    confidential: bool = False
    location: str = Field("", max_length=200)
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    source_number: str = Field("", max_length=60)
    source_due: str | None = Field(None, max_length=20)
    answer: str = Field("", max_length=5000, description="a consultation answered on the spot")


class CaseFilters(Schema):
    status: _any("open", "closed", "all", *Case.Status.values) = Field(
        "", description="default: open"
    )
    department: str = Field("", max_length=40, description="a code; takes its sub-units")
    category: str = Field("", max_length=40, description="a code; takes its subtree")
    channel: _any(*Channel.values) = ""
    overdue: bool = False
    due: bool = Field(False, description="open cases due within three days")
    year: int | None = Field(None, ge=1990, le=2200)
    q: str = Field("", max_length=100, description="the number's start or words of the subject")


class CaseOut(Schema):
    id: int
    number: str
    kind: str
    channel: str
    status: str
    subject: str
    category: str
    category_name: str
    lead: str | None
    lead_name: str | None
    received_at: dt.datetime
    due_date: dt.date | None
    field_due_at: dt.datetime | None
    closed_at: dt.datetime | None
    confidential: bool
    overdue: bool
    name: str
    phone: str


class PetitionerOut(Schema):
    name: str
    phone: str
    email: str
    address: str
    whole: bool


class EventOut(Schema):
    kind: str
    at: dt.datetime
    actor: str | None
    department: str | None
    note: str
    public: bool


class RequestOut(Schema):
    id: int
    kind: str
    state: str
    department: str
    reason: str
    site_visit: bool
    suggested: str | None
    new_due: dt.date | None
    requested_at: dt.datetime
    decided_at: dt.datetime | None
    decision_note: str


class ReplyOut(Schema):
    id: int
    state: str
    method: str
    text: str
    public_text: str
    drafted_at: dt.datetime
    sent_at: dt.datetime | None
    return_reason: str


class CaseDetailOut(CaseOut):
    text: str
    anonymous: bool
    petitioner: PetitionerOut
    location: str
    latitude: Decimal | None
    longitude: Decimal | None
    source_number: str
    source_due: dt.date | None
    co_departments: list[str]
    extensions: int
    reopened: int
    field_done_at: dt.datetime | None
    rule_173: str
    merged_into: str | None
    handles: bool
    events: list[EventOut]
    requests: list[RequestOut]
    replies: list[ReplyOut]


class AssignIn(In):
    lead: str = Field(..., max_length=40)
    co_departments: list[str] = Field([], max_length=20)


class RerouteIn(In):
    reason: str = Field(..., max_length=2000)
    site_visit: bool = False
    suggested: str = Field("", max_length=40, description="a department code")


class ExtendIn(In):
    reason: str = Field(..., max_length=2000)
    new_due: str = DateText


class DecideIn(In):
    approve: bool
    note: str = Field("", max_length=500, description="required to refuse")
    lead: str = Field("", max_length=40, description="re-routing: the department it goes to")


class ReplyIn(In):
    text: str = Field(..., max_length=10000)
    method: Literal[tuple(Reply.Method.values)]  # type: ignore[valid-type]
    public_text: str = Field("", max_length=2000)


class ReturnIn(In):
    reason: str = Field(..., max_length=500)


class FieldDoneIn(In):
    note: str = Field("", max_length=2000)
    done_at: dt.datetime | None = None


class NotProcessedIn(In):
    rule: Literal[tuple(Case.Rule173.values)]  # type: ignore[valid-type]
    note: str = Field("", max_length=2000)


class MergeIn(In):
    into: str = Field(..., max_length=20, description="the number of the earlier open case")
    note: str = Field("", max_length=2000)


class ReopenIn(In):
    reason: str = Field(..., max_length=2000)
    due: str = DateText


class CategoryFields(In):
    name: str | None = Field(None, max_length=100)
    parent: str | None = Field(None, max_length=40)
    department: str | None = Field(None, max_length=40)
    reply_workdays: int | None = None
    dispatch: bool | None = None
    field_work_limit: int | None = None
    field_work_unit: _any(*Category.Unit.values) | None = None
    public: bool | None = None
    keywords: str | None = Field(None, max_length=300)
    description: str | None = Field(None, max_length=300)
    active: bool | None = None


class CategoryIn(CategoryFields):
    code: str = Field(..., max_length=40)
    name: str = Field(..., max_length=100)


class CategoryOut(Schema):
    code: str
    name: str
    parent: str | None
    department: str | None
    reply_workdays: int | None
    dispatch: bool
    field_work_limit: int | None
    field_work_unit: str
    public: bool
    keywords: str
    description: str
    active: bool


class StatisticsFilters(Schema):
    year: int = Field(..., ge=1990, le=2200)
    department: str = Field("", max_length=40)


class StatisticsOut(Schema):
    year: int
    received: int
    closed: int
    open: int
    overdue: int
    on_time: int
    due: int
    on_time_rate: float | None
    average_workdays: float | None
    extended: int
    rerouted: int
    satisfaction: dict
    by_month: list[dict]
    by_department: list[dict]
    by_category: list[dict]
    by_channel: list[dict]


class ImportOut(Schema):
    dry_run: bool
    rows: int
    imported: int
    problems: list[dict]
