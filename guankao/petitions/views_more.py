"""Petitions pages beyond the daily desk: the map of the year's located cases, the
knowledge base (read by all staff, kept by the owning department), and the officer's
settings (categories, the clock's rules, the service-check rubric and checks)."""

from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from guankao.core.models import Department, Role
from guankao.petitions import access, selectors, upkeep
from guankao.petitions.forms_more import (
    CategoryForm,
    CheckForm,
    KnowledgeForm,
    RubricItemForm,
    RulesForm,
)
from guankao.petitions.models import (
    OPEN_STATUSES,
    Category,
    Knowledge,
    RubricItem,
    Rules,
    ServiceCheck,
)
from guankao.petitions.views import _year, attempt

MAP_LIMIT = 5000
TONES = {
    "overdue": gettext_lazy("Overdue"),
    "open": gettext_lazy("Being handled"),
    "closed": gettext_lazy("Closed"),
}


def _tone(case, today) -> str:
    if case.status in OPEN_STATUSES:
        return "overdue" if case.due_date and case.due_date < today else "open"
    return "closed"


@require_GET
@login_required
def map_view(request):
    """The year's located cases the reader may see, confidential ones never: number,
    category, status and place of the problem only (no petitioner's data)."""
    today = timezone.localdate()
    year = _year(request, today)
    rows = (
        selectors.case_list(user=request.user, filters={"status": "all", "year": year})
        .filter(latitude__isnull=False, confidential=False)
        .only(
            "pk",
            "number",
            "status",
            "due_date",
            "latitude",
            "longitude",
            "location",
            "category__name",
            "lead__name",
            "received_at",
        )
    )
    cases = list(rows[:MAP_LIMIT])
    features = []
    for case in cases:
        case.tone = _tone(case, today)
        features.append(
            {
                "type": "Feature",
                "id": case.pk,
                "geometry": {
                    "type": "Point",
                    "coordinates": [float(case.longitude), float(case.latitude)],
                },
                "properties": {
                    "number": case.number,
                    "category": case.category.name,
                    "status": case.get_status_display(),
                    "tone": case.tone,
                    "place": case.location,
                    "url": f"/petitions/cases/{case.pk}/",
                },
            }
        )
    context = {
        "year": year,
        "cases": cases,
        "features": {"type": "FeatureCollection", "features": features},
        "tiles": settings.GUANKAO_MAP_TILES,
        "attribution": settings.GUANKAO_MAP_ATTRIBUTION,
        "labels": {k: str(v) for k, v in TONES.items()},
        "limited": len(cases) == MAP_LIMIT,
    }
    return render(request, "petitions/map.html", context)


# Shared ----------------------------------------------------------------------------------


def _departments():
    return list(Department.objects.filter(active=True).order_by("path"))


def _form_page(request, form, title, back, status, intro=""):
    context = {"form": form, "title": title, "back": back, "intro": intro}
    return render(request, "petitions/form.html", context, status=status)


def _officer(request):
    if not access.manages(request.user):
        raise PermissionDenied


# Knowledge base --------------------------------------------------------------------------


