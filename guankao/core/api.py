"""Core API: departments, staff, calendar, audit, tokens. Validation here, logic in services."""

import datetime as dt
from typing import Literal

from django.db import transaction
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import BaseModel

from guankao.core import calendar, selectors, services
from guankao.core.api_auth import PUBLIC
from guankao.core.api_paging import Mapped
from guankao.core.api_types import Code, DateText, Id, Paging, SafeStr, Search, Year
from guankao.core.errors import NotFound, ServiceError
from guankao.core.models import AuditEntry, DepartmentKind, Role
from guankao.lib import workdays
from guankao.lib.masking import mask_email, mask_phone
from guankao.lib.roc import DateFormatError, format_roc, parse_date

router = Router()


# Schemas ---------------------------------------------------------------------------------


# Output rows are built as dicts, so plain pydantic models: ninja's Schema wraps every
# item in an attribute getter, which costs more than the query on a 300-row list.
class DepartmentOut(BaseModel):
    code: str
    name: str
    name_en: str
    kind: str
    parent: str | None
    depth: int
    active: bool


class DepartmentIn(Schema):
    code: Code
    name: SafeStr = Field(..., max_length=100)
    name_en: SafeStr = Field("", max_length=150)
    kind: Literal[tuple(DepartmentKind.values)]  # type: ignore[valid-type]
    parent: Code | None = None
    sort_order: int = Field(0, ge=0, le=2**31 - 1)


class DepartmentPatch(Schema):
    name: SafeStr | None = Field(None, max_length=100)
    name_en: SafeStr | None = Field(None, max_length=150)
    kind: Literal[tuple(DepartmentKind.values)] | None = None  # type: ignore[valid-type]
    parent: Code | None = None
    sort_order: int | None = Field(None, ge=0, le=2**31 - 1)
    active: bool | None = None


class StaffOut(BaseModel):
    id: int
    username: str
    name: str
    title: str
    department: str | None
    roles: list[str]
    email: str
    phone: str
    personal_data_masked: bool
    active: bool


class StaffIn(Schema):
    username: SafeStr = Field(..., max_length=150)
    name: SafeStr = Field(..., max_length=100)
    department: Code
    title: SafeStr = Field("", max_length=100)
    email: SafeStr = Field("", max_length=254)
    phone: SafeStr = Field("", max_length=40)
    roles: list[Literal[tuple(Role.values)]] = []  # type: ignore[valid-type]


class StaffPatch(Schema):
    name: SafeStr | None = Field(None, max_length=100)
    department: Code | None = None
    title: SafeStr | None = Field(None, max_length=100)
    email: SafeStr | None = Field(None, max_length=254)
    phone: SafeStr | None = Field(None, max_length=40)
    roles: list[Literal[tuple(Role.values)]] | None = None  # type: ignore[valid-type]
    active: bool | None = None


class WorkingDayOut(Schema):
    date: dt.date
    roc_date: str
    is_working_day: bool
    reason: str | None


class AddWorkingDaysOut(Schema):
    date: dt.date
    days: int
    result: dt.date
    roc_result: str


class BetweenOut(Schema):
    start: dt.date
    end: dt.date
    working_days: int


class OverrideIn(Schema):
    date: DateText
    is_working_day: bool
    reason: SafeStr = Field(..., max_length=100)


class OverrideOut(Schema):
    date: dt.date
    is_working_day: bool
    reason: str
    source: str


class AuditOut(BaseModel):
    id: int
    at: dt.datetime
    actor: str
    ip: str | None
    action: str
    object_type: str
    object_id: str
    object_repr: str
    changes: dict
    note: str


class AuditFilters(Schema):
    actor: SafeStr = Field("", max_length=150)
    action: Literal[tuple(["", *AuditEntry.Action.values])] = ""  # type: ignore[valid-type]
    object_type: SafeStr = Field("", max_length=60)
    object_id: SafeStr = Field("", max_length=64)
    department: Code = ""
    since: DateText = ""
    until: DateText = ""


class TokenIn(Schema):
    name: SafeStr = Field(..., min_length=1, max_length=100)
    days: int | None = Field(None, ge=1, le=3660, description="valid for (default the most)")


class TokenOut(Schema):
    id: int
    name: str
    hint: str
    created_at: dt.datetime
    expires_at: dt.datetime
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None


