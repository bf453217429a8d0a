"""Security training hours (資安教育訓練): who took which course for how many hours, and
the yearly requirement for each kind of staff member.

The requirements are data an administrator edits (資通安全責任等級分級辦法 附表, the
level's 資通安全教育訓練 row); the shipped values are the defaults for the city's level.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class TrainingKind(models.TextChoices):
    GENERAL = "general", _("General security (一般使用者及主管)")
    PROFESSIONAL = "professional", _("Professional security (資通安全專業課程或職能訓練)")
    SECURITY = "security", _("Security staff (資安專職人員)")


class Audience(models.TextChoices):
    EVERYONE = "everyone", _("Every staff member but the security staff")
    IT = "it", _("IT staff (資訊人員)")
    SECURITY = "security", _("Security staff (資安人員)")


class TrainingRequirement(models.Model):
    """Hours of `kind` that each member of `audience` owes over `every_years` years."""

    audience = models.CharField(_("who"), max_length=10, choices=Audience.choices, unique=True)
    kind = models.CharField(_("kind of training"), max_length=15, choices=TrainingKind.choices)
    hours = models.DecimalField(_("hours"), max_digits=4, decimal_places=1)
    every_years = models.PositiveSmallIntegerField(_("every (years)"), default=1)
    basis = models.CharField(_("rule"), max_length=200)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["audience"]
        verbose_name = _("training requirement")

    def __str__(self) -> str:
        return f"{self.get_audience_display()}: {self.hours} h"


class ItStaff(models.Model):
    """A member of staff who counts as IT staff (資訊人員) for the training requirement."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="security_it_staff"
    )
    since = models.DateField(_("since"), default=timezone.localdate)

    class Meta:
        verbose_name = _("IT staff member")

    def __str__(self) -> str:
        return str(self.user)


class TrainingRecord(models.Model):
    """One course a member of staff took. The same person, course and day is one record:
    a file imported again adds nothing."""

    class Source(models.TextChoices):
        FORM = "form", _("Entered")
        IMPORT = "import", _("Imported")
        API = "api", _("API")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff member"),
        on_delete=models.PROTECT,
        related_name="security_training",
    )
    # The person's department and agency when the record was made (they may move later).
    department = models.ForeignKey(
        "core.Department", on_delete=models.PROTECT, related_name="+", verbose_name=_("department")
    )
    agency = models.ForeignKey(
        "security.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    course = models.CharField(_("course"), max_length=200)
    provider = models.CharField(_("provider"), max_length=200, blank=True)
    date = models.DateField(_("date"))
    hours = models.DecimalField(_("hours"), max_digits=4, decimal_places=1)
    kind = models.CharField(_("kind of training"), max_length=15, choices=TrainingKind.choices)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.FORM)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("training record")
        verbose_name_plural = _("training records")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "course", "date"], name="security_training_once_a_day"
            ),
            models.CheckConstraint(
                condition=Q(hours__gt=0) & Q(hours__lte=24), name="security_training_hours"
            ),
        ]
        indexes = [models.Index(fields=["date", "user"], name="security_training_date")]

    def __str__(self) -> str:
        return f"{self.user} {self.date} {self.course} {self.hours} h"
