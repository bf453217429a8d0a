"""Petitions in a real browser: the call-taker files a case from the keyboard alone
(category found by typing in the filter box), the liaison drafts the reply, the head
approves it; axe-core clean on intake, inbox, case and overview; at 390 px no page
scrolls sideways."""

import pytest

from guankao.core.models import Role
from guankao.petitions.models import Case
from tests.conftest import make_department, make_user
from tests.e2e.helpers import assert_accessible, describe, serious_violations, sign_in
from tests.petitions.conftest import make_category

pytestmark = pytest.mark.e2e
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def tree(city):
    lights = make_category("lights", "路燈")
    make_category("light_out", "路燈不亮", lights, city["pw"])
    roads = make_category("roads", "道路養護")
    make_category("pothole", "道路坑洞", roads, city["pw"], keywords="坑洞 路面")
    return lights


@pytest.fixture
def calltaker(city):
    centre = make_department("ST-1999", "市民服務中心", "section", parent=city["st"])
    return make_user("callcentre", centre, Role.CALLTAKER)


def _no_sideways_scroll(page, url):
    page.set_viewport_size(PHONE)
    page.goto(url)
    widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"{url} scrolls sideways at 390 px: {widths}"


def test_a_call_is_filed_from_the_keyboard_and_answered(page, people, calltaker, tree):
    sign_in(page, "callcentre")
    page.goto("/petitions/intake/")
    page.locator("#id_channel").focus()
    page.keyboard.press("Tab")  # kind: petition (checked)
    page.locator("#category-filter").focus()
    page.keyboard.type("坑洞")
    assert page.locator("#id_category").input_value() == "pothole"
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.type("民族路口坑洞")
    page.keyboard.press("Tab")
    page.keyboard.type("民族路與中山路口有大坑洞，機車經過很危險。")
    page.locator("#id_phone").focus()
    page.keyboard.type("0912-345-678")
    page.locator("#id_phone").press("Enter")
    page.wait_for_selector(".filed-number")
    case = Case.objects.get()
    assert case.number in page.locator(".filed-number").inner_text()
    assert_accessible(page, "/petitions/intake/")

    page.context.clear_cookies()
    sign_in(page, "liaison")
    assert_accessible(page, "/petitions/inbox/")
    page.goto(f"/petitions/cases/{case.pk}/reply/")
    page.locator("#id_text").fill("已派員修補完成，謝謝您的通報。")
    page.locator("#id_method").select_option("phone")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"**/petitions/cases/{case.pk}/")
    case.refresh_from_db()
    assert case.status == Case.Status.DRAFTED
    assert_accessible(page, f"/petitions/cases/{case.pk}/")

    page.context.clear_cookies()
    sign_in(page, "head")
    page.goto(f"/petitions/cases/{case.pk}/approve/")
    page.get_by_label("核定並發送").check()
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"**/petitions/cases/{case.pk}/")
    case.refresh_from_db()
    assert case.status == Case.Status.REPLIED


def test_the_pages_are_accessible_and_fit_a_phone(page, people, calltaker, tree):
    from guankao.petitions import services

    case = services.case_file(
        actor=calltaker,
        kind="petition",
        channel="phone",
        subject="路燈不亮",
        text="巷口路燈不亮好幾天了",
        category="light_out",
        phone="0912-345-678",
    )
    sign_in(page, "officer")
    for url in ("/petitions/overview/", "/petitions/map/", "/petitions/knowledge/"):
        assert_accessible(page, url)
    for url in (
        "/petitions/intake/",
        "/petitions/inbox/",
        f"/petitions/cases/{case.pk}/",
        "/petitions/overview/",
    ):
        _no_sideways_scroll(page, url)


def test_the_call_taker_takes_a_suggested_category_from_the_keyboard(page, people, calltaker, tree):
    """With no model yet the suggestions come from the categories' keywords, and say so."""
    sign_in(page, "callcentre")
    page.goto("/petitions/intake/")
    page.locator("#id_text").focus()
    page.keyboard.type("中山路上有一個大坑洞，機車騎過去很危險")
    button = page.locator("#dispatch-suggestions .suggestion-choices button").first
    button.wait_for()
    assert "道路坑洞" in button.inner_text() and "%" in button.inner_text()
    assert "關鍵字" in page.locator("#dispatch-suggestions").inner_text()
    button.focus()
    page.keyboard.press("Enter")
    assert page.locator("#id_category").input_value() == "pothole"
    assert button.get_attribute("aria-pressed") == "true"
    assert page.locator("#id_suggested").input_value() == "rules"
    violations = serious_violations(page)  # with the suggestions on screen
    assert not violations, describe("/petitions/intake/", violations)
