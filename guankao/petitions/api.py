"""Citizen service centre API (/api/v1/petitions/…): cases (list, file, read), assignment,
re-routing and extension requests and their decisions, replies (draft, approve, return),
field work done, §173 closing, merging, reopening, categories, the year's statistics and
the import of an earlier system's cases.

Scoping is the selectors': a case you may not read is a 404. The petitioner's data is
masked unless you handle the case and ask `?whole=1` (that view is written to the audit
trail). Every refusal of input is a 400 or 422 naming the field.
"""

from django.db import transaction
from django.db.models import prefetch_related_objects
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from guankao.core import validation
from guankao.core.api_paging import Mapped
from guankao.core.api_types import Id, Paging
from guankao.core.errors import NotAllowed, ServiceError
from guankao.core.models import Department
from guankao.petitions import (
    access,
    case_files,
    categories,
    dispatch_choices,
    dispatch_measures,
    handling,
    imports,
    selectors,
    services,
    suggest,
)
from guankao.petitions.models import Case, Category
from guankao.petitions.schemas import (
    AssignIn,
    CaseDetailOut,
    CaseFilters,
    CaseIn,
    CaseOut,
    CategoryCode,
    CategoryFields,
    CategoryIn,
    CategoryOut,
    DecideIn,
    DispatchMeasuresOut,
    ExtendIn,
    FieldDoneIn,
    FileOut,
    ImportOut,
    MergeIn,
    NotProcessedIn,
    ReopenIn,
    ReplyIn,
    ReplyOut,
    RequestOut,
    RerouteIn,
    ReturnIn,
    StatisticsFilters,
    StatisticsOut,
    SuggestIn,
    SuggestOut,
)

router = Router(tags=["petitions"])


def _code(obj) -> str | None:
    return obj.code if obj is not None else None


def _case_out(c: Case) -> dict:
    person = selectors.masked(c)
    return {
        "id": c.pk,
        "number": c.number,
        "kind": c.kind,
        "channel": c.channel,
        "status": c.status,
        "subject": c.subject,
        "category": c.category.code,
        "category_name": c.category.name,
        "lead": _code(c.lead),
        "lead_name": c.lead.name if c.lead_id else None,
        "received_at": c.received_at,
        "due_date": c.due_date,
        "field_due_at": c.field_due_at,
        "closed_at": c.closed_at,
        "confidential": c.confidential,
        "overdue": c.overdue,
        "name": person.name,
        "phone": person.phone,
    }


def _request_out(r) -> dict:
    fields = ["kind", "state", "reason", "site_visit", "new_due", "requested_at", "decided_at"]
    return {f: getattr(r, f) for f in fields} | {
        "id": r.pk,
        "department": r.department.code,
        "suggested": _code(r.suggested),
        "decision_note": r.decision_note,
    }


def _reply_out(r) -> dict:
    fields = ["state", "method", "text", "public_text", "drafted_at", "sent_at", "return_reason"]
    return {f: getattr(r, f) for f in fields} | {"id": r.pk}


def _detail(user, pk: Id, whole: bool = False) -> dict:
    case = selectors.case_get(user=user, pk=pk)
    prefetch_related_objects([case], "co_departments")
    events = [
        {
            "kind": e.kind,
            "at": e.at,
            "actor": str(e.actor) if e.actor_id else None,
            "department": _code(e.department),
            "note": e.note,
            "public": e.public,
        }
        for e in selectors.timeline(case)
    ]
    requests = case.requests.select_related("department", "suggested").order_by("pk")
    fields = ["text", "anonymous", "location", "latitude", "longitude", "source_number"]
    fields += ["source_due", "extensions", "reopened", "field_done_at", "rule_173"]
    return (
        _case_out(case)
        | {f: getattr(case, f) for f in fields}
        | {
            "petitioner": selectors.petitioner(user=user, case=case, whole=whole).__dict__,
            "co_departments": sorted(d.code for d in case.co_departments.all()),
            "merged_into": case.merged_into.number if case.merged_into_id else None,
            "handles": access.handles(user, case),
            "events": events,
            "requests": [_request_out(r) for r in requests],
            "replies": [_reply_out(r) for r in case.replies.order_by("pk")],
        }
    )


