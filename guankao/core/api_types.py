"""Bounded input types for every API schema, query and path parameter.

Every app's API takes its text, years, ids and paging from here, so one rule holds
everywhere: text passes core.validation.text_problem (no NUL or control characters;
tabs and line breaks only in MultilineStr), years lie in lib.roc's YEAR_MIN..YEAR_MAX,
ids and offsets fit in 64 bits, and no page is longer than NINJA_PAGINATION_MAX_LIMIT.

    class NoteIn(Schema):
        title: SafeStr = Field(..., max_length=200)
        note: MultilineStr = Field("", max_length=2000)

    @router.get("things", response=list[ThingOut])
    @paginate(Paging)
    def list_things(request, q: SafeStr = Query("", max_length=100), year: Year | None = None):
"""

from typing import Annotated

from django.conf import settings
from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination
from pydantic import AfterValidator

from guankao.core.validation import SAFE_PATTERN, text_problem
from guankao.lib import roc

INT64_MAX = 2**63 - 1


def _checker(multiline: bool):
    def check(value: str) -> str:
        problem = text_problem(value, multiline=multiline)
        if problem:
            raise ValueError(str(problem))
        return value

    return check


def _text(multiline: bool, description: str):
    extra = {"pattern": SAFE_PATTERN[multiline]}
    return Annotated[
        str,
        AfterValidator(_checker(multiline)),
        Field(description=description, json_schema_extra=extra),
    ]


SafeStr = _text(False, "one line of text: no control characters")
MultilineStr = _text(True, "text: no control characters except tabs and line breaks")
Code = Annotated[SafeStr, Field(max_length=20)]
Search = Annotated[SafeStr, Field(max_length=100, description="words to look for")]
DateText = Annotated[SafeStr, Field(max_length=20, description="2026-11-27 or 民國 115/11/27")]
Year = Annotated[
    int,
    Field(ge=roc.YEAR_MIN, le=roc.YEAR_MAX, description="Gregorian year (1912–2200)"),
]
RocOrGregorianYear = Annotated[
    int,
    Field(ge=1, le=roc.YEAR_MAX, description="民國 (115) or Gregorian (2026) year"),
]
Id = Annotated[int, Field(ge=1, le=INT64_MAX)]


class Paging(LimitOffsetPagination):
    """limit/offset paging whose offset fits the database's 64-bit integers."""

    class Input(Schema):
        limit: int = Field(
            settings.NINJA_PAGINATION_PER_PAGE, ge=1, le=settings.NINJA_PAGINATION_MAX_LIMIT
        )
        offset: int = Field(0, ge=0, le=INT64_MAX - settings.NINJA_PAGINATION_MAX_LIMIT)
