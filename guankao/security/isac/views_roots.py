"""The CISO's pages of trust groups (TAXII API roots), their collections and who may read
and write each collection. Writes go through `roots.py`."""

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from guankao.core.errors import FieldProblem, ServiceError
from guankao.core.forms import add_service_errors
from guankao.core.http import run_action
from guankao.security.isac import roots
from guankao.security.isac.forms import CollectionEditForm, CollectionForm, RootEditForm, RootForm
from guankao.security.isac.models import ApiRoot, Collection, CollectionAccess, Member
from guankao.security.isac.views import _manager


def _save(request, form, action, page, done=None):
    """Run the service with the form's data; its refusal is the page again, 400."""

    def refused(exc):
        add_service_errors(form, exc)
        return page()

    return run_action(request, lambda: action(form.cleaned_data), refused=refused, done=done)


@login_required
@require_http_methods(["GET", "POST"])
def root_list(request):
    _manager(request)
    form = RootForm(request.POST or None, initial={"max_content_length": 10 * 1024 * 1024})
    page = lambda status=200: _roots_page(request, form, status)  # noqa: E731
    if request.method == "POST":
        if not form.is_valid():
            return page(400)
        created = {}

        def create(data):
            created["root"] = roots.root_create(actor=request.user, **data)

        response = _save(request, form, create, page)
        return response or redirect("isac_root", slug=created["root"].slug)
    return page()


def _roots_page(request, form, status=200):
    members = Count(
        "collections__grants__member",
        filter=Q(collections__grants__can_read=True) | Q(collections__grants__can_write=True),
        distinct=True,
    )
    rows = ApiRoot.objects.annotate(
        n_collections=Count("collections", distinct=True), n_members=members
    ).order_by("-active", "slug")
    return render(request, "isac/roots.html", {"rows": rows, "form": form}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def root_detail(request, slug):
    _manager(request)
    root = get_object_or_404(ApiRoot, slug=slug)
    action = request.POST.get("action", "")
    initial = {k: getattr(root, k) for k in RootEditForm.base_fields}
    form = RootEditForm(request.POST if action == "root" else None, initial=initial)
    new = CollectionForm(
        request.POST if action == "collection" else None,
        prefix="new",
        initial={"members_read": False},
    )
    page = lambda status=200: _root_page(request, root, form, new, status)  # noqa: E731
    if request.method == "POST":
        if action == "active":
            response = run_action(
                request,
                lambda: roots.root_set_active(
                    actor=request.user, root=root, active=not root.active
                ),
                refused=lambda exc: _root_page(request, root, form, new, 400, exc),
            )
            return response or redirect("isac_root", slug=root.slug)
        target = {"root": form, "collection": new}.get(action)
        if target is None:
            return HttpResponse(status=400)
        if not target.is_valid():
            return page(400)
        if action == "root":
            response = _save(
                request,
                form,
                lambda data: roots.root_update(actor=request.user, root=root, **data),
                page,
            )
            return response or redirect("isac_root", slug=root.slug)
        created = {}

        def create(data):
            created["c"] = roots.collection_create(actor=request.user, root=root, **data)

        response = _save(request, new, create, page)
        return response or redirect("isac_collection", pk=created["c"].pk)
    return page()


def _root_page(request, root, form, new, status=200, refused=None):
    collections = root.collections.annotate(
        n_read=Count("grants", filter=Q(grants__can_read=True)),
        n_write=Count("grants", filter=Q(grants__can_write=True)),
    )
    context = {
        "root": root,
        "collections": collections,
        "form": form,
        "new": new,
        "refused": refused.problems if refused is not None else [],
    }
    return render(request, "isac/root.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def collection_detail(request, pk):
    _manager(request)
    collection = get_object_or_404(Collection.objects.select_related("api_root"), pk=pk)
    action = request.POST.get("action", "")
    initial = {k: getattr(collection, k) for k in CollectionEditForm.base_fields}
    form = CollectionEditForm(request.POST if action == "collection" else None, initial=initial)
    members = list(Member.objects.order_by("name"))
    page = lambda status=200, problems=(): _collection_page(  # noqa: E731
        request, collection, form, members, status, problems
    )
    if request.method == "POST":
        if action == "collection":
            if not form.is_valid():
                return page(400)
            response = _save(
                request,
                form,
                lambda data: roots.collection_update(
                    actor=request.user, collection=collection, **data
                ),
                page,
            )
            return response or redirect("isac_collection", pk=collection.pk)
        if action == "grants":
            try:
                wanted = _wanted(request.POST)
            except ServiceError as exc:
                return page(400, exc.problems)
            response = run_action(
                request,
                lambda: roots.grants_set(actor=request.user, collection=collection, wanted=wanted),
                refused=lambda exc: page(400, exc.problems),
                success=lambda n: _("Saved: %(n)d members' access changed.") % {"n": n},
            )
            return response or redirect("isac_collection", pk=collection.pk)
        return HttpResponse(status=400)
    return page()


def _wanted(post) -> dict:
    """{member pk: (read, write)} from the grid: every member shown, ticked or not."""
    try:
        shown = {int(v) for v in post.getlist("member")}
        read = {int(v) for v in post.getlist("read")}
        write = {int(v) for v in post.getlist("write")}
    except ValueError:
        raise ServiceError(FieldProblem("grants", _("a member listed does not exist"))) from None
    if not shown or not (read | write) <= shown:
        raise ServiceError(FieldProblem("grants", _("a member listed does not exist")))
    return {pk: (pk in read, pk in write) for pk in shown}


def _collection_page(request, collection, form, members, status=200, problems=()):
    grants = {g.member_id: g for g in CollectionAccess.objects.filter(collection=collection)}
    rows = [(m, grants.get(m.pk)) for m in members]
    context = {
        "collection": collection,
        "form": form,
        "rows": rows,
        "problems": problems,
    }
    return render(request, "isac/collection.html", context, status=status)
