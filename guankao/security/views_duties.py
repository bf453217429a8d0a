"""The statutory duties pages (應辦事項): each agency's instances with filters, one
instance with its evidence and the CISO's decision, the year's opening, the ODS export."""

import datetime as dt
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from guankao.core import attachments
from guankao.core.errors import NotFound
from guankao.core.forms import add_service_errors
from guankao.core.http import CappedPaginator, download, run_action
from guankao.security import access, duties, exports_secops, selectors_secops
from guankao.security.forms_secops import (
    DutyDecideForm,
    DutyFilterForm,
    DutyGenerateForm,
    DutySubmitForm,
)
from guankao.security.models import Agency, Duty

PAGE_SIZE = 50


def _agencies(user):
    rows = Agency.objects.select_related("department").order_by("department__path")
    return (
        list(rows.filter(access.agencies_managed(user)))
        if not access.reads_all(user)
        else list(rows)
    )


def _filters(request, agencies):
    form = DutyFilterForm(request.GET or None, agencies=agencies)
    filters = {}
    if form.is_bound and form.is_valid():
        filters = {k: v for k, v in form.cleaned_data.items() if v not in ("", None, False)}
        if filters.get("agency"):
            filters["agency"] = next((a for a in agencies if str(a.pk) == filters["agency"]), None)
    filters.setdefault("year", timezone.localdate().year)
    return form, filters


@login_required
@require_http_methods(["GET", "POST"])
def duty_page(request):
    user = request.user
    if not access.reads_duties(user):
        raise PermissionDenied
    agencies = _agencies(user)
    form, filters = _filters(request, agencies)
    may_open = access.is_ciso(user)
    opener = DutyGenerateForm(request.POST or None, prefix="open") if may_open else None

    def page(status=200):
        rows = selectors_secops.duty_list(user=user, filters=filters)
        paged = CappedPaginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
        query = {k: v for k, v in request.GET.items() if k != "page"}
        context = {
            "form": form,
            "page": paged,
            "query": urlencode(query),
            "opener": opener,
            "today": timezone.localdate(),
            "year": filters["year"],
            "duties": Duty.objects.filter(active=True),
        }
        return render(request, "security/duties.html", context, status=status)

    if request.method == "POST":
        if not may_open:
            raise PermissionDenied
        if not opener.is_valid():
            return page(400)

        def refused(exc):
            add_service_errors(opener, exc)
            return page()

        year = opener.cleaned_data["year"]
        response = run_action(
            request,
            lambda: duties.duties_generate(actor=user, year=year),
            refused=refused,
        )
        return response or redirect(f"{request.path}?year={year}")
    return page()


@login_required
@require_http_methods(["GET", "POST"])
def duty_detail(request, pk: int):
    user = request.user
    try:
        instance = selectors_secops.duty_get(user=user, pk=pk)
    except NotFound:
        raise Http404 from None
    may_report = access.can_report_duty(user, instance.agency) and instance.state != "accepted"
    may_decide = access.can_accept_duties(user) and instance.state == "submitted"
    submit = DutySubmitForm(prefix="report", initial={"note": instance.note})
    decide = DutyDecideForm(prefix="decide")
    status = 200
    if request.method == "POST":
        if not (may_report or may_decide):
            raise PermissionDenied
        action = request.POST.get("form")
        if action == "report" and may_report:
            submit = DutySubmitForm(request.POST, request.FILES, prefix="report")
            form, call = (
                submit,
                lambda: duties.duty_submit(
                    actor=user,
                    instance=instance,
                    note=submit.cleaned_data["note"],
                    files=submit.cleaned_data["files"],
                ),
            )
        elif action == "decide" and may_decide:
            decide = DutyDecideForm(request.POST, prefix="decide")
            form, call = (
                decide,
                lambda: duties.duty_decide(
                    actor=user,
                    instance=instance,
                    accept=decide.cleaned_data["action"] == "accept",
                    note=decide.cleaned_data["note"],
                ),
            )
        else:
            return _detail(request, instance, submit, decide, may_report, may_decide, 400)
        if form.is_valid():

            def refused(exc):
                add_service_errors(form, exc)
                return _detail(request, instance, submit, decide, may_report, may_decide)

            response = run_action(request, call, refused=refused)
            return response or redirect("security_duty", pk=instance.pk)
        status = 400
    return _detail(request, instance, submit, decide, may_report, may_decide, status)


def _detail(request, instance, submit, decide, may_report, may_decide, status=200):
    files = attachments.attachments_for(
        actor=request.user, owner_type=duties.EVIDENCE, owner_id=instance.pk
    )
    context = {
        "instance": instance,
        "files": list(files),
        "submit": submit if may_report else None,
        "decide": decide if may_decide else None,
        "today": timezone.localdate(),
    }
    return render(request, "security/duty_detail.html", context, status=status)


@login_required
@require_http_methods(["GET"])
def duty_export(request):
    user = request.user
    if not access.reads_duties(user):
        raise PermissionDenied
    _form, filters = _filters(request, _agencies(user))
    rows = selectors_secops.duty_list(user=user, filters=filters)
    return download(
        exports_secops.duties_ods(rows),
        f"資通安全應辦事項-{dt.date.today():%Y%m%d}.ods",
        exports_secops.ODS,
        "duties.ods",
    )
