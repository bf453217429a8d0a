"""The SOC monitoring points page: the points, when each last reported, the register of a
new point (its token shown once), a new token, the ODS export."""

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from guankao.core.errors import NotAllowed, ServiceError
from guankao.core.forms import add_service_errors
from guankao.core.http import download
from guankao.security import access, exports_secops, selectors_secops, soc
from guankao.security.forms_secops import SocFilterForm, SocPointForm, SocServiceForm
from guankao.security.models import Agency
from guankao.security.soc import SILENT_AFTER
from guankao.security.views_common import post_form

DAYS_SHOWN = 14


def _agencies(user, managed: bool):
    rows = Agency.objects.select_related("department").order_by("department__path")
    if managed or not access.reads_all(user):
        rows = rows.filter(access.agencies_managed(user))
    return list(rows)


@login_required
@require_http_methods(["GET", "POST"])
def soc_page(request):
    user = request.user
    if not access.works_here(user):
        raise PermissionDenied
    managed = _agencies(user, True)
    shown = _agencies(user, False)
    filters_form = SocFilterForm(request.GET or None, agencies=shown)
    filters = {}
    if filters_form.is_bound and filters_form.is_valid():
        data = filters_form.cleaned_data
        filters["agency"] = next((a for a in shown if str(a.pk) == data["agency"]), None)
        filters["silent"] = data["silent"]
    form = SocPointForm(request.POST or None, agencies=managed) if managed else None
    token, status = None, 200
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            agency = next(a for a in managed if str(a.pk) == form.cleaned_data["agency"])
            data = {k: v for k, v in form.cleaned_data.items() if k != "agency"}
            try:
                point, token = soc.point_create(actor=user, agency=agency, **data)
            except ServiceError as exc:
                add_service_errors(form, exc)
                status = 400
            except NotAllowed as exc:
                raise PermissionDenied(str(exc)) from None
            else:
                form = SocPointForm(agencies=managed)
        else:
            status = 400
    now = timezone.now()
    points = list(selectors_secops.soc_point_list(user=user, filters=filters))
    cutoff = now - SILENT_AFTER
    for p in points:
        p.silent = p.active and (p.last_seen_at or p.created_at) < cutoff
    context = {
        "filters": filters_form,
        "points": points,
        "form": form,
        "token": token,
        "token_point": token and point,
        "monitored_today": soc.monitored_on(timezone.localdate(now), [a.pk for a in shown]),
        "silent": sum(1 for p in points if p.silent),
        "heartbeat_url": request.build_absolute_uri("/api/v1/security/soc/heartbeat"),
    }
    return render(request, "security/soc.html", context, status=status)


def _point(request, pk: int):
    if not access.works_here(request.user):
        raise PermissionDenied
    point = selectors_secops.soc_point_list(user=request.user).filter(pk=pk).first()
    if point is None:
        raise Http404
    return point


@login_required
@require_http_methods(["GET", "POST"])
def soc_point(request, pk: int):
    """One point: its reports of the last days; its name, site and log sources changed;
    taken out of service or back (with the reason); a new token."""
    user = request.user
    point = _point(request, pk)
    may = access.can_manage(user, point.agency)
    action = request.POST.get("action") if request.method == "POST" else None
    initial = {"name": point.name, "site": point.site, "log_sources": point.log_sources}
    edit = SocPointForm(request.POST if action == "edit" else None, initial=initial)
    service = SocServiceForm(request.POST if action == "service" else None, prefix="service")

    def page(status):
        context = {
            "point": point,
            "days": list(point.days.all()[:DAYS_SHOWN]),
            "days_shown": DAYS_SHOWN,
            "may": may,
            "edit": edit,
            "service": service,
            "silent": point.active
            and (point.last_seen_at or point.created_at) < timezone.now() - SILENT_AFTER,
        }
        return render(request, "security/soc_point.html", context, status=status)

    if request.method == "POST":
        if not may:
            raise PermissionDenied
        if action == "edit":
            act = lambda: soc.point_update(actor=user, point=point, **edit.cleaned_data)  # noqa: E731
            return post_form(request, edit, act, page, request.path)
        if action == "service":

            def act():
                return soc.point_set_active(
                    actor=user,
                    point=point,
                    active=not point.active,
                    reason=service.cleaned_data["reason"],
                )

            return post_form(request, service, act, page, request.path)
        return page(400)
    return page(200)


@login_required
@require_POST
def soc_token(request, pk: int):
    user = request.user
    point = _point(request, pk)
    if not point.active:
        raise PermissionDenied(_("Bring the point back into service before giving it a token."))
    try:
        token = soc.point_new_token(actor=user, point=point)
    except NotAllowed as exc:
        raise PermissionDenied(str(exc)) from None
    context = {
        "point": point,
        "token": token,
        "heartbeat_url": request.build_absolute_uri("/api/v1/security/soc/heartbeat"),
    }
    return render(request, "security/soc_token.html", context)


@login_required
@require_http_methods(["GET"])
def soc_export(request):
    user = request.user
    if not access.works_here(user):
        raise PermissionDenied
    rows = selectors_secops.soc_point_list(user=user)
    return download(
        exports_secops.soc_ods(rows),
        f"SOC監控服務點-{dt.date.today():%Y%m%d}.ods",
        exports_secops.ODS,
        "soc-points.ods",
    )
