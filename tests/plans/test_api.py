import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from guankao.plans import cache, publishing, services
from guankao.plans.models import Measurement, Plan


def _json(r):
    return json.loads(r.content)


@pytest.fixture
def pw_plan(people, city):
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
    kpi = services.kpi_create(
        actor=people["officer"],  # the plan is in force: its targets are the officer's
        goal=goal,
        name="工程查核次數",
        measure="次/年",
        unit="次",
        frequency="monthly",
        accumulation="sum",
        direction="higher",
        path="linear",
        targets={2025: "≧12", 2026: "≧12"},
    )
    return {"plan": plan, "goal": goal, "kpi": kpi}


def test_it_walks_the_whole_measurement_cycle_through_the_api(clients, pw_plan):
    kpi = pw_plan["kpi"]
    r = clients["liaison"].post(
        f"/api/v1/kpis/{kpi.pk}/measurements",
        {"year": 2025, "period": 1, "value": "2", "note": "一月查核兩件"},
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    m = _json(r)
    assert m["status"] == "submitted" and not m["counted"]
    assert clients["liaison"].post(f"/api/v1/measurements/{m['id']}/approve").status_code == 403
    r = clients["head"].post(f"/api/v1/measurements/{m['id']}/approve")
    assert r.status_code == 200 and _json(r)["counted"]
    r = clients["head"].get("/api/v1/scorecard?year=2025&department=PW")
    body = _json(r)
    assert body["published"] is False
    assert body["kpis"][0]["actual"] == "2.00"
    # One month of twelve reported: the year is not decided, and the API says what is missing.
    assert body["kpis"][0]["status"] == "incomplete"
    assert (body["kpis"][0]["due"], body["kpis"][0]["reported"]) == (12, 1)
    assert len(body["kpis"][0]["missing"]) == 11
    # A correction is a new revision; the list keeps both.
    r = clients["liaison"].post(
        f"/api/v1/kpis/{kpi.pk}/measurements",
        {"year": 2025, "period": 1, "value": "3"},
        content_type="application/json",
    )
    assert _json(r)["revision"] == 2
    history = _json(clients["liaison"].get(f"/api/v1/kpis/{kpi.pk}/measurements?year=2025"))
    assert [h["revision"] for h in history] == [2, 1]
    r = clients["head"].post(
        f"/api/v1/measurements/{_json(r)['id']}/return",
        {"reason": ""},
        content_type="application/json",
    )
    assert r.status_code == 400
    assert _json(r)["detail"][0]["field"] == "reason"


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"year": 2025, "period": 13, "value": "1"}, "period"),
        ({"year": 2030, "period": 1, "value": "1"}, "year"),
        ({"year": 2025, "period": 1, "value": "abc"}, "value"),
        ({"year": 2025, "period": 1, "value": "NaN"}, "value"),
        ({"year": 2025, "period": 1, "value": "1e20"}, "value"),
        (
            {"year": 2025, "period": 1, "value": "1", "evidence_url": "javascript:alert(1)"},
            "evidence_url",
        ),
        ({"year": "二〇二五", "period": 1, "value": "1"}, "year"),
        ({"period": 1, "value": "1"}, "year"),
    ],
)
def test_it_names_the_field_of_a_bad_measurement(clients, pw_plan, payload, field):
    kpi = pw_plan["kpi"]
    r = clients["liaison"].post(
        f"/api/v1/kpis/{kpi.pk}/measurements", payload, content_type="application/json"
    )
    assert 400 <= r.status_code < 500
    assert field in [p["field"] for p in _json(r)["detail"]], _json(r)
    assert not Measurement.objects.exists()


def test_it_refuses_an_unreadable_target_with_what_was_expected(clients, pw_plan):
    kpi = pw_plan["kpi"]
    r = clients["officer"].put(
        f"/api/v1/kpis/{kpi.pk}/targets/2026", {"text": "≧abc"}, content_type="application/json"
    )
    assert r.status_code == 400
    problem = _json(r)["detail"][0]
    assert problem["field"] == "target" and "≧" in problem["message"]
    r = clients["officer"].put(
        f"/api/v1/kpis/{kpi.pk}/targets/2026", {"text": "≧15"}, content_type="application/json"
    )
    assert r.status_code == 200 and _json(r)["targets"]["2026"] == "≧15"