def _filters(data: dict) -> dict:
    if data.get("department") and not Department.objects.filter(code=data["department"]).exists():
        message = _("no department has the code %(c)s") % {"c": data["department"]}
        raise ServiceError.field("department", message)
    if data.get("category") and not Category.objects.filter(code=data["category"]).exists():
        raise ServiceError.field("category", _("is not a category"))
    return {k: v for k, v in data.items() if v not in ("", None, False)}


# Cases ------------------------------------------------------------------------------------


@router.get("petitions/cases", response=list[CaseOut])
@paginate(Paging)
def list_cases(request, filters: Query[CaseFilters]):
    """Cases you may read, newest first; `status` defaults to the open ones. Personal data
    is always masked in the list."""
    rows = selectors.case_list(user=request.user, filters=_filters(filters.dict()))
    return Mapped(rows, _case_out)


@router.post("petitions/cases", response={201: CaseDetailOut})
def create_case(request, payload: CaseIn):
    """File a call, walk-in, letter, mailbox message or transfer. A consultation is filed
    with its `answer` and closed at once. What the smart dispatch would have suggested is
    recorded beside the category chosen (`suggested`: the version of the suggestions shown,
    if any); `merge_into` files it as a possible duplicate (併案) of an open case."""
    case, _merged = dispatch_choices.file_case(actor=request.user, **payload.dict())
    return Status(201, _detail(request.user, case.pk))


@router.get("petitions/cases/{pk}", response=CaseDetailOut)
def get_case(request, pk: Id, whole: bool = False):
    """The case with its timeline, requests and replies; `?whole=1` gives the petitioner's
    data whole to those who handle the case and logs that view."""
    return _detail(request.user, pk, whole)


def _case(request, pk: Id) -> Case:
    return selectors.case_get(user=request.user, pk=pk)


@router.post("petitions/cases/{pk}/assign", response=CaseDetailOut)
def assign_case(request, pk: Id, payload: AssignIn):
    """The officer names the lead department and any co-operating ones; what the smart
    dispatch suggests is recorded beside the department chosen (`suggested`: the version
    of the suggestions shown, if any)."""
    data = payload.dict()
    shown = bool(data.pop("suggested"))
    with transaction.atomic():
        case = services.case_assign(actor=request.user, case=_case(request, pk), **data)
        dispatch_choices.record(actor=request.user, case=case, stage="assign", shown=shown)
    return _detail(request.user, pk)


@router.post("petitions/cases/{pk}/reroute", response={201: RequestOut})
def ask_reroute(request, pk: Id, payload: RerouteIn):
    """The lead department says the case is not theirs (within its window)."""
    data = payload.dict()
    data["suggested"] = data["suggested"] or None
    made = handling.reroute_request(actor=request.user, case=_case(request, pk), **data)
    return Status(201, _request_out(made))


@router.post("petitions/cases/{pk}/extend", response={201: RequestOut})
def ask_extension(request, pk: Id, payload: ExtendIn):
    """The lead department asks for a later deadline (never past the 30-day cap)."""
    made = handling.extension_request(actor=request.user, case=_case(request, pk), **payload.dict())
    return Status(201, _request_out(made))


@router.post("petitions/requests/{pk}/decide", response=RequestOut)
def decide_request(request, pk: Id, payload: DecideIn):
    """The officer approves or refuses a re-routing or extension request."""
    asked = selectors.request_get(user=request.user, pk=pk)
    data = payload.dict()
    data["lead"] = data["lead"] or None
    decided = handling.request_decide(actor=request.user, request=asked, **data)
    return _request_out(decided)


