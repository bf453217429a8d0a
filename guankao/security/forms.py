from django import forms
from django.utils.translation import gettext_lazy as _

from guankao.core.forms import SafeForm
from guankao.security.models import Level


class AgencyForm(SafeForm):
    department = forms.ChoiceField(label=_("Agency"))
    level = forms.ChoiceField(label=_("Responsibility level"), choices=Level.choices)
    approved_ref = forms.CharField(
        label=_("Approval reference (核定文號)"), max_length=100, required=False
    )
    reason = forms.CharField(label=_("Reason for the change"), max_length=300, required=False)

    def __init__(self, *args, departments=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = [(d.code, d.name) for d in departments]
