"""Security training in a real browser (secops): a department's liaison records a course
for one of their staff, the record is listed, the page of who is short shows the others;
axe-core on the training, who-is-short, duties and SOC pages."""

import pytest

from guankao.security import duties, soc
from guankao.security.defaults import seed_defaults
from guankao.security.models import Duty, TrainingRecord, TrainingRequirement
from tests.e2e.helpers import assert_accessible, sign_in
from tests.security.conftest import agencies, sec_people  # noqa: F401 - fixtures

pytestmark = pytest.mark.e2e


@pytest.fixture(autouse=True)
def _shipped_rows(db):
    """The live server's tests flush the tables: the migration's rows are put back."""
    seed_defaults(TrainingRequirement, Duty)


def test_a_liaison_records_a_course_and_sees_who_is_short(page, sec_people):  # noqa: F811
    sign_in(page, "liaison")
    assert_accessible(page, "/security/training/")
    page.get_by_label("人員帳號").fill("worker")
    page.get_by_label("課程名稱").fill("資通安全通識")
    page.get_by_label("日期").fill("115/03/02")
    page.get_by_label("時數").fill("3")
    with page.expect_navigation():
        page.locator("main form[method=post] button[type=submit]").click()
    assert TrainingRecord.objects.filter(user__username="worker").count() == 1
    assert "資通安全通識" in page.locator("main table").first.inner_text()
    # a bad hour count is refused with the field named, nothing recorded
    page.get_by_label("人員帳號").fill("head")
    page.get_by_label("課程名稱").fill("社交工程")
    page.get_by_label("日期").fill("115/03/02")
    page.get_by_label("時數").fill("30")
    with page.expect_navigation():
        page.locator("main form[method=post] button[type=submit]").click()
    assert "24" in page.locator("main").inner_text()
    assert TrainingRecord.objects.count() == 1
    assert_accessible(page, "/security/training/short/?year=115")
    text = page.locator("main").inner_text()
    assert "head" in text and "worker" not in text.split("未達時數人員")[-1]
    assert_accessible(page, "/security/training/import/")


def test_the_duties_and_soc_pages_are_accessible(page, sec_people, agencies):  # noqa: F811
    duties.duties_generate(actor=sec_people["ciso"], year=2026)
    soc.point_create(actor=sec_people["ciso"], agency=agencies["city"], name="核心機房", site="B1")
    sign_in(page, "security")
    for url in ["/security/duties/?year=115", "/security/soc/", "/security/training/requirements/"]:
        assert_accessible(page, url)
    first = duties.DutyInstance.objects.filter(agency=agencies["city"]).first()
    assert_accessible(page, f"/security/duties/{first.pk}/")
