"""The annual plan round pages and scorecard publishing."""

from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from guankao.core import access as core_access
from guankao.core import selectors as core_selectors
from guankao.core.errors import NotAllowed, NotFound, ServiceError
from guankao.core.forms import add_service_errors
from guankao.core.http import run_action
from guankao.plans import access, publishing, rounds, selectors
from guankao.plans.forms import RoundForm


@login_required
def round_list(request):
    form = RoundForm(request.POST or None)
    if request.method == "POST":
        if not core_access.is_officer(request.user):
            return HttpResponse(status=403)
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
        failed = run_action(request, call)
        if failed is not None:
            return failed
        return redirect("round_detail", pk=pk)
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
        {"round": plan_round, "rows": rows, "officer": core_access.is_officer(request.user)},
    )


@login_required
@require_POST
def scorecard_publish(request):
    year = request.POST.get("year", "")
    code = request.POST.get("department", "")
    if not year.isdigit():
        return HttpResponse(status=400)
    try:
        department = core_selectors.department_get(user=request.user, code=code) if code else None
        published = publishing.publish(actor=request.user, year=int(year), department=department)
    except NotFound:
        raise Http404 from None
    except NotAllowed:
        return HttpResponse(status=403)
    except ServiceError as exc:
        return HttpResponse(str(exc), status=400, content_type="text/plain; charset=utf-8")
    messages.success(request, _("Published. Anyone can now read it without signing in."))
    return redirect("public_scorecard", pk=published.pk)


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
