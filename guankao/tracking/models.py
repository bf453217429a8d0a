"""Controlled cases (列管案件): items, milestones, monthly reports, chasing, meetings.

One `Item` model holds every kind of case; the kind decides which fields a form asks
for and whether monthly reports carry percentages (works, programmes, grants) or a
handling status and result (directives, resolutions, Control Yuan cases...).
Lag, risk and the finish forecast are computed from the reports, never typed, and kept
on the item (`refresh` in services) so the city board is one aggregate query.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from guankao.core.models import Department
from guankao.lib.roc import roc_year

USER = settings.AUTH_USER_MODEL


class Kind(models.TextChoices):
    MAJOR = "major", _("Major programme (重大計畫)")
    WORKS = "works", _("Public works (公共工程)")
    GRANT = "grant", _("Centrally funded project (中央補助計畫)")
    BASIC_GRANT = "basic_grant", _("General grant, basic infrastructure (一般性補助款 基本設施)")
    RESOLUTION = "resolution", _("Council resolution (議會議決案)")
    MEETING = "meeting", _("City meeting directive (市務會議裁示事項)")
    MAYOR = "mayor", _("Mayor's directive (市長交辦)")
    CONTROL_YUAN = "control_yuan", _("Control Yuan case (監察案件)")
    OVERSEAS = "overseas", _("Overseas-trip report (出國報告)")
    DISASTER = "disaster", _("Disaster-prevention meeting item (防災會報列管事項)")


# Kinds whose monthly reports carry planned/actual percentages and money.
PROGRESS_KINDS = frozenset({Kind.MAJOR, Kind.WORKS, Kind.GRANT, Kind.BASIC_GRANT})
GRANT_KINDS = frozenset({Kind.GRANT, Kind.BASIC_GRANT})
DIRECTIVE_KINDS = frozenset({Kind.MEETING, Kind.MAYOR})
LOCATED_KINDS = frozenset({Kind.MAJOR, Kind.WORKS, Kind.GRANT, Kind.BASIC_GRANT})


class Rules(models.Model):
    """The city's control rules: one row, edited by an administrator or 管考 officer.

    Defaults and where they come from:
    - report_due_day 5: the plan's own rule, monthly reports by the 5th of the next month
      (PCMS asks for the 10th; GPMnet for the 10th as well).
    - review_workdays 7: the city's rule for a head's approval.
    - serious_gap 10 points: 金門縣 inspects works 10% or more behind first; there is no
      national definition of 嚴重落後.
    - money_share 0.80: 基本設施補助款 rules ask for a reason under 80% budget execution.
    - city_min_budget NT$5,000,000 and city_kinds (every central grant, every directive):
      the city's rule for 府列管.
    """

    report_due_day = models.PositiveSmallIntegerField(
        _("monthly report due day of the next month"),
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(28)],
    )
    review_workdays = models.PositiveSmallIntegerField(
        _("working days for the head's review"), default=7
    )
    remind_workdays = models.PositiveSmallIntegerField(
        _("working days before the due day to remind"), default=3
    )
    escalate_workdays = models.PositiveSmallIntegerField(
        _("working days overdue before escalating to the head"), default=3
    )
    serious_gap = models.DecimalField(
        _("seriously behind from (percentage points)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal(10),
    )
    money_share = models.DecimalField(
        _("behind on money under (share of planned spending)"),
        max_digits=4,
        decimal_places=3,
        default=Decimal("0.8"),
    )
    city_min_budget = models.BigIntegerField(
        _("city-controlled from a total budget of (NT$)"), default=5_000_000
    )
    city_kinds = models.JSONField(
        _("kinds always city-controlled"),
        default=list,
        help_text=_("Every centrally funded project and every directive by default."),
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("control rules")

    def __str__(self) -> str:
        return str(_("control rules"))

    DEFAULT_CITY_KINDS = [Kind.GRANT, Kind.BASIC_GRANT, Kind.MEETING, Kind.MAYOR]

    @classmethod
    def current(cls) -> "Rules":
        rules, _created = cls.objects.get_or_create(
            pk=1, defaults={"city_kinds": [str(k) for k in cls.DEFAULT_CITY_KINDS]}
        )
        return rules

    def must_be_city_controlled(self, kind: str, budget_total: int | None) -> bool:
        return kind in self.city_kinds or (budget_total or 0) >= self.city_min_budget


class Tag(models.Model):
    """A word that groups controlled cases across kinds and departments (資安防護 …), so a
    KPI can count the milestones of the cases that carry it."""

    name = models.CharField(_("tag"), max_length=30, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("tag")

    def __str__(self) -> str:
        return self.name


class Item(models.Model):
    class Level(models.TextChoices):
        CITY = "city", _("City-controlled (府列管)")
        SELF = "self", _("Self-controlled (自行列管)")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Under control (列管中)")
        RELEASE_REQUESTED = "release_requested", _("Release requested (申請解除列管)")
        RETURNED = "returned", _("Release returned (退回)")
        RELEASED = "released", _("Released (解除列管)")

    class Lag(models.TextChoices):
        NONE = "none", _("No report yet")
        ON_TIME = "on_time", _("On schedule")
        BEHIND = "behind", _("Behind (落後)")
        SERIOUS = "serious", _("Seriously behind (嚴重落後)")

    class Risk(models.TextChoices):
        LOW = "low", _("Low")
        MEDIUM = "medium", _("Medium")
        HIGH = "high", _("High")

    number = models.CharField(_("number"), max_length=40, unique=True)
    title = models.CharField(_("title"), max_length=300)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    lead = models.ForeignKey(
        Department,
        verbose_name=_("lead department (主辦)"),
        on_delete=models.PROTECT,
        related_name="led_items",
    )
    tags = models.ManyToManyField(Tag, verbose_name=_("tags"), blank=True, related_name="items")
    co_departments = models.ManyToManyField(
        Department, verbose_name=_("co-departments (協辦)"), blank=True, related_name="co_items"
    )
    level = models.CharField(_("control level"), max_length=10, choices=Level.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.ACTIVE
    )
    description = models.TextField(_("description"), blank=True)
    budget_total = models.BigIntegerField(_("total budget (NT$)"), null=True, blank=True)
    budget_year = models.BigIntegerField(_("this year's allocation (NT$)"), null=True, blank=True)
    start_date = models.DateField(_("start date"), null=True, blank=True)
    finish_date = models.DateField(_("planned finish date"), null=True, blank=True)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    # Public works
    tender_number = models.CharField(_("tender number"), max_length=60, blank=True, db_index=True)
    contractor = models.CharField(_("contractor"), max_length=200, blank=True)
    contract_sum = models.BigIntegerField(_("contract sum (NT$)"), null=True, blank=True)
    site_address = models.CharField(_("site address"), max_length=300, blank=True)
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    # Central grants
    grant_source = models.CharField(_("grant source"), max_length=200, blank=True)
    grant_amount = models.BigIntegerField(_("grant amount (NT$)"), null=True, blank=True)
    matching_funds = models.BigIntegerField(_("matching funds (NT$)"), null=True, blank=True)
    # Where a directive came from (a meeting decision), if anywhere.
    origin = models.ForeignKey(
        "Decision", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Release from control
    release_result = models.TextField(_("result"), blank=True)
    release_note = models.TextField(_("officer's note"), blank=True)
    released_at = models.DateTimeField(_("released at"), null=True, blank=True)
    completed_on = models.DateField(_("completion or acceptance date"), null=True, blank=True)
    release_exception = models.TextField(_("reason to release without full evidence"), blank=True)
    # The approved schedule that monthly reports take their planned figures from.
    baseline = models.ForeignKey(
        "Baseline", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Computed from the reports by services.refresh (never typed).
    lag = models.CharField(max_length=10, choices=Lag.choices, default=Lag.NONE)
    money_behind = models.BooleanField(default=False)
    risk = models.CharField(max_length=10, choices=Risk.choices, default=Risk.LOW)
    last_year = models.PositiveSmallIntegerField(null=True, blank=True)
    last_month = models.PositiveSmallIntegerField(null=True, blank=True)
    last_planned = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    last_actual = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    last_spent = models.BigIntegerField(null=True, blank=True)
    last_money_planned = models.BigIntegerField(null=True, blank=True)
    forecast_finish = models.DateField(null=True, blank=True)
    forecast_method = models.CharField(max_length=15, blank=True)
    forecast_late = models.BooleanField(default=False)
    report_overdue = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["number"]
        verbose_name = _("controlled case")
        verbose_name_plural = _("controlled cases")
        indexes = [
            models.Index(fields=["status", "lag"]),
            models.Index(fields=["lead", "status"]),
            models.Index(fields=["kind", "status"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(latitude__gte=-90, latitude__lte=90, longitude__gte=-180, longitude__lte=180),
                name="item_coordinates_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def reports_progress(self) -> bool:
        return self.kind in PROGRESS_KINDS

    @property
    def is_open(self) -> bool:
        return self.status != self.Status.RELEASED

    @property
    def located(self) -> bool:
        return self.latitude is not None and self.longitude is not None


class Baseline(models.Model):
    """An item's planned schedule (預定進度 and planned spending by month), with its
    finish date and total budget. Revision 0 is the original; each later one is a
    修正計畫 with its reason. Proposed by the department or the officer, approved by the
    管考 officer; every revision is kept."""

    class State(models.TextChoices):
        PROPOSED = "proposed", _("Awaiting the officer's approval")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        SUPERSEDED = "superseded", _("Superseded by a later revision")

    class Source(models.TextChoices):
        TYPED = "typed", _("Typed month by month")
        CURVE = "curve", _("S-curve between start and finish")
        IMPORT = "import", _("Imported with the PCMS data")

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="baselines")
    revision = models.PositiveSmallIntegerField(default=0)
    state = models.CharField(max_length=12, choices=State.choices, default=State.PROPOSED)
    source = models.CharField(max_length=10, choices=Source.choices)
    reason = models.TextField(_("reason for the revision"), blank=True)
    start_date = models.DateField(_("start date"))
    finish_date = models.DateField(_("planned finish date"))
    budget_total = models.BigIntegerField(_("total budget (NT$)"), null=True, blank=True)
    # [[year, month, "planned %", planned spending to date or null], ...] oldest first.
    months = models.JSONField(default=list)
    proposed_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(_("officer's note"), blank=True)

    class Meta:
        ordering = ["item", "revision"]
        verbose_name = _("baseline schedule")
        constraints = [
            models.UniqueConstraint(fields=["item", "revision"], name="baseline_revision_unique"),
            models.UniqueConstraint(
                fields=["item"], condition=Q(state="proposed"), name="baseline_one_proposed"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item_id} r{self.revision}"

    def planned_for(self, year: int, month: int) -> tuple[Decimal, int | None]:
        """The planned % and planned spending to date for a month: 0 before the first
        month of the schedule, the last month's figures after its last."""
        figure, money = Decimal(0), 0 if self.budget_total is not None else None
        for y, m, planned, spend in self.months:
            if (y, m) > (year, month):
                break
            figure, money = Decimal(planned), spend
        return figure, money


