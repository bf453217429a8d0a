"""Small input checks shared by every service: each names the field and the rule."""

from django.utils.translation import gettext as _

from guankao.core.errors import NotAllowed, ServiceError


def require(condition: bool, message=None) -> None:
    if not condition:
        raise NotAllowed(message or _("You are not allowed to do this."))


def text(field: str, value, max_length: int, required: bool = True) -> str:
    """Stripped text of at most max_length characters; None counts as empty."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ServiceError.field(field, _("must be text"))
    value = value.strip()
    if required and not value:
        raise ServiceError.field(field, _("is required"))
    if len(value) > max_length:
        raise ServiceError.field(
            field, _("is too long (at most %(n)d characters)") % {"n": max_length}
        )
    return value
