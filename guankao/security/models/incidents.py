"""Security incidents (資通安全事件) on the statutory clock.

The level (1–4) comes from the impact table of the 資通安全事件通報應變及演練辦法, art. 2
(`ImpactRule`, shipped with the regulation's values by migration 0002, editable); the hours of
the clock are one row of `ClockRule`, editable by an administrator. Clock hours are wall-clock
hours (the regulation counts hours, not working days).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

# Where each number comes from, shown beside it on the rules page. Checked in December 2026:
# 第2條 (the levels) is the 115.01.05 text's; the 1-hour notification and its renewal on a
# level change are 第4條 of the 110.08.23 text (資通安全事件通報及應變辦法; in the 115 text
# 第4條 is the agencies' own notification rules, and the article now holding the hour was
# not found); the review (8/2 h), recovery (72/36 h) and report (1 month) periods match the
# texts found, whose articles for public agencies were not found (the 110 text's 第12條 sets
# the same 8/2 h review for specific non-public agencies); 施行細則 第8條 lists the report's
# contents (times, scope, damage control, investigation, root cause, prevention, schedule).
LEVEL_BASIS = _("資通安全事件通報應變及演練辦法 第2條 (levels by the information or system hit)")
CLOCK_BASIS = {
    "notify_hours": _(
        "通報應變及演練辦法: notify within 1 hour of becoming aware, again on a level change "
        "(第4條 of the 110.08.23 text)"
    ),
    "review_hours_low": _(
        "通報應變及演練辦法: the reviewer confirms a level 1–2 notice within 8 hours"
    ),
    "review_hours_high": _(
        "通報應變及演練辦法: the reviewer confirms a level 3–4 notice within 2 hours"
    ),
    "recover_hours_low": _(
        "通報應變及演練辦法: damage control or recovery of level 1–2 within 72 hours of awareness"
    ),
    "recover_hours_high": _(
        "通報應變及演練辦法: damage control or recovery of level 3–4 within 36 hours of awareness"
    ),
    "report_months": _(
        "通報應變及演練辦法: the investigation report within 1 month of recovery; its contents "
        "by 資通安全管理法施行細則 第8條"
    ),
}


class Dimension(models.TextChoices):
    CONFIDENTIALITY = "c", _("Confidentiality (洩漏)")
    INTEGRITY = "i", _("Integrity (竄改)")
    AVAILABILITY = "a", _("Availability (運作受影響或停頓)")


class InfoKind(models.TextChoices):
    NONCORE = "noncore", _("Non-core business information or system (非核心)")
    CORE = "core", _("Core business or core system, no critical infrastructure (核心)")
    SENSITIVE = (
        "sensitive",
        _(
            "Official secret, sensitive information, or core business of critical infrastructure"
            " (一般公務機密、敏感資訊、關鍵基礎設施)"
        ),
    )
    SECRET = "secret", _("National secret (國家機密)")


class Impact(models.TextChoices):
    NONE = "none", _("None")
    # Confidentiality and integrity: 輕微 / 嚴重; availability: recovered within the tolerable
    # interruption time / not recovered within it.
    MINOR = "minor", _("Minor, or recovered within the tolerable interruption time")
    SERIOUS = "serious", _("Serious, or not recovered within the tolerable interruption time")


class ImpactRule(models.Model):
    """One cell of the level table: an impact of this severity on this kind gives this level."""

    dimension = models.CharField(_("dimension"), max_length=1, choices=Dimension.choices)
    kind = models.CharField(_("what was hit"), max_length=10, choices=InfoKind.choices)
    impact = models.CharField(_("impact"), max_length=10, choices=Impact.choices)
    level = models.PositiveSmallIntegerField(_("level"))
    basis = models.CharField(_("legal basis"), max_length=200)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["dimension", "kind", "impact"], name="impact_rule_once"
            ),
            models.CheckConstraint(
                condition=Q(level__gte=1, level__lte=4), name="impact_rule_level"
            ),
        ]
        ordering = ["dimension", "kind", "impact"]

    def __str__(self) -> str:
        return f"{self.dimension}/{self.kind}/{self.impact}: {self.level}"


class ClockRule(models.Model):
    """The statutory clock: one row (pk 1), edited by an administrator."""

    notify_hours = models.PositiveSmallIntegerField(_("hours to notify"), default=1)
    review_hours_low = models.PositiveSmallIntegerField(_("hours to review, levels 1–2"), default=8)
    review_hours_high = models.PositiveSmallIntegerField(
        _("hours to review, levels 3–4"), default=2
    )
    recover_hours_low = models.PositiveSmallIntegerField(
        _("hours to damage control or recovery, levels 1–2"), default=72
    )
    recover_hours_high = models.PositiveSmallIntegerField(
        _("hours to damage control or recovery, levels 3–4"), default=36
    )
    report_months = models.PositiveSmallIntegerField(
        _("months to the investigation report after recovery"), default=1
    )

    def __str__(self) -> str:
        return "clock rule"

    @classmethod
    def current(cls) -> "ClockRule":
        return cls.objects.get_or_create(pk=1)[0]


class Incident(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Being handled")
        RECOVERED = "recovered", _("Recovered, report due")
        CLOSED = "closed", _("Closed")

    agency = models.ForeignKey(
        "security.Agency",
        verbose_name=_("agency"),
        on_delete=models.PROTECT,
        related_name="incidents",
    )
    number = models.CharField(_("number"), max_length=20, unique=True)
    title = models.CharField(_("title"), max_length=200)
    occurred_at = models.DateTimeField(_("occurred"))
    aware_at = models.DateTimeField(_("became aware"))
    system = models.CharField(_("system hit"), max_length=200)
    info_kind = models.CharField(_("what was hit"), max_length=10, choices=InfoKind.choices)
    confidentiality = models.CharField(
        _("confidentiality impact"), max_length=10, choices=Impact.choices
    )
    integrity = models.CharField(_("integrity impact"), max_length=10, choices=Impact.choices)
    availability = models.CharField(_("availability impact"), max_length=10, choices=Impact.choices)
    description = models.TextField(_("description"), max_length=5000)
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handler"),
        on_delete=models.PROTECT,
        related_name="security_incidents",
    )
    computed_level = models.PositiveSmallIntegerField(_("level by the table"))
    level = models.PositiveSmallIntegerField(_("level"))
    level_reason = models.CharField(_("reason for raising the level"), max_length=500, blank=True)
    # The notification round: 1, and one more at each level change (the clock restarts).
    round = models.PositiveSmallIntegerField(_("notification round"), default=1)
    clock_from = models.DateTimeField(_("notification clock starts"))
    notified_at = models.DateTimeField(_("notified"), null=True, blank=True)
    notice_ref = models.CharField(_("national platform reference"), max_length=60, blank=True)
    reviewed_at = models.DateTimeField(_("reviewer confirmed"), null=True, blank=True)
    recovered_at = models.DateTimeField(_("damage controlled or recovered"), null=True, blank=True)
    reported_at = models.DateTimeField(_("investigation report submitted"), null=True, blank=True)
    # The investigation report (資通安全管理法施行細則 第8條).
    report_scope = models.TextField(_("scope and damage"), max_length=5000, blank=True)
    report_control = models.TextField(_("damage control and recovery"), max_length=5000, blank=True)
    report_cause = models.TextField(_("root cause"), max_length=5000, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-aware_at", "-pk"]
        indexes = [
            models.Index(fields=["agency", "aware_at"], name="incident_agency_aware"),
            models.Index(fields=["status", "aware_at"], name="incident_status_aware"),
            models.Index(fields=["aware_at"], name="incident_aware"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(level__gte=1, level__lte=4), name="incident_level"),
            models.CheckConstraint(
                condition=Q(aware_at__gte=models.F("occurred_at")), name="incident_aware_after"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def high(self) -> bool:
        return self.level >= 3


class Escalation(models.Model):
    """A clock step found late and escalated to the CISO: the worker's claim (once per
    incident, step and round) and the mark the pages show."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="escalations")
    step = models.CharField(_("step"), max_length=10)
    round = models.PositiveSmallIntegerField()
    at = models.DateTimeField(_("escalated"))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["incident", "step", "round"], name="escalation_once")
        ]

    def __str__(self) -> str:
        return f"{self.incident_id} {self.step} {self.round}"


class FollowUp(models.Model):
    """A prevention measure of an incident's report, or a finding's corrective action,
    followed up until done."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="follow_ups")
    measure = models.CharField(_("prevention measure"), max_length=500)
    owner = models.CharField(_("owner"), max_length=100)
    due_date = models.DateField(_("due"))
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        ordering = ["due_date", "pk"]
        indexes = [models.Index(fields=["done_at", "due_date"], name="followup_open_due")]

    def __str__(self) -> str:
        return self.measure
