"""Security audits (資安稽核), internal and external, with their findings followed up until
each corrective action is closed. KPI 四-2 counts the internal audits completed in a year."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Audit(models.Model):
    class Kind(models.TextChoices):
        INTERNAL = "internal", _("Internal audit (內部稽核)")
        EXTERNAL = "external", _("External audit (外部稽核)")

    agency = models.ForeignKey(
        "security.Agency", verbose_name=_("agency"), on_delete=models.PROTECT, related_name="audits"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    plan = models.TextField(_("audit plan"), max_length=5000, blank=True)
    scope = models.CharField(_("scope"), max_length=500)
    auditors = models.CharField(_("auditors"), max_length=300)
    start_date = models.DateField(_("start"))
    end_date = models.DateField(_("end"))
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-start_date", "-pk"]
        indexes = [models.Index(fields=["kind", "end_date"], name="audit_kind_end")]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=models.F("start_date")), name="audit_dates"
            )
        ]

    def __str__(self) -> str:
        return self.title


class Finding(models.Model):
    class Severity(models.TextChoices):
        HIGH = "high", _("High")
        MEDIUM = "medium", _("Medium")
        LOW = "low", _("Low")

    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="findings")
    text = models.CharField(_("finding"), max_length=500)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices)
    action = models.CharField(_("corrective action"), max_length=500)
    owner = models.CharField(_("owner"), max_length=100)
    due_date = models.DateField(_("due"))
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    follow_up = models.TextField(_("follow-up"), max_length=5000, blank=True)

    class Meta:
        ordering = ["due_date", "pk"]
        indexes = [models.Index(fields=["closed_at", "due_date"], name="finding_open_due")]

    def __str__(self) -> str:
        return self.text
