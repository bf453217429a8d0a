"""The yearly performance report (施政績效報告, .odt): every KPI with its target, actual,
status in words and explanation; scoped like the scorecard; constant queries."""

import datetime as dt
import io

import odfdo
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from guankao.plans import services
from guankao.plans.models import Plan
from guankao.plans.report import COLUMNS, performance_report_odt
from tests.plans.conftest import KPIS
from tests.soffice import NEEDS_SOFFICE, to_pdf_text

JUNE_30 = dt.date(2026, 6, 30)


def text_of(content: bytes) -> str:
    return odfdo.Document(io.BytesIO(content)).get_formatted_text()


def tables_of(content: bytes) -> list[list[list[str]]]:
    document = odfdo.Document(io.BytesIO(content))
    return [table.get_values() for table in document.body.get_tables()]


@pytest.fixture
def year_data(kpis, approved, people):
    """2025 over (rate met, incidents not met); 2026 as of 30 June: on track, at risk,
    off track and no data, with explanations."""
    for month in range(1, 13):
        approved(kpis["rate"], 2025, month, 80 if month == 12 else 60)
    for month, n in ((2, 2), (5, 1), (9, 1)):
        approved(kpis["incidents"], 2025, month, n)
    for month in range(1, 7):
        note = "六月查核 12 件，完成 10 件" if month == 6 else f"{month}月說明"
        approved(kpis["rate"], 2026, month, 70 + month * 2, note=note)  # 82: on track
        approved(kpis["trainees"], 2026, month, 270)  # 1620 of 2000 expected: at risk
    approved(kpis["range"], 2026, 1, 85, note="第一季執行正常")
    approved(kpis["range"], 2026, 2, 50, note="第二季標案流標")  # 50 of 80%~90%: off track
    # A correction waiting for approval: the counted revision's note stays.
    services.measurement_record(
        actor=people["liaison"], kpi=kpis["range"], year=2026, period=2, value=55, note="更正中"
    )
    return kpis


def test_it_lists_every_kpi_with_target_actual_and_status_in_words(people, year_data):
    content = performance_report_odt(actor=people["officer"], year=2026, as_of=JUNE_30)
    text = text_of(content)
    for _number, name, measure, *_, target, _metric in KPIS.values():
        assert name in text and measure in text and target in text
    for words in ("進度正常", "需注意", "落後", "無資料"):
        assert words in text
    rows = {row[0]: row for table in tables_of(content) for row in table}
    assert rows["1. 工程查核完成率"] == [
        "1. 工程查核完成率",
        "查核完成數/應查核數",
        "≧80%",
        "82%",
        "進度正常",
        "六月查核 12 件，完成 10 件",
    ]
    assert rows["3. 工安講習受訓人次"][3:5] == ["1,620人次", "需注意"]
    assert rows["3. 預算執行率"][3:] == ["50%", "落後", "第二季標案流標"]
    assert rows["2. 內部稽核"][3:] == ["—", "無資料", ""]
    assert "更正中" not in text and "5月說明" not in text


def test_it_gives_the_year_end_status_after_the_year(people, year_data):
    content = performance_report_odt(actor=people["officer"], year=2025)
    rows = {row[0]: row for table in tables_of(content) for row in table}
    assert rows["1. 工程查核完成率"][3:5] == ["80%", "達成"]
    # Over ≦3 already: no missing month can change it, but the report names them.
    assert rows["2. 工安事故次數"][3] == "4次"
    assert rows["2. 工安事故次數"][4].startswith("未達成（缺1月、3月、4月")


def test_it_groups_by_plan_and_goal_under_a_title(people, city, year_data):
    content = performance_report_odt(actor=people["officer"], year=2026, as_of=JUNE_30)
    document = odfdo.Document(io.BytesIO(content))
    assert document.meta.get_title() == "嘉義市政府 115 年度施政績效報告"
    headings = [h.text_recursive for h in document.body.get_headers()]
    assert headings == [
        "總覽",
        "工務處中程施政計畫(114至116年度)（工務處，114–116 年）",
        "一、提升工程品質",
        "二、落實預算管考",
        "三、強化施政規劃",
    ]
    summary, *goal_tables = tables_of(content)
    assert summary[-1] == ["合計", "7"]
    assert [table[0] for table in goal_tables] == [COLUMNS] * 3
    assert len(document.body.get_elements("//table:table-header-rows")) == 4
    assert "資料截至：115年6月30日" in text_of(content)

    by_department = performance_report_odt(
        actor=people["officer"], year=2026, department=city["pw"], as_of=JUNE_30
    )
    title = odfdo.Document(io.BytesIO(by_department)).meta.get_title()
    assert title == "嘉義市政府工務處 115 年度施政績效報告"


