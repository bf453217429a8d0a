"""Measurement reminders through the worker: due soon, due today, overdue, each once."""

import datetime as dt
import io
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from guankao.core import calendar, jobs
from guankao.core.models import NoticeSent, Notification
from guankao.plans import selectors, services
from guankao.plans.jobs import measurement_reminders

TAIPEI = ZoneInfo("Asia/Taipei")
# May 2026 ends on a Sunday; ten working days later is Friday 12 June (no holiday between).
MAY_DUE = dt.date(2026, 6, 12)


def at(*args) -> dt.datetime:
    return dt.datetime(*args, 9, 0, tzinfo=TAIPEI)


@pytest.fixture
def monthly(people, city):
    """A 2026 plan of PW with one monthly KPI; January to April are in."""
    officer = people["officer"]
    plan = services.plan_create(
        actor=officer,
        department=city["pw"],
        kind="annual",
        title="工務處115年度施政計畫",
        first_year=2026,
        last_year=2026,
    )
    goal = services.goal_create(actor=officer, plan=plan, number="一", title="提升工程品質")
    kpi = services.kpi_create(
        actor=officer,
        goal=goal,
        name="工程查核完成率",
        measure="%",
        frequency="monthly",
        targets={2026: "≧80%"},
    )
    for month in range(1, 5):
        services.measurement_record(
            actor=people["liaison"], kpi=kpi, year=2026, period=month, value=90
        )
    # Each value asked the head to approve it; these tests are about the reminders only.
    Notification.objects.filter(task_key__startswith="plans.review:").delete()
    return kpi


def notices(user=None):
    rows = Notification.objects.order_by("id")
    if user is not None:
        rows = rows.filter(recipient=user)
    return [(n.recipient.username, n.subject) for n in rows]


def test_it_counts_the_due_date_in_working_days(monthly):
    assert selectors.period_end(monthly, 2026, 5) == dt.date(2026, 5, 31)
    assert selectors.due_date(monthly, 2026, 5) == MAY_DUE


def test_it_moves_the_due_date_past_a_typhoon_day(monthly, people):
    calendar.override_set(
        actor=people["admin"], date=dt.date(2026, 6, 3), is_working_day=False, reason="颱風停班"
    )
    assert selectors.due_date(monthly, 2026, 5) == dt.date(2026, 6, 15)
    calendar.override_set(  # a make-up Saturday brings it back
        actor=people["admin"], date=dt.date(2026, 6, 6), is_working_day=True, reason="補行上班"
    )
    assert selectors.due_date(monthly, 2026, 5) == MAY_DUE


@pytest.mark.parametrize(
    ("now", "kind"),
    [
        (at(2026, 6, 8), None),  # four days ahead: not yet
        (at(2026, 6, 9), "Due 115/06/12"),
        (at(2026, 6, 12), "Due today"),
        (at(2026, 6, 13), "Overdue"),
    ],
)
def test_it_reminds_the_departments_liaisons(now, kind, monthly, people):
    measurement_reminders(now)
    if kind is None:
        assert notices() == []
        return
    ((who, subject),) = notices()
    assert who == "liaison"
    assert subject.startswith(kind)
    assert "工程查核完成率" in subject and "115/5" in subject


def test_it_sends_each_notice_once_across_reruns_and_workers(monthly, people):
    for now in (at(2026, 6, 10), at(2026, 6, 12), at(2026, 6, 15)):
        assert measurement_reminders(now) == 1
        assert measurement_reminders(now) == 0  # a rerun, or a second worker
        assert measurement_reminders(now + dt.timedelta(hours=5)) == 0
    subjects = [s for _, s in notices(people["liaison"])]
    assert [s.split(":")[0] for s in subjects] == ["Due 115/06/12", "Due today", "Overdue"]
    assert notices(people["head"]) == notices(people["other_liaison"]) == []
    assert NoticeSent.objects.count() == 3


def test_it_runs_the_reminders_through_the_worker_command_once(monthly, people):
    out = io.StringIO()
    with mock.patch.object(timezone, "now", return_value=at(2026, 6, 15)):
        call_command("worker", "--once", stdout=out)
        call_command("worker", "--once", stdout=out)
        call_command("worker", "--once", "--job", "plans.measurement_reminders", stdout=out)
    ((who, subject),) = notices()
    assert who == "liaison" and subject.startswith("Overdue")
    lines = [line for line in out.getvalue().splitlines() if "plans.measurement_reminders" in line]
    assert [line.rsplit(": ", 1)[1] for line in lines] == ["1", "0", "0"]


def test_it_runs_every_registered_job_and_survives_a_failing_one(monthly):
    names = {job.name for job in jobs.all_jobs()}
    assert {"plans.compute_metrics", "plans.measurement_reminders"} <= names
    with mock.patch(
        "guankao.plans.jobs.periods_due", side_effect=RuntimeError("database went away")
    ):
        done = jobs.run_once(at(2026, 6, 15))
    assert done["plans.measurement_reminders"] == -1
    assert done["plans.compute_metrics"] == 0


