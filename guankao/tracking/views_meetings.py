"""The monthly control meeting's pages: the list (officers open the month's meeting), the
meeting with its generated agenda, decisions that become directives, and closing it with
the minutes. Every member of staff reads meetings; only 管考 officers change them."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from guankao.core.errors import NotAllowed, NotFound, ServiceError
from guankao.core.forms import add_service_errors
from guankao.core.http import confirm_page, confirmed
from guankao.lib.roc import roc_year
from guankao.tracking import access, agenda, meetings, selectors
from guankao.tracking.forms_board import (
    DecisionForm,
    MeetingCloseForm,
    MeetingOpenForm,
    department_choices,
)
from guankao.tracking.models import AgendaEntry, Meeting

GENERAL = "general"
MEETINGS_PAGE_SIZE = 24


def meeting_or_404(request, pk) -> Meeting:
    try:
        return selectors.meeting_get(user=request.user, pk=pk)
    except NotFound:
        raise Http404 from None


@login_required
def meeting_list(request):
    may_open = access.can_manage(request.user)
    today = timezone.localdate()
    form = MeetingOpenForm(
        initial={"year": roc_year(today.year), "month": today.month, "held_on": today}
    )
    status = 200
    if request.method == "POST":
        if not may_open:
            raise PermissionDenied
        form = MeetingOpenForm(request.POST)
        if form.is_valid():
            try:
                meeting = meetings.meeting_open(actor=request.user, **form.cleaned_data)
            except ServiceError as exc:
                add_service_errors(form, exc)
            except NotAllowed:
                raise PermissionDenied from None
            else:
                messages.success(
                    request,
                    _("%(title)s opened; its agenda has %(n)d items.")
                    % {"title": meeting.title, "n": meeting.agenda.count()},
                )
                return redirect("tracking_meeting", pk=meeting.pk)
        status = 400
    rows = selectors.meeting_list(user=request.user).order_by("-year", "-month", "-pk")
    page = Paginator(rows, MEETINGS_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "tracking/meetings.html",
        {"meetings": page, "page": page, "form": form, "may_open": may_open},
        status=status,
    )


REASONS = sorted(AgendaEntry.Reason.choices, key=lambda c: meetings.REASON_ORDER[c[0]])


def _groups(meeting: Meeting) -> list[dict]:
    """The agenda by reason (seriously behind, report overdue, at risk, asks release)."""
    entries = list(selectors.meeting_agenda(meeting=meeting))
    for entry in entries:
        entry.gap = (
            entry.planned - entry.actual
            if entry.planned is not None and entry.actual is not None
            else None
        )
    return [
        {"reason": value, "label": label, "entries": [e for e in entries if e.reason == value]}
        for value, label in REASONS
    ]


def _page(request, meeting: Meeting, *, bound=None, close_form=None, status=200):
    """The meeting page; `bound` = (prefix, form) re-shows a decision form with its errors."""
    may_manage = access.can_manage(request.user) and meeting.status == Meeting.Status.OPEN
    groups = _groups(meeting)
    forms = {}
    if may_manage:
        choices = department_choices()
        for group in groups:
            for entry in group["entries"]:
                prefix = f"entry{entry.pk}"
                forms[entry.pk] = DecisionForm(
                    prefix=prefix, departments=choices, initial={"department": entry.item.lead.code}
                )
        forms[GENERAL] = DecisionForm(prefix=GENERAL, departments=choices)
        if bound is not None:
            key, form = bound
            forms[key] = form
        for group in groups:
            for entry in group["entries"]:
                entry.form = forms[entry.pk]
    decisions = list(selectors.meeting_decisions(meeting=meeting))
    linked = [e.item_id for g in groups for e in g["entries"]]
    linked += [p.directive_id for g in groups for e in g["entries"] for p in e.decisions.all()]
    linked += [d.directive_id for d in decisions]
    return render(
        request,
        "tracking/meeting_detail.html",
        {
            "meeting": meeting,
            "groups": groups,
            "agenda_total": sum(len(g["entries"]) for g in groups),
            "decisions": decisions,
            "general_form": forms.get(GENERAL),
            "close_form": close_form or MeetingCloseForm(initial={"minutes": meeting.minutes}),
            "may_manage": may_manage,
            "error_form": bound[1] if bound else close_form,
            "readable": selectors.readable_item_ids(user=request.user, ids=linked),
        },
        status=status,
    )


def _say_changes(request, changes: dict, *, quiet: bool) -> None:
    parts = []
    if changes["added"]:
        parts.append(_("added %(n)s") % {"n": "、".join(changes["added"])})
    if changes["removed"]:
        parts.append(_("removed %(n)s") % {"n": "、".join(changes["removed"])})
    if changes["updated"]:
        parts.append(_("figures updated for %(n)s") % {"n": "、".join(changes["updated"])})
    if parts:
        messages.info(
            request, _("Agenda refreshed from the register: %(c)s.") % {"c": "; ".join(parts)}
        )
    elif not quiet:
        messages.info(request, _("Agenda refreshed from the register: nothing changed."))


def follow(request, meeting: Meeting, *, say: bool = True) -> None:
    """An open meeting's agenda follows the register (the page and its documents)."""
    if meeting.status == Meeting.Status.OPEN:
        changes = agenda.agenda_refresh(actor=None, meeting=meeting)
        if say:
            _say_changes(request, changes, quiet=True)


