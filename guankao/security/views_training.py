"""The training pages (資安教育訓練): records with filters and the entry form, the import,
who is short per department, one person's year, the requirements, the ODS export."""

import datetime as dt
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from guankao.core import selectors as core_selectors
from guankao.core.errors import NotAllowed, ServiceError
from guankao.core.forms import add_service_errors
from guankao.core.http import CappedPaginator, download, import_refused, run_action
from guankao.core.models import Department, User
from guankao.security import access, exports_secops, selectors_secops, training
from guankao.security.coverage import requirement_rows
from guankao.security.forms_secops import (
    ItStaffForm,
    RequirementForm,
    ShortFilterForm,
    TrainingFilterForm,
    TrainingForm,
    TrainingImportForm,
)
from guankao.security.models import Audience, ItStaff, TrainingKind
from guankao.security.training_import import COLUMNS, training_import

PAGE_SIZE = 50


def _reader(request):
    if not access.reads_training(request.user):
        raise PermissionDenied
    return request.user


def _departments(user):
    return list(core_selectors.department_list(user=user))


def _filters(request, form_class, departments):
    form = form_class(request.GET or None, departments=departments)
    filters = {}
    if form.is_bound and form.is_valid():
        filters = {k: v for k, v in form.cleaned_data.items() if v not in ("", None, False)}
        if filters.get("department"):
            filters["department"] = Department.objects.filter(code=filters["department"]).first()
    return form, filters


def _year(filters) -> int:
    return filters.get("year") or timezone.localdate().year


@login_required
@require_http_methods(["GET", "POST"])
def training_page(request):
    user = _reader(request)
    departments = _departments(user)
    form, filters = _filters(request, TrainingFilterForm, departments)
    may_record = access.may_record_training(user)
    entry = TrainingForm(request.POST or None, prefix="new") if may_record else None

    def page(status=200):
        rows = selectors_secops.training_list(user=user, filters=filters)
        paged = CappedPaginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
        query = {k: v for k, v in request.GET.items() if k != "page"}
        context = {
            "form": form,
            "page": paged,
            "query": urlencode(query),
            "entry": entry,
            "year": _year(filters),
        }
        return render(request, "security/training.html", context, status=status)

    if request.method == "POST":
        if not may_record:
            raise PermissionDenied
        if not entry.is_valid():
            return page(400)
        person = (
            User.objects.select_related("department")
            .filter(username=entry.cleaned_data["person"])
            .first()
        )
        if person is None or not access.can_record_training(user, person):
            entry.add_error("person", _("no staff member of yours has this account"))
            return page(400)

        def refused(exc):
            add_service_errors(entry, exc)
            return page()

        data = {k: v for k, v in entry.cleaned_data.items() if k != "person"}
        response = run_action(
            request,
            lambda: training.training_record(actor=user, user=person, **data),
            refused=refused,
        )
        return response or redirect("security_training")
    return page()


@login_required
@require_http_methods(["GET", "POST"])
def training_import_page(request):
    user = request.user
    if not access.may_record_training(user):
        raise PermissionDenied
    form = TrainingImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST":
        if not form.is_valid():
            return render(
                request,
                "security/training_import.html",
                {"form": form, "columns": COLUMNS},
                status=400,
            )
        upload = form.cleaned_data["file"]
        try:
            result = training_import(
                actor=user,
                content=upload.read(),
                filename=upload.name,
                dry_run=form.cleaned_data["dry_run"],
            )
        except ServiceError as exc:
            return import_refused(request, "training", exc.problems)
        except NotAllowed as exc:
            raise PermissionDenied(str(exc)) from None
        if not result["dry_run"]:
            messages.success(
                request,
                _("Imported: %(a)d added, %(k)d already recorded.")
                % {"a": result["added"], "k": result["already_recorded"]},
            )
    context = {"form": form, "columns": COLUMNS, "result": result}
    return render(request, "security/training_import.html", context)


@login_required
@require_http_methods(["GET"])
def training_short(request):
    user = _reader(request)
    form, filters = _filters(request, ShortFilterForm, _departments(user))
    year = _year(filters)
    rows = selectors_secops.training_shortfalls(
        user=user, year=year, department=filters.get("department")
    )
    show_all = request.GET.get("all") == "1"
    shown = rows if show_all else [r for r in rows if r["owed"]]
    context = {
        "form": form,
        "year": year,
        "rows": shown,
        "total": len(rows),
        "short": sum(1 for r in rows if r["owed"]),
        "show_all": show_all,
        "kinds": TrainingKind,
        "by_department": selectors_secops.training_coverage_by_department(user=user, year=year),
    }
    return render(request, "security/training_short.html", context)


