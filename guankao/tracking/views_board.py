"""City-level pages of controlled cases: the board, the behind list, the map, the rules.

Every figure comes from the selectors, scoped to what the user may read; the pages run a
fixed number of queries whatever the number of items.
"""

from decimal import Decimal

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from guankao.core import vocabulary
from guankao.core.errors import NotAllowed, ServiceError
from guankao.core.forms import add_service_errors
from guankao.tracking import access, geo, selectors, tally
from guankao.tracking.forms_board import BoardFilterForm, RulesForm, department_choices
from guankao.tracking.models import Item, Kind, Rules
from guankao.tracking.rules import rules_update
from guankao.tracking.templatetags.tracking import LAG as LAG_TONES

BOARD_BEHIND_ROWS = 20
BEHIND_PAGE_SIZE = 50


def _filters(request) -> tuple[BoardFilterForm, dict, int]:
    """The GET filters: the form (with its errors), the valid filters, the page's status."""
    bound = {k: v for k, v in request.GET.items() if k in ("department", "kind", "level")}
    form = BoardFilterForm(bound or None, departments=department_choices())
    if not bound:
        return form, {}, 200
    valid = form.is_valid()
    return form, form.filters(), 200 if valid else 400


def _query(filters: dict) -> str:
    query = QueryDict(mutable=True)
    query.update(filters)
    return query.urlencode()


def _money(rows) -> list[Item]:
    """The rows with their money spent written out (NT$1,200,000)."""
    rows = list(rows)
    for item in rows:
        item.spent = f"{item.last_spent:,}" if item.last_spent is not None else ""
    return rows


@login_required
def board(request):
    form, filters, status = _filters(request)
    data = selectors.board(user=request.user, filters=filters)
    behind = _money(selectors.behind_list(user=request.user, filters=filters)[:BOARD_BEHIND_ROWS])
    behind_total = data.by_lag[Item.Lag.SERIOUS] + data.by_lag[Item.Lag.BEHIND]
    open_total = data.total - data.by_status[Item.Status.RELEASED]
    context = {
        "form": form,
        "query": _query(filters),
        "filtered": bool(filters),
        "board": data,
        "open_total": open_total,
        "behind": behind,
        "behind_total": behind_total,
        "behind_more": behind_total > len(behind),
        "reasons": tally.reason_tally(user=request.user, filters=filters),
        "totals": tally.progress_totals(user=request.user, filters=filters),
        "by_status": [(label, data.by_status[value]) for value, label in Item.Status.choices],
        "by_lag": [
            (value, label, data.by_lag[value]) for value, label in reversed(Item.Lag.choices)
        ],
        "by_risk": [
            (value, label, data.by_risk[value]) for value, label in reversed(Item.Risk.choices)
        ],
    }
    return render(request, "tracking/board.html", context, status=status)


