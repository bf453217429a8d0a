from django import forms
from django.utils.translation import gettext_lazy as _

from guankao.core.forms import SafeForm
from guankao.security.isac.models import Member, Tlp
from guankao.security.isac.publishing import PUBLISHED_TLPS


class MemberForm(SafeForm):
    name = forms.CharField(label=_("Member name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind of member"), choices=Member.Kind.choices)
    agency = forms.ChoiceField(label=_("City agency (if one)"), required=False)
    contact_name = forms.CharField(label=_("Contact person"), max_length=100)
    contact_email = forms.EmailField(label=_("Contact e-mail"))
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=40, required=False)

    def __init__(self, *args, agencies=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].choices = [("", "—")] + [(a.pk, str(a)) for a in agencies]


class ContactForm(SafeForm):
    contact_name = forms.CharField(label=_("Contact person"), max_length=100)
    contact_email = forms.EmailField(label=_("Contact e-mail"))
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=40, required=False)


class GrantForm(SafeForm):
    collection = forms.ChoiceField(label=_("Collection"))
    can_read = forms.BooleanField(label=_("May read"), required=False)
    can_write = forms.BooleanField(label=_("May write"), required=False)

    def __init__(self, *args, collections=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["collection"].choices = [(str(c.pk), c.title) for c in collections]


class PublishForm(SafeForm):
    title = forms.CharField(label=_("Incident title"), max_length=200)
    description = forms.CharField(
        label=_("What happened (sanitized before sharing)"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
        required=False,
    )
    indicators = forms.CharField(
        label=_("Indicators: one IP, domain, URL or file hash per line"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=20000,
        required=False,
    )
    tlp = forms.ChoiceField(
        label=_("Sharing level (TLP)"),
        choices=[(t.value, t.label) for t in PUBLISHED_TLPS],
        initial=Tlp.AMBER,
    )
    valid_days = forms.IntegerField(
        label=_("Block for (days)"), min_value=1, max_value=3650, initial=30
    )
    recipients = forms.MultipleChoiceField(
        label=_("Recipients (TLP:RED only)"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["recipients"].choices = [(str(m.pk), m.name) for m in members]


class SightingForm(SafeForm):
    count = forms.IntegerField(label=_("Times seen"), min_value=1, max_value=1_000_000, initial=1)


class UpstreamForm(SafeForm):
    name = forms.CharField(label=_("Name"), max_length=200)
    url = forms.URLField(
        label=_("Collection address (TAXII 2.1)"), max_length=500, assume_scheme="https"
    )
    collection = forms.ChoiceField(label=_("Store in"))
    username = forms.CharField(label=_("User name"), max_length=100, required=False)
    password = forms.CharField(
        label=_("Password"),
        max_length=200,
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Stored encrypted and never shown again."),
    )

    def __init__(self, *args, collections=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["collection"].choices = [(str(c.pk), c.title) for c in collections]


class UpstreamEditForm(UpstreamForm):
    forget_password = forms.BooleanField(label=_("Remove the stored password"), required=False)
    active = forms.BooleanField(label=_("Poll this server"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password"].help_text = _(
            "Leave blank to keep the stored password; it is never shown."
        )


class ChangesForm(SafeForm):
    since = forms.DateTimeField(label=_("Changes since"), required=False)


class RootEditForm(SafeForm):
    title = forms.CharField(label=_("Trust group title"), max_length=200)
    description = forms.CharField(
        label=_("Description"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        required=False,
    )
    max_content_length = forms.IntegerField(
        label=_("Largest request (bytes, 1024 to 104857600)"),
        min_value=1024,
        max_value=100 * 1024 * 1024,
    )


class RootForm(RootEditForm):
    slug = forms.CharField(
        label=_("Address (lowercase letters, digits, hyphens): /taxii2/<address>/"),
        max_length=40,
    )
    field_order = ["slug", "title", "description", "max_content_length"]


class CollectionEditForm(SafeForm):
    title = forms.CharField(label=_("Collection title"), max_length=200)
    description = forms.CharField(
        label=_("Description"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        required=False,
    )
    tlp = forms.ChoiceField(label=_("TLP marking"), choices=Tlp.choices, required=False)
    members_read = forms.BooleanField(label=_("New members may read"), required=False)
    members_write = forms.BooleanField(label=_("New members may write"), required=False)


class CollectionForm(CollectionEditForm):
    alias = forms.CharField(label=_("Alias (lowercase letters, digits, hyphens)"), max_length=60)
    field_order = ["alias", "title", "description", "tlp", "members_read", "members_write"]
