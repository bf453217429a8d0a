from decimal import Decimal
from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
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
from guankao.lib import roc
from guankao.lib.roc import DateFormatError, parse_date, roc_year, year_from_input
from guankao.lib.targets import TargetError, parse_target
from guankao.plans import access, cache, charts, notices, registry, selectors, services
from guankao.plans import status as st
from guankao.plans.forms import (
    GoalForm,
    KpiForm,
    KpiSettingsForm,
    MeasurementForm,
    PlanForm,
    ReturnForm,
    TargetForm,
)


def _or_404(fn, **kwargs):
    try:
        return fn(**kwargs)
    except NotFound:
        raise Http404 from None


def _year_param(request, default: int) -> int:
    raw = request.GET.get("year", "")
    if not raw.isdigit():
        return default
    year = int(raw)
    year = year_from_input(year)
    return year if roc.is_year(year) else default


def _as_of_param(request):
    raw = request.GET.get("as_of", "").strip()
    if not raw:
        return None, ""
    try:
        return parse_date(raw), ""
    except DateFormatError as exc:
        return None, str(exc)


def department_param(request):
    """?department= by code or name: (the department, "") or (None, what is wrong)."""
    text = request.GET.get("department", "").strip()[:100]
    if not text:
        return None, ""
    try:
        return core_selectors.department_find(user=request.user, text=text), ""
    except NotFound:
        message = _("No department is called %(code)s: choose one from the list.")
        return None, message % {"code": text}


def scorecard_view(request):
    if not request.user.is_authenticated:
        return redirect("public_scorecards")
    year = _year_param(request, timezone.localdate().year)
    as_of, as_of_error = _as_of_param(request)
    department, department_error = department_param(request)
    day = as_of or timezone.localdate()
    rows = []
    if not department_error:
        rows = cache.remembered(
            request.user,
            ("page", year, department and department.pk, day),
            partial(
                selectors.scorecard,
                user=request.user,
                year=year,
                department=department,
                as_of=day,
            ),
        )
    context = {
        "year": year,
        "department": department,
        "department_error": department_error,
        "departments": core_selectors.department_choices(user=request.user),
        "as_of": as_of,
        "as_of_error": as_of_error,
        "groups": _group(rows),
        "counts": _counts(rows),
        "may_publish": core_access.is_officer(request.user),
    }
    status = 400 if department_error or as_of_error else 200
    return render(request, "plans/scorecard.html", context, status=status)


def _group(rows):
    groups, current = [], None
    for row in rows:
        goal = row.kpi.goal
        if current is None or current["goal"].pk != goal.pk:
            current = {"goal": goal, "plan": goal.plan, "rows": []}
            groups.append(current)
        current["rows"].append(row)
    return groups


def _counts(rows):
    counts = dict.fromkeys(st.ALL, 0)
    for row in rows:
        counts[row.result.status] += 1
    return [(status, n) for status, n in counts.items() if n]


@login_required
def plan_list(request):
    plans = selectors.plan_list(user=request.user)
    form = PlanForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.plan_create(
                actor=request.user, department=request.user.department, **form.cleaned_data
            )
            return redirect("plan_detail", pk=plan.pk)
        except ServiceError as exc:
            add_service_errors(form, exc)
        except NotAllowed:
            raise PermissionDenied from None
    user = request.user
    may_create = user.department_id is not None and (
        core_access.is_officer(user) or core_access.may_draft(user)
    )
    return render(
        request,
        "plans/plan_list.html",
        {"plans": plans, "form": form, "may_create": may_create},
        status=400 if form.errors else 200,
    )


@login_required
def plan_detail(request, pk: int):
    plan = _or_404(selectors.plan_get, user=request.user, pk=pk)
    may_edit = access.can_edit_plan(request.user, plan)
    goal_form = GoalForm(prefix="goal")
    if request.method == "POST":
        if not may_edit:
            raise PermissionDenied
        goal_form = GoalForm(request.POST, prefix="goal")
        if goal_form.is_valid():
            try:
                order = plan.goals.count() + 1
                services.goal_create(
                    actor=request.user, plan=plan, order=order, **goal_form.cleaned_data
                )
                return redirect("plan_detail", pk=plan.pk)
            except ServiceError as exc:
                add_service_errors(goal_form, exc)
    goals = plan.goals.prefetch_related("kpis__targets")
    years = list(range(plan.first_year, plan.last_year + 1))
    return render(
        request,
        "plans/plan_detail.html",
        {
            "plan": plan,
            "goals": goals,
            "years": years,
            "may_edit": may_edit,
            "goal_form": goal_form,
            "kpi_form": KpiForm(prefix="kpi", metric_choices=registry.choices()),
        },
        status=400 if goal_form.errors else 200,
    )


