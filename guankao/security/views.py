"""The agencies and their responsibility levels (資通安全責任等級)."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from guankao.core.forms import add_service_errors
from guankao.core.http import run_action
from guankao.core.models import Department
from guankao.security import access, duties_level, selectors, services
from guankao.security.forms import AgencyForm
from guankao.security.models import Agency


def _candidates():
    return Department.objects.filter(active=True, kind__in=services.AGENCY_KINDS).order_by("path")


@login_required
@require_http_methods(["GET", "POST"])
def agencies(request):
    if not access.works_here(request.user):
        raise PermissionDenied
    may_set = access.can_set_levels(request.user)
    form = AgencyForm(request.POST or None, departments=_candidates() if may_set else ())

    def page(status=200, preview=None):
        rows = selectors.agency_list(user=request.user)
        context = {"agencies": rows, "form": form if may_set else None, "preview": preview}
        return render(request, "security/agencies.html", context, status=status)

    if request.method == "POST":
        if not may_set:
            raise PermissionDenied
        if not form.is_valid():
            return page(status=400)

        def refused(exc):
            add_service_errors(form, exc)
            return page()

        department = Department.objects.get(code=form.cleaned_data["department"])
        if request.POST.get("confirm") != form.cleaned_data["level"]:
            agency = Agency.objects.filter(department=department).first()
            preview = duties_level.plan(agency, form.cleaned_data["level"])
            if preview:  # tell the CISO what the change does to the duties before saving
                return page(preview=preview)
        response = run_action(
            request,
            lambda: services.agency_set(
                actor=request.user,
                department=department,
                level=form.cleaned_data["level"],
                approved_ref=form.cleaned_data["approved_ref"],
                reason=form.cleaned_data["reason"],
            ),
            refused=refused,
        )
        return response or redirect("security_agencies")
    return page()
