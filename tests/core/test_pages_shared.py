"""The shared page patterns: error pages in the layout, downloads named in Chinese with
the 民國 date, the audit trail in sentences, links only where the reader may follow them."""

import datetime as dt
from urllib.parse import quote

import pytest
from django.test import Client
from django.utils import timezone

from guankao.core import audit
from guankao.core.http import content_disposition, dated_filename
from guankao.core.models import AuditEntry
from guankao.tracking import meetings, reporting, services
from guankao.tracking.models import Item
from tests.tracking.conftest import file

pytestmark = pytest.mark.django_db


def test_it_answers_a_missing_page_in_the_layout_with_the_menu(clients):
    response = clients["liaison"].get("/no/such/page/", HTTP_REFERER="http://testserver/plans/")
    assert response.status_code == 404
    html = response.content.decode()
    assert 'class="main-nav"' in html and 'href="/"' in html
    assert 'href="http://testserver/plans/"' in html  # the way back, from this site only
    evil = clients["liaison"].get("/no/such/page/", HTTP_REFERER="https://evil.example/")
    assert "evil.example" not in evil.content.decode()


def test_a_missing_icon_fetched_beside_a_page_leaves_its_message(clients, people):
    """The browser asks for /favicon.ico while the next page loads: that 404 must not
    take the "done" message the page after a POST is about to show (a flaky e2e showed it)."""
    from guankao.core import services as core_services

    token, _ = core_services.token_create(actor=people["liaison"], name="x", days=30)
    client = clients["liaison"]
    client.cookies["django_language"] = "en"
    client.post(f"/account/tokens/{token.pk}/revoke/")
    assert client.get("/favicon.ico").status_code == 404
    assert "The token has been revoked." in client.get("/account/").content.decode()
    assert 'rel="icon"' in client.get("/account/").content.decode()


def test_it_answers_a_refusal_with_the_403_page(clients):
    response = clients["liaison"].get("/departments/new/")
    assert response.status_code == 403
    assert 'class="main-nav"' in response.content.decode()


def test_the_500_page_renders_without_a_request_or_a_database():
    from guankao.core.views_errors import server_error

    response = server_error(None)
    assert response.status_code == 500
    assert "500" in response.content.decode() and 'href="/"' in response.content.decode()


def test_downloads_are_named_in_chinese_with_the_roc_date():
    assert dated_filename("列管案件總表", "ods", dt.date(2026, 12, 3)) == "列管案件總表_1151203.ods"
    header = content_disposition("列管案件總表_1151203.ods", "tracking-board.ods")
    assert header == (
        'attachment; filename="tracking-board.ods"; '
        "filename*=UTF-8''" + quote("列管案件總表_1151203.ods", safe="")
    )


def test_the_board_download_carries_its_chinese_name(clients):
    response = clients["officer"].get("/tracking/board.ods")
    today = timezone.localdate()
    name = dated_filename("列管案件總表", "ods", today)
    assert "filename*=UTF-8''" + quote(name, safe="") in response["Content-Disposition"]


@pytest.fixture
def works(people, city):
    return services.item_create(
        actor=people["liaison"],
        kind="works",
        number="W-AUD-01",
        title="民族路人行道改善工程",
        lead=city["pw"],
        budget_total=12_000_000,
        finish_date=dt.date(2027, 8, 31),
    )


def test_the_audit_trail_reads_as_sentences(people, works, clients):
    services.item_update(
        actor=people["liaison"],
        item=works,
        budget_total=13_500_000,
        finish_date=dt.date(2027, 9, 30),
    )
    today = timezone.localdate()
    year, month = services.previous_month(today.year, today.month)
    report = file(works, people["liaison"], year, month, 40, 33, work_done="鋪面")
    reporting.report_approve(actor=people["head"], report=report, note="")
    entries = AuditEntry.objects.filter(object_type__startswith="tracking.")
    lines = [str(c) for d in audit.describe(entries) for c in d.changes]
    assert any("NT$12,000,000 → NT$13,500,000" in line for line in lines)
    assert any("116/08/31 → 116/09/30" in line for line in lines)
    assert any(line.endswith("33%") for line in lines)
    html = clients["liaison"].get(f"/tracking/items/{works.pk}/").content.decode()
    assert "待核定 → 已核定" in html and "狀態：" in html
    assert "<code>" not in html and "∅" not in html


def test_the_agenda_links_a_case_only_for_readers_who_may_open_it(people, works, clients):
    Item.objects.filter(pk=works.pk).update(lag=Item.Lag.SERIOUS, level=Item.Level.CITY)
    today = timezone.localdate()
    meeting = meetings.meeting_open(
        actor=people["officer"], year=today.year, month=today.month, held_on=today
    )
    url = f"/tracking/meetings/{meeting.pk}/"
    link = f'href="/tracking/items/{works.pk}/"'
    if meeting.agenda.filter(item=works).exists():
        assert link in clients["liaison"].get(url).content.decode()
        assert link not in clients["other_liaison"].get(url).content.decode()
        assert "W-AUD-01" in clients["other_liaison"].get(url).content.decode()


def test_a_failed_sign_in_is_a_400_with_the_summary():
    response = Client().post("/login/", {"username": "nobody", "password": "x"})
    assert response.status_code == 400
    assert "data-error-summary" in response.content.decode()


@pytest.mark.django_db
def test_a_capped_pager_stops_counting_at_its_cap(django_assert_num_queries):
    """A list of millions is not counted to the end on every page: past the cap it says
    "more than" and pages up to the cap, one bounded query."""
    from guankao.core.http import CappedPaginator
    from guankao.core.models import Department

    for i in range(5):
        Department.objects.create(code=f"CAP{i}", name=f"單位{i}", path=f"/cap{i}/")
    rows = Department.objects.filter(code__startswith="CAP").order_by("code")
    with django_assert_num_queries(1) as captured:
        pager = CappedPaginator(rows, 2, cap=3)
        assert (pager.count, pager.capped, pager.num_pages, pager.cap_text) == (3, True, 2, "3")
    assert "LIMIT 4" in captured.captured_queries[0]["sql"]
    assert "ORDER BY" not in captured.captured_queries[0]["sql"]
    whole = CappedPaginator(rows, 2, cap=10)
    assert (whole.count, whole.capped) == (5, False)
