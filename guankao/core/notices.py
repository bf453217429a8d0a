"""E-mail for the notices that core.services.notify creates, and for the outbound mail to
addresses outside the staff (core.services.mail_outside: a petitioner's reply, their
survey link): sent after commit, retried by the worker with a growing wait, and marked
sent only when the mail server took it.

A try claims its row with one conditional UPDATE (still unsent, due by now) that moves
the due time a lease ahead and counts the attempt, so two workers, or the on-commit send
and the worker, never send one message at once. A worker that dies mid-send leaves the
row to be tried again when the lease ends. Both models carry the same four fields
(emailed_at, email_due_at, email_attempts, email_error); `Outbox` runs the machinery
over either.
"""

import datetime as dt
import logging

from django.core.mail import send_mail
from django.db.models import F
from django.utils import timezone

from guankao.core import links
from guankao.core.models import Notification, OutboundMail

log = logging.getLogger("guankao.notices")

# The wait after the 1st, 2nd … failed attempt; after the last one the message stays
# unsent with its error kept for the operator.
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


class Outbox:
    """Claim, send and retry over one model; `address(row)` is (address, why not)."""

    def __init__(self, model, address, related=()):
        self.model, self.address, self.related = model, address, related

    def _claim(self, pk: int, now: dt.datetime):
        claimed = self.model.objects.filter(
            pk=pk, emailed_at__isnull=True, email_due_at__lte=now
        ).update(email_due_at=now + LEASE, email_attempts=F("email_attempts") + 1)
        if not claimed:
            return None
        return self.model.objects.select_related(*self.related).get(pk=pk)

    def send(self, pk: int, now: dt.datetime | None = None) -> bool:
        """Try once to e-mail row `pk` if it is owed; True when the server took it."""
        now = now or timezone.now()
        row = self._claim(pk, now)
        if row is None:
            return False
        rows = self.model.objects.filter(pk=pk)
        address, missing = self.address(row)
        if not address:
            rows.update(email_due_at=None, email_error=missing)
            return False
        text = f"{row.body}\n\n{links.absolute(row.url)}".strip()
        try:
            if send_mail(row.subject, text, None, [address]) != 1:
                raise OSError("the mail backend sent nothing")
        except (OSError, ValueError) as exc:  # smtplib's errors are OSErrors; a bad header
            last = row.email_attempts >= MAX_ATTEMPTS
            due = None if last else now + RETRY_AFTER[row.email_attempts - 1]
            rows.update(email_due_at=due, email_error=f"{type(exc).__name__}: {exc}"[:300])
            log.warning(
                "e-mail of %s %s failed (attempt %s): %s",
                self.model._meta.model_name,
                pk,
                row.email_attempts,
                exc,
            )
            return False
        rows.update(emailed_at=timezone.now(), email_due_at=None, email_error="")
        return True

    def send_many(self, pks, now: dt.datetime | None = None) -> int:
        return sum(self.send(pk, now) for pk in pks)

    def retry(self, now: dt.datetime) -> int:
        """The worker's pass: every row whose e-mail is owed by now, oldest first."""
        due = (
            self.model.objects.filter(emailed_at__isnull=True, email_due_at__lte=now)
            .order_by("email_due_at", "pk")
            .values_list("pk", flat=True)[:BATCH]
        )
        return self.send_many(list(due), now)


def _recipient(note: Notification) -> tuple[str, str]:
    person = note.recipient
    if not person.email or not person.is_active:
        return "", "no address, or the account is inactive"
    return person.email, ""


def _outside(mail: OutboundMail) -> tuple[str, str]:
    return mail.address, "no address"


notices = Outbox(Notification, _recipient, related=("recipient",))
outbound = Outbox(OutboundMail, _outside)


def email_send(pk: int, now: dt.datetime | None = None) -> bool:
    return notices.send(pk, now)


def email_send_many(pks, now: dt.datetime | None = None) -> int:
    return notices.send_many(pks, now)


def email_retry(now: dt.datetime) -> int:
    return notices.retry(now)
