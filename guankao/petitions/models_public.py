"""What citizens and their apps reach without signing in: Open311 GeoReport v2 and the
citizens' own report pages.

- `ClientApp`: an app registered by the 管考 officer to file reports through Open311; its
  API key is shown once and only its SHA-256 is kept; a per-minute limit and a revocation.
- `ServiceAttribute`: a question a category asks when it is filed online (Open311's
  service definition): 路燈編號 for a streetlight, a choice list for 坑洞大小.
- `PublicRequest`: the online extras of one case filed through Open311 or the web pages —
  the citizen's follow-up code (hashed), the public summary (contact details masked), the
  app, the attribute answers and the media link.
- `ClientUse`: a client's requests in one minute, the rate limit's counter.
"""

import hashlib

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

USER = settings.AUTH_USER_MODEL


class ClientApp(models.Model):
    """An Open311 client app (a city app, a civic-tech app) allowed to file reports."""

    PREFIX = "o311_"

    name = models.CharField(_("app name"), max_length=100)
    contact = models.CharField(_("contact"), max_length=200)
    key_digest = models.CharField(max_length=64, unique=True)
    key_hint = models.CharField(max_length=12)
    per_minute = models.PositiveIntegerField(_("requests per minute at most"), default=60)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("Open311 client app")

    def __str__(self) -> str:
        return f"{self.name} ({self.key_hint}…)"

    @staticmethod
    def digest_of(raw: str) -> str:
        return hashlib.sha256(raw.encode()).hexdigest()

    @property
    def active(self) -> bool:
        return self.revoked_at is None


class ClientUse(models.Model):
    """How many requests a client made in one minute (the minute's start, UTC)."""

    client = models.ForeignKey(ClientApp, on_delete=models.CASCADE, related_name="uses")
    minute = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["client", "minute"], name="client_use_minute")
        ]

    def __str__(self) -> str:
        return f"{self.client_id} {self.minute:%H:%M} {self.count}"


class ServiceAttribute(models.Model):
    """One question of a category's Open311 service definition."""

    class Datatype(models.TextChoices):
        STRING = "string", _("Short text")
        NUMBER = "number", _("Number")
        DATETIME = "datetime", _("Date and time")
        TEXT = "text", _("Long text")
        SINGLE = "singlevaluelist", _("One choice from a list")
        MULTI = "multivaluelist", _("Several choices from a list")

    LISTS = (Datatype.SINGLE, Datatype.MULTI)

    category = models.ForeignKey(
        "petitions.Category", on_delete=models.CASCADE, related_name="attributes"
    )
    code = models.CharField(_("code"), max_length=40)
    # False: a note shown to the citizen, not a question (Open311's `variable`).
    variable = models.BooleanField(_("asks for an answer"), default=True)
    datatype = models.CharField(_("kind of answer"), max_length=20, choices=Datatype.choices)
    required = models.BooleanField(_("required"), default=False)
    description = models.CharField(_("question"), max_length=300)
    datatype_description = models.CharField(_("how to answer"), max_length=200, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    # For the list kinds: [{"key": "small", "name": "小於 30 公分"}, …].
    values = models.JSONField(_("choices"), default=list, blank=True)

    class Meta:
        ordering = ["category", "order", "id"]
        verbose_name = _("service attribute")
        constraints = [
            models.UniqueConstraint(fields=["category", "code"], name="attribute_code_once")
        ]

    def __str__(self) -> str:
        return f"{self.code}: {self.description}"


class PublicRequest(models.Model):
    """The online part of a case filed through Open311 or the citizens' report page."""

    case = models.OneToOneField(
        "petitions.Case", on_delete=models.CASCADE, related_name="public_request"
    )
    # SHA-256 of the case number and the follow-up code the citizen was given once.
    code_digest = models.CharField(max_length=64)
    # Open311 `token`: a request's id before it has one (ours always has; kept for clients
    # that ask tokens/{token}).
    token = models.CharField(max_length=40, unique=True)
    # What the citizen wrote, phone numbers, e-mails and ID numbers masked: the public text.
    summary = models.TextField(_("public summary"))
    client = models.ForeignKey(
        ClientApp,
        verbose_name=_("client app"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="requests",
    )
    media_url = models.URLField(_("media link"), max_length=500, blank=True)
    device_id = models.CharField(_("device id"), max_length=100, blank=True)
    account_id = models.CharField(_("account id"), max_length=100, blank=True)
    address_id = models.CharField(_("address id"), max_length=100, blank=True)
    zipcode = models.CharField(_("postal code"), max_length=10, blank=True)
    # {attribute code: answer (text, or a list of keys for a multivaluelist)}.
    attributes = models.JSONField(_("answers"), default=dict, blank=True)

    class Meta:
        verbose_name = _("online report")

    def __str__(self) -> str:
        return f"{self.case_id} online"

    @staticmethod
    def digest_of(number: str, code: str) -> str:
        return hashlib.sha256(f"{number}:{code}".encode()).hexdigest()

    def answered(self) -> list[tuple[str, str]]:
        """(question, answer) for the case page, choices by their names; a question removed
        since keeps its code."""
        questions = {a.code: a for a in self.case.category.attributes.all()}
        out = []
        for code, value in self.attributes.items():
            question = questions.get(code)
            names = {v["key"]: v["name"] for v in question.values} if question else {}
            values = value if isinstance(value, list) else [value]
            answer = "、".join(names.get(v, v) for v in values)
            out.append((question.description if question else code, answer))
        return out


class DeferredRequest(models.Model):
    """An Open311 report accepted, checked in full, and not yet filed as a case (Open311's
    `token`, with GUANKAO_OPEN311_DEFERRED): the worker files it with the moment it was
    received, and deletes this row in the same transaction. A row that could not be filed
    keeps its reason for the 管考 officer."""

    token = models.CharField(max_length=40, unique=True)
    client = models.ForeignKey(
        ClientApp, on_delete=models.PROTECT, related_name="deferred_requests"
    )
    received_at = models.DateTimeField()
    # What petitions.public.report_check returned, and the follow-up code until filed.
    report = models.JSONField()
    failed_at = models.DateTimeField(null=True, blank=True)
    failure = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = _("Open311 report waiting to be filed")

    def __str__(self) -> str:
        return f"{self.token} ({self.received_at:%Y-%m-%d %H:%M})"
