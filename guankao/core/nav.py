"""The navigation registry: each app adds its entries in its AppConfig.ready().

Menus show only what the role can use: an executive reader (the mayor) sees the city's
pages, never the filling pages that would always be empty for him."""

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from guankao.core import access


@dataclass(frozen=True)
class NavItem:
    key: str
    label: str
    url_name: str
    order: int
    visible: Callable[[object], bool]


_items: dict[str, NavItem] = {}


def register(key: str, label, url_name: str, *, order: int = 100, visible=None) -> None:
    _items[key] = NavItem(key, label, url_name, order, visible or (lambda u: u.is_authenticated))


def items_for(user) -> list[dict]:
    return [
        {"key": i.key, "label": i.label, "url": reverse(i.url_name)}
        for i in sorted(_items.values(), key=lambda i: (i.order, i.key))
        if i.visible(user)
    ]


def fills_in(user) -> bool:
    """Filling and approving pages: the department's liaisons and heads, administrators."""
    return access.does_department_work(user) or (user.is_authenticated and user.is_admin)


def works_to_deadlines(user) -> bool:
    """Everyone signed in but an executive reader, who reads the city and fills in nothing."""
    return user.is_authenticated and not access.is_executive_reader(user)


def register_core() -> None:
    register("home", _("Home"), "home", order=0)
    register("departments", _("Departments"), "departments", order=80, visible=lambda u: True)
    register("staff", _("Staff"), "staff", order=81)
    register(
        "calendar", _("Working-day calendar"), "calendar", order=90, visible=works_to_deadlines
    )
    register("audit", _("Audit trail"), "audit", order=95, visible=access.can_read_audit)
