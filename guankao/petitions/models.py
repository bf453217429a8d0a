"""Citizen petitions (陳情案件): the 1999 line, the mayor's mailbox, transfers from the
Presidential Office and Executive Yuan mailboxes, letters, walk-ins and Open311 reports.

A `Case` is received on a channel, gets the city's number (ROC date and a daily sequence),
is assigned to the department that owns its category, answered by a reply the head
approves (where the department requires it), and followed by a satisfaction survey.
Every department that held the case has an `Assignment` (its own time); re-routing
(改分) and extensions (展延) are requests the 管考 officer decides; the reply deadline
is worked out by `deadlines.py` from the `Rules` below, never typed.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from guankao.core.models import Department

USER = settings.AUTH_USER_MODEL


class Rules(models.Model):
    """The petition clock: one row, edited by an administrator. Defaults and sources:

    - reply_workdays 6 / reply_workdays_shared 10: New Taipei's and Taipei's practice,
      counted from the working day after receipt (行政院 人民陳情案件處理要點 sets no
      number below its 30-day cap; the cities do).
    - max_days 30: 人民陳情案件處理要點, no case over 30 calendar days including extensions.
    - reroute_workdays 1 / reroute_site_visit_workdays 2: Taipei, a wrongly assigned case
      goes back by the next working day, 2 when a site visit is needed.
    - extensions 1: one extension a case, with a reason and the officer's approval.
    - survey_days 7: New Taipei, the satisfaction survey is answered within 7 days.
    - remind_workdays 1 / escalate_workdays 1: the city's chasing, a reminder the working
      day before the deadline and escalation to the head the working day after it.
    """

    reply_workdays = models.PositiveSmallIntegerField(
        _("working days to reply (one department)"), default=6
    )
    reply_workdays_shared = models.PositiveSmallIntegerField(
        _("working days to reply (several departments)"), default=10
    )
    max_days = models.PositiveSmallIntegerField(
        _("calendar days at most, extensions included"), default=30
    )
    reroute_workdays = models.PositiveSmallIntegerField(
        _("working days to ask for re-routing"), default=1
    )
    reroute_site_visit_workdays = models.PositiveSmallIntegerField(
        _("working days to ask for re-routing after a site visit"), default=2
    )
    extensions = models.PositiveSmallIntegerField(_("extensions allowed a case"), default=1)
    survey_days = models.PositiveSmallIntegerField(_("days to answer the survey"), default=7)
    remind_workdays = models.PositiveSmallIntegerField(
        _("working days before the deadline to remind"), default=1
    )
    escalate_workdays = models.PositiveSmallIntegerField(
        _("working days overdue before escalating to the head"), default=1
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("petition rules")

    def __str__(self) -> str:
        return str(_("petition rules"))

    @classmethod
    def current(cls) -> "Rules":
        rules, _created = cls.objects.get_or_create(pk=1)
        return rules


class DepartmentRule(models.Model):
    """A department's own way of answering: most have the head approve each reply, some
    let the liaison reply directly."""

    department = models.OneToOneField(
        Department, on_delete=models.CASCADE, related_name="petition_rule"
    )
    reply_needs_approval = models.BooleanField(_("replies need the head's approval"), default=True)

    def __str__(self) -> str:
        return f"{self.department_id}: {self.reply_needs_approval}"

    @classmethod
    def needs_approval(cls, department) -> bool:
        rule = cls.objects.filter(department=department).first()
        return True if rule is None else rule.reply_needs_approval


class Category(models.Model):
    """案件類別, a tree (道路養護 › 道路坑洞). A leaf names its owning department and, for
    street problems sent out for work (派工), the field-work deadline."""

    class Unit(models.TextChoices):
        HOURS = "hours", _("hours")
        WORKDAYS = "workdays", _("working days")

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    path = models.CharField(max_length=255, db_index=True, editable=False)
    department = models.ForeignKey(
        Department,
        verbose_name=_("owning department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reply_workdays = models.PositiveSmallIntegerField(
        _("working days to reply"),
        null=True,
        blank=True,
        help_text=_("Empty: the city's rule."),
    )
    dispatch = models.BooleanField(_("sent out for field work (派工)"), default=False)
    field_work_limit = models.PositiveSmallIntegerField(
        _("field-work deadline"), null=True, blank=True
    )
    field_work_unit = models.CharField(
        _("field-work deadline unit"), max_length=10, choices=Unit.choices, blank=True
    )
    public = models.BooleanField(_("citizens may report it online"), default=False)
    keywords = models.CharField(_("keywords"), max_length=300, blank=True)
    description = models.CharField(_("description"), max_length=300, blank=True)
    active = models.BooleanField(_("in use"), default=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["path"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return self.name


class Channel(models.TextChoices):
    PHONE = "phone", _("Citizen service line (1999)")
    WALK_IN = "walk_in", _("Walk-in")
    MAYOR_MAILBOX = "mayor_mailbox", _("Mayor's mailbox (市長信箱)")
    EMAIL = "email", _("E-mail")
    LETTER = "letter", _("Letter")
    PRESIDENT = "president", _("Presidential Office mailbox (總統府信箱轉)")
    EXECUTIVE_YUAN = "executive_yuan", _("Executive Yuan mailbox (行政院長信箱轉)")
    AGENCY = "agency", _("Transferred by another agency")
    COUNCIL = "council", _("Council member's office")
    OPEN311 = "open311", _("Online report (Open311)")
    WEB = "web", _("Web petition (網路陳情)")


TRANSFER_CHANNELS = frozenset({Channel.PRESIDENT, Channel.EXECUTIVE_YUAN, Channel.AGENCY})


class Case(models.Model):
    class Kind(models.TextChoices):
        CONSULTATION = "consultation", _("Consultation (諮詢)")
        PETITION = "petition", _("Petition (陳情)")
        DISPATCH = "dispatch", _("Field work (派工)")

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        ASSIGNED = "assigned", _("Assigned")
        DRAFTED = "drafted", _("Reply awaiting approval")
        REPLIED = "replied", _("Replied")
        NOT_PROCESSED = "not_processed", _("Not processed (行政程序法 §173)")
        MERGED = "merged", _("Merged into another case")
        ANSWERED = "answered", _("Answered on the spot")

    class Rule173(models.TextChoices):
        NO_CONTENT = "no_content", _("No concrete content, or no real name or contact")
        REPEAT = "repeat", _("A repeat of a petition already answered")
        SEVERAL = "several", _("Sent to several agencies; answered by the competent one")

    number = models.CharField(_("case number"), max_length=20, unique=True)
    kind = models.CharField(_("kind"), max_length=15, choices=Kind.choices)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    status = models.CharField(
        _("status"), max_length=15, choices=Status.choices, default=Status.RECEIVED
    )
    received_at = models.DateTimeField(_("received"), default=timezone.now)
    # A transferred case keeps its sender's number and deadline.
    source_number = models.CharField(_("sender's number"), max_length=60, blank=True)
    source_due = models.DateField(_("sender's deadline"), null=True, blank=True)
    # The petitioner: personal data, masked unless the reader handles the case.
    name = models.CharField(_("petitioner"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True, db_index=True)
    email = models.EmailField(_("e-mail"), blank=True)
    address = models.CharField(_("contact address"), max_length=200, blank=True)
    anonymous = models.BooleanField(_("anonymous"), default=False)
    confidential = models.BooleanField(_("confidential (密件)"), default=False)
    subject = models.CharField(_("subject"), max_length=200)
    text = models.TextField(_("what the petitioner says"))
    # Where the problem is (not the petitioner's address).
    location = models.CharField(_("place"), max_length=200, blank=True)
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.PROTECT, related_name="cases"
    )
    lead = models.ForeignKey(
        Department,
        verbose_name=_("handling department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    co_departments = models.ManyToManyField(
        Department, verbose_name=_("co-operating departments"), blank=True, related_name="+"
    )
    handler = models.ForeignKey(
        USER,
        verbose_name=_("handler"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    due_date = models.DateField(_("reply due"), null=True, blank=True)
    field_due_at = models.DateTimeField(_("field work due"), null=True, blank=True)
    field_done_at = models.DateTimeField(_("field work done"), null=True, blank=True)
    extensions = models.PositiveSmallIntegerField(default=0)
    reopened = models.PositiveSmallIntegerField(default=0)
    overdue = models.BooleanField(default=False)
    rule_173 = models.CharField(
        _("reason not processed"), max_length=15, choices=Rule173.choices, blank=True
    )
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged_cases"
    )
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    # Working days from receipt to the reply, set when the reply goes out (for averages).
    workdays_taken = models.PositiveSmallIntegerField(null=True, blank=True)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["lead", "status", "-received_at"], name="case_inbox"),
            models.Index(fields=["status", "due_date"], name="case_due"),
            models.Index(fields=["received_at"], name="case_received"),
            # The few open cases among a million: the overview's live part.
            models.Index(
                fields=["received_at"],
                condition=Q(status__in=("received", "assigned", "drafted")),
                name="case_open",
            ),
            # The few merged cases: SQLite's statistics count the NULLs of the plain
            # foreign-key index as one value and then scan the table instead.
            models.Index(
                fields=["merged_into"], condition=Q(merged_into__isnull=False), name="case_merged"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(latitude__isnull=False, longitude__isnull=False),
                name="case_coordinates_together",
            )
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.subject}"

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.RECEIVED, self.Status.ASSIGNED, self.Status.DRAFTED)


OPEN_STATUSES = (Case.Status.RECEIVED, Case.Status.ASSIGNED, Case.Status.DRAFTED)


class Figure(models.Model):
    """The closed cases of one month of receipt, lead department, category, channel and
    confidentiality, counted: the overview adds the few open cases live. Kept exact by
    `petitions.figures.recount` whenever a case closes, reopens or has its survey answered;
    `guankao petitions-figures --check` compares it with the cases."""

    key = models.CharField(max_length=80, unique=True)
    month = models.DateField()
    lead = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    category = models.ForeignKey(
        "Category", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    channel = models.CharField(max_length=20)
    confidential = models.BooleanField(default=False)
    closed = models.PositiveIntegerField(default=0)
    replied = models.PositiveIntegerField(default=0)
    on_time = models.PositiveIntegerField(default=0)
    workdays_sum = models.PositiveIntegerField(default=0)
    workdays_n = models.PositiveIntegerField(default=0)
    extended = models.PositiveIntegerField(default=0)
    rerouted = models.PositiveIntegerField(default=0)
    surveys = models.PositiveIntegerField(default=0)
    speed_sum = models.PositiveIntegerField(default=0)
    attitude_sum = models.PositiveIntegerField(default=0)
    result_sum = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["month"], name="figure_month")]

    def __str__(self) -> str:
        return self.key


class CaseCounter(models.Model):
    """The day's last case number: one row a day, bumped in the filing transaction."""

    day = models.DateField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.day}: {self.last}"