@login_required
def meeting_detail(request, pk: int):
    meeting = meeting_or_404(request, pk)
    follow(request, meeting)
    return _page(request, meeting)


@login_required
@require_POST
def agenda_refresh(request, pk: int):
    meeting = meeting_or_404(request, pk)
    if not access.can_manage(request.user):
        raise PermissionDenied
    try:
        changes = agenda.agenda_refresh(actor=request.user, meeting=meeting)
    except ServiceError as exc:
        messages.error(request, "; ".join(p.message for p in exc.problems))
    else:
        _say_changes(request, changes, quiet=False)
    return redirect(reverse("tracking_meeting", args=[meeting.pk]) + "#agenda-heading")


def _entry(meeting: Meeting, raw: str) -> AgendaEntry | None:
    if raw in ("", None):
        return None
    if not raw.isdigit():
        raise Http404
    try:
        return AgendaEntry.objects.select_related("item").get(pk=int(raw), meeting=meeting)
    except AgendaEntry.DoesNotExist:
        raise Http404 from None


@login_required
@require_POST
def decision_add(request, pk: int):
    meeting = meeting_or_404(request, pk)
    if not access.can_manage(request.user):
        raise PermissionDenied
    entry = _entry(meeting, request.POST.get("entry", ""))
    key, prefix = (entry.pk, f"entry{entry.pk}") if entry else (GENERAL, GENERAL)
    form = DecisionForm(request.POST, prefix=prefix, departments=department_choices())
    if form.is_valid():
        try:
            decision = meetings.decision_record(
                actor=request.user, meeting=meeting, entry=entry, **form.cleaned_data
            )
        except ServiceError as exc:
            add_service_errors(form, exc)
        except NotAllowed:
            raise PermissionDenied from None
        else:
            directive = decision.directive
            messages.success(
                request,
                format_html(
                    _("Decision recorded; it is now directive {number}: {link}."),
                    number=directive.number,
                    link=format_html(
                        '<a href="{}">{}</a>',
                        reverse("tracking_item", args=[directive.pk]),
                        directive.title,
                    ),
                ),
            )
            return redirect(reverse("tracking_meeting", args=[meeting.pk]) + "#decisions")
    return _page(request, meeting, bound=(key, form), status=400)


@login_required
@require_POST
def meeting_close(request, pk: int):
    meeting = meeting_or_404(request, pk)
    if not access.can_manage(request.user):
        raise PermissionDenied
    form = MeetingCloseForm(request.POST)
    if form.is_valid() and not confirmed(request):
        return confirm_page(
            request,
            title=_("Close %(title)s?") % {"title": meeting.title},
            consequences=[
                _("The minutes and the decisions are fixed: no decision can be added after."),
                _("The month counts as reviewed (按月清查)."),
            ],
            button=_("Yes, close the meeting"),
            cancel_url=reverse("tracking_meeting", args=[meeting.pk]),
        )
    if form.is_valid():
        try:
            meetings.meeting_close(actor=request.user, meeting=meeting, **form.cleaned_data)
        except ServiceError as exc:
            add_service_errors(form, exc)
        except NotAllowed:
            raise PermissionDenied from None
        else:
            messages.success(request, _("The meeting is closed with its minutes."))
            return redirect("tracking_meeting", pk=meeting.pk)
    return _page(request, meeting, close_form=form, status=400)
