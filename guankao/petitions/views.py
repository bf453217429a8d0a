"""Petitions pages for intake and lists: the call-taker's screen, the department inbox, the
officer's overview and the public survey. Thin: selectors read, services write and check;
a bad field comes back on the form with status 400 and nothing changed."""

import datetime as dt
import hashlib

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from guankao.core.errors import NotAllowed, NotFound, ServiceError
from guankao.core.http import CappedPaginator
from guankao.lib import workdays
from guankao.lib.roc import format_roc, year_from_input
from guankao.petitions import access, charts, dispatch_choices, handling, selectors
from guankao.petitions.forms import InboxFilterForm, IntakeForm, SurveyForm
from guankao.petitions.models import Case, Category, Knowledge, Reply, Request, Survey

PAGE_SIZE = 50


def form_errors(form, exc: ServiceError) -> None:
    """A service's problems on the form's fields; others at the top of the form."""
    for problem in exc.problems:
        field = problem.field
        if field in form.fields and not form.fields[field].widget.is_hidden:
            form.add_error(field, problem.message)
        else:
            label = form.fields[field].label if field in form.fields else field
            form.add_error(None, f"{label or field}: {problem.message}")


def attempt(form, service, **kwargs):
    """Call a service: field problems land on `form` (None is returned), refusal is 403,
    a record out of reach 404."""
    try:
        return service(**kwargs)
    except ServiceError as exc:
        form_errors(form, exc)
    except NotAllowed as exc:
        raise PermissionDenied(str(exc)) from None
    except NotFound:
        raise Http404 from None
    return None


def days_left(due: dt.date | None, today: dt.date) -> int | None:
    """Working days from today to the deadline (negative when overdue)."""
    if due is None:
        return None
    return workdays.working_days_between(today, due)


def _categories():
    return Category.objects.filter(active=True).order_by("path")


def knowledge_search(q: str, limit: int = 10) -> list[Knowledge]:
    q = (q or "").strip()[:100]
    if not q:
        return []
    rows = Knowledge.objects.filter(active=True).filter(
        Q(question__icontains=q) | Q(answer__icontains=q) | Q(keywords__icontains=q)
    )
    return list(rows.select_related("department")[:limit])


# Intake -----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def intake(request):
    if not access.can_file(request.user):
        raise PermissionDenied
    data, files = (request.POST, request.FILES) if request.method == "POST" else (None, None)
    form = IntakeForm(data, files, categories=_categories())
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            # What the call-taker chose against the suggestion is recorded with the case;
            # 併案 with a possible duplicate shown as they typed (merge_into) too.
            filed = attempt(
                form, dispatch_choices.file_case, actor=request.user, **form.cleaned_data
            )
            if filed is not None:
                case, merged = filed
                done = _("Case %(n)s filed.") % {"n": case.number}
                if merged:
                    done = _("Case %(n)s filed and merged into %(into)s (併案).") % {
                        "n": case.number,
                        "into": case.merged_into.number,
                    }
                elif form.cleaned_data.get("merge_into"):
                    done = _(
                        "Case %(n)s filed as a possible duplicate of %(into)s: the officer "
                        "decides the merge (併案)."
                    ) % {"n": case.number, "into": form.cleaned_data["merge_into"]}
                messages.success(request, done)
                return redirect(reverse("petitions_intake") + f"?filed={case.pk}")
    phone = request.POST.get("phone") or request.GET.get("phone", "")
    filed = None
    if request.GET.get("filed", "").isdigit():
        filed = (
            selectors.case_list(user=request.user, filters={"status": "all"})
            .filter(pk=int(request.GET["filed"]))
            .first()
        )
    context = {
        "form": form,
        "filed": filed,
        "kb_q": request.GET.get("kb", ""),
        "kb": knowledge_search(request.GET.get("kb", "")),
        "phone": phone,
        "same_caller": selectors.same_caller(user=request.user, phone=phone),
        "may_merge": access.manages(request.user),
    }
    return render(request, "petitions/intake.html", context, status=status)


# Inbox ------------------------------------------------------------------------------------


def _pending_requests(user):
    if not access.manages(user):
        return Request.objects.none()
    rows = Request.objects.filter(state=Request.State.PENDING)
    return rows.select_related("case", "department").order_by("requested_at")


