"""The KPI table as CSV and ODS: the seed plan's table round-trips, bad files are refused
whole with every problem's row and column, dry runs write nothing, permissions hold."""

import csv
import io
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from guankao.core.errors import NotAllowed, NotFound, ServiceError
from guankao.core.models import AuditEntry
from guankao.core.tabular import read_table, write_ods
from guankao.plans import kpi_table, services
from guankao.plans.models import KPI, Goal, Plan, Target
from tests.hostile import repeated_ods

# The seed plan's KPI table (參、二、關鍵績效指標), targets exactly as written, with the
# properties the paper table leaves implicit in the columns after the years.
SEED_CSV = """\
目標編號,關鍵策略目標,指標編號,關鍵績效指標,衡量標準,單位,108年,109年,110年,111年,方向,累計方式,頻率,預期路徑,計算指標
一,強化本府各處暨所屬機關前瞻及整體政策施政規劃能力,,編撰及推動年度施政計畫,依限完成率,%,100%,100%,100%,100%,愈高愈好,最新值,每年,持平,plans.round_on_time
二,強化為民服務，回應各階層民意需求,,推動本府陳情話務中心營運，整合各局處服務，回應市民市政諮詢、陳情與派工需求,推動陳情話務中心持續營運順暢,%,100%,100%,100%,100%,愈高愈好,最新值,每月,持平,
三,強化重要計畫及工程追蹤管考，落實政策理念,1,按月清查各項重大計畫及工程執行進度,年度清查次數/12月x100%,%,100%,100%,100%,100%,愈高愈好,比率,每月,持平,
三,強化重要計畫及工程追蹤管考，落實政策理念,2,推動一般性補助款基本設施列管追蹤,配合行政院國家發展委員會推動管考之相關措施,%,100%,100%,100%,100%,愈高愈好,比率,每季,持平,
四,資通安全法與相關子法之推動,1,資安事件發生次數,次/年,次,≦3,≦3,≦3,≦3,愈低愈好,加總,每月,持平,
四,資通安全法與相關子法之推動,2,資安內部稽核,次/年,次,≧1,≧1,≧1,≧1,愈高愈好,加總,每年,持平,
四,資通安全法與相關子法之推動,3,機房維運服務發生中斷次數,次/年,次,≦4,≦4,≦4,≦4,愈低愈好,加總,每月,持平,
四,資通安全法與相關子法之推動,4,每年資訊安全教育訓練目標時數3小時,府內員工受訓人數/府內員工人數,%,≧80%,≧80%,≧80%,≧80%,愈高愈好,最新值,每季,線性,
五,強化政府基層機關資安防護及區域聯防計畫,1,建置區域聯防ISAC及SOC監控機制,監控服務點,點,≧11,≧11,≧11,≧11,愈高愈好,最新值,每季,持平,
五,強化政府基層機關資安防護及區域聯防計畫,2,強化資安防護縱深及創新服務整合,依限完成率,%,100%,100%,100%,100%,愈高愈好,比率,每季,持平,
五,強化政府基層機關資安防護及區域聯防計畫,3,遵循資通安全管理法相關法令應辦事項,依限完成率,%,100%,100%,100%,100%,愈高愈好,比率,每季,持平,
六,推動各項e化服務,1,辦理推動民眾上網推廣計畫,受訓人次,人次,≧4000,≧4000,≧4000,≧4000,愈高愈好,加總,每月,線性,
六,推動各項e化服務,2,辦理開放文書格式(ODF)推廣計畫,辦理場次,場次,≧15,≧15,≧15,≧15,愈高愈好,加總,每月,線性,
"""

