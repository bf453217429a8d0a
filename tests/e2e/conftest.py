"""Browser fixtures: Debian's Chromium driven by Playwright against pytest-django's live server.

One browser per session (per xdist worker), a fresh context (cookies, storage) per test.
Without /usr/bin/chromium the tests are skipped, unless GUANKAO_REQUIRE_BROWSER=1 (CI),
where a missing browser is a failure.
"""

import os
from pathlib import Path

import pytest

from tests.seeded import lag_categories

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-quic",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 15_000


def _unavailable(reason: str):
    if os.environ.get("GUANKAO_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason} (GUANKAO_REQUIRE_BROWSER=1)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser():
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        _unavailable(f"{CHROMIUM} is not installed (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright Python package is not installed")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    """A page in a fresh browser context; `live_server` brings transactional_db with it,
    so rows made by fixtures such as `people` are committed and visible to the server."""
    lag_categories()
    context = browser.new_context(base_url=live_server.url, locale="zh-TW")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    yield page
    context.close()


from tests.security.conftest import agencies, sec_people  # noqa: E402, F401 - fixtures
from tests.security.isac.conftest import isac  # noqa: E402, F401 - a fixture
