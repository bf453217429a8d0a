import datetime as dt

import segno
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import connection
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from guankao.core import access, audit, calendar, roster, selectors, services
from guankao.core.errors import NotAllowed, NotFound, ServiceError
from guankao.core.forms import (
    AuditFilterForm,
    LoginForm,
    OverrideForm,
    TokenCreateForm,
    TotpConfirmForm,
    UploadForm,
    WorkdayCalcForm,
)
from guankao.core.models import AuditEntry, CalendarOverride
from guankao.core.tabular import write_csv, write_ods
from guankao.lib import workdays
from guankao.lib.masking import mask_email, mask_phone


@require_GET
def healthz(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any driver error means the database is not reachable
        return JsonResponse({"status": "error", "database": str(exc)[:200]}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


class LoginView(auth_views.LoginView):
    template_name = "core/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


def _form_errors(form, exc: ServiceError) -> None:
    for problem in exc.problems:
        field = problem.field if problem.field in form.fields else None
        form.add_error(field, f"{problem.field}: {problem.message}" if field is None else problem.message)


@login_required
def home(request):
    return render(request, "core/home.html", {})


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "core/password_change.html"

    def form_valid(self, form):
        response = super().form_valid(form)
        services.password_changed(actor=self.request.user)
        messages.success(self.request, _("Your password has been changed."))
        return response

    def get_success_url(self):
        return "/account/"


@login_required
def account(request):
    tokens = request.user.api_tokens.all()
    device = TOTPDevice.objects.filter(user=request.user, confirmed=True).first()
    new_token = request.session.pop("new_token", None)
    return render(
        request,
        "core/account.html",
        {"tokens": tokens, "device": device, "form": TokenCreateForm(), "new_token": new_token},
    )


@login_required
@require_POST
def token_create(request):
    form = TokenCreateForm(request.POST)
    if form.is_valid():
        _token, raw = services.token_create(actor=request.user, name=form.cleaned_data["name"])
        # Shown once on the next page, then gone: only its hash is stored.
        request.session["new_token"] = raw
    else:
        messages.error(request, _("Give the token a name (at most 100 characters)."))
    return redirect("account")


@login_required
@require_POST
def token_revoke(request, pk: int):
    try:
        services.token_revoke(actor=request.user, token_id=pk)
    except NotFound:
        raise Http404 from None
    messages.success(request, _("The token has been revoked."))
    return redirect("account")


@login_required
def two_factor(request):
    user = request.user
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="default", confirmed=False)
    form = TotpConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            TOTPDevice.objects.filter(user=user, confirmed=True).delete()
            device.confirmed = True
            device.save()
            otp_login(request, device)
            audit.record(actor=user, action=AuditEntry.Action.SECURITY, obj=user, note="TOTP on")
            messages.success(request, _("Two-factor sign-in is on."))
            return redirect("account")
        form.add_error("token", _("That code is not right; check your device's clock and try again."))
    qr = segno.make(device.config_url, error="m").svg_inline(scale=4, dark="#000", light="#fff")
    return render(
        request,
        "core/two_factor.html",
        {"form": form, "qr": qr, "secret": device.key, "config_url": device.config_url},
    )


@login_required
def notifications(request):
    if request.method == "POST":
        pk = request.POST.get("id")
        services.notification_mark_read(
            actor=request.user, notification_id=int(pk) if pk and pk.isdigit() else None
        )
        return redirect("notifications")
    page = Paginator(selectors.notification_list(user=request.user), 30).get_page(
        request.GET.get("page")
    )
    return render(request, "core/notifications.html", {"page": page})


def departments(request):
    rows = selectors.department_list(user=request.user)
    return render(request, "core/departments.html", {"departments": rows})


def _staff_view_rows(user, people):
    return [
        {
            "person": p,
            "email": p.email if access.can_view_personal(user, p) else mask_email(p.email),
            "phone": p.phone if access.can_view_personal(user, p) else mask_phone(p.phone),
        }
        for p in people
    ]


@login_required
def staff(request):
    department = None
    code = request.GET.get("department", "").strip()
    if code:
        try:
            department = selectors.department_get(user=request.user, code=code)
        except NotFound:
            messages.error(request, _("Unknown department code %(code)s.") % {"code": code})
    rows = selectors.staff_list(
        user=request.user, department=department, q=request.GET.get("q", "").strip()[:100]
    )
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "core/staff.html",
        {
            "page": page,
            "rows": _staff_view_rows(request.user, page.object_list),
            "can_import": bool(access.grantable_roles(request.user)),
            "upload_form": UploadForm(),
        },
    )


