"""Item-level pages of controlled cases: the list, the item page (S-curve, reports,
milestones, notices, audit, release), the item form, the monthly report form, reviews,
release, and "my reports due". Thin: selectors read, services write and check; a bad
field comes back on the form with status 400 and nothing changed."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from django.views.decorators.http import require_POST

from guankao.core import access as core_access
from guankao.core import attachments, audit
from guankao.core import selectors as core_selectors
from guankao.core.errors import NotAllowed, NotFound, ServiceError
from guankao.core.http import confirm_page, confirmed
from guankao.core.models import Attachment
from guankao.lib import progress, roc
from guankao.lib.roc import format_roc, format_roc_month, roc_year, year_from_input
from guankao.tracking import access, release, reporting, selectors, services
from guankao.tracking.curves import item_curves, item_gantt
from guankao.tracking.forms import (
    ItemFilterForm,
    ItemForm,
    MilestoneDoneForm,
    MilestoneForm,
    ReleaseDecisionForm,
    ReleaseRequestForm,
    ReportForm,
    ReviewForm,
)
from guankao.tracking.models import GRANT_KINDS, PROGRESS_KINDS, Item, LagCategory, Report
from guankao.tracking.views_baseline import baseline_context

PAGE_SIZE = 50
OTHER_LABELS = {
    "planned": gettext_lazy("Planned progress"),
    "money_planned": gettext_lazy("Planned spending"),
}
AUDIT_SHOWN = 100
RETURN_APPROVED_DAYS = 45  # the officer's window to send an approved report back
FORECAST_METHODS = {
    progress.S_CURVE: gettext_lazy("From the shape of its progress so far"),
    progress.LINEAR: gettext_lazy("At the pace of its recent months"),
    progress.INSUFFICIENT: gettext_lazy("Not enough reports"),
    progress.FINISHED: gettext_lazy("Finished"),
}


# Helpers ---------------------------------------------------------------------------------


def _item_or_404(request, pk) -> Item:
    try:
        return selectors.item_get(user=request.user, pk=pk)
    except NotFound:
        raise Http404 from None


def _report_or_404(request, pk) -> Report:
    try:
        return selectors.report_get(user=request.user, pk=pk)
    except NotFound:
        raise Http404 from None


def _item_url(item, anchor: str = "") -> str:
    return reverse("tracking_item", args=[item.pk]) + (f"#{anchor}" if anchor else "")


def _form_errors(form, exc: ServiceError) -> None:
    """The service's problems on the form's fields; the stale-form check and fields the
    form does not show go to the top of the form."""
    for problem in exc.problems:
        field = "files" if problem.field == "file" else problem.field
        if f"{field}_late_reason" in form.fields:  # a milestone in the monthly report
            field = f"{field}_late_reason"
        if field in form.fields and not form.fields[field].widget.is_hidden:
            form.add_error(field, problem.message)
        elif field == "version":
            form.add_error(None, problem.message)
        else:
            label = form.fields[field].label if field in form.fields else field
            label = OTHER_LABELS.get(field, label)
            form.add_error(None, f"{label or field}: {problem.message}")


def _attempt(form, service, **kwargs):
    """Call a service: its field problems land on `form` (None is returned), refusal is
    403, a record out of reach 404."""
    try:
        return service(**kwargs)
    except ServiceError as exc:
        _form_errors(form, exc)
    except NotAllowed as exc:
        raise PermissionDenied(str(exc)) from None
    except NotFound:
        raise Http404 from None
    return None


def _leads(user, departments) -> list:
    """The departments the user may create items for (access.can_create, without a query
    per department)."""
    if core_access.is_officer(user):
        return departments
    if not core_access.may_draft(user):
        return []
    return [d for d in departments if core_access.in_subtree(user, d)]


def _month_param(request, today) -> tuple[int, int]:
    """?year=&month= (year in 民國 or western); last month by default."""
    year, month = services.previous_month(today.year, today.month)
    raw_year, raw_month = request.GET.get("year", ""), request.GET.get("month", "")
    if raw_year.isdigit() and raw_month.isdigit():
        y, m = int(raw_year), int(raw_month)
        y = year_from_input(y)
        if roc.is_year(y) and 1 <= m <= 12:
            year, month = y, m
    return year, month


# List ------------------------------------------------------------------------------------


@login_required
def item_list(request):
    departments = list(core_selectors.department_list(user=request.user))
    form = ItemFilterForm(request.GET or None, departments=departments)
    filters, status = {}, 200
    if form.is_bound:
        status = 200 if form.is_valid() else 400
        filters = {k: v for k, v in form.cleaned_data.items() if v}
    rows = selectors.item_list(user=request.user, filters=filters)
    rows = rows.order_by("-created_at", "-pk")  # newest first
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "may_create": bool(_leads(request.user, departments)),
    }
    return render(request, "tracking/item_list.html", context, status=status)


# Item page -------------------------------------------------------------------------------


def _report_files(user, reports) -> dict[str, list[Attachment]]:
    """Every report's files in one query, by report id."""
    files: dict[str, list[Attachment]] = {}
    rows = attachments.attachments_for(
        actor=user, owner_type=services.ATTACHMENT_REPORT, owner_ids=[r.pk for r in reports]
    )
    for row in rows if reports else ():
        files.setdefault(row.owner_id, []).append(row)
    return files


