"""The home page in a real browser: the to-do of a liaison and a head, the mayor's city
summary, axe-core clean, and at 390 px the page itself does not scroll sideways."""

import pytest

from tests.core.test_home import month_of_work  # noqa: F401 - the fixture
from tests.e2e.helpers import assert_accessible, sign_in, sign_in_by_cookie

pytestmark = pytest.mark.e2e


def _todo(page) -> dict[str, list[str]]:
    """Each to-do group's heading and its tasks' link targets."""
    groups = {}
    for group in page.locator("main .todo-group").all():
        heading = group.locator("h3").inner_text().split()[0]
        groups[heading] = [a.get_attribute("href") for a in group.locator("a").all()]
    return groups


def test_the_liaison_sees_what_to_file_and_follows_a_task(page, people, month_of_work):  # noqa: F811
    sign_in(page, people["liaison"].username)
    assert page.get_by_role("heading", level=2, name="我的待辦").is_visible()
    groups = _todo(page)
    assert "/plans/my-updates/" in groups["退回給我"]  # the returned August value
    assert "/tracking/my/" in groups["退回給我"]  # the returned September report
    assert any("/plans/my-updates/" in links for links in groups.values())
    assert "待我核定" not in groups
    nav = page.locator("nav.main-nav")
    assert nav.locator('a[href="/plans/my-updates/"]').count() == 1

    with page.expect_navigation():
        page.locator("main .todo-returned a[href='/tracking/my/']").click()
    assert page.url.endswith("/tracking/my/")


def test_the_head_sees_the_approvals_first(page, live_server, people, month_of_work):  # noqa: F811
    sign_in_by_cookie(page, live_server, people["head"])
    page.goto("/")
    first = page.locator("main .todo-group").first
    assert first.locator("h3").inner_text().startswith("待我核定")
    assert first.locator("a[href='/tracking/my/']").inner_text().startswith("1")


def test_the_mayor_sees_the_city_not_filling_pages(page, live_server, people, month_of_work):  # noqa: F811
    sign_in_by_cookie(page, live_server, people["executive"])
    page.goto("/")
    assert page.get_by_role("heading", level=2, name="市政概況").is_visible()
    assert page.locator("main .todo-group").count() == 0
    assert page.locator("main .figures a").count() >= 5
    for filling in ("/plans/my-updates/", "/tracking/my/", "/plans/rounds/"):
        assert page.locator(f'nav.main-nav a[href="{filling}"]').count() == 0


@pytest.mark.parametrize("persona", ["liaison", "head", "executive", "officer"])
def test_the_home_page_is_accessible_and_fits_a_phone(
    page,
    live_server,
    people,
    month_of_work,  # noqa: F811
    persona,
):
    sign_in_by_cookie(page, live_server, people[persona])
    assert_accessible(page, "/")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/")
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"the home page scrolls sideways by {overflow}px at 390 px"
    assert_accessible(page, "/notifications/")
