"""Request and response schemas of the petitions API (guankao/petitions/api.py).

Request bodies refuse unknown fields (a 422 naming the field) rather than drop them. Dates
are ISO (民國 115/11/27 is accepted on input); date-times carry their time zone.
"""

import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal

from ninja import Field, Schema
from pydantic import ConfigDict

from guankao.core.api_types import Code, DateText, MultilineStr, SafeStr, Search, Year
from guankao.petitions.models import Case, Category, Channel, Reply

CategoryCode = Annotated[SafeStr, Field(max_length=40, description="a category code")]


def _any(*values) -> type:
    return Literal[tuple(["", *values])]  # type: ignore[return-value]


class In(Schema):
    """A request body: a field this endpoint does not take is a 422 naming it, not ignored."""

    model_config = ConfigDict(extra="forbid")


class CaseIn(In):
    kind: Literal[tuple(Case.Kind.values)]  # type: ignore[valid-type]
    channel: Literal[tuple(Channel.values)]  # type: ignore[valid-type]
    subject: SafeStr = Field(..., max_length=200)
    text: MultilineStr = Field(..., max_length=20000)
    category: SafeStr = Field(..., max_length=40, description="a category code (a leaf)")
    received_at: dt.datetime | None = Field(None, description="default: now")
    anonymous: bool = False
    name: SafeStr = Field("", max_length=100)
    phone: SafeStr = Field("", max_length=30)
    email: SafeStr = Field("", max_length=254)
    address: SafeStr = Field("", max_length=200)
    confidential: bool = False
    location: SafeStr = Field("", max_length=200)
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    source_number: SafeStr = Field("", max_length=60)
    source_due: DateText | None = None
    answer: MultilineStr = Field(
        "", max_length=5000, description="a consultation answered on the spot"
    )
    suggested: SafeStr = Field(
        "",
        max_length=40,
        description="the model version of the suggestions (petitions/suggest) shown while "
        "the case was typed, if any: recorded with what was chosen against them",
    )
    merge_into: SafeStr = Field(
        "",
        max_length=20,
        description="併案: a possible duplicate's number; an officer's case is merged into it "
        "at once, anyone else's is filed with it noted for the officer",
    )


class CaseFilters(Schema):
    status: _any("open", "closed", "all", *Case.Status.values) = Field(
        "", description="default: open"
    )
    department: SafeStr = Field("", max_length=40, description="a code; takes its sub-units")
    category: SafeStr = Field("", max_length=40, description="a code; takes its subtree")
    channel: _any(*Channel.values) = ""
    overdue: bool = False
    due: bool = Field(False, description="open cases due within three days")
    year: Year | None = None
    q: Search = ""


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


class FileOut(Schema):
    id: int
    name: str = Field(..., description="the uploaded name, cleaned")
    content_type: str = Field(..., description="the type found in the content")
    size: int = Field(..., description="bytes")
    sha256: str = Field(..., description="of the stored content (photos: without metadata)")
    uploaded_at: dt.datetime
    uploaded_by: str
    department: str
    download: str = Field(..., description="the address serving it (each download is logged)")
    thumbnail: str | None = Field(None, description="a photo's thumbnail, 320 px")


class AssignIn(In):
    lead: SafeStr = Field(..., max_length=40)
    co_departments: list[Code] = Field([], max_length=20)
    suggested: SafeStr = Field(
        "", max_length=40, description="the model version of the suggestions shown, if any"
    )


class RerouteIn(In):
    reason: MultilineStr = Field(..., max_length=2000)
    site_visit: bool = False
    suggested: SafeStr = Field("", max_length=40, description="a department code")


class ExtendIn(In):
    reason: MultilineStr = Field(..., max_length=2000)
    new_due: DateText


class DecideIn(In):
    approve: bool
    note: MultilineStr = Field("", max_length=500, description="required to refuse")
    lead: SafeStr = Field("", max_length=40, description="re-routing: the department it goes to")


class ReplyIn(In):
    text: MultilineStr = Field(..., max_length=10000)
    method: Literal[tuple(Reply.Method.values)]  # type: ignore[valid-type]
    public_text: MultilineStr = Field("", max_length=2000)


class ReturnIn(In):
    reason: MultilineStr = Field(..., max_length=500)


class FieldDoneIn(In):
    note: MultilineStr = Field("", max_length=2000)
    done_at: dt.datetime | None = None


class NotProcessedIn(In):
    rule: Literal[tuple(Case.Rule173.values)]  # type: ignore[valid-type]
    note: MultilineStr = Field("", max_length=2000)


class MergeIn(In):
    into: SafeStr = Field(..., max_length=20, description="the number of the earlier open case")
    note: MultilineStr = Field("", max_length=2000)


class ReopenIn(In):
    reason: MultilineStr = Field(..., max_length=2000)
    due: DateText


class CategoryFields(In):
    name: SafeStr | None = Field(None, max_length=100)
    parent: SafeStr | None = Field(None, max_length=40)
    department: SafeStr | None = Field(None, max_length=40)
    reply_workdays: int | None = Field(None, ge=1, le=30)
    dispatch: bool | None = None
    field_work_limit: int | None = Field(None, ge=1, le=720)
    field_work_unit: _any(*Category.Unit.values) | None = None
    public: bool | None = None
    keywords: SafeStr | None = Field(None, max_length=300)
    description: MultilineStr | None = Field(None, max_length=300)
    active: bool | None = None


class CategoryIn(CategoryFields):
    code: SafeStr = Field(..., max_length=40)
    name: SafeStr = Field(..., max_length=100)


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
    year: Year
    department: SafeStr = Field("", max_length=40)


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


# Smart dispatch ------------------------------------------------------------------------------


class SuggestIn(In):
    text: MultilineStr = Field(..., max_length=20000, description="what the petitioner says")
    subject: SafeStr = Field("", max_length=200)
    lat: Decimal | None = Field(None, description="where the problem is (WGS 84), in the city")
    long: Decimal | None = None
    category: SafeStr = Field(
        "", max_length=40, description="the case's category, for duplicates (assign page)"
    )
    case: int | None = Field(None, ge=1, le=2**63 - 1, description="a case to leave out")


class SuggestedCategory(Schema):
    code: str
    name: str
    department: str
    department_name: str
    score: float


class SuggestedDepartment(Schema):
    code: str
    name: str
    score: float


class SuggestedWord(Schema):
    text: str
    weight: float


class SuggestedCase(Schema):
    case: str = Field(description="the case number")
    id: int
    subject: str
    category: str
    department: str | None
    status: str
    score: float
    reason: str = ""
    reply: str | None = Field(None, description="the public summary of its reply")
    workdays_taken: int | None = None


class SuggestModel(Schema):
    kind: Literal["model", "rules"]
    version: str
    trained_at: str | None
    cases: int
    top1: float | None
    top3: float | None


class SuggestOut(Schema):
    categories: list[SuggestedCategory]
    departments: list[SuggestedDepartment]
    words: list[SuggestedWord]
    confident: bool
    notes: list[str]
    duplicates: list[SuggestedCase]
    similar: list[SuggestedCase]
    model: SuggestModel


class DispatchMonth(Schema):
    month: str
    closed: int
    rerouted: int
    rate: float | None
    suggestions: Literal["before", "after"]


class DispatchMeasuresOut(Schema):
    model: dict | None
    choices: int
    shown: int
    category_taken: float | None
    department_taken: float | None
    suggestions_on: dt.date | None
    rerouting: list[DispatchMonth]
    rerouting_before: float | None
    rerouting_after: float | None
