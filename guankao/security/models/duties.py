"""Statutory duties (應辦事項) of each responsibility level, and each agency's instances of
them in a year: due dates, evidence, the CISO's acceptance."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from guankao.security.models.agencies import Level


class Duty(models.Model):
    """One duty of a level (資通安全責任等級分級辦法 附表), `times` a year, or once every
    `every_years` years."""

    level = models.CharField(_("responsibility level"), max_length=1, choices=Level.choices)
    code = models.SlugField(_("code"), max_length=30)
    name = models.CharField(_("duty"), max_length=200)
    description = models.TextField(_("what the rule asks"), max_length=1000, blank=True)
    times = models.PositiveSmallIntegerField(_("times a year"), default=1)
    every_years = models.PositiveSmallIntegerField(_("every (years)"), default=1)
    basis = models.CharField(_("rule"), max_length=200, blank=True)
    active = models.BooleanField(_("in use"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["level", "order", "code"]
        verbose_name = _("statutory duty")
        verbose_name_plural = _("statutory duties")
        constraints = [models.UniqueConstraint(fields=["level", "code"], name="security_duty_code")]

    def __str__(self) -> str:
        return f"{self.level} {self.name}"


class DutyInstance(models.Model):
    class State(models.TextChoices):
        OPEN = "open", _("To do")
        SUBMITTED = "submitted", _("Awaiting acceptance")
        RETURNED = "returned", _("Returned")
        ACCEPTED = "accepted", _("Accepted")

    agency = models.ForeignKey(
        "security.Agency", verbose_name=_("agency"), on_delete=models.PROTECT, related_name="+"
    )
    duty = models.ForeignKey(Duty, verbose_name=_("duty"), on_delete=models.PROTECT)
    year = models.PositiveSmallIntegerField(_("year"))
    seq = models.PositiveSmallIntegerField(default=1)
    due = models.DateField(_("due date"))
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.OPEN)
    note = models.TextField(_("what was done"), blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    accepted_on = models.DateField(_("accepted on"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decision_note = models.CharField(_("CISO's note"), max_length=300, blank=True)
    # Set aside when the agency's level changed and the new level has no such duty: kept
    # for the record, outside KPI 五-3; restored if the level changes back.
    set_aside = models.BooleanField(_("not applicable"), default=False)
    set_aside_reason = models.CharField(_("why not applicable"), max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["due", "agency__department__path", "duty__order", "pk"]
        verbose_name = _("duty instance")
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "duty", "year", "seq"], name="security_duty_instance_once"
            )
        ]
        indexes = [models.Index(fields=["due"], name="security_duty_due")]

    def __str__(self) -> str:
        return f"{self.duty.name} {self.year}-{self.seq}"

    @property
    def on_time(self) -> bool:
        return self.accepted_on is not None and self.accepted_on <= self.due
