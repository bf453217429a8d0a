"""SOC monitoring points (監控服務點): what the SOC watches, and the days each reported.

A point reports with its own token (only its SHA-256 is kept, the token is shown once).
One row per point and day (Asia/Taipei) counts the heartbeats and events of that day, so a
point sending every minute adds 365 rows a year, not half a million.
"""

import hashlib

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SocPoint(models.Model):
    PREFIX = "soc_"

    agency = models.ForeignKey(
        "security.Agency", verbose_name=_("agency"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("name"), max_length=100)
    site = models.CharField(_("site"), max_length=200)
    log_sources = models.CharField(_("log sources"), max_length=500, blank=True)
    active = models.BooleanField(_("in service"), default=True)
    digest = models.CharField(max_length=64, unique=True)
    hint = models.CharField(max_length=12)
    created_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(_("last report"), null=True, blank=True, db_index=True)
    # When the point was last reported silent: one notice per silence.
    silent_noticed_at = models.DateTimeField(null=True, blank=True)
    # Taken out of service (and not counted for KPI 五-1 from that day on); None in service.
    deactivated_at = models.DateTimeField(_("out of service since"), null=True, blank=True)
    # The rate limit's count: the reports admitted in the minute starting `beat_minute`.
    beat_minute = models.DateTimeField(null=True, blank=True)
    minute_beats = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["agency__department__path", "name"]
        verbose_name = _("SOC monitoring point")
        constraints = [
            models.UniqueConstraint(fields=["agency", "name"], name="security_soc_point_name")
        ]

    def __str__(self) -> str:
        return self.name

    @staticmethod
    def digest_of(raw: str) -> str:
        return hashlib.sha256(raw.encode()).hexdigest()


class SocPointDay(models.Model):
    point = models.ForeignKey(SocPoint, on_delete=models.CASCADE, related_name="days")
    day = models.DateField(_("day"))
    first_at = models.DateTimeField()
    last_at = models.DateTimeField()
    beats = models.PositiveIntegerField(default=1)
    events = models.PositiveBigIntegerField(default=0)
    alerts = models.PositiveBigIntegerField(default=0)

    class Meta:
        ordering = ["-day"]
        constraints = [
            models.UniqueConstraint(fields=["point", "day"], name="security_soc_point_day")
        ]
        indexes = [models.Index(fields=["day"], name="security_soc_day")]

    def __str__(self) -> str:
        return f"{self.point} {self.day}"