# The same table as the plan document prints it: the goal cells merged (blank below the
# first row of a goal), no unit column, no property columns.
PRINTED_CSV = """\
目標編號,關鍵策略目標,指標編號,關鍵績效指標,衡量標準,108年,109年,110年,111年
一,強化本府各處暨所屬機關前瞻及整體政策施政規劃能力,,編撰及推動年度施政計畫,依限完成率,100%,100%,100%,100%
三,強化重要計畫及工程追蹤管考，落實政策理念,1,按月清查各項重大計畫及工程執行進度,年度清查次數/12月x100%,100%,100%,100%,100%
,,2,推動一般性補助款基本設施列管追蹤,配合行政院國家發展委員會推動管考之相關措施,100%,100%,100%,100%
四,資通安全法與相關子法之推動,1,資安事件發生次數,次/年,≦3,≦3,≦3,≦3
,,2,資安內部稽核,次/年,≧1,≧1,≧1,≧1
"""


def rows_of(text: str) -> list[list[str]]:
    return [row for row in csv.reader(io.StringIO(text)) if row]


def seed_ods() -> bytes:
    header, *rows = rows_of(SEED_CSV)
    return write_ods({kpi_table.SHEET: (header, rows)})


def replace_cell(text: str, row: int, column: str, value: str) -> str:
    """The CSV with one cell changed; row is the spreadsheet row (the header is 1)."""
    rows = rows_of(text)
    rows[row - 1][rows[0].index(column)] = value
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


def drop_column(text: str, column: str) -> str:
    rows = rows_of(text)
    index = rows[0].index(column)
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([r[:index] + r[index + 1 :] for r in rows])
    return out.getvalue()


@pytest.fixture
def seed_plan(people, city):
    """An empty mid-term plan 2019–2022 (民國 108–111) of 工務處, in draft."""
    return services.plan_create(
        actor=people["liaison"],
        department=city["pw"],
        kind=Plan.Kind.MIDTERM,
        title="智慧科技處中程施政計畫(108至111年度)",
        first_year=2019,
        last_year=2022,
    )


def do_import(people, plan, content, filename="kpi.csv", actor="officer", **kwargs):
    if isinstance(content, str):
        content = content.encode()
    return kpi_table.kpi_table_import(
        actor=people[actor], plan=plan, content=content, filename=filename, **kwargs
    )


def state():
    return (
        Goal.objects.count(),
        KPI.objects.count(),
        Target.objects.count(),
        AuditEntry.objects.count(),
    )


def problems_of(excinfo) -> set[tuple]:
    return {(p.field, p.row) for p in excinfo.value.problems}


# Round trips ------------------------------------------------------------------------------


def test_it_round_trips_the_seed_table_as_csv(people, seed_plan):
    result = do_import(people, seed_plan, SEED_CSV)
    assert result == {
        "rows": 13,
        "goals_created": 6,
        "goals_updated": 0,
        "kpis_created": 13,
        "kpis_updated": 0,
        "kpis_unchanged": 0,
        "targets_set": 52,
        "dry_run": False,
    }
    content, filename, content_type = kpi_table.kpi_table_export(
        user=people["liaison"], plan_id=seed_plan.pk, fmt="csv"
    )
    assert filename.endswith(".csv") and content_type.startswith("text/csv")
    assert rows_of(content.decode("utf-8-sig")) == rows_of(SEED_CSV)
    kpi = KPI.objects.get(goal__plan=seed_plan, goal__number="四", number="1")
    assert (kpi.direction, kpi.accumulation, kpi.frequency) == ("lower", "sum", "monthly")
    assert list(kpi.targets.values_list("year", "text")) == [
        (2019, "≦3"),
        (2020, "≦3"),
        (2021, "≦3"),
        (2022, "≦3"),
    ]
    assert KPI.objects.get(goal__number="一").metric_key == "plans.round_on_time"


def test_it_round_trips_the_seed_table_as_ods(people, seed_plan):
    do_import(people, seed_plan, seed_ods(), filename="kpi.ods")
    content, filename, content_type = kpi_table.kpi_table_export(
        user=people["liaison"], plan_id=seed_plan.pk, fmt="ods"
    )
    assert filename.endswith(".ods")
    assert content_type == "application/vnd.oasis.opendocument.spreadsheet"
    exported = read_table(content, filename, required=(), sheet=kpi_table.SHEET)
    original = read_table(seed_ods(), "seed.ods", required=(), sheet=kpi_table.SHEET)
    assert exported == original
    assert len(exported) == 13


