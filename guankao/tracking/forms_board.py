"""Forms of the city-level pages: board filters, the monthly meeting and the control rules.

The forms check only the shape of the input; the services check the rules (ranges,
dates, permissions) and name the field when something is wrong.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from guankao.core import selectors as core_selectors
from guankao.core.forms import RocDateField, SafeForm, YearField
from guankao.tracking.models import Item, Kind


def department_choices() -> list[tuple[str, str]]:
    """Active departments as (code, "name (code)"), in the organisation's order: one query."""
    return core_selectors.department_choices()


class BoardFilterForm(SafeForm):
    """The filters shared by the board, the behind list and the map (a GET form)."""

    department = forms.ChoiceField(label=_("Lead department (and its units)"), required=False)
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All kinds")), *Kind.choices]
    )
    level = forms.ChoiceField(
        label=_("Control level"),
        required=False,
        choices=[("", _("All levels")), *Item.Level.choices],
    )

    def __init__(self, *args, departments=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = [("", _("All departments")), *departments]

    def filters(self) -> dict:
        """The valid filters as selectors take them (bad ones are left out)."""
        data = getattr(self, "cleaned_data", {})
        return {k: data[k] for k in ("department", "kind", "level") if data.get(k)}


class MeetingOpenForm(SafeForm):
    year = YearField(label=_("Year (民國 or western)"))
    month = forms.IntegerField(label=_("Month (1–12)"))
    held_on = RocDateField(
        label=_("Held on"), help_text=_("A date such as 115/11/27 (民國) or 2026-11-27.")
    )
    chair = forms.CharField(label=_("Chair (主席)"), max_length=100, required=False)
    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        required=False,
        help_text=_("Empty for the usual title: year/month monthly control meeting."),
    )


class DecisionForm(SafeForm):
    text = forms.CharField(
        label=_("Decision (決議)"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The first line becomes the title of the new directive."),
    )
    department = forms.ChoiceField(label=_("Assigned to (department)"))
    due = RocDateField(label=_("Due date"), help_text=_("A date such as 115/12/31."))

    def __init__(self, *args, departments=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = [("", "—"), *departments]


class MeetingCloseForm(SafeForm):
    minutes = forms.CharField(
        label=_("Minutes (會議紀錄)"), max_length=20000, widget=forms.Textarea(attrs={"rows": 8})
    )
    held_on = RocDateField(
        label=_("Held on"),
        required=False,
        help_text=_("Only if the meeting was held on another day than planned."),
    )


class RulesForm(SafeForm):
    """The control rules. Ranges are the service's; percentages are typed as percents."""

    report_due_day = forms.IntegerField(
        label=_("Monthly report due on this day of the next month (1–28)")
    )
    review_workdays = forms.IntegerField(label=_("Working days for the head's review (1–60)"))
    remind_workdays = forms.IntegerField(
        label=_("Remind this many working days before the due day (0–20)")
    )
    escalate_workdays = forms.IntegerField(
        label=_("Escalate to the head after this many working days overdue (1–60)")
    )
    serious_gap = forms.CharField(
        label=_("Seriously behind from a gap of (percentage points)"), max_length=10
    )
    money_share = forms.CharField(
        # xgettext:no-python-format
        label=_("Behind on money when spending is under (% of planned spending)"),
        max_length=10,
    )
    city_min_budget = forms.CharField(
        label=_("City-controlled from a total budget of (NT$)"), max_length=20
    )
    city_kinds = forms.MultipleChoiceField(
        label=_("Kinds always city-controlled (府列管)"),
        choices=Kind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
