"""The ISAC's data: TAXII API roots and collections, the members who read and write them,
the STIX objects (one row per object version), the status of each POST, the indicator
values behind the blocklists, the sightings and the upstream servers polled.

`StixObject` is built for a million rows per collection: the body is kept as the JSON text
it is served as (no re-encoding on read), pages are read along the index
(collection, date_added, id), and `is_latest` / `is_first` are kept on write so that
match[version]=last|first is a plain indexed filter.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Tlp(models.TextChoices):
    CLEAR = "clear", "TLP:CLEAR"
    GREEN = "green", "TLP:GREEN"
    AMBER = "amber", "TLP:AMBER"
    AMBER_STRICT = "amber+strict", "TLP:AMBER+STRICT"
    RED = "red", "TLP:RED"
    NONE = "", _("not marked")


class ApiRoot(models.Model):
    """One TAXII API root per trust group (the city's own, `chiayi`, is the default)."""

    slug = models.SlugField(_("address"), max_length=40, unique=True)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    is_default = models.BooleanField(_("default"), default=False)
    max_content_length = models.PositiveIntegerField(
        _("largest request (bytes)"), default=10 * 1024 * 1024
    )
    # A retired trust group is gone from discovery and answers 404; its objects stay.
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["slug"]
        verbose_name = _("API root")

    def __str__(self) -> str:
        return self.title


class Collection(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    api_root = models.ForeignKey(ApiRoot, on_delete=models.PROTECT, related_name="collections")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    alias = models.SlugField(_("alias"), max_length=60)
    tlp = models.CharField(_("TLP"), max_length=12, choices=Tlp.choices, blank=True)
    # What a new member gets here; the CISO changes it per member (CollectionAccess).
    members_read = models.BooleanField(_("members read"), default=True)
    members_write = models.BooleanField(_("members write"), default=False)

    class Meta:
        ordering = ["api_root", "alias"]
        constraints = [
            models.UniqueConstraint(fields=["api_root", "alias"], name="isac_unique_alias")
        ]
        verbose_name = _("collection")

    def __str__(self) -> str:
        return self.title


class Member(models.Model):
    """An agency of the city or a neighbouring government that shares with the ISAC."""

    class Kind(models.TextChoices):
        AGENCY = "agency", _("City agency")
        NEIGHBOUR = "neighbour", _("Neighbouring government")
        NATIONAL = "national", _("National centre")

    name = models.CharField(_("name"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    agency = models.OneToOneField(
        "security.Agency",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="isac_member",
        verbose_name=_("agency"),
    )
    contact_name = models.CharField(_("contact person"), max_length=100)
    contact_email = models.EmailField(_("contact e-mail"))
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    # STIX identity of the member: created_by_ref of what it shares.
    identity_id = models.CharField(_("STIX identity"), max_length=80, unique=True)
    username = models.CharField(_("TAXII user name"), max_length=60, unique=True)
    # SHA-256 of a generated 32-byte secret: high entropy, so a fast digest is enough and
    # every TAXII request can be checked without a slow password hash.
    secret_digest = models.CharField(max_length=64)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("ISAC member")

    def __str__(self) -> str:
        return self.name


class CollectionAccess(models.Model):
    collection = models.ForeignKey(Collection, on_delete=models.CASCADE, related_name="grants")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="grants")
    can_read = models.BooleanField(_("can read"), default=True)
    can_write = models.BooleanField(_("can write"), default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["collection", "member"], name="isac_unique_grant")
        ]

    def __str__(self) -> str:
        return f"{self.member_id} → {self.collection_id}"


class Upstream(models.Model):
    """A TAXII 2.1 collection elsewhere (e.g. the national N-ISAC) that the worker polls."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    url = models.URLField(_("collection address"), max_length=500)
    username = models.CharField(_("user name"), max_length=100, blank=True)
    # Fernet token of the password (crypto.py): read back to call the server, never shown.
    password_encrypted = models.TextField(blank=True)
    collection = models.ForeignKey(
        Collection, on_delete=models.PROTECT, related_name="+", verbose_name=_("stored in")
    )
    active = models.BooleanField(_("active"), default=True)
    # added_after of the next poll, by the upstream's own clock: the X-TAXII-Date-Added-Last
    # of the last page received, as the server wrote it.
    added_after = models.CharField(max_length=40, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    received = models.PositiveBigIntegerField(default=0)

    class Meta:
        ordering = ["name"]
        verbose_name = _("upstream server")

    def __str__(self) -> str:
        return self.name

    def set_password(self, raw: str) -> None:
        from guankao.security.isac import crypto

        self.password_encrypted = crypto.encrypt(raw)

    def get_password(self) -> str:
        """The password to send; crypto.Unreadable if the key it was stored with is gone."""
        from guankao.security.isac import crypto

        return crypto.decrypt(self.password_encrypted)

    @property
    def password_readable(self) -> bool:
        from guankao.security.isac import crypto

        return crypto.readable(self.password_encrypted)


class StixObject(models.Model):
    """One version of one STIX object in one collection."""

    id = models.BigAutoField(primary_key=True)
    collection = models.ForeignKey(Collection, on_delete=models.PROTECT, related_name="+")
    stix_id = models.CharField(max_length=100)
    type = models.CharField(max_length=60)
    spec_version = models.CharField(max_length=10, default="2.1")
    version = models.DateTimeField()  # modified, else created, else the first date_added
    date_added = models.DateTimeField()
    is_latest = models.BooleanField(default=True)
    is_first = models.BooleanField(default=True)
    tlp = models.CharField(max_length=12, choices=Tlp.choices, blank=True)
    restricted = models.BooleanField(default=False)  # TLP:RED: named recipients only
    revoked = models.BooleanField(default=False)
    member = models.ForeignKey(Member, null=True, on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    upstream = models.ForeignKey(Upstream, null=True, on_delete=models.PROTECT, related_name="+")
    body = models.TextField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["collection", "stix_id", "version"], name="isac_unique_version"
            )
        ]
        indexes = [
            models.Index(fields=["collection", "date_added", "id"], name="isac_page"),
            models.Index(fields=["stix_id"], name="isac_stix_id"),
        ]

    def __str__(self) -> str:
        return self.stix_id


class Recipient(models.Model):
    """Who may read a TLP:RED object."""

    obj = models.ForeignKey(StixObject, on_delete=models.CASCADE, related_name="recipients")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["obj", "member"], name="isac_unique_recipient")
        ]

    def __str__(self) -> str:
        return f"{self.obj_id} → {self.member_id}"


class Status(models.Model):
    """The outcome of one POST of objects (TAXII status resource)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    api_root = models.ForeignKey(ApiRoot, on_delete=models.CASCADE, related_name="+")
    collection = models.ForeignKey(Collection, on_delete=models.CASCADE, related_name="+")
    member = models.ForeignKey(Member, null=True, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.CASCADE, related_name="+"
    )
    request_timestamp = models.DateTimeField()
    total_count = models.PositiveIntegerField(default=0)
    success_count = models.PositiveIntegerField(default=0)
    failure_count = models.PositiveIntegerField(default=0)
    pending_count = models.PositiveIntegerField(default=0)
    successes = models.JSONField(default=list)
    failures = models.JSONField(default=list)

    def __str__(self) -> str:
        return str(self.id)


class IndicatorValue(models.Model):
    """A value a firewall can block, taken from an indicator's STIX pattern."""

    class Kind(models.TextChoices):
        IPV4 = "ipv4", _("IPv4 address")
        IPV6 = "ipv6", _("IPv6 address")
        DOMAIN = "domain", _("domain name")
        URL = "url", _("URL")
        HASH = "hash", _("file hash")

    obj = models.ForeignKey(StixObject, on_delete=models.CASCADE, related_name="values")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    value = models.CharField(max_length=2000)
    valid_from = models.DateTimeField()
    valid_until = models.DateTimeField(null=True)

    class Meta:
        indexes = [models.Index(fields=["value"], name="isac_value")]

    def __str__(self) -> str:
        return self.value


class Sighting(models.Model):
    """A member saw an indicator (a STIX sighting it posted, or reported on the page)."""

    indicator_id = models.CharField(max_length=100, db_index=True)
    member = models.ForeignKey(Member, null=True, on_delete=models.PROTECT, related_name="+")
    obj = models.ForeignKey(StixObject, null=True, on_delete=models.CASCADE, related_name="+")
    count = models.PositiveIntegerField(default=1)
    seen_at = models.DateTimeField()
    recorded_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.indicator_id} ×{self.count}"


class BlocklistChange(models.Model):
    """One change of one member's blocklist: `value` of `kind` went on it (added) or off it
    at `at`. `member` None is the operators' list (every indicator). Kept by blocklog.py
    on every write that can change a list; transitions already known (an indicator's
    valid_until, a valid_from ahead) are written ahead with their time, so `?since=` reads
    exactly the changes of (since, now] without a worker."""

    member = models.ForeignKey(Member, null=True, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=8, choices=IndicatorValue.Kind.choices)
    value = models.CharField(max_length=2000)
    added = models.BooleanField()
    at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["member", "at"], name="isac_change_member_at"),
            models.Index(fields=["value"], name="isac_change_value"),
        ]

    def __str__(self) -> str:
        return f"{'+' if self.added else '-'}{self.value}"


class BlocklistLock(models.Model):
    """One row that every write of the change log and every read of a blocklist updates
    first (blocklog.hold): a reader's X-Changes-Until is taken only once no write dated
    before it is still uncommitted, so the next `since` misses nothing."""

    held_at = models.DateTimeField(null=True)

    def __str__(self) -> str:
        return str(self.held_at)