def test_it_keeps_each_plan_together(people, city, kpis):
    # A second plan of the same department from the same year: its goals share the
    # first plan's goal numbers and orders.
    other = services.plan_create(
        actor=people["officer"],
        department=city["pw"],
        kind=Plan.Kind.MIDTERM,
        title="工務處第二計畫",
        first_year=2025,
        last_year=2026,
    )
    for order, number in enumerate(("一", "二"), start=1):
        goal = services.goal_create(
            actor=people["officer"],
            plan=other,
            number=number,
            title=f"第二計畫目標{number}",
            order=order,
        )
        services.kpi_create(actor=people["officer"], goal=goal, name=f"指標{number}", measure="次")
    content = performance_report_odt(actor=people["officer"], year=2026, as_of=JUNE_30)
    headings = [h.text_recursive for h in odfdo.Document(io.BytesIO(content)).body.get_headers()]
    plans = [h for h in headings if "計畫" in h and "（工務處" in h]
    assert len(plans) == 2
    second = headings.index(plans[1])
    assert headings[second + 1 : second + 3] == ["一、第二計畫目標一", "二、第二計畫目標二"]


def test_it_shows_only_what_the_reader_may_read(people, year_data):
    text = text_of(performance_report_odt(actor=people["other_liaison"], year=2026))
    assert "工程查核完成率" not in text
    assert "本年度尚無關鍵績效指標" in text


def _plan_with(people, city, year: int, n: int) -> None:
    plan = services.plan_create(
        actor=people["officer"],
        department=city["pw"],
        kind=Plan.Kind.MIDTERM,
        title=f"計畫{year}",
        first_year=year,
        last_year=year,
    )
    goal = services.goal_create(actor=people["officer"], plan=plan, number="一", title="目標")
    for i in range(n):
        kpi = services.kpi_create(
            actor=people["officer"],
            goal=goal,
            name=f"指標{i}",
            measure="次/年",
            frequency="yearly",
            accumulation="sum",
            targets={year: "≧1"},
        )
        m = services.measurement_record(
            actor=people["liaison"], kpi=kpi, year=year, period=1, value=i, note=f"說明{i}"
        )
        services.measurement_approve(actor=people["head"], measurement_id=m.pk)


def test_it_makes_as_many_queries_for_20_kpis_as_for_2(people, city):
    _plan_with(people, city, 2024, 2)
    _plan_with(people, city, 2023, 20)
    counts = {}
    for year in (2024, 2023):
        with CaptureQueriesContext(connection) as queries:
            content = performance_report_odt(actor=people["officer"], year=year)
        counts[year] = len(queries)
    assert counts[2024] == counts[2023] <= 4
    text = text_of(content)
    assert all(f"指標{i}" in text and f"說明{i}" in text for i in range(20))


def test_it_downloads_for_signed_in_users(clients, year_data):
    response = clients["liaison"].get("/scorecard/report.odt?year=115&as_of=115/06/30")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.oasis.opendocument.text"
    assert 'filename="performance-report-115.odt"' in response["Content-Disposition"]
    content = b"".join(response.streaming_content) if response.streaming else response.content
    assert "需注意" in text_of(content)

    response = clients["executive"].get("/scorecard/report.odt?year=2026&department=PW")
    assert response.status_code == 200
    assert "嘉義市政府工務處 115 年度施政績效報告" in text_of(response.content)

    other = clients["other_liaison"].get("/scorecard/report.odt?year=115")
    assert other.status_code == 200 and "工程查核完成率" not in text_of(other.content)
    assert clients["liaison"].get("/scorecard/report.odt?department=NOPE").status_code == 404
    assert clients["anonymous"].get("/scorecard/report.odt").status_code == 302


@NEEDS_SOFFICE
def test_it_opens_in_libreoffice(people, year_data, tmp_path):
    text = to_pdf_text(
        tmp_path,
        "report.odt",
        performance_report_odt(actor=people["officer"], year=2026, as_of=JUNE_30),
    )
    if text:
        assert "施政績效報告" in text and "工程查核完成率" in text and "進度正常" in text


@NEEDS_SOFFICE
def test_it_opens_the_kpi_table_in_libreoffice(people, year_data, tmp_path):
    from guankao.plans.kpi_table import kpi_table_export

    plan = Plan.objects.filter(department__code="PW").first()
    content, _name, _type = kpi_table_export(user=people["officer"], plan_id=plan.pk, fmt="ods")
    text = to_pdf_text(tmp_path, "kpi-table.ods", content)
    if text:
        assert "關鍵績效指標" in text and "工程查核完成率" in text
