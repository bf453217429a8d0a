"""The officer's category tree (案件類別): adding and changing a category.

A category's `path` follows its parent; moving a category under another re-paths its
subtree. A category that is its own ancestor is refused on `parent`.
"""

from django.db import transaction
from django.utils.translation import gettext as _

from guankao.core import audit, validation
from guankao.core.errors import ServiceError
from guankao.core.models import AuditEntry, Department
from guankao.petitions import access
from guankao.petitions.models import Category

FIELDS = (
    "name",
    "department",
    "reply_workdays",
    "dispatch",
    "field_work_limit",
    "field_work_unit",
    "public",
    "keywords",
    "description",
    "active",
)


def _parent(value, category: Category | None) -> Category | None:
    if value in (None, ""):
        return None
    parent = Category.objects.filter(code=validation.text("parent", value, 40)).first()
    if parent is None:
        raise ServiceError.field("parent", _("is not a category"))
    if category is not None and category.pk and parent.path.startswith(category.path):
        raise ServiceError.field("parent", _("cannot be the category itself or below it"))
    return parent


def _department(value) -> Department | None:
    if value in (None, ""):
        return None
    department = Department.objects.filter(
        code=validation.text("department", value, 40), active=True
    ).first()
    if department is None:
        raise ServiceError.field("department", _("%(c)s is not a department") % {"c": value})
    return department


def _small(field: str, value, low: int, high: int) -> int | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ServiceError.field(
            field, _("must be a whole number from %(a)d to %(b)d") % {"a": low, "b": high}
        )
    return value


def _apply(category: Category, data: dict) -> None:
    if "name" in data:
        category.name = validation.text("name", data["name"], 100)
    if "department" in data:
        category.department = _department(data["department"])
    if "reply_workdays" in data:
        category.reply_workdays = _small("reply_workdays", data["reply_workdays"], 1, 30)
    if "field_work_limit" in data:
        category.field_work_limit = _small("field_work_limit", data["field_work_limit"], 1, 720)
    if "field_work_unit" in data:
        unit = data["field_work_unit"] or ""
        category.field_work_unit = unit and validation.choice(
            "field_work_unit", unit, Category.Unit
        )
    for flag in ("dispatch", "public", "active"):
        if flag in data:
            setattr(category, flag, bool(data[flag]))
    for field, size in (("keywords", 300), ("description", 300)):
        if field in data:
            setattr(category, field, validation.text(field, data[field], size, required=False))
    if category.dispatch and not (category.field_work_limit and category.field_work_unit):
        raise ServiceError.field(
            "field_work_limit", _("a category sent out for field work needs its deadline")
        )


def _repath(category: Category, old: str) -> None:
    new = category.path
    for child in Category.objects.filter(path__startswith=old).exclude(pk=category.pk):
        child.path = new + child.path[len(old) :]
        child.save(update_fields=["path"])


@transaction.atomic
def category_create(*, actor, code: str, name: str, parent=None, **data) -> Category:
    validation.require(access.manages(actor))
    code = validation.text("code", code, 40)
    if Category.objects.filter(code=code).exists():
        raise ServiceError.field("code", _("another category has this code"))
    category = Category(code=code, parent=_parent(parent, None), path="")
    _apply(category, {"name": name, **data})
    category.save()
    category.path = f"{category.parent.path if category.parent else '/'}{category.pk}/"
    category.save(update_fields=["path"])
    audit.record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        obj=category,
        changes=audit.diff({}, audit.snapshot(category, ["code", *FIELDS])),
    )
    return category


@transaction.atomic
def category_update(*, actor, category: Category, **data) -> Category:
    """Only the fields given change; `parent` moves the category with its subtree."""
    validation.require(access.manages(actor))
    category = Category.objects.select_for_update().get(pk=category.pk)
    before = audit.snapshot(category, [*FIELDS, "parent"])
    _apply(category, data)
    old = category.path
    if "parent" in data:
        category.parent = _parent(data["parent"], category)
        category.path = f"{category.parent.path if category.parent else '/'}{category.pk}/"
    category.save()
    if category.path != old:
        _repath(category, old)
    changes = audit.diff(before, audit.snapshot(category, [*FIELDS, "parent"]))
    if changes:
        audit.record(actor=actor, action=AuditEntry.Action.UPDATE, obj=category, changes=changes)
    return category
