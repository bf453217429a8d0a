"""The PCMS import (/tracking/import/): works and monthly figures from CSV (UTF-8, BOM,
Big5) or ODS; a dry run that lists every problem by row and column and writes nothing;
an import that writes all or nothing, as the importing user, with an audit entry."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from guankao.core.errors import NotAllowed, ServiceError
from guankao.core.models import Attachment, AuditEntry
from guankao.core.tabular import write_ods
from guankao.tracking import imports, reporting
from guankao.tracking.models import Item, Report

from .conftest import NOW, file, plan

HEADER = [
    "標案案號",
    "標案名稱",
    "主辦機關代碼",
    "資料年月",
    "預定進度",
    "實際進度",
    "預定完工日",
    "開工日",
    "決標金額",
    "累計估驗計價金額",
    "落後原因",
]
NEW_TITLE = "嘉義市垃圾車停車場新建工程"
GOOD = [
    [
        "PW11502",
        NEW_TITLE,
        "PW",
        "115/08",
        "20",
        "20",
        "115/12/31",
        "115/03/01",
        "8,000,000",
        "1000000",
        "",
    ],
    [
        "PW11502",
        NEW_TITLE,
        "PW",
        "115/09",
        "40",
        "35",
        "115/12/31",
        "115/03/01",
        "8,000,000",
        "2500000",
        "用地取得延宕",
    ],
    [
        "PW11502",
        NEW_TITLE,
        "PW",
        "11510",
        "60",
        "58.5",
        "115/12/31",
        "115/03/01",
        "8,000,000",
        "4000000",
        "雨天停工",
    ],
    [
        "PW11501",
        "民族路人行道改善工程",
        "PW",
        "2026-10",
        "50%",
        "50%",
        "2027-03-31",
        "",
        "",
        "",
        "",
    ],
]


@pytest.fixture(autouse=True)
def _plan_50(request):
    """The works item's approved baseline plans 50% for 115/10, as PCMS says."""
    if "works" in request.fixturenames:
        plan(request.getfixturevalue("works"), 2026, 10, "50")


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def web(clients):
    """The personas' browsers, in English (the language switch's cookie)."""
    for client in clients.values():
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return clients


def table(rows, header=HEADER, encoding="utf-8") -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows([header, *rows])
    return out.getvalue().encode(encoding)


def do_import(people, content, actor="liaison", filename="pcms.csv", **kwargs):
    return imports.pcms_import(
        actor=people[actor], content=content, filename=filename, now=NOW, **kwargs
    )


def problems_of(people, content, actor="liaison") -> set[tuple[int | None, str]]:
    with pytest.raises(ServiceError) as e:
        do_import(people, content, actor)
    return {(p.row, p.field) for p in e.value.problems}


def counts():
    return Item.objects.count(), Report.objects.count()


def upload(client, content, action, name="pcms.csv"):
    return client.post(
        "/tracking/import/",
        {"file": SimpleUploadedFile(name, content, content_type="text/csv"), "action": action},
    )


# A good file --------------------------------------------------------------------------------


