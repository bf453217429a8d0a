"""Chasing (稽催) by the worker: before the due day, on it, after it, escalation, each once."""

import datetime as dt
import io
import threading
from unittest import mock

import pytest
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.utils import timezone, translation

from guankao.core import calendar
from guankao.core.models import Notification
from guankao.tracking import jobs, release, reporting, services
from guankao.tracking.models import Chase, Item, Report

from .conftest import at, file


@pytest.fixture(autouse=True)
def _english():
    """Notices are written in the platform's language (zh-Hant); these tests read English."""
    with translation.override("en"):
        yield


def notices(user=None):
    rows = Notification.objects.order_by("pk")
    if user is not None:
        rows = rows.filter(recipient=user)
    return [(n.recipient.username, n.subject) for n in rows]


def kinds(item):
    return sorted(item.chases.values_list("kind", flat=True))


def test_it_puts_the_due_day_on_the_rules_day_or_the_next_working_day(db):
    assert services.report_due(2026, 10) == dt.date(2026, 11, 5)  # a Thursday
    assert services.report_due(2026, 11) == dt.date(2026, 12, 7)  # the 5th is a Saturday
    assert services.report_due(2026, 12) == dt.date(2027, 1, 5)


def test_it_moves_the_due_day_past_a_typhoon_day(people):
    calendar.override_set(
        actor=people["admin"], date=dt.date(2026, 11, 5), is_working_day=False, reason="颱風停班"
    )
    assert services.report_due(2026, 10) == dt.date(2026, 11, 6)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (dt.date(2026, 11, 1), []),  # a Sunday of the month the October report is due
        (dt.date(2026, 11, 2), ["soon"]),  # three working days before Thursday the 5th
        (dt.date(2026, 11, 5), ["due"]),
        (dt.date(2026, 11, 6), ["overdue"]),
        (dt.date(2026, 11, 10), ["escalated", "overdue"]),  # three working days after
    ],
)
def test_it_sends_the_notice_of_the_day(day, expected, works, people):
    jobs.sweep(day, at(day.year, day.month, day.day))
    assert kinds(works) == expected


def test_it_sends_each_notice_once_across_reruns(works, directive, people):
    for day in (
        dt.date(2026, 11, 2),
        dt.date(2026, 11, 5),
        dt.date(2026, 11, 6),
        dt.date(2026, 11, 10),
    ):
        first = jobs.sweep(day, at(day.year, day.month, day.day))
        again = jobs.sweep(day, at(day.year, day.month, day.day, 15))
        assert first["notices"] >= 1 and again["notices"] == 0
    # One digest per person and kind, listing both items; the head only for the escalation.
    liaison = [s for _u, s in notices(people["liaison"])]
    assert len(liaison) == 3 and all("2 item(s)" in s for s in liaison)
    assert [s.split(":")[0] for _u, s in notices(people["head"]) if "Escalated" in s] == [
        "Escalated"
    ]
    assert notices(people["other_liaison"]) == []
    assert Chase.objects.count() == 8  # 2 items × soon, due, overdue, escalated


def test_it_writes_notices_in_traditional_chinese_by_default(works, people):
    with translation.override(settings.LANGUAGE_CODE):  # as the worker command runs
        jobs.sweep(dt.date(2026, 11, 6), at(2026, 11, 6))
    ((_who, subject),) = notices(people["liaison"])
    assert subject == "115/10 月報逾期未填報（期限 115/11/05）：共 1 案"


def test_it_runs_through_the_worker_command_once(works, people):
    out = io.StringIO()
    with mock.patch.object(timezone, "now", return_value=at(2026, 11, 6)):
        call_command("worker", "--once", "--job", "tracking.chase", stdout=out)
        call_command("worker", "--once", "--job", "tracking.chase", stdout=out)
    assert kinds(works) == ["overdue"]
    lines = [line for line in out.getvalue().splitlines() if "tracking.chase" in line]
    assert [line.rsplit(": ", 1)[1] for line in lines] == ["1", "0"]


def test_it_stops_chasing_once_the_report_is_filed(works, directive, people):
    file(works, people["liaison"], 2026, 10, "40", "40", now=at(2026, 11, 3))
    jobs.sweep(dt.date(2026, 11, 6), at(2026, 11, 6))
    assert kinds(works) == [] and kinds(directive) == ["overdue"]


