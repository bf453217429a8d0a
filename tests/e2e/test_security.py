"""Security incidents in a real browser: the security officer records an incident through
the form, sees its statutory clock counting down, records the notification; axe-core on
the incident page and the dashboard; screenshots at 1366 and 390 px when asked
(GUANKAO_SCREENSHOTS=dir)."""

import datetime as dt
import os

import pytest
from django.utils import timezone

from guankao.security import levels
from guankao.security.models import ImpactRule, Incident
from tests.e2e.helpers import assert_accessible, sign_in
from tests.security.conftest import agencies, sec_people  # noqa: F401 - fixtures
from tests.security.incident_helpers import ago, incident

pytestmark = pytest.mark.e2e


def _shoot(page, name: str) -> None:
    folder = os.environ.get("GUANKAO_SCREENSHOTS")
    if not folder:
        return
    for width in (1366, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=f"{folder}/{name}-{width}.png", full_page=True)
    page.set_viewport_size({"width": 1366, "height": 900})


def _local(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def test_an_officer_records_an_incident_and_its_notification(page, sec_people, agencies):  # noqa: F811
    levels.load(ImpactRule)  # a live-server test's database is flushed, migration data too
    late = incident(sec_people["other_security"], agencies["office"], aware=ago(hours=3))
    sign_in(page, "security")
    page.goto("/security/incidents/new/")
    page.get_by_label("事件名稱").fill("釣魚郵件大量寄送")
    page.get_by_label("發生時間").fill(_local(ago(hours=2)))
    page.get_by_label("知悉時間").fill(_local(ago(minutes=40)))
    page.get_by_label("受影響系統").fill("公務電子郵件")
    page.get_by_label("受影響資訊或系統類別").select_option("core")
    page.get_by_label("機密性（資訊洩漏）").select_option("minor")
    page.get_by_label("說明").fill("多位同仁收到仿冒公告之釣魚郵件。")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    made = Incident.objects.get(title="釣魚郵件大量寄送")
    assert page.url.endswith(f"/security/incidents/{made.pk}/")
    body = page.locator("main").inner_text()
    assert "第2級" in body and "尚餘" in body and "非上班時間" in body
    assert late.number not in page.locator("main").inner_text()
    assert_accessible(page, f"/security/incidents/{made.pk}/")
    page.locator("summary", has_text="已完成通報").click()
    page.get_by_label("通報時間").fill(_local(ago(minutes=10)))
    page.get_by_label("通報平臺事件編號").fill("TWC-E2E-1")
    with page.expect_navigation():
        page.locator("form:has(input[value=notify]) button[type=submit]").click()
    made.refresh_from_db()
    assert made.notice_ref == "TWC-E2E-1"
    _shoot(page, "security-incident")
    assert_accessible(page, "/security/")
    _shoot(page, "security-dashboard")