@require_GET
@login_required
def inbox(request):
    user = request.user
    form = InboxFilterForm(request.GET or None, categories=_categories())
    filters, status = {}, 200
    if form.is_bound:
        status = 200 if form.is_valid() else 400
        filters = {k: v for k, v in form.cleaned_data.items() if v} if status == 200 else {}
    rows = selectors.case_list(user=user, filters=filters).select_related("handler")
    page = CappedPaginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    for case in page:
        case.days_left = days_left(case.due_date, today) if case.is_open else None
        case.petitioner = selectors.masked(case)
    query = request.GET.copy()
    query.pop("page", None)
    to_assign = []
    if access.manages(user):
        to_assign = list(
            selectors.case_list(user=user, filters={"status": Case.Status.RECEIVED})[:20]
        )
    to_approve = []
    if user.department_id is not None and user.has_role("head"):
        to_approve = list(
            Reply.objects.filter(
                state=Reply.State.DRAFT, case__lead__path__startswith=user.department.path
            ).select_related("case")[:20]
        )
    context = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "to_assign": to_assign,
        "requests": list(_pending_requests(user)[:20]),
        "to_approve": to_approve,
        "may_file": access.can_file(user),
        "manages": access.manages(user),
    }
    return render(request, "petitions/inbox.html", context, status=status)


# Overview ---------------------------------------------------------------------------------


def _year(request, today) -> int:
    raw = request.GET.get("year", "")
    if raw.isdigit():
        year = year_from_input(int(raw))
        if 1912 <= year <= 2200:
            return year
    return today.year


def may_read_figures(user) -> bool:
    return access.manages(user) or user.is_admin or user.has_role("executive")


@require_GET
@login_required
def overview(request):
    user = request.user
    if not may_read_figures(user):
        raise PermissionDenied
    from guankao.petitions.models import ServiceCheck

    today = timezone.localdate()
    year = _year(request, today)
    figures = selectors.overview(user=user, year=year)
    channels = dict(Case._meta.get_field("channel").choices)
    for row in figures.by_channel:
        row["label"] = channels.get(row["channel"], row["channel"])
    checks = list(
        ServiceCheck.objects.filter(checked_on__year=year).select_related("department")[:50]
    )
    context = {
        "o": figures,
        "year": year,
        "manages": access.manages(user),
        "checks": checks,
        "month_chart": charts.bars(
            [(f"{r['month']}月", r["received"], r["closed"]) for r in figures.by_month],
            title=_("Cases received and closed by month"),
        ),
        "department_chart": charts.bars(
            [(r["lead__name"] or "—", r["received"], r["closed"]) for r in figures.by_department],
            title=_("Cases received and closed by department"),
        ),
    }
    return render(request, "petitions/overview.html", context)


# Survey (public) --------------------------------------------------------------------------


def _survey_refusal(token: str):
    """(status, message) when the link cannot be answered; None when it can."""
    digest = hashlib.sha256(str(token).encode()).hexdigest()
    found = Survey.objects.filter(token_hash=digest).first()
    if found is None:
        return 404, _("this survey link is not valid")
    if found.answered_at is not None:
        return 410, _("this survey has been answered already")
    if timezone.now() > found.expires_at:
        day = format_roc(timezone.localdate(found.expires_at))
        return 410, _("this survey closed on %(d)s") % {"d": day}
    return None


@require_http_methods(["GET", "POST"])
def survey(request, token):
    if request.method == "GET":
        refused = _survey_refusal(token)
        if refused is not None:
            return render(
                request, "petitions/survey_refused.html", {"message": refused[1]}, status=refused[0]
            )
    form = SurveyForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                handling.survey_answer(token=token, **form.cleaned_data)
            except ServiceError as exc:
                if any(p.field == "token" for p in exc.problems):
                    refused = _survey_refusal(token) or (410, "")
                    message = "; ".join(str(p.message) for p in exc.problems)
                    context = {"message": message}
                    return render(
                        request, "petitions/survey_refused.html", context, status=refused[0]
                    )
                form_errors(form, exc)
            else:
                return render(request, "petitions/survey_thanks.html")
    return render(request, "petitions/survey.html", {"form": form}, status=status)
