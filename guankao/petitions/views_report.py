"""The citizens' own pages, without signing in: report a problem (/report/), the case
number and follow-up code once filed, follow a case (/report/track/), and the public map
and list of street problems (/report/map/). Thin: petitions.public and public_pages do
the work; a refused form comes back with status 400 and nothing stored."""

from django.conf import settings
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from guankao.core.errors import NotFound, ServiceError
from guankao.core.proxies import client_address
from guankao.lib.roc import format_roc
from guankao.petitions import public, public_pages
from guankao.petitions.forms_report import PublicFilterForm, ReportForm, TrackForm
from guankao.petitions.models import Category

FILED_KEY = "report_filed"
PAGE_SIZE = 50
TOO_MANY = 429


def _public_categories(*, questions: bool = False):
    rows = Category.objects.filter(public=True, active=True, department__isnull=False)
    rows = rows.select_related("parent").order_by("path")
    return rows.prefetch_related("attributes") if questions else rows


def _map_context() -> dict:
    return {"tiles": settings.GUANKAO_MAP_TILES, "attribution": settings.GUANKAO_MAP_ATTRIBUTION}


def _bbox() -> str:
    return ",".join(str(v) for v in settings.GUANKAO_CITY_BBOX)


@never_cache
@require_http_methods(["GET", "POST"])
def report(request):
    form = ReportForm(
        request.POST or None, request.FILES or None, categories=_public_categories(questions=True)
    )
    status, refusal = 200, ""
    if request.method == "POST":
        status = 400
        if public_pages.filing_limited(client_address(request)):
            status = TOO_MANY
            refusal = _(
                "Too many reports have come from your connection in the last hour. "
                "Please try again later, or call 1999."
            )
        elif form.is_valid():
            try:
                case, code = public_pages.report_file(**form.report())
            except ServiceError as exc:
                form.add_report_errors(exc)
            else:
                request.session[FILED_KEY] = {
                    "number": case.number,
                    "code": code,
                    "due": format_roc(case.due_date),
                    "email": bool(case.email),
                    "category": case.category.name,
                }
                return redirect("report_filed")
    context = {
        "form": form,
        "refusal": refusal,
        "bbox": _bbox(),
        "max_upload": filesizeformat(settings.GUANKAO_MAX_UPLOAD_BYTES),
        **_map_context(),
    }
    return render(request, "petitions/report/report.html", context, status=status)


@never_cache
@require_GET
def filed(request):
    """The case number and the follow-up code, shown once (taken from the session)."""
    shown = request.session.pop(FILED_KEY, None)
    if not shown:
        return redirect("report")
    return render(request, "petitions/report/filed.html", {"filed": shown})


@never_cache
@require_http_methods(["GET", "POST"])
def track(request):
    form = TrackForm(request.POST or None)
    status, tracked, refusal = 200, None, ""
    if request.method == "POST":
        status = 400
        if public_pages.tracking_limited(client_address(request)):
            status = TOO_MANY
            refusal = _(
                "Too many wrong case numbers or codes have come from your connection. "
                "Please try again in an hour, or call 1999."
            )
        elif form.is_valid():
            number, code = form.cleaned_data["number"], form.cleaned_data["code"]
            try:
                tracked = public_pages.case_track(number=number, code=code)
                status = 200
            except NotFound:
                public_pages.tracking_failed(number)
                form.add_error(
                    None,
                    _(
                        "No case matches this case number and follow-up code. Check both "
                        "and try again."
                    ),
                )
    context = {"form": form, "tracked": tracked, "refusal": refusal}
    return render(request, "petitions/report/track.html", context, status=status)


def _feature(case: public.PublicCase, label: str) -> dict:
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [float(case.long), float(case.lat)]},
        "properties": {
            "number": case.number,
            "category": case.service_name,
            "status": label,
            "open": case.status == "open",
            "place": case.address,
        },
    }


@require_GET
def public_map(request):
    """The last 90 days' reports of street problems, open and closed, on a map and in a
    table (the table is the page; the map is added when it loads). No personal data, no
    confidential case: petitions.public's view."""
    categories = list(_public_categories())
    form = PublicFilterForm(request.GET or None, categories=categories)
    status, cases = 200, []
    if form.is_bound and not form.is_valid():
        status = 400
    else:
        data = form.cleaned_data if form.is_bound else {}
        filters = {"status": data.get("status") or None}
        if data.get("category"):
            filters["service_codes"] = [data["category"]]
        cases = public.public_cases(filters)
    labels = {"open": _("Being handled"), "closed": _("Closed")}
    rows = [
        {
            "case": c,
            "status": labels[c.status],
            "received": format_roc(timezone.localdate(c.requested)),
        }
        for c in cases
    ]
    features = [_feature(c, labels[c.status]) for c in cases if c.lat is not None]
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "total": len(rows),
        "located": len(features),
        "query": query.urlencode(),
        "features": {"type": "FeatureCollection", "features": features},
        "limited": len(cases) >= public.LIMIT,
        "days": public.WINDOW_DAYS,
        "track_url": reverse("report_track"),
        **_map_context(),
    }
    return render(request, "petitions/report/map.html", context, status=status)
