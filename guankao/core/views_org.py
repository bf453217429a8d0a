from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from guankao.core import access, roster, selectors, services
from guankao.core.errors import FieldProblem, NotAllowed, NotFound, ServiceError
from guankao.core.forms import DepartmentForm, StaffForm, UploadForm, add_service_errors
from guankao.core.http import download, import_refused
from guankao.lib.masking import mask_email, mask_phone


def departments(request):
    rows = selectors.department_list(user=request.user)
    return render(request, "core/departments.html", {"departments": rows})


def _staff_view_rows(user, people):
    # Others' personal data is masked in every list and page; the whole of it is shown
    # only through the logged "show" action (services.staff_personal_data).
    return [
        {
            "person": p,
            "email": p.email if p.pk == user.pk else mask_email(p.email),
            "phone": p.phone if p.pk == user.pk else mask_phone(p.phone),
        }
        for p in people
    ]


@login_required
def staff(request):
    department, department_error = None, ""
    code = request.GET.get("department", "").strip()[:100]
    if code:
        try:
            department = selectors.department_find(user=request.user, text=code)
        except NotFound:
            department_error = _("No department is called %(code)s: choose one from the list.")
            department_error %= {"code": code}
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
            "departments": selectors.department_choices(user=request.user),
            "department": department,
            "department_error": department_error,
        },
        status=400 if department_error else 200,
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
            raise PermissionDenied from None
    return render(
        request,
        "core/staff_detail.html",
        {
            "row": _staff_view_rows(request.user, [person])[0],
            "personal": personal,
            "may_view_personal": access.can_view_personal(request.user, person),
            "may_edit": access.can_manage_person(request.user, person),
        },
    )


@login_required
@require_POST
def roster_import(request, kind: str):
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        message = _("Choose a CSV or ODS file to import.")
        return import_refused(request, kind, [FieldProblem("file", message)])
    upload = form.cleaned_data["file"]
    importers = {"departments": roster.import_departments, "staff": roster.import_staff}
    if kind not in importers:
        raise Http404
    importer = importers[kind]
    try:
        result = importer(actor=request.user, content=upload.read(), filename=upload.name)
    except ServiceError as exc:
        return import_refused(request, kind, exc.problems)
    except NotAllowed:
        raise PermissionDenied from None
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
        raise PermissionDenied from None
    except ServiceError:
        raise Http404 from None
    return download(content, filename, content_type)


def _department_or_404(user, code):
    try:
        return selectors.department_get(user=user, code=code)
    except NotFound:
        raise Http404 from None


@login_required
def department_edit(request, code: str | None = None):
    if not access.can_manage_departments(request.user):
        raise PermissionDenied
    department = _department_or_404(request.user, code) if code else None
    initial = {}
    if department is not None:
        initial = {
            "code": department.code,
            "name": department.name,
            "name_en": department.name_en,
            "kind": department.kind,
            "parent": department.parent.code if department.parent_id else "",
            "sort_order": department.sort_order,
            "active": department.active,
            "version": services.department_version(department),
        }
    form = DepartmentForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        try:
            parent_code = data.pop("parent")
            data["parent"] = None
            if parent_code:
                try:
                    data["parent"] = selectors.department_get(user=request.user, code=parent_code)
                except NotFound:
                    raise ServiceError.field("parent", _("Unknown department code.")) from None
            if department is None:
                data.pop("active")
                department = services.department_create(actor=request.user, **data)
            else:
                services.department_update(
                    actor=request.user, department=department, expected_version=version, **data
                )
            messages.success(request, _("Saved."))
            return redirect("departments")
        except ServiceError as exc:
            add_service_errors(form, exc)
    title = _("Edit department") if department else _("New department")
    context = {"form": form, "title": title, "back": "departments"}
    return render(request, "core/form.html", context, status=400 if form.errors else 200)


@login_required
def staff_edit(request, pk: int | None = None):
    person = None
    if pk is not None:
        try:
            person = selectors.staff_get(user=request.user, pk=pk)
        except NotFound:
            raise Http404 from None
        if not access.can_manage_person(request.user, person):
            raise PermissionDenied
    elif not access.grantable_roles(request.user):
        raise PermissionDenied
    initial = {}
    if person is not None:
        initial = {
            "username": person.username,
            "display_name": person.display_name,
            "department": person.department.code if person.department_id else "",
            "title": person.title,
            "email": person.email,
            "phone": person.phone,
            "roles": sorted(person.role_set),
            "is_active": person.is_active,
            "version": services.staff_version(person),
        }
    form = StaffForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        try:
            try:
                data["department"] = selectors.department_get(
                    user=request.user, code=data["department"]
                )
            except NotFound:
                raise ServiceError.field("department", _("Unknown department code.")) from None
            if person is None:
                data.pop("is_active")
                person = services.staff_create(actor=request.user, **data)
            else:
                services.staff_update(
                    actor=request.user, user=person, expected_version=version, **data
                )
            messages.success(request, _("Saved."))
            return redirect("staff_detail", pk=person.pk)
        except ServiceError as exc:
            add_service_errors(form, exc)
    title = _("Edit staff member") if person else _("New staff member")
    context = {"form": form, "title": title, "back": "staff"}
    return render(request, "core/form.html", context, status=400 if form.errors else 200)
