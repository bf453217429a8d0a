"""Controlled cases in a real browser: a liaison files a late, behind report with a lag
reason and a photo; the head approves it; the item shows on the officer's board and on
the agenda of the month's control meeting; axe-core on the tracking pages."""

import datetime as dt
import io

import pytest
from django.utils import timezone
from PIL import Image

from guankao.lib.roc import format_roc, roc_year
from guankao.tracking import baselines, services
from guankao.tracking.models import Item, Report
from tests.e2e.helpers import assert_accessible, sign_in

pytestmark = pytest.mark.e2e


@pytest.fixture
def works(people, city):
    item = services.item_create(
        actor=people["liaison"],
        kind="works",
        number="W-E2E-01",
        title="民族路人行道改善工程",
        lead=city["pw"],
        budget_total=12_000_000,
        tender_number="PW-E2E-01",
        latitude="23.480000",
        longitude="120.449000",
        finish_date=timezone.localdate() + dt.timedelta(days=200),
    )
    Item.objects.filter(pk=item.pk).update(created_at=timezone.now() - dt.timedelta(days=400))
    # The approved baseline: 60% planned for the month the test reports, 100% at the finish.
    year, month = _two_months_ago()
    start = timezone.localdate() - dt.timedelta(days=400)
    finish = timezone.localdate() + dt.timedelta(days=200)
    months = f"{year - 1911}/{month:02d} 60\n{finish.year - 1911}/{finish.month:02d} 100"
    proposed = baselines.baseline_propose(
        actor=people["liaison"],
        item=item,
        method="typed",
        months_text=months,
        start_date=start,
        finish_date=finish,
    )
    baselines.baseline_approve(actor=people["officer"], baseline=proposed)
    item.refresh_from_db()
    return item


def _two_months_ago():
    """A month whose report is overdue whatever today is: filing it now is late."""
    today = timezone.localdate()
    year, month = services.previous_month(*services.previous_month(today.year, today.month))
    return year, month


def _photo(tmp_path):
    path = tmp_path / "現場照片.jpg"
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (30, 120, 200)).save(buffer, "JPEG")
    path.write_bytes(buffer.getvalue())
    return path


def test_a_late_behind_report_reaches_the_board_and_the_meeting(
    page, browser, live_server, people, works, tmp_path
):
    year, month = _two_months_ago()
    sign_in(page, "liaison")
    page.goto(f"/tracking/items/{works.pk}/report/?year={roc_year(year)}&month={month}")
    form = page.locator("main form[enctype='multipart/form-data']")
    assert page.locator("main", has_text="60%").count() >= 1  # the baseline's, not typed
    assert form.locator("input[name=planned]").count() == 0
    form.locator("input[name=actual]").fill("45")
    form.locator("textarea[name=work_done]").fill("完成人行道鋪面 300 公尺")
    with page.expect_navigation():  # behind without a lag reason: refused, field named
        form.locator("button[type=submit]").click()
    assert page.locator("textarea[name=lag_reason][aria-invalid=true]").count() == 1
    assert page.locator("main .errorlist", has_text="實際進度落後預定進度時必填").count() >= 1
    form = page.locator("main form[enctype='multipart/form-data']")
    form.locator("textarea[name=lag_reason]").fill("雨季停工，管線遷移延宕")
    form.locator("input[name=lag_categories][value=utilities]").check()
    form.locator("textarea[name=countermeasures]").fill("協調台電於下月完成遷移，假日趕工")
    form.locator("input[name=files]").set_input_files(str(_photo(tmp_path)))
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    report = Report.objects.get(item=works)
    assert report.late and report.behind and report.lag_reason
    assert page.locator("main img[src*='/thumbnail/']").count() == 1
    assert page.locator("main", has_text="雨季停工").count() == 1

    head = browser.new_context(base_url=live_server.url, locale="zh-TW").new_page()
    sign_in(head, "head")
    head.goto(f"/tracking/items/{works.pk}/")
    head.locator("button[name=action][value=approve]").click()
    head.locator("main .messages").wait_for()  # the page after the approval says so
    head.context.close()
    report.refresh_from_db()
    assert report.state == Report.State.APPROVED

    officer = browser.new_context(base_url=live_server.url, locale="zh-TW").new_page()
    sign_in(officer, "officer")
    officer.goto("/tracking/")
    behind = officer.locator("main section[aria-labelledby=behind-heading] table")
    assert behind.locator("tr", has_text="W-E2E-01").locator("text=嚴重落後").count() == 1
    officer.goto("/tracking/meetings/")
    today = timezone.localdate()
    form = officer.locator("main form", has=officer.locator("input[name=held_on]"))
    form.locator("input[name=year]").fill(str(roc_year(today.year)))
    form.locator("input[name=month]").fill(str(today.month))
    form.locator("input[name=held_on]").fill(format_roc(today))
    with officer.expect_navigation():
        form.locator("button[type=submit]").click()
    assert officer.url.rstrip("/").split("/")[-2] == "meetings"
    assert officer.locator("main a", has_text="W-E2E-01").count() >= 1
    officer.context.close()


def test_tracking_pages_have_no_serious_axe_violations(page, people, works):
    sign_in(page, "officer")
    for url in (
        "/tracking/",
        "/tracking/behind/",
        f"/tracking/items/{works.pk}/",
        "/tracking/items/",
        "/tracking/map/",
        "/tracking/meetings/",
        "/tracking/rules/",
        "/tracking/reasons/",
    ):
        assert_accessible(page, url)
    page.context.clear_cookies()
    sign_in(page, "liaison")
    for url in ("/tracking/my/", f"/tracking/items/{works.pk}/report/", "/tracking/import/"):
        assert_accessible(page, url)


def test_the_map_draws_the_items_and_says_when_tiles_do_not_load(page, people, works):
    sign_in(page, "officer")
    page.goto("/tracking/map/")
    page.wait_for_function("document.getElementById('tracking-map-notice').textContent.trim()")
    assert page.locator(".leaflet-interactive").count() == 1  # one circle marker
    assert page.locator("main table", has_text="W-E2E-01").count() == 1  # the list stays
