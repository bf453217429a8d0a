"""The controlled-cases API (/api/v1/tracking/…) over the personas, and its GeoJSON feed."""

import json
import math
from unittest import mock

import pytest
from django.test import Client
from django.utils import timezone

from guankao.core.models import AuditEntry
from guankao.core.services import token_create
from guankao.tracking import meetings, release, reporting, services
from guankao.tracking.models import Decision, Item, Meeting, Milestone, Report, Rules

from .conftest import CREATED, NOW, at, file, plan

API = "/api/v1/tracking"
WORK_DONE, PROBLEMS, LAG_REASON = "路面刨除完成三成", "管線遷移延宕", "雨天停工十二日"


@pytest.fixture(autouse=True)
def _now():
    # The fixtures' clock: 2026-11-12; the October report was due 2026-11-05.
    with mock.patch.object(timezone, "now", return_value=NOW):
        yield


def _json(r):
    return json.loads(r.content)


def _post(client, url, data=None):
    return client.post(url, data or {}, content_type="application/json")


def _patch(client, url, data):
    return client.patch(url, data, content_type="application/json")


def _fields(r) -> list[str]:
    detail = _json(r)["detail"]
    return [p["field"] for p in detail] if isinstance(detail, list) else []


def _state() -> tuple:
    """Everything a bad request must leave as it was."""
    return (
        list(Item.objects.order_by("pk").values()),
        list(Report.objects.order_by("pk").values()),
        list(Milestone.objects.order_by("pk").values()),
        list(Meeting.objects.order_by("pk").values()),
        Decision.objects.count(),
        list(Rules.objects.values()),
        AuditEntry.objects.count(),
    )


def _work(people, city, number, **data):
    data = {"kind": "works", "title": f"工程 {number}", "lead": city["pw"], **data}
    item = services.item_create(actor=people["officer"], number=number, **data)
    Item.objects.filter(pk=item.pk).update(created_at=CREATED)
    return item


# Items -----------------------------------------------------------------------------------


def test_it_lists_the_items_a_persona_may_read_with_filters(clients, works, directive, people):
    file(works, people["liaison"], 2026, 10, "50", "38")
    r = clients["liaison"].get(f"{API}/items")
    body = _json(r)
    assert r.status_code == 200 and body["count"] == 2
    row = next(i for i in body["items"] if i["number"] == "W-115-001")
    assert row["lead"] == "PW" and row["budget_total"] == 12_000_000
    figures = (row["planned"], row["actual"], row["lag"], row["risk"], row["last_month"])
    assert figures == ("50.00", "38.00", "serious", "high", 10)
    assert row["finish_date"] == "2026-12-31" and row["last_year"] == 2026
    Item.objects.filter(pk=directive.pk).update(report_overdue=True)  # as the worker marks it
    for query, numbers in {
        "kind=works": ["W-115-001"],
        "kind=mayor": ["D-115-001"],
        "lag=serious": ["W-115-001"],
        "risk=low": ["D-115-001"],
        "level=city": ["D-115-001", "W-115-001"],
        "q=停車": ["D-115-001"],
        "q=pw115": ["W-115-001"],
        "department=PW": ["D-115-001", "W-115-001"],
        "department=SOC": [],
        "status=released": [],
        "status=all": ["D-115-001", "W-115-001"],
        "overdue=true": ["D-115-001"],
        "overdue=false": ["D-115-001", "W-115-001"],
    }.items():
        found = _json(clients["officer"].get(f"{API}/items?{query}"))
        assert [i["number"] for i in found["items"]] == numbers, query
    for persona, count in {"officer": 2, "executive": 2, "other_liaison": 0, "worker": 0}.items():
        assert _json(clients[persona].get(f"{API}/items"))["count"] == count, persona


@pytest.mark.parametrize(
    "query, field",
    [
        ("department=NOPE", "department"),
        ("kind=castle", "kind"),
        ("status=lost", "status"),
        ("lag=late", "lag"),
        ("q=" + "x" * 101, "q"),
        ("overdue=maybe", "overdue"),
    ],
)
def test_it_names_a_bad_filter(clients, works, query, field):
    r = clients["officer"].get(f"{API}/items?{query}")
    assert 400 <= r.status_code < 500 and field in _fields(r), r.content


