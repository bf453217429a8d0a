"""The shell in a real browser: sign in, scoped staff list, language switch, sign out, axe-core."""

import pytest

from tests.e2e.helpers import assert_accessible, path_of, sign_in, sign_in_by_cookie

pytestmark = pytest.mark.e2e


def staff_usernames(page) -> set[str]:
    return set(page.locator("#staff-table tbody tr td:nth-child(2)").all_inner_texts())


def test_liaison_signs_in_sees_own_staff_switches_language_and_signs_out(page, people):
    sign_in(page, people["liaison"].username)
    assert page.locator("html").get_attribute("lang") == "zh-Hant-TW"
    assert page.locator("header .who").inner_text().startswith("liaison")

    with page.expect_navigation():
        page.locator('nav.main-nav a[href="/staff/"]').click()
    assert path_of(page) == "/staff/"
    assert page.locator('nav.main-nav a[aria-current="page"]').get_attribute("href") == "/staff/"
    # 工務處 and its section PW-1 only: not 社會處, 智慧科技處 or the city root.
    assert staff_usernames(page) == {"liaison", "head", "worker"}
    staff_link = page.locator('nav.main-nav a[href="/staff/"]')
    assert staff_link.inner_text() != "Staff", "the default language is Traditional Chinese"

    with page.expect_navigation():
        page.locator("header button[name=language][value=en]").click()
    assert path_of(page) == "/staff/", "the language switch should come back to the same page"
    assert page.locator("html").get_attribute("lang") == "en"
    assert staff_link.inner_text() == "Staff"
    assert page.locator("header button[name=language]").inner_text() == "中文"
    assert staff_usernames(page) == {"liaison", "head", "worker"}

    with page.expect_navigation():
        page.get_by_role("button", name="Sign out").click()
    assert path_of(page) == "/login/"
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", level=1).inner_text() == "Sign in"
    assert page.locator("main input[name=username]").is_visible()
    assert page.locator("header .who").count() == 0

    # Really signed out: the staff page sends us back to the sign-in form.
    page.goto("/staff/")
    assert path_of(page) == "/login/"


def test_sign_in_page_has_no_serious_axe_violations(page, live_server):
    assert_accessible(page, "/login/")


@pytest.mark.parametrize("persona", ["liaison", "admin"])
def test_shell_pages_have_no_serious_axe_violations(page, live_server, people, persona):
    sign_in_by_cookie(page, live_server, people[persona])
    for url in ["/", "/staff/"]:
        assert_accessible(page, url)
        assert path_of(page) == url
