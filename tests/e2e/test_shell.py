"""The shell in a real browser: sign in, scoped staff list, language switch, sign out, axe-core."""

from urllib.parse import urlsplit

import pytest
from django.conf import settings

from tests.conftest import PASSWORD, client_for

pytestmark = pytest.mark.e2e

BLOCKING_IMPACTS = {"serious", "critical"}


def path_of(page) -> str:
    return urlsplit(page.url).path


def sign_in(page, username: str, password: str = PASSWORD) -> None:
    """Sign in through the real form, as a person would."""
    page.goto("/login/")
    page.locator("main input[name=username]").fill(username)
    page.locator("main input[name=password]").fill(password)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    if path_of(page) != "/":
        errors = page.locator("main .errorlist, main .messages").all_inner_texts()
        pytest.fail(f"sign-in as {username} failed at {page.url}: {errors}")


def sign_in_by_cookie(page, live_server, user) -> None:
    """A session made server-side, handed to the browser: for tests about pages, not the form."""
    session = client_for(user).cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}]
    )


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


def serious_violations(page) -> list[dict]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [v for v in results.response["violations"] if v["impact"] in BLOCKING_IMPACTS]


def describe(url: str, violations: list[dict]) -> str:
    lines = [f"axe-core found {len(violations)} serious/critical violation(s) on {url}:"]
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']} <{v['helpUrl']}>")
        for node in v["nodes"]:
            lines.append(f"    {', '.join(map(str, node['target']))}: {node['html'][:200]}")
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            if summary:
                lines.append(f"      {summary}")
    return "\n".join(lines)


def assert_accessible(page, url: str) -> None:
    response = page.goto(url)
    assert response is not None and response.ok, f"{url}: {response and response.status}"
    violations = serious_violations(page)
    if violations:
        pytest.fail(describe(url, violations), pytrace=False)


def test_sign_in_page_has_no_serious_axe_violations(page, live_server):
    assert_accessible(page, "/login/")


@pytest.mark.parametrize("persona", ["liaison", "admin"])
def test_shell_pages_have_no_serious_axe_violations(page, live_server, people, persona):
    sign_in_by_cookie(page, live_server, people[persona])
    for url in ["/", "/staff/"]:
        assert_accessible(page, url)
        assert path_of(page) == url
