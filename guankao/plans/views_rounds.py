"""The annual plan round pages and scorecard publishing."""

from functools import partial

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from guankao.core import access as core_access
from guankao.core import selectors as core_selectors
from guankao.core.errors import NotFound, ServiceError
from guankao.core.forms import YearField, add_service_errors
from guankao.core.http import run_action
from guankao.plans import access, publishing, rounds, selectors
from guankao.plans.forms import ReturnForm, RoundForm


@login_required
def round_list(request):
    form = RoundForm(request.POST or None)
    if request.method == "POST":
        if not core_access.is_officer(request.user):
            raise PermissionDenied
        if form.is_valid():
            departments = selectors.round_departments()
            try:
                plan_round = rounds.round_open(
                    actor=request.user, departments=departments, **form.cleaned_data
                )
                return redirect("round_detail", pk=plan_round.pk)
            except ServiceError as exc:
                add_service_errors(form, exc)
    return render(
        request,
        "plans/round_list.html",
        {
            "rounds": selectors.round_list(user=request.user),
            "form": form,
            "may_open": core_access.is_officer(request.user),
        },
        status=400 if form.errors else 200,
    )


@login_required
def round_detail(request, pk: int):
    try:
        plan_round = selectors.round_get_by_pk(user=request.user, pk=pk)
    except NotFound:
        raise Http404 from None
    if request.method == "POST":
        action, sid = request.POST.get("action"), request.POST.get("submission", "")
        if not sid.isdigit():
            return HttpResponse(status=400)
        if action == "submit":
            call = partial(rounds.submission_submit, actor=request.user, submission_id=int(sid))
        elif action in ("accept", "return"):
            call = partial(
                rounds.submission_decide,
                actor=request.user,
                submission_id=int(sid),
                accept=action == "accept",
                reason=request.POST.get("reason", ""),
            )
        else:
            return HttpResponse(status=400)

        def refused(exc):
            form = ReturnForm(request.POST, auto_id=f"s{sid}-%s")
            form.is_valid()
            add_service_errors(form, exc)
            return _round_page(request, plan_round, error_form=form, status=400)

        failed = run_action(request, call, refused=refused)
        return failed or redirect("round_detail", pk=pk)
    return _round_page(request, plan_round)


def _round_page(request, plan_round, *, error_form=None, status=200):
    submissions = list(selectors.submission_list(user=request.user, plan_round=plan_round))
    now = timezone.now()
    rows = [
        {
            "s": s,
            "on_time": rounds.is_on_time(s),
            "late": (s.first_submitted_at or now) >= rounds.deadline_end(plan_round),
            "may_submit": access.can_submit(request.user, s.department),
        }
        for s in submissions
    ]
    return render(
        request,
        "plans/round_detail.html",
        {
            "round": plan_round,
            "rows": rows,
            "officer": core_access.is_officer(request.user),
            "error_form": error_form,
        },
        status=status,
    )


class PublishForm(forms.Form):
    year = YearField(label=_("Plan year (民國 or western)"), widget=forms.HiddenInput)
    department = forms.CharField(required=False, widget=forms.HiddenInput)


@login_required
def scorecard_publish(request):
    """Publishing cannot be undone: a page says what will happen and asks to confirm
    (GET), then the POST publishes; a refusal shows the same page again, 400."""
    if not access.is_officer(request.user):
        raise PermissionDenied
    posted = request.method == "POST"
    form = PublishForm(request.POST if posted else request.GET)
    department = None
    if form.is_valid() and form.cleaned_data["department"]:
        code = form.cleaned_data["department"]
        department = _department_or_404(request.user, code)
    if posted and form.is_valid():
        year = form.cleaned_data["year"]

        published = []

        def publish():
            published.append(
                publishing.publish(actor=request.user, year=year, department=department)
            )

        def refused(exc):
            add_service_errors(form, exc)
            return _publish_page(request, form, department)

        failed = run_action(
            request,
            publish,
            refused=refused,
            done=_("Published. Anyone can now read it without signing in."),
        )
        return failed or redirect("public_scorecard", pk=published[0].pk)
    return _publish_page(request, form, department)


def _department_or_404(user, code):
    try:
        return core_selectors.department_get(user=user, code=code)
    except NotFound:
        raise Http404 from None


def _publish_page(request, form, department):
    year = form.cleaned_data.get("year") if form.is_valid() else None
    context = {"form": form, "year": year, "department": department}
    status = 200 if form.is_valid() and not form.errors else 400
    return render(request, "plans/publish_confirm.html", context, status=status)


def public_scorecards(request):
    return render(
        request,
        "plans/public_list.html",
        {"published": selectors.published_list()},
    )


def public_scorecard(request, pk: int):
    try:
        published = selectors.published_get(pk=pk)
    except NotFound:
        raise Http404 from None
    return render(
        request, "plans/public_scorecard.html", {"p": published, "content": published.content}
    )