class TokenCreated(TokenOut):
    token: str


# Helpers ---------------------------------------------------------------------------------


def _date(field: str, value: str) -> dt.date:
    try:
        return parse_date(value)
    except DateFormatError as exc:
        raise ServiceError.field(field, str(exc)) from None


def _department_by_code(user, field: str, code: str | None):
    if code is None or code == "":
        return None
    try:
        return selectors.department_get(user=user, code=code)
    except NotFound:
        raise ServiceError.field(field, f"unknown department code {code!r}") from None


def _department_out(d) -> dict:
    return {
        "code": d.code,
        "name": d.name,
        "name_en": d.name_en,
        "kind": d.kind,
        "parent": d.parent.code if d.parent_id else None,
        "depth": d.depth,
        "active": d.active,
    }


def _staff_out(user, p) -> dict:
    # Whole personal data only of oneself; others' through the logged personal-data call.
    whole = p.pk == user.pk
    return {
        "id": p.pk,
        "username": p.username,
        "name": p.display_name,
        "title": p.title,
        "department": p.department.code if p.department_id else None,
        "roles": sorted(p.role_set),
        "email": p.email if whole else mask_email(p.email),
        "phone": p.phone if whole else mask_phone(p.phone),
        "personal_data_masked": not whole,
        "active": p.is_active,
    }


# Departments -----------------------------------------------------------------------------


@router.get("departments", response=list[DepartmentOut], auth=PUBLIC, tags=["departments"])
def list_departments(request, include_inactive: bool = False):
    """The whole organisation tree in tree order (it is public information)."""
    rows = selectors.department_rows(user=request.user, include_inactive=include_inactive)
    return [
        {
            "code": r["code"],
            "name": r["name"],
            "name_en": r["name_en"],
            "kind": r["kind"],
            "parent": r["parent_code"],
            "depth": r["path"].count("/") - 2,
            "active": r["active"],
        }
        for r in rows
    ]


@router.get("departments/{code}", response=DepartmentOut, auth=PUBLIC, tags=["departments"])
def get_department(request, code: Code):
    return _department_out(selectors.department_get(user=request.user, code=code))


@router.post("departments", response={201: DepartmentOut}, tags=["departments"])
def create_department(request, payload: DepartmentIn):
    data = payload.dict()
    data["parent"] = _department_by_code(request.user, "parent", data["parent"])
    return Status(201, _department_out(services.department_create(actor=request.user, **data)))


@router.patch("departments/{code}", response=DepartmentOut, tags=["departments"])
def update_department(request, code: Code, payload: DepartmentPatch):
    department = selectors.department_get(user=request.user, code=code)
    data = payload.dict(exclude_unset=True)
    if "parent" in data:
        data["parent"] = _department_by_code(request.user, "parent", data["parent"])
    data = {k: v for k, v in data.items() if v is not None or k == "parent"}
    return _department_out(
        services.department_update(actor=request.user, department=department, **data)
    )


# Staff -----------------------------------------------------------------------------------


@router.get("staff", response=list[StaffOut], tags=["staff"])
@paginate(Paging)
def list_staff(
    request,
    department: Code = "",
    q: Search = "",
    role: Literal[tuple(["", *Role.values])] = "",  # type: ignore[valid-type]
):
    """Staff the caller may see; e-mail and phone are masked unless the caller may see them."""
    scope = _department_by_code(request.user, "department", department)
    rows = selectors.staff_list(user=request.user, department=scope, q=q, role=role)
    return Mapped(rows, lambda p: _staff_out(request.user, p))


@router.get("staff/{pk}", response=StaffOut, tags=["staff"])
def get_staff(request, pk: Id):
    return _staff_out(request.user, selectors.staff_get(user=request.user, pk=pk))


@router.post("staff/{pk}/personal-data", response=dict, tags=["staff"])
def view_personal_data(request, pk: Id):
    """The whole e-mail and phone; the view is written to the audit trail."""
    person = selectors.staff_get(user=request.user, pk=pk)
    return services.staff_personal_data(actor=request.user, user=person)


@router.post("staff", response={201: StaffOut}, tags=["staff"])
def create_staff(request, payload: StaffIn):
    data = payload.dict()
    data["display_name"] = data.pop("name")
    data["department"] = _department_by_code(request.user, "department", data["department"])
    return Status(201, _staff_out(request.user, services.staff_create(actor=request.user, **data)))