def _mark_review_rights(user, item, reports, may: dict) -> None:
    """Who sees which buttons under each report. The officer may still return an approved
    report, but only the newest one and only for a while: no return box under reports
    approved long ago."""
    live = [r for r in reports if r.live]
    newest = max(live, key=lambda r: (r.year, r.month), default=None)
    since = timezone.now() - dt.timedelta(days=RETURN_APPROVED_DAYS)
    for r in reports:
        submitted, approved = r.state == Report.State.SUBMITTED, r.state == Report.State.APPROVED
        recent = approved and r is newest and r.reviewed_at is not None and r.reviewed_at >= since
        r.may_approve = may["review"] and submitted and r.filed_by_id != user.pk
        r.may_return = (may["review"] and submitted) or (may["manage"] and recent)
        r.may_refuse = may["manage"] and r.late and (submitted or approved)


def _render_item(request, item, *, status: int = 200, **forms):
    user = request.user
    reports = list(selectors.item_reports(item=item))
    files = _report_files(user, reports)
    for r in reports:
        r.files = files.get(str(r.pk), [])
    live = sorted((r for r in reports if r.live), key=lambda r: (r.year, r.month))
    forecast = None
    if item.reports_progress and item.finish_date:
        forecast = services.item_forecast(item, live, timezone.localdate())
    may = {
        "edit": access.can_edit(user, item),
        "report": access.can_report(user, item) and item.is_open,
        "review": access.can_review(user, item),
        "manage": access.can_manage(user),
        "release": access.can_request_release(user, item)
        and item.status in (Item.Status.ACTIVE, Item.Status.RETURNED),
    }
    may["decide"] = may["manage"] and item.status == Item.Status.RELEASE_REQUESTED
    _mark_review_rights(user, item, reports, may)
    curves = item_curves(item, live)
    milestones = list(item.milestones.all())
    context = {
        "item": item,
        "shows": {
            "works": item.kind in PROGRESS_KINDS,
            "grant": item.kind in GRANT_KINDS,
            "directive": not item.reports_progress,
        },
        "forecast_method": FORECAST_METHODS.get(forecast.method, "") if forecast else "",
        "co_departments": list(item.co_departments.all()),
        "milestones": milestones,
        "gantt": item_gantt(item, milestones, timezone.localdate()),
        "reports": reports,
        "forecast": forecast,
        "curves": curves,
        **baseline_context(user, item, forms),
        "chases": list(selectors.item_chases(item=item)),
        "audit": audit.describe(selectors.item_audit(item=item)[:AUDIT_SHOWN]),
        "audit_limit": AUDIT_SHOWN,
        "release_files": list(
            attachments.attachments_for(
                actor=user, owner_type=services.ATTACHMENT_RELEASE, owner_id=item.pk
            )
        ),
        "may": may,
        "release_missing": release.release_missing(item) if item.release_exception else [],
        "today": timezone.localdate(),
        "milestone_form": forms.get("milestone_form") or MilestoneForm(prefix="milestone"),
        "done_form": forms.get("done_form"),
        "done_for": forms.get("done_for"),
        "review_form": forms.get("review_form"),
        "review_for": forms.get("review_for"),
        "decision_form": forms.get("decision_form") or ReleaseDecisionForm(prefix="release"),
    }
    return render(request, "tracking/item_detail.html", context, status=status)


@login_required
def item_detail(request, pk: int):
    return _render_item(request, _item_or_404(request, pk))


# Item form -------------------------------------------------------------------------------


def _item_initial(item: Item) -> dict:
    initial = {
        name: getattr(item, name)
        for name in (
            "kind",
            "number",
            "title",
            "description",
            "level",
            "start_date",
            "finish_date",
            "due_date",
            "tender_number",
            "contractor",
            "site_address",
            "grant_source",
        )
    }
    for name in services.ITEM_MONEY:
        value = getattr(item, name)
        initial[name] = "" if value is None else str(value)
    for name in ("latitude", "longitude"):
        value = getattr(item, name)
        initial[name] = "" if value is None else str(value)
    initial["lead"] = item.lead.code
    initial["co_departments"] = [d.code for d in item.co_departments.all()]
    initial["tags"] = "、".join(t.name for t in item.tags.all())
    initial["version"] = services.item_version(item)
    return initial


