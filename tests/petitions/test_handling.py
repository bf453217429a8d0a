"""Re-routing, extensions, replies, surveys and reopening, through the services."""

import datetime as dt
import hashlib

import pytest
from django.utils import timezone

from guankao.core.errors import NotAllowed, ServiceError
from guankao.petitions import handling
from guankao.petitions.models import Assignment, Case, DepartmentRule, Request, Survey
from tests.petitions.test_intake import file

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(calltaker, categories):
    return file(calltaker, categories["pothole"], email="citizen@example.com")


def field(exc) -> str:
    return exc.value.problems[0].field


def test_it_reroutes_on_the_officers_decision_without_restarting_the_clock(
    people, calltaker, categories, city
):
    case = file(calltaker, categories["pothole"], received_at=timezone.now())
    due = case.due_date
    with pytest.raises(NotAllowed):
        handling.reroute_request(actor=people["other_liaison"], case=case, reason="非本處業務")
    request = handling.reroute_request(
        actor=people["liaison"], case=case, reason="屬社會處業務", suggested="SOC"
    )
    with pytest.raises(ServiceError) as exc:
        handling.reroute_request(actor=people["liaison"], case=case, reason="again")
    assert field(exc) == "reason"
    with pytest.raises(NotAllowed):
        handling.request_decide(actor=people["head"], request=request, approve=True)
    handling.request_decide(actor=people["officer"], request=request, approve=True)
    case.refresh_from_db()
    assert (case.lead, case.due_date) == (city["soc"], due)
    held = Assignment.objects.filter(case=case).order_by("assigned_at")
    assert [a.department.code for a in held] == ["PW", "SOC"]
    assert held[0].ended_at is not None and held[1].ended_at is None


def test_it_refuses_re_routing_after_its_window(people, case):
    Assignment.objects.filter(case=case).update(assigned_at=timezone.now() - dt.timedelta(days=10))
    with pytest.raises(ServiceError) as exc:
        handling.reroute_request(actor=people["liaison"], case=case, reason="不是我們的")
    assert field(exc) == "reason"


def test_it_extends_once_within_thirty_days(people, case):
    with pytest.raises(ServiceError) as exc:
        handling.extension_request(
            actor=people["liaison"], case=case, reason="需會勘", new_due="115/12/31"
        )
    assert field(exc) == "new_due"  # received 115/11/27: 30 days end 115/12/27
    request = handling.extension_request(
        actor=people["liaison"], case=case, reason="需會同台電會勘", new_due="115/12/21"
    )
    with pytest.raises(ServiceError):
        handling.request_decide(actor=people["officer"], request=request, approve=False)
    handling.request_decide(actor=people["officer"], request=request, approve=True)
    case.refresh_from_db()
    assert (case.due_date, case.extensions) == (dt.date(2026, 12, 21), 1)
    with pytest.raises(ServiceError) as exc:
        handling.extension_request(
            actor=people["liaison"], case=case, reason="再延", new_due="115/12/24"
        )
    assert field(exc) == "new_due"
    assert Request.objects.filter(kind="extend").count() == 1


def test_it_sends_a_reply_once_the_head_approves_it(people, case, calltaker, categories):
    later = file(
        calltaker, categories["pothole"], received_at=case.received_at + dt.timedelta(hours=2)
    )
    from guankao.petitions import services

    services.case_merge(actor=people["officer"], case=later, into=case)
    reply = handling.reply_draft(
        actor=people["liaison"],
        case=case,
        text="已於12月1日完成坑洞修補。",
        public_text="已完成修補。",
        method="email",
    )
    case.refresh_from_db()
    assert case.status == "drafted"
    with pytest.raises(NotAllowed):
        handling.reply_approve(actor=people["liaison"], reply=reply)
    handling.reply_return(actor=people["head"], reply=reply, reason="請註明修補日期與地點")
    case.refresh_from_db()
    assert case.status == "assigned"
    reply = handling.reply_draft(
        actor=people["liaison"], case=case, text="已於12月1日修補民族路口坑洞。", method="email"
    )
    handling.reply_approve(actor=people["head"], reply=reply)
    case.refresh_from_db()
    assert case.status == "replied" and case.closed_at is not None
    # Each petitioner, the merged one too, gets the reply and a survey.
    assert Survey.objects.filter(case__in=[case, later]).count() == 2
    assert later.events.filter(kind="replied").exists()
    with pytest.raises(ServiceError) as exc:
        handling.reply_draft(actor=people["liaison"], case=case, text="再覆", method="letter")
    assert field(exc) == "status"


def test_it_lets_a_department_reply_directly_where_its_rule_says_so(people, case, city):
    DepartmentRule.objects.create(department=city["pw"], reply_needs_approval=False)
    handling.reply_draft(actor=people["liaison"], case=case, text="已修補。", method="letter")
    case.refresh_from_db()
    assert case.status == "replied"


def test_it_refuses_an_e_mail_reply_without_an_address(people, calltaker, categories):
    case = file(calltaker, categories["pothole"])
    with pytest.raises(ServiceError) as exc:
        handling.reply_draft(actor=people["liaison"], case=case, text="已修補。", method="email")
    assert field(exc) == "method"


def _survey_token(case) -> str:
    token = "known-token"
    Survey.objects.filter(case=case).update(token_hash=hashlib.sha256(token.encode()).hexdigest())
    return token


def test_it_takes_a_survey_once_within_seven_days_and_reopens_once(people, case, city):
    DepartmentRule.objects.create(department=city["pw"], reply_needs_approval=False)
    handling.reply_draft(actor=people["liaison"], case=case, text="已修補。", method="email")
    token = _survey_token(case)
    with pytest.raises(ServiceError) as exc:
        handling.survey_answer(token=token, speed=6, attitude=5, result=1)
    assert field(exc) == "speed"
    handling.survey_answer(token=token, speed=2, attitude=3, result=1, comment="還是有坑")
    with pytest.raises(ServiceError) as exc:
        handling.survey_answer(token=token, speed=5, attitude=5, result=5)
    assert field(exc) == "token"
    with pytest.raises(ServiceError) as exc:
        handling.survey_answer(token="forged", speed=5, attitude=5, result=5)
    assert field(exc) == "token"
    tomorrow = timezone.localdate() + dt.timedelta(days=3)
    case = handling.case_reopen(
        actor=people["officer"], case=case, reason="民眾不滿意", due=tomorrow
    )
    assert (case.status, case.reopened, case.due_date) == ("assigned", 1, tomorrow)


def test_it_closes_a_survey_after_seven_days(people, case, city):
    DepartmentRule.objects.create(department=city["pw"], reply_needs_approval=False)
    handling.reply_draft(actor=people["liaison"], case=case, text="已修補。", method="email")
    token = _survey_token(case)
    Survey.objects.filter(case=case).update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    with pytest.raises(ServiceError) as exc:
        handling.survey_answer(token=token, speed=5, attitude=5, result=5)
    assert field(exc) == "token"


def test_it_records_field_work_done_once(people, case, calltaker, categories):
    case = handling.field_done(actor=people["liaison"], case=case, note="已派員填補")
    assert case.field_done_at is not None
    with pytest.raises(ServiceError):
        handling.field_done(actor=people["liaison"], case=case)
    subsidy = file(calltaker, categories["subsidy"])
    with pytest.raises(ServiceError):
        handling.field_done(actor=people["other_liaison"], case=subsidy)
    assert Case.objects.get(pk=subsidy.pk).field_done_at is None
