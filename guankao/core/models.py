"""Departments, staff, roles, audit, notifications, calendar overrides, API tokens."""

import hashlib
import re
import secrets
from pathlib import PurePosixPath

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class DepartmentKind(models.TextChoices):
    GOVERNMENT = "government", _("City government")
    OFFICE = "office", _("Office (處)")
    BUREAU = "bureau", _("Bureau (局)")
    SECTION = "section", _("Section (科)")
    AGENCY = "agency", _("Subordinate agency (所屬機關)")
    SCHOOL = "school", _("School")


class Department(models.Model):
    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=150, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=DepartmentKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    # Materialised path of ids ("/1/4/9/"): a subtree is one indexed prefix query.
    path = models.CharField(max_length=255, db_index=True, editable=False, default="/")
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["path"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def depth(self) -> int:
        return self.path.count("/") - 2

    def is_within(self, other: "Department") -> bool:
        return self.path.startswith(other.path)


class Role(models.TextChoices):
    OFFICER = "officer", _("管考 officer")
    LIAISON = "liaison", _("Department liaison")
    HEAD = "head", _("Department head")
    EXECUTIVE = "executive", _("Executive reader")
    CALLTAKER = "calltaker", _("Call-taker (話務人員)")
    SECURITY = "security", _("Security officer (資安人員)")
    CISO = "ciso", _("Chief information security officer (資安長)")
    ADMIN = "admin", _("System administrator")


CITY_WIDE_READ = {Role.OFFICER, Role.EXECUTIVE, Role.ADMIN}


class User(AbstractUser):
    """A member of staff. Personal data (e-mail, phone) is masked unless allowed."""

    display_name = models.CharField(_("name"), max_length=100)
    title = models.CharField(_("job title"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
    )

    class Meta:
        ordering = ["department__path", "username"]
        verbose_name = _("staff member")
        verbose_name_plural = _("staff")

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def role_set(self) -> frozenset[str]:
        cached = getattr(self, "_role_cache", None)
        if cached is None:
            if "role_assignments" in getattr(self, "_prefetched_objects_cache", {}):
                cached = frozenset(r.role for r in self.role_assignments.all())
            else:
                cached = frozenset(self.role_assignments.values_list("role", flat=True))
            self._role_cache = cached
        return cached

    def has_role(self, *roles: str) -> bool:
        return bool(self.role_set.intersection(roles))

    @property
    def is_city_wide(self) -> bool:
        return self.is_active and (self.is_superuser or bool(self.role_set & CITY_WIDE_READ))

    @property
    def is_admin(self) -> bool:
        return self.is_superuser or self.has_role(Role.ADMIN)


class RoleAssignment(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "role"], name="unique_user_role")]
        verbose_name = _("role")

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()}"


class AuditQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionDenied("audit entries cannot be changed")

    def delete(self):
        raise PermissionDenied("audit entries cannot be deleted")


class AuditEntry(models.Model):
    """One change (or one whole view of personal data). Append-only."""

    class Action(models.TextChoices):
        CREATE = "create", _("Created")
        UPDATE = "update", _("Changed")
        DELETE = "delete", _("Deleted")
        VIEW_PERSONAL = "view_personal", _("Viewed personal data")
        IMPORT = "import", _("Imported")
        LOGIN = "login", _("Signed in")
        LOGOUT = "logout", _("Signed out")
        LOGIN_FAILED = "login_failed", _("Failed sign-in")
        SECURITY = "security", _("Security setting")

    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_name = models.CharField(_("actor"), max_length=150, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    object_type = models.CharField(_("record type"), max_length=60, db_index=True)
    object_id = models.CharField(_("record id"), max_length=64, blank=True)
    object_repr = models.CharField(_("record"), max_length=200, blank=True)
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit trail")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.object_type}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionDenied("audit entries cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionDenied("audit entries cannot be deleted")


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("message"), blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    # E-mail: emailed_at only once the server took it. email_due_at is when the next try is
    # owed (None: nothing owed: sent, not wanted, or given up after the last attempt).
    emailed_at = models.DateTimeField(null=True, blank=True)
    email_due_at = models.DateTimeField(null=True, blank=True)
    email_attempts = models.PositiveSmallIntegerField(default=0)
    email_error = models.CharField(max_length=300, blank=True)
    # The work the notice asks for ("tracking.review:12:2026:11"); done_at once it is done.
    task_key = models.CharField(max_length=100, blank=True, db_index=True)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "read_at"]),
            models.Index(
                fields=["email_due_at"],
                condition=models.Q(email_due_at__isnull=False),
                name="notification_email_due",
            ),
        ]

    def __str__(self) -> str:
        return self.subject


