"""The baseline schedule on the item page: propose it (or a revision, 修正計畫), and the
管考 officer's approval or rejection. Thin: the services check and write."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from guankao.tracking import access, baselines
from guankao.tracking.forms import BaselineDecisionForm, BaselineForm
from guankao.tracking.models import Baseline, Item


def baseline_context(user, item: Item, forms: dict) -> dict:
    """What the item page shows of the baseline: every revision, the one awaiting a
    decision, and the forms."""
    rows = list(item.baselines.select_related("proposed_by", "decided_by").order_by("-revision"))
    pending = next((b for b in rows if b.state == Baseline.State.PROPOSED), None)
    may_propose = item.reports_progress and item.is_open and access.can_edit(user, item)
    initial = {
        "start_date": item.start_date,
        "finish_date": item.finish_date,
        "budget_total": "" if item.budget_total is None else str(item.budget_total),
    }
    return {
        "baselines": rows,
        "baseline_pending": pending,
        "may_propose_baseline": may_propose and pending is None,
        "baseline_form": forms.get("baseline_form")
        or BaselineForm(prefix="baseline", initial=initial),
        "baseline_decision_form": forms.get("baseline_decision_form")
        or BaselineDecisionForm(prefix="bdecide"),
    }


def _item(request, pk):
    from guankao.tracking.views import _item_or_404

    return _item_or_404(request, pk)


@login_required
@require_POST
def baseline_propose(request, pk: int):
    from guankao.tracking.views import _attempt, _item_url, _render_item

    item = _item(request, pk)
    if not access.can_edit(request.user, item):
        raise PermissionDenied
    form = BaselineForm(request.POST, prefix="baseline")
    if form.is_valid():
        done = _attempt(
            form, baselines.baseline_propose, actor=request.user, item=item, **form.cleaned_data
        )
        if done is not None:
            messages.success(request, _("Baseline proposed; the 管考 officer approves it."))
            return redirect(_item_url(item, "baseline"))
    return _render_item(request, item, status=400, baseline_form=form)


@login_required
@require_POST
def baseline_decide(request, pk: int):
    from guankao.tracking.views import _attempt, _item_url, _render_item

    item = _item(request, pk)
    baseline = item.baselines.filter(state=Baseline.State.PROPOSED).first()
    if baseline is None:
        raise Http404
    form = BaselineDecisionForm(request.POST, prefix="bdecide")
    if form.is_valid():
        service = {"approve": baselines.baseline_approve, "reject": baselines.baseline_reject}[
            form.cleaned_data["action"]
        ]
        done = _attempt(
            form, service, actor=request.user, baseline=baseline, note=form.cleaned_data["note"]
        )
        if done is not None:
            messages.success(
                request,
                _("Baseline revision %(n)d: %(state)s.")
                % {"n": done.revision, "state": done.get_state_display()},
            )
            return redirect(_item_url(item, "baseline"))
    return _render_item(request, item, status=400, baseline_decision_form=form)
