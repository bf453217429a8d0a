"""The statutory duties pages (應辦事項): each agency's instances with filters, one
instance with its evidence and the CISO's decision, the year's opening, the ODS export."""

import datetime as dt
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from guankao.core import attachments
from guankao.core.errors import NotFound
from guankao.core.forms import add_service_errors
from guankao.core.http import CappedPaginator, download, run_action
from guankao.security import access, duties, exports_secops, selectors_secops
from guankao.security.forms_secops import (
    DutyDecideForm,
    DutyDefForm,
    DutyFilterForm,
    DutyGenerateForm,
    DutySubmitForm,
)
from guankao.security.models import Agency, Duty, DutyInstance, Level
from guankao.security.views_common import post_form

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


@login_required
@require_http_methods(["GET", "POST"])
def duty_levels(request):
    """The duties of each responsibility level (資通安全責任等級分級辦法's annexes), with
    their frequency and basis; the CISO adds one."""
    user = request.user
    if not access.reads_duties(user):
        raise PermissionDenied
    may = access.can_edit_duties(user)
    form = DutyDefForm(request.POST or None) if may else None

    def page(status):
        rows = Duty.objects.annotate(instances=Count("dutyinstance")).order_by(
            "level", "-active", "order", "code"
        )
        by_level = {value: [] for value in Level.values}
        for duty in rows:
            by_level[duty.level].append(duty)
        context = {
            "levels": [(value, label, by_level[value]) for value, label in Level.choices],
            "form": form,
        }
        return render(request, "security/duty_levels.html", context, status=status)

    if request.method == "POST":
        if not may:
            raise PermissionDenied
        act = lambda: duties.duty_save(actor=user, **form.cleaned_data)  # noqa: E731
        return post_form(request, form, act, page, request.path)
    return page(200)


@login_required
@require_http_methods(["GET", "POST"])
def duty_def(request, pk: int):
    """One duty of a level: its name, description, frequency and basis changed; retired
    (or back in use); deleted only while no year has an instance of it."""
    user = request.user
    if not access.reads_duties(user):
        raise PermissionDenied
    duty = Duty.objects.filter(pk=pk).first()
    if duty is None:
        raise Http404
    may = access.can_edit_duties(user)
    action = request.POST.get("action") if request.method == "POST" else None
    fields = ("name", "description", "times", "every_years", "basis")
    form = DutyDefForm(
        request.POST if action == "edit" else None,
        new=False,
        initial={f: getattr(duty, f) for f in fields},
    )
    instances = DutyInstance.objects.filter(duty=duty).count()

    def page(status, problem=None):
        context = {
            "duty": duty,
            "form": form if may else None,
            "may": may,
            "instances": instances,
            "problem": problem,
        }
        return render(request, "security/duty_def.html", context, status=status)

    if request.method == "POST":
        if not may:
            raise PermissionDenied
        back = reverse("security_duty_levels")
        if action == "edit":
            act = lambda: duties.duty_save(actor=user, duty=duty, **form.cleaned_data)  # noqa: E731
            return post_form(request, form, act, page, back)
        if action in ("retire", "restore"):
            act = lambda: duties.duty_set_active(  # noqa: E731
                actor=user, duty=duty, active=action == "restore"
            )
            return run_action(request, act, refused=lambda exc: page(400)) or redirect(back)
        if action == "delete":
            response = run_action(
                request,
                lambda: duties.duty_delete(actor=user, duty=duty),
                refused=lambda exc: page(400, exc.problems[0].message),
                done=_("Deleted."),
            )
            return response or redirect(back)
        return page(400)
    return page(200)
