"""Errors where the eye is, no dead ends, pages that work on a phone — in a real browser:
a refused 退回修正 shows its error summary at the form and takes the focus; a 404 is a
zh-Hant page inside the layout with the menu and a way back; at 390 px the scorecard, the
board and the case page do not scroll sideways; axe-core on each."""

import datetime as dt

import pytest
from django.utils import timezone

from guankao.tracking import reporting, services
from guankao.tracking.models import Item
from tests.e2e.helpers import describe, serious_violations, sign_in_by_cookie
from tests.seeded import lag_categories
from tests.tracking.conftest import plan

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def works(people, city):
    item = services.item_create(
        actor=people["liaison"],
        kind="works",
        number="W-FORM-01",
        title="民族路人行道暨周邊排水改善工程（第二期）",
        lead=city["pw"],
        budget_total=12_000_000,
        finish_date=timezone.localdate() + dt.timedelta(days=200),
    )
    Item.objects.filter(pk=item.pk).update(created_at=timezone.now() - dt.timedelta(days=400))
    return item


@pytest.fixture
def filed(people, works):
    today = timezone.localdate()
    year, month = services.previous_month(today.year, today.month)
    lag_categories()
    plan(works, year, month, "40", 4_000_000)  # the approved baseline's figures
    return reporting.report_file(
        actor=people["liaison"],
        item=works,
        year=year,
        month=month,
        actual="35",
        money_spent="3500000",
        work_done="完成人行道鋪面 120 公尺",
        problems="",
        lag_reason="雨天停工",
        lag_categories=["weather"],
    )


def _axe_clean(page, url):
    violations = serious_violations(page)
    assert not violations, describe(url, violations)


def test_a_refused_return_shows_its_summary_at_the_form_and_takes_the_focus(
    page, live_server, people, works, filed
):
    sign_in_by_cookie(page, live_server, people["head"])
    page.goto(f"/tracking/items/{works.pk}/")
    form = page.locator(f"#review-{filed.pk}")
    with page.expect_navigation() as navigation:
        form.locator("button[value=return]").click()  # no note: a return needs one
    assert navigation.value.status == 400
    assert page.url.endswith(f"#review-{filed.pk}")
    summary = page.locator("[data-error-summary]")
    assert summary.count() == 1
    assert form.locator("[data-error-summary]").count() == 1  # at the form, not the top
    page.wait_for_function("document.activeElement.hasAttribute('data-error-summary')")
    assert summary.is_visible()
    box = summary.bounding_box()
    assert box is not None and -2 <= box["y"] < page.viewport_size["height"]
    link = summary.locator(f"a[href='#note-{filed.pk}']")
    assert link.count() == 1
    link.click()
    page.wait_for_function(f"document.activeElement.id === 'note-{filed.pk}'")
    assert page.locator(f"#note-{filed.pk}").get_attribute("aria-invalid") == "true"
    _axe_clean(page, page.url)
    filed.refresh_from_db()
    assert filed.state == "submitted"  # nothing changed


def test_a_missing_page_is_a_zh_hant_page_with_the_menu_and_a_way_back(
    page, live_server, people, works
):
    sign_in_by_cookie(page, live_server, people["other_liaison"])
    response = page.goto("/tracking/items/999999/")
    assert response is not None and response.status == 404
    assert page.locator("html").get_attribute("lang") == "zh-Hant-TW"
    assert page.locator("main h1").inner_text() == "找不到這個頁面"
    assert page.locator("nav.main-nav a").count() > 0
    assert page.locator("main a[href='/']").count() == 1
    _axe_clean(page, page.url)
    # Another department's case reads the same: it is not the reader's to open.
    response = page.goto(f"/tracking/items/{works.pk}/")
    assert response is not None and response.status == 404
    assert page.locator("main h1").inner_text() == "找不到這個頁面"


@pytest.mark.parametrize("path", ["/scorecard/", "/tracking/", "case"])
def test_main_pages_fit_a_phone(browser, live_server, people, works, filed, path):
    context = browser.new_context(base_url=live_server.url, locale="zh-TW", viewport=PHONE)
    page = context.new_page()
    try:
        sign_in_by_cookie(page, live_server, people["officer"])
        url = f"/tracking/items/{works.pk}/" if path == "case" else path
        response = page.goto(url)
        assert response is not None and response.ok
        widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert widths[0] <= widths[1], f"{url} scrolls sideways at 390 px: {widths}"
        _axe_clean(page, url)
    finally:
        context.close()
