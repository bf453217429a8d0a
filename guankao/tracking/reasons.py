"""The lag reason categories (落後原因類別), edited by the 管考 officer: rename, reorder,
add, or take out of use (a category in use by reports is never deleted)."""

from django.db import IntegrityError, transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from guankao.core import validation
from guankao.core.errors import ServiceError
from guankao.tracking import access
from guankao.tracking.models import LagCategory
from guankao.tracking.services import A, _record


@transaction.atomic
def category_save(
    *,
    actor,
    name: str,
    order=None,
    active: bool = True,
    category: LagCategory | None = None,
    code: str = "",
) -> LagCategory:
    validation.require(access.can_manage(actor))
    name = validation.text("name", name, 60)
    if order in (None, ""):
        order = (
            LagCategory.objects.order_by("-order").values_list("order", flat=True).first() or 0
        ) + 1
    if not str(order).isdigit() or int(order) > 999:
        raise ServiceError.field("order", _("must be a whole number from 0 to 999"))
    if category is None:
        code = slugify(validation.text("code", code, 30))
        if not code:
            raise ServiceError.field("code", _("use letters, digits and hyphens, such as noise"))
        category = LagCategory(code=code)
        before = {}
    else:
        category = LagCategory.objects.select_for_update().get(pk=category.pk)
        before = {"name": category.name, "order": category.order, "active": category.active}
    if LagCategory.objects.filter(name=name).exclude(pk=category.pk).exists():
        raise ServiceError.field("name", _("is already the name of another category"))
    category.name, category.order, category.active = name, int(order), bool(active)
    try:
        with transaction.atomic():
            category.save()
    except IntegrityError:
        raise ServiceError.field("code", _("is already used by another category")) from None
    after = {"name": category.name, "order": category.order, "active": category.active}
    _record(actor, A.UPDATE if before else A.CREATE, category, before, after, None)
    return category