def test_it_checks_then_imports_a_good_file(web, people, works):
    before = counts()
    response = upload(web["liaison"], table(GOOD), "check")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Check passed" in page and NEW_TITLE in page
    result = response.context["result"]
    assert result["dry_run"] and result["items_created"] == 1 and result["items_updated"] == 0
    assert result["reports_filed"] == 4 and result["rows"] == 4
    assert [o["what"] for o in result["outcomes"]] == [
        "new item; report filed",
        "report filed",
        "report filed",
        "report filed; the finish date differs from the approved baseline's and is kept: a "
        "revision (修正計畫) changes it",
    ]
    assert counts() == before  # the dry run wrote nothing
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.IMPORT).exists()

    response = upload(web["liaison"], table(GOOD), "import")
    assert response.status_code == 302 and response["Location"] == "/tracking/import/"
    item = Item.objects.get(tender_number="PW11502")
    assert (item.number, item.kind, item.lead.code, item.level) == (
        "PW11502",
        "works",
        "PW",
        "city",
    )
    assert item.title == NEW_TITLE and item.contract_sum == 8_000_000
    assert item.finish_date == dt.date(2026, 12, 31) and item.start_date == dt.date(2026, 3, 1)
    reports = list(item.reports.order_by("month"))
    assert [(r.month, r.planned, r.actual) for r in reports] == [
        (8, Decimal(20), Decimal(20)),
        (9, Decimal(40), Decimal(35)),
        (10, Decimal(60), Decimal("58.5")),
    ]
    assert all(r.filed_by == people["liaison"] and r.state == "submitted" for r in reports)
    assert reports[1].lag_reason == "用地取得延宕" and reports[1].money_spent == 2_500_000
    assert reports[0].work_done == imports.IMPORTED_WORK
    item.refresh_from_db()
    assert (item.last_month, item.last_actual, item.lag) == (10, Decimal("58.5"), "behind")
    works.refresh_from_db()
    # The finish date is the approved baseline's: the import's other date is flagged, kept.
    assert works.finish_date == dt.date(2026, 12, 31) and works.contract_sum == 11_500_000
    assert works.reports.get().actual == 50
    entry = AuditEntry.objects.get(action=AuditEntry.Action.IMPORT)
    assert entry.actor == people["liaison"] and entry.object_repr == "pcms.csv"
    assert entry.changes["import"][1]["reports_filed"] == 4
    stored = Attachment.objects.get(owner_type="core.auditentry", owner_id=str(entry.pk))
    assert stored.original_name == "pcms.csv"


def test_it_leaves_months_already_reported_with_the_same_figures(people, works):
    do_import(people, table(GOOD))
    before = counts()
    result = do_import(people, table(GOOD))
    assert (result["reports_filed"], result["reports_unchanged"], result["items_created"]) == (
        0,
        4,
        0,
    )
    assert counts() == before


def test_it_refuses_other_figures_for_a_month_already_reported(people, works):
    do_import(people, table(GOOD))
    changed = [row[:] for row in GOOD]
    changed[3][5] = "55"
    with pytest.raises(ServiceError) as e:
        do_import(people, table(changed))
    (problem,) = e.value.problems
    assert (problem.row, problem.field) == (5, "資料年月")
    assert "115/10 already has a report" in problem.message
    assert works.reports.get().actual == 50  # not overwritten


def test_it_files_again_after_a_return(people, works):
    do_import(people, table(GOOD[3:]))
    report = works.reports.get()
    reporting.report_return(actor=people["head"], report=report, note="請更正")
    changed = [GOOD[3][:5] + ["55", *GOOD[3][6:]]]
    result = do_import(people, table(changed))
    assert result["reports_filed"] == 1
    assert [(r.revision, r.state, r.actual) for r in works.reports.order_by("revision")] == [
        (1, "returned", Decimal(50)),
        (2, "submitted", Decimal(55)),
    ]


def test_it_reads_english_headings_and_units(people, works):
    header = [
        "Tender number",
        "TITLE",
        "lead_department_code",
        "Month",
        "Planned (%)",
        "Actual %",
        "機關名稱",
    ]
    result = do_import(
        people, table([["PW11501", "", "PW", "115年10月", "30", "50", "工務處"]], header)
    )
    assert result["reports_filed"] == 1 and result["ignored_columns"] == ["機關名稱"]
    # Planned comes from the approved baseline (50%); the import's 30% is flagged.
    report = works.reports.get()
    assert report.planned == 50 and report.imported_planned == 30
    assert "differs from the approved baseline" in result["outcomes"][0]["what"]


@pytest.mark.parametrize("encoding", ["utf-8-sig", "cp950"])
def test_it_reads_csv_with_a_bom_and_big5(people, works, encoding):
    result = do_import(people, table(GOOD, encoding=encoding))
    assert result["items_created"] == 1 and result["reports_filed"] == 4
    assert Item.objects.get(tender_number="PW11502").title == NEW_TITLE
    assert Report.objects.filter(lag_reason="用地取得延宕").exists()