@login_required
@require_http_methods(["GET"])
def training_person(request, pk: int):
    user = _reader(request)
    person = User.objects.select_related("department").filter(pk=pk).first()
    if person is None or person.department_id is None:
        raise Http404
    scoped = User.objects.filter(access.training_staff_q(user, "department"), pk=pk).exists()
    if not scoped:
        raise Http404
    try:
        year = int(request.GET.get("year") or timezone.localdate().year)
    except ValueError:
        year = timezone.localdate().year
    year = min(max(year, 1912), 2200)
    records = selectors_secops.training_list(user=user, filters={"year": year}).filter(user=person)
    mine = [
        r
        for r in selectors_secops.training_shortfalls(
            user=user, year=year, department=person.department
        )
        if r["person"].pk == person.pk
    ]
    context = {
        "person": person,
        "year": year,
        "records": records,
        "row": mine[0] if mine else None,
        "may_delete": access.can_record_training(user, person),
    }
    return render(request, "security/training_person.html", context)


@login_required
@require_http_methods(["POST"])
def training_delete(request, pk: int):
    """Take back a record entered by mistake (the person's page), with the reason."""
    user = _reader(request)
    record = selectors_secops.training_list(user=user).filter(pk=pk).first()
    if record is None:
        raise Http404
    back = f"{reverse('security_training_person', args=[record.user_id])}?year={record.date.year}"
    try:
        training.training_delete(actor=user, record=record, reason=request.POST.get("reason", ""))
    except ServiceError as exc:
        messages.error(request, "; ".join(f"{p.message}" for p in exc.problems))
        response = redirect(back)
        response.status_code = 303
        return response
    except NotAllowed as exc:
        raise PermissionDenied(str(exc)) from None
    messages.success(request, _("Deleted."))
    return redirect(back)


@login_required
@require_http_methods(["POST"])
def it_staff(request):
    """Mark or unmark a person as IT staff (requirements page)."""
    user = request.user
    if not (access.can_edit_requirements(user) or access.is_ciso(user)):
        raise PermissionDenied
    form = ItStaffForm(request.POST)
    person = None
    if form.is_valid():
        person = User.objects.filter(username=form.cleaned_data["account"]).first()
        if person is None:
            form.add_error("account", _("no staff member has this account"))
    if person is None:
        context = {"rows": _rows(requirement_rows(), {}), "edit": False, "it_form": form}
        return render(request, "security/training_requirements.html", context, status=400)
    training.it_staff_set(actor=user, user=person, it=form.cleaned_data["it"])
    messages.success(request, _("Saved."))
    return redirect("security_training_requirements")


@login_required
@require_http_methods(["GET", "POST"])
def training_requirements(request):
    user = _reader(request)
    edit = access.can_edit_requirements(user)
    rules = requirement_rows()
    forms_by = {
        a: RequirementForm(
            request.POST if request.POST.get("audience") == a else None,
            prefix=a,
            initial={"hours": r.hours, "every_years": r.every_years, "basis": r.basis},
        )
        for a, r in rules.items()
    }
    status = 200
    if request.method == "POST":
        if not edit:
            raise PermissionDenied
        audience = request.POST.get("audience")
        form = forms_by.get(audience)
        if form is not None and form.is_valid():

            def refused(exc):
                add_service_errors(form, exc)
                return render(
                    request,
                    "security/training_requirements.html",
                    {"rows": _rows(rules, forms_by), "edit": edit},
                )

            response = run_action(
                request,
                lambda: training.requirement_update(
                    actor=user, audience=audience, **form.cleaned_data
                ),
                refused=refused,
            )
            return response or redirect("security_training_requirements")
        status = 400
    context = {"rows": _rows(rules, forms_by), "edit": edit}
    if edit or access.is_ciso(user):
        context["it_form"] = ItStaffForm()
        context["it_staff"] = ItStaff.objects.select_related("user__department").order_by(
            "user__department__path", "user__username"
        )
    return render(request, "security/training_requirements.html", context, status=status)


def _rows(rules, forms_by):
    order = [Audience.EVERYONE, Audience.IT, Audience.SECURITY]
    return [(rules[a], forms_by.get(a)) for a in order if a in rules]


@login_required
@require_http_methods(["GET"])
def training_export(request):
    user = _reader(request)
    _form, filters = _filters(request, TrainingFilterForm, _departments(user))
    rows = selectors_secops.training_list(user=user, filters=filters)
    content = exports_secops.training_ods(rows)
    return download(
        content, f"資安教育訓練-{dt.date.today():%Y%m%d}.ods", exports_secops.ODS, "training.ods"
    )
