"""Forms of the controlled-cases pages. They check shapes only (a date, a choice); every
rule (money, percentages, the control level, the lag reason) is the services' and comes
back as the field's message."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from guankao.core.forms import MultipleFileField, RocDateField, SafeForm, YearField
from guankao.lib import roc
from guankao.tracking.models import GRANT_KINDS, PROGRESS_KINDS, Item, Kind, Report

TEXTAREA = {"rows": 3}
BASELINE_FIELDS = ("finish_date", "budget_total")

# The item form's fieldsets: (key, legend, fields, kinds they apply to or None for all).
ITEM_FIELDSETS = [
    (
        "basic",
        _("The case"),
        ["kind", "number", "title", "description", "lead", "co_departments", "level", "tags"],
        None,
    ),
    (
        "money",
        _("Budget and dates"),
        ["budget_total", "budget_year", "start_date", "finish_date", "due_date"],
        None,
    ),
    (
        "works",
        _("Public works and projects (tender, contractor, site)"),
        ["tender_number", "contractor", "contract_sum", "site_address", "latitude", "longitude"],
        PROGRESS_KINDS,
    ),
    (
        "grant",
        _("Central grants (source and amounts)"),
        ["grant_source", "grant_amount", "matching_funds"],
        GRANT_KINDS,
    ),
]


def _money(label):
    return forms.CharField(
        label=label, required=False, max_length=30, help_text=_("Whole NT$, such as 1200000.")
    )


class ItemForm(SafeForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=Kind.choices)
    number = forms.CharField(label=_("Number"), max_length=40)
    title = forms.CharField(label=pgettext_lazy("controlled case", "Title"), max_length=300)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs=TEXTAREA),
    )
    lead = forms.ChoiceField(label=_("Lead department (主辦)"))
    co_departments = forms.MultipleChoiceField(
        label=_("Co-departments (協辦)"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=_("Hold Ctrl (⌘ on a Mac) to choose several."),
    )
    level = forms.ChoiceField(label=_("Control level"), required=False)
    tags = forms.CharField(
        label=_("Tags"),
        required=False,
        max_length=300,
        help_text=_("Words that group cases, separated by commas, such as 資安防護."),
    )
    budget_total = _money(_("Total budget (NT$)"))
    budget_year = _money(_("This year's allocation (NT$)"))
    start_date = RocDateField(label=pgettext_lazy("controlled case", "Start date"), required=False)
    finish_date = RocDateField(label=_("Planned finish date"), required=False)
    due_date = RocDateField(
        label=_("Due date"), required=False, help_text=_("For directives and resolutions.")
    )
    tender_number = forms.CharField(label=_("Tender number"), max_length=60, required=False)
    contractor = forms.CharField(label=_("Contractor"), max_length=200, required=False)
    contract_sum = _money(_("Contract sum (NT$)"))
    site_address = forms.CharField(label=_("Site address"), max_length=300, required=False)
    latitude = forms.CharField(
        label=_("Latitude"), max_length=20, required=False, help_text=_("Degrees, such as 23.4800.")
    )
    longitude = forms.CharField(
        label=_("Longitude"),
        max_length=20,
        required=False,
        help_text=_("Degrees, such as 120.4490."),
    )
    grant_source = forms.CharField(label=_("Grant source"), max_length=200, required=False)
    grant_amount = _money(_("Grant amount (NT$)"))
    matching_funds = _money(_("Matching funds (NT$)"))
    version = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, leads=(), departments=(), creating=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead"].choices = [("", "—"), *[(d.code, _label(d)) for d in leads]]
        self.fields["co_departments"].choices = [(d.code, _label(d)) for d in departments]
        levels = list(Item.Level.choices)
        if creating:
            levels.insert(0, ("", _("By the city's rule")))
            self.fields["level"].help_text = _(
                "By the city's rule: city-controlled from the rules' budget and for the kinds "
                "the rules name; self-controlled otherwise."
            )
        else:
            self.fields["level"].required = True
            # The finish date and the total budget change through a baseline revision.
            for name in BASELINE_FIELDS:
                del self.fields[name]
        self.fields["level"].choices = levels

    def fieldsets(self):
        return [
            {
                "key": key,
                "legend": legend,
                "fields": [self[name] for name in names if name in self.fields],
                "kinds": kinds,
            }
            for key, legend, names, kinds in ITEM_FIELDSETS
        ]

    def service_data(self) -> dict:
        """The cleaned fields as the item services take them (an empty level: the rule's)."""
        data = {k: v for k, v in self.cleaned_data.items() if k != "version"}
        if not data.get("level"):
            data.pop("level", None)
        return data


def _label(department) -> str:
    indent = "\u3000" * max(department.depth, 0)
    return f"{indent}{department.name} ({department.code})"


class ItemFilterForm(SafeForm):
    q = forms.CharField(label=_("Search number, title or tender"), required=False, max_length=100)
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All kinds")), *Kind.choices]
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[
            ("open", _("Open (not released)")),
            ("released", _("Released")),
            ("all", _("All")),
        ],
    )
    lag = forms.ChoiceField(
        label=_("Progress"), required=False, choices=[("", _("Any")), *Item.Lag.choices]
    )
    risk = forms.ChoiceField(
        label=_("Risk"), required=False, choices=[("", _("Any")), *Item.Risk.choices]
    )
    level = forms.ChoiceField(
        label=_("Control level"), required=False, choices=[("", _("Any")), *Item.Level.choices]
    )
    department = forms.ChoiceField(label=_("Lead department"), required=False)
    overdue = forms.BooleanField(label=_("Only with an overdue report"), required=False)

    def __init__(self, *args, departments=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = [
            ("", _("Any")),
            *[(d.code, _label(d)) for d in departments],
        ]


class MilestoneForm(SafeForm):
    title = forms.CharField(label=_("Milestone"), max_length=200)
    due = RocDateField(label=_("Due date"))


class MilestoneDoneForm(SafeForm):
    done_on = RocDateField(label=_("Done on"), required=False, help_text=_("Empty for today."))


class ReportForm(SafeForm):
    """One month's report. Progress kinds give actual progress and money spent (the planned
    figures come from the approved baseline); directives and resolutions give a handling
    status and its result. The case's open milestones due by the month's end are asked
    for: done on a date, or late with a reason."""

    # Chosen on the page (?year=&month=) and carried along hidden.
    year = YearField(label=_("Year"), min_value=1, max_value=roc.YEAR_MAX, widget=forms.HiddenInput)
    month = forms.IntegerField(
        label=_("Month"), min_value=1, max_value=12, widget=forms.HiddenInput
    )
    actual = forms.CharField(
        label=_("Actual progress to date (%)"), max_length=10, help_text=_("0 to 100, such as 40.")
    )
    money_spent = _money(_("Money spent to date (NT$)"))
    correction_reason = forms.CharField(
        label=_("Correction reason"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Only when actual progress or money spent is below last month's figure."),
    )
    handling = forms.ChoiceField(
        label=_("Handling status"), choices=[("", "—"), *Report.Handling.choices]
    )
    result = forms.CharField(
        label=_("Handling result"), max_length=5000, widget=forms.Textarea(attrs=TEXTAREA)
    )
    work_done = forms.CharField(
        label=_("What was done"), max_length=5000, widget=forms.Textarea(attrs=TEXTAREA)
    )
    lag_categories = forms.MultipleChoiceField(
        label=_("Kinds of lag reason (落後原因類別)"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Required when behind plan; choose every kind that applies."),
    )
    lag_reason = forms.CharField(
        label=_("Lag reason (落後原因)"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs=TEXTAREA),
        help_text=_("Required when actual progress is behind planned."),
    )
    problems = forms.CharField(
        label=_("Problems encountered (遭遇困難)"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs=TEXTAREA),
    )
    countermeasures = forms.CharField(
        label=_("Countermeasures (因應對策)"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs=TEXTAREA),
        help_text=_("Required when the case is seriously behind."),
    )
    files = MultipleFileField(
        label=_("Photos and files"),
        help_text=_("You may choose several: photos (JPEG, PNG), PDF, ODF or Office documents."),
    )

    PROGRESS = ("actual", "money_spent", "correction_reason", "lag_categories", "lag_reason")
    HANDLING = ("handling", "result")

    def __init__(self, *args, progress: bool = True, milestones=(), categories=(), **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.HANDLING if progress else self.PROGRESS:
            del self.fields[name]
        if progress:
            self.fields["lag_categories"].choices = [(c.code, c.name) for c in categories]
        self.milestones = list(milestones)
        for m in self.milestones:
            self.fields[f"milestone_{m.pk}_done_on"] = RocDateField(
                label=_("Done on"), required=False
            )
            self.fields[f"milestone_{m.pk}_late_reason"] = forms.CharField(
                label=_("Why it is late"),
                required=False,
                max_length=2000,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
            self.fields[f"milestone_{m.pk}_expected_on"] = RocDateField(
                label=_("Now expected on"), required=False
            )

    def milestone_rows(self):
        return [
            (
                m,
                *(
                    self[f"milestone_{m.pk}_{part}"]
                    for part in ("done_on", "late_reason", "expected_on")
                ),
            )
            for m in self.milestones
        ]

    def service_data(self) -> dict:
        data = {
            k: v
            for k, v in self.cleaned_data.items()
            if k not in ("year", "month", "files") and not k.startswith("milestone_")
        }
        data["milestones"] = {
            m.pk: {
                part: self.cleaned_data.get(f"milestone_{m.pk}_{part}")
                for part in ("done_on", "late_reason", "expected_on")
            }
            for m in self.milestones
        }
        return data


class ReviewForm(SafeForm):
    action = forms.ChoiceField(
        choices=[
            ("approve", _("Approve")),
            ("return", _("Return")),
            ("refuse", _("Refuse as late")),
        ]
    )
    note = forms.CharField(
        label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReleaseRequestForm(SafeForm):
    result = forms.CharField(
        label=_("Result achieved"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What was done, and why control can end."),
    )
    completed_on = RocDateField(
        label=_("Completion or acceptance date"),
        required=False,
        help_text=_("The day the work was completed or accepted (驗收), such as 115/11/27."),
    )
    files = MultipleFileField(
        label=_("Evidence and photos"),
        help_text=_(
            "Before and after photos, the acceptance record, the head's signed report (PDF)."
        ),
    )
    exception_reason = forms.CharField(
        label=_("Reason to release without full evidence"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Only when part of the evidence cannot be given; the 管考 officer decides."),
    )


class ReleaseDecisionForm(SafeForm):
    action = forms.ChoiceField(
        choices=[("approve", _("Release from control")), ("return", _("Return"))]
    )
    note = forms.CharField(
        label=_("Officer's note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when returning."),
    )


class BaselineForm(SafeForm):
    """Propose the baseline schedule, or a revision of it (修正計畫)."""

    method = forms.ChoiceField(
        label=_("How the monthly plan is made"),
        choices=[
            ("curve", _("An S-curve between the start and the finish")),
            ("typed", _("Typed month by month")),
        ],
        widget=forms.RadioSelect,
        initial="curve",
    )
    start_date = RocDateField(label=pgettext_lazy("controlled case", "Start date"))
    finish_date = RocDateField(label=_("Planned finish date"))
    budget_total = _money(_("Total budget (NT$)"))
    months_text = forms.CharField(
        label=_("Monthly plan"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "When typed: one month a line, the month, the cumulative planned % and the "
            "planned spending to date, such as 115/03 12.5 1200000. The last month plans 100%."
        ),
    )
    reason = forms.CharField(
        label=_("Reason for the revision"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required for a revision of an approved baseline."),
    )


class BaselineDecisionForm(SafeForm):
    action = forms.ChoiceField(choices=[("approve", _("Approve")), ("reject", _("Reject"))])
    note = forms.CharField(
        label=_("Officer's note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when rejecting."),
    )
