"""Plans, strategic goals, KPIs, yearly targets, measurements, the annual plan round."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from guankao.core.models import Department

USER = settings.AUTH_USER_MODEL


class Plan(models.Model):
    class Kind(models.TextChoices):
        MIDTERM = "midterm", _("Mid-term plan (中程施政計畫)")
        ANNUAL = "annual", _("Annual plan (年度施政計畫)")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        RETURNED = "returned", _("Returned for changes")
        ACCEPTED = "accepted", _("Accepted")

    department = models.ForeignKey(
        Department, verbose_name=_("department"), on_delete=models.PROTECT, related_name="plans"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    first_year = models.PositiveSmallIntegerField(_("first year"))
    last_year = models.PositiveSmallIntegerField(_("last year"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    key_projects = models.TextField(_("key projects"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-first_year", "department__path", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(last_year__gte=models.F("first_year")), name="plan_years_in_order"
            )
        ]

    def __str__(self) -> str:
        return self.title

    def covers(self, year: int) -> bool:
        return self.first_year <= year <= self.last_year


class Goal(models.Model):
    """關鍵策略目標."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="goals")
    number = models.CharField(_("number"), max_length=10)
    title = models.CharField(_("strategic goal"), max_length=300)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["plan", "order", "id"]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class Direction(models.TextChoices):
    HIGHER = "higher", _("Higher is better")
    LOWER = "lower", _("Lower is better")
    RANGE = "range", _("Within a range")


class Accumulation(models.TextChoices):
    SUM = "sum", _("Adds up over the year (sum of periods)")
    LAST = "last", _("Point value (the latest period)")
    RATIO = "ratio", _("Rate (sum of numerators / sum of denominators)")


class Frequency(models.TextChoices):
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")
    YEARLY = "yearly", _("Yearly")


PERIODS_PER_YEAR = {Frequency.MONTHLY: 12, Frequency.QUARTERLY: 4, Frequency.YEARLY: 1}


class Path(models.TextChoices):
    FLAT = "flat", _("The target applies all year (rates, counts in place)")
    LINEAR = "linear", _("Grows linearly through the year")
    STEPPED = "stepped", _("Grows by quarter")


