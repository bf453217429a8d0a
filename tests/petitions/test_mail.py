"""The petitioner hears by e-mail: the reply with an absolute survey link that works, an
extension's new date and a re-routing; a failed send is retried by the worker."""

import datetime as dt
import re

import pytest
from django.core import mail
from django.utils import timezone

from guankao.core import jobs
from guankao.core.models import OutboundMail
from guankao.petitions import handling
from guankao.petitions.models import DepartmentRule
from tests.petitions.test_intake import file

pytestmark = pytest.mark.django_db
LOCMEM = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def case(calltaker, categories):
    return file(
        calltaker, categories["pothole"], email="citizen@example.com", received_at=timezone.now()
    )


def to_citizen():
    return [m for m in mail.outbox if m.to == ["citizen@example.com"]]


def test_the_reply_reaches_the_petitioner_with_a_survey_link_that_works(
    people, case, city, django_capture_on_commit_callbacks
):
    DepartmentRule.objects.create(department=city["pw"], reply_needs_approval=False)
    with django_capture_on_commit_callbacks(execute=True):
        handling.reply_draft(
            actor=people["liaison"], case=case, text="坑洞已於今日修補完成。", method="email"
        )
    (sent,) = to_citizen()
    assert case.number in sent.subject and "坑洞已於今日修補完成。" in sent.body
    token = re.search(r"http://127\.0\.0\.1:8000/petitions/survey/([\w-]+)/", sent.body)[1]
    survey = handling.survey_answer(token=token, speed=5, attitude=4, result=5)
    assert survey.case_id == case.pk
    assert OutboundMail.objects.get().emailed_at is not None


def test_a_reply_by_phone_or_to_an_anonymous_petitioner_sends_no_mail(
    people, calltaker, categories, city, django_capture_on_commit_callbacks
):
    DepartmentRule.objects.create(department=city["pw"], reply_needs_approval=False)
    by_phone = file(
        calltaker, categories["pothole"], email="citizen@example.com", received_at=timezone.now()
    )
    with django_capture_on_commit_callbacks(execute=True):
        handling.reply_draft(actor=people["liaison"], case=by_phone, text="已修補", method="phone")
    assert to_citizen() == [] and not OutboundMail.objects.exists()


def test_the_petitioner_hears_of_an_extension_and_a_re_routing(
    people, case, django_capture_on_commit_callbacks
):
    officer, liaison = people["officer"], people["liaison"]
    asked = handling.extension_request(
        actor=liaison, case=case, reason="需會勘", new_due=case.due_date + dt.timedelta(days=2)
    )
    with django_capture_on_commit_callbacks(execute=True):
        handling.request_decide(actor=officer, request=asked, approve=True)
    case.refresh_from_db()
    (extended,) = to_citizen()
    assert case.number in extended.body and f"{case.due_date.year - 1911}/" in extended.body
    asked = handling.reroute_request(actor=liaison, case=case, reason="屬社會處", suggested="SOC")
    with django_capture_on_commit_callbacks(execute=True):
        handling.request_decide(actor=officer, request=asked, approve=True)
    assert "社會處" in to_citizen()[-1].body


def test_a_refused_request_tells_the_petitioner_nothing(people, case):
    asked = handling.extension_request(
        actor=people["liaison"],
        case=case,
        reason="需會勘",
        new_due=case.due_date + dt.timedelta(days=2),
    )
    handling.request_decide(actor=people["officer"], request=asked, approve=False, note="不同意")
    assert not OutboundMail.objects.exists()


def test_a_failed_mail_is_retried_by_the_worker(
    people, case, city, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "tests.core.test_notices.FailingBackend"
    DepartmentRule.objects.create(department=city["pw"], reply_needs_approval=False)
    with django_capture_on_commit_callbacks(execute=True):
        handling.reply_draft(actor=people["liaison"], case=case, text="已修補", method="email")
    outgoing = OutboundMail.objects.get()
    assert (outgoing.emailed_at, outgoing.email_attempts) == (None, 1)
    assert "connection refused" in outgoing.email_error
    settings.EMAIL_BACKEND = LOCMEM
    later = outgoing.email_due_at + dt.timedelta(seconds=1)
    jobs.run_once(later, ["core.retry_email"])  # also the staff notices of the filing
    outgoing.refresh_from_db()
    assert (outgoing.emailed_at is not None, outgoing.email_attempts) == (True, 2)
    assert len(to_citizen()) == 1
    assert jobs.run_once(later + dt.timedelta(days=1), ["core.retry_email"]) == {
        "core.retry_email": 0
    }
    assert len(to_citizen()) == 1