def test_it_reads_ods_with_typed_cells(people, works):
    rows = [
        [
            "PW11502",
            NEW_TITLE,
            "PW",
            "115/09",
            40,
            Decimal("35.5"),
            dt.date(2026, 12, 31),
            None,
            8000000,
            2500000,
            "用地取得延宕",
        ],
        [
            "PW11502",
            NEW_TITLE,
            "PW",
            11510,
            60,
            60,
            dt.date(2026, 12, 31),
            None,
            8000000,
            4000000,
            "",
        ],
    ]
    content = write_ods({"PCMS": (HEADER, rows)})
    result = do_import(people, content, filename="pcms.ods")
    assert result["reports_filed"] == 2
    item = Item.objects.get(tender_number="PW11502")
    assert item.finish_date == dt.date(2026, 12, 31) and item.contract_sum == 8_000_000
    assert [r.actual for r in item.reports.order_by("month")] == [Decimal("35.5"), Decimal(60)]


def test_an_officer_imports_every_departments_rows(people, city, works):
    rows = [
        *GOOD,
        ["SOC11501", "長青食堂修繕工程", "SOC", "115/10", "30", "30", "", "", "900000", "", ""],
    ]
    result = do_import(people, table(rows), actor="officer")
    assert result["items_created"] == 2 and result["reports_filed"] == 5
    soc = Item.objects.get(tender_number="SOC11501")
    assert soc.lead == city["soc"] and soc.level == "self"  # NT$900,000 < NT$5M
    report = works.reports.get()
    assert report.filed_by == people["officer"]
    reporting.report_approve(actor=people["head"], report=report)  # the head reviews it
    entry = AuditEntry.objects.get(action=AuditEntry.Action.IMPORT)
    assert entry.department is None


# Bad input: reported by row and column, nothing written ------------------------------------


def test_it_names_each_missing_column(people, works):
    header = [h for h in HEADER if h not in ("實際進度", "主辦機關代碼")]
    rows = [[v for h, v in zip(HEADER, GOOD[0], strict=True) if h in header]]
    assert problems_of(people, table(rows, header)) == {(1, "實際進度"), (1, "主辦機關代碼")}


def bad(row: int, column: str, value: str) -> list[list[str]]:
    rows = [r[:] for r in GOOD]
    rows[row - 2][HEADER.index(column)] = value
    return rows


@pytest.mark.parametrize(
    ("row", "column", "value", "words"),
    [
        (2, "實際進度", "101", "from 0 to 100"),
        (3, "預定進度", "四十", "from 0 to 100"),
        (4, "實際進度", "30", "below the 35% on row 3"),
        (2, "主辦機關代碼", "XX", "no active department has the code XX"),
        (3, "主辦機關代碼", "SOC", "another department's row"),
        (4, "預定完工日", "115/13/45", "no such day"),
        (3, "資料年月", "115/13", "not a year and month"),
        (3, "資料年月", "116/01", "has not begun"),
        (4, "資料年月", "2026-09", "the same item and month are on row 3"),
        (3, "落後原因", "", "behind planned"),
        (2, "決標金額", "八百萬", "whole amount"),
        (2, "標案名稱", "", "required for a new item"),
    ],
)
def test_it_reports_a_bad_row_and_writes_nothing(people, works, row, column, value, words):
    before = counts()
    with pytest.raises(ServiceError) as e:
        do_import(people, table(bad(row, column, value)))
    matching = [p for p in e.value.problems if (p.row, p.field) == (row, column)]
    assert matching and words in matching[0].message, e.value.problems
    assert counts() == before
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.IMPORT).exists()


