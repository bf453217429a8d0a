"""Chasing petitions once per step, and KPI 二 from the cases."""

import datetime as dt

import pytest
from django.utils import timezone

from guankao.core.models import Notification, Role
from guankao.petitions import handling, jobs, metrics
from guankao.petitions.models import Case, Chase, DepartmentRule
from guankao.plans.registry import Period
from tests.conftest import make_user
from tests.petitions.test_intake import file

pytestmark = pytest.mark.django_db
NOW = timezone.make_aware(dt.datetime(2026, 12, 3, 18, 0))


@pytest.fixture
def due_dec_7(calltaker, categories):
    return file(calltaker, categories["subsidy"])  # received 115/11/27, due 115/12/07


def notices(user) -> list[str]:
    return list(Notification.objects.filter(recipient=user).values_list("subject", flat=True))


def test_it_reminds_notifies_flags_and_escalates_once_each(people, due_dec_7, city):
    Notification.objects.all().delete()
    liaison, officer = people["other_liaison"], people["officer"]
    soc_head = make_user("soc_head", city["soc"], Role.HEAD)
    assert jobs.sweep(dt.date(2026, 12, 3), NOW)["notices"] == 0  # due Monday 7th: not yet
    assert jobs.sweep(dt.date(2026, 12, 4), NOW)["notices"] == 1  # Friday, the working day before
    assert jobs.sweep(dt.date(2026, 12, 4), NOW)["notices"] == 0  # a rerun sends nothing
    assert jobs.sweep(dt.date(2026, 12, 7), NOW)["notices"] == 1  # on the day
    assert notices(soc_head) == []
    done = jobs.sweep(dt.date(2026, 12, 8), NOW)  # overdue: flagged, escalated, officer told
    assert done == {"notices": 2, "flagged": 1}
    assert Case.objects.get(pk=due_dec_7.pk).overdue
    assert len(notices(soc_head)) == 1 and len(notices(officer)) == 1
    assert jobs.sweep(dt.date(2026, 12, 8), NOW) == {"notices": 0, "flagged": 0}
    assert jobs.sweep(dt.date(2026, 12, 9), NOW)["notices"] == 1  # the next day's overdue list
    steps = set(Chase.objects.filter(case=due_dec_7).values_list("step", flat=True))
    assert steps == {"remind", "due", "escalate"}
    assert len(notices(liaison)) == 2


def test_it_chases_overdue_field_work(people, calltaker, categories):
    case = file(calltaker, categories["light_out"])  # 48 hours from 115/11/27 17:30
    Notification.objects.all().delete()
    jobs.sweep(dt.date(2026, 12, 3), NOW)
    assert Chase.objects.filter(case=case, step="field").count() == 1
    jobs.sweep(dt.date(2026, 12, 3), NOW)
    assert Chase.objects.filter(case=case, step="field").count() == 1


def test_it_counts_the_on_time_rate_apart_from_consultations_and_173(
    people, calltaker, categories, city
):
    DepartmentRule.objects.create(department=city["pw"], reply_needs_approval=False)
    monday = timezone.make_aware(dt.datetime(2026, 11, 2, 9, 0))  # due 115/11/10
    on_time = file(calltaker, categories["pothole"], received_at=monday)
    late = file(calltaker, categories["pothole"], received_at=monday)
    still_open = file(calltaker, categories["pothole"], received_at=monday)
    file(calltaker, categories["subsidy"], kind="consultation", answer="已說明", received_at=monday)
    for case, closed in ((on_time, (2026, 11, 10, 23, 30)), (late, (2026, 11, 11, 9, 0))):
        handling.reply_draft(actor=people["liaison"], case=case, text="已修補。", method="letter")
        Case.objects.filter(pk=case.pk).update(closed_at=timezone.make_aware(dt.datetime(*closed)))
    november = Period(2026, 11, 12)
    assert metrics.counts(november, None) == {
        "due": 3,
        "on_time": 1,
        "consultations": 1,
        "not_processed": 0,
        "merged": 0,
    }
    value, numerator, denominator = metrics.on_time_rate(november, None)
    assert (numerator, denominator) == (1, 3)
    assert metrics.on_time_rate(november, city["soc"]) is None  # nothing due there
    records = {r.id: r.label for r in metrics._records(november, None)}
    assert set(records) == {str(on_time.pk), str(late.pk), str(still_open.pk)}
    assert records[str(on_time.pk)] != records[str(late.pk)].replace(late.number, on_time.number)