def test_it_flags_an_overdue_item_and_raises_its_risk(works, people):
    file(works, people["liaison"], 2026, 9, "40", "35", now=at(2026, 10, 3))
    works.refresh_from_db()
    assert works.lag == Item.Lag.BEHIND and works.risk == Item.Risk.MEDIUM
    result = jobs.sweep(dt.date(2026, 11, 6), at(2026, 11, 6))
    works.refresh_from_db()
    assert result["flagged"] == 1 and works.report_overdue and works.risk == Item.Risk.HIGH
    file(works, people["liaison"], 2026, 10, "50", "50", now=at(2026, 11, 7))
    works.refresh_from_db()
    # Still at risk: 15 points a month reaches 100% after the planned finish (31 December).
    assert not works.report_overdue and works.risk == Item.Risk.MEDIUM and works.forecast_late


def test_it_does_not_chase_released_items_or_items_placed_after_the_month(works, people, city):
    release.release_request(
        actor=people["liaison"], item=works, result="完工", exception_reason="驗收紀錄補送中"
    )
    release.release_approve(actor=people["officer"], item=works, note="同意")
    services.item_create(
        actor=people["liaison"], kind="works", number="NEW", title="新案", lead=city["pw"]
    )  # created "today" (after October)
    with mock.patch.object(timezone, "now", return_value=at(2026, 11, 6)):
        assert jobs.sweep(dt.date(2026, 11, 6), at(2026, 11, 6))["notices"] == 0


def test_it_reminds_a_head_whose_review_is_overdue(works, people):
    report = file(works, people["liaison"], 2026, 10, "40", "40", now=at(2026, 11, 3))
    assert report.review_due == dt.date(2026, 11, 12)  # seven working days
    jobs.sweep(dt.date(2026, 11, 12), at(2026, 11, 12))
    assert kinds(works) == []
    jobs.sweep(dt.date(2026, 11, 13), at(2026, 11, 13))
    jobs.sweep(dt.date(2026, 11, 13), at(2026, 11, 13, 16))
    assert kinds(works) == ["review"]
    assert [s for _u, s in notices(people["head"]) if "approval" in s]
    Report.objects.filter(pk=report.pk).update(state="approved")
    assert jobs.sweep(dt.date(2026, 11, 16), at(2026, 11, 16))["notices"] == 0


@pytest.mark.django_db(transaction=True)
def test_it_sends_nothing_twice_with_two_workers_at_once(people, city):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL (SQLite serialises the whole file)")
    for n in range(30):
        item = services.item_create(
            actor=people["liaison"], kind="works", number=f"C{n}", title="t", lead=city["pw"]
        )
        Item.objects.filter(pk=item.pk).update(created_at=at(2026, 1, 5))
    results, barrier = [], threading.Barrier(2)

    def work():
        try:
            barrier.wait()
            results.append(jobs.sweep(dt.date(2026, 11, 6), at(2026, 11, 6)))
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert Chase.objects.filter(kind="overdue").count() == 30
    assert Notification.objects.count() == 1  # one digest for the one liaison
    assert sorted(r["notices"] for r in results) == [0, 1]


def test_a_directive_turns_high_risk_the_day_after_its_due_date(directive, people):
    reporting.report_file(
        actor=people["liaison"],
        item=directive,
        year=2026,
        month=11,
        now=at(2026, 12, 3),
        work_done="研議中",
        handling="in_progress",
        result="持續辦理",
    )
    directive.refresh_from_db()
    assert directive.risk == Item.Risk.LOW
    jobs.sweep(dt.date(2026, 12, 31), at(2026, 12, 31))
    directive.refresh_from_db()
    assert directive.risk == Item.Risk.LOW  # due on the 31st: not yet past
    jobs.sweep(dt.date(2027, 1, 1), at(2027, 1, 1))
    directive.refresh_from_db()
    assert directive.risk == Item.Risk.HIGH


def test_the_chase_digest_is_emailed_after_its_claim_commits(
    works, directive, people, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        jobs.sweep(dt.date(2026, 11, 6), at(2026, 11, 6))
        assert mail.outbox == []  # nothing leaves before the commit
    assert callbacks
    assert [m.to for m in mail.outbox] == [["liaison@example.gov.tw"]]
    assert "2 item(s)" in mail.outbox[0].subject
    note = Notification.objects.get(recipient=people["liaison"])
    assert note.emailed_at is not None and note.email_due_at is None
