"""The ISAC's pages: the dashboard, members, publishing, objects, upstream servers."""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from guankao.core.errors import NotFound
from guankao.core.forms import add_service_errors
from guankao.core.http import run_action
from guankao.security.isac import access, publishing, selectors, services, stix
from guankao.security.isac.forms import (
    ChangesForm,
    ContactForm,
    GrantForm,
    MemberForm,
    PublishForm,
    SightingForm,
    UpstreamEditForm,
    UpstreamForm,
)
from guankao.security.isac.models import Collection, CollectionAccess, Member, Upstream
from guankao.security.models import Agency


def _reader(request):
    if not access.sees_pages(request.user):
        raise PermissionDenied
    return access.principal_for_user(request.user)


def _manager(request):
    if not access.can_manage(request.user):
        raise PermissionDenied


@login_required
@require_http_methods(["GET"])
def dashboard(request):
    principal = _reader(request)
    query = request.GET.get("q", "").strip()[:200]
    latest = list(
        selectors.readable_objects(principal)
        .filter(type="indicator", is_latest=True)
        .select_related("collection", "member", "upstream")
        .order_by("-date_added")[:40]
    )
    # one row per indicator: the city's own sit in two collections (incidents and TLP's)
    seen: set[str] = set()
    latest = [o for o in latest if not (o.stix_id in seen or seen.add(o.stix_id))][:20]
    counts = selectors.sightings_of(o.stix_id for o in latest)
    for obj in latest:
        obj.data = json.loads(obj.body)
        obj.sightings = counts.get(obj.stix_id, 0)
    found = list(selectors.value_search(principal, query)) if query else None
    context = {
        "figures": selectors.figures(),
        "latest": latest,
        "query": query,
        "found": found,
        "changes": ChangesForm(),
        "may_manage": access.can_manage(request.user),
        "member": principal.member,
    }
    return render(request, "isac/dashboard.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def members(request):
    _reader(request)
    may = access.can_manage(request.user)
    taken = Member.objects.exclude(agency=None).values("agency_id")
    candidates = Agency.objects.exclude(pk__in=taken).select_related("department")
    form = MemberForm(request.POST or None, agencies=candidates if may else ())
    secret = None
    if request.method == "POST":
        _manager(request)
        if form.is_valid():
            data = form.cleaned_data
            agency = candidates.filter(pk=data["agency"]).first() if data["agency"] else None
            created = {}

            def create():
                created["pair"] = services.member_create(
                    actor=request.user,
                    name=data["name"],
                    kind=data["kind"],
                    agency=agency,
                    contact_name=data["contact_name"],
                    contact_email=data["contact_email"],
                    contact_phone=data["contact_phone"],
                )

            response = run_action(request, create, refused=lambda exc: _refused(form, exc))
            if response is None:
                member, secret = created["pair"]
                return render(request, "isac/secret.html", {"member": member, "secret": secret})
            return _members_page(request, form, may, status=400)
        return _members_page(request, form, may, status=400)
    return _members_page(request, form, may)


def _refused(form, exc):
    add_service_errors(form, exc)
    from django.http import HttpResponse

    return HttpResponse(status=400)


def _members_page(request, form, may, status=200):
    rows = Member.objects.select_related("agency__department").order_by("name")
    context = {"members": rows, "form": form if may else None}
    return render(request, "isac/members.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def member_detail(request, pk):
    _reader(request)
    member = get_object_or_404(Member, pk=pk)
    collections = list(Collection.objects.select_related("api_root"))
    action = request.POST.get("action", "")
    form = GrantForm(
        request.POST if request.method == "POST" and not action else None, collections=collections
    )
    contact = ContactForm(
        request.POST if action == "contact" else None,
        prefix="contact",
        initial={k: getattr(member, k) for k in ContactForm.base_fields},
    )
    if request.method == "POST":
        _manager(request)
        if action == "contact":
            if contact.is_valid():
                response = run_action(
                    request,
                    lambda: services.member_update(
                        actor=request.user, member=member, **contact.cleaned_data
                    ),
                    refused=lambda exc: _member_page(
                        request, member, collections, form, contact, exc
                    ),
                )
                return response or redirect("isac_member", pk=member.pk)
            return _member_page(request, member, collections, form, contact)
        if request.POST.get("action") == "reset":
            secret = services.member_reset_secret(actor=request.user, member=member)
            return render(request, "isac/secret.html", {"member": member, "secret": secret})
        if request.POST.get("action") == "active":
            services.member_update(actor=request.user, member=member, active=not member.active)
            messages.success(request, _("Saved."))
            return redirect("isac_member", pk=member.pk)
        if form.is_valid():
            collection = next(
                c for c in collections if str(c.pk) == form.cleaned_data["collection"]
            )
            services.grant_set(
                actor=request.user,
                member=member,
                collection=collection,
                can_read=form.cleaned_data["can_read"],
                can_write=form.cleaned_data["can_write"],
            )
            messages.success(request, _("Saved."))
            return redirect("isac_member", pk=member.pk)
    return _member_page(request, member, collections, form, contact)


def _member_page(request, member, collections, form, contact, refused=None):
    if refused is not None:
        add_service_errors(contact, refused)
    grants = {g.collection_id: g for g in CollectionAccess.objects.filter(member=member)}
    rows = [(c, grants.get(c.pk)) for c in collections]
    manages = access.can_manage(request.user)
    context = {
        "member": member,
        "rows": rows,
        "form": form if manages else None,
        "contact": contact if manages else None,
    }
    status = 400 if form.errors or contact.errors else 200
    return render(request, "isac/member.html", context, status=status)


def _from_incident(request) -> dict:
    """`?incident=<pk>`: the form starts from an incident of the register (the CISO reads
    them all); what is shared is still sanitized when published."""
    from guankao.security import selectors_registers

    pk = request.GET.get("incident", "")
    if request.method != "GET" or not pk.isdigit() or len(pk) > 12:
        return {}
    try:
        incident = selectors_registers.incident_get(user=request.user, pk=int(pk))
    except NotFound:
        return {}
    return {"title": f"{incident.number} {incident.title}", "description": incident.description}


@login_required
@require_http_methods(["GET", "POST"])
def publish(request):
    _manager(request)
    members_all = Member.objects.filter(active=True)
    form = PublishForm(request.POST or None, members=members_all, initial=_from_incident(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        done = {}

        def act():
            done["result"] = publishing.publish(
                actor=request.user,
                title=data["title"],
                description=data["description"],
                indicators=data["indicators"],
                tlp=data["tlp"],
                recipients=members_all.filter(pk__in=data["recipients"]),
                valid_days=data["valid_days"],
            )

        def refused(exc):
            add_service_errors(form, exc)
            return render(request, "isac/publish.html", {"form": form})

        response = run_action(request, act, refused=refused, done=_("Published to the ISAC."))
        if response is not None:
            return response
        return redirect("isac_object", stix_id=done["result"]["incident"])
    status = 400 if request.method == "POST" else 200
    return render(request, "isac/publish.html", {"form": form}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def object_detail(request, stix_id):
    principal = _reader(request)
    rows = list(
        selectors.readable_objects(principal)
        .filter(stix_id=stix_id[:100])
        .select_related("collection", "member", "upstream", "user")
        .order_by("-version", "collection__alias")
    )
    if not rows:
        raise Http404
    for row in rows:
        row.data = json.loads(row.body)
        row.pretty = json.dumps(row.data, ensure_ascii=False, indent=2)
    form = SightingForm(request.POST or None)
    may_report = rows[0].type == "indicator" and principal.is_known
    if request.method == "POST":
        if not may_report:
            raise PermissionDenied
        if form.is_valid():

            def refused(exc):
                add_service_errors(form, exc)
                return _object_page(request, rows, form, may_report)

            response = run_action(
                request,
                lambda: services.sighting_report(
                    actor=request.user, indicator_id=stix_id, count=form.cleaned_data["count"]
                ),
                refused=refused,
                done=_("Sighting reported."),
            )
            return response or redirect("isac_object", stix_id=stix_id)
        return _object_page(request, rows, form, may_report, status=400)
    return _object_page(request, rows, form, may_report)


def _timestamp(raw):
    try:
        return stix.parse_timestamp(raw)
    except ValueError:
        return None


def _object_page(request, rows, form, may_report, status=200):
    context = {
        "obj": rows[0],
        "versions": rows,
        "sightings": selectors.sightings_list(rows[0].stix_id),
        "valid_until": _timestamp(rows[0].data.get("valid_until")),
        "total": selectors.sightings_of([rows[0].stix_id]).get(rows[0].stix_id, 0),
        "form": form if may_report else None,
    }
    return render(request, "isac/object.html", context, status=status)


def _upstream_fields(form, collections) -> dict:
    data = form.cleaned_data
    return {
        "name": data["name"],
        "url": data["url"],
        "collection": next(c for c in collections if str(c.pk) == data["collection"]),
        "username": data["username"],
        "password": data["password"],
    }


@login_required
@require_http_methods(["GET", "POST"])
def upstreams(request):
    _manager(request)
    collections = list(Collection.objects.all())
    form = UpstreamForm(request.POST or None, collections=collections)
    if request.method == "POST":
        if form.is_valid():

            def refused(exc):
                add_service_errors(form, exc)
                return _upstreams_page(request, form)

            response = run_action(
                request,
                lambda: services.upstream_create(
                    actor=request.user, **_upstream_fields(form, collections)
                ),
                refused=refused,
                done=_("Saved."),
            )
            return response or redirect("isac_upstreams")
        return _upstreams_page(request, form, status=400)
    return _upstreams_page(request, form)


def _upstreams_page(request, form, status=200):
    rows = Upstream.objects.select_related("collection").order_by("name")
    return render(request, "isac/upstreams.html", {"rows": rows, "form": form}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def upstream_detail(request, pk):
    """Change an upstream server; its password is never sent back to the browser."""
    _manager(request)
    upstream = get_object_or_404(Upstream.objects.select_related("collection"), pk=pk)
    collections = list(Collection.objects.all())
    initial = {
        "name": upstream.name,
        "url": upstream.url,
        "collection": str(upstream.collection_id),
        "username": upstream.username,
        "active": upstream.active,
    }
    form = UpstreamEditForm(request.POST or None, collections=collections, initial=initial)
    if request.method == "POST":
        if form.is_valid():

            def refused(exc):
                add_service_errors(form, exc)
                return _upstream_page(request, upstream, form)

            response = run_action(
                request,
                lambda: services.upstream_update(
                    actor=request.user,
                    upstream=upstream,
                    forget_password=form.cleaned_data["forget_password"],
                    active=form.cleaned_data["active"],
                    **_upstream_fields(form, collections),
                ),
                refused=refused,
                done=_("Saved."),
            )
            return response or redirect("isac_upstreams")
        return _upstream_page(request, upstream, form, status=400)
    return _upstream_page(request, upstream, form)


def _upstream_page(request, upstream, form, status=200):
    context = {"upstream": upstream, "form": form}
    return render(request, "isac/upstream.html", context, status=status)
