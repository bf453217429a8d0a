"""Plans in a real browser: a liaison enters a monthly value with an evidence file, the
head approves it, the scorecard changes; axe-core on the scorecard and KPI pages."""

import io

import pytest
from PIL import Image

from guankao.plans import services
from tests.e2e.helpers import assert_accessible, sign_in

pytestmark = pytest.mark.e2e


@pytest.fixture
def kpi(people, city):
    plan = services.plan_create(
        actor=people["liaison"],
        department=city["pw"],
        kind="midterm",
        title="工務處中程計畫",
        first_year=2025,
        last_year=2027,
    )
    goal = services.goal_create(
        actor=people["liaison"], plan=plan, number="一", title="提升工程品質"
    )
    return services.kpi_create(
        actor=people["officer"],  # 2025 has closed: its target is the officer's to set
        goal=goal,
        name="工程查核件數",
        measure="件/年",
        unit="件",
        frequency="monthly",
        accumulation="sum",
        direction="higher",
        path="linear",
        targets={2025: "≧12"},
    )


def _png(tmp_path):
    path = tmp_path / "查核照片.png"
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(buffer, "PNG")
    path.write_bytes(buffer.getvalue())
    return path


def _status_on_scorecard(page, name: str) -> str:
    page.goto("/scorecard/?year=114&department=PW")
    row = page.locator("table.scorecard tbody tr", has_text=name)
    return row.locator(".chip").inner_text()


def test_liaison_reports_head_approves_and_the_scorecard_changes(
    page, browser, live_server, people, kpi, tmp_path
):
    sign_in(page, "liaison")
    assert "○" in _status_on_scorecard(page, kpi.name)  # no data yet
    page.goto(f"/plans/kpis/{kpi.pk}/?year=2025")
    form = page.locator("form", has=page.locator("button[value=record]"))
    form.locator("input[name=period]").fill("1")
    form.locator("input[name=value]").fill("12")
    form.locator("textarea[name=note]").fill("一月完成十二件查核")
    form.locator("input[name=evidence_file]").set_input_files(str(_png(tmp_path)))
    with page.expect_navigation():
        form.locator("button[value=record]").click()
    assert page.locator("main .messages").count() == 1
    assert page.locator("a", has_text="查核照片.png").count() == 1
    assert "○" in _status_on_scorecard(page, kpi.name)  # not counted before approval

    head = browser.new_context(base_url=live_server.url, locale="zh-TW").new_page()
    sign_in(head, "head")
    head.goto(f"/plans/kpis/{kpi.pk}/?year=2025")
    with head.expect_navigation():
        head.locator("button[value=approve]").click()
    assert "●" in _status_on_scorecard(head, kpi.name) or "✔" in _status_on_scorecard(
        head, kpi.name
    )
    head.context.close()


def test_scorecard_and_kpi_pages_have_no_serious_axe_violations(page, people, kpi):
    sign_in(page, "head")
    assert_accessible(page, "/scorecard/?year=114")
    assert_accessible(page, f"/plans/kpis/{kpi.pk}/?year=2025")
    assert_accessible(page, f"/plans/{kpi.goal.plan_id}/")
    assert_accessible(page, "/plans/my-updates/")