@router.post("petitions/cases/{pk}/reply", response={201: ReplyOut})
def draft_reply(request, pk: Id, payload: ReplyIn):
    """The department's reply: sent at once where liaisons may reply directly, otherwise
    waiting for the head (`state` says which)."""
    reply = handling.reply_draft(actor=request.user, case=_case(request, pk), **payload.dict())
    return Status(201, _reply_out(reply))


@router.post("petitions/replies/{pk}/approve", response=ReplyOut)
def approve_reply(request, pk: Id):
    reply = selectors.reply_get(user=request.user, pk=pk)
    return _reply_out(handling.reply_approve(actor=request.user, reply=reply))


@router.post("petitions/replies/{pk}/return", response=ReplyOut)
def return_reply(request, pk: Id, payload: ReturnIn):
    reply = selectors.reply_get(user=request.user, pk=pk)
    return _reply_out(handling.reply_return(actor=request.user, reply=reply, **payload.dict()))


@router.post("petitions/cases/{pk}/field-done", response=CaseDetailOut)
def field_work_done(request, pk: Id, payload: FieldDoneIn | None = None):
    """派工 finished on the street (`done_at` defaults to now)."""
    data = payload.dict() if payload else {}
    handling.field_done(actor=request.user, case=_case(request, pk), **data)
    return _detail(request.user, pk)


@router.post("petitions/cases/{pk}/not-processed", response=CaseDetailOut)
def close_173(request, pk: Id, payload: NotProcessedIn):
    """Close under 行政程序法 §173, citing the ground (`repeat` needs a note)."""
    services.case_not_processed(actor=request.user, case=_case(request, pk), **payload.dict())
    return _detail(request.user, pk)


@router.post("petitions/cases/{pk}/merge", response=CaseDetailOut)
def merge_case(request, pk: Id, payload: MergeIn):
    """併案: this case joins the earlier open case numbered `into`."""
    case = _case(request, pk)
    validation.require(access.manages(request.user))  # before telling which numbers exist
    into = selectors.case_by_number(user=request.user, number=payload.into)
    services.case_merge(actor=request.user, case=case, into=into, note=payload.note)
    return _detail(request.user, pk)


@router.post("petitions/cases/{pk}/reopen", response=CaseDetailOut)
def reopen_case(request, pk: Id, payload: ReopenIn):
    """An unsatisfied petitioner's replied case reopened, once, with a new deadline."""
    handling.case_reopen(actor=request.user, case=_case(request, pk), **payload.dict())
    return _detail(request.user, pk)


# Files ------------------------------------------------------------------------------------


def _file_out(f) -> dict:
    return {
        "id": f.pk,
        "name": f.original_name,
        "content_type": f.content_type,
        "size": f.size,
        "sha256": f.sha256,
        "uploaded_at": f.uploaded_at,
        "uploaded_by": f.uploaded_by.get_username(),
        "department": f.department.code,
        "download": reverse("file_download", args=[f.pk]),
        "thumbnail": reverse("file_thumbnail", args=[f.pk]) if f.thumbnail else None,
    }


@router.get("petitions/cases/{pk}/files", response=list[FileOut])
def list_files(request, pk: Id):
    """The case's files (附件), oldest first: to those who handle the case; others who
    read it get a 403. Each download from `download` is written to the audit trail."""
    files = case_files.case_files_list(user=request.user, case=_case(request, pk))
    return [_file_out(f) for f in files]


@router.post("petitions/cases/{pk}/files", response={201: list[FileOut]})
def upload_files(request, pk: Id, files: File[list[UploadedFile] | None] = None):
    """Add files to an open case (multipart, one or more `files`): photos (stored without
    their metadata: EXIF GPS...), PDF and ODF documents, at most five a case. Each is
    checked by its content; with any problem none is stored. The case's handlers only."""
    added = case_files.case_files_add(actor=request.user, case=_case(request, pk), files=files)
    return Status(201, [_file_out(f) for f in added])


# Categories, statistics, import -----------------------------------------------------------


