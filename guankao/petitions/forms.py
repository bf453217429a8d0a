"""Forms of the petitions pages. They only shape the input; the services check every field
by name and the views put a service's problems back on the form's fields."""

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from guankao.core.forms import MultipleFileField, SafeForm
from guankao.petitions.case_files import MAX_FILES
from guankao.petitions.models import Case, Channel, Reply

# A hint for the browser's file picker; the attachment service decides by content.
ACCEPT = "image/jpeg,image/png,image/gif,image/webp,application/pdf,.odt,.ods,.odp,.odg"
STATUS_CHOICES = [
    ("open", _("Open")),
    ("closed", _("Closed")),
    ("all", _("All")),
    *Case.Status.choices,
]


def category_choices(categories) -> list:
    """<optgroup> per top-level group, its entries inside (server-rendered for the filter)."""
    groups: dict[int, tuple[str, list]] = {}
    order: list[int] = []
    by_pk = {c.pk: c for c in categories}
    for category in categories:
        if category.department_id is None:
            continue
        top = category
        while top.parent_id and top.parent_id in by_pk:
            top = by_pk[top.parent_id]
        if top.pk not in groups:
            groups[top.pk] = (top.name if top.pk != category.pk else _("Other"), [])
            order.append(top.pk)
        label = category.name + (f" ({category.keywords})" if category.keywords else "")
        groups[top.pk][1].append((category.code, label))
    return [("", _("— choose —")), *[groups[k] for k in order]]


