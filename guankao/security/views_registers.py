"""The core systems and outages (machine-room services) pages — the register, one outage
(its end, cause and services), one service — and the registers' exports."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from guankao.core.errors import NotFound
from guankao.core.http import dated_filename, download
from guankao.security import access, exports_registers
from guankao.security import selectors_registers as reads
from guankao.security import services_registers as svc
from guankao.security.forms_registers import OutageForm, ServiceForm
from guankao.security.views_common import managed_agencies, post_form
from guankao.security.views_incidents import _int, _need

ODS = "application/vnd.oasis.opendocument.spreadsheet"
ODT = "application/vnd.oasis.opendocument.text"


@login_required
@require_http_methods(["GET", "POST"])
def outages(request):
    user = request.user
    _need(user)
    managed = managed_agencies(user)
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
            "managed_ids": {a.pk for a in managed},
            "retired": [s for s in services if not s.active],
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

            return post_form(request, service_form, act, page, "security_outages")
        if kind == "outage":

            def act():
                data = dict(outage_form.cleaned_data)
                chosen = [s for s in mine if s.pk in data.pop("services")]
                return svc.outage_create(
                    actor=user, agency=chosen[0].agency, services=chosen, **data
                )

            return post_form(request, outage_form, act, page, "security_outages")
        return page(400)
    return page(200)


def _moment_initial(value):
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M") if value else None


@login_required
@require_http_methods(["GET", "POST"])
def outage_detail(request, pk: int):
    """One outage: record its end (after its start), correct its cause, whether it was
    planned and the services it took down."""
    user = request.user
    _need(user)
    try:
        item = reads.outage_get(user=user, pk=pk)
    except NotFound:
        raise Http404 from None
    may = access.can_manage(user, item.agency)
    services = [s for s in reads.service_list(user=user) if s.agency_id == item.agency_id]
    initial = {
        "started_at": _moment_initial(item.started_at),
        "ended_at": _moment_initial(item.ended_at),
        "planned": item.planned,
        "cause": item.cause,
        "services": [s.pk for s in item.services.all()],
    }
    form = OutageForm(request.POST or None, services=services, initial=initial)

    def page(status):
        context = {"outage": item, "form": form if may else None}
        return render(request, "security/outage.html", context, status=status)

    if request.method == "POST":
        if not may:
            raise PermissionDenied

        def act():
            data = dict(form.cleaned_data)
            chosen = [s for s in services if s.pk in data.pop("services")]
            return svc.outage_update(actor=user, outage=item, services=chosen, **data)

        start = timezone.localtime(item.started_at)
        done = f"{reverse('security_outages')}?year={start.year}&month={start.month}"
        return post_form(request, form, act, page, done)
    return page(200)


@login_required
@require_http_methods(["GET", "POST"])
def service_detail(request, pk: int):
    """One core system or machine-room service: its owner, protection level, maintenance
    window, whether it is in service."""
    user = request.user
    _need(user)
    try:
        item = reads.service_get(user=user, pk=pk)
    except NotFound:
        raise Http404 from None
    may = access.can_manage(user, item.agency)
    fields = ("name", "owner", "protection", "core", "machine_room", "maintenance", "active")
    form = ServiceForm(request.POST or None, initial={f: getattr(item, f) for f in fields})

    def page(status):
        context = {"service": item, "form": form if may else None}
        return render(request, "security/service.html", context, status=status)

    if request.method == "POST":
        if not may:
            raise PermissionDenied
        act = lambda: svc.service_update(actor=user, service=item, **form.cleaned_data)  # noqa: E731
        return post_form(request, form, act, page, "security_outages")
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