@login_required
def behind(request):
    form, filters, status = _filters(request)
    rows = selectors.behind_list(user=request.user, filters=filters)
    page = Paginator(rows, BEHIND_PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = _money(page.object_list)
    query = _query(filters)
    return render(
        request,
        "tracking/behind.html",
        {"form": form, "page": page, "query": query, "filtered": bool(filters)},
        status=status,
    )


MAP_LABELS = {
    "planned": pgettext_lazy("progress", "Planned"),
    "actual": pgettext_lazy("progress", "Actual"),
    "lead": gettext_lazy("Lead department"),
    "kind": gettext_lazy("Kind"),
    "lag": gettext_lazy("Progress"),
    "address": gettext_lazy("Site address"),
    "open": gettext_lazy("Open the item page"),
    "show": gettext_lazy("Show on the map"),
}


@login_required
def map_view(request):
    form, filters, status = _filters(request)
    items = selectors.item_list(user=request.user, filters=filters)
    collection = geo.feature_collection(items)
    unlocated = items.filter(latitude__isnull=True).count()
    tiles = settings.GUANKAO_MAP_TILES
    query = _query(filters)
    return render(
        request,
        "tracking/map.html",
        {
            "form": form,
            "query": query,
            "filtered": bool(filters),
            "features": collection,
            "rows": collection["features"],
            "unlocated": unlocated,
            "items_url": reverse("tracking_items") + (f"?{query}" if query else ""),
            "tiles": tiles,
            "attribution": settings.GUANKAO_MAP_ATTRIBUTION,
            "labels": {
                **{k: str(v) for k, v in MAP_LABELS.items()},
                **{f"symbol_{lag}": vocabulary.SYMBOLS[tone] for lag, tone in LAG_TONES.items()},
            },
        },
        status=status,
    )


# Rules -------------------------------------------------------------------------------------

# Where each default comes from (the Rules docstring says the same).
RULE_SOURCES = {
    "report_due_day": gettext_lazy(
        "The plan's own rule: monthly reports by the 5th of the next month (PCMS and GPMnet "
        "ask for the 10th)."
    ),
    "review_workdays": gettext_lazy("The city's rule for a head's approval (within 7 days)."),
    "remind_workdays": gettext_lazy("A working default of this platform; no rule sets it."),
    "escalate_workdays": gettext_lazy("A working default of this platform; no rule sets it."),
    "serious_gap": gettext_lazy(
        # xgettext:no-python-format
        "金門縣 inspects works 10% or more behind first; there is no national definition of "
        "嚴重落後."
    ),
    "money_share": gettext_lazy(
        "The 基本設施補助款 rules ask for a reason under 80% budget execution."
    ),
    "city_min_budget": gettext_lazy(
        "The city's rule for 府列管: projects of NT$5M and over (嘉義市 智慧管考 rules)."
    ),
    "city_kinds": gettext_lazy(
        "The city's rule for 府列管: every centrally funded project and every directive."
    ),
}


def _percent(value: Decimal) -> str:
    return f"{value.normalize():f}"


def _rules_initial(rules: Rules) -> dict:
    return {
        "report_due_day": rules.report_due_day,
        "review_workdays": rules.review_workdays,
        "remind_workdays": rules.remind_workdays,
        "escalate_workdays": rules.escalate_workdays,
        "serious_gap": _percent(rules.serious_gap),
        "money_share": _percent(rules.money_share * 100),
        "city_min_budget": str(rules.city_min_budget),
        "city_kinds": list(rules.city_kinds),
    }


def _kinds_text(kinds) -> str:
    labels = dict(Kind.choices)
    return "; ".join(str(labels.get(k, k)) for k in kinds) or "—"


def _rules_rows(rules: Rules, form: RulesForm) -> list[dict]:
    """Each rule: its label, current value, default and the default's source, in words."""
    current = _rules_initial(rules)
    rows = []
    for name, field in form.fields.items():
        default = Rules._meta.get_field(name).default
        if name == "city_kinds":
            value, default = _kinds_text(rules.city_kinds), _kinds_text(Rules.DEFAULT_CITY_KINDS)
        elif name == "money_share":
            value, default = f"{current[name]}%", f"{_percent(default * 100)}%"
        elif name == "serious_gap":
            value = _("%(n)s points") % {"n": current[name]}
            default = _("%(n)s points") % {"n": _percent(default)}
        elif name == "city_min_budget":
            value, default = f"NT${rules.city_min_budget:,}", f"NT${default:,}"
        else:
            value = current[name]
        rows.append(
            {
                "name": name,
                "label": field.label,
                "value": value,
                "default": default,
                "source": RULE_SOURCES[name],
            }
        )
    return rows


@login_required
def rules(request):
    current = Rules.current()
    may_edit = access.can_manage(request.user)
    form = RulesForm(initial=_rules_initial(current))
    status = 200
    if request.method == "POST":
        if not may_edit:
            raise PermissionDenied
        form = RulesForm(request.POST, initial=_rules_initial(current))
        if form.is_valid():
            try:
                rules_update(actor=request.user, **form.cleaned_data)
            except ServiceError as exc:
                add_service_errors(form, exc)
            except NotAllowed:
                raise PermissionDenied from None
            else:
                messages.success(
                    request,
                    _(
                        "Control rules saved. Every open item's lag and risk now follow "
                        "the new thresholds."
                    ),
                )
                return redirect("tracking_rules")
        status = 400
    return render(
        request,
        "tracking/rules.html",
        {
            "form": form,
            "may_edit": may_edit,
            "rows": _rules_rows(current, RulesForm()),
            "rules": current,
        },
        status=status,
    )
