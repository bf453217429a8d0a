"""The case page and its actions. Each action has its own page (GET shows the form, a bad
POST answers 400 with the form and its error summary); success goes back to the case page
with a message saying what happened."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods

from guankao.core.errors import NotFound
from guankao.core.models import Department
from guankao.petitions import (
    access,
    case_files,
    dispatch_choices,
    forms,
    handling,
    selectors,
    services,
    views_dispatch,
)
from guankao.petitions.models import Case, Reply, Request
from guankao.petitions.views import attempt, days_left


def _case_or_404(request, pk) -> Case:
    try:
        return selectors.case_get(user=request.user, pk=pk)
    except NotFound:
        raise Http404 from None


def _case_url(case) -> str:
    return reverse("petitions_case", args=[case.pk])


def _departments():
    return list(Department.objects.filter(active=True).order_by("path"))


@login_required
@require_http_methods(["GET", "POST"])
def case_detail(request, pk):
    """GET reads; POST shows the petitioner whole to a handler (and logs it)."""
    user = request.user
    case = _case_or_404(request, pk)
    handles = access.handles(user, case)
    whole = request.method == "POST"
    if whole and not handles:
        raise PermissionDenied
    today = timezone.localdate()
    files = list(case_files.case_files_list(user=user, case=case)) if handles else []
    context = {
        "case": case,
        "petitioner": selectors.petitioner(user=user, case=case, whole=whole),
        "handles": handles,
        "files": files,
        "file_form": forms.CaseFilesForm() if _may_add_files(case, handles, files) else None,
        "can_act": access.can_act(user, case),
        "manages": access.manages(user),
        "can_approve": access.can_approve_reply(user, case),
        "days_left": days_left(case.due_date, today) if case.is_open else None,
        "events": case_files.timeline(selectors.timeline(case), files),
        "assignments": list(case.assignments.select_related("department")),
        "requests": list(case.requests.select_related("department", "suggested")),
        "replies": list(case.replies.select_related("drafted_by", "decided_by")),
        "surveys": list(case.surveys.all()),
        "co_departments": list(case.co_departments.all()),
        # Unordered in SQL: ordered by date, SQLite walked every case by date to find them.
        "merged_cases": sorted(
            case.merged_cases.only("pk", "number").order_by(), key=lambda m: m.number
        ),
    }
    return render(request, "petitions/case_detail.html", context)


def _may_add_files(case, handles: bool, files: list) -> bool:
    return handles and case.is_open and len(files) < case_files.MAX_FILES


@login_required
@require_http_methods(["GET", "POST"])
def case_files_add(request, pk):
    """Add files to the case (the form is on the case page too); its handlers only."""
    case = _case_or_404(request, pk)
    if not access.handles(request.user, case):
        raise PermissionDenied
    posted = request.method == "POST"
    form = forms.CaseFilesForm(request.POST if posted else None, request.FILES if posted else None)
    status = 200
    if posted:
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            added = attempt(
                form, case_files.case_files_add, actor=request.user, case=case, files=data["files"]
            )
            if added is not None:
                message = ngettext(
                    "Case %(n)s: %(count)d file added.",
                    "Case %(n)s: %(count)d files added.",
                    len(added),
                )
                messages.success(request, message % {"n": case.number, "count": len(added)})
                return redirect(_case_url(case) + "#files-heading")
    files = list(case_files.case_files_list(user=request.user, case=case))
    context = {"case": case, "form": form, "files": files, "max_files": case_files.MAX_FILES}
    return render(request, "petitions/case_files.html", context, status=status)


# The actions ------------------------------------------------------------------------------

ACTIONS = {
    "assign": gettext_lazy("Assign"),
    "reroute": gettext_lazy("Ask for re-routing (改分)"),
    "extend": gettext_lazy("Ask for an extension (展延)"),
    "decide": gettext_lazy("Decide a request"),
    "reply": gettext_lazy("Draft the reply"),
    "approve": gettext_lazy("Approve or return the reply"),
    "field": gettext_lazy("Field work done"),
    "close173": gettext_lazy("Close as not processed (§173)"),
    "merge": gettext_lazy("Merge (併案)"),
    "reopen": gettext_lazy("Reopen"),
}


def _form(action, data, case, initial_into=""):
    if action == "assign":
        return forms.AssignForm(data, departments=_departments())
    if action == "reroute":
        return forms.RerouteForm(data, departments=_departments())
    if action == "decide":
        pending = case.requests.filter(state=Request.State.PENDING).first()
        initial = {"request": pending.pk} if pending else None
        return forms.DecideForm(data, departments=_departments(), initial=initial)
    if action == "approve":
        draft = case.replies.filter(state=Reply.State.DRAFT).first()
        return forms.ReplyDecisionForm(data, initial={"reply": draft.pk} if draft else None)
    if action == "merge":
        return forms.MergeForm(data, initial={"into": initial_into})
    return {
        "extend": forms.ExtensionForm,
        "reply": forms.ReplyForm,
        "field": forms.FieldDoneForm,
        "close173": forms.NotProcessedForm,
        "reopen": forms.ReopenForm,
    }[action](data)


def _run(request, action, case, data):  # noqa: C901 - one branch per action
    user = request.user
    if action == "assign":
        return services.case_assign(
            actor=user, case=case, lead=data["lead"], co_departments=data["co_departments"]
        )
    if action == "reroute":
        return handling.reroute_request(
            actor=user,
            case=case,
            reason=data["reason"],
            site_visit=data["site_visit"],
            suggested=data["suggested"] or None,
        )
    if action == "extend":
        return handling.extension_request(
            actor=user, case=case, reason=data["reason"], new_due=data["new_due"]
        )
    if action == "decide":
        pending = case.requests.filter(pk=data["request"]).first()
        if pending is None:
            raise Http404
        return handling.request_decide(
            actor=user,
            request=pending,
            approve=data["decision"] == "approve",
            note=data["note"],
            lead=data["lead"] or None,
        )
    if action == "reply":
        return handling.reply_draft(actor=user, case=case, **data)
    if action == "approve":
        reply = case.replies.filter(pk=data["reply"]).first()
        if reply is None:
            raise Http404
        if data["action"] == "approve":
            return handling.reply_approve(actor=user, reply=reply)
        return handling.reply_return(actor=user, reply=reply, reason=data["reason"])
    if action == "field":
        return handling.field_done(actor=user, case=case, note=data["note"])
    if action == "close173":
        return services.case_not_processed(actor=user, case=case, **data)
    if action == "merge":
        into = (
            selectors.case_list(user=user, filters={"status": "all"})
            .filter(number=data["into"].strip())
            .first()
        )
        if into is None:
            from guankao.core.errors import ServiceError

            raise ServiceError.field("into", _("is not a case number you can read"))
        return services.case_merge(actor=user, case=case, into=into, note=data["note"])
    return handling.case_reopen(actor=user, case=case, reason=data["reason"], due=data["due"])


DONE = {
    "assign": gettext_lazy("Case %(n)s assigned."),
    "reroute": gettext_lazy("Case %(n)s: re-routing asked; the 管考 officer decides."),
    "extend": gettext_lazy("Case %(n)s: extension asked; the 管考 officer decides."),
    "decide": gettext_lazy("Case %(n)s: the request is decided and the department told."),
    "reply": gettext_lazy("Case %(n)s: reply saved."),
    "approve": gettext_lazy("Case %(n)s: reply decided."),
    "field": gettext_lazy("Case %(n)s: field work recorded as done."),
    "close173": gettext_lazy("Case %(n)s closed as not processed (§173)."),
    "merge": gettext_lazy("Case %(n)s merged."),
    "reopen": gettext_lazy("Case %(n)s reopened."),
}


def _allowed(user, action, case) -> bool:
    if action in ("assign", "decide", "close173", "merge", "reopen"):
        return access.manages(user)
    if action == "approve":
        return access.can_approve_reply(user, case)
    if action in ("reroute", "extend"):
        return access.can_act(user, case) and not access.manages(user)
    return access.can_act(user, case)


@login_required
@require_http_methods(["GET", "POST"])
def case_action(request, pk, action):
    if action not in ACTIONS:
        raise Http404
    case = _case_or_404(request, pk)
    if not _allowed(request.user, action, case):
        raise PermissionDenied
    into = request.GET.get("into", "")[:20] if action == "merge" else ""
    form = _form(action, request.POST or None, case, into)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            done = attempt(
                form, _run, request=request, action=action, case=case, data=form.cleaned_data
            )
            if done is not None:
                if action == "assign":  # what the officer chose against the suggestion
                    dispatch_choices.record(
                        actor=request.user, case=done, stage="assign", shown=True
                    )
                messages.success(request, DONE[action] % {"n": case.number})
                return redirect(_case_url(case))
    context = {"case": case, "form": form, "title": ACTIONS[action], "action": action}
    if action == "assign":
        context["suggestion"] = views_dispatch.for_case(request.user, case)
    return render(request, "petitions/case_action.html", context, status=status)