@pytest.mark.parametrize("persona", ["other_liaison", "anonymous", "unplaced"])
def test_it_shows_another_departments_plan_to_nobody(clients, pw_plan, persona):
    plan, kpi = pw_plan["plan"], pw_plan["kpi"]
    for url in (
        f"/api/v1/plans/{plan.pk}",
        f"/api/v1/kpis/{kpi.pk}",
        f"/api/v1/kpis/{kpi.pk}/measurements",
    ):
        r = clients[persona].get(url)
        assert r.status_code in (401, 404), url
        assert "工程" not in r.content.decode()
    r = clients[persona].post(
        f"/api/v1/kpis/{kpi.pk}/measurements",
        {"year": 2025, "period": 1, "value": "1"},
        content_type="application/json",
    )
    assert r.status_code in (401, 404)
    listed = clients["other_liaison"].get("/api/v1/plans")
    assert _json(listed)["count"] == 0


def test_it_lets_officers_and_executives_read_every_plan(clients, pw_plan):
    for persona in ("officer", "executive"):
        assert _json(clients[persona].get("/api/v1/plans"))["count"] == 1
    r = clients["executive"].post(
        f"/api/v1/plans/{pw_plan['plan'].pk}/goals",
        {"number": "二", "title": "x"},
        content_type="application/json",
    )
    assert r.status_code == 403


def test_it_serves_the_published_scorecard_to_anonymous_readers_only_once_published(
    clients, pw_plan, people
):
    r = clients["anonymous"].get("/api/v1/scorecard?year=2025")
    assert r.status_code == 404
    publishing.publish(actor=people["officer"], year=2025)
    r = clients["anonymous"].get("/api/v1/scorecard?year=114")
    body = _json(r)
    assert r.status_code == 200 and body["published"] is True
    assert body["kpis"][0]["name"] == "工程查核次數"
    text = r.content.decode()
    assert "liaison" not in text and "example.gov.tw" not in text


def test_it_runs_the_plan_round_through_the_api(clients, city, people):
    r = clients["officer"].post(
        "/api/v1/rounds",
        {"year": 2026, "deadline": "115/01/31", "departments": ["PW", "SOC"]},
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    subs = {s["department"]: s for s in _json(r)}
    pw = subs["PW"]
    r = clients["liaison"].post(f"/api/v1/submissions/{pw['id']}/submit")
    assert r.status_code == 400  # an empty plan is not submitted
    plan = Plan.objects.get(pk=pw["plan"])
    goal = services.goal_create(actor=people["liaison"], plan=plan, number="一", title="目標")
    services.kpi_create(
        actor=people["liaison"], goal=goal, name="KPI", measure="次", targets={2026: "≧1"}
    )
    assert (
        clients["other_liaison"].post(f"/api/v1/submissions/{pw['id']}/submit").status_code == 404
    )
    r = clients["liaison"].post(f"/api/v1/submissions/{pw['id']}/submit")
    assert r.status_code == 200 and _json(r)["status"] == "submitted"
    assert clients["liaison"].post(f"/api/v1/submissions/{pw['id']}/accept").status_code == 403
    r = clients["officer"].post(f"/api/v1/submissions/{pw['id']}/accept")
    assert _json(r)["status"] == "accepted"
    listed = _json(clients["officer"].get("/api/v1/rounds/2026/submissions"))
    assert {s["department"] for s in listed} == {"PW", "SOC"}


def test_it_serves_a_remembered_scorecard_until_the_data_changes(clients, pw_plan, people):
    kpi = pw_plan["kpi"]
    url = "/api/v1/scorecard?year=2025&department=PW"
    first = _json(clients["head"].get(url))
    assert first["kpis"][0]["status"] == "no_data"
    with CaptureQueriesContext(connection) as queries:
        assert _json(clients["head"].get(url)) == first
    assert not [q for q in queries if "plans_measurement" in q["sql"]]  # served from memory
    m = services.measurement_record(
        actor=people["liaison"], kpi=kpi, year=2025, period=1, value="12"
    )
    services.measurement_approve(actor=people["head"], measurement_id=m.pk)
    after = _json(clients["head"].get(url))
    assert after["kpis"][0]["actual"] == "12.00"
    # Another scope never sees a scorecard remembered for this one.
    assert _json(clients["other_liaison"].get("/api/v1/scorecard?year=2025"))["kpis"] == []


def test_it_never_shares_a_remembered_scorecard_with_a_user_without_department(clients, pw_plan):
    url = "/api/v1/scorecard?year=2025"
    city_wide = _json(clients["officer"].get(url))
    assert city_wide["kpis"]
    # Remembered for the officer: the unplaced user still gets their own (empty) scorecard.
    assert _json(clients["unplaced"].get(url))["kpis"] == []
    cache.clear()
    # And the other way round: the officer is never served the unplaced user's memory.
    assert _json(clients["unplaced"].get(url))["kpis"] == []
    assert _json(clients["officer"].get(url)) == city_wide
    cache.clear()
    assert "工程查核次數" in clients["officer"].get("/scorecard/?year=2025").content.decode()
    assert "工程查核次數" not in clients["unplaced"].get("/scorecard/?year=2025").content.decode()
