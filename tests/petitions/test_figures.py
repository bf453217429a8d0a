"""The kept figures of closed cases: recounted by every service that closes, reopens or
surveys a case, equal to a count over the cases at every step, scoped like the cases, and
the overview a fixed number of queries over them."""

import datetime as dt
import hashlib
import threading

import pytest
from django.core.management import call_command
from django.db import connection, connections
from django.db.models import Count, F, Q
from django.utils import timezone

from guankao.petitions import figures, handling, selectors, services
from guankao.petitions.models import OPEN_STATUSES, Case, DepartmentRule, Figure, Survey
from tests.petitions.test_intake import file

pytestmark = pytest.mark.django_db


def brute(year: int) -> dict:
    """The overview's totals counted straight from the cases, as the first version did."""
    rows = Case.objects.filter(received_at__year=year)
    today = timezone.localdate()
    counted = ~Q(status__in=("answered", "not_processed", "merged"))
    due = counted & Q(due_date__lt=today)
    return rows.aggregate(
        received=Count("pk"),
        closed=Count("pk", filter=Q(status__in=figures.CLOSED)),
        open=Count("pk", filter=Q(status__in=OPEN_STATUSES)),
        due=Count("pk", filter=due),
        on_time=Count("pk", filter=due & Q(status="replied", closed_at__date__lte=F("due_date"))),
        extended=Count("pk", filter=Q(extensions__gt=0)),
    )


def agrees(user, year=2026):
    assert figures.check() == []
    o = selectors.overview(user=user, year=year)
    b = brute(year)
    assert (o.received, o.closed, o.open, o.due, o.on_time, o.extended) == (
        b["received"],
        b["closed"],
        b["open"],
        b["due"],
        b["on_time"],
        b["extended"],
    )
    return o


def test_every_closing_and_reopening_keeps_the_figures_exact(people, calltaker, categories, city):
    officer = people["officer"]
    DepartmentRule.objects.create(department=city["pw"], reply_needs_approval=False)
    agrees(officer)
    replied = file(calltaker, categories["pothole"], email="citizen@example.com")
    late = file(calltaker, categories["pothole"])
    Case.objects.filter(pk=late.pk).update(due_date=dt.date(2026, 11, 28))
    o = agrees(officer)
    assert (o.received, o.open, o.closed) == (2, 2, 0)

    handling.reply_draft(actor=people["liaison"], case=replied, text="已修補。", method="email")
    handling.reply_draft(actor=people["liaison"], case=late, text="已修補。", method="letter")
    o = agrees(officer)
    # The first was answered before its deadline (next week): not due yet, so not counted.
    assert (o.closed, o.open, o.due, o.on_time) == (2, 0, 1, 0)
    assert o.average_workdays is not None

    token = "known"
    Survey.objects.filter(case=replied).update(
        token_hash=hashlib.sha256(token.encode()).hexdigest()
    )
    handling.survey_answer(token=token, speed=1, attitude=2, result=1, comment="沒修好")
    o = agrees(officer)
    assert o.satisfaction == {"answered": 1, "speed": 1, "attitude": 2, "result": 1}

    again = timezone.localdate() + dt.timedelta(days=3)
    handling.case_reopen(actor=officer, case=replied, reason="民眾不滿意", due=again)
    o = agrees(officer)
    assert (o.closed, o.open) == (1, 1)
    assert o.satisfaction["answered"] == 1  # the reopened case's survey still counts

    consultation = file(calltaker, categories["subsidy"], kind="consultation", answer="已說明")
    assert consultation.status == "answered"
    dropped = file(calltaker, categories["subsidy"])
    services.case_not_processed(actor=officer, case=dropped, rule="no_content")
    repeat = file(calltaker, categories["pothole"])
    services.case_merge(actor=officer, case=repeat, into=replied)
    o = agrees(officer)
    assert (o.received, o.closed, o.open) == (5, 4, 1)
    assert {r["channel"]: r["received"] for r in o.by_channel} == {"phone": 5}
    assert sum(r["closed"] for r in o.by_department) == 4