def test_it_changes_nothing_when_its_own_export_comes_back(people, seed_plan):
    do_import(people, seed_plan, SEED_CSV)
    exported, _, _ = kpi_table.kpi_table_export(
        user=people["liaison"], plan_id=seed_plan.pk, fmt="csv"
    )
    before = state()
    result = do_import(people, seed_plan, exported)
    assert result["kpis_unchanged"] == 13
    assert result["kpis_created"] == result["kpis_updated"] == result["targets_set"] == 0
    assert state()[:3] == before[:3]
    # Only the import itself is audited: no change entries for unchanged rows.
    assert AuditEntry.objects.count() == before[3] + 1
    entry = AuditEntry.objects.latest("pk")
    assert entry.action == AuditEntry.Action.IMPORT and entry.object_id == str(seed_plan.pk)


def test_it_reads_the_printed_layout_with_merged_goal_cells(people, seed_plan):
    result = do_import(people, seed_plan, PRINTED_CSV)
    assert (result["goals_created"], result["kpis_created"], result["targets_set"]) == (3, 5, 20)
    goal = Goal.objects.get(plan=seed_plan, number="三")
    assert list(goal.kpis.values_list("number", "name")) == [
        ("1", "按月清查各項重大計畫及工程執行進度"),
        ("2", "推動一般性補助款基本設施列管追蹤"),
    ]
    audit_kpi = KPI.objects.get(goal__number="四", number="2")
    # Columns left out take the model's defaults.
    assert (audit_kpi.direction, audit_kpi.unit, audit_kpi.metric_key) == ("higher", "", "")


def test_it_reads_big5_csv(people, seed_plan):
    result = do_import(people, seed_plan, SEED_CSV.encode("cp950"))
    assert result["kpis_created"] == 13
    assert Target.objects.filter(text="≧4000").count() == 4


def test_it_accepts_english_codes_and_western_years(people, seed_plan):
    text = SEED_CSV.replace("108年", "2019").replace("愈低愈好", "lower").replace("每月", "monthly")
    do_import(people, seed_plan, text)
    kpi = KPI.objects.get(goal__number="四", number="3")
    assert (kpi.direction, kpi.frequency) == ("lower", "monthly")
    assert kpi.targets.get(year=2019).text == "≦4"


def test_it_updates_matched_kpis_and_goals_and_adds_new_ones(people, seed_plan):
    do_import(people, seed_plan, SEED_CSV)
    kpi = KPI.objects.get(goal__number="六", number="2")
    text = replace_cell(SEED_CSV, 14, "衡量標準", "辦理場次（含線上）")
    text = text.replace("推動各項e化服務", "推動各項數位服務")
    text += "七,提升開放資料品質,1,開放資料集數,上架資料集數,個,≧50,≧60,≧70,≧80,,,,,\n"
    result = do_import(people, seed_plan, text)
    assert (result["goals_created"], result["goals_updated"]) == (1, 1)
    assert (result["kpis_created"], result["kpis_updated"], result["kpis_unchanged"]) == (1, 1, 12)
    assert result["targets_set"] == 4
    kpi.refresh_from_db()
    assert kpi.measure == "辦理場次（含線上）"
    assert kpi.goal.title == "推動各項數位服務"
    new = KPI.objects.get(goal__number="七")
    assert (new.goal.order, new.order) == (7, 1)
    assert AuditEntry.objects.filter(object_type="plans.kpi", object_id=str(kpi.pk)).count() == 2


def test_it_refuses_a_changed_target_of_a_closed_year_by_row_and_column(people, seed_plan):
    do_import(people, seed_plan, SEED_CSV)
    with pytest.raises(ServiceError) as excinfo:
        do_import(people, seed_plan, replace_cell(SEED_CSV, 14, "111年", "≧20"))
    assert problems_of(excinfo) == {("111年", 14)}
    assert "frozen" in str(excinfo.value)
    assert Target.objects.get(kpi__goal__number="六", kpi__number="2", year=2022).text != "≧20"