@router.patch("staff/{pk}", response=StaffOut, tags=["staff"])
def update_staff(request, pk: Id, payload: StaffPatch):
    person = selectors.staff_get(user=request.user, pk=pk)
    data = {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None}
    if "name" in data:
        data["display_name"] = data.pop("name")
    if "active" in data:
        data["is_active"] = data.pop("active")
    if "department" in data:
        data["department"] = _department_by_code(request.user, "department", data["department"])
    return _staff_out(request.user, services.staff_update(actor=request.user, user=person, **data))


# Calendar --------------------------------------------------------------------------------


@router.get("calendar/is-working-day", response=WorkingDayOut, auth=PUBLIC, tags=["calendar"])
def is_working_day(request, date: DateText):
    """`date` as 2026-11-27 or 民國 115/11/27."""
    day = _date("date", date)
    working, reason = calendar.explain(day)
    return {"date": day, "roc_date": format_roc(day), "is_working_day": working, "reason": reason}


@router.get("calendar/add-working-days", response=AddWorkingDaysOut, auth=PUBLIC, tags=["calendar"])
def add_working_days(request, date: DateText, days: int = Query(..., ge=-3650, le=3650)):
    """The n-th working day after `date` (the start day itself is not counted)."""
    day = _date("date", date)
    result = workdays.add_working_days(day, days)
    return {"date": day, "days": days, "result": result, "roc_result": format_roc(result)}


@router.get("calendar/working-days-between", response=BetweenOut, auth=PUBLIC, tags=["calendar"])
def working_days_between(request, start: DateText, end: DateText):
    """Working days after `start` up to and including `end`."""
    first, last = _date("start", start), _date("end", end)
    if abs((last - first).days) > 3660:
        raise ServiceError.field("end", "at most ten years after start")
    return {"start": first, "end": last, "working_days": workdays.working_days_between(first, last)}


@router.get("calendar/overrides", response=list[OverrideOut], auth=PUBLIC, tags=["calendar"])
def list_overrides(request, year: Year):
    return list(calendar.overrides_list(year=year))


@router.put("calendar/overrides", response=OverrideOut, tags=["calendar"])
def set_override(request, payload: OverrideIn):
    day = _date("date", payload.date)
    return calendar.override_set(
        actor=request.user, date=day, is_working_day=payload.is_working_day, reason=payload.reason
    )


@router.delete("calendar/overrides/{date}", response={204: None}, tags=["calendar"])
def delete_override(request, date: DateText):
    calendar.override_delete(actor=request.user, date=_date("date", date))
    return Status(204, None)


# Audit -----------------------------------------------------------------------------------


@router.get("audit", response=list[AuditOut], tags=["audit"])
@paginate(Paging)
def list_audit(request, filters: Query[AuditFilters]):
    data = filters.dict()
    data["department"] = _department_by_code(request.user, "department", data["department"])
    for key in ("since", "until"):
        data[key] = _date(key, data[key]) if data[key] else None
    return Mapped(selectors.audit_list(user=request.user, **data), _audit_out)


def _audit_out(e) -> dict:
    return {
        "id": e.pk,
        "at": e.at,
        "actor": e.actor_name,
        "ip": e.ip,
        "action": e.action,
        "object_type": e.object_type,
        "object_id": e.object_id,
        "object_repr": e.object_repr,
        "changes": e.changes,
        "note": e.note,
    }


# Personal API tokens ---------------------------------------------------------------------


@router.get("me/tokens", response=list[TokenOut], tags=["tokens"])
def list_tokens(request):
    return list(request.user.api_tokens.all())


@router.post("me/tokens", response={201: TokenCreated}, tags=["tokens"])
def create_token(request, payload: TokenIn):
    """The token is in this answer only; it is stored hashed and cannot be shown again."""
    with transaction.atomic():
        token, raw = services.token_create(actor=request.user, name=payload.name, days=payload.days)
    return Status(201, {**TokenOut.from_orm(token).dict(), "token": raw})


@router.delete("me/tokens/{pk}", response={204: None}, tags=["tokens"])
def revoke_token(request, pk: Id):
    services.token_revoke(actor=request.user, token_id=pk)
    return Status(204, None)