@login_required
@require_POST
def kpi_create(request, goal_id: int):
    plan_goal = _or_404(selectors.goal_get, user=request.user, pk=goal_id)
    form = KpiForm(request.POST, prefix="kpi", metric_choices=registry.choices())
    if form.is_valid():
        try:
            kpi = services.kpi_create(
                actor=request.user,
                goal=plan_goal,
                order=plan_goal.kpis.count() + 1,
                **form.cleaned_data,
            )
            return redirect("kpi_detail", pk=kpi.pk)
        except ServiceError as exc:
            add_service_errors(form, exc)
        except NotAllowed:
            raise PermissionDenied from None
    return render(
        request,
        "plans/form.html",
        {"form": form, "title": _("New KPI"), "back": ("plan_detail", plan_goal.plan_id)},
        status=400,
    )


def _kpi_forms(request, kpi, year: int) -> dict:
    bound = request.POST if request.method == "POST" else None
    action = request.POST.get("action") if bound else None
    settings_initial = {
        "name": kpi.name,
        "measure": kpi.measure,
        "unit": kpi.unit,
        "number": kpi.number,
        "direction": kpi.direction,
        "accumulation": kpi.accumulation,
        "frequency": kpi.frequency,
        "path": kpi.path,
        "metric_key": kpi.metric_key,
        "over_100": kpi.over_100,
        "on_track_pct": kpi.on_track_from * 100,
        "at_risk_pct": kpi.at_risk_from * 100,
    }
    return {
        "record": MeasurementForm(
            bound if action == "record" else None,
            request.FILES if action == "record" else None,
            initial={"year": roc_year(year)},
        ),
        "target": TargetForm(bound if action == "target" else None, prefix="target"),
        "settings": KpiSettingsForm(
            bound if action == "settings" else None,
            prefix="kpi",
            initial=settings_initial,
            metric_choices=registry.choices(),
        ),
    }


def _save_form(request, kpi, action: str, form) -> None:
    """Run the posted form's service; problems land on the form."""
    if not form.is_valid():
        return
    data = dict(form.cleaned_data)
    try:
        if action == "record":
            upload = data.pop("evidence_file")
            try:
                services.measurement_record(
                    actor=request.user, kpi=kpi, evidence_file=upload, **data
                )
            except ServiceError as exc:  # the attachment service names its field "file"
                for problem in exc.problems:
                    problem.field = "evidence_file" if problem.field == "file" else problem.field
                raise
            messages.success(request, _("Saved; waiting for the department head's approval."))
        elif action == "target":
            services.target_set(actor=request.user, kpi=kpi, **data)
        else:
            data["on_track_from"] = data.pop("on_track_pct") / 100
            data["at_risk_from"] = data.pop("at_risk_pct") / 100
            services.kpi_update(actor=request.user, kpi=kpi, **data)
    except ServiceError as exc:
        add_service_errors(form, exc)
    except NotAllowed as exc:  # a target of a plan in force or a closed year: the officer's
        form.add_error(None, str(exc))


@login_required
def kpi_detail(request, pk: int):
    kpi = _or_404(selectors.kpi_get, user=request.user, pk=pk)
    plan = kpi.goal.plan
    year = _year_param(
        request, min(max(timezone.localdate().year, plan.first_year), plan.last_year)
    )
    may = {
        "report": access.can_report(request.user, kpi) and not kpi.metric_key,
        "approve": access.can_approve(request.user, kpi),
        "edit": access.can_edit_plan(request.user, plan),
    }
    forms = _kpi_forms(request, kpi, year)
    if request.method == "POST":
        action = request.POST.get("action")
        if action in ("approve", "return"):
            return _kpi_post(request, kpi, partial(_kpi_page, request, kpi, year, may, forms))
        allowed = {"record": may["report"], "target": may["edit"], "settings": may["edit"]}
        if not allowed.get(action):
            raise PermissionDenied
        _save_form(request, kpi, action, forms[action])
        if not forms[action].errors:
            return redirect(f"{request.path}?year={year}")
        return _kpi_page(request, kpi, year, may, forms, status=400)
    return _kpi_page(request, kpi, year, may, forms)


def _kpi_page(request, kpi, year, may, forms, *, status=200, return_form=None, return_for=None):
    plan = kpi.goal.plan
    history = selectors.measurement_history(user=request.user, kpi=kpi)
    years = list(range(plan.first_year, plan.last_year + 1))
    results = [
        (y, row)
        for y in years
        for row in selectors.scorecard(user=request.user, year=y, kpi_ids=[kpi.pk])
    ]
    metric = registry.get(kpi.metric_key) if kpi.metric_key else None
    records = _records(metric, kpi, year) if metric is not None else []
    return render(
        request,
        "plans/kpi_detail.html",
        {
            "kpi": kpi,
            "plan": plan,
            "year": year,
            "years": years,
            "results": results,
            "history": history,
            "chart": _chart(kpi, year, history),
            "years_chart": _years_chart(kpi, results),
            "metric": metric,
            "records": records,
            "may_report": may["report"],
            "may_approve": may["approve"],
            "may_edit": may["edit"],
            # In force: the department may still change the KPI's wording, not its targets.
            "may_set_targets": may["edit"]
            and (
                access.is_officer(request.user) or not access.in_force(plan, timezone.localdate())
            ),
            "measurement_form": forms["record"],
            "target_form": forms["target"],
            "settings_form": forms["settings"],
            "return_form": return_form,
            "return_for": return_for,
        },
        status=status,
    )


