"""Forms of the citizens' report pages (no sign-in). They shape the input and check what
only the page knows (the honeypot, the consent, the photos, a place given one way or
another); petitions.public checks every field again by its Open311 name, and the view
puts those problems back on these fields (REPORT_FIELDS)."""

from decimal import Decimal, InvalidOperation

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from guankao.core.errors import ServiceError
from guankao.core.forms import SafeForm
from guankao.petitions import public, public_pages
from guankao.petitions.models import ServiceAttribute

D = ServiceAttribute.Datatype
# petitions.public's field names (Open311's) -> this form's.
REPORT_FIELDS = {
    "service_code": "category",
    "description": "description",
    "address_string": "location",
    "lat": "latitude",
    "long": "longitude",
    "first_name": "name",
    "last_name": "name",
    "phone": "phone",
    "email": "email",
}
STATUS_FILTER = [("", _("Open and closed")), ("open", _("Open")), ("closed", _("Closed"))]


class CategorySelect(forms.Select):
    """Options carry their keywords and description, for the search box (report.js)."""

    def __init__(self, *args, details=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.details = details or {}

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        keywords, description = self.details.get(value, ("", ""))
        if keywords:
            option["attrs"]["data-keywords"] = keywords
        if description:
            option["attrs"]["data-description"] = description
        return option


def _grouped(categories) -> list:
    """<optgroup> per parent (道路養護 › 道路坑洞), in the categories' order."""
    groups: dict[str, list] = {}
    for category in categories:
        parent = category.parent.name if category.parent_id else str(_("Other"))
        groups.setdefault(parent, []).append((category.code, category.name))
    return [("", _("— choose —")), *groups.items()]


def _attribute_field(attribute: ServiceAttribute) -> forms.Field:
    label = attribute.description
    if attribute.required:
        label = _("%(q)s (required)") % {"q": label}
    help_text = attribute.datatype_description
    choices = [(str(v.get("key")), str(v.get("name") or v.get("key"))) for v in attribute.values]
    common = {"label": label, "help_text": help_text, "required": False}
    if attribute.datatype == D.MULTI:
        return forms.MultipleChoiceField(
            choices=choices, widget=forms.CheckboxSelectMultiple, **common
        )
    if attribute.datatype == D.SINGLE:
        return forms.ChoiceField(choices=[("", _("— choose —")), *choices], **common)
    if attribute.datatype == D.TEXT:
        return forms.CharField(max_length=2000, widget=forms.Textarea(attrs={"rows": 3}), **common)
    if attribute.datatype == D.NUMBER:
        return forms.CharField(
            max_length=40, widget=forms.TextInput(attrs={"inputmode": "decimal"}), **common
        )
    if attribute.datatype == D.DATETIME:
        return forms.CharField(
            max_length=40, widget=forms.DateTimeInput(attrs={"type": "datetime-local"}), **common
        )
    return forms.CharField(max_length=200, **common)


def _degrees(value: str, field: str) -> Decimal | None:
    if not value:
        return None
    try:
        number = Decimal(value)
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite():
        raise forms.ValidationError(_("must be a number of degrees, such as 23.4801"))
    return number


class ReportForm(SafeForm):
    category = forms.ChoiceField(label=_("What is the problem?"), choices=())
    description = forms.CharField(
        label=_("Describe it"),
        max_length=public.DESCRIPTION_MAX,
        help_text=_("What is wrong, since when, and how bad it is."),
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    location = forms.CharField(
        label=_("Address or landmark"),
        max_length=200,
        required=False,
        help_text=_(
            "Such as 中山路 120 號前, or 文化路與民族路口. Needed unless you place it on the map."
        ),
    )
    latitude = forms.CharField(label=_("Latitude"), max_length=20, required=False)
    longitude = forms.CharField(label=_("Longitude"), max_length=20, required=False)
    photo_1 = forms.FileField(label=_("Photo 1"), required=False)
    photo_2 = forms.FileField(label=_("Photo 2"), required=False)
    photo_3 = forms.FileField(label=_("Photo 3"), required=False)
    name = forms.CharField(
        label=_("Your name"),
        max_length=50,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    phone = forms.CharField(
        label=_("Phone"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    email = forms.EmailField(
        label=_("E-mail"),
        max_length=254,
        required=False,
        help_text=_("We send the case number and the follow-up code here."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    consent = forms.BooleanField(
        label=_("I agree to the use of my contact details"),
        help_text=_(
            "The city uses them only to handle this report and to tell you how it goes "
            "(個人資料保護法 §8)."
        ),
        required=False,
    )
    # The honeypot: hidden from people (report.css), filled by form-filling robots.
    website = forms.CharField(
        label=_("Leave this empty"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def __init__(self, *args, categories=(), **kwargs):
        super().__init__(*args, **kwargs)
        categories = list(categories)
        self.categories = {c.code: c for c in categories}
        details = {c.code: (c.keywords, c.description) for c in categories}
        field = self.fields["category"]
        field.choices = _grouped(categories)
        field.widget = CategorySelect(choices=field.choices, details=details)
        # Every public category's questions, each named after the attribute's id; only the
        # chosen category's are read (report.js shows only those).
        self.attribute_groups = []
        for category in categories:
            questions, notes = [], []
            for attribute in category.attributes.all():
                if not attribute.variable:
                    notes.append(attribute.description)
                    continue
                name = f"attr_{attribute.pk}"
                self.fields[name] = _attribute_field(attribute)
                self.fields[name].attribute = attribute
                questions.append(name)
            if questions or notes:
                bound = [self[name] for name in questions]
                self.attribute_groups.append((category, notes, bound))
        for name in ("photo_1", "photo_2", "photo_3"):
            self.fields[name].widget.attrs["accept"] = "image/jpeg,image/png,image/gif,image/webp"

    def _photo(self, name):
        file = self.cleaned_data.get(name)
        if not file:
            return None
        try:
            return public_pages.photo_check(file)
        except ServiceError as exc:
            raise forms.ValidationError("; ".join(str(p.message) for p in exc.problems)) from None

    def clean_photo_1(self):
        return self._photo("photo_1")

    def clean_photo_2(self):
        return self._photo("photo_2")

    def clean_photo_3(self):
        return self._photo("photo_3")

    def clean_latitude(self):
        return _degrees(self.cleaned_data.get("latitude", "").strip(), "latitude")

    def clean_longitude(self):
        return _degrees(self.cleaned_data.get("longitude", "").strip(), "longitude")

    def clean(self):
        data = super().clean()
        if data.get("website"):
            raise forms.ValidationError(
                _("The report could not be accepted. Please call 1999 if this is a mistake.")
            )
        unknown = sorted(k for k in self.data if k.startswith("attr_") and k not in self.fields)
        if unknown:  # a question removed while the page was open, or a forged one
            raise forms.ValidationError(
                _(
                    "The form asked a question that no longer exists (%(k)s); reload the "
                    "page and fill it in again."
                )
                % {"k": unknown[0][:40]}
            )
        self._check_place(data)
        contact = any(data.get(f) for f in ("name", "phone", "email"))
        if contact and not data.get("consent"):
            self.add_error(
                "consent", _("is required when you leave contact details; or leave them out")
            )
        return data

    def _check_place(self, data) -> None:
        latitude, longitude = data.get("latitude"), data.get("longitude")
        if "latitude" in self.errors or "longitude" in self.errors:
            return
        if latitude is None and longitude is not None:
            self.add_error("latitude", _("is needed along with the longitude"))
            return
        if longitude is None and latitude is not None:
            self.add_error("longitude", _("is needed along with the latitude"))
            return
        if latitude is None:
            if not data.get("location") and "location" not in self.errors:
                self.add_error(
                    "location",
                    _("is required: give an address or landmark, or place it on the map"),
                )
            return
        west, south, east, north = settings.GUANKAO_CITY_BBOX
        if not south <= latitude <= north:
            self.add_error("latitude", _("is outside the city; place it again on the map"))
        elif not west <= longitude <= east:
            self.add_error("longitude", _("is outside the city; place it again on the map"))

    def report(self) -> dict:
        """The arguments of public_pages.report_file."""
        data = self.cleaned_data
        category = self.categories.get(data["category"])
        attributes = {}
        for name, field in self.fields.items():
            attribute = getattr(field, "attribute", None)
            if attribute is None or category is None or attribute.category_id != category.pk:
                continue
            value = data.get(name)
            if attribute.datatype == D.DATETIME and value:
                value = _w3c(value)
            if value not in ("", None, []):
                attributes[attribute.code] = value
        photos = [data[n] for n in ("photo_1", "photo_2", "photo_3") if data.get(n)]
        return {
            "category": data["category"],
            "description": data["description"],
            "address": data.get("location", ""),
            "lat": data.get("latitude"),
            "long": data.get("longitude"),
            "attributes": attributes,
            "first_name": data.get("name", ""),
            "phone": data.get("phone", ""),
            "email": data.get("email", ""),
            "photos": photos,
        }

    def add_report_errors(self, exc: ServiceError) -> None:
        """petitions.public's problems on this form's fields (attribute[code] on the chosen
        category's question)."""
        category = self.categories.get(self.cleaned_data.get("category"))
        by_code = {}
        for name, field in self.fields.items():
            attribute = getattr(field, "attribute", None)
            if attribute is not None and category and attribute.category_id == category.pk:
                by_code[f"attribute[{attribute.code}]"] = name
        for problem in exc.problems:
            field = REPORT_FIELDS.get(problem.field) or by_code.get(problem.field)
            if field in self.fields:
                self.add_error(field, problem.message)
            else:
                self.add_error(None, problem.message)


def _w3c(value: str) -> str:
    """A datetime-local value (2026-12-03T08:15) as a w3c datetime in Taiwan's time."""
    value = value.strip()
    if len(value) == 16:
        value += ":00"
    return value + "+08:00" if "+" not in value and not value.endswith("Z") else value


class TrackForm(SafeForm):
    number = forms.CharField(
        label=_("Case number"),
        max_length=20,
        help_text=_("Such as 1151203-0001."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    code = forms.CharField(
        label=_("Follow-up code"),
        max_length=40,
        help_text=_("The code you were given when you filed the report."),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"}
        ),
    )


class PublicFilterForm(SafeForm):
    category = forms.ChoiceField(label=_("Problem"), required=False, choices=())
    status = forms.ChoiceField(label=_("Status"), required=False, choices=STATUS_FILTER)

    def __init__(self, *args, categories=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [
            ("", _("All problems")),
            *[(c.code, c.name) for c in categories],
        ]
