from django import forms
from django.utils.translation import gettext_lazy as _

from guankao.core.forms import RocDateField, SafeForm, YearField
from guankao.plans.models import Accumulation, Direction, Frequency, Path, Plan


class PlanForm(SafeForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=Plan.Kind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    first_year = YearField(label=_("First year (民國 or western)"))
    last_year = YearField(label=_("Last year (民國 or western)"))
    key_projects = forms.CharField(
        label=_("Key projects"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )


class GoalForm(SafeForm):
    number = forms.CharField(label=_("Number"), max_length=10)
    title = forms.CharField(label=_("Strategic goal"), max_length=300)


class KpiForm(SafeForm):
    number = forms.CharField(label=_("Number"), max_length=10, required=False)
    name = forms.CharField(label=_("KPI"), max_length=300)
    measure = forms.CharField(label=_("Measurement standard"), max_length=300)
    unit = forms.CharField(label=_("Unit"), max_length=30, required=False)
    direction = forms.ChoiceField(label=_("Direction"), choices=Direction.choices)
    accumulation = forms.ChoiceField(label=_("Accumulation"), choices=Accumulation.choices)
    frequency = forms.ChoiceField(label=_("Reporting frequency"), choices=Frequency.choices)
    path = forms.ChoiceField(label=_("Expected path"), choices=Path.choices)
    metric_key = forms.ChoiceField(label=_("Computed by metric"), required=False)
    over_100 = forms.BooleanField(label=_("The rate may exceed 100%"), required=False)

    def __init__(self, *args, metric_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["metric_key"].choices = [
            ("", _("— entered by the department —")),
            *metric_choices,
        ]


class KpiSettingsForm(KpiForm):
    on_track_pct = forms.DecimalField(
        # xgettext:no-python-format
        label=_("On track from (% of expected)"),
        min_value=0,
        max_value=150,
        decimal_places=0,
    )
    at_risk_pct = forms.DecimalField(
        # xgettext:no-python-format
        label=_("At risk from (% of expected)"),
        min_value=0,
        max_value=150,
        decimal_places=0,
    )


class TargetForm(SafeForm):
    year = YearField(label=_("Year (民國 or western)"))
    text = forms.CharField(
        label=_("Target"),
        max_length=100,
        help_text=_("As the plan writes it: 100%, ≦3, ≧80%, ≧4000, 80%~90%"),
    )


class MeasurementForm(SafeForm):
    year = YearField(label=_("Year (民國 or western)"))
    period = forms.IntegerField(
        label=_("Period (month 1–12, quarter 1–4, or 1 for the year)"), min_value=1, max_value=12
    )
    value = forms.CharField(label=_("Value"), max_length=30, required=False)
    numerator = forms.CharField(label=_("Numerator (for a rate)"), max_length=30, required=False)
    denominator = forms.CharField(
        label=_("Denominator (for a rate)"), max_length=30, required=False
    )
    note = forms.CharField(
        label=_("Explanation"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    evidence_url = forms.CharField(label=_("Evidence link"), max_length=500, required=False)
    evidence_file = forms.FileField(label=_("Evidence file"), required=False)


class ReturnForm(SafeForm):
    reason = forms.CharField(label=_("Reason for returning"), max_length=300)


class RoundForm(SafeForm):
    year = YearField(label=_("Plan year (民國 or western)"))
    deadline = RocDateField(label=_("Deadline"))
