"""Core systems and machine-room services (機房維運) and their outages. KPI 四-3 counts the
unplanned interruptions of machine-room services in a year."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Service(models.Model):
    class Protection(models.TextChoices):
        # 資通系統防護需求分級: 普 / 中 / 高
        LOW = "low", _("普 (basic)")
        MEDIUM = "medium", _("中 (medium)")
        HIGH = "high", _("高 (high)")

    agency = models.ForeignKey(
        "security.Agency",
        verbose_name=_("agency"),
        on_delete=models.PROTECT,
        related_name="services",
    )
    name = models.CharField(_("name"), max_length=200)
    core = models.BooleanField(_("core system (核心資通系統)"), default=False)
    machine_room = models.BooleanField(_("machine-room service"), default=True)
    owner = models.CharField(_("owner"), max_length=100)
    protection = models.CharField(_("protection level"), max_length=10, choices=Protection.choices)
    maintenance = models.CharField(_("planned maintenance window"), max_length=200, blank=True)
    active = models.BooleanField(_("in service"), default=True)

    class Meta:
        ordering = ["name", "pk"]
        constraints = [models.UniqueConstraint(fields=["agency", "name"], name="service_name_once")]

    def __str__(self) -> str:
        return self.name


class Outage(models.Model):
    agency = models.ForeignKey(
        "security.Agency",
        verbose_name=_("agency"),
        on_delete=models.PROTECT,
        related_name="outages",
    )
    started_at = models.DateTimeField(_("start"))
    ended_at = models.DateTimeField(_("end"), null=True, blank=True)
    planned = models.BooleanField(_("planned"), default=False)
    cause = models.CharField(_("cause"), max_length=500)
    services = models.ManyToManyField(
        Service, verbose_name=_("services affected"), related_name="outages"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-started_at", "-pk"]
        indexes = [models.Index(fields=["planned", "started_at"], name="outage_planned_start")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(ended_at__gte=models.F("started_at")),
                name="outage_dates",
            )
        ]

    def __str__(self) -> str:
        return self.cause