@require_GET
@login_required
def knowledge_list(request):
    q = request.GET.get("q", "")
    rows = Knowledge.objects.filter(active=True).select_related("department")
    if q.strip():
        rows = rows.filter(
            Q(question__icontains=q.strip()[:100])
            | Q(answer__icontains=q.strip()[:100])
            | Q(keywords__icontains=q.strip()[:100])
        )
    page = Paginator(rows, 30).get_page(request.GET.get("page"))
    for entry in page:
        entry.editable = upkeep.may_keep_knowledge(request.user, entry.department)
    context = {
        "page": page,
        "q": q,
        "query": f"q={quote(q)}" if q else "",
        "may_add": access.manages(request.user)
        or (request.user.department_id is not None and request.user.has_role(Role.LIAISON)),
    }
    return render(request, "petitions/knowledge.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def knowledge_edit(request, pk=None):
    entry = None
    if pk is not None:
        entry = Knowledge.objects.select_related("department").filter(pk=pk).first()
        if entry is None:
            raise Http404
    user = request.user
    if entry is not None and not upkeep.may_keep_knowledge(user, entry.department):
        raise PermissionDenied
    if entry is None and not (access.manages(user) or user.has_role(Role.LIAISON)):
        raise PermissionDenied
    initial = None
    if entry is not None:
        initial = {
            "department": entry.department.code,
            "question": entry.question,
            "answer": entry.answer,
            "keywords": entry.keywords,
            "active": entry.active,
        }
    elif user.department_id is not None:
        initial = {"department": user.department.code, "active": True}
    departments = [d for d in _departments() if upkeep.may_keep_knowledge(user, d)]
    form = KnowledgeForm(request.POST or None, departments=departments, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if (
            form.is_valid()
            and attempt(form, upkeep.knowledge_save, actor=user, entry=entry, **form.cleaned_data)
            is not None
        ):
            messages.success(request, _("Knowledge entry saved."))
            return redirect("petitions_knowledge")
    title = _("Edit knowledge entry") if entry else _("New knowledge entry")
    return _form_page(request, form, title, "petitions_knowledge", status)


# The officer's settings ------------------------------------------------------------------

RULE_SOURCES = {
    "reply_workdays": gettext_lazy(
        "New Taipei and Taipei practice, from the working day after receipt"
    ),
    "reply_workdays_shared": gettext_lazy("New Taipei and Taipei practice, several departments"),
    "max_days": gettext_lazy("行政院 人民陳情案件處理要點: 30 days at most, extensions included"),
    "reroute_workdays": gettext_lazy(
        "Taipei: a wrongly assigned case goes back by the next working day"
    ),
    "reroute_site_visit_workdays": gettext_lazy("Taipei: 2 working days after a site visit"),
    "extensions": gettext_lazy("One extension a case, with the officer's approval"),
    "survey_days": gettext_lazy("New Taipei: the survey is answered within 7 days"),
    "remind_workdays": gettext_lazy("The city's chasing: reminder before the deadline"),
    "escalate_workdays": gettext_lazy("The city's chasing: escalation to the head after it"),
}


@login_required
@require_http_methods(["GET", "POST"])
def rules_view(request):
    _officer(request)
    rules = Rules.current()
    from guankao.petitions.upkeep import RULE_FIELDS

    form = RulesForm(request.POST or None, initial={f: getattr(rules, f) for f in RULE_FIELDS})
    for name, source in RULE_SOURCES.items():
        form.fields[name].help_text = source
    status = 200
    if request.method == "POST":
        status = 400
        if (
            form.is_valid()
            and attempt(form, upkeep.rules_save, actor=request.user, **form.cleaned_data)
            is not None
        ):
            messages.success(request, _("The petition rules are saved."))
            return redirect("petitions_rules")
    return _form_page(request, form, _("Petition rules"), "petitions_categories", status)


@require_GET
@login_required
def category_list(request):
    _officer(request)
    rows = Category.objects.select_related("department", "parent").order_by("path")
    return render(request, "petitions/categories.html", {"categories": rows})


@login_required
@require_http_methods(["GET", "POST"])
def category_edit(request, pk=None):
    _officer(request)
    category = None
    initial = None
    if pk is not None:
        category = Category.objects.filter(pk=pk).select_related("department").first()
        if category is None:
            raise Http404
        initial = {
            f: getattr(category, f)
            for f in (
                "code",
                "name",
                "parent",
                "reply_workdays",
                "dispatch",
                "field_work_limit",
                "field_work_unit",
                "public",
                "keywords",
                "active",
            )
        }
        initial["department"] = category.department.code if category.department else ""
    form = CategoryForm(request.POST or None, departments=_departments(), initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if (
            form.is_valid()
            and attempt(
                form,
                upkeep.category_save,
                actor=request.user,
                category=category,
                **form.cleaned_data,
            )
            is not None
        ):
            messages.success(request, _("Category saved."))
            return redirect("petitions_categories")
    title = _("Edit category") if category else _("New category")
    return _form_page(request, form, title, "petitions_categories", status)


@login_required
@require_http_methods(["GET", "POST"])
def checks_view(request):
    """The rubric (add a criterion) and the service checks (record one)."""
    _officer(request)
    items = list(RubricItem.objects.filter(active=True))
    which = request.POST.get("form", "")
    rubric = RubricItemForm(request.POST if which == "rubric" else None, prefix="rubric")
    check = CheckForm(
        request.POST if which == "check" else None,
        departments=_departments(),
        items=items,
        prefix="check",
    )
    status = 200
    if request.method == "POST":
        status = 400
        if which == "rubric" and rubric.is_valid():
            if (
                attempt(rubric, upkeep.rubric_item_save, actor=request.user, **rubric.cleaned_data)
                is not None
            ):
                messages.success(request, _("Criterion added to the rubric."))
                return redirect("petitions_checks")
        elif which == "check" and check.is_valid():
            data = check.cleaned_data
            scores = {str(i.pk): data.get(f"score_{i.pk}") for i in items}
            done = attempt(
                check,
                upkeep.check_record,
                actor=request.user,
                department=data["department"],
                checked_on=data["checked_on"],
                kind=data["kind"],
                note=data["note"],
                scores=scores,
            )
            if done is not None:
                messages.success(
                    request,
                    _("Service check recorded: %(s)d of %(o)d.")
                    % {"s": done.score, "o": done.out_of},
                )
                return redirect("petitions_checks")
    context = {
        "items": items,
        "rubric": rubric,
        "check": check,
        "checks": ServiceCheck.objects.select_related("department")[:50],
    }
    return render(request, "petitions/checks.html", context, status=status)
