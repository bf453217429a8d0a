"""The security dashboard, the incidents (record, the clock's steps, raise the level, the
investigation report) and the rules of the clock and the level table."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from guankao.core.attachments import attachments_for
from guankao.core.errors import NotFound
from guankao.core.forms import add_service_errors
from guankao.core.http import run_action
from guankao.security import access, clock
from guankao.security import selectors_registers as reads
from guankao.security import selectors_secops as ops
from guankao.security import services_incidents as svc
from guankao.security.forms_registers import (
    AttachForm,
    IncidentForm,
    NotifyForm,
    RaiseForm,
    RecoverForm,
    ReportForm,
    ReviewForm,
)
from guankao.security.models import ClockRule, Finding, ImpactRule, Incident, Level
from guankao.security.models.incidents import CLOCK_BASIS, LEVEL_BASIS


def _need(user) -> None:
    if not access.works_here(user):
        raise PermissionDenied


def _int(value, low=1, high=2**63 - 1):
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if low <= number <= high else None


@login_required
@require_http_methods(["GET"])
def dashboard(request):
    user = request.user
    _need(user)
    today = timezone.localdate()
    g = request.GET
    f = {"agency": _int(g.get("agency")), "level": _int(g.get("level"), 1, 4)}
    severity = g.get("severity") if g.get("severity") in Finding.Severity.values else ""
    planned = g.get("planned") if g.get("planned") in ("yes", "no") else ""
    open_rows = reads.incident_list(user=user, filters=f).exclude(status=Incident.Status.CLOSED)
    context = {
        "incidents": reads.with_clocks(open_rows[: reads.LISTED]),
        "follow_ups": list(
            reads.follow_ups_open(user=user, overdue_on=today)
            .select_related(None)
            .select_related("incident")
            .only("measure", "owner", "due_date", "incident__number")[: reads.LISTED]
        ),
        "findings": list(
            reads.findings_open(user=user, filters={"severity": severity, "agency": f["agency"]})
            .select_related(None)
            .select_related("audit")
            .only("text", "severity", "owner", "due_date", "audit__title")[: reads.LISTED]
        ),
        "outages": list(
            reads.outage_list(
                user=user,
                filters={
                    "agency": f["agency"],
                    "planned": planned,
                    "month": (today.year, today.month),
                },
            )[: reads.LISTED]
        ),
        "agencies": reads.agency_choices(user=user),
        "filters": {**f, "severity": severity, "planned": planned},
        "severities": Finding.Severity.choices,
        "may_record": access.is_security_officer(user) or access.is_ciso(user),
        "now": timezone.now(),
        # The other registers' panels: training coverage, duties due, silent SOC points.
        "more_panels": [
            "security/_panel_training.html",
            "security/_panel_duties.html",
            "security/_panel_soc.html",
        ],
        "panel_year": today.year,
        "today": today,
        "training_coverage": ops.training_coverage_by_department(user=user, year=today.year),
        "duties_due": ops.duties_due(user=user, today=today),
        "soc_silent": ops.soc_points_silent(user=user, now=timezone.now()),
    }
    return render(request, "security/dashboard.html", context)


@login_required
@require_http_methods(["GET"])
def incident_list(request):
    """The incidents register: a year's incidents (this year by default), every status."""
    user = request.user
    _need(user)
    year = _int(request.GET.get("year"), 1912, 2200) or timezone.localdate().year
    level = _int(request.GET.get("level"), 1, 4)
    rows = reads.incident_list(user=user, filters={"year": year, "level": level})
    context = {"incidents": list(rows[:500]), "year": year, "level": level}
    return render(request, "security/incidents.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def incident_new(request):
    user = request.user
    agencies = [a for a in reads.agency_choices(user=user) if access.can_manage(user, a)]
    if not agencies:
        raise PermissionDenied
    form = IncidentForm(request.POST or None, request.FILES or None, agencies=agencies)

    def page():
        return render(request, "security/incident_new.html", {"form": form}, status=200)

    if request.method == "POST":
        if not form.is_valid():
            response = page()
            response.status_code = 400
            return response
        data = dict(form.cleaned_data)
        data["agency"] = next(a for a in agencies if a.pk == data["agency"])
        created = {}

        def act():
            created["incident"] = svc.incident_create(actor=user, **data)

        def refused(exc):
            add_service_errors(form, exc)
            return page()

        response = run_action(request, act, refused=refused)
        return response or redirect("security_incident", pk=created["incident"].pk)
    return page()


ACTIONS = {
    "notify": (NotifyForm, svc.incident_notify),
    "review": (ReviewForm, svc.incident_review),
    "recover": (RecoverForm, svc.incident_recover),
    "raise": (RaiseForm, svc.incident_raise_level),
    "report": (ReportForm, svc.incident_report),
    "attach": (AttachForm, svc.incident_attach),
}


def _call(action: str, user, incident, data: dict):
    if action == "report":
        measure = {k: data.pop(k) for k in ("measure", "owner", "due_date")}
        data["measures"] = [measure] if measure["measure"] else []
    return ACTIONS[action][1](actor=user, incident=incident, **data)


@login_required
@require_http_methods(["GET", "POST"])
def incident_detail(request, pk: int):
    user = request.user
    _need(user)
    try:
        incident = reads.incident_get(user=user, pk=pk)
    except NotFound:
        raise Http404 from None
    may = access.can_manage(user, incident.agency)
    action = request.POST.get("action", "") if request.method == "POST" else ""
    forms = {key: cls(prefix=key) for key, (cls, _fn) in ACTIONS.items()}
    if request.method == "POST":
        if not may:
            raise PermissionDenied
        if action == "done":
            return _follow_up_done(request, incident)
        if action not in ACTIONS:
            return _page(request, incident, forms, may, status=400)
        form = ACTIONS[action][0](request.POST, request.FILES, prefix=action)
        forms[action] = form
        if not form.is_valid():
            return _page(request, incident, forms, may, status=400)

        def refused(exc):
            add_service_errors(form, exc)
            return _page(request, incident, forms, may)

        response = run_action(
            request, lambda: _call(action, user, incident, dict(form.cleaned_data)), refused=refused
        )
        return response or redirect("security_incident", pk=incident.pk)
    return _page(request, incident, forms, may)


def _follow_up_done(request, incident):
    row = incident.follow_ups.filter(pk=_int(request.POST.get("follow_up")) or 0).first()
    if row is None:
        return _page(request, incident, {}, True, status=400)
    response = run_action(
        request,
        lambda: svc.followup_done(
            actor=request.user, follow_up=row, note=request.POST.get("note", "")
        ),
        refused=lambda exc: _page(request, incident, {}, True),
    )
    return response or redirect("security_incident", pk=incident.pk)


def _left(step, now) -> str:
    """The countdown: time left, or how late, in hours and minutes (wall-clock)."""
    seconds = step.seconds_left(now)
    if seconds is None:
        return ""
    hours, minutes = divmod(abs(seconds) // 60, 60)
    if seconds >= 0:
        return _("%(h)d h %(m)d min left") % {"h": hours, "m": minutes}
    return _("%(h)d h %(m)d min late") % {"h": hours, "m": minutes}


def _page(request, incident, forms, may, status=200):
    now = timezone.now()
    clocked = reads.with_clocks([incident], now)[0]
    context = {
        "incident": incident,
        "steps": [(step, _left(step, now)) for step in clocked.steps],
        "now": now,
        "may": may,
        "forms": forms,
        "follow_ups": list(incident.follow_ups.all()),
        "files": list(
            attachments_for(actor=request.user, owner_type=svc.OWNER, owner_id=incident.pk)
        ),
        "rule": ClockRule.current(),
        "basis": CLOCK_BASIS,
        # The CISO shares the incident with the regional ISAC (sanitized, TLP-marked).
        "may_share": access.is_ciso(request.user),
    }
    return render(request, "security/incident.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def rules(request):
    _need(request.user)
    rule = ClockRule.current()
    if request.method == "POST":
        if not request.user.is_admin:
            raise PermissionDenied
        if request.POST.get("action") == "table":
            return _table(request, rule)
        values = {}
        for name in svc.CLOCK_FIELDS:
            value = _int(request.POST.get(name), 0, 10**6)
            values[name] = value if value is not None else request.POST.get(name)
        response = run_action(
            request,
            lambda: svc.clock_rule_update(actor=request.user, **values),
            refused=lambda exc: _rules_page(request, rule, exc),
        )
        return response or redirect("security_rules")
    return _rules_page(request, rule)


def _table(request, rule):
    """The administrator's changes to the level table: every changed cell, or none."""
    from django.db import transaction

    def act():
        with transaction.atomic():
            for row in ImpactRule.objects.all():
                given = request.POST.get(f"level-{row.pk}")
                if given is not None:
                    svc.impact_rule_set(actor=request.user, rule=row, level=_int(given, 0, 9) or 0)

    response = run_action(request, act, refused=lambda exc: _rules_page(request, rule, exc))
    return response or redirect("security_rules")


def _rules_page(request, rule, error=None):
    rows = [
        (name, getattr(rule, name), rule._meta.get_field(name).verbose_name, CLOCK_BASIS[name])
        for name in svc.CLOCK_FIELDS
    ]
    context = {
        "rows": rows,
        "table": ImpactRule.objects.order_by("dimension", "kind", "impact"),
        "level_basis": LEVEL_BASIS,
        "error": error,
        "may_edit": request.user.is_admin,
        "steps": clock.LABELS,
        "levels": Level,
    }
    return render(request, "security/rules.html", context, status=400 if error else 200)
