"""Shared steps of the browser tests."""

from urllib.parse import urlsplit

import pytest
from django.conf import settings

from tests.conftest import PASSWORD, client_for

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