class KPI(models.Model):
    """關鍵績效指標 with its 衡量標準."""

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="kpis")
    number = models.CharField(_("number"), max_length=10, blank=True)
    name = models.CharField(_("KPI"), max_length=300)
    measure = models.CharField(_("measurement standard"), max_length=300)
    unit = models.CharField(_("unit"), max_length=30, blank=True)
    direction = models.CharField(
        _("direction"), max_length=10, choices=Direction.choices, default=Direction.HIGHER
    )
    accumulation = models.CharField(
        _("accumulation"), max_length=10, choices=Accumulation.choices, default=Accumulation.LAST
    )
    frequency = models.CharField(
        _("reporting frequency"),
        max_length=10,
        choices=Frequency.choices,
        default=Frequency.MONTHLY,
    )
    path = models.CharField(
        _("expected path"), max_length=10, choices=Path.choices, default=Path.FLAT
    )
    # ServiceNow's defaults (DOMAIN.md): on track from 90% of expected, at risk from 75%.
    on_track_from = models.DecimalField(
        _("on track from (share of expected)"),
        max_digits=4,
        decimal_places=2,
        default=Decimal("0.90"),
    )
    at_risk_from = models.DecimalField(
        _("at risk from (share of expected)"),
        max_digits=4,
        decimal_places=2,
        default=Decimal("0.75"),
    )
    metric_key = models.CharField(_("computed by metric"), max_length=80, blank=True)
    # A rate (依限完成率, 受訓比率) lies within 0–100% unless the measure allows more
    # (a growth rate, an execution rate over budget).
    over_100 = models.BooleanField(_("the rate may exceed 100%"), default=False)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["goal__plan", "goal__order", "order", "id"]
        verbose_name = "KPI"
        constraints = [
            models.CheckConstraint(
                condition=Q(at_risk_from__lte=models.F("on_track_from")), name="kpi_thresholds"
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def periods_per_year(self) -> int:
        return PERIODS_PER_YEAR[self.frequency]


class Target(models.Model):
    """年度目標值, kept as written (`≧80%`); parsed by guankao.lib.targets."""

    kpi = models.ForeignKey(KPI, on_delete=models.CASCADE, related_name="targets")
    year = models.PositiveSmallIntegerField(_("year"))
    text = models.CharField(_("target"), max_length=100)

    class Meta:
        ordering = ["kpi", "year"]
        constraints = [models.UniqueConstraint(fields=["kpi", "year"], name="one_target_a_year")]

    def __str__(self) -> str:
        return f"{self.year}: {self.text}"


class Measurement(models.Model):
    """A KPI's value for one period. A correction is a new revision; nothing is overwritten."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Awaiting approval")
        APPROVED = "approved", _("Approved")
        RETURNED = "returned", _("Returned")

    class Source(models.TextChoices):
        MANUAL = "manual", _("Entered")
        METRIC = "metric", _("Computed")

    kpi = models.ForeignKey(KPI, on_delete=models.CASCADE, related_name="measurements")
    year = models.PositiveSmallIntegerField(_("year"))
    # 1..12 (monthly), 1..4 (quarterly) or 1 (yearly), in the KPI's frequency.
    period = models.PositiveSmallIntegerField(_("period"))
    value = models.DecimalField(_("value"), max_digits=18, decimal_places=4)
    numerator = models.DecimalField(max_digits=18, decimal_places=4, null=True, blank=True)
    denominator = models.DecimalField(max_digits=18, decimal_places=4, null=True, blank=True)
    note = models.TextField(_("explanation"), blank=True)
    evidence_url = models.URLField(_("evidence link"), blank=True, max_length=500)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.MANUAL)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SUBMITTED)
    revision = models.PositiveSmallIntegerField(default=1)
    # `latest`: the newest revision (what a correction starts from); `counted`: the approved
    # revision the scorecard uses. A correction waiting for approval leaves the old one counted.
    latest = models.BooleanField(default=True)
    counted = models.BooleanField(default=False)
    supersedes = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="superseded_by"
    )
    entered_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    entered_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(_("reason"), max_length=300, blank=True)

    class Meta:
        ordering = ["kpi", "year", "period", "-revision"]
        constraints = [
            models.UniqueConstraint(
                fields=["kpi", "year", "period"], condition=Q(latest=True), name="one_latest"
            ),
            models.UniqueConstraint(
                fields=["kpi", "year", "period"], condition=Q(counted=True), name="one_counted"
            ),
            models.UniqueConstraint(
                fields=["kpi", "year", "period", "revision"], name="unique_revision"
            ),
        ]
        indexes = [
            models.Index(fields=["year", "kpi"], condition=Q(counted=True), name="counted_by_year")
        ]

    def __str__(self) -> str:
        return f"{self.kpi_id} {self.year}/{self.period} r{self.revision}: {self.value}"


class PlanRound(models.Model):
    """The annual plan round: every department submits its annual plan by the deadline."""

    year = models.PositiveSmallIntegerField(_("plan year"), unique=True)
    deadline = models.DateField(_("deadline"))
    opened_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)
    departments = models.ManyToManyField(
        Department, related_name="+", verbose_name=_("departments")
    )

    class Meta:
        ordering = ["-year"]

    def __str__(self) -> str:
        return f"{self.year}"


class Submission(models.Model):
    plan_round = models.ForeignKey(PlanRound, on_delete=models.CASCADE, related_name="submissions")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    plan = models.OneToOneField(Plan, on_delete=models.PROTECT, related_name="submission")
    first_submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(_("reason"), max_length=300, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["plan_round", "department"], name="one_submission")
        ]

    def __str__(self) -> str:
        return f"{self.plan_round} {self.department}"


class PublishedScorecard(models.Model):
    """A year's scorecard as published: a frozen copy, readable without signing in."""

    year = models.PositiveSmallIntegerField()
    department = models.ForeignKey(Department, null=True, blank=True, on_delete=models.PROTECT)
    content = models.JSONField()
    published_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    published_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-year", "-published_at"]

    def __str__(self) -> str:
        return f"{self.year} {self.department or 'city'}"


class DataStamp(models.Model):
    """One row whose number goes up with every change to plans data (in the same
    transaction), so a computed scorecard can be reused until the data changes."""

    version = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return str(self.version)
