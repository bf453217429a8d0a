"""Smart dispatch in a real browser: the call-taker sees a possible duplicate while typing
and files the call into it (併案) with one button; the officer's assign page then offers
that merge first. axe-core clean with the suggestions on screen, no sideways scroll at
390 px. Screenshots go to $GUANKAO_SHOTS when set."""

import os
from pathlib import Path

import pytest

from guankao.core.models import Role
from guankao.petitions import services
from guankao.petitions.models import DispatchChoice
from tests.conftest import make_department, make_user
from tests.e2e.helpers import describe, serious_violations, sign_in
from tests.petitions.conftest import make_category

pytestmark = pytest.mark.e2e
TEXT = "中山路和民權路口的路面有一個大坑洞，機車騎過去很危險"


@pytest.fixture
def earlier(city, people):
    roads = make_category("roads", "道路養護")
    pothole = make_category("pothole", "道路坑洞", roads, city["pw"], keywords="坑洞 路面")
    lights = make_category("lights", "路燈")
    make_category("light_out", "路燈不亮", lights, city["pw"], keywords="路燈")
    make_user("callcentre", make_department("ST-1999", "市民服務中心", "section"), Role.CALLTAKER)
    return services.case_file(
        actor=people["officer"],
        kind="petition",
        channel="phone",
        subject="中山路民權路口坑洞",
        text=TEXT,
        category=pothole,
    )


def _shoot(page, name):
    folder = os.environ.get("GUANKAO_SHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        for width, height in ((1366, 900), (390, 844)):
            page.set_viewport_size({"width": width, "height": height})
            page.screenshot(path=f"{folder}/{name}-{width}.png", full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"{name} scrolls sideways at 390 px: {widths}"
    page.set_viewport_size({"width": 1366, "height": 900})


def test_the_call_taker_files_a_call_into_its_possible_duplicate(page, earlier):
    sign_in(page, "callcentre")
    page.goto("/petitions/intake/")
    page.locator("#id_subject").fill("路口坑洞")
    page.locator("#id_text").focus()
    page.keyboard.type(TEXT)
    merge = page.locator("#dispatch-suggestions button.merge-into").first
    merge.wait_for()
    assert earlier.number in page.locator("[data-role=duplicates]").inner_text()
    page.locator("#dispatch-suggestions .suggestion-choices button").first.click()
    assert page.locator("#id_category").input_value() == "pothole"
    violations = serious_violations(page)
    assert not violations, describe("/petitions/intake/ (a duplicate shown)", violations)
    _shoot(page, "intake-duplicate")
    with page.expect_navigation():
        merge.click()
    page.wait_for_selector(".filed-number")
    assert earlier.number in page.locator("main").inner_text()
    choice = DispatchChoice.objects.get(stage="intake")
    assert choice.duplicate_of == earlier and choice.case.status != "merged"

    page.context.clear_cookies()
    sign_in(page, "officer")
    page.goto(f"/petitions/cases/{choice.case.pk}/assign/")
    link = page.locator(f"a[href$='merge/?into={earlier.number}']").first
    assert link.is_visible()
    violations = serious_violations(page)
    assert not violations, describe("assign page (a marked duplicate)", violations)
    _shoot(page, "assign-marked")
    link.click()
    page.wait_for_url("**/merge/**")
    assert page.locator("#id_into").input_value() == earlier.number
