"""The officer's Open311 pages: the registered client apps (register one and see its key
once, change its limit, revoke it) and the questions each category asks online."""

from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from guankao.core.forms import add_service_errors
from guankao.core.http import confirm_page, confirmed, run_action
from guankao.petitions import access, clients
from guankao.petitions.forms_open311 import AttributeForm, ClientAppForm, ClientLimitForm
from guankao.petitions.models import Category, ClientApp, DeferredRequest, ServiceAttribute

SESSION_KEY = "new_open311_key"


def _officer(request) -> None:
    if not access.manages(request.user):
        raise PermissionDenied


def _clients_page(request, form=None, status=200):
    deferred = DeferredRequest.objects.select_related("client")
    context = {
        "apps": ClientApp.objects.select_related("created_by").order_by("revoked_at", "name"),
        "form": form or ClientAppForm(),
        "new_key": request.session.pop(SESSION_KEY, None),
        # Open311 reports accepted to be filed by the worker: how many wait, and those it
        # could not file with the reason (no personal data shown).
        "waiting": deferred.filter(failed_at=None).count(),
        "not_filed": list(deferred.exclude(failed_at=None).order_by("-received_at")[:50]),
    }
    return render(request, "petitions/open311_clients.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def client_list(request):
    """The apps, and a form to register one; the new key is shown on the next page once."""
    _officer(request)
    if request.method == "GET":
        return _clients_page(request)
    form = ClientAppForm(request.POST)
    if not form.is_valid():
        return _clients_page(request, form, 400)
    created = {}

    def action():
        created["key"] = clients.client_create(actor=request.user, **form.cleaned_data)[1]

    def refused(exc):
        add_service_errors(form, exc)
        return _clients_page(request, form)

    failed = run_action(request, action, refused=refused, done=_("App registered."))
    if failed:
        return failed
    request.session[SESSION_KEY] = created["key"]
    return redirect("petitions_open311_clients")


def _app(pk) -> ClientApp:
    app = ClientApp.objects.filter(pk=pk).first()
    if app is None:
        raise Http404
    return app


@login_required
@require_http_methods(["GET", "POST"])
def client_edit(request, pk: int):
    _officer(request)
    app = _app(pk)
    initial = {"contact": app.contact, "per_minute": app.per_minute}
    form = ClientLimitForm(request.POST or None, initial=initial)
    context = {"form": form, "app": app}
    if request.method == "GET":
        return render(request, "petitions/open311_client.html", context)
    if not form.is_valid():
        return render(request, "petitions/open311_client.html", context, status=400)

    def refused(exc):
        add_service_errors(form, exc)
        return render(request, "petitions/open311_client.html", context)

    call = partial(clients.client_update, actor=request.user, client_id=app.pk, **form.cleaned_data)
    return run_action(request, call, refused=refused) or redirect("petitions_open311_clients")


@login_required
@require_POST
def client_revoke(request, pk: int):
    _officer(request)
    app = _app(pk)
    if not confirmed(request):
        return confirm_page(
            request,
            title=_("Revoke the key of %(n)s?") % {"n": app.name},
            consequences=[
                _("The app can no longer file reports; its key stops working at once."),
                _("Reports it filed stay as they are. A new key means registering it again."),
            ],
            button=_("Yes, revoke the key"),
            cancel_url=reverse("petitions_open311_clients"),
        )

    def refused(exc):
        messages.error(request, "; ".join(str(p.message) for p in exc.problems))
        return redirect("petitions_open311_clients")

    call = partial(clients.client_revoke, actor=request.user, client_id=app.pk)
    failed = run_action(request, call, refused=refused, done=_("Key revoked."))
    return failed or redirect("petitions_open311_clients")


# A category's questions ---------------------------------------------------------------------


def _category(pk) -> Category:
    category = Category.objects.filter(pk=pk).first()
    if category is None:
        raise Http404
    return category


def _attributes_page(request, category, form, editing=None, status=200):
    context = {
        "category": category,
        "attributes": category.attributes.order_by("order", "pk"),
        "form": form,
        "editing": editing,
    }
    return render(request, "petitions/attributes.html", context, status=status)


def _initial(attribute: ServiceAttribute) -> dict:
    lines = "\n".join(f"{v['key']}={v['name']}" for v in attribute.values)
    fields = ["code", "description", "datatype", "variable", "required", "order"]
    return {f: getattr(attribute, f) for f in fields} | {
        "datatype_description": attribute.datatype_description,
        "values": lines,
    }


def _question(pk) -> ServiceAttribute:
    attribute = ServiceAttribute.objects.select_related("category").filter(pk=pk).first()
    if attribute is None:
        raise Http404
    return attribute


def _save_question(request, category, attribute):
    initial = _initial(attribute) if attribute else None
    form = AttributeForm(request.POST or None, initial=initial)
    if request.method == "GET":
        return _attributes_page(request, category, form, attribute)
    if not form.is_valid():
        return _attributes_page(request, category, form, attribute, 400)

    def refused(exc):
        add_service_errors(form, exc)
        return _attributes_page(request, category, form, attribute)

    call = partial(
        clients.attribute_save,
        actor=request.user,
        category=category,
        attribute=attribute,
        **form.cleaned_data,
    )
    failed = run_action(request, call, refused=refused, done=_("Question saved."))
    return failed or redirect("petitions_attributes", pk=category.pk)


@login_required
@require_http_methods(["GET", "POST"])
def attributes(request, pk: int):
    """A category's Open311 questions (its service definition) and a form to add one."""
    _officer(request)
    return _save_question(request, _category(pk), None)


@login_required
@require_http_methods(["GET", "POST"])
def attribute_edit(request, pk: int):
    """The category's questions with the form to change one of them."""
    _officer(request)
    attribute = _question(pk)
    return _save_question(request, attribute.category, attribute)


@login_required
@require_POST
def attribute_delete(request, pk: int):
    _officer(request)
    attribute = _question(pk)
    back = reverse("petitions_attributes", kwargs={"pk": attribute.category_id})
    if not confirmed(request):
        return confirm_page(
            request,
            title=_("Remove the question %(q)s?") % {"q": attribute.description},
            consequences=[
                _("Apps and the report page stop asking it; answers given stay on their cases.")
            ],
            button=_("Yes, remove it"),
            cancel_url=back,
        )
    call = partial(clients.attribute_delete, actor=request.user, attribute=attribute)
    failed = run_action(
        request, call, refused=lambda exc: redirect(back), done=_("Question removed.")
    )
    return failed or redirect(back)