@login_required
def staff_detail(request, pk: int):
    try:
        person = selectors.staff_get(user=request.user, pk=pk)
    except NotFound:
        raise Http404 from None
    personal = None
    if request.method == "POST":
        try:
            personal = services.staff_personal_data(actor=request.user, user=person)
        except NotAllowed:
            return HttpResponse(status=403)
    return render(
        request,
        "core/staff_detail.html",
        {
            "row": _staff_view_rows(request.user, [person])[0],
            "personal": personal,
            "may_view_personal": access.can_view_personal(request.user, person),
        },
    )


@login_required
@require_POST
def roster_import(request, kind: str):
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose a CSV or ODS file to import."))
        return redirect("staff")
    upload = form.cleaned_data["file"]
    importer = roster.import_departments if kind == "departments" else roster.import_staff
    try:
        result = importer(actor=request.user, content=upload.read(), filename=upload.name)
    except ServiceError as exc:
        return render(
            request, "core/import_errors.html", {"problems": exc.problems, "kind": kind}, status=400
        )
    except NotAllowed:
        return HttpResponse(status=403)
    messages.success(
        request,
        _("Imported %(rows)d rows: %(created)d new, %(updated)d updated.") % result,
    )
    return redirect("staff")


@login_required
def roster_export(request, kind: str, fmt: str):
    try:
        content, filename, content_type = roster.export(actor=request.user, kind=kind, fmt=fmt)
    except NotAllowed:
        return HttpResponse(status=403)
    except ServiceError:
        raise Http404 from None
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


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
            return HttpResponse(status=403)
        if override_form.is_valid():
            try:
                calendar.override_set(actor=request.user, **override_form.cleaned_data)
                messages.success(request, _("Saved."))
                return redirect("calendar")
            except ServiceError as exc:
                _form_errors(override_form, exc)
    year = today.year
    overrides = CalendarOverride.objects.filter(date__year__in=[year - 1, year, year + 1])
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
    )


@login_required
@require_POST
def calendar_import(request):
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose the office calendar CSV file to import."))
        return redirect("calendar")
    upload = form.cleaned_data["file"]
    try:
        result = calendar.import_official_calendar(
            actor=request.user, content=upload.read(), filename=upload.name
        )
    except ServiceError as exc:
        return render(
            request, "core/import_errors.html", {"problems": exc.problems, "kind": "calendar"}, status=400
        )
    except NotAllowed:
        return HttpResponse(status=403)
    messages.success(
        request,
        _("Read %(rows)d days: %(created)d new overrides, %(updated)d changed.") % result,
    )
    return redirect("calendar")


AUDIT_COLUMNS = ["時間", "帳號", "IP", "動作", "紀錄類型", "紀錄編號", "紀錄", "異動內容", "備註"]


def _audit_rows(request):
    form = AuditFilterForm(request.GET or None)
    filters = {}
    if form.is_valid():
        data = form.cleaned_data
        filters = {k: data[k] for k in ("actor", "action", "object_type", "since", "until") if data[k]}
        if data["department"]:
            try:
                filters["department"] = selectors.department_get(user=request.user, code=data["department"])
            except NotFound:
                form.add_error("department", _("Unknown department code."))
    return form, selectors.audit_list(user=request.user, **filters)


@login_required
def audit_view(request):
    try:
        form, rows = _audit_rows(request)
    except NotFound:
        raise Http404 from None
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "core/audit.html", {"form": form, "page": page, "query": query.urlencode()})


@login_required
def audit_export(request, fmt: str):
    try:
        _form, rows = _audit_rows(request)
    except NotFound:
        raise Http404 from None
    data = [
        [
            e.at.isoformat(),
            e.actor_name,
            e.ip or "",
            e.get_action_display(),
            e.object_type,
            e.object_id,
            e.object_repr,
            str(e.changes) if e.changes else "",
            e.note,
        ]
        for e in rows[:100_000]
    ]
    if fmt == "ods":
        content = write_ods({"audit": (AUDIT_COLUMNS, data)})
        content_type, ext = "application/vnd.oasis.opendocument.spreadsheet", "ods"
    else:
        content, content_type, ext = write_csv(AUDIT_COLUMNS, data), "text/csv; charset=utf-8", "csv"
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="guankao-audit.{ext}"'
    return response
