"""Forms of the training, duties and SOC pages: shapes only; the rules are the services'."""

from django import forms
from django.utils.translation import gettext_lazy as _

from guankao.core.forms import MultipleFileField, RocDateField, SafeForm, YearField
from guankao.security.models import DutyInstance, Level, TrainingKind


class TrainingForm(SafeForm):
    person = forms.CharField(label=_("Staff account"), max_length=150)
    course = forms.CharField(label=_("Course"), max_length=200)
    provider = forms.CharField(label=_("Provider"), max_length=200, required=False)
    date = RocDateField(label=_("Date"))
    hours = forms.CharField(
        label=_("Hours"), max_length=10, help_text=_("More than 0 and at most 24, such as 1.5.")
    )
    kind = forms.ChoiceField(label=_("Kind of training"), choices=TrainingKind.choices)


class TrainingFilterForm(SafeForm):
    year = YearField(label=_("Year (民國 or Gregorian)"), required=False)
    department = forms.ChoiceField(label=_("Department"), required=False)
    kind = forms.ChoiceField(
        label=_("Kind of training"),
        required=False,
        choices=[("", _("All kinds")), *TrainingKind.choices],
    )
    q = forms.CharField(label=_("Search course or person"), required=False, max_length=100)

    def __init__(self, *args, departments=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = [("", _("All departments"))] + [
            (d.code, f"{'　' * max(d.depth, 0)}{d.name}") for d in departments
        ]


class ShortFilterForm(TrainingFilterForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["kind"]
        del self.fields["q"]


class TrainingImportForm(SafeForm):
    file = forms.FileField(label=_("File (CSV or ODS)"))
    dry_run = forms.BooleanField(
        label=_("Check only (dry run): nothing is imported"), required=False, initial=True
    )


class RequirementForm(SafeForm):
    hours = forms.CharField(label=_("Hours"), max_length=10)
    every_years = forms.IntegerField(label=_("Every (years)"), min_value=1, max_value=5)
    basis = forms.CharField(label=_("Rule"), max_length=200)


class ItStaffForm(SafeForm):
    account = forms.CharField(label=_("Staff account"), max_length=150)
    it = forms.TypedChoiceField(
        label=_("IT staff (資訊人員)"),
        choices=[("1", _("Mark as IT staff")), ("0", _("Not IT staff"))],
        coerce=lambda v: v == "1",
    )


class DutyFilterForm(SafeForm):
    year = YearField(label=_("Year (民國 or Gregorian)"), required=False)
    agency = forms.ChoiceField(label=_("Agency"), required=False)
    state = forms.ChoiceField(
        label=_("State"), required=False, choices=[("", _("All")), *DutyInstance.State.choices]
    )
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)

    def __init__(self, *args, agencies=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].choices = [("", _("All agencies"))] + [
            (str(a.pk), a.department.name) for a in agencies
        ]


class DutyDefForm(SafeForm):
    """A duty of a level: its level and code when added, then what may change."""

    level = forms.ChoiceField(label=_("Responsibility level"), choices=Level.choices)
    code = forms.CharField(
        label=_("Code"),
        max_length=30,
        help_text=_("Letters, digits and hyphens, unique within the level (such as pentest)."),
    )
    name = forms.CharField(label=_("Duty"), max_length=200)
    description = forms.CharField(
        label=_("What the rule asks"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    times = forms.IntegerField(label=_("Times a year"), min_value=1, max_value=12, initial=1)
    every_years = forms.IntegerField(
        label=_("Every (years)"),
        min_value=1,
        max_value=5,
        initial=1,
        help_text=_("2: once every two years, due in the even years."),
    )
    basis = forms.CharField(label=_("Basis (law, article, annex)"), max_length=200, required=False)

    def __init__(self, *args, new=True, **kwargs):
        super().__init__(*args, **kwargs)
        if not new:  # a duty's level and code stay once it is made
            del self.fields["level"], self.fields["code"]


class DutyGenerateForm(SafeForm):
    year = YearField(label=_("Year (民國 or Gregorian)"))


class DutySubmitForm(SafeForm):
    note = forms.CharField(
        label=_("What was done"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    files = MultipleFileField(label=_("Evidence (reports, certificates)"))


class DutyDecideForm(SafeForm):
    action = forms.ChoiceField(
        label=_("Decision"), choices=[("accept", _("Accept")), ("return", _("Return"))]
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class SocPointForm(SafeForm):
    agency = forms.ChoiceField(label=_("Agency"))
    name = forms.CharField(label=_("Name"), max_length=100)
    site = forms.CharField(label=_("Site"), max_length=200)
    log_sources = forms.CharField(
        label=_("Log sources"),
        max_length=500,
        required=False,
        help_text=_("Such as firewall, AD, web server, separated by commas."),
    )

    def __init__(self, *args, agencies=None, **kwargs):
        super().__init__(*args, **kwargs)
        if agencies is None:  # a point being changed keeps its agency
            del self.fields["agency"]
        else:
            self.fields["agency"].choices = [(str(a.pk), a.department.name) for a in agencies]


class SocServiceForm(SafeForm):
    """Take a point out of service, or back into it, with the reason."""

    reason = forms.CharField(label=_("Reason"), max_length=300)


class SocFilterForm(SafeForm):
    agency = forms.ChoiceField(label=_("Agency"), required=False)
    silent = forms.BooleanField(label=_("Silent for 24 hours only"), required=False)

    def __init__(self, *args, agencies=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].choices = [("", _("All agencies"))] + [
            (str(a.pk), a.department.name) for a in agencies
        ]