def test_it_checks_actual_progress_against_the_months_already_reported(people, works):
    file(works, people["liaison"], 2026, 9, 55, 55)
    file(works, people["liaison"], 2026, 11, 70, 70, now=dt.datetime(2026, 11, 30, tzinfo=dt.UTC))

    def problem(row):
        with pytest.raises(ServiceError) as e:
            imports.pcms_import(
                actor=people["liaison"],
                content=table([row]),
                filename="x.csv",
                now=dt.datetime(2026, 12, 1, tzinfo=dt.UTC),
            )
        (found,) = e.value.problems
        assert (found.row, found.field) == (2, "實際進度")
        return found.message

    october = ["PW11501", "", "PW", "115/10", "60", "50", "", "", "", "", "趕工中"]
    assert "below the 55% already reported for 115/09" in problem(october)
    august = ["PW11501", "", "PW", "115/08", "50", "80", "", "", "", "", ""]
    assert "above the 55% already reported for the later month 115/09" in problem(august)
    assert works.reports.count() == 2


def test_it_lists_every_problem_of_the_file_at_once(people, works):
    rows = bad(2, "實際進度", "150")
    rows[2][HEADER.index("主辦機關代碼")] = "NOPE"
    rows[3][HEADER.index("預定完工日")] = "someday"
    found = problems_of(people, table(rows))
    assert {(2, "實際進度"), (4, "主辦機關代碼"), (5, "預定完工日")} <= found


def test_one_bad_row_keeps_the_good_rows_out_too(people, works):
    rows = [GOOD[0], ["PW11503", "新工程", "PW", "115/10", "10", "200", "", "", "", "", ""]]
    before = counts()
    problems = problems_of(people, table(rows))
    assert problems == {(3, "實際進度")}
    assert counts() == before and not Item.objects.filter(tender_number="PW11502").exists()


def test_it_refuses_a_released_item(people, works):
    Item.objects.filter(pk=works.pk).update(status=Item.Status.RELEASED)
    assert (5, "標案案號") in problems_of(people, table(GOOD), actor="officer")


def test_it_refuses_text_that_is_not_a_table(people, works):
    with pytest.raises(ServiceError) as e:
        do_import(people, b"\xff\xfe\x00garbage")
    assert e.value.problems[0].field == "file"


# Permissions and the page --------------------------------------------------------------------


def test_another_departments_liaison_cannot_import_pw_rows(web, people, works):
    before = counts()
    response = upload(web["other_liaison"], table(GOOD), "import")
    assert response.status_code == 400
    page = response.content.decode()
    assert "Nothing was imported" in page and "another department&#x27;s row" in page
    assert {p.row for p in response.context["problems"] if p.field == "主辦機關代碼"} == {
        2,
        3,
        4,
        5,
    }
    assert counts() == before


def test_it_lets_only_importers_in(web, people):
    assert web["anonymous"].get("/tracking/import/").status_code == 302
    assert "/login" in web["anonymous"].get("/tracking/import/")["Location"]
    for name in ("worker", "executive"):
        assert web[name].get("/tracking/import/").status_code == 403
        assert upload(web[name], table(GOOD), "import").status_code == 403
    with pytest.raises(NotAllowed):
        do_import(people, table(GOOD), actor="worker")
    for name in ("officer", "liaison", "head", "other_liaison"):
        page = web[name].get("/tracking/import/")
        assert page.status_code == 200
        assert "標案案號" in page.content.decode() and 'for="pcms-file"' in page.content.decode()


def test_the_page_shows_problems_with_status_400(web, works):
    response = upload(web["liaison"], table(bad(3, "實際進度", "abc")), "check")
    assert response.status_code == 400
    page = response.content.decode()
    assert 'role="alert"' in page and "<caption>" in page and "實際進度" in page
    response = web["liaison"].post("/tracking/import/", {"action": "check"})
    assert response.status_code == 400 and response.context["form"].errors


def test_it_keeps_one_lead_for_a_tender_number(people, works):
    rows = [GOOD[0], [*GOOD[1][:2], "SOC", *GOOD[1][3:]]]
    with pytest.raises(ServiceError) as e:
        do_import(people, table(rows), actor="officer")
    (problem,) = e.value.problems
    assert (problem.row, problem.field) == (3, "主辦機關代碼")
    assert "row 2 gives this tender number to PW" in problem.message
