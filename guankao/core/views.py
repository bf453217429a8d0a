import logging

import segno
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from guankao.core import access, selectors, services, todo
from guankao.core import two_factor as two_factor_setup
from guankao.core.errors import NotFound, ServiceError
from guankao.core.forms import (
    LoginForm,
    TokenCreateForm,
    TotpConfirmForm,
    add_service_errors,
)
from guankao.core.http import CappedPaginator

logger = logging.getLogger(__name__)


@require_GET
def healthz(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any driver error means the database is not reachable
        # The driver's message names the host, port and database: it goes to the log for
        # the operator, never to whoever asks /healthz.
        logger.warning("healthz: database unavailable: %s", exc)
        return JsonResponse({"status": "error", "database": "database unavailable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


class LoginView(auth_views.LoginView):
    template_name = "core/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_invalid(self, form):
        response = super().form_invalid(form)
        response.status_code = 400
        return response


@login_required
def home(request):
    """What waits for this user (each app's to-do contributions), or for an executive
    reader the city at a glance; a fixed number of queries whatever the data."""
    user, today = request.user, timezone.localdate()
    return render(
        request,
        "core/home.html",
        {
            "task_groups": todo.tasks_for(user, today),
            "summary": todo.summary_for(user, today),
            "executive": access.is_executive_reader(user),
            "today": today,
        },
    )


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "core/password_change.html"

    def form_valid(self, form):
        response = super().form_valid(form)
        services.password_changed(actor=self.request.user)
        messages.success(self.request, _("Your password has been changed."))
        return response

    def form_invalid(self, form):
        response = super().form_invalid(form)
        response.status_code = 400
        return response

    def get_success_url(self):
        return "/account/"


@login_required
def account(request, form=None, status=200):
    tokens = request.user.api_tokens.all()
    device = TOTPDevice.objects.filter(user=request.user, confirmed=True).first()
    new_token = request.session.pop("new_token", None)
    return render(
        request,
        "core/account.html",
        {
            "tokens": tokens,
            "device": device,
            "form": form or TokenCreateForm(),
            "new_token": new_token,
        },
        status=status,
    )


@login_required
@require_POST
def token_create(request):
    form = TokenCreateForm(request.POST)
    if not form.is_valid():
        return account(request, form=form, status=400)
    try:
        _token, raw = services.token_create(
            actor=request.user, name=form.cleaned_data["name"], days=form.cleaned_data["days"]
        )
    except ServiceError as exc:
        add_service_errors(form, exc)
        return account(request, form=form, status=400)
    # Shown once on the next page, then gone: only its hash is stored.
    request.session["new_token"] = raw
    return redirect("account")


@login_required
@require_POST
def token_revoke(request, pk: int):
    try:
        services.token_revoke(actor=request.user, token_id=pk)
    except NotFound:
        raise Http404 from None
    messages.success(request, _("The token has been revoked."))
    return redirect("account")


@login_required
def two_factor(request):
    device = two_factor_setup.unsaved_device(
        request.user, two_factor_setup.pending_key(request.session)
    )
    form = TotpConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        confirmed = two_factor_setup.confirm(
            actor=request.user, session=request.session, token=form.cleaned_data["token"]
        )
        if confirmed is not None:
            otp_login(request, confirmed)
            messages.success(request, _("Two-factor sign-in is on."))
            return redirect("account")
        form.add_error(
            "token", _("That code is not right; check your device's clock and try again.")
        )
    qr = segno.make(device.config_url, error="m").svg_inline(scale=4, dark="#000", light="#fff")
    return render(
        request,
        "core/two_factor.html",
        {"form": form, "qr": qr, "secret": two_factor_setup.base32_secret(device)},
        status=400 if form.errors else 200,
    )


@login_required
def notifications(request):
    """The inbox: filtered (all, unread, work still to do), grouped by day, cleared at once."""
    show = request.GET.get("show", "all")
    show = show if show in selectors.NOTICE_FILTERS else "all"
    if request.method == "POST":
        pk = request.POST.get("id")
        count = services.notification_mark_read(
            actor=request.user, notification_id=int(pk) if pk and pk.isdigit() else None
        )
        if not pk:
            messages.success(
                request,
                ngettext("%(n)d notice marked as read.", "%(n)d notices marked as read.", count)
                % {"n": count},
            )
        return redirect(f"{reverse('notifications')}?show={show}")
    page = CappedPaginator(selectors.notification_list(user=request.user, show=show), 30).get_page(
        request.GET.get("page")
    )
    days: list[dict] = []
    for note in page:
        day = timezone.localtime(note.created_at).date()
        if not days or days[-1]["day"] != day:
            days.append({"day": day, "notices": []})
        days[-1]["notices"].append(note)
    filters = [
        ("all", _("All")),
        ("unread", _("Unread")),
        ("open", _("Work still to do")),
    ]
    return render(
        request,
        "core/notifications.html",
        {"page": page, "days": days, "show": show, "filters": filters},
    )
