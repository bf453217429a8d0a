import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from guankao.core import access, audit, calendar, selectors
from guankao.core.errors import FieldProblem, NotAllowed, NotFound, ServiceError
from guankao.core.forms import (
    AuditFilterForm,
    OverrideForm,
    UploadForm,
    WorkdayCalcForm,
    add_service_errors,
)
from guankao.core.http import CappedPaginator, dated_filename, download, import_refused
from guankao.core.tabular import write_csv, write_ods
from guankao.lib import workdays


@login_required
def calendar_view(request):
    today = dt.date.today()
    calc_form = WorkdayCalcForm(request.GET or None)
    result = None
    if calc_form.is_bound and calc_form.is_valid():
        start, days = calc_form.cleaned_data["date"], calc_form.cleaned_data["days"]
        result = {"start": start, "days": days, "due": workdays.add_working_days(start, days)}
    override_form = OverrideForm(request.POST or None)
    may_edit = access.can_manage_calendar(request.user)
    if request.method == "POST":
        if not may_edit:
            raise PermissionDenied
        if override_form.is_valid():
            try:
                calendar.override_set(actor=request.user, **override_form.cleaned_data)
                messages.success(request, _("Saved."))
                return redirect("calendar")
            except ServiceError as exc:
                add_service_errors(override_form, exc)
    year = today.year
    overrides = selectors.calendar_overrides(user=request.user, around_year=year)
    return render(
        request,
        "core/calendar.html",
        {
            "calc_form": calc_form,
            "result": result,
            "override_form": override_form,
            "upload_form": UploadForm(),
            "overrides": overrides,
            "may_edit": may_edit,
        },
        status=400 if override_form.errors or calc_form.errors else 200,
    )


@login_required
@require_POST
def calendar_import(request):
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        message = _("Choose the office calendar CSV file to import.")
        return import_refused(request, "calendar", [FieldProblem("file", message)])
    upload = form.cleaned_data["file"]
    try:
        result = calendar.import_official_calendar(
            actor=request.user, content=upload.read(), filename=upload.name
        )
    except ServiceError as exc:
        return import_refused(request, "calendar", exc.problems)
    except NotAllowed:
        raise PermissionDenied from None
    messages.success(
        request,
        _(
            "Read %(rows)d days: %(created)d new overrides, %(updated)d changed, %(deleted)d "
            "removed."
        )
        % result,
    )
    return redirect("calendar")


AUDIT_COLUMNS = ["時間", "帳號", "IP", "動作", "紀錄類型", "紀錄編號", "紀錄", "異動內容", "備註"]
AUDIT_EXPORT_LIMIT = 100_000


def _audit_rows(request):
    departments = selectors.department_choices(user=request.user)
    form = AuditFilterForm(request.GET or None, departments=departments)
    filters = {}
    if form.is_valid():
        data = form.cleaned_data
        filters = {
            k: data[k] for k in ("actor", "action", "object_type", "since", "until") if data[k]
        }
        if data["department"]:
            try:
                filters["department"] = selectors.department_get(
                    user=request.user, code=data["department"]
                )
            except NotFound:
                form.add_error("department", _("Unknown department code."))
    return form, selectors.audit_list(user=request.user, **filters)


@login_required
def audit_view(request):
    try:
        form, rows = _audit_rows(request)
    except NotFound:
        raise Http404 from None
    page = CappedPaginator(rows, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "described": audit.describe(page.object_list),
        "query": query.urlencode(),
    }
    return render(request, "core/audit.html", context, status=400 if form.errors else 200)


@login_required
def audit_export(request, fmt: str):
    try:
        _form, rows = _audit_rows(request)
    except NotFound:
        raise Http404 from None
    data = [
        [
            timezone.localtime(d.entry.at).isoformat(timespec="seconds"),
            d.entry.actor_name,
            d.entry.ip or "",
            d.entry.get_action_display(),
            d.record_type,
            d.entry.object_id,
            d.name,
            "；".join(str(c) for c in d.changes),
            d.note,
        ]
        for d in audit.describe(rows[:AUDIT_EXPORT_LIMIT])
    ]
    if fmt == "ods":
        content = write_ods({"audit": (AUDIT_COLUMNS, data)})
        content_type, ext = "application/vnd.oasis.opendocument.spreadsheet", "ods"
    else:
        content, content_type, ext = (
            write_csv(AUDIT_COLUMNS, data),
            "text/csv; charset=utf-8",
            "csv",
        )
    name = dated_filename("稽核紀錄", ext)
    return download(content, name, content_type, fallback=f"guankao-audit.{ext}")
