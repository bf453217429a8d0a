"""Reuse of computed scorecards until plans data changes.

Every plans write bumps DataStamp.version inside its own transaction (services._record
and measurement_store_computed), so a rolled-back change bumps nothing. A reader pays one
indexed read of the stamp; a scorecard computed at the same stamp, for the same scope, year,
department and as-of date, is served from this process's memory. Entries also expire after
GUANKAO_SCORECARD_CACHE_SECONDS (0 turns the memory off), which bounds what no stamp sees:
a department moved in the tree (core data) or the date changing at midnight.
"""

import threading
import time
from collections import OrderedDict

from django.conf import settings
from django.db.models import F

from guankao.plans.models import DataStamp

MAX_ENTRIES = 64
_lock = threading.Lock()
_entries: OrderedDict = OrderedDict()


def touch() -> None:
    """Mark plans data as changed (call inside the writing transaction)."""
    if not DataStamp.objects.filter(pk=1).update(version=F("version") + 1):
        DataStamp.objects.get_or_create(pk=1, defaults={"version": 1})


def stamp() -> int:
    return DataStamp.objects.filter(pk=1).values_list("version", flat=True).first() or 0


def _scope(user) -> str:
    """What `user` may read, as access.scope_q decides it: "city", a subtree path, or "none".

    A user without a department reads nothing (unless city-wide): never key them as "city",
    or they would be served, and would seed, the city-wide scorecard.
    """
    if not user.is_authenticated or not user.is_active:
        return "none"
    if user.is_city_wide:
        return "city"
    if user.department_id is None:
        return "none"
    return user.department.path


def remembered(user, key: tuple, compute):
    """compute() once per (user's scope, key, data stamp) within the configured seconds."""
    seconds = settings.GUANKAO_SCORECARD_CACHE_SECONDS
    if not seconds:
        return compute()
    full_key = (_scope(user), stamp(), *key)
    now = time.monotonic()
    with _lock:
        hit = _entries.get(full_key)
        if hit is not None and now - hit[0] < seconds:
            _entries.move_to_end(full_key)
            return hit[1]
    value = compute()
    with _lock:
        _entries[full_key] = (now, value)
        while len(_entries) > MAX_ENTRIES:
            _entries.popitem(last=False)
    return value


def clear() -> None:
    with _lock:
        _entries.clear()