def _years_chart(kpi, results):
    """Actual against target over the plan's years (numeric targets only)."""
    if len(results) < 2 or not any(row.result.actual is not None for _year, row in results):
        return ""
    labels = [str(roc_year(y)) for y, _row in results]
    actual = [row.result.actual for _year, row in results]
    targets = []
    for _year, row in results:
        try:
            parsed = parse_target(row.target_text or "", direction=kpi.direction)
            targets.append(parsed.low if parsed.low is not None else parsed.high)
        except TargetError:
            targets.append(None)
    title = _("%(kpi)s: actual and target by year") % {"kpi": kpi.name}
    return charts.line_chart(
        title, labels, [(_("Actual"), actual, "#0b5394"), (_("Target"), targets, "#a61b1b")]
    )


RECORDS_SHOWN = 500


def _records(metric, kpi, year: int) -> list[tuple[str, list]]:
    """The records a computed KPI counted, period by period over the whole year (up to the
    current period of the current year), at most RECORDS_SHOWN in all."""
    today = timezone.localdate()
    per_year = kpi.periods_per_year
    if year > today.year:
        return []
    begun = per_year if year < today.year else (today.month * per_year + 11) // 12
    out, shown = [], 0
    for number in range(1, begun + 1):
        period = registry.Period(year, number, per_year)
        rows = list(metric.records(period, None))[: max(RECORDS_SHOWN - shown, 0)]
        shown += len(rows)
        out.append((period.name, rows))
    return out


def _chart(kpi, year, history):
    """The year's values by period; none for a yearly KPI (one point is no trend)."""
    counted = {m.period: m.value for m in history if m.year == year and m.counted}
    if not counted or kpi.periods_per_year == 1:
        return ""
    labels = [str(p) for p in range(1, kpi.periods_per_year + 1)]
    values = [counted.get(p) for p in range(1, kpi.periods_per_year + 1)]
    if kpi.accumulation == "sum":
        running, total = [], Decimal(0)
        for v in values:
            total += v or 0
            running.append(total if v is not None else None)
        values = running
    title = _("%(kpi)s, %(y)d: value by period") % {"kpi": kpi.name, "y": roc_year(year)}
    return charts.line_chart(title, labels, [(_("Actual"), values, "#0b5394")])


def _kpi_post(request, kpi, page):
    """Approve or return the value named in the form; a refusal shows the page again with
    the problem in that value's return box (`page` renders the KPI page)."""
    pk = request.POST.get("measurement", "")
    if not pk.isdigit():
        return HttpResponse(status=400)
    if request.POST.get("action") == "approve":
        action = partial(services.measurement_approve, actor=request.user, measurement_id=int(pk))
        done = _("Approved: the value now counts on the scorecard.")
    else:
        action = partial(
            services.measurement_return,
            actor=request.user,
            measurement_id=int(pk),
            reason=request.POST.get("reason", ""),
        )
        done = _("Returned to the department for correction.")

    def refused(exc):
        form = ReturnForm(request.POST, auto_id=f"m{pk}-%s")
        form.is_valid()
        add_service_errors(form, exc)
        return page(status=400, return_form=form, return_for=int(pk))

    failed = run_action(request, action, refused=refused, done=done, success=_decided)
    return failed or redirect(request.get_full_path())


def _decided(m) -> str:
    """Says what happened and who was told: "Approved KPI 五-2 …; told 陳聯絡 …"."""
    what = notices.value_named(m)
    who = "、".join(u.display_name or u.username for u in getattr(m, "notified", []))
    if m.status == "approved":
        text = _("Approved: %(what)s; it now counts on the scorecard.") % {"what": what}
    else:
        text = _("Returned for correction: %(what)s.") % {"what": what}
    if who:
        text += " " + _("%(who)s told in the app and by e-mail.") % {"who": who}
    return text


@login_required
def my_updates(request):
    today = timezone.localdate()
    due = selectors.periods_due(today=today, horizon_days=14, user=request.user)
    mine = [row for row in due if access.can_report(request.user, row[0])]
    approvals = [
        m
        for m in selectors.pending_approvals(user=request.user)
        if access.can_approve(request.user, m.kpi)
    ]
    returned = selectors.returned_measurements(user=request.user)
    return render(
        request,
        "plans/my_updates.html",
        {"due": mine, "today": today, "approvals": approvals, "returned": returned},
    )
