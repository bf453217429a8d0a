"""Tags on controlled cases: free words (資安防護 …) that group cases for a KPI."""

import re

from django.utils.translation import gettext as _

from guankao.core import validation
from guankao.core.errors import ServiceError
from guankao.tracking.models import Tag

MAX_TAGS = 10
TAG_LENGTH = 30
SEPARATORS = re.compile(r"[,，、;；]")


def clean_tags(value) -> list[str] | None:
    """The tags as a sorted list without repeats; None when not given (left as they are).
    Takes a list or one text with the words separated by commas or 、."""
    if value is None:
        return None
    parts = SEPARATORS.split(value) if isinstance(value, str) else list(value)
    names = []
    for part in parts:
        if not isinstance(part, str):
            raise ServiceError.field("tags", _("must be text"))
        name = validation.text("tags", part, TAG_LENGTH, required=False)
        if name and name not in names:
            names.append(name)
    if len(names) > MAX_TAGS:
        raise ServiceError.field("tags", _("at most %(n)d tags") % {"n": MAX_TAGS})
    return sorted(names)


def tag_rows(names: list[str]) -> list[Tag]:
    existing = {t.name: t for t in Tag.objects.filter(name__in=names)}
    for name in names:
        if name not in existing:
            existing[name], _created = Tag.objects.get_or_create(name=name)
    return [existing[n] for n in names]