def test_it_claims_a_key_once(db):
    assert jobs.claim("test:key")
    assert not jobs.claim("test:key")
    assert NoticeSent.objects.filter(key="test:key").count() == 1


def test_it_does_not_claim_a_notice_that_failed_to_go_out(monthly):
    with (
        mock.patch("guankao.core.services.notify_roles", side_effect=RuntimeError("mail down")),
        pytest.raises(RuntimeError),
    ):
        measurement_reminders(at(2026, 6, 15))
    assert not NoticeSent.objects.exists()
    assert measurement_reminders(at(2026, 6, 15)) == 1


def test_it_stops_reminding_once_a_value_is_in_and_again_when_returned(monthly, people):
    m = services.measurement_record(
        actor=people["liaison"], kpi=monthly, year=2026, period=5, value=85
    )
    assert measurement_reminders(at(2026, 6, 15)) == 0
    services.measurement_return(actor=people["head"], measurement_id=m.pk, reason="請附佐證")
    assert measurement_reminders(at(2026, 6, 15)) == 1


def test_it_does_not_remind_for_computed_kpis(kpis):
    sent = measurement_reminders(at(2026, 6, 15))
    assert not any("年度施政計畫依限完成率" in s for _, s in notices())
    assert sent == len(notices()) > 0


# The "my updates" page ---------------------------------------------------------------------


def _page(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with mock.patch.object(timezone, "now", return_value=at(2026, 6, 15)):
        return client.get("/plans/my-updates/").content.decode()


def test_it_lists_due_and_returned_values_for_the_liaison(monthly, people, clients):
    m = services.measurement_record(
        actor=people["liaison"], kpi=monthly, year=2026, period=1, value=85
    )
    services.measurement_return(actor=people["head"], measurement_id=m.pk, reason="請附佐證")
    html = _page(clients["liaison"])
    assert "Overdue" in html  # May, due 12 June
    assert "115/5" in html and "115/06/12" in html
    assert "Returned to you for correction" in html and "請附佐證" in html
    assert "Waiting for your approval" not in html


def test_it_lists_pending_approvals_for_the_head(monthly, people, clients):
    html = _page(clients["head"])
    assert "Waiting for your approval" in html
    assert html.count("工程查核完成率") >= 4  # January to April wait for approval


@pytest.mark.parametrize("persona", ["other_liaison", "executive", "officer", "unplaced"])
def test_it_lists_nothing_of_pw_for_others(persona, monthly, clients):
    html = _page(clients[persona])
    assert "Nothing due." in html
    assert "Waiting for your approval" not in html


def test_it_asks_anonymous_visitors_to_sign_in(clients):
    response = clients["anonymous"].get("/plans/my-updates/")
    assert response.status_code == 302
    assert "/login" in response["Location"] or "login" in response["Location"]


def test_it_builds_the_page_in_the_same_number_of_queries_for_more_kpis(monthly, people, clients):
    client = clients["liaison"]
    _page(client)
    with CaptureQueriesContext(connection) as one:
        _page(client)
    for i in range(10):
        services.kpi_create(
            actor=people["officer"],
            goal=monthly.goal,
            name=f"KPI {i}",
            measure="次",
            frequency="monthly",
            targets={2026: "≧1"},
        )
    with CaptureQueriesContext(connection) as eleven:
        html = _page(client)
    assert html.count("KPI 9") == 5  # January to May
    assert len(one) == len(eleven)


def _broken(now):
    raise RuntimeError("broken")


def test_it_exits_with_an_error_when_a_job_fails_but_runs_the_others(monthly):
    jobs.all_jobs()  # registered before one is swapped for a broken one
    out = io.StringIO()
    with (
        mock.patch.object(timezone, "now", return_value=at(2026, 6, 15)),
        mock.patch.dict(
            jobs._jobs,
            {
                "plans.compute_metrics": jobs.Job(
                    "plans.compute_metrics", dt.timedelta(hours=1), _broken
                )
            },
        ),
        pytest.raises(CommandError, match="plans.compute_metrics"),
    ):
        call_command("worker", "--once", stdout=out)
    assert "plans.measurement_reminders: 1" in out.getvalue()
    assert len(notices()) == 1


def test_it_refuses_an_unknown_job_name(db):
    with pytest.raises(CommandError, match="no such job"):
        call_command("worker", "--once", "--job", "plans.nothing", stdout=io.StringIO())


def test_a_reminder_is_done_once_the_value_is_entered(monthly, people):
    assert measurement_reminders(at(2026, 6, 15)) == 1  # May's value is overdue
    reminder = Notification.objects.get(task_key=f"plans.due:{monthly.pk}:2026:5")
    assert reminder.done_at is None
    services.measurement_record(actor=people["liaison"], kpi=monthly, year=2026, period=5, value=90)
    reminder.refresh_from_db()
    assert reminder.done_at is not None and reminder.read_at is not None