class LagCategory(models.Model):
    """A kind of lag reason (落後原因), PCMS-style; the 管考 officer edits the list."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=60)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    active = models.BooleanField(_("in use"), default=True)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("lag reason category")

    def __str__(self) -> str:
        return self.name


class Milestone(models.Model):
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("milestone"), max_length=200)
    due = models.DateField(_("due date"))
    done_on = models.DateField(_("done on"), null=True, blank=True)
    late_reason = models.TextField(_("why it is late"), blank=True)
    expected_on = models.DateField(_("now expected on"), null=True, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["item", "due", "order", "pk"]
        verbose_name = _("milestone")

    def __str__(self) -> str:
        return self.title


class Report(models.Model):
    """The month's progress report (進度填報). A returned report is filed again as a new
    revision; the returned one stays as it was."""

    class State(models.TextChoices):
        SUBMITTED = "submitted", _("Awaiting approval")
        APPROVED = "approved", _("Approved")
        RETURNED = "returned", _("Returned")
        REFUSED = "refused", _("Refused as late")

    class Handling(models.TextChoices):
        IN_PROGRESS = "in_progress", _("In progress (辦理中)")
        DONE = "done", _("Done (已辦結)")
        CONTINUING = "continuing", _("Continuing (持續辦理)")

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="reports")
    year = models.PositiveSmallIntegerField(_("year"))
    month = models.PositiveSmallIntegerField(
        _("month"), validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    revision = models.PositiveSmallIntegerField(default=1)
    state = models.CharField(max_length=10, choices=State.choices, default=State.SUBMITTED)
    planned = models.DecimalField(
        _("planned progress (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    actual = models.DecimalField(
        _("actual progress (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    money_planned = models.BigIntegerField(
        _("planned spending to date (NT$)"), null=True, blank=True
    )
    money_spent = models.BigIntegerField(_("money spent to date (NT$)"), null=True, blank=True)
    work_done = models.TextField(_("what was done"), blank=True)
    problems = models.TextField(_("problems encountered (遭遇困難)"), blank=True)
    countermeasures = models.TextField(_("countermeasures (因應對策)"), blank=True)
    lag_reason = models.TextField(_("lag reason (落後原因)"), blank=True)
    lag_categories = models.ManyToManyField(
        LagCategory, verbose_name=_("lag reason categories"), blank=True, related_name="reports"
    )
    correction_reason = models.TextField(_("correction reason"), blank=True)
    # The baseline the planned figures came from, and what an import said when it differed.
    baseline = models.ForeignKey(
        Baseline, null=True, blank=True, on_delete=models.PROTECT, related_name="reports"
    )
    imported_planned = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    handling = models.CharField(
        _("handling status"), max_length=15, choices=Handling.choices, blank=True
    )
    result = models.TextField(_("handling result"), blank=True)
    behind = models.BooleanField(default=False)
    seriously_behind = models.BooleanField(default=False)
    money_behind = models.BooleanField(default=False)
    due_on = models.DateField(_("due on"))
    late = models.BooleanField(_("late"), default=False)
    filed_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    filed_at = models.DateTimeField(default=timezone.now)
    review_due = models.DateField(_("review due on"))
    reviewed_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.TextField(_("review note"), blank=True)

    class Meta:
        ordering = ["item", "year", "month", "revision"]
        verbose_name = _("monthly report")
        constraints = [
            models.UniqueConstraint(
                fields=["item", "year", "month", "revision"], name="report_revision_unique"
            ),
            # At most one live (awaiting or approved) report per item and month.
            models.UniqueConstraint(
                fields=["item", "year", "month"],
                condition=Q(state__in=["submitted", "approved"]),
                name="report_one_live_per_month",
            ),
            models.CheckConstraint(
                condition=Q(planned__isnull=True) | Q(planned__gte=0, planned__lte=100),
                name="report_planned_percent",
            ),
            models.CheckConstraint(
                condition=Q(actual__isnull=True) | Q(actual__gte=0, actual__lte=100),
                name="report_actual_percent",
            ),
        ]
        indexes = [
            models.Index(fields=["state", "review_due"]),
            # Who owes the month's report (the worker's sweep): by month, then item.
            models.Index(fields=["year", "month", "item"]),
        ]

    def __str__(self) -> str:
        return f"{self.item.number} {roc_year(self.year)}/{self.month:02d}"

    @property
    def live(self) -> bool:
        return self.state in (self.State.SUBMITTED, self.State.APPROVED)


class Chase(models.Model):
    """A chasing notice (稽催) sent by the worker. The unique key is the claim: a second
    worker or a rerun cannot send the same notice twice."""

    class Kind(models.TextChoices):
        SOON = "soon", _("Reminder before the due day")
        DUE = "due", _("Due today")
        OVERDUE = "overdue", _("Overdue")
        ESCALATED = "escalated", _("Escalated to the head")
        REVIEW = "review", _("Approval overdue")

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="chases")
    year = models.PositiveSmallIntegerField()
    month = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=10, choices=Kind.choices)
    sent_at = models.DateTimeField(default=timezone.now)
    recipients = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["-sent_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["item", "year", "month", "kind"], name="chase_once_per_kind"
            )
        ]

    def __str__(self) -> str:
        return f"{self.item_id} {self.year}/{self.month} {self.kind}"


class Meeting(models.Model):
    """The monthly control meeting (工程進度控管會報 / 市務會議 follow-up)."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        HELD = "held", _("Held (minutes closed)")

    year = models.PositiveSmallIntegerField(_("year"))
    month = models.PositiveSmallIntegerField(
        _("month"), validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    title = models.CharField(_("title"), max_length=200)
    held_on = models.DateField(_("held on"))
    chair = models.CharField(_("chair"), max_length=100, blank=True)
    minutes = models.TextField(_("minutes"), blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    opened_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-year", "-month"]
        verbose_name = _("control meeting")
        constraints = [
            models.UniqueConstraint(fields=["year", "month"], name="meeting_once_a_month")
        ]

    def __str__(self) -> str:
        return self.title


class AgendaEntry(models.Model):
    class Reason(models.TextChoices):
        SERIOUS = "serious", _("Seriously behind")
        AT_RISK = "at_risk", _("At risk")
        OVERDUE = "overdue", _("Report overdue")
        RELEASE = "release", _("Asks to be released")
        MILESTONE = "milestone", _("Milestone overdue")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="agenda_entries")
    reason = models.CharField(_("reason"), max_length=10, choices=Reason.choices)
    order = models.PositiveIntegerField(default=0)
    # What the item looked like when the agenda was made (kept for the minutes).
    lag = models.CharField(max_length=10, choices=Item.Lag.choices, default=Item.Lag.NONE)
    planned = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    actual = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    reasons = models.TextField(_("lag reason (落後原因)"), blank=True)
    countermeasures = models.TextField(_("countermeasures (因應對策)"), blank=True)
    milestones_overdue = models.PositiveSmallIntegerField(default=0)
    last_decision = models.TextField(_("last decision"), blank=True)
    act_by = models.CharField(_("who must act"), max_length=200, blank=True)

    class Meta:
        ordering = ["meeting", "order", "pk"]
        constraints = [models.UniqueConstraint(fields=["meeting", "item"], name="agenda_item_once")]

    def __str__(self) -> str:
        return f"{self.meeting_id}: {self.item_id}"


class Decision(models.Model):
    """A decision (決議) of a meeting; it becomes a directive item assigned to a department."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="decisions")
    entry = models.ForeignKey(
        AgendaEntry, null=True, blank=True, on_delete=models.SET_NULL, related_name="decisions"
    )
    text = models.TextField(_("decision"))
    department = models.ForeignKey(
        Department, verbose_name=_("assigned to"), on_delete=models.PROTECT, related_name="+"
    )
    due = models.DateField(_("due date"))
    directive = models.ForeignKey(
        Item, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["meeting", "pk"]
        verbose_name = _("decision")

    def __str__(self) -> str:
        return self.text[:50]
