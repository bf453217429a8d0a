"""The citizen service centre's desk records beside the cases: the knowledge base, the
officer's service checks and the smart dispatch's choices. Imported by models.py, so that
Django registers them with the app."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from guankao.core.models import Department
from guankao.petitions.models import USER, Case, Category


class Knowledge(models.Model):
    """知識庫: a question and its answer, kept by the owning department's liaison."""

    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    question = models.CharField(_("question"), max_length=300)
    answer = models.TextField(_("answer"))
    keywords = models.CharField(_("keywords"), max_length=300, blank=True)
    active = models.BooleanField(_("in use"), default=True)
    updated_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["department__path", "question"]
        verbose_name = _("knowledge entry")

    def __str__(self) -> str:
        return self.question


class RubricItem(models.Model):
    """One line of the officer's rubric for service checks (電話禮貌測試)."""

    name = models.CharField(_("criterion"), max_length=200)
    points = models.PositiveSmallIntegerField(_("points"))
    order = models.PositiveSmallIntegerField(default=0)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.name


class ServiceCheck(models.Model):
    """為民服務平時考核: a periodic check of a department (e.g. a phone courtesy test)."""

    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    checked_on = models.DateField(_("date"))
    kind = models.CharField(_("kind of check"), max_length=100)
    # {rubric item id: points given}, and the total out of the rubric's points then.
    scores = models.JSONField(default=dict)
    score = models.PositiveSmallIntegerField(_("score"))
    out_of = models.PositiveSmallIntegerField(_("out of"))
    note = models.TextField(_("note"), blank=True)
    checked_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-checked_on", "department__path"]

    def __str__(self) -> str:
        return f"{self.department_id} {self.checked_on}: {self.score}/{self.out_of}"


class DispatchChoice(models.Model):
    """What the smart dispatch suggested for a case (worked out again from the case as filed
    or assigned) beside what the person chose: the share of suggestions taken, counted."""

    class Stage(models.TextChoices):
        INTAKE = "intake", _("Filed")
        ASSIGN = "assign", _("Assigned")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="dispatch_choices")
    stage = models.CharField(max_length=10, choices=Stage.choices)
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    # Whether the page showed the suggestions while the case was typed.
    shown = models.BooleanField(default=False)
    model_version = models.CharField(max_length=40)
    suggested_category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    suggested_department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    score = models.DecimalField(max_digits=4, decimal_places=3, null=True, blank=True)
    chosen_category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="+")
    chosen_department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    # None: there was no suggestion to take.
    category_taken = models.BooleanField(null=True)
    department_taken = models.BooleanField(null=True)
    # The possible duplicate the call-taker chose 併案 with on the intake screen (merged at
    # once by an officer; otherwise offered first on the officer's assign page).
    duplicate_of = models.ForeignKey(
        Case,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("possible duplicate of"),
    )

    class Meta:
        ordering = ["-at"]
        indexes = [models.Index(fields=["stage", "at"], name="dispatch_choice_at")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.stage} {self.category_taken}"