class IntakeForm(SafeForm):
    channel = forms.ChoiceField(label=_("channel"), choices=Channel.choices)
    kind = forms.ChoiceField(
        label=_("kind"),
        choices=[
            (Case.Kind.PETITION, _("Petition (陳情)")),
            (Case.Kind.CONSULTATION, _("Consultation (諮詢)")),
        ],
        widget=forms.RadioSelect,
        initial=Case.Kind.PETITION,
    )
    category = forms.ChoiceField(label=_("category"), choices=())
    subject = forms.CharField(label=_("subject"), max_length=200)
    text = forms.CharField(
        label=_("what the petitioner says"), widget=forms.Textarea(attrs={"rows": 4})
    )
    answer = forms.CharField(
        label=_("answer given (consultation)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    anonymous = forms.BooleanField(label=_("anonymous"), required=False)
    name = forms.CharField(label=_("petitioner"), max_length=100, required=False)
    phone = forms.CharField(label=_("phone"), max_length=30, required=False)
    email = forms.CharField(label=_("e-mail"), max_length=254, required=False)
    address = forms.CharField(label=_("contact address"), max_length=200, required=False)
    location = forms.CharField(label=_("place"), max_length=200, required=False)
    latitude = forms.CharField(label=_("latitude"), max_length=20, required=False)
    longitude = forms.CharField(label=_("longitude"), max_length=20, required=False)
    confidential = forms.BooleanField(label=_("confidential (密件)"), required=False)
    source_number = forms.CharField(label=_("sender's number"), max_length=60, required=False)
    source_due = forms.DateField(
        label=_("sender's deadline"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    files = MultipleFileField(label=_("attachments"))
    # Set by petitions/suggest.js when suggestions were shown while the case was typed.
    suggested = forms.CharField(required=False, max_length=40, widget=forms.HiddenInput)
    # Set by petitions/suggest.js when the call-taker chose 併案 with a possible duplicate.
    merge_into = forms.CharField(
        label=_("possible duplicate (併案)"),
        required=False,
        max_length=20,
        widget=forms.HiddenInput,
    )

    def __init__(self, *args, categories=(), **kwargs):
        super().__init__(*args, **kwargs)
        files_field(self.fields["files"])
        self.fields["category"].choices = category_choices(list(categories))
        self.fields["category"].widget.attrs["data-filter"] = "category-filter"
        self.fields["phone"].widget.attrs.update({"autocomplete": "off", "inputmode": "tel"})


def files_field(field) -> None:
    """What a case's file input takes, said beside it (and to screen readers)."""
    field.help_text = _(
        "Up to %(n)d files: photos, PDF or ODF documents, each at most %(size)s. "
        "Photos are kept without their location data (EXIF GPS)."
    ) % {"n": MAX_FILES, "size": filesizeformat(settings.GUANKAO_MAX_UPLOAD_BYTES)}
    field.widget.attrs["accept"] = ACCEPT


class CaseFilesForm(SafeForm):
    files = MultipleFileField(label=_("attachments"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        files_field(self.fields["files"])


class InboxFilterForm(SafeForm):
    status = forms.ChoiceField(label=_("status"), choices=STATUS_CHOICES, required=False)
    due = forms.BooleanField(label=_("due within 3 days"), required=False)
    overdue = forms.BooleanField(label=_("overdue"), required=False)
    category = forms.ChoiceField(label=_("category"), choices=(), required=False)
    channel = forms.ChoiceField(
        label=_("channel"), choices=[("", _("All")), *Channel.choices], required=False
    )
    q = forms.CharField(label=_("case number or subject"), max_length=100, required=False)

    def __init__(self, *args, categories=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = category_choices(list(categories))
        choices[0] = ("", _("All"))
        self.fields["category"].choices = choices


class AssignForm(SafeForm):
    lead = forms.ChoiceField(label=_("handling department"), choices=())
    co_departments = forms.MultipleChoiceField(
        label=_("co-operating departments"), choices=(), required=False
    )

    def __init__(self, *args, departments=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(d.code, f"{d.name}（{d.code}）") for d in departments]
        self.fields["lead"].choices = [("", _("— choose —")), *choices]
        self.fields["co_departments"].choices = choices


class RerouteForm(SafeForm):
    reason = forms.CharField(label=_("reason"), widget=forms.Textarea(attrs={"rows": 3}))
    site_visit = forms.BooleanField(label=_("after a site visit"), required=False)
    suggested = forms.ChoiceField(label=_("suggested department"), choices=(), required=False)

    def __init__(self, *args, departments=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(d.code, f"{d.name}（{d.code}）") for d in departments]
        self.fields["suggested"].choices = [("", _("— none —")), *choices]


class ExtensionForm(SafeForm):
    reason = forms.CharField(label=_("reason"), widget=forms.Textarea(attrs={"rows": 3}))
    new_due = forms.DateField(
        label=_("new deadline"), widget=forms.DateInput(attrs={"type": "date"})
    )


class DecideForm(SafeForm):
    request = forms.IntegerField(widget=forms.HiddenInput)
    decision = forms.ChoiceField(
        label=_("decision"),
        choices=[("approve", _("Approve")), ("refuse", _("Refuse"))],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label=_("decision note"), max_length=500, required=False)
    lead = forms.ChoiceField(label=_("department the case goes to"), choices=(), required=False)

    def __init__(self, *args, departments=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(d.code, f"{d.name}（{d.code}）") for d in departments]
        self.fields["lead"].choices = [("", _("— the suggested one —")), *choices]


class ReplyForm(SafeForm):
    text = forms.CharField(label=_("reply"), widget=forms.Textarea(attrs={"rows": 6}))
    public_text = forms.CharField(
        label=_("public summary"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    method = forms.ChoiceField(label=_("sent by"), choices=Reply.Method.choices)


class ReplyDecisionForm(SafeForm):
    reply = forms.IntegerField(widget=forms.HiddenInput)
    action = forms.ChoiceField(
        label=_("decision"),
        choices=[("approve", _("Approve and send")), ("return", _("Return for changes"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(label=_("reason for returning"), max_length=500, required=False)


class FieldDoneForm(SafeForm):
    note = forms.CharField(label=_("what was done"), required=False, max_length=2000)


class NotProcessedForm(SafeForm):
    rule = forms.ChoiceField(label=_("reason not processed"), choices=Case.Rule173.choices)
    note = forms.CharField(
        label=_("note (the earlier case's number for a repeat)"), required=False, max_length=2000
    )


class MergeForm(SafeForm):
    into = forms.CharField(label=_("merge into case number"), max_length=20)
    note = forms.CharField(label=_("note"), required=False, max_length=2000)


class ReopenForm(SafeForm):
    reason = forms.CharField(label=_("reason"), widget=forms.Textarea(attrs={"rows": 3}))
    due = forms.DateField(label=_("new deadline"), widget=forms.DateInput(attrs={"type": "date"}))


class SurveyForm(SafeForm):
    SCALE = [(str(n), str(n)) for n in range(5, 0, -1)]
    speed = forms.ChoiceField(label=_("speed"), choices=SCALE, widget=forms.RadioSelect)
    attitude = forms.ChoiceField(label=_("attitude"), choices=SCALE, widget=forms.RadioSelect)
    result = forms.ChoiceField(label=_("result"), choices=SCALE, widget=forms.RadioSelect)
    comment = forms.CharField(
        label=_("comment"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
