"""Writes that keep the petitions desk in order: knowledge entries (the owning department's
liaisons and the officer), categories, the clock's rules, the service-check rubric and the
checks themselves (the 管考 officer). Each checks permission, validates every field by
name and writes the audit entry."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from guankao.core import audit, validation
from guankao.core.access import staff_in
from guankao.core.errors import ServiceError
from guankao.core.models import AuditEntry, Department, Role
from guankao.petitions import access
from guankao.petitions.models import Category, Knowledge, RubricItem, Rules, ServiceCheck

A = AuditEntry.Action
CATEGORY_FIELDS = [
    "code",
    "name",
    "parent_id",
    "department_id",
    "reply_workdays",
    "dispatch",
    "field_work_limit",
    "field_work_unit",
    "public",
    "keywords",
    "active",
]
RULE_FIELDS = [
    "reply_workdays",
    "reply_workdays_shared",
    "max_days",
    "reroute_workdays",
    "reroute_site_visit_workdays",
    "extensions",
    "survey_days",
    "remind_workdays",
    "escalate_workdays",
]


def may_keep_knowledge(user, department) -> bool:
    return access.manages(user) or staff_in(user, department, Role.LIAISON)


def _department(value) -> Department:
    department = (
        value
        if isinstance(value, Department)
        else (Department.objects.filter(code=str(value or "")[:40], active=True).first())
    )
    if department is None:
        raise ServiceError.field("department", _("is not a department"))
    return department


def _number(field, value, low, high, required=True):
    if value in (None, ""):
        if required:
            raise ServiceError.field(field, _("is required"))
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ServiceError.field(field, _("must be a whole number")) from None
    if not low <= number <= high:
        raise ServiceError.field(field, _("must be from %(a)d to %(b)d") % {"a": low, "b": high})
    return number


@transaction.atomic
def knowledge_save(
    *,
    actor,
    entry: Knowledge | None = None,
    department,
    question,
    answer,
    keywords="",
    category=None,
    active=True,
) -> Knowledge:
    department = _department(department)
    validation.require(may_keep_knowledge(actor, department))
    if entry is not None:
        validation.require(may_keep_knowledge(actor, entry.department))
    before = audit.snapshot(entry, ["question", "answer", "keywords", "active"]) if entry else {}
    entry = entry or Knowledge(updated_by=actor, department=department)
    entry.department = department
    entry.question = validation.text("question", question, 300)
    entry.answer = validation.text("answer", answer, 5000)
    entry.keywords = validation.text("keywords", keywords, 300, required=False)
    entry.category = category if isinstance(category, Category) else None
    entry.active, entry.updated_by, entry.updated_at = bool(active), actor, timezone.now()
    entry.save()
    after = audit.snapshot(entry, ["question", "answer", "keywords", "active"])
    action = A.UPDATE if before else A.CREATE
    audit.record(
        actor=actor,
        action=action,
        obj=entry,
        changes=audit.diff(before, after),
        department=department,
    )
    return entry


@transaction.atomic
def category_save(*, actor, category: Category | None = None, **data) -> Category:
    validation.require(access.manages(actor))
    before = audit.snapshot(category, CATEGORY_FIELDS) if category else {}
    category = category or Category()
    code = validation.text("code", data.get("code"), 40)
    if Category.objects.filter(code=code).exclude(pk=category.pk).exists():
        raise ServiceError.field("code", _("is already used by another category"))
    parent = data.get("parent")
    if parent is not None and category.pk and parent.path.startswith(category.path or "-"):
        raise ServiceError.field("parent", _("cannot be the category itself or one under it"))
    category.code, category.parent = code, parent
    category.name = validation.text("name", data.get("name"), 100)
    department = data.get("department")
    category.department = _department(department) if department else None
    category.reply_workdays = _number("reply_workdays", data.get("reply_workdays"), 1, 30, False)
    category.dispatch = bool(data.get("dispatch"))
    category.field_work_limit = _number(
        "field_work_limit", data.get("field_work_limit"), 1, 720, category.dispatch
    )
    unit = data.get("field_work_unit") or ""
    if category.dispatch:
        unit = validation.choice("field_work_unit", unit, Category.Unit)
    category.field_work_unit = unit
    category.public = bool(data.get("public"))
    category.keywords = validation.text("keywords", data.get("keywords"), 300, required=False)
    category.active = bool(data.get("active", True))
    category.path = category.path or "-"
    category.save()
    category.path = f"{parent.path if parent else '/'}{category.pk}/"
    category.save(update_fields=["path"])
    after = audit.snapshot(category, CATEGORY_FIELDS)
    audit.record(
        actor=actor,
        action=A.UPDATE if before else A.CREATE,
        obj=category,
        changes=audit.diff(before, after),
    )
    return category


@transaction.atomic
def rules_save(*, actor, **values) -> Rules:
    validation.require(access.manages(actor))
    rules = Rules.current()
    before = audit.snapshot(rules, RULE_FIELDS)
    for field in RULE_FIELDS:
        high = 90 if field == "max_days" else 30
        setattr(
            rules, field, _number(field, values.get(field), 0 if field == "extensions" else 1, high)
        )
    if rules.reply_workdays_shared < rules.reply_workdays:
        raise ServiceError.field(
            "reply_workdays_shared", _("cannot be fewer than the days for one department")
        )
    rules.updated_at = timezone.now()
    rules.save()
    audit.record(
        actor=actor,
        action=A.UPDATE,
        obj=rules,
        changes=audit.diff(before, audit.snapshot(rules, RULE_FIELDS)),
    )
    return rules


@transaction.atomic
def rubric_item_save(
    *, actor, item: RubricItem | None = None, name, points, order=0, active=True
) -> RubricItem:
    validation.require(access.manages(actor))
    before = audit.snapshot(item, ["name", "points", "active"]) if item else {}
    item = item or RubricItem()
    item.name = validation.text("name", name, 200)
    item.points = _number("points", points, 1, 100)
    item.order = _number("order", order, 0, 999, False) or 0
    item.active = bool(active)
    item.save()
    audit.record(
        actor=actor,
        action=A.UPDATE if before else A.CREATE,
        obj=item,
        changes=audit.diff(before, audit.snapshot(item, ["name", "points", "active"])),
    )
    return item


@transaction.atomic
def check_record(*, actor, department, checked_on, kind, scores: dict, note="") -> ServiceCheck:
    """A service check scored on each active rubric item (0 up to the item's points)."""
    validation.require(access.manages(actor))
    department = _department(department)
    day = validation.date_value("checked_on", checked_on)
    if day is None:
        raise ServiceError.field("checked_on", _("is required"))
    if day > timezone.localdate():
        raise ServiceError.field("checked_on", _("cannot be in the future"))
    items = list(RubricItem.objects.filter(active=True))
    if not items:
        raise ServiceError.field("scores", _("the rubric has no criteria yet"))
    given = {}
    for item in items:
        given[str(item.pk)] = _number(f"score_{item.pk}", scores.get(str(item.pk)), 0, item.points)
    check = ServiceCheck.objects.create(
        department=department,
        checked_on=day,
        kind=validation.text("kind", kind, 100),
        scores=given,
        score=sum(given.values()),
        out_of=sum(i.points for i in items),
        note=validation.text("note", note, 2000, required=False),
        checked_by=actor,
    )
    audit.record(
        actor=actor,
        action=A.CREATE,
        obj=check,
        department=department,
        note=f"{check.score}/{check.out_of}",
    )
    return check
