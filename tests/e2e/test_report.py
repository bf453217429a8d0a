"""The citizens' report pages in a real browser at phone width (390 px), signed in as no
one: a report filed with the keyboard alone while the map cannot load (the address is the
answer), then followed with its case number and code; a point placed on a map that does
load, with the keyboard and with the phone's location; axe-core clean on every page; no
page scrolls sideways. Nothing leaves 127.0.0.1: other requests are refused."""

import pytest

from guankao.petitions.models import Case, ServiceAttribute
from tests.e2e.helpers import describe, serious_violations
from tests.petitions.conftest import make_category

pytestmark = pytest.mark.e2e
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def street(city):
    roads = make_category("roads", "道路養護")
    pothole = make_category(
        "pothole", "道路坑洞", roads, city["pw"], public=True, keywords="坑洞 路面 凹洞"
    )
    lights = make_category("lights", "路燈")
    make_category("light_out", "路燈不亮", lights, city["pw"], public=True, keywords="路燈")
    ServiceAttribute.objects.create(
        category=pothole,
        code="size",
        datatype="singlevaluelist",
        description="坑洞大小",
        values=[{"key": "small", "name": "小於 30 公分"}, {"key": "large", "name": "30 公分以上"}],
    )
    return pothole


@pytest.fixture
def phone(page, live_server):
    local = live_server.url

    def only_local(route):
        if route.request.url.startswith((local, "data:")):
            route.continue_()
        else:
            route.abort()

    page.route("**/*", only_local)
    page.set_viewport_size(PHONE)
    return page


def _tab_to(page, selector: str, limit: int = 80) -> None:
    """Press Tab until the focus is on `selector`, as a keyboard user moves through a page."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
    pytest.fail(f"Tab never reached {selector}")


def _accessible_here(page) -> None:
    violations = serious_violations(page)
    if violations:
        pytest.fail(describe(page.url, violations), pytrace=False)
    widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"{page.url} scrolls sideways at 390 px: {widths}"


def test_a_report_is_filed_and_followed_with_the_keyboard_alone(phone, street):
    page = phone
    page.goto("/report/")
    page.wait_for_selector("#report-map-notice:not(:empty)")  # the tiles cannot load
    assert page.locator(".map-picker").is_hidden()
    _accessible_here(page)
    _tab_to(page, "#category-search")
    page.keyboard.type("坑洞")
    assert page.locator("#id_category").input_value() == "pothole"
    assert page.locator("fieldset[data-category=pothole]").is_visible()
    assert page.locator("fieldset[data-category=light_out]").count() == 0  # no questions
    page.keyboard.press("Tab")  # the category list, already on 道路坑洞
    page.keyboard.press("Tab")  # 坑洞大小
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    assert page.locator("fieldset[data-category=pothole] select").input_value() == "large"
    page.keyboard.press("Tab")
    page.keyboard.type("民族路與中山路口有大坑洞，機車經過很危險。")
    _tab_to(page, "#id_location")
    page.keyboard.type("民族路與中山路口")
    _tab_to(page, "#id_email")
    page.keyboard.type("wang@example.com")
    _tab_to(page, "#id_consent")
    page.keyboard.press("Space")
    _tab_to(page, "main form button[type=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/report/filed/")
    number = page.locator(".case-number").inner_text()
    code = page.locator(".follow-up-code").inner_text()
    _accessible_here(page)
    case = Case.objects.get()
    assert case.number == number and case.channel == "web" and case.location == "民族路與中山路口"
    assert case.public_request.attributes == {"size": "large"}

    _tab_to(page, "main a.button")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/report/track/")
    _accessible_here(page)
    _tab_to(page, "#id_number")
    page.keyboard.type(number)
    page.keyboard.press("Tab")
    page.keyboard.type(code)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("#case-title").inner_text().endswith(number)
    assert "工務處" in page.locator("main").inner_text()
    _accessible_here(page)

    page.goto("/report/map/")
    assert number in page.locator("table.public-reports").inner_text()
    assert "wang@example.com" not in page.content()
    _accessible_here(page)


def test_a_point_is_placed_on_the_map_by_keyboard_and_by_the_phones_location(
    phone, street, live_server, settings
):
    # A "tile server" on 127.0.0.1: every tile is one of Leaflet's own images.
    settings.GUANKAO_MAP_TILES = (
        f"{live_server.url}/static/js_lib_leaflet/images/layers.png?z={{z}}&x={{x}}&y={{y}}"
    )
    page = phone
    page.context.grant_permissions(["geolocation"], origin=live_server.url)
    page.context.set_geolocation({"latitude": 23.4795, "longitude": 120.4488})
    page.goto("/report/")
    page.wait_for_selector(".map-picker:not([hidden])")
    page.wait_for_selector(".leaflet-tile-loaded")
    assert page.locator("#report-map-notice").inner_text() == ""
    _accessible_here(page)
    page.locator("#use-my-location").focus()
    page.keyboard.press("Enter")
    from playwright.sync_api import expect

    # Polled from here: a predicate evaluated in the page would need the eval the CSP refuses.
    expect(page.locator("#id_latitude")).to_have_value("23.479500")
    expect(page.locator("#id_longitude")).to_have_value("120.448800")

    _tab_to(page, "#report-map")
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    page.wait_for_timeout(400)  # the pan animation
    _tab_to(page, "#place-at-centre")
    page.keyboard.press("Enter")
    moved = float(page.locator("#id_longitude").input_value())
    assert moved > 120.4488
    assert "120." in page.locator("#place-status").inner_text()

    page.locator("#id_description").fill("這裡的路面凹下去一塊")
    page.locator("#id_category").select_option("pothole")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    case = Case.objects.get()
    assert case.latitude is not None and float(case.longitude) == pytest.approx(moved, abs=1e-6)
    page.goto("/report/map/")
    page.wait_for_selector(".leaflet-interactive")
    _accessible_here(page)