class OutboundMail(models.Model):
    """An e-mail to an address outside the staff (a petitioner), sent after commit and
    retried like a notice's e-mail (core.notices.outbound); `about` names what it is for
    ("petitions.case:12")."""

    address = models.EmailField(_("e-mail"))
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("message"), blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    about = models.CharField(max_length=100, blank=True, db_index=True)
    created_at = models.DateTimeField(default=timezone.now)
    emailed_at = models.DateTimeField(null=True, blank=True)
    email_due_at = models.DateTimeField(null=True, blank=True)
    email_attempts = models.PositiveSmallIntegerField(default=0)
    email_error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["email_due_at"],
                condition=models.Q(email_due_at__isnull=False),
                name="outboundmail_due",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.address}: {self.subject}"


class CalendarOverride(models.Model):
    """A day that differs from the rule: 補班 workday, typhoon closure, official calendar."""

    class Source(models.TextChoices):
        MANUAL = "manual", _("Entered by an administrator")
        OFFICIAL = "official", _("Official office calendar import")

    date = models.DateField(_("date"), unique=True)
    is_working_day = models.BooleanField(_("working day"))
    reason = models.CharField(_("reason"), max_length=100)
    source = models.CharField(
        _("source"), max_length=20, choices=Source.choices, default=Source.MANUAL
    )

    class Meta:
        ordering = ["date"]
        verbose_name = _("calendar override")

    def __str__(self) -> str:
        return f"{self.date} {'workday' if self.is_working_day else 'day off'}: {self.reason}"


class ApiToken(models.Model):
    """A personal API token; only its SHA-256 is stored, the token is shown once."""

    PREFIX = "gk_"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100)
    digest = models.CharField(max_length=64, unique=True)
    hint = models.CharField(max_length=12)
    created_at = models.DateTimeField(default=timezone.now)
    # Every token expires (GUANKAO_API_TOKEN_DAYS); a password change revokes them all.
    expires_at = models.DateTimeField(_("expires"))
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    # The owner's password as it was when the token was made (Django's session auth hash,
    # an HMAC of the password hash): a password changed any way at all — the page, an
    # administrator, `manage.py changepassword` — ends the token. Empty for older tokens.
    password_stamp = models.CharField(max_length=128, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.hint}…)"

    @staticmethod
    def digest_of(raw: str) -> str:
        return hashlib.sha256(raw.encode()).hexdigest()

    @property
    def active(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()

    @property
    def expired(self) -> bool:
        return self.revoked_at is None and not self.active


def department_subtree_q(department: Department, field: str = "department") -> Q:
    return Q(**{f"{field}__path__startswith": department.path})


def attachment_upload_to(instance, filename: str) -> str:
    """A dated folder and a random name: the uploader's file name never reaches the storage.

    Only a short extension is kept from `filename`, which the attachment service derives
    from the detected type, so an operator can still tell what a stored file is.
    """
    suffix = PurePosixPath(filename).suffix.lower()
    if not re.fullmatch(r"\.[a-z0-9]{1,5}", suffix):
        suffix = ""
    return f"attachments/{timezone.now():%Y/%m/%d}/{secrets.token_hex(16)}{suffix}"


class Attachment(models.Model):
    """An uploaded file (evidence, photo, import) attached to one record of a department.

    Created only through guankao.core.attachments, which checks the type by content.
    """

    file = models.FileField(_("file"), upload_to=attachment_upload_to, max_length=255)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("file type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        related_name="attachments",
    )
    # The record it belongs to, as "app_label.model" and its primary key.
    owner_type = models.CharField(_("record type"), max_length=60)
    owner_id = models.CharField(_("record id"), max_length=64)
    # Empty for files that are not images.
    thumbnail = models.FileField(
        _("thumbnail"), upload_to=attachment_upload_to, max_length=255, blank=True
    )

    class Meta:
        ordering = ["uploaded_at", "id"]
        indexes = [models.Index(fields=["owner_type", "owner_id"])]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.original_name


class NoticeSent(models.Model):
    """One notice (or other once-only action), once: the unique key is how two workers,
    or a rerun, never send the same reminder twice (see guankao.core.jobs.claim)."""

    key = models.CharField(max_length=200, unique=True)
    sent_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.key
