"""Files out of and into plans: the KPI table (ODS, CSV) and the yearly performance report (ODT)."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from guankao.core import selectors as core_selectors
from guankao.core.errors import FieldProblem, NotAllowed, ServiceError
from guankao.core.forms import UploadForm
from guankao.core.http import dated_filename, download
from guankao.lib.roc import roc_year
from guankao.plans import kpi_table, selectors
from guankao.plans.report import performance_report_odt
from guankao.plans.views import _as_of_param, _or_404, _year_param
from guankao.reports.odf import ODT_MIME


class KpiTableImportForm(UploadForm):
    dry_run = forms.BooleanField(
        label=gettext_lazy("Check only (dry run): report what would change, write nothing"),
        required=False,
    )


@login_required
@require_GET
@never_cache
def kpi_table_export(request, pk: int, fmt: str):
    content, filename, content_type = _or_404(
        kpi_table.kpi_table_export, user=request.user, plan_id=pk, fmt=fmt
    )
    return download(content, filename, content_type)


@login_required
@require_POST
def kpi_table_import(request, pk: int):
    plan = _or_404(selectors.plan_get, user=request.user, pk=pk)
    form = KpiTableImportForm(request.POST, request.FILES)
    if not form.is_valid():
        problems = [FieldProblem("file", _("Choose a CSV or ODS file to import."))]
        context = {"plan": plan, "problems": problems, "filename": ""}
        return render(request, "plans/kpi_table_import.html", context, status=400)
    upload = form.cleaned_data["file"]
    try:
        result = kpi_table.kpi_table_import(
            actor=request.user,
            plan=plan,
            content=upload.read(),
            filename=upload.name,
            dry_run=form.cleaned_data["dry_run"],
        )
    except ServiceError as exc:
        context = {"plan": plan, "problems": exc.problems, "filename": upload.name}
        return render(request, "plans/kpi_table_import.html", context, status=400)
    except NotAllowed:
        raise PermissionDenied from None
    if result["dry_run"]:
        context = {"plan": plan, "result": result, "filename": upload.name}
        return render(request, "plans/kpi_table_import.html", context)
    messages.success(
        request,
        _(
            "Imported %(rows)d rows: %(goals_created)d new goals, %(kpis_created)d new KPIs, "
            "%(kpis_updated)d KPIs changed, %(targets_set)d targets set."
        )
        % result,
    )
    return redirect("plan_detail", pk=plan.pk)


@login_required
@require_GET
@never_cache
def performance_report(request):
    year = _year_param(request, timezone.localdate().year)
    code = request.GET.get("department", "").strip()
    department = None
    if code:
        department = _or_404(core_selectors.department_get, user=request.user, code=code)
    as_of, _error = _as_of_param(request)  # an unreadable date: as of today, as on the page
    content = performance_report_odt(
        actor=request.user, year=year, department=department, as_of=as_of
    )
    suffix = f"_{department.name}" if department is not None else ""
    name = dated_filename(f"施政績效報告_{roc_year(year)}年{suffix}", "odt")
    ascii_suffix = f"-{department.code}" if department is not None else ""
    fallback = f"performance-report-{roc_year(year)}{ascii_suffix}.odt"
    return download(content, name, ODT_MIME, fallback=fallback)
