"""E-mail for the notices that core.services.notify creates: sent after commit, retried by
the worker with a growing wait, and marked sent only when the mail server took it.

A try claims its notice with one conditional UPDATE (still unsent, due by now) that moves
the due time a lease ahead and counts the attempt, so two workers, or the on-commit send
and the worker, never send one notice at once. A worker that dies mid-send leaves the
notice to be tried again when the lease ends.
"""

import datetime as dt
import logging

from django.core.mail import send_mail
from django.db.models import F
from django.utils import timezone

from guankao.core import links
from guankao.core.models import Notification

log = logging.getLogger("guankao.notices")

# The wait after the 1st, 2nd … failed attempt; after the last one the notice stays unsent
# (in-app only) with its error kept for the operator.
RETRY_AFTER = (
    dt.timedelta(minutes=1),
    dt.timedelta(minutes=5),
    dt.timedelta(minutes=30),
    dt.timedelta(hours=2),
    dt.timedelta(hours=6),
    dt.timedelta(hours=24),
)
MAX_ATTEMPTS = len(RETRY_AFTER) + 1
LEASE = dt.timedelta(minutes=10)  # a claimed send that neither succeeds nor fails by then
BATCH = 200


def _claim(pk: int, now: dt.datetime) -> Notification | None:
    claimed = Notification.objects.filter(
        pk=pk, emailed_at__isnull=True, email_due_at__lte=now
    ).update(email_due_at=now + LEASE, email_attempts=F("email_attempts") + 1)
    if not claimed:
        return None
    return Notification.objects.select_related("recipient").get(pk=pk)


def email_send(pk: int, now: dt.datetime | None = None) -> bool:
    """Try once to e-mail notice `pk` if it is owed; True when the server took it."""
    now = now or timezone.now()
    note = _claim(pk, now)
    if note is None:
        return False
    rows = Notification.objects.filter(pk=pk)
    person = note.recipient
    if not person.email or not person.is_active:
        rows.update(email_due_at=None, email_error="no address, or the account is inactive")
        return False
    text = f"{note.body}\n\n{links.absolute(note.url)}".strip()
    try:
        if send_mail(note.subject, text, None, [person.email]) != 1:
            raise OSError("the mail backend sent nothing")
    except (OSError, ValueError) as exc:  # smtplib's errors are OSErrors; a bad header a ValueError
        last = note.email_attempts >= MAX_ATTEMPTS
        due = None if last else now + RETRY_AFTER[note.email_attempts - 1]
        rows.update(email_due_at=due, email_error=f"{type(exc).__name__}: {exc}"[:300])
        log.warning("e-mail of notice %s failed (attempt %s): %s", pk, note.email_attempts, exc)
        return False
    rows.update(emailed_at=timezone.now(), email_due_at=None, email_error="")
    return True


def email_send_many(pks, now: dt.datetime | None = None) -> int:
    return sum(email_send(pk, now) for pk in pks)


def email_retry(now: dt.datetime) -> int:
    """The worker's pass: every notice whose e-mail is owed by now, oldest first."""
    due = (
        Notification.objects.filter(emailed_at__isnull=True, email_due_at__lte=now)
        .order_by("email_due_at", "pk")
        .values_list("pk", flat=True)[:BATCH]
    )
    return email_send_many(list(due), now)
