from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _
from django_otp import user_has_device
from django_otp.forms import OTPAuthenticationForm
from django_otp.plugins.otp_totp.models import TOTPDevice

from guankao.core.models import AuditEntry, DepartmentKind, Role
from guankao.core.validation import text_problem
from guankao.lib.roc import DateFormatError, format_roc, parse_date, year_from_input


class SafeText:
    """A form validator over core.validation.text_problem, the check the API types use."""

    def __init__(self, *, multiline: bool):
        self.multiline = multiline

    def __call__(self, value):
        problem = text_problem(str(value), multiline=self.multiline)
        if problem:
            raise forms.ValidationError(problem, code="control_character")

    def __eq__(self, other):
        return isinstance(other, SafeText) and other.multiline == self.multiline


class SafeTextMixin:
    """Every text field of the form refuses NUL and control characters; a Textarea's
    field (multi-line) takes tabs and line breaks. Every form of the project has it
    (through SafeForm), checked by tests/core/test_inputs.py."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.CharField):
                multiline = isinstance(field.widget, forms.Textarea)
                field.validators.append(SafeText(multiline=multiline))


class SafeForm(SafeTextMixin, forms.Form):
    """The base of every form: see SafeTextMixin."""


def add_service_errors(form, exc) -> None:
    """Show a service's field problems on the form (on the field when the form has it)."""
    for problem in exc.problems:
        if problem.field in form.fields:
            form.add_error(problem.field, problem.message)
        else:
            form.add_error(None, f"{problem.field}: {problem.message}")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; each is checked by the attachment service."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(d, initial) for d in data]
        return [super().clean(data, initial)] if data else []


class RocDateInput(forms.TextInput):
    def format_value(self, value):
        if hasattr(value, "year"):
            return format_roc(value)
        return value


class RocDateField(forms.DateField):
    """Accepts 民國 (115/11/27, 115年11月27日, 1151127) and ISO (2026-11-27) dates."""

    widget = RocDateInput
    default_error_messages = {"invalid": _("Enter a date such as 115/11/27 or 2026-11-27.")}

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if hasattr(value, "year"):
            return value
        try:
            return parse_date(str(value))
        except DateFormatError as exc:
            raise forms.ValidationError(str(exc), code="invalid") from None


class YearField(forms.IntegerField):
    """A year typed in 民國 (115) or Gregorian (2026) form, kept Gregorian."""

    def to_python(self, value):
        year = super().to_python(value)
        return None if year is None else year_from_input(year)


class LoginForm(SafeTextMixin, OTPAuthenticationForm):
    """Username, password and (for those who turned it on) a six-digit TOTP code."""

    otp_device = forms.CharField(required=False, widget=forms.HiddenInput)
    otp_challenge = forms.CharField(required=False, widget=forms.HiddenInput)
    otp_token = forms.CharField(
        label=_("Two-factor code"),
        required=False,
        max_length=8,
        help_text=_("Only if you have turned on two-factor sign-in."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

    def _chosen_device(self, user):
        # Each user has at most one confirmed TOTP device (see views.two_factor).
        return TOTPDevice.objects.devices_for_user(user, confirmed=True).first()

    def clean(self):
        # The password first; the code only of those who have a confirmed device.
        cleaned = AuthenticationForm.clean(self)
        user = self.get_user()
        if user is not None and user_has_device(user):
            self.clean_otp(user)
        return cleaned


class TokenCreateForm(SafeForm):
    name = forms.CharField(label=_("Token name"), max_length=100)
    days = forms.IntegerField(
        label=_("Valid for (days)"),
        min_value=1,
        max_value=3660,
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        longest = settings.GUANKAO_API_TOKEN_DAYS
        self.fields["days"].help_text = _("Empty: the longest allowed (%(n)d days).") % {
            "n": longest
        }


class TotpConfirmForm(SafeForm):
    token = forms.CharField(
        label=_("Six-digit code from your authenticator app"),
        max_length=6,
        min_length=6,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class DepartmentForm(SafeForm):
    code = forms.CharField(label=_("Code"), max_length=20)
    name = forms.CharField(label=_("Name"), max_length=100)
    name_en = forms.CharField(label=_("English name"), max_length=150, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=DepartmentKind.choices)
    parent = forms.CharField(label=_("Parent department code"), max_length=20, required=False)
    sort_order = forms.IntegerField(label=_("Sort order"), min_value=0, initial=0)
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    version = forms.CharField(required=False, widget=forms.HiddenInput)


class StaffForm(SafeForm):
    username = forms.CharField(label=_("Username"), max_length=150)
    display_name = forms.CharField(label=_("Full name"), max_length=100)
    department = forms.CharField(label=_("Department code"), max_length=20)
    title = forms.CharField(label=_("Job title"), max_length=100, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    roles = forms.MultipleChoiceField(
        label=_("Roles"), choices=Role.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    is_active = forms.BooleanField(label=_("In service"), required=False, initial=True)
    version = forms.CharField(required=False, widget=forms.HiddenInput)


class UploadForm(SafeForm):
    file = forms.FileField(label=_("File (CSV or ODS)"))


class AuditFilterForm(SafeForm):
    actor = forms.CharField(label=_("Username"), required=False, max_length=150)
    action = forms.ChoiceField(
        label=_("Action"), required=False, choices=[("", "—"), *AuditEntry.Action.choices]
    )
    object_type = forms.CharField(label=_("Record type"), required=False, max_length=60)
    department = forms.ChoiceField(label=_("Department"), required=False)
    since = RocDateField(label=_("From"), required=False)
    until = RocDateField(label=_("To"), required=False)

    def __init__(self, *args, departments=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = [("", _("All departments")), *departments]


class OverrideForm(SafeForm):
    date = RocDateField(label=_("Date"))
    is_working_day = forms.TypedChoiceField(
        label=_("This day is"),
        choices=[("0", _("a day off")), ("1", _("a working day"))],
        coerce=lambda v: v == "1",
    )
    reason = forms.CharField(label=_("Reason"), max_length=100)


class WorkdayCalcForm(SafeForm):
    date = RocDateField(label=_("Start date"))
    days = forms.IntegerField(label=_("Working days"), min_value=0, max_value=3650)
