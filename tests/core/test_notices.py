"""Every notice through core.services.notify: e-mailed after commit, retried by the worker
with a growing wait when the mail server fails, and never marked sent when it was not."""

import datetime as dt
import smtplib

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone

from guankao.core import jobs, notices, services
from guankao.core.models import Notification

LOCMEM = "django.core.mail.backends.locmem.EmailBackend"
ATTEMPTS: list[bool] = []


class FailingBackend(BaseEmailBackend):
    """A mail server that is down: the SMTP backend raises unless told to be silent."""

    def send_messages(self, messages):
        if not self.fail_silently:
            raise smtplib.SMTPServerDisconnected("connection refused")
        return 0


class ReentrantBackend(BaseEmailBackend):
    """While one send is in flight, a second worker tries the same notice."""

    def send_messages(self, messages):
        for note in Notification.objects.filter(email_attempts=1):
            ATTEMPTS.append(notices.email_send(note.pk))
        return len(messages)


def _notify(people, capture):
    with capture(execute=True):
        (note,) = services.notify(
            recipients=[people["liaison"]], subject="月報逾期", body="請填報", url="/tracking/my/"
        )
    note.refresh_from_db()
    return note


def test_a_failed_send_is_not_marked_sent_and_the_worker_retries_it(
    people, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "tests.core.test_notices.FailingBackend"
    note = _notify(people, django_capture_on_commit_callbacks)
    assert note.emailed_at is None
    assert note.email_attempts == 1
    assert "connection refused" in note.email_error
    first_try = note.email_due_at - notices.RETRY_AFTER[0]
    assert jobs.run_once(first_try + dt.timedelta(seconds=30), ["core.retry_email"]) == {
        "core.retry_email": 0  # not due yet
    }
    settings.EMAIL_BACKEND = LOCMEM
    later = note.email_due_at + dt.timedelta(seconds=1)
    assert jobs.run_once(later, ["core.retry_email"]) == {"core.retry_email": 1}
    note.refresh_from_db()
    assert (note.emailed_at is not None, note.email_due_at, note.email_attempts) == (True, None, 2)
    assert [m.to for m in mail.outbox] == [["liaison@example.gov.tw"]]
    # Links in e-mail are full addresses (GUANKAO_BASE_URL).
    assert mail.outbox[0].body == "請填報\n\nhttp://127.0.0.1:8000/tracking/my/"
    assert jobs.run_once(later + dt.timedelta(days=1), ["core.retry_email"]) == {
        "core.retry_email": 0  # sent once, never again
    }


def test_it_waits_longer_after_each_failure_and_gives_up_unsent(
    people, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "tests.core.test_notices.FailingBackend"
    note = _notify(people, django_capture_on_commit_callbacks)
    waits = []
    while note.email_due_at is not None:
        now = note.email_due_at
        notices.email_retry(now)
        note.refresh_from_db()
        if note.email_due_at is not None:
            waits.append(note.email_due_at - now)
    assert waits == list(notices.RETRY_AFTER[1:])
    assert note.email_attempts == notices.MAX_ATTEMPTS
    assert note.emailed_at is None and note.email_error
    assert notices.email_retry(timezone.now() + dt.timedelta(days=30)) == 0


def test_two_workers_never_send_one_notice_at_once(
    people, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "tests.core.test_notices.ReentrantBackend"
    ATTEMPTS.clear()
    note = _notify(people, django_capture_on_commit_callbacks)
    assert ATTEMPTS == [False]  # the second worker found it claimed
    assert note.emailed_at is not None and note.email_attempts == 1


def test_no_email_is_owed_to_someone_without_an_address(people, django_capture_on_commit_callbacks):
    people["liaison"].email = ""
    people["liaison"].save(update_fields=["email"])
    note = _notify(people, django_capture_on_commit_callbacks)
    assert (note.email_due_at, note.emailed_at, mail.outbox) == (None, None, [])


@pytest.mark.parametrize("email", [True, False])
def test_it_sends_only_when_asked(people, email, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(recipients=[people["head"]], subject="s", email=email)
    assert len(mail.outbox) == int(email)
