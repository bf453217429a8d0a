"""Forms of the knowledge base and the officer's settings pages."""

from django import forms
from django.utils.translation import gettext_lazy as _

from guankao.core.forms import SafeForm
from guankao.petitions.models import Category, Rules

DATE = forms.DateInput(attrs={"type": "date"})


def _department_choices(departments):
    return [("", _("— choose —")), *[(d.code, f"{d.name}（{d.code}）") for d in departments]]


class KnowledgeForm(SafeForm):
    department = forms.ChoiceField(label=_("department"), choices=())
    question = forms.CharField(label=_("question"), max_length=300)
    answer = forms.CharField(label=_("answer"), widget=forms.Textarea(attrs={"rows": 5}))
    keywords = forms.CharField(label=_("keywords"), max_length=300, required=False)
    active = forms.BooleanField(label=_("in use"), required=False, initial=True)

    def __init__(self, *args, departments=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = _department_choices(departments)


class CategoryForm(SafeForm):
    code = forms.CharField(label=_("code"), max_length=40)
    name = forms.CharField(label=_("name"), max_length=100)
    parent = forms.ModelChoiceField(
        label=_("group"),
        queryset=Category.objects.none(),
        required=False,
        empty_label=_("— top level —"),
    )
    department = forms.ChoiceField(label=_("owning department"), choices=(), required=False)
    reply_workdays = forms.IntegerField(
        label=_("working days to reply"), required=False, help_text=_("Empty: the city's rule.")
    )
    dispatch = forms.BooleanField(label=_("sent out for field work (派工)"), required=False)
    field_work_limit = forms.IntegerField(label=_("field-work deadline"), required=False)
    field_work_unit = forms.ChoiceField(
        label=_("field-work deadline unit"),
        choices=[("", "—"), *Category.Unit.choices],
        required=False,
    )
    public = forms.BooleanField(label=_("citizens may report it online"), required=False)
    keywords = forms.CharField(label=_("keywords"), max_length=300, required=False)
    active = forms.BooleanField(label=_("in use"), required=False, initial=True)

    def __init__(self, *args, departments=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = Category.objects.filter(department__isnull=True)
        self.fields["department"].choices = _department_choices(departments)


class RulesForm(SafeForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from guankao.petitions.upkeep import RULE_FIELDS

        for name in RULE_FIELDS:
            field = Rules._meta.get_field(name)
            self.fields[name] = forms.IntegerField(label=field.verbose_name, min_value=0)


class RubricItemForm(SafeForm):
    name = forms.CharField(label=_("criterion"), max_length=200)
    points = forms.IntegerField(label=_("points"))
    order = forms.IntegerField(label=_("order"), required=False)


class CheckForm(SafeForm):
    department = forms.ChoiceField(label=_("department"), choices=())
    checked_on = forms.DateField(label=_("date"), widget=DATE)
    kind = forms.CharField(
        label=_("kind of check"), max_length=100, initial=_("Phone courtesy test")
    )
    note = forms.CharField(
        label=_("note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, departments=(), items=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = _department_choices(departments)
        for item in items:
            self.fields[f"score_{item.pk}"] = forms.IntegerField(
                label=f"{item.name}（{item.points}）", min_value=0, max_value=item.points
            )
