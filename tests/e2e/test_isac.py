"""The ISAC's pages in a real browser as the CISO: publish an incident through the form,
open the indicator and report a sighting, search by value; axe-core clean on every page at
1366 and 390 px, and no page scrolls sideways. Screenshots go to GUANKAO_SCREENSHOTS if set."""

import os

import pytest

from guankao.security.isac.models import StixObject
from tests.e2e.helpers import describe, serious_violations, sign_in_by_cookie

pytestmark = pytest.mark.e2e
SIZES = {"wide": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}


def _check(page, url: str, name: str) -> None:
    response = page.goto(url)
    assert response is not None and response.ok, f"{url}: {response and response.status}"
    violations = serious_violations(page)
    assert not violations, describe(url, violations)
    wide = page.evaluate("document.documentElement.scrollWidth > window.innerWidth + 1")
    assert not wide, f"{url} scrolls sideways"
    folder = os.environ.get("GUANKAO_SCREENSHOTS")
    if folder:
        width = page.viewport_size["width"]
        page.screenshot(path=f"{folder}/isac-{name}-{width}.png", full_page=True)


def test_the_ciso_publishes_and_reads_the_isac(page, live_server, isac, sec_people):
    sign_in_by_cookie(page, live_server, sec_people["ciso"])
    page.goto("/isac/publish/")
    page.get_by_label("事件名稱").fill("釣魚郵件冒用公文")
    page.locator("textarea[name=indicators]").fill("phish.example\n203.0.113.9")
    page.locator("select[name=tlp]").select_option("green")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert "/isac/objects/incident--" in page.url
    indicator = StixObject.objects.filter(type="indicator").order_by("pk").first()
    for size in SIZES.values():
        page.set_viewport_size(size)
        _check(page, "/isac/", "dashboard")
        _check(page, "/isac/?q=203.0.113.9", "search")
        _check(page, "/isac/publish/", "publish")
        _check(page, "/isac/members/", "members")
        _check(page, f"/isac/members/{isac['county'][0].pk}/", "member")
        _check(page, f"/isac/objects/{indicator.stix_id}/", "object")
        _check(page, "/isac/upstreams/", "upstreams")
    page.goto(f"/isac/objects/{indicator.stix_id}/")
    page.locator("input[name=count]").fill("2")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert page.locator("main .messages, .messages").first.is_visible()