def test_it_accepts_a_personal_token(people, works):
    _token, raw = token_create(actor=people["liaison"], name="script")
    r = Client().get(f"{API}/items", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert r.status_code == 200 and _json(r)["count"] == 1
    r = Client().get(f"{API}/items", HTTP_AUTHORIZATION="Bearer gk_wrong")
    assert r.status_code == 401


def test_it_creates_an_item_and_shows_it_whole(clients, city):
    r = _post(
        clients["liaison"],
        f"{API}/items",
        {
            "kind": "works",
            "number": "W-115-009",
            "title": "北興街排水改善",
            "lead": "PW",
            "co_departments": ["SOC"],
            "budget_total": 6_500_000,
            "budget_year": 3_000_000,
            "start_date": "115/02/01",
            "finish_date": "2026-12-31",
            "tender_number": "PW11509",
            "contractor": "諸羅土木",
            "contract_sum": 6_200_000,
            "site_address": "北興街",
            "latitude": 23.4875,
            "longitude": "120.4412",
        },
    )
    assert r.status_code == 201, r.content
    item = _json(r)
    assert item["level"] == "city"  # NT$6.5M: city-controlled by the rule
    assert item["co_departments"] == ["SOC"] and item["milestones"] == []
    assert item["start_date"] == "2026-02-01" and item["budget_year"] == 3_000_000
    assert (item["latitude"], item["longitude"]) == ("23.487500", "120.441200")
    assert item["lag"] == "none" and item["reports_progress"] is True and item["version"]
    assert AuditEntry.objects.filter(
        object_type="tracking.item", object_id=str(item["id"])
    ).exists()
    # A co-department reads it; it does not edit it.
    assert clients["other_liaison"].get(f"{API}/items/{item['id']}").status_code == 200
    r = _patch(
        clients["other_liaison"],
        f"{API}/items/{item['id']}",
        {"title": "改", "version": item["version"]},
    )
    assert r.status_code == 403


def test_it_shows_milestones_and_the_computed_figures(clients, works, people):
    r = _post(
        clients["liaison"],
        f"{API}/items/{works.pk}/milestones",
        {"title": "完成管線遷移", "due": "115/06/30"},
    )
    assert r.status_code == 201, r.content
    milestone = _json(r)
    assert milestone["due"] == "2026-06-30" and milestone["done_on"] is None
    r = clients["liaison"].post(
        f"{API}/milestones/{milestone['id']}/done", "", content_type="application/json"
    )
    assert r.status_code == 200 and _json(r)["done_on"] == "2026-11-12"
    r = _post(
        clients["liaison"],
        f"{API}/milestones/{milestone['id']}/done",
        {"done_on": "2026-12-01"},
    )
    assert r.status_code == 400 and _fields(r) == ["done_on"]
    for month, planned, actual in ((7, "30", "30"), (8, "40", "38"), (9, "50", "44")):
        file(works, people["liaison"], 2026, month, planned, actual, now=at(2026, month + 1, 3))
    item = _json(clients["executive"].get(f"{API}/items/{works.pk}"))
    assert item["milestones"][0]["done_on"] == "2026-11-12"
    assert (item["lag"], item["risk"], item["planned"], item["actual"]) == (
        "behind",
        "medium",
        "50.00",
        "44.00",
    )
    assert item["forecast_method"] in ("s-curve", "linear")
    assert item["forecast_finish"] and item["forecast_late"] is True


def test_it_updates_with_the_version_and_refuses_a_stale_one(clients, works):
    url = f"{API}/items/{works.pk}"
    first = _json(clients["liaison"].get(url))
    r = _patch(
        clients["liaison"],
        url,
        {"title": "民族路人行道改善工程(第二期)", "contractor": None, "version": first["version"]},
    )
    assert r.status_code == 200, r.content
    changed = _json(r)
    assert changed["title"].endswith("(第二期)") and changed["contractor"] == ""
    assert changed["version"] != first["version"]
    before = _state()
    r = _patch(clients["head"], url, {"title": "舊表單", "version": first["version"]})
    assert r.status_code == 400 and _fields(r) == ["version"]
    r = _patch(clients["head"], url, {"title": "沒有版本"})
    assert r.status_code == 422 and _fields(r) == ["version"]
    assert _state() == before


@pytest.mark.parametrize(
    "change, field",
    [
        ({"budget_total": "lots"}, "budget_total"),
        ({"budget_total": "1,200,000"}, "budget_total"),
        ({"budget_total": 1.5}, "budget_total"),
        ({"budget_total": -1}, "budget_total"),
        ({"budget_total": 10**13}, "budget_total"),
        ({"budget_year": 13_000_000}, "budget_year"),
        ({"lead": "NOPE"}, "lead"),
        ({"co_departments": ["NOPE"]}, "co_departments"),
        ({"co_departments": ["PW"]}, "co_departments"),
        ({"co_departments": "SOC"}, "co_departments"),
        ({"kind": "castle"}, "kind"),
        ({"level": "self"}, "level"),
        ({"title": ""}, "title"),
        ({"title": "長" * 301}, "title"),
        ({"description": "x" * 100_000}, "description"),
        ({"number": "D-115-001"}, "number"),
        ({"start_date": "115/13/01"}, "start_date"),
        ({"start_date": 20260101}, "start_date"),
        ({"finish_date": "2025-01-01"}, "finish_date"),
        ({"latitude": 123}, "latitude"),
        ({"latitude": True}, "latitude"),
        ({"latitude": None}, "longitude"),
        ({"status": "released"}, "status"),
    ],
)
def test_it_names_the_field_of_a_bad_item_change_and_changes_nothing(
    clients, works, directive, change, field
):
    version = _json(clients["liaison"].get(f"{API}/items/{works.pk}"))["version"]
    before = _state()
    r = _patch(clients["liaison"], f"{API}/items/{works.pk}", {**change, "version": version})
    assert 400 <= r.status_code < 500 and field in _fields(r), r.content
    if field not in ("longitude",):  # on create, a null latitude means "no coordinates"
        base = {
            "kind": "works",
            "number": "W-NEW",
            "title": "新",
            "lead": "PW",
            "budget_total": 6_000_000,
            "start_date": "2026-01-15",
        }
        r = _post(clients["liaison"], f"{API}/items", {**base, **change})
        assert 400 <= r.status_code < 500 and field in _fields(r), r.content
    assert _state() == before


def test_it_refuses_an_item_for_another_department(clients, city):
    before = _state()
    r = _post(
        clients["liaison"],
        f"{API}/items",
        {"kind": "works", "number": "S-1", "title": "社福館", "lead": "SOC"},
    )
    assert r.status_code == 403
    r = _post(
        clients["executive"],
        f"{API}/items",
        {"kind": "works", "number": "S-1", "title": "社福館", "lead": "PW"},
    )
    assert r.status_code == 403
    assert _state() == before


# Reports ---------------------------------------------------------------------------------


def _report(client, item, plan_pct=None, **data):
    """File through the API; `plan_pct`: the baseline's planned % for the month first."""
    body = {"year": 2026, "month": 10, "work_done": WORK_DONE, **data}
    if plan_pct is not None:
        plan(item, body["year"], body["month"], plan_pct, data.pop("plan_money", None))
        body.pop("plan_money", None)
    if body.get("lag_reason"):
        body.setdefault("lag_categories", ["weather"])
        body.setdefault("countermeasures", "增派人力趕工")
    return _post(client, f"{API}/items/{item.pk}/reports", body)


def test_it_runs_the_report_cycle(clients, works):
    r = _report(
        clients["liaison"],
        works,
        plan_pct=50,
        actual="38.5",
        plan_money=4_000_000,
        money_spent=2_500_000,
        problems=PROBLEMS,
        lag_reason=LAG_REASON,
    )
    assert r.status_code == 201, r.content
    report = _json(r)
    assert (report["planned"], report["actual"], report["money_spent"]) == (
        "50.00",
        "38.50",
        2_500_000,
    )
    assert report["late"] is True and report["due_on"] == "2026-11-05"
    assert report["seriously_behind"] and report["money_behind"] and report["state"] == "submitted"
    assert report["filed_by"] == "liaison" and report["reviewed_by"] is None
    url = f"{API}/reports/{report['id']}"
    assert _post(clients["liaison"], f"{url}/approve").status_code == 403  # not their own
    r = clients["head"].post(f"{url}/return", "", content_type="application/json")  # no body
    assert r.status_code == 400 and _fields(r) == ["note"]
    r = _post(clients["head"], f"{url}/return", {"note": "請補照片"})
    assert r.status_code == 200 and _json(r)["state"] == "returned"
    assert _json(r)["reviewed_by"] == "head" and _json(r)["review_note"] == "請補照片"
    r = _report(clients["liaison"], works, actual=39, lag_reason=LAG_REASON)
    again = _json(r)
    assert r.status_code == 201 and again["revision"] == 2
    r = clients["head"].post(
        f"{API}/reports/{again['id']}/approve", "", content_type="application/json"
    )
    assert r.status_code == 200 and _json(r)["state"] == "approved"
    assert (
        _post(clients["head"], f"{API}/reports/{again['id']}/refuse", {"note": "x"}).status_code
        == 403
    )
    r = _post(clients["officer"], f"{API}/reports/{again['id']}/refuse", {"note": "逾期"})
    assert r.status_code == 200 and _json(r)["state"] == "refused"
    listed = _json(clients["head"].get(f"{API}/items/{works.pk}/reports"))
    assert [(x["revision"], x["state"]) for x in listed] == [(2, "refused"), (1, "returned")]


def test_a_directive_reports_its_handling(clients, directive):
    r = _report(clients["liaison"], directive, handling="in_progress", result="已完成現勘")
    assert r.status_code == 201, r.content
    assert _json(r)["handling"] == "in_progress" and _json(r)["planned"] is None
    r = _report(
        clients["liaison"], directive, month=9, planned=10, actual=10, handling="done", result="x"
    )
    assert r.status_code == 400 and _fields(r) == ["planned"]


@pytest.mark.parametrize(
    "data, field",
    [
        ({"planned": 34, "actual": 50}, "planned"),
        ({"money_planned": 1000, "actual": 50}, "money_planned"),
        ({"actual": "100.5"}, "actual"),
        ({"actual": "-1"}, "actual"),
        ({"actual": 50.123}, "actual"),
        ({"actual": "abc"}, "actual"),
        ({"actual": True}, "actual"),
        ({"actual": "NaN"}, "actual"),
        ({}, "actual"),
        ({"actual": 40}, "lag_reason"),
        ({"actual": 50, "year": "二〇二六"}, "year"),
        ({"actual": 50, "year": "2026"}, "year"),
        ({"actual": 50, "month": 13}, "month"),
        ({"actual": 50, "month": 12}, "month"),
        ({"actual": 50, "money_spent": "1,000"}, "money_spent"),
        ({"actual": 50, "money_spent": 10**13}, "money_spent"),
        ({"actual": 50, "work_done": ""}, "work_done"),
        ({"actual": 50, "work_done": "字" * 5001}, "work_done"),
        ({"actual": 50, "lag_reason": ["a"]}, "lag_reason"),
        ({"actual": 50, "handling": "done"}, "handling"),
        ({"actual": 50, "filed_by": 1}, "filed_by"),
    ],
)
def test_it_names_the_field_of_a_bad_report_and_files_nothing(clients, works, data, field):
    plan(works, 2026, 10, "50")
    before = _state()
    r = _report(clients["liaison"], works, **data)
    assert 400 <= r.status_code < 500 and field in _fields(r), r.content
    assert _state() == before


def test_a_report_that_goes_backwards_is_refused(clients, works, people):
    file(works, people["liaison"], 2026, 9, "40", "40", now=at(2026, 10, 2))
    before = _state()
    r = _report(clients["liaison"], works, plan_pct=50, actual=30, lag_reason=LAG_REASON)
    assert r.status_code == 400 and _fields(r) == ["actual"]
    assert _state() == before


# Release from control --------------------------------------------------------------------


def test_it_runs_the_release_cycle(clients, works):
    url = f"{API}/items/{works.pk}/release"
    r = _post(clients["liaison"], url, {"result": "完工驗收合格"})
    assert r.status_code == 400 and set(_fields(r)) == {"completed_on", "files", "actual"}
    body = {"result": "完工驗收合格", "completed_on": "115/11/10", "exception_reason": "照片補送"}
    r = _post(clients["liaison"], url, body)
    assert r.status_code == 200 and _json(r)["status"] == "release_requested"
    assert _json(r)["completed_on"] == "2026-11-10" and _json(r)["release_exception"]
    assert _post(clients["liaison"], f"{url}/approve").status_code == 403
    r = _post(clients["officer"], f"{url}/return", {"note": ""})
    assert r.status_code == 400 and _fields(r) == ["note"]
    r = _post(clients["officer"], f"{url}/return", {"note": "缺驗收照片"})
    assert _json(r)["status"] == "returned" and _json(r)["release_note"] == "缺驗收照片"
    assert _post(clients["liaison"], url, {**body, "result": "補驗收照片"}).status_code == 200
    r = _post(clients["officer"], f"{url}/approve", {})
    assert r.status_code == 400 and _fields(r) == ["note"]  # the exception needs a note
    r = _post(clients["officer"], f"{url}/approve", {"note": "准予解除列管"})
    released = _json(r)
    assert r.status_code == 200 and released["status"] == "released" and released["released_at"]
    # Released items stay searchable.
    assert _json(clients["liaison"].get(f"{API}/items"))["count"] == 0
    found = _json(clients["liaison"].get(f"{API}/items?status=released&q=W-115"))
    assert [i["number"] for i in found["items"]] == ["W-115-001"]
    r = _post(clients["officer"], f"{url}/approve", {"note": "again"})
    assert r.status_code == 400 and _fields(r) == ["status"]


# Meetings --------------------------------------------------------------------------------


def test_it_runs_the_monthly_meeting(clients, works, directive, people):
    file(works, people["liaison"], 2026, 10, "50", "38")
    body = {"year": 2026, "month": 10, "held_on": "115/11/10", "chair": "市長"}
    before = _state()
    for persona in ("liaison", "head", "executive"):
        assert _post(clients[persona], f"{API}/meetings", body).status_code == 403
    assert _state() == before
    r = _post(clients["officer"], f"{API}/meetings", body)
    assert r.status_code == 201, r.content
    meeting = _json(r)
    assert meeting["status"] == "open" and meeting["held_on"] == "2026-11-10"
    assert "115/10" in meeting["title"] and meeting["entries"] == 1
    [entry] = meeting["agenda"]
    assert (entry["number"], entry["reason"], entry["lag"], entry["planned"], entry["actual"]) == (
        "W-115-001",
        "serious",
        "serious",
        "50.00",
        "38.00",
    )
    assert _post(clients["officer"], f"{API}/meetings", body).status_code == 400  # once a month
    url = f"{API}/meetings/{meeting['id']}"
    decision = {"text": "請工務處提出趕工計畫\n每週回報", "department": "PW", "due": "115/12/31"}
    assert _post(clients["liaison"], f"{url}/decisions", decision).status_code == 403
    for bad, field in (
        ({"entry": 999_999}, "entry"),
        ({"department": "NOPE"}, "department"),
        ({"due": "115/11/01"}, "due"),
        ({"text": ""}, "text"),
        ({"text": "字" * 2001}, "text"),
    ):
        before = _state()
        r = _post(clients["officer"], f"{url}/decisions", {**decision, **bad})
        assert 400 <= r.status_code < 500 and _fields(r) == [field], r.content
        assert _state() == before
    r = _post(clients["officer"], f"{url}/decisions", {**decision, "entry": entry["id"]})
    assert r.status_code == 201, r.content
    made = _json(r)
    assert made["directive"]["number"] == "M11510-01" and made["entry"] == entry["id"]
    directive_item = _json(clients["liaison"].get(f"{API}/items/{made['directive']['id']}"))
    assert directive_item["kind"] == "meeting" and directive_item["lead"] == "PW"
    assert (
        directive_item["due_date"] == "2026-12-31"
        and directive_item["origin_meeting"] == meeting["id"]
    )
    # Every member of staff reads the meeting; only the officer closes it.
    shown = _json(clients["other_liaison"].get(url))
    assert shown["decisions"][0]["directive"] == made["directive"] and shown["decided"] == 1
    assert _post(clients["head"], f"{url}/close", {"minutes": "紀錄"}).status_code == 403
    r = _post(clients["officer"], f"{url}/close", {"minutes": "會議紀錄", "held_on": "2026-11-20"})
    assert r.status_code == 400 and _fields(r) == ["held_on"]  # after "today"
    r = _post(clients["officer"], f"{url}/close", {"minutes": "會議紀錄"})
    assert (
        r.status_code == 200 and _json(r)["status"] == "held" and _json(r)["minutes"] == "會議紀錄"
    )
    r = _post(clients["officer"], f"{url}/decisions", decision)
    assert r.status_code == 400 and _fields(r) == ["status"]
    listed = _json(clients["head"].get(f"{API}/meetings"))
    assert listed["count"] == 1 and listed["items"][0]["decided"] == 1
    assert listed["items"][0]["entries"] == 1 and listed["items"][0]["status"] == "held"


@pytest.mark.parametrize(
    "data, field",
    [
        ({"year": 2026, "month": 13, "held_on": "2026-11-10"}, "month"),
        ({"year": "2026", "month": 10, "held_on": "2026-11-10"}, "year"),
        ({"year": 2026, "month": 10, "held_on": "yesterday"}, "held_on"),
        ({"year": 2026, "month": 10}, "held_on"),
        ({"year": 2026, "month": 10, "held_on": "2026-11-10", "title": "題" * 201}, "title"),
    ],
)
def test_it_names_the_field_of_a_bad_meeting(clients, city, data, field):
    r = _post(clients["officer"], f"{API}/meetings", data)
    assert 400 <= r.status_code < 500 and _fields(r) == [field], r.content
    assert not Meeting.objects.exists()


# Board and rules -------------------------------------------------------------------------


def test_it_counts_the_board_and_lists_the_behind_first(clients, works, people, city):
    behind = _work(people, city, "W-2", budget_total=9_000_000)
    quiet = _work(people, city, "W-3", budget_total=9_000_000)
    file(works, people["liaison"], 2026, 10, "50", "38")  # 12 points: seriously behind
    file(behind, people["liaison"], 2026, 10, "50", "45")
    file(quiet, people["liaison"], 2026, 10, "50", "50")
    board = _json(clients["officer"].get(f"{API}/board"))
    assert board["total"] == 3 and board["by_status"]["active"] == 3
    assert board["by_lag"] == {"none": 0, "on_time": 1, "behind": 1, "serious": 1}
    assert board["by_risk"]["high"] == 1
    assert board["departments"] == [
        {
            "code": "PW",
            "name": "工務處",
            "total": 3,
            "open": 3,
            "serious": 1,
            "behind": 1,
            "overdue": 0,
            "released": 0,
        },
    ]
    assert _json(clients["officer"].get(f"{API}/board?department=SOC"))["total"] == 0
    assert _json(clients["other_liaison"].get(f"{API}/board"))["total"] == 0
    r = clients["officer"].get(f"{API}/board?department=NOPE")
    assert r.status_code == 400 and _fields(r) == ["department"]
    rows = _json(clients["head"].get(f"{API}/behind"))["items"]
    assert [(i["number"], i["gap"]) for i in rows] == [("W-115-001", "12.00"), ("W-2", "5.00")]
    assert _json(clients["head"].get(f"{API}/behind?kind=mayor"))["count"] == 0
    assert _json(clients["other_liaison"].get(f"{API}/behind"))["count"] == 0


def test_it_shows_the_rules_and_lets_only_officers_change_them(clients, city):
    rules = _json(clients["liaison"].get(f"{API}/rules"))
    assert rules["report_due_day"] == 5 and rules["serious_gap"] == "10.00"
    assert rules["money_share"] == "80.0" and rules["city_min_budget"] == 5_000_000
    assert sorted(rules["city_kinds"]) == ["basic_grant", "grant", "mayor", "meeting"]
    new = {k: v for k, v in rules.items() if k != "updated_at"} | {
        "report_due_day": 10,
        "serious_gap": "15",
        "money_share": 75,
        "city_kinds": ["grant"],
    }
    before = _state()
    assert (
        clients["liaison"].put(f"{API}/rules", new, content_type="application/json").status_code
        == 403
    )
    for bad, field in (
        ({"report_due_day": 29}, "report_due_day"),
        ({"report_due_day": "10"}, "report_due_day"),
        ({"serious_gap": "abc"}, "serious_gap"),
        ({"serious_gap": 0}, "serious_gap"),
        ({"money_share": 101}, "money_share"),
        ({"city_min_budget": -5}, "city_min_budget"),
        ({"city_kinds": ["castle"]}, "city_kinds.0"),
    ):
        r = clients["officer"].put(f"{API}/rules", {**new, **bad}, content_type="application/json")
        assert 400 <= r.status_code < 500 and _fields(r) == [field], r.content
    incomplete = {k: v for k, v in new.items() if k != "review_workdays"}
    r = clients["officer"].put(f"{API}/rules", incomplete, content_type="application/json")
    assert r.status_code == 422 and _fields(r) == ["review_workdays"]
    assert _state() == before
    r = clients["officer"].put(f"{API}/rules", new, content_type="application/json")
    assert r.status_code == 200, r.content
    changed = _json(r)
    assert (changed["report_due_day"], changed["serious_gap"], changed["money_share"]) == (
        10,
        "15.00",
        "75.0",
    )
    assert changed["city_kinds"] == ["grant"]
    assert Rules.current().money_share == pytest.approx(0.75)


# Permissions -----------------------------------------------------------------------------


RULES = {
    "report_due_day": 5,
    "review_workdays": 7,
    "remind_workdays": 3,
    "escalate_workdays": 3,
    "serious_gap": "10",
    "money_share": "80",
    "city_min_budget": 5_000_000,
    "city_kinds": ["grant"],
}


@pytest.fixture
def endpoints(works, people):
    """Every endpoint as (method, url, body), with a milestone, a report and a meeting."""
    milestone = services.milestone_add(
        actor=people["liaison"], item=works, title="開工", due="2026-02-01"
    )
    late = {milestone.pk: {"late_reason": "用地未交付"}}
    report = file(
        works, people["liaison"], 2026, 10, "50", "38", problems=PROBLEMS, milestones=late
    )
    meeting = meetings.meeting_open(
        actor=people["officer"], year=2026, month=10, held_on="2026-11-10"
    )
    version = services.item_version(works)
    item, m = f"{API}/items/{works.pk}", f"{API}/meetings/{meeting.pk}"
    return {
        "item": [
            ("get", item, None),
            ("patch", item, {"title": "改", "version": version}),
            ("post", f"{item}/milestones", {"title": "t", "due": "2026-03-01"}),
            ("post", f"{API}/milestones/{milestone.pk}/done", {}),
            ("get", f"{item}/reports", None),
            (
                "post",
                f"{item}/reports",
                {"year": 2026, "month": 9, "actual": 40, "work_done": "x"},
            ),
            ("post", f"{API}/reports/{report.pk}/approve", {}),
            ("post", f"{API}/reports/{report.pk}/return", {"note": "n"}),
            ("post", f"{API}/reports/{report.pk}/refuse", {"note": "n"}),
            ("post", f"{item}/release", {"result": "r", "exception_reason": "e"}),
            ("post", f"{item}/release/approve", {}),
            ("post", f"{item}/release/return", {"note": "n"}),
        ],
        "city": [
            ("get", f"{API}/items", None),
            ("post", f"{API}/items", {"kind": "works", "number": "N", "title": "t", "lead": "PW"}),
            ("get", f"{API}/meetings", None),
            ("post", f"{API}/meetings", {"year": 2026, "month": 9, "held_on": "2026-10-10"}),
            ("get", m, None),
            ("post", f"{m}/decisions", {"text": "t", "department": "PW", "due": "2026-12-31"}),
            ("post", f"{m}/close", {"minutes": "m"}),
            ("get", f"{API}/board", None),
            ("get", f"{API}/behind", None),
            ("get", f"{API}/rules", None),
            ("put", f"{API}/rules", RULES),
        ],
    }


def _call(client, method, url, body):
    if body is None:
        return getattr(client, method)(url)
    return getattr(client, method)(url, body, content_type="application/json")


@pytest.mark.parametrize("persona", ["other_liaison", "worker", "unplaced"])
def test_another_departments_item_is_not_found_anywhere(clients, endpoints, persona):
    before = _state()
    for method, url, body in endpoints["item"]:
        r = _call(clients[persona], method, url, body)
        assert r.status_code == 404, (method, url, r.content)
        assert "民族路" not in r.content.decode() and PROBLEMS not in r.content.decode()
    assert _state() == before


def test_an_executive_reads_everything_and_changes_nothing(clients, endpoints):
    before = _state()
    for method, url, body in endpoints["item"] + endpoints["city"]:
        r = _call(clients["executive"], method, url, body)
        expected = 200 if method == "get" else 403
        assert r.status_code == expected, (method, url, r.content)
    assert _state() == before


def test_an_anonymous_caller_is_asked_to_sign_in_everywhere_but_the_map(clients, endpoints):
    before = _state()
    for method, url, body in endpoints["item"] + endpoints["city"]:
        r = _call(clients["anonymous"], method, url, body)
        assert r.status_code == 401, (method, url, r.content)
        assert "民族路" not in r.content.decode()
    assert _state() == before
    assert clients["anonymous"].get(f"{API}/items.geojson").status_code == 200


# GeoJSON ---------------------------------------------------------------------------------


def _no_constants(name):
    raise AssertionError(f"{name} is not JSON (RFC 8259), so not GeoJSON")


def _assert_rfc7946(r) -> dict:
    """The shape RFC 7946 asks of a FeatureCollection of Points (validated by hand: no GeoJSON
    library is in the test lock, and none is added for this)."""
    assert r.status_code == 200, r.content
    assert r["Content-Type"].split(";")[0] == "application/geo+json"  # RFC 7946 §12
    collection = json.loads(r.content.decode("utf-8"), parse_constant=_no_constants)
    assert collection["type"] == "FeatureCollection" and isinstance(collection["features"], list)
    assert "crs" not in collection  # §4: removed; WGS 84 is implied
    for feature in collection["features"]:
        assert feature["type"] == "Feature"  # §3.2
        assert isinstance(feature.get("id"), str | int) and not isinstance(feature["id"], bool)
        assert isinstance(feature["properties"], dict)
        geometry = feature["geometry"]
        assert geometry["type"] == "Point" and set(geometry) == {"type", "coordinates"}
        position = geometry["coordinates"]  # §3.1.1: longitude, latitude[, altitude]
        assert isinstance(position, list) and len(position) in (2, 3)
        assert all(isinstance(v, int | float) and math.isfinite(v) for v in position)
        longitude, latitude = position[:2]
        assert -180 <= longitude <= 180 and -90 <= latitude <= 90
    return collection


@pytest.fixture
def mapped(people, city, works, directive):
    """Located items: the PW work, a SOC programme, a released work, a located disaster item
    (not a public kind); and the directive, with no coordinates."""
    soc = services.item_create(
        actor=people["officer"],
        kind="major",
        number="P-115-002",
        title="社福園區",
        lead=city["soc"],
        latitude="23.4791",
        longitude="120.4536",
    )
    done = _work(people, city, "W-114-007", latitude="23.47", longitude="120.43")
    release.release_request(
        actor=people["liaison"], item=done, result="完工", exception_reason="驗收紀錄補送中"
    )
    release.release_approve(actor=people["officer"], item=done, note="同意")
    disaster = services.item_create(
        actor=people["officer"],
        kind="disaster",
        number="X-115-003",
        title="抽水站檢修",
        lead=city["pw"],
        latitude="23.49",
        longitude="120.46",
    )
    return {"works": works, "soc": soc, "done": done, "disaster": disaster}


def _numbers(collection) -> list[str]:
    return [f["properties"]["number"] for f in collection["features"]]


def test_it_serves_located_items_as_geojson_to_anyone(clients, mapped):
    public = _assert_rfc7946(clients["anonymous"].get(f"{API}/items.geojson"))
    assert _numbers(public) == ["P-115-002", "W-115-001"]  # no directive, no disaster item
    works = next(f for f in public["features"] if f["properties"]["number"] == "W-115-001")
    assert works["geometry"]["coordinates"] == [120.449, 23.48]  # longitude first
    assert works["id"] == mapped["works"].pk and works["properties"]["kind"] == "works"
    officer = _assert_rfc7946(clients["officer"].get(f"{API}/items.geojson"))
    assert _numbers(officer) == ["P-115-002", "W-115-001", "X-115-003"]
    other = _assert_rfc7946(clients["other_liaison"].get(f"{API}/items.geojson"))
    assert _numbers(other) == ["P-115-002"]
    for query, numbers in {
        "kind=major": ["P-115-002"],
        "kind=disaster": [],
        "department=PW": ["W-115-001"],
        "department=CYC": ["P-115-002", "W-115-001"],
        "status=released": ["W-114-007"],
        "status=all": ["P-115-002", "W-114-007", "W-115-001"],
    }.items():
        found = _assert_rfc7946(clients["anonymous"].get(f"{API}/items.geojson?{query}"))
        assert _numbers(found) == numbers, query
    r = clients["anonymous"].get(f"{API}/items.geojson?department=NOPE")
    assert r.status_code == 400 and _fields(r) == ["department"]
    r = clients["anonymous"].get(f"{API}/items.geojson?kind=castle")
    assert r.status_code == 422 and _fields(r) == ["kind"]
    r = clients["anonymous"].get(f"{API}/items.geojson", HTTP_AUTHORIZATION="Bearer gk_revoked")
    assert r.status_code == 401  # a bad token is never read as anonymous


def test_the_geojson_carries_no_personal_data(clients, mapped, people):
    for persona, name in {"liaison": "林聯絡", "head": "陳科長", "officer": "黃管考"}.items():
        people[persona].display_name = name
        people[persona].save(update_fields=["display_name"])
    works = mapped["works"]
    report = file(
        works,
        people["liaison"],
        2026,
        10,
        "50",
        "44",
        problems=PROBLEMS,
        lag_reason=LAG_REASON,
        work_done=WORK_DONE,
    )
    reporting.report_approve(actor=people["head"], report=report, note="照片清晰")
    services.milestone_add(actor=people["liaison"], item=works, title="管線遷移", due="2026-05-01")
    for persona in ("anonymous", "officer"):
        r = clients[persona].get(f"{API}/items.geojson")
        text = r.content.decode("utf-8")
        feature = next(f for f in _assert_rfc7946(r)["features"] if f["id"] == works.pk)
        assert feature["properties"]["actual"] == 44.0  # the figures are there...
        for private in (
            "林聯絡",
            "陳科長",
            "黃管考",
            "liaison",
            "@",
            "example.gov.tw",
            "05-2254321",
            WORK_DONE,
            PROBLEMS,
            LAG_REASON,
            "照片清晰",
            "管線遷移",
            "filed_by",
            "email",
            "phone",
        ):
            assert private not in text, (persona, private)  # ...no person and no report text


# Query counts ----------------------------------------------------------------------------


def _grow(people, city, works, n):
    """Up to n PW works (half co-handled by SOC, a third behind), n monthly reports on
    `works`, and n control meetings."""
    have = Item.objects.count()
    for k in range(have, n):
        item = _work(
            people,
            city,
            f"Q-{k:03d}",
            latitude="23.48",
            longitude=f"120.{400 + k}",
            co_departments=[city["soc"]] if k % 2 else [],
        )
        file(item, people["liaison"], 2026, 10, "50", "40" if k % 3 == 0 else "50")
    months = [(y, m) for y in (2024, 2025, 2026) for m in range(1, 13)]
    filed = Report.objects.filter(item=works).count()
    for year, month in months[4 + filed : 4 + n]:  # 2024-05 … 2026-10 for n = 30
        due = at(*services.next_month(year, month), 3)
        file(works, people["liaison"], year, month, "50", "50", now=due)
    for year, month in months[Meeting.objects.count() : n]:
        meetings.meeting_open(
            actor=people["officer"], year=year, month=month, held_on=f"{year}-{month:02d}-20"
        )


LISTS = {  # url: the most queries it may take, whatever the number of rows (3 of them are
    # the session, the user and their roles; a department-scoped reader adds their department)
    "/items?limit=100": 6,
    "/items?limit=100&department=PW&q=Q": 8,
    "/behind?limit=100": 6,
    "/board": 7,
    "/meetings?limit=100": 4,
    "/items/{works}/reports": 6,
    "/items.geojson": 5,
}


@pytest.mark.parametrize("persona", ["liaison", "other_liaison", "officer", "anonymous"])
def test_the_list_queries_do_not_grow_with_the_rows(
    clients, people, city, works, persona, django_assert_max_num_queries
):
    counted = {}
    for n in (3, 30):
        _grow(people, city, works, n)
        for path, most in LISTS.items():
            url = API + path.format(works=works.pk)
            with django_assert_max_num_queries(most) as queries:
                r = clients[persona].get(url)
            assert r.status_code in (200, 401, 404), (url, r.content)
            counted.setdefault(path, []).append((len(queries), r.status_code, len(r.content)))
    for path, ((few, status, size), (many, _status, more)) in counted.items():
        assert few == many, (path, counted[path])
        if status == 200 and persona in ("liaison", "officer"):
            assert more > size, path  # the second round did list more rows