class Assignment(models.Model):
    """A department's hold of a case, from assignment to reply or re-routing."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="assignments")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    assigned_at = models.DateTimeField(default=timezone.now)
    assigned_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["case", "assigned_at"]
        # Ended assignments (re-routed cases) are a few percent: the overview counts them.
        indexes = [
            models.Index(
                fields=["case"], condition=Q(ended_at__isnull=False), name="assignment_ended"
            )
        ]

    def __str__(self) -> str:
        return f"{self.case_id} → {self.department_id}"


class Request(models.Model):
    """A department's request the 管考 officer decides: re-routing (改分) or extension (展延)."""

    class Kind(models.TextChoices):
        REROUTE = "reroute", _("Re-routing (改分)")
        EXTEND = "extend", _("Extension (展延)")

    class State(models.TextChoices):
        PENDING = "pending", _("Awaiting decision")
        APPROVED = "approved", _("Approved")
        REFUSED = "refused", _("Refused")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="requests")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("reason"))
    site_visit = models.BooleanField(_("after a site visit"), default=False)
    suggested = models.ForeignKey(
        Department,
        verbose_name=_("suggested department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    new_due = models.DateField(_("new deadline"), null=True, blank=True)
    requested_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(_("decision note"), max_length=500, blank=True)

    class Meta:
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "kind"], condition=Q(state="pending"), name="one_pending_request"
            )
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind} {self.state}"


