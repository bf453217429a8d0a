"""Lag reasons that can be counted: categories plus text, countermeasures when seriously
behind, the tally by department and kind on the board, the reasons page and the ODS."""

import io

import odfdo
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from guankao.core.errors import NotAllowed, ServiceError
from guankao.tracking import exports, reasons, reporting, services, tally
from guankao.tracking.models import Item, LagCategory

from .conftest import CREATED, NOW, file, plan


def make(people, city, number, lead="pw", kind="works", liaison="liaison"):
    item = services.item_create(
        actor=people[liaison], kind=kind, number=number, title=number, lead=city[lead]
    )
    Item.objects.filter(pk=item.pk).update(created_at=CREATED)
    return item


def behind(item, actor, codes, actual="40"):
    return file(item, actor, 2026, 10, "50", actual, lag_categories=codes)


def test_the_pcms_categories_are_there_and_editable_by_the_officer(people):
    names = list(LagCategory.objects.values_list("name", flat=True))
    assert names == [
        "用地取得",
        "管線遷移",
        "設計變更",
        "廠商履約",
        "天候",
        "預算/經費",
        "行政程序",
        "民眾陳抗",
        "其他",
    ]
    with pytest.raises(NotAllowed):
        reasons.category_save(actor=people["liaison"], code="noise", name="噪音")
    added = reasons.category_save(actor=people["officer"], code="noise", name="噪音陳情")
    assert added.active and added.order == 10
    weather = LagCategory.objects.get(code="weather")
    reasons.category_save(actor=people["officer"], category=weather, name="天候", active=False)
    with pytest.raises(ServiceError) as e:
        reasons.category_save(actor=people["officer"], code="x", name="其他")
    assert e.value.problems[0].field == "name"


def test_a_behind_report_needs_a_category_and_serious_lag_a_countermeasure(works, people):
    plan(works, 2026, 10, "50")
    base = {"actor": people["liaison"], "item": works, "year": 2026, "month": 10, "now": NOW}
    base.update(work_done="施工", lag_reason="管線遷移延宕")
    with pytest.raises(ServiceError) as e:
        reporting.report_file(actual="45", **base)
    assert e.value.problems[0].field == "lag_categories"
    with pytest.raises(ServiceError) as e:
        reporting.report_file(actual="45", lag_categories=["nonsense"], **base)
    assert e.value.problems[0].field == "lag_categories"
    with pytest.raises(ServiceError) as e:
        reporting.report_file(actual="38", lag_categories=["utilities"], **base)
    assert e.value.problems[0].field == "countermeasures"
    report = reporting.report_file(
        actual="38",
        lag_categories=["utilities", "land"],
        problems="台電管線遷移排程未定",
        countermeasures="召開協調會，請台電於11月底前遷移",
        **base,
    )
    assert sorted(report.lag_categories.values_list("code", flat=True)) == ["land", "utilities"]
    assert report.problems != report.countermeasures


def test_the_reasons_are_tallied_by_department_and_kind(people, city, clients):
    a = make(people, city, "A")
    b = make(people, city, "B")
    c = make(people, city, "C", kind="major")
    d = make(people, city, "D", lead="soc", liaison="other_liaison")
    behind(a, people["liaison"], ["utilities", "weather"])
    behind(b, people["liaison"], ["utilities"])
    behind(c, people["liaison"], ["land"])
    behind(d, people["other_liaison"], ["utilities"])
    counted = tally.reason_tally(user=people["officer"])
    codes = [cat.code for cat in counted["categories"]]
    column = codes.index("utilities")
    by_name = {r["label"]: r for r in counted["departments"]}
    assert by_name["工務處"]["counts"][column] == 2 and by_name["工務處"]["total"] == 4
    assert by_name["社會處"]["counts"][column] == 1
    assert counted["totals"][column] == 3 and counted["total"] == 5
    with translation.override("zh-hant"):  # the labels are lazy: read in zh-Hant
        kinds = {str(r["label"]): r["total"] for r in counted["kinds"]}
    assert kinds == {"公共工程": 4, "重大計畫": 1}
    # Scoped: the other department's liaison sees only their own.
    mine = tally.reason_tally(user=people["other_liaison"])
    assert [r["label"] for r in mine["departments"]] == ["社會處"] and mine["total"] == 1
    page = clients["officer"].get("/tracking/reasons/")
    assert page.status_code == 200 and "管線遷移" in page.content.decode()
    board = clients["officer"].get("/tracking/")
    assert board.context["reasons"]["total"] == 5
    content = exports.board_ods(user=people["officer"], filters={"status": "all"})
    sheet = odfdo.Document(io.BytesIO(content)).body.get_table(name="落後原因統計")
    values = sheet.get_values()
    assert values[0][0] == "主辦機關" and values[-1][0] == "全市"


def test_the_reasons_page_lets_the_officer_edit_categories(clients):
    r = clients["liaison"].post("/tracking/reasons/", {"new-code": "x", "new-name": "x"})
    assert r.status_code == 403
    r = clients["officer"].post("/tracking/reasons/", {"new-code": "noise", "new-name": "噪音"})
    assert r.status_code == 302 and LagCategory.objects.filter(code="noise").exists()
    other = LagCategory.objects.get(code="other")
    r = clients["officer"].post(
        "/tracking/reasons/",
        {"category": other.pk, f"c{other.pk}-name": "", f"c{other.pk}-order": "9"},
    )
    assert r.status_code == 400


def test_the_tally_is_one_query_whatever_the_cases(people, city):
    for n in range(3):
        behind(make(people, city, f"Q{n}"), people["liaison"], ["land"])
    tally.reason_tally(user=people["officer"])  # the user's department, read once
    with CaptureQueriesContext(connection) as few:
        tally.reason_tally(user=people["officer"])
        tally.progress_totals(user=people["officer"])
    for n in range(3, 12):
        behind(make(people, city, f"Q{n}"), people["liaison"], ["land", "weather"])
    with CaptureQueriesContext(connection) as many:
        counted = tally.reason_tally(user=people["officer"])
        tally.progress_totals(user=people["officer"])
    assert len(many) == len(few), [q["sql"][:150] for q in many.captured_queries]
    assert counted["total"] == 21