def test_the_rebuild_and_the_check_command_agree(people, calltaker, categories, city, capsys):
    DepartmentRule.objects.create(department=city["pw"], reply_needs_approval=False)
    case = file(calltaker, categories["pothole"])
    handling.reply_draft(actor=people["liaison"], case=case, text="已修補。", method="letter")
    Figure.objects.update(closed=7)  # drifted, as if edited by hand
    with pytest.raises(Exception, match="1 buckets differ"):
        call_command("petitions_figures")
    call_command("petitions_figures", "--rebuild")
    call_command("petitions_figures")
    assert "agree" in capsys.readouterr().out
    assert Figure.objects.get().closed == 1


def test_figures_are_scoped_like_the_cases(people, calltaker, categories, city):
    DepartmentRule.objects.create(department=city["pw"], reply_needs_approval=False)
    secret = file(calltaker, categories["pothole"], confidential=True)
    handling.reply_draft(actor=people["liaison"], case=secret, text="已處理。", method="letter")
    file(calltaker, categories["subsidy"])
    assert selectors.overview(user=people["officer"], year=2026).received == 2
    assert selectors.overview(user=people["executive"], year=2026).received == 1
    assert selectors.overview(user=people["liaison"], year=2026).received == 1  # PW's own
    assert selectors.overview(user=people["other_liaison"], year=2026).received == 1  # SOC
    assert selectors.overview(user=people["worker"], year=2026).received == 0
    pw = selectors.overview(user=people["officer"], year=2026, department=city["pw"])
    assert (pw.received, pw.closed) == (1, 1)


def test_the_overview_runs_the_same_queries_whatever_the_cases(
    people, calltaker, categories, city, django_assert_num_queries
):
    DepartmentRule.objects.create(department=city["pw"], reply_needs_approval=False)
    officer = people["officer"]
    selectors.overview(user=officer, year=2026)  # the officer's roles, read once

    def queries() -> int:
        with django_assert_num_queries(8) as captured:
            selectors.overview(user=officer, year=2026)
        return len(captured.captured_queries)

    assert queries() == 8
    for n in range(6):
        channel = "phone" if n % 2 else "email"  # e-mail waits for the officer to assign it
        case = file(calltaker, categories["pothole" if n % 2 else "subsidy"], channel=channel)
        if n % 2:
            handling.reply_draft(actor=people["liaison"], case=case, text="好", method="letter")
    assert queries() == 8


@pytest.mark.django_db(transaction=True)
def test_two_closings_in_one_bucket_at_once_are_both_counted(people, calltaker, categories, city):
    """Each recount holds its bucket's row: the second waits and counts both cases."""
    if connection.vendor == "sqlite":
        pytest.skip("SQLite writes one transaction at a time; PostgreSQL is the case here")
    DepartmentRule.objects.create(department=city["pw"], reply_needs_approval=False)
    cases = [file(calltaker, categories["pothole"]) for _ in range(2)]
    handling.reply_draft(
        actor=people["liaison"],
        case=file(calltaker, categories["pothole"]),
        text="先結一案",
        method="letter",
    )  # the bucket's row exists already
    start, errors = threading.Barrier(2), []

    def close(case):
        try:
            start.wait(5)
            handling.reply_draft(
                actor=people["liaison"], case=case, text="已修補。", method="letter"
            )
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=close, args=(c,)) for c in cases]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == []
    assert figures.check() == []
    assert Figure.objects.get().closed == 3


def test_a_batch_counts_each_bucket_once_at_its_end(people, calltaker, categories, city):
    DepartmentRule.objects.create(department=city["pw"], reply_needs_approval=False)
    with figures.batch():
        for _ in range(3):
            case = file(calltaker, categories["pothole"])
            handling.reply_draft(
                actor=people["liaison"], case=case, text="已修補。", method="letter"
            )
        assert not Figure.objects.exists()  # waiting for the end
    assert figures.check() == []
    assert Figure.objects.get().closed == 3
