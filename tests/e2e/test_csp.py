"""The Content-Security-Policy breaks nothing: the browser reports no violation on the pages
that run scripts (the map, the API docs) or draw charts, and the map still draws its items."""

import datetime as dt

import pytest

from guankao.tracking import services
from tests.e2e.helpers import sign_in_by_cookie

pytestmark = pytest.mark.e2e


def _violations(page) -> list[str]:
    """CSP violations reported in the page (securitypolicyviolation events and console)."""
    page.add_init_script(
        "window.__csp = [];"
        "document.addEventListener('securitypolicyviolation', e =>"
        " window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));"
    )
    found = []
    page.on(
        "console",
        lambda m: found.append(m.text) if "Content Security Policy" in m.text else None,
    )
    return found


def test_pages_run_under_the_content_security_policy(page, live_server, people, city):
    services.item_create(
        actor=people["liaison"],
        kind="works",
        number="W-CSP-01",
        title="民族路人行道改善工程",
        lead=city["pw"],
        budget_total=12_000_000,
        latitude="23.480000",
        longitude="120.449000",
        finish_date=dt.date(2027, 12, 31),
    )
    console = _violations(page)
    sign_in_by_cookie(page, live_server, people["officer"])
    for url in ["/", "/tracking/map/", "/tracking/", "/scorecard/", "/api/docs"]:
        response = page.goto(url)
        assert response is not None and response.ok, url
        assert "script-src 'self'" in response.headers["content-security-policy"]
        page.wait_for_load_state("networkidle")
        if url == "/tracking/map/":
            page.locator("#tracking-map .leaflet-interactive").first.wait_for()
        if url == "/api/docs":
            page.locator("#swagger-ui .opblock").first.wait_for()
        assert page.evaluate("window.__csp") == [], url
    assert console == []