def test_it_leaves_out_nothing_it_was_not_told_about(people, seed_plan):
    do_import(people, seed_plan, SEED_CSV)
    text = replace_cell(PRINTED_CSV, 2, "108年", "")  # a blank target cell
    do_import(people, seed_plan, text)
    assert KPI.objects.filter(goal__plan=seed_plan).count() == 13
    assert Target.objects.get(kpi__goal__number="一", year=2019).text == "100%"
    assert KPI.objects.get(goal__number="四", number="1").unit == "次"  # no 單位 column


# Refused files ----------------------------------------------------------------------------

BIG5_UNREADABLE = "目標編號,關鍵策略目標\n一,目標\n".encode() + b"\x80\xff,x\n"


@pytest.mark.parametrize(
    ("content", "field", "row", "words"),
    [
        (replace_cell(SEED_CSV, 6, "110年", "≧八成"), "110年", 6, "is not a target"),
        (replace_cell(SEED_CSV, 6, "110年", "80%~"), "110年", 6, "both ends"),
        (SEED_CSV.replace("111年", "112年"), "112年", 1, "outside the plan's years"),
        (SEED_CSV.replace("108年", "107"), "107", 1, "outside the plan's years"),
        (replace_cell(SEED_CSV, 7, "方向", "越多越好"), "方向", 7, "is not one of"),
        (replace_cell(SEED_CSV, 7, "頻率", "每週"), "頻率", 7, "is not one of"),
        (drop_column(SEED_CSV, "衡量標準"), "衡量標準", 1, "required"),
        (drop_column(SEED_CSV, "目標編號"), "目標編號", 1, "required"),
        (replace_cell(SEED_CSV, 5, "指標編號", "1"), "指標編號", 5, "row 4"),
        (
            replace_cell(SEED_CSV, 5, "關鍵績效指標", "按月清查各項重大計畫及工程執行進度"),
            "關鍵績效指標",
            5,
            "row 4",
        ),
        (replace_cell(SEED_CSV, 9, "衡量標準", ""), "衡量標準", 9, "required"),
        (replace_cell(SEED_CSV, 9, "計算指標", "nope.metric"), "計算指標", 9, "no metric"),
        (replace_cell(SEED_CSV, 5, "關鍵策略目標", "另一個標題"), "關鍵策略目標", 5, "earlier row"),
        (replace_cell(SEED_CSV, 2, "目標編號", ""), "目標編號", 2, "required"),
        (replace_cell(SEED_CSV, 9, "指標編號", "12345678901"), "指標編號", 9, "too long"),
        (SEED_CSV.replace("預期路徑", "路徑"), "路徑", 1, "unknown column"),
    ],
)
def test_it_refuses_a_bad_file_whole(people, seed_plan, content, field, row, words):
    before = state()
    with pytest.raises(ServiceError) as excinfo:
        do_import(people, seed_plan, content)
    problem = next(p for p in excinfo.value.problems if (p.field, p.row) == (field, row))
    assert words in str(problem.message)
    assert state() == before


def test_it_says_what_a_target_should_look_like(people, seed_plan):
    with pytest.raises(ServiceError) as excinfo:
        do_import(people, seed_plan, replace_cell(SEED_CSV, 6, "110年", "≧八成"))
    (problem,) = excinfo.value.problems
    assert "≧80%" in problem.message  # the parser's examples


def test_it_refuses_text_that_is_neither_utf8_nor_big5(people, seed_plan):
    before = state()
    with pytest.raises(ServiceError) as excinfo:
        do_import(people, seed_plan, BIG5_UNREADABLE)
    (problem,) = excinfo.value.problems
    assert problem.field == "file" and "line 3" in problem.message
    assert state() == before


