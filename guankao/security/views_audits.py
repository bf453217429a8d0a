"""The audits (資安稽核) pages: the register with the plan of a new audit, one audit with its
findings and evidence, the audit's correction, and one finding (its corrective action
changed, its evidence, its closing with what was done)."""

from collections import defaultdict

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from guankao.core.attachments import attachments_for
from guankao.core.errors import NotFound
from guankao.core.http import run_action
from guankao.security import access
from guankao.security import selectors_registers as reads
from guankao.security import services_registers as svc
from guankao.security.forms_registers import (
    AuditForm,
    EvidenceForm,
    FindingCloseForm,
    FindingForm,
)
from guankao.security.views_common import managed_agencies, post_form
from guankao.security.views_incidents import _int, _need


@login_required
@require_http_methods(["GET", "POST"])
def audits(request):
    user = request.user
    _need(user)
    managed = managed_agencies(user)
    form = AuditForm(request.POST or None, agencies=managed)
    year = _int(request.GET.get("year"), 1912, 2200)
    rows = reads.audit_list(user=user, filters={"year": year})[:200]

    def page(status):
        context = {"audits": rows, "form": form if managed else None, "year": year}
        return render(request, "security/audits.html", context, status=status)

    if request.method == "POST":
        if not managed:
            raise PermissionDenied

        def act():
            data = dict(form.cleaned_data)
            data["agency"] = next(a for a in managed if a.pk == data["agency"])
            return svc.audit_create(actor=user, **data)

        return post_form(request, form, act, page, "security_audits")
    return page(200)


def _audit(request, pk):
    _need(request.user)
    try:
        return reads.audit_get(user=request.user, pk=pk)
    except NotFound:
        raise Http404 from None


@login_required
@require_http_methods(["GET", "POST"])
def audit_detail(request, pk: int):
    user = request.user
    item = _audit(request, pk)
    may = access.can_manage(user, item.agency)
    action = request.POST.get("action") if request.method == "POST" else None
    form = FindingForm(request.POST if action == "finding" else None, prefix="finding")
    evidence = EvidenceForm(
        request.POST if action == "attach" else None,
        request.FILES if action == "attach" else None,
        prefix="evidence",
    )

    def page(status):
        findings = list(item.findings.all())
        by_finding = defaultdict(list)
        for f in attachments_for(
            actor=user, owner_type=svc.FINDING_FILES, owner_ids=[f.pk for f in findings]
        ):
            by_finding[int(f.owner_id)].append(f)
        context = {
            "audit": item,
            "findings": [(f, by_finding[f.pk]) for f in findings],
            "files": list(attachments_for(actor=user, owner_type=svc.AUDIT_FILES, owner_id=pk)),
            "form": form,
            "evidence": evidence,
            "may": may,
            "today": timezone.localdate(),
        }
        return render(request, "security/audit.html", context, status=status)

    if request.method == "POST":
        if not may:
            raise PermissionDenied
        if action == "finding":
            act = lambda: svc.finding_add(actor=user, audit_item=item, **form.cleaned_data)  # noqa: E731
            return post_form(request, form, act, page, request.path)
        if action == "attach":
            files = request.FILES.getlist("evidence-files")
            act = lambda: svc.audit_attach(actor=user, audit_item=item, files=files)  # noqa: E731
            return post_form(request, evidence, act, page, request.path)
        if action == "complete":
            act = lambda: svc.audit_complete(actor=user, audit_item=item)  # noqa: E731
            return run_action(request, act, refused=lambda exc: page(400)) or redirect(request.path)
        return page(400)
    return page(200)


@login_required
@require_http_methods(["GET", "POST"])
def audit_edit(request, pk: int):
    user = request.user
    item = _audit(request, pk)
    if not access.can_manage(user, item.agency):
        raise PermissionDenied
    fields = ("kind", "title", "scope", "auditors", "start_date", "end_date", "plan")
    form = AuditForm(request.POST or None, initial={f: getattr(item, f) for f in fields})

    def page(status):
        context = {"audit": item, "form": form}
        return render(request, "security/audit_edit.html", context, status=status)

    if request.method == "POST":
        act = lambda: svc.audit_update(actor=user, audit_item=item, **form.cleaned_data)  # noqa: E731
        return post_form(request, form, act, page, f"/security/audits/{item.pk}/")
    return page(200)


@login_required
@require_http_methods(["GET", "POST"])
def finding_detail(request, pk: int):
    """One finding: its corrective action changed (while open), evidence added, closed."""
    user = request.user
    _need(user)
    finding = reads.findings_of(user=user).filter(pk=pk).first()
    if finding is None:
        raise Http404
    may = access.can_manage(user, finding.audit.agency) and finding.closed_at is None
    action = request.POST.get("action") if request.method == "POST" else None
    fields = ("text", "severity", "action", "owner", "due_date")
    data = request.POST if action == "edit" else None
    edit = FindingForm(data, prefix="edit", initial={f: getattr(finding, f) for f in fields})
    bound = action == "close"
    close = FindingCloseForm(
        request.POST if bound else None, request.FILES if bound else None, prefix="close"
    )
    bound = action == "attach"
    evidence = EvidenceForm(
        request.POST if bound else None, request.FILES if bound else None, prefix="evidence"
    )

    def page(status):
        context = {
            "finding": finding,
            "audit": finding.audit,
            "files": list(
                attachments_for(actor=user, owner_type=svc.FINDING_FILES, owner_id=finding.pk)
            ),
            "may": may,
            "edit": edit,
            "close": close,
            "evidence": evidence,
            "today": timezone.localdate(),
        }
        return render(request, "security/finding.html", context, status=status)

    if request.method == "POST":
        if not may:
            raise PermissionDenied
        back = f"/security/audits/{finding.audit_id}/"
        if action == "edit":
            act = lambda: svc.finding_update(actor=user, finding=finding, **edit.cleaned_data)  # noqa: E731
            return post_form(request, edit, act, page, request.path)
        if action == "attach":
            files = request.FILES.getlist("evidence-files")
            act = lambda: svc.finding_attach(actor=user, finding=finding, files=files)  # noqa: E731
            return post_form(request, evidence, act, page, request.path)
        if action == "close":

            def act():
                return svc.finding_close(
                    actor=user,
                    finding=finding,
                    follow_up=close.cleaned_data["follow_up"],
                    files=request.FILES.getlist("close-files"),
                )

            return post_form(request, close, act, page, back)
        return page(400)
    return page(200)
