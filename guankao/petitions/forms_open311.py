"""The officer's Open311 forms: a client app, its limit, a category's question."""

from django import forms
from django.utils.translation import gettext_lazy as _

from guankao.core.forms import SafeForm
from guankao.petitions.clients import PER_MINUTE_MAX
from guankao.petitions.models import ServiceAttribute


class ClientAppForm(SafeForm):
    name = forms.CharField(label=_("app name"), max_length=100)
    contact = forms.CharField(
        label=_("contact"),
        max_length=200,
        help_text=_("Who answers for the app: a name and an e-mail or phone."),
    )
    per_minute = forms.IntegerField(
        label=_("requests per minute at most"), min_value=1, max_value=PER_MINUTE_MAX, initial=60
    )


class ClientLimitForm(SafeForm):
    contact = forms.CharField(label=_("contact"), max_length=200)
    per_minute = forms.IntegerField(
        label=_("requests per minute at most"), min_value=1, max_value=PER_MINUTE_MAX
    )


class AttributeForm(SafeForm):
    code = forms.CharField(
        label=_("code"),
        max_length=40,
        help_text=_("Letters, digits, - and _; apps send the answer as attribute[code]."),
    )
    description = forms.CharField(label=_("question"), max_length=300)
    datatype = forms.ChoiceField(label=_("kind of answer"), choices=ServiceAttribute.Datatype)
    variable = forms.BooleanField(
        label=_("asks for an answer"),
        required=False,
        initial=True,
        help_text=_("Leave unticked for a note shown to the citizen."),
    )
    required = forms.BooleanField(label=_("required"), required=False)
    datatype_description = forms.CharField(label=_("how to answer"), max_length=200, required=False)
    order = forms.IntegerField(label=_("order"), min_value=0, max_value=999, initial=0)
    values = forms.CharField(
        label=_("choices"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("For the list kinds: one a line, key=name (for example small=小於 30 公分)."),
    )
