"""The home page's registry: what waits for this user, and the city at a glance.

Each app contributes in its own `todo.py` (found by autodiscovery, as `metrics.py` and
`jobs.py` are), so core never imports an app:

- `register_tasks(key, collect)`: `collect(user, today)` returns the user's `Task`s — a
  count and a link for each kind of work (to approve, due soon, overdue, returned,
  decisions to act on, to decide).
- `register_summary(key, collect)`: `collect(user, today)` returns `Figure`s for the city
  summary that executive readers get instead of tasks (officers get both).

Every contribution reads a fixed number of queries whatever the data, so the home page
does too (tests/core/test_home.py pins it).
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _

from guankao.core import access
from guankao.core.models import Role

APPROVE, OVERDUE, RETURNED, DUE, DECISION, DECIDE = (
    "approve",
    "overdue",
    "returned",
    "due",
    "decision",
    "decide",
)
# The order and headings of the home page's groups: what blocks others first.
KINDS = {
    APPROVE: _("Waiting for my approval"),
    OVERDUE: _("Overdue"),
    RETURNED: _("Returned to me"),
    DUE: _("Due soon"),
    DECISION: _("Meeting decisions to act on"),
    DECIDE: _("For the 管考 officer to decide"),
}


@dataclass(frozen=True)
class Task:
    kind: str
    label: str
    count: int
    url: str
    detail: str = ""


@dataclass(frozen=True)
class Figure:
    group: str  # a heading, e.g. "KPIs 115"
    label: str
    value: int
    url: str
    tone: str = ""  # a status key (chip colour and symbol), "bad", "warn" or ""
    symbol: str = ""


_tasks: dict[str, Callable] = {}
_summaries: dict[str, Callable] = {}
_discovered = False


def register_tasks(key: str, collect: Callable[[object, dt.date], list[Task]]) -> None:
    _tasks[key] = collect


def register_summary(key: str, collect: Callable[[object, dt.date], list[Figure]]) -> None:
    _summaries[key] = collect


def autodiscover() -> None:
    global _discovered
    if not _discovered:
        autodiscover_modules("todo")
        _discovered = True


def sees_summary(user) -> bool:
    return user.is_authenticated and (user.is_admin or user.has_role(Role.EXECUTIVE, Role.OFFICER))


def tasks_for(user, today: dt.date) -> list[dict]:
    """The user's tasks grouped by kind, in KINDS order: [{"kind", "heading", "tasks"}]."""
    autodiscover()
    if not user.is_authenticated or access.is_executive_reader(user):
        return []
    found: dict[str, list[Task]] = {}
    for key in sorted(_tasks):
        for task in _tasks[key](user, today):
            found.setdefault(task.kind, []).append(task)
    return [
        {"kind": kind, "heading": heading, "tasks": found[kind], "total": _total(found[kind])}
        for kind, heading in KINDS.items()
        if kind in found
    ]


def _total(tasks: list[Task]) -> int:
    return sum(t.count for t in tasks)


def summary_for(user, today: dt.date) -> list[dict]:
    """The city summary grouped by heading: [{"group", "figures"}]."""
    autodiscover()
    if not sees_summary(user):
        return []
    groups: dict[str, list[Figure]] = {}
    for key in sorted(_summaries):
        for figure in _summaries[key](user, today):
            groups.setdefault(str(figure.group), []).append(figure)
    return [{"group": group, "figures": figures} for group, figures in groups.items()]