@login_required
def item_edit(request, pk: int | None = None):
    user = request.user
    item = _item_or_404(request, pk) if pk is not None else None
    if item is not None and not access.can_edit(user, item):
        raise PermissionDenied
    departments = list(core_selectors.department_list(user=user))
    leads = _leads(user, departments)
    if item is None and not leads:
        raise PermissionDenied
    if item is not None and item.lead not in leads:
        leads = [item.lead, *leads]
    form = ItemForm(
        request.POST if request.method == "POST" else None,
        initial=_item_initial(item) if item else {},
        leads=leads,
        departments=departments,
        creating=item is None,
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.service_data()
            if item is None:
                saved = _attempt(form, services.item_create, actor=user, **data)
            else:
                version = form.cleaned_data["version"] or None
                saved = _attempt(
                    form,
                    services.item_update,
                    actor=user,
                    item=item,
                    expected_version=version,
                    **data,
                )
            if saved is not None:
                messages.success(request, _("Saved."))
                return redirect(_item_url(saved))
        status = 400
    context = {"form": form, "item": item}
    return render(request, "tracking/item_form.html", context, status=status)


# Milestones ------------------------------------------------------------------------------


@login_required
@require_POST
def milestone_add(request, pk: int):
    item = _item_or_404(request, pk)
    if not access.can_edit(request.user, item):
        raise PermissionDenied
    form = MilestoneForm(request.POST, prefix="milestone")
    if form.is_valid():
        if _attempt(
            form, services.milestone_add, actor=request.user, item=item, **form.cleaned_data
        ):
            messages.success(request, _("Milestone added."))
            return redirect(_item_url(item, "milestones"))
    return _render_item(request, item, status=400, milestone_form=form)


@login_required
@require_POST
def milestone_done(request, pk: int):
    try:
        milestone = selectors.milestone_get(user=request.user, pk=pk)
    except NotFound:
        raise Http404 from None
    item = milestone.item
    if not access.can_edit(request.user, item):
        raise PermissionDenied
    form = MilestoneDoneForm(request.POST, auto_id=f"%s-{milestone.pk}")
    if form.is_valid():
        done_on = form.cleaned_data["done_on"] or timezone.localdate()
        if _attempt(
            form, services.milestone_done, actor=request.user, milestone=milestone, done_on=done_on
        ):
            messages.success(request, _("Milestone marked done."))
            return redirect(_item_url(item, "milestones"))
    return _render_item(request, item, status=400, done_form=form, done_for=milestone.pk)


# Monthly reports -------------------------------------------------------------------------


def _returned(month_reports) -> Report | None:
    """The month's newest revision when the head returned it: the form starts from it."""
    newest = max(month_reports, key=lambda r: r.revision, default=None)
    return newest if newest is not None and newest.state == Report.State.RETURNED else None


def _report_initial(report: Report | None) -> dict:
    if report is None:
        return {}
    names = ("planned", "actual", "money_planned", "money_spent", "handling", "result")
    names += ("work_done", "problems", "lag_reason")
    initial = {name: getattr(report, name) for name in names}
    return {k: ("" if v is None else str(v)) for k, v in initial.items()}


@login_required
def report_file(request, pk: int):
    item = _item_or_404(request, pk)
    if not access.can_report(request.user, item):
        raise PermissionDenied
    today = timezone.localdate()
    year, month = _month_param(request, today)
    posted = request.method == "POST"
    month_reports = list(item.reports.filter(year=year, month=month).select_related("reviewed_by"))
    returned = _returned(month_reports)
    form = ReportForm(
        request.POST if posted else None,
        request.FILES if posted else None,
        progress=item.reports_progress,
        milestones=item.milestones.filter(done_on__isnull=True).order_by("due", "order", "pk"),
        categories=LagCategory.objects.filter(active=True),
        initial={"year": roc_year(year), "month": month, **_report_initial(returned)},
    )
    status = 200
    if posted:
        if form.is_valid():
            year, month = form.cleaned_data["year"], form.cleaned_data["month"]
            report = _attempt(
                form,
                reporting.report_file,
                actor=request.user,
                item=item,
                year=year,
                month=month,
                files=request.FILES.getlist("files"),
                **form.service_data(),
            )
            if report is not None:
                if report.late:
                    messages.warning(
                        request,
                        _("Filed after the due day (%(due)s): the report is marked late.")
                        % {"due": format_roc(report.due_on)},
                    )
                messages.success(request, _("Report filed; waiting for the head's approval."))
                return redirect(_item_url(item, "reports"))
        status = 400
    due = services.report_due(year, month) if roc.is_year(year) else None
    context = {
        "item": item,
        "form": form,
        "year": year,
        "month": month,
        "due": due,
        "late": due is not None and today > due,
        "month_reports": month_reports,
        "returned": returned,
        "plan": _month_plan(item, year, month),
        "month_end": services.month_end(year, month) if roc.is_year(year) else None,
    }
    return render(request, "tracking/report_form.html", context, status=status)


def _month_plan(item: Item, year: int, month: int) -> dict | None:
    """The approved baseline's planned figures for the month, shown (never asked for)."""
    if not item.reports_progress or item.baseline is None:
        return None
    planned, money = item.baseline.planned_for(year, month)
    return {"planned": planned, "money": money, "revision": item.baseline.revision}


@login_required
@require_POST
def report_review(request, pk: int):
    report = _report_or_404(request, pk)
    form = ReviewForm(request.POST, auto_id=f"%s-{report.pk}")
    if form.is_valid():
        service = {
            "approve": reporting.report_approve,
            "return": reporting.report_return,
            "refuse": reporting.report_refuse,
        }[form.cleaned_data["action"]]
        done = _attempt(
            form, service, actor=request.user, report=report, note=form.cleaned_data["note"]
        )
        if done is not None:
            messages.success(request, _reviewed(done))
            return redirect(_item_url(report.item, "reports"))
    return _render_item(request, report.item, status=400, review_form=form, review_for=report.pk)


def _reviewed(report) -> str:
    """What happened and who was told: "115-W-03, report for 115/10: approved. …"."""
    text = _("%(item)s, report for %(month)s: %(state)s.") % {
        "item": report.item.number,
        "month": format_roc_month(report.year, report.month),
        "state": report.get_state_display(),
    }
    who = "、".join(u.display_name or u.username for u in getattr(report, "notified", []))
    if who:
        text += " " + _("%(who)s told in the app and by e-mail.") % {"who": who}
    return text


# Release from control --------------------------------------------------------------------


@login_required
def release_request(request, pk: int):
    item = _item_or_404(request, pk)
    if not access.can_request_release(request.user, item):
        raise PermissionDenied
    posted = request.method == "POST"
    form = ReleaseRequestForm(
        request.POST if posted else None,
        request.FILES if posted else None,
        initial={
            "result": item.release_result,
            "completed_on": item.completed_on,
            "exception_reason": item.release_exception,
        },
    )
    status = 200
    if posted:
        if form.is_valid():
            saved = _attempt(
                form,
                release.release_request,
                actor=request.user,
                item=item,
                result=form.cleaned_data["result"],
                completed_on=form.cleaned_data["completed_on"],
                exception_reason=form.cleaned_data["exception_reason"],
                files=request.FILES.getlist("files"),
            )
            if saved is not None:
                messages.success(
                    request, pgettext("approval", "Release requested; the 管考 officer decides.")
                )
                return redirect(_item_url(item, "release"))
        status = 400
    files = attachments.attachments_for(
        actor=request.user, owner_type=services.ATTACHMENT_RELEASE, owner_id=item.pk
    )
    context = {
        "item": item,
        "form": form,
        "files": list(files),
        "open": item.status in (Item.Status.ACTIVE, Item.Status.RETURNED),
        "missing": release.release_missing(item),
    }
    return render(request, "tracking/release_form.html", context, status=status)


@login_required
@require_POST
def release_decide(request, pk: int):
    item = _item_or_404(request, pk)
    form = ReleaseDecisionForm(request.POST, prefix="release")
    asks = form.is_valid() and form.cleaned_data["action"] == "approve"
    if asks and access.can_manage(request.user) and not confirmed(request):
        return confirm_page(
            request,
            title=_("Release %(n)s %(t)s from control?") % {"n": item.number, "t": item.title},
            consequences=[
                _("The case leaves control (解除列管) and takes no more monthly reports."),
                _("The decision and the officer's note are kept in the case's history."),
            ],
            button=_("Yes, release it from control"),
            cancel_url=_item_url(item, "release"),
        )
    if form.is_valid():
        service = {"approve": release.release_approve, "return": release.release_return}[
            form.cleaned_data["action"]
        ]
        done = _attempt(
            form, service, actor=request.user, item=item, note=form.cleaned_data["note"]
        )
        if done is not None:
            messages.success(
                request,
                pgettext("approval", "Decision recorded: %(status)s.")
                % {"status": done.get_status_display()},
            )
            return redirect(_item_url(item, "release"))
    return _render_item(request, item, status=400, decision_form=form)


# My reports due --------------------------------------------------------------------------


@login_required
def my_reports(request):
    user, today = request.user, timezone.localdate()
    due = [
        row
        for row in selectors.reports_due(user=user, today=today)
        if access.can_report(user, row["item"])
    ]
    reviews = list(selectors.reviews_due(user=user))
    for report in reviews:
        report.may_approve = report.filed_by_id != user.pk
    context = {"due": due, "reviews": reviews, "today": today}
    return render(request, "tracking/my_reports.html", context)
