"""The audits with their findings, and the core systems and outages (machine-room
services) pages, and the registers' exports."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from guankao.core.errors import NotFound
from guankao.core.forms import add_service_errors
from guankao.core.http import dated_filename, download, run_action
from guankao.security import access, exports_registers
from guankao.security import selectors_registers as reads
from guankao.security import services_registers as svc
from guankao.security.forms_registers import AuditForm, FindingForm, OutageForm, ServiceForm
from guankao.security.views_incidents import _int, _need

ODS = "application/vnd.oasis.opendocument.spreadsheet"
ODT = "application/vnd.oasis.opendocument.text"


def _managed(user):
    return [a for a in reads.agency_choices(user=user) if access.can_manage(user, a)]


def _post(request, form, act, page, done_url):
    if not form.is_valid():
        return page(400)

    def refused(exc):
        add_service_errors(form, exc)
        return page(200)

    return run_action(request, act, refused=refused) or redirect(done_url)


@login_required
@require_http_methods(["GET", "POST"])
def audits(request):
    user = request.user
    _need(user)
    managed = _managed(user)
    form = AuditForm(request.POST or None, agencies=managed)
    year = _int(request.GET.get("year"), 1912, 2200)
    rows = reads.audit_list(user=user, filters={"year": year})[:200]

    def page(status):
        context = {"audits": rows, "form": form if managed else None, "year": year}
        return render(request, "security/audits.html", context, status=status)

    if request.method == "POST":
        if not managed:
            raise PermissionDenied

        def act():
            data = dict(form.cleaned_data)
            data["agency"] = next(a for a in managed if a.pk == data["agency"])
            return svc.audit_create(actor=user, **data)

        return _post(request, form, act, page, "security_audits")
    return page(200)


@login_required
@require_http_methods(["GET", "POST"])
def audit_detail(request, pk: int):
    user = request.user
    _need(user)
    try:
        item = reads.audit_get(user=user, pk=pk)
    except NotFound:
        raise Http404 from None
    may = access.can_manage(user, item.agency)
    form = FindingForm(request.POST if request.POST.get("action") == "finding" else None)

    def page(status):
        context = {"audit": item, "findings": list(item.findings.all()), "form": form, "may": may}
        return render(request, "security/audit.html", context, status=status)

    if request.method == "POST":
        if not may:
            raise PermissionDenied
        action = request.POST.get("action")
        if action == "finding":
            return _post(
                request,
                form,
                lambda: svc.finding_add(actor=user, audit_item=item, **form.cleaned_data),
                page,
                request.path,
            )
        if action == "complete":
            act = lambda: svc.audit_complete(actor=user, audit_item=item)  # noqa: E731
        elif action == "close":
            finding = item.findings.filter(pk=_int(request.POST.get("finding")) or 0).first()
            if finding is None:
                return page(400)
            text = request.POST.get("follow_up", "")
            act = lambda: svc.finding_close(actor=user, finding=finding, follow_up=text)  # noqa: E731
        else:
            return page(400)
        return run_action(request, act, refused=lambda exc: page(400)) or redirect(request.path)
    return page(200)


@login_required
@require_http_methods(["GET", "POST"])
def outages(request):
    user = request.user
    _need(user)
    managed = _managed(user)
    today = timezone.localdate()
    services = list(reads.service_list(user=user))
    mine = [s for s in services if access.can_manage(user, s.agency)]
    kind = request.POST.get("action")
    service_form = ServiceForm(request.POST if kind == "service" else None, agencies=managed)
    outage_form = OutageForm(request.POST if kind == "outage" else None, services=mine)
    year = _int(request.GET.get("year"), 1912, 2200) or today.year
    month = _int(request.GET.get("month"), 1, 12) or today.month

    def page(status):
        context = {
            "services": services,
            "availability": reads.availability(user=user, year=year, month=month),
            "outages": list(reads.outage_list(user=user)[:100]),
            "service_form": service_form if managed else None,
            "outage_form": outage_form if mine else None,
            "year": year,
            "month": month,
        }
        return render(request, "security/outages.html", context, status=status)

    if request.method == "POST":
        if not managed:
            raise PermissionDenied
        if kind == "service":

            def act():
                data = dict(service_form.cleaned_data)
                data["agency"] = next(a for a in managed if a.pk == data["agency"])
                return svc.service_create(actor=user, **data)

            return _post(request, service_form, act, page, "security_outages")
        if kind == "outage":

            def act():
                data = dict(outage_form.cleaned_data)
                chosen = [s for s in mine if s.pk in data.pop("services")]
                return svc.outage_create(
                    actor=user, agency=chosen[0].agency, services=chosen, **data
                )

            return _post(request, outage_form, act, page, "security_outages")
        return page(400)
    return page(200)


@login_required
@require_http_methods(["GET"])
def register_export(request, register: str):
    _need(request.user)
    if register not in exports_registers.REGISTERS:
        raise Http404
    year = _int(request.GET.get("year"), 1912, 2200)
    content = exports_registers.REGISTERS[register](request.user, year)
    return download(content, dated_filename(f"security-{register}", "ods"), ODS)


@login_required
@require_http_methods(["GET"])
def annual_report(request):
    _need(request.user)
    year = _int(request.GET.get("year"), 1912, 2200) or timezone.localdate().year
    content = exports_registers.annual_report(request.user, year)
    return download(content, dated_filename(f"security-report-{year}", "odt"), ODT)
