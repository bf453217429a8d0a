"""Forms of the incidents, audits, core systems and outages pages (the services check
everything again; a form only turns text into values)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from guankao.core.forms import MultipleFileField, RocDateField, SafeForm
from guankao.security.models import Audit, Finding, Impact, InfoKind, Service

MOMENT = {
    "widget": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    "input_formats": ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
}


def moment(label, required=True):
    return forms.DateTimeField(label=label, required=required, **MOMENT)


class IncidentForm(SafeForm):
    agency = forms.TypedChoiceField(label=_("Agency"), coerce=int)
    title = forms.CharField(label=_("Incident title"), max_length=200)
    occurred_at = moment(_("When it happened"))
    aware_at = moment(_("When the agency became aware"))
    system = forms.CharField(label=_("System hit"), max_length=200)
    info_kind = forms.ChoiceField(label=_("What was hit"), choices=InfoKind.choices)
    confidentiality = forms.ChoiceField(
        label=_("Confidentiality (information leaked)"), choices=Impact.choices
    )
    integrity = forms.ChoiceField(
        label=_("Integrity (information or system tampered with)"), choices=Impact.choices
    )
    availability = forms.ChoiceField(
        label=_("Availability (operation affected or stopped)"), choices=Impact.choices
    )
    description = forms.CharField(
        label=_("Description"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4})
    )
    files = MultipleFileField(label=_("Attachments"))

    def __init__(self, *args, agencies=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].choices = [(a.pk, a.department.name) for a in agencies]


class NotifyForm(SafeForm):
    notified_at = moment(_("Notified at"))
    notice_ref = forms.CharField(label=_("National platform reference number"), max_length=60)


class ReviewForm(SafeForm):
    reviewed_at = moment(_("Reviewer confirmed at"))


class RecoverForm(SafeForm):
    recovered_at = moment(_("Damage controlled or recovered at"))


class RaiseForm(SafeForm):
    level = forms.IntegerField(label=_("New level"), min_value=1, max_value=4)
    reason = forms.CharField(label=_("Reason"), max_length=500)


class ReportForm(SafeForm):
    reported_at = moment(_("Report submitted at"))
    scope = forms.CharField(
        label=_("Scope and damage assessment"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    control = forms.CharField(
        label=_("Damage control and recovery"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    cause = forms.CharField(
        label=_("Root cause"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
    measure = forms.CharField(label=_("Prevention measure"), max_length=500, required=False)
    owner = forms.CharField(label=_("Owner"), max_length=100, required=False)
    due_date = RocDateField(label=_("Due"), required=False)


class AttachForm(SafeForm):
    file = forms.FileField(label=_("Attachment"))


class AuditForm(SafeForm):
    agency = forms.TypedChoiceField(label=_("Agency"), coerce=int)
    kind = forms.ChoiceField(label=_("Kind"), choices=Audit.Kind.choices)
    title = forms.CharField(label=_("Audit title"), max_length=200)
    scope = forms.CharField(label=_("Scope"), max_length=500)
    auditors = forms.CharField(label=_("Auditors"), max_length=300)
    start_date = RocDateField(label=_("First day"))
    end_date = RocDateField(label=_("Last day"))
    plan = forms.CharField(
        label=_("Audit plan"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, agencies=None, **kwargs):
        super().__init__(*args, **kwargs)
        _agencies(self, agencies)


def _agencies(form, agencies) -> None:
    """The agency choice of a new record; a record being changed keeps its agency."""
    if agencies is None:
        del form.fields["agency"]
    else:
        form.fields["agency"].choices = [(a.pk, a.department.name) for a in agencies]


class FindingForm(SafeForm):
    text = forms.CharField(label=_("Finding"), max_length=500)
    severity = forms.ChoiceField(label=_("Severity"), choices=Finding.Severity.choices)
    action = forms.CharField(label=_("Corrective action"), max_length=500)
    owner = forms.CharField(label=_("Owner"), max_length=100)
    due_date = RocDateField(label=_("Due"))


class ServiceForm(SafeForm):
    agency = forms.TypedChoiceField(label=_("Agency"), coerce=int)
    name = forms.CharField(label=_("Name"), max_length=200)
    owner = forms.CharField(label=_("Owner"), max_length=100)
    protection = forms.ChoiceField(label=_("Protection level"), choices=Service.Protection.choices)
    core = forms.BooleanField(label=_("Core system (核心資通系統)"), required=False)
    machine_room = forms.BooleanField(label=_("Machine-room service"), required=False, initial=True)
    maintenance = forms.CharField(
        label=_("Planned maintenance window"), max_length=200, required=False
    )
    active = forms.BooleanField(label=_("In operation"), required=False, initial=True)

    def __init__(self, *args, agencies=None, **kwargs):
        super().__init__(*args, **kwargs)
        _agencies(self, agencies)
        if agencies is not None:  # a new service is in service
            del self.fields["active"]


class OutageForm(SafeForm):
    started_at = moment(_("Outage start"))
    ended_at = moment(_("Outage end"), required=False)
    planned = forms.BooleanField(label=_("Planned outage"), required=False)
    cause = forms.CharField(label=_("Cause"), max_length=500)
    services = forms.TypedMultipleChoiceField(label=_("Services affected"), coerce=int)

    def __init__(self, *args, services=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["services"].choices = [(s.pk, f"{s.agency} · {s.name}") for s in services]


class FindingCloseForm(SafeForm):
    follow_up = forms.CharField(
        label=_("What was done (follow-up)"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    files = MultipleFileField(label=_("Evidence of the corrective action"))


class EvidenceForm(SafeForm):
    files = MultipleFileField(label=_("Evidence files"), required=True)