def test_it_reports_every_problem_at_once(people, seed_plan):
    text = replace_cell(SEED_CSV, 3, "108年", "很多")
    text = replace_cell(text, 8, "方向", "sideways")
    text = replace_cell(text, 8, "頻率", "weekly")
    text = replace_cell(text, 12, "關鍵績效指標", "")
    text = text.replace("111年", "112年")
    with pytest.raises(ServiceError) as excinfo:
        do_import(people, seed_plan, text)
    assert problems_of(excinfo) == {
        ("112年", 1),
        ("108年", 3),
        ("方向", 8),
        ("頻率", 8),
        ("關鍵績效指標", 12),
    }
    assert Goal.objects.count() == 0


def test_it_refuses_a_file_without_kpi_rows(people, seed_plan):
    with pytest.raises(ServiceError) as excinfo:
        do_import(people, seed_plan, SEED_CSV.splitlines()[0] + "\n")
    assert excinfo.value.problems[0].field == "file"


def test_it_refuses_a_row_that_reaches_the_same_kpi_twice(people, seed_plan):
    do_import(people, seed_plan, SEED_CSV)
    # Row 2 names goal 一's KPI by name; an added row 15 numbers it but names it the same.
    text = (
        SEED_CSV
        + "一,強化本府各處暨所屬機關前瞻及整體政策施政規劃能力,9,"
        + "編撰及推動年度施政計畫,x,,,,,,,,,,\n"
    )
    with pytest.raises(ServiceError) as excinfo:
        do_import(people, seed_plan, text)
    assert ("關鍵績效指標", 15) in problems_of(excinfo)


# Dry run ----------------------------------------------------------------------------------


def test_it_writes_nothing_on_a_dry_run(people, seed_plan):
    before = state()
    result = do_import(people, seed_plan, SEED_CSV, dry_run=True)
    assert result["dry_run"] is True
    assert (result["goals_created"], result["kpis_created"], result["targets_set"]) == (6, 13, 52)
    assert state() == before
    # The same report as the real import.
    real = do_import(people, seed_plan, SEED_CSV)
    assert {**result, "dry_run": False} == real


def test_a_dry_run_opens_no_write_transaction(people, seed_plan):
    do_import(people, seed_plan, SEED_CSV)
    changed = SEED_CSV.replace("≧15", "≧16").replace("推動各項e化服務", "推動各項數位服務")
    with CaptureQueriesContext(connection) as queries:
        result = do_import(people, seed_plan, changed, dry_run=True)
    assert (result["goals_updated"], result["targets_set"]) == (1, 4)
    words = {q["sql"].split()[0].upper() for q in queries.captured_queries}
    assert not words & {"INSERT", "UPDATE", "DELETE", "SAVEPOINT", "BEGIN"}


def test_it_reports_problems_on_a_dry_run_too(people, seed_plan):
    with pytest.raises(ServiceError):
        do_import(people, seed_plan, SEED_CSV.replace("≧15", "≧"), dry_run=True)


# Permissions and HTTP ---------------------------------------------------------------------


def test_it_checks_the_permission_before_reading_the_file(people, seed_plan):
    with pytest.raises(NotAllowed):
        do_import(people, seed_plan, b"not a table at all", actor="other_liaison")
    with pytest.raises(NotAllowed):
        do_import(people, seed_plan, SEED_CSV, actor="executive")
    with pytest.raises(NotFound):
        kpi_table.kpi_table_export(user=people["other_liaison"], plan_id=seed_plan.pk, fmt="csv")


@pytest.mark.parametrize("fmt", ["ods", "csv"])
def test_it_downloads_for_readers_only(clients, seed_plan, fmt):
    url = f"/plans/{seed_plan.pk}/kpi-table.{fmt}"
    for name in ("liaison", "head", "officer", "executive"):
        response = clients[name].get(url)
        assert response.status_code == 200, name
        assert response["Content-Disposition"].startswith("attachment;")
    # Another department, and a sub-unit (PW-1 reads its own subtree, not 工務處's plans).
    assert clients["other_liaison"].get(url).status_code == 404
    assert clients["worker"].get(url).status_code == 404
    assert clients["anonymous"].get(url).status_code == 302