class Reply(models.Model):
    """答復: drafted by the department, approved by its head where required, then sent."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Awaiting approval")
        RETURNED = "returned", _("Returned for changes")
        SENT = "sent", _("Sent")

    class Method(models.TextChoices):
        EMAIL = "email", _("E-mail")
        LETTER = "letter", _("Letter")
        PHONE = "phone", _("Phone")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="replies")
    text = models.TextField(_("reply"))
    # The part citizens may read in public (follow-up page, Open311 status_notes).
    public_text = models.TextField(_("public summary of the reply"), blank=True)
    method = models.CharField(_("sent by"), max_length=10, choices=Method.choices)
    state = models.CharField(max_length=10, choices=State.choices, default=State.DRAFT)
    drafted_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    drafted_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    return_reason = models.CharField(_("reason for returning"), max_length=500, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["case", "drafted_at"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.state}"


class Survey(models.Model):
    """滿意度調查: one a reply, answered once without signing in, within the rules' days."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="surveys")
    # The reply of the case itself, or of the case it was merged into.
    reply = models.ForeignKey(Reply, on_delete=models.CASCADE, related_name="surveys")
    token_hash = models.CharField(max_length=64, unique=True)
    sent_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    answered_at = models.DateTimeField(null=True, blank=True)
    speed = models.PositiveSmallIntegerField(_("speed"), null=True, blank=True)
    attitude = models.PositiveSmallIntegerField(_("attitude"), null=True, blank=True)
    result = models.PositiveSmallIntegerField(_("result"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        ordering = ["-sent_at"]

    def __str__(self) -> str:
        return f"{self.case_id} survey"

    @property
    def satisfied(self) -> bool | None:
        if self.answered_at is None:
            return None
        return min(self.speed, self.attitude, self.result) >= 3


class Event(models.Model):
    """A step on the case's timeline, in words the case page and the petitioner read."""

    class Kind(models.TextChoices):
        RECEIVED = "received", _("Received")
        ASSIGNED = "assigned", _("Assigned")
        REROUTE_ASKED = "reroute_asked", _("Re-routing asked")
        REROUTED = "rerouted", _("Re-routed")
        EXTENSION_ASKED = "extension_asked", _("Extension asked")
        EXTENDED = "extended", _("Deadline extended")
        REFUSED = "refused", _("Request refused")
        DRAFTED = "drafted", _("Reply drafted")
        RETURNED = "returned", _("Reply returned")
        REPLIED = "replied", _("Replied")
        FIELD_DONE = "field_done", _("Field work done")
        MERGED = "merged", _("Merged")
        NOT_PROCESSED = "not_processed", _("Closed without processing (§173)")
        ANSWERED = "answered", _("Answered on the spot")
        SURVEYED = "surveyed", _("Survey answered")
        REOPENED = "reopened", _("Reopened")
        CHASED = "chased", _("Reminder or escalation sent")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(blank=True)
    # Shown on the petitioner's follow-up page; internal steps are not.
    public = models.BooleanField(default=False)

    class Meta:
        ordering = ["case", "at", "id"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind}"


class Chase(models.Model):
    """A chasing step claimed once (INSERT … ON CONFLICT DO NOTHING), like tracking's."""

    class Step(models.TextChoices):
        REMIND = "remind", _("Reminder before the deadline")
        DUE = "due", _("Notice on the deadline")
        ESCALATE = "escalate", _("Escalated to the head")
        FIELD = "field", _("Field work overdue")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="chases")
    step = models.CharField(max_length=10, choices=Step.choices)
    due_date = models.DateField()
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "step", "due_date"], name="chase_once")
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.step} {self.due_date}"


# The desk's records (knowledge base, service checks, dispatch choices) and Open311 and the
# citizens' report pages; imported here so that Django registers them.
from guankao.petitions.models_desk import (  # noqa: E402, F401
    DispatchChoice,
    Knowledge,
    RubricItem,
    ServiceCheck,
)

# Open311 and the citizens' report pages; imported here so that Django registers them.
from guankao.petitions.models_public import (  # noqa: E402, F401
    ClientApp,
    ClientUse,
    DeferredRequest,
    PublicRequest,
    ServiceAttribute,
)
