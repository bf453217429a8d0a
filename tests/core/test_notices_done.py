"""Notices about a task are done when the task is; approvals and returns tell the people
concerned and say so; the inbox is grouped by day, filtered and cleared; e-mails link to
the full address (the demo loads without mail: tests/test_demo.py)."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone, translation

from guankao.core.models import Notification
from tests.core.test_home import _file, _item, _kpi


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def clients(clients):
    for client in clients.values():
        client.cookies["django_language"] = "en"
    return clients


def _notices(user, **filters):
    return Notification.objects.filter(recipient=user, **filters)


def test_a_kpi_value_to_approve_is_done_once_approved_and_the_liaison_is_told(
    clients, people, city, settings, django_capture_on_commit_callbacks
):
    settings.GUANKAO_BASE_URL = "https://guankao.example.gov.tw"
    kpi = _kpi(people, city["pw"])
    clients["liaison"].post(
        f"/plans/kpis/{kpi.pk}/?year=115",
        {"action": "record", "year": "115", "period": "3", "value": "85", "note": ""},
    )
    ask = _notices(people["head"]).get()
    assert ask.subject == "To approve: KPI 一-1 工程查核完成率, 115/3"
    assert ask.task_key and ask.done_at is None and ask.read_at is None
    m = kpi.measurements.get()

    with django_capture_on_commit_callbacks(execute=True):
        response = clients["head"].post(
            f"/plans/kpis/{kpi.pk}/?year=115",
            {"action": "approve", "measurement": str(m.pk)},
            follow=True,
        )
    said = [str(msg) for msg in response.context["messages"]]
    assert said == [
        "Approved: KPI 一-1 工程查核完成率, 115/3; it now counts on the scorecard. "
        "liaison told in the app and by e-mail."
    ]
    ask.refresh_from_db()
    assert ask.done_at is not None and ask.read_at is not None
    told = _notices(people["liaison"]).get()
    assert told.subject == "Approved: KPI 一-1 工程查核完成率, 115/3"
    approved_mail = [e for e in mail.outbox if e.to == ["liaison@example.gov.tw"]]
    assert f"https://guankao.example.gov.tw/plans/kpis/{kpi.pk}/?year=115" in approved_mail[0].body


def test_a_returned_value_tells_filer_and_liaisons_and_clears_when_entered_again(
    clients, people, city
):
    from guankao.plans import services

    kpi = _kpi(people, city["pw"])
    m = services.measurement_record(actor=people["head"], kpi=kpi, year=2026, period=3, value=5)
    response = clients["admin"].post(
        f"/plans/kpis/{kpi.pk}/?year=115",
        {"action": "return", "measurement": str(m.pk), "reason": "請附佐證"},
        follow=True,
    )
    message = str(next(iter(response.context["messages"])))
    assert message.startswith("Returned for correction: KPI 一-1 工程查核完成率, 115/3.")
    assert "liaison、head told in the app and by e-mail" in message
    returned = _notices(people["liaison"]).get()
    assert returned.body == "Returned by admin: 請附佐證"
    assert returned.done_at is None
    services.measurement_record(actor=people["liaison"], kpi=kpi, year=2026, period=3, value=6)
    returned.refresh_from_db()
    assert returned.done_at is not None


def test_a_monthly_report_review_is_done_when_reviewed_and_the_return_is_done_when_refiled(
    people, city
):
    from guankao.tracking import reporting

    item = _item(people, city, "W-1")
    report = _file(item, people["liaison"], 9)
    ask = _notices(people["head"]).get()
    assert ask.task_key == f"tracking.review:{item.pk}:2026:9"
    returned = reporting.report_return(actor=people["head"], report=report, note="照片不清楚")
    assert [u.username for u in returned.notified] == ["liaison"]
    ask.refresh_from_db()
    assert ask.done_at is not None
    told = _notices(people["liaison"]).get()
    assert told.task_key == f"tracking.refile:{item.pk}:2026:9" and told.done_at is None
    assert "照片不清楚" in told.body
    _file(item, people["liaison"], 9)
    told.refresh_from_db()
    assert told.done_at is not None and told.read_at is not None


def test_the_chase_notice_is_done_when_the_department_owes_nothing(people, city):
    from guankao.tracking import jobs

    first, second = _item(people, city, "W-1"), _item(people, city, "W-2")
    for item in (first, second):
        for month in range(1, 10):
            _file(item, people["liaison"], month)
    jobs.sweep(dt.date(2026, 11, 12), timezone.make_aware(dt.datetime(2026, 11, 12, 9)))
    chase = _notices(people["liaison"], task_key__startswith="tracking.due:").get()
    assert chase.task_key == f"tracking.due:{city['pw'].pk}:2026:10"
    _file(first, people["liaison"], 10)
    chase.refresh_from_db()
    assert chase.done_at is None, "one case still owes October"
    _file(second, people["liaison"], 10)
    chase.refresh_from_db()
    assert chase.done_at is not None


def test_the_report_review_message_says_what_happened_and_who_was_told(clients, people, city):
    item = _item(people, city, "W-1")
    report = _file(item, people["liaison"], 9)
    response = clients["head"].post(
        f"/tracking/reports/{report.pk}/review/", {"action": "approve", "note": ""}, follow=True
    )
    said = [str(m) for m in response.context["messages"]]
    assert said == ["W-1, report for 115/09: Approved. liaison told in the app and by e-mail."]


def test_the_inbox_groups_by_day_filters_and_clears(clients, people):
    from guankao.core import services

    liaison = people["liaison"]
    services.notify(recipients=[liaison], subject="舊通知", task="")
    services.notify(recipients=[liaison], subject="待辦通知", task="plans.due:1:2026:3")
    services.notify(recipients=[liaison], subject="已辦通知", task="plans.due:1:2026:4")
    services.notices_done(task="plans.due:1:2026:4")
    Notification.objects.filter(subject="舊通知").update(
        created_at=timezone.now() - dt.timedelta(days=3)
    )
    client = clients["liaison"]
    page = client.get("/notifications/").content.decode()
    assert page.count('class="notice-day"') == 2
    assert page.index("待辦通知") < page.index("舊通知")

    open_only = client.get("/notifications/?show=open").content.decode()
    assert "待辦通知" in open_only and "已辦通知" not in open_only and "舊通知" not in open_only
    unread = client.get("/notifications/?show=unread").content.decode()
    assert "已辦通知" not in unread and "舊通知" in unread

    response = client.post("/notifications/?show=unread", follow=True)
    assert [str(m) for m in response.context["messages"]] == ["2 notices marked as read."]
    assert not _notices(liaison, read_at=None).exists()
    assert "No notifications." in response.content.decode()