def upload(content, name="kpi.csv", **data):
    if isinstance(content, str):
        content = content.encode()
    return {"file": SimpleUploadedFile(name, content), **data}


def test_it_imports_over_http(clients, seed_plan):
    url = f"/plans/{seed_plan.pk}/kpi-table/import/"
    response = clients["officer"].post(url, upload(SEED_CSV))
    assert response.status_code == 302 and response["Location"] == f"/plans/{seed_plan.pk}/"
    assert KPI.objects.filter(goal__plan=seed_plan).count() == 13
    page = clients["liaison"].get(response["Location"]).content.decode()
    assert "辦理開放文書格式(ODF)推廣計畫" in page and "kpi-table.ods" in page


def test_it_shows_a_dry_run_over_http(clients, seed_plan):
    url = f"/plans/{seed_plan.pk}/kpi-table/import/"
    response = clients["officer"].post(url, upload(seed_ods(), "kpi.ods", dry_run="on"))
    assert response.status_code == 200
    assert "dry run" in response.content.decode()
    assert Goal.objects.count() == 0


@pytest.mark.parametrize("dry_run", ["on", ""])
def test_it_refuses_the_800_byte_file_of_9_million_cells_at_once(clients, seed_plan, dry_run):
    url = f"/plans/{seed_plan.pk}/kpi-table/import/"
    clients["liaison"].post(url, upload(repeated_ods(), "kpi.ods", dry_run=dry_run))  # warm-up
    started = time.monotonic()
    response = clients["liaison"].post(url, upload(repeated_ods(), "kpi.ods", dry_run=dry_run))
    assert time.monotonic() - started < 2
    assert response.status_code == 400
    assert Goal.objects.count() == 0


def test_it_shows_the_problems_over_http(clients, seed_plan):
    url = f"/plans/{seed_plan.pk}/kpi-table/import/"
    bad = replace_cell(SEED_CSV, 6, "110年", "≧八成")
    response = clients["officer"].post(url, upload(bad))
    assert response.status_code == 400
    page = response.content.decode()
    assert "110年" in page and "≧八成" in page and "<td>6</td>" in page
    assert Goal.objects.count() == 0


def test_it_refuses_imports_to_those_who_may_not_edit(clients, seed_plan):
    url = f"/plans/{seed_plan.pk}/kpi-table/import/"
    assert clients["other_liaison"].post(url, upload(SEED_CSV)).status_code == 404
    assert clients["executive"].post(url, upload(SEED_CSV)).status_code == 403
    assert clients["officer"].post(url, upload(SEED_CSV, dry_run="on")).status_code == 200
    assert clients["anonymous"].post(url, upload(SEED_CSV)).status_code == 302
    assert clients["liaison"].get(url).status_code == 405
    assert Goal.objects.count() == 0


def test_it_refuses_imports_into_a_submitted_annual_plan(clients, people, city):
    plan = services.plan_create(
        actor=people["liaison"],
        department=city["pw"],
        kind=Plan.Kind.ANNUAL,
        title="工務處111年度施政計畫",
        first_year=2022,
        last_year=2022,
    )
    Plan.objects.filter(pk=plan.pk).update(status=Plan.Status.SUBMITTED)
    response = clients["liaison"].post(f"/plans/{plan.pk}/kpi-table/import/", upload(SEED_CSV))
    assert response.status_code == 403


@pytest.mark.parametrize("persona", ["liaison", "head"])
def test_it_leaves_the_targets_of_closed_years_to_the_officer(persona, people, seed_plan):
    # 108–111 have closed: the department may draft goals and KPIs, the officer sets targets.
    with pytest.raises(ServiceError) as excinfo:
        do_import(people, seed_plan, SEED_CSV, actor=persona)
    problems = excinfo.value.problems
    assert len(problems) == 52
    assert all("officer" in str(p.message) for p in problems)
    assert Target.objects.count() == 0 and Goal.objects.count() == 0
