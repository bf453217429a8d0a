"""Where things live (DESIGN.md §2–3): the next app finds each helper in one place."""

import re
from pathlib import Path

import guankao

ROOT = Path(guankao.__file__).parent


def _sources():
    for path in ROOT.rglob("*.py"):
        if "migrations" not in path.parts:
            yield path.relative_to(ROOT).as_posix(), path.read_text(encoding="utf-8")


def _hits(pattern: str, allowed: set[str]) -> list[str]:
    rule = re.compile(pattern)
    return [
        f"{name}:{n}"
        for name, text in _sources()
        if name not in allowed
        for n, line in enumerate(text.splitlines(), start=1)
        if rule.search(line)
    ]


def test_access_predicates_live_in_core_access():
    assert _hits(r"def (is_officer|_in|in_subtree)\b", {"core/access.py"}) == []


def test_notices_are_created_only_by_core_services_notify():
    pattern = r"Notification\.objects\.(create|bulk_create)|Notification\(recipient"
    assert _hits(pattern, {"core/services.py"}) == []


def test_no_mail_is_sent_silently():
    assert _hits(r"fail_silently\s*=\s*True", set()) == []


def test_these_views_and_forms_read_through_selectors():
    modules = {"plans/api.py", "plans/views_rounds.py", "core/views_ops.py"}
    modules.add("tracking/forms_board.py")
    reads = [
        f"{name}:{n}"
        for name, text in _sources()
        if name in modules
        for n, line in enumerate(text.splitlines(), start=1)
        if re.search(r"\.objects\b|get_object_or_404", line)
    ]
    assert reads == []
