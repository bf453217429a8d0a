"""The security registers' pages in a real browser: a security officer ends an outage and
takes a SOC point out of service from the keyboard; the CISO adds a duty to a level; axe-core
on the audit (with its evidence), finding, outage, service, duty and SOC point pages."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from guankao.security import duties, soc
from guankao.security import services_registers as regs
from guankao.security.defaults import seed_defaults
from guankao.security.models import Duty, Outage, SocPoint, TrainingRequirement
from tests.e2e.helpers import assert_accessible, sign_in
from tests.security.conftest import agencies, sec_people  # noqa: F401 - fixtures
from tests.security.incident_helpers import audit, service

pytestmark = pytest.mark.e2e


@pytest.fixture(autouse=True)
def _shipped_rows(db):
    """The live server's tests flush the tables: the migration's rows are put back."""
    seed_defaults(TrainingRequirement, Duty)


def _tab_to(page, selector: str, limit: int = 80) -> None:
    """Press Tab until the element matching `selector` has the focus, as a keyboard user
    would move through the page."""
    for _n in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return
    pytest.fail(f"{selector} is not reachable with the Tab key")


def test_an_outage_is_ended_and_a_point_retired_from_the_keyboard(page, sec_people, agencies):  # noqa: F811
    officer = sec_people["security"]
    item = service(officer, agencies["city"])
    start = (timezone.now() - dt.timedelta(hours=3)).replace(second=0, microsecond=0)
    outage = regs.outage_create(
        actor=officer,
        agency=agencies["city"],
        started_at=start,
        planned=False,
        cause="UPS 故障",
        services=[item],
    )
    point, _token = soc.point_create(
        actor=officer, agency=agencies["city"], name="核心機房", site="B1"
    )
    sign_in(page, "security")
    assert_accessible(page, f"/security/outages/{outage.pk}/")
    _tab_to(page, "#id_ended_at")
    end = timezone.localtime(start + dt.timedelta(hours=1))
    page.locator("#id_ended_at").fill(end.strftime("%Y-%m-%dT%H:%M"))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    outage.refresh_from_db()
    assert outage.ended_at == start + dt.timedelta(hours=1)
    assert "/security/outages/" in page.url
    assert_accessible(page, f"/security/soc/{point.pk}/")
    _tab_to(page, "#id_service-reason")
    page.keyboard.type("機房搬遷")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert not SocPoint.objects.get(pk=point.pk).active
    assert "停用" in page.locator("main h1").inner_text()


def test_the_ciso_adds_a_duty_to_a_level(page, sec_people, agencies):  # noqa: F811
    sign_in(page, "ciso")
    assert_accessible(page, "/security/duties/levels/")
    _tab_to(page, "#id_level")
    page.keyboard.press("ArrowDown")  # level B
    page.keyboard.press("Tab")
    page.keyboard.type("gcb")
    page.keyboard.press("Tab")
    page.keyboard.type("政府組態基準導入及維運")
    with page.expect_navigation():
        page.keyboard.press("Enter")  # in the name's field: submits the form
    assert Duty.objects.filter(level="B", code="gcb").exists()
    duty = Duty.objects.get(level="B", code="gcb")
    assert_accessible(page, f"/security/duties/levels/{duty.pk}/")


def test_the_audit_and_finding_pages_are_accessible(page, sec_people, agencies):  # noqa: F811
    officer = sec_people["security"]
    item = audit(officer, agencies["city"])
    evidence = SimpleUploadedFile("稽核報告.txt", "報告\n".encode(), content_type="text/plain")
    regs.audit_attach(actor=officer, audit_item=item, files=[evidence])
    finding = regs.finding_add(
        actor=officer,
        audit_item=item,
        text="弱密碼",
        severity="high",
        action="強制密碼原則",
        owner="資訊科",
        due_date=timezone.localdate(),
    )
    duties.duties_generate(actor=sec_people["ciso"], year=timezone.localdate().year)
    sign_in(page, "security")
    for url in [
        f"/security/audits/{item.pk}/",
        f"/security/audits/{item.pk}/edit/",
        f"/security/findings/{finding.pk}/",
        f"/security/services/{service(officer, agencies['city']).pk}/",
    ]:
        assert_accessible(page, url)
    assert Outage.objects.count() == 0
