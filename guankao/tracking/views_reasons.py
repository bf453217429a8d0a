"""The lag reasons page: open cases counted by the reason categories of their current
report, by department and by case kind; the 管考 officer edits the categories here."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from guankao.core.errors import NotAllowed, ServiceError
from guankao.core.forms import SafeForm, add_service_errors
from guankao.tracking import access, reasons, tally
from guankao.tracking.models import LagCategory


class CategoryForm(SafeForm):
    code = forms.CharField(
        label=gettext_lazy("Code"),
        max_length=30,
        required=False,
        help_text=gettext_lazy("For a new category: letters, digits and hyphens."),
    )
    name = forms.CharField(label=gettext_lazy("Name"), max_length=60)
    order = forms.IntegerField(
        label=gettext_lazy("Order"), min_value=0, max_value=999, required=False
    )
    active = forms.BooleanField(label=gettext_lazy("In use"), required=False, initial=True)


@login_required
def reasons_page(request):
    manage = access.can_manage(request.user)
    status, form, edit_for = 200, None, None
    if request.method == "POST":
        if not manage:
            raise PermissionDenied
        pk = request.POST.get("category")
        category = LagCategory.objects.filter(pk=pk).first() if pk else None
        form = CategoryForm(request.POST, prefix=f"c{category.pk}" if category else "new")
        if form.is_valid():
            try:
                reasons.category_save(actor=request.user, category=category, **form.cleaned_data)
            except ServiceError as exc:
                add_service_errors(form, exc)
            except NotAllowed as exc:
                raise PermissionDenied(str(exc)) from None
            else:
                messages.success(request, _("Saved."))
                return redirect("tracking_reasons")
        status, edit_for = 400, category.pk if category else "new"
    rows = list(LagCategory.objects.all())
    forms_by_category = [
        (
            c,
            form
            if edit_for == c.pk
            else CategoryForm(
                prefix=f"c{c.pk}",
                initial={"code": c.code, "name": c.name, "order": c.order, "active": c.active},
            ),
        )
        for c in rows
    ]
    context = {
        "tally": tally.reason_tally(user=request.user),
        "manage": manage,
        "category_forms": forms_by_category,
        "new_form": form if edit_for == "new" else CategoryForm(prefix="new"),
    }
    return render(request, "tracking/reasons.html", context, status=status)