def _category_out(c: Category) -> dict:
    fields = ["code", "name", "reply_workdays", "dispatch", "field_work_limit"]
    fields += ["field_work_unit", "public", "keywords", "description", "active"]
    return {f: getattr(c, f) for f in fields} | {
        "parent": _code(c.parent),
        "department": _code(c.department),
    }


@router.get("petitions/categories", response=list[CategoryOut])
def list_categories(request, active: bool = False):
    """The category tree in order (`?active=1`: only those in use)."""
    return [_category_out(c) for c in selectors.categories(active_only=active)]


@router.post("petitions/categories", response={201: CategoryOut})
def create_category(request, payload: CategoryIn):
    data = {k: v for k, v in payload.dict().items() if v is not None}
    return Status(201, _category_out(categories.category_create(actor=request.user, **data)))


@router.patch("petitions/categories/{code}", response=CategoryOut)
def update_category(request, payload: CategoryFields, code: CategoryCode):
    """Only the fields sent change; `parent` moves the category with its subtree."""
    category = selectors.category_get(code=code)
    data = payload.dict(exclude_unset=True)
    return _category_out(categories.category_update(actor=request.user, category=category, **data))


@router.get("petitions/statistics", response=StatisticsOut)
def statistics(request, filters: Query[StatisticsFilters]):
    """The year's figures (`department` takes its sub-units): the officer's over every case;
    executives', administrators' and call-takers' over the city's cases but confidential
    ones; a liaison's or head's over the cases their department leads."""
    department = None
    if filters.department:
        department = Department.objects.filter(code=filters.department).first()
        if department is None:
            raise ServiceError.field(
                "department", _("no department has the code %(c)s") % {"c": filters.department}
            )
    figures = selectors.overview(user=request.user, year=filters.year, department=department)
    return figures.__dict__ | {"on_time_rate": figures.on_time_rate}


@router.post("petitions/import", response=ImportOut)
def import_cases(request, file: File[UploadedFile | None] = None, dry_run: Form[bool] = True):
    """Historical cases from the earlier 1999 system (CSV or ODS, multipart `file`).
    `dry_run` (the default) lists every problem by row and column and writes nothing; a
    real run writes every row or, with any problem, none. 管考 officers only."""
    if not imports.can_import(request.user):
        raise NotAllowed(_("Only 管考 officers import cases."))
    if file is None:
        raise ServiceError.field("file", _("is required"))
    return imports.case_import(
        actor=request.user, content=file.read(), filename=file.name or "", dry_run=dry_run
    )


# Smart dispatch -----------------------------------------------------------------------------


@router.post("petitions/suggest", response=SuggestOut)
def suggest_case(request, payload: SuggestIn):
    """The likely categories and departments of a case being typed (top 3, calibrated
    scores), the words that weighed most, the most similar past cases and how they were
    handled, and possible duplicates (open cases of the same category within the distance
    and days, or with a very similar text). `confident` is false, with `notes` saying why,
    when the text gives little to go on (punctuation, emoji, English). Empty text is a 400
    naming `text`; a coordinate outside the city, or one without the other, a 400 naming
    `lat` or `long`. For those who file or assign cases."""
    validation.require(suggest.may_suggest(request.user))
    answer = suggest.suggest(
        user=request.user,
        text=payload.text,
        subject=payload.subject,
        latitude=payload.lat,
        longitude=payload.long,
        category=payload.category or None,
        exclude=payload.case,
    )
    return suggest.as_json(answer)


@router.get("petitions/dispatch/measures", response=DispatchMeasuresOut)
def dispatch_figures(request):
    """The serving model (version, training date, data size, held-out top-1/top-3), the
    share of filed cases where the suggestion was taken, and the re-routing (改分) rate
    per month before and after suggestions were on. Those who read the petitions figures."""
    from guankao.petitions.views import may_read_figures

    validation.require(may_read_figures(request.user))
    return dispatch_measures.measures(user=request.user)
