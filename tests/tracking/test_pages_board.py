"""The city-level pages: the board, the behind list, the map and the control rules."""

import datetime as dt
import json
import os
import re
import subprocess
import sys
from decimal import Decimal

import pytest
from django.conf import settings as django_settings
from django.contrib.staticfiles import finders
from django.db import connection
from django.test.utils import CaptureQueriesContext

from guankao.core.models import AuditEntry
from guankao.tracking import jobs, services
from guankao.tracking.models import Item, Rules

from .conftest import CREATED, file

# session, user, roles, unread notices, the user's department, the filter's departments,
# then the page's own: board (aggregate, per department, names) + behind top 20; behind
# list (count, page); map (features, count without coordinates).
# The board: counts, behind list, the reasons tally (2) and the budget-weighted totals (1).
MAX_QUERIES = {"/tracking/": 13, "/tracking/behind/": 8, "/tracking/map/": 8}


@pytest.fixture
def en(clients):
    """The persona clients, reading the pages in English (the msgids)."""
    for client in clients.values():
        client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    return clients


def make_item(actor, lead, number, *, planned=None, actual=None, located=True, **extra):
    """A public work made through the services; a report for October 2026 sets its lag."""
    data = {"kind": "works", "number": number, "title": f"工程 {number}", "lead": lead}
    if located:
        data.update(latitude="23.48", longitude="120.45", site_address=f"嘉義市 {number} 號")
    item = services.item_create(actor=actor, **{**data, **extra})
    Item.objects.filter(pk=item.pk).update(created_at=CREATED)
    if planned is not None:
        file(item, actor, 2026, 10, planned, actual)
    item.refresh_from_db()
    return item


@pytest.fixture
def items(people, city):
    """PW: seriously behind, behind, on time, no report (PW-1); SOC: seriously behind."""
    pw, soc = people["liaison"], people["other_liaison"]
    return {
        "serious": make_item(
            pw, city["pw"], "PW-S", planned="50", actual="30", budget_total=9_000_000
        ),
        "behind": make_item(pw, city["pw"], "PW-B", planned="50", actual="45"),
        "on_time": make_item(pw, city["pw"], "PW-T", planned="50", actual="50", located=False),
        "none": make_item(pw, city["pw1"], "PW1-N"),
        "soc": make_item(soc, city["soc"], "SOC-S", planned="60", actual="40"),
    }


def behind_numbers(content: str) -> list[str]:
    return re.findall(r'<th scope="row"><a href="/tracking/items/\d+/">([^<]+)</a></th>', content)


# Board --------------------------------------------------------------------------------------


def test_it_counts_the_items_by_status_lag_and_risk(en, items):
    response = en["officer"].get("/tracking/")
    assert response.status_code == 200
    board = response.context["board"]
    assert board.total == 5
    assert board.by_lag == {"none": 1, "on_time": 1, "behind": 1, "serious": 2}
    assert board.by_status["active"] == 5
    assert board.by_risk["high"] == 2 and board.by_risk["medium"] == 1
    content = response.content.decode()
    assert "3 open items behind schedule, seriously behind first" in content
    # Status in words, never colour alone.
    assert "Seriously behind (嚴重落後)" in content and "On schedule" in content
    departments = {r["department"].code: r for r in board.departments}
    assert departments["PW"]["serious"] == 1 and departments["PW"]["total"] == 3
    assert departments["SOC"]["serious"] == 1


def test_it_shows_the_behind_list_first_seriously_behind_first(en, items):
    content = en["officer"].get("/tracking/").content.decode()
    behind_at = content.index('id="behind-heading"')
    assert behind_at < content.index('id="figures-heading"')
    # The two seriously behind (gap 20 points each, by number) before the merely behind.
    assert behind_numbers(content[behind_at:])[:3] == ["PW-S", "SOC-S", "PW-B"]
    assert "20 points" in content and "5 points" in content
    assert 'href="/tracking/behind/"' in content
    assert f'href="/tracking/items/{items["serious"].pk}/"' in content


def test_it_counts_overdue_reports_after_the_sweep(en, items):
    jobs.sweep(dt.date(2026, 11, 12))  # October's report was due 2026-11-05
    board = en["officer"].get("/tracking/").context["board"]
    assert board.overdue == 1  # PW1-N filed nothing
    assert board.by_risk["medium"] == 2  # PW-B behind; PW1-N overdue


def test_it_scopes_the_counts_to_the_users_department(en, items):
    liaison = en["liaison"].get("/tracking/")
    assert liaison.context["board"].total == 4
    assert liaison.context["board"].by_lag["serious"] == 1
    assert "SOC-S" not in liaison.content.decode()
    other = en["other_liaison"].get("/tracking/")
    assert other.context["board"].total == 1
    content = other.content.decode()
    assert "SOC-S" in content
    assert not re.search(r"PW1?-[SBTN]", content)
    worker = en["worker"].get("/tracking/")  # PW-1, no role: its own unit's items
    assert worker.context["board"].total == 1


def test_it_filters_by_department_kind_and_level(en, items, people, city):
    services.item_create(
        actor=people["officer"], kind="mayor", number="D-1", title="交辦", lead=city["pw"]
    )
    response = en["officer"].get("/tracking/", {"department": "PW"})
    assert response.context["board"].total == 5  # PW and its unit PW-1, incl. the directive
    assert en["officer"].get("/tracking/", {"kind": "mayor"}).context["board"].total == 1
    self_controlled = en["officer"].get("/tracking/", {"level": "self"}).context["board"]
    assert self_controlled.total == 4  # PW-S is NT$9M: city-controlled
    content = response.content.decode()
    assert "/tracking/board.ods?department=PW" in content
    assert "/tracking/behind/?department=PW" in content


def test_a_bad_filter_says_which_field_with_400(en, items):
    response = en["officer"].get("/tracking/", {"kind": "spaceship"})
    assert response.status_code == 400
    assert "Kind:" in response.content.decode()
    assert response.context["board"].total == 5  # the bad filter is left out


def test_it_sends_the_anonymous_to_sign_in(clients):
    for path in ("/tracking/", "/tracking/behind/", "/tracking/map/", "/tracking/rules/"):
        response = clients["anonymous"].get(path)
        assert response.status_code == 302 and "/login/" in response["Location"]


def _queries(client, path) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


@pytest.mark.parametrize("path", ["/tracking/", "/tracking/behind/", "/tracking/map/"])
def test_it_runs_as_many_queries_for_30_items_as_for_3(
    en, people, city, path, django_assert_max_num_queries
):
    liaison = people["liaison"]
    for n in range(3):
        make_item(liaison, city["pw"], f"Q-{n:02d}", planned="50", actual=str(30 + n))
    few = _queries(en["officer"], path)
    for n in range(3, 30):
        make_item(liaison, city["pw1"], f"Q-{n:02d}", planned="50", actual=str(20 + n))
    with django_assert_max_num_queries(MAX_QUERIES[path]):
        assert en["officer"].get(path).status_code == 200
    assert _queries(en["officer"], path) == few


# Behind list --------------------------------------------------------------------------------


def test_the_behind_list_has_the_figures_of_each_item(en, items):
    response = en["officer"].get("/tracking/behind/")
    content = response.content.decode()
    assert response.status_code == 200
    assert behind_numbers(content) == ["PW-S", "SOC-S", "PW-B"]
    assert "3 items behind schedule" in content
    for text in ("50%", "30%", "20 points", "工務處", "High", "Medium"):
        assert text in content


def test_the_behind_list_is_paginated(en, items, monkeypatch):
    from guankao.tracking import views_board

    monkeypatch.setattr(views_board, "BEHIND_PAGE_SIZE", 2)
    first = en["officer"].get("/tracking/behind/", {"department": "PW"})
    assert behind_numbers(first.content.decode()) == ["PW-S", "PW-B"]
    other = en["officer"].get("/tracking/behind/", {"page": "2"}).content.decode()
    assert behind_numbers(other) == ["PW-B"]
    assert "?page=1" in other


def test_the_behind_list_is_scoped(en, items):
    assert behind_numbers(en["other_liaison"].get("/tracking/behind/").content.decode()) == [
        "SOC-S"
    ]


# Map ----------------------------------------------------------------------------------------


def _features(content: str) -> dict:
    match = re.search(
        r'<script id="tracking-map-features" type="application/json">(.*?)</script>', content, re.S
    )
    return json.loads(match.group(1))


def test_the_map_lists_the_located_items_in_a_table(en, items, settings):
    settings.GUANKAO_MAP_TILES = "https://tiles.example.test/{z}/{x}/{y}.png"
    response = en["officer"].get("/tracking/map/")
    content = response.content.decode()
    assert response.status_code == 200
    assert "4 open items with a location" in content  # PW-T has no coordinates
    assert "1 more open item has no coordinates" in content
    assert (
        "嘉義市 PW-S 號" in content and f'href="/tracking/items/{items["serious"].pk}/"' in content
    )
    numbers = [f["properties"]["number"] for f in _features(content)["features"]]
    assert numbers == ["PW-B", "PW-S", "PW1-N", "SOC-S"]
    # The map is an enhancement: a named container, Leaflet from the package, no inline script.
    assert 'aria-label="Map of the located items below"' in content
    assert 'data-tiles="https://tiles.example.test/{z}/{x}/{y}.png"' in content
    assert "/static/js_lib_leaflet/leaflet.js" in content
    assert "/static/tracking/map.js" in content
    assert not re.search(r"<script(?![^>]*\b(src|type=\"application/json\")=?)[^>]*>", content)
    assert not re.search(r'(src|href)="https?://', content)
    assert 'role="status"' in content


def test_leaflet_and_the_map_script_are_served_by_the_app():
    assert finders.find("js_lib_leaflet/leaflet.js")
    assert finders.find("js_lib_leaflet/leaflet.css")
    assert finders.find("tracking/map.js")


def test_the_map_carries_no_personal_data(en, items, people):
    content = en["officer"].get("/tracking/map/").content.decode()
    data = _features(content)
    allowed = {
        "number",
        "title",
        "kind",
        "kind_label",
        "status",
        "lag",
        "lag_label",
        "risk",
        "planned",
        "actual",
        "budget_total",
        "contractor",
        "site_address",
        "lead",
        "finish_date",
        "url",
    }
    text = json.dumps(data, ensure_ascii=False)
    for feature in data["features"]:
        assert set(feature["properties"]) <= allowed
    for person in people.values():
        assert person.email not in text and person.username not in text
    assert "05-2254321" not in text and "雨天停工" not in text and "施工中" not in text
    table = content[content.index('id="tracking-map-table"') :]
    assert "@example.gov.tw" not in table and "05-2254321" not in table


def test_without_a_tile_url_the_map_is_a_list_with_a_notice(en, items, settings):
    settings.GUANKAO_MAP_TILES = ""
    response = en["officer"].get("/tracking/map/")
    content = response.content.decode()
    assert response.status_code == 200
    notice = re.search(r'<p id="tracking-map-notice"[^>]*role="status"[^>]*>([^<]*)</p>', content)
    assert notice.group(1) == "Map tiles could not be loaded; every item is listed below."
    assert "leaflet.js" not in content and 'id="tracking-map"' not in content
    assert "4 open items with a location" in content


def test_with_tiles_the_notice_waits_for_a_tile_error(en, items, settings):
    settings.GUANKAO_MAP_TILES = "https://tiles.example.test/{z}/{x}/{y}.png"
    content = en["officer"].get("/tracking/map/").content.decode()
    notice = re.search(
        r'<p id="tracking-map-notice"[^>]*data-message="([^"]*)"[^>]*>([^<]*)</p>', content
    )
    assert notice.group(1) == "Map tiles could not be loaded; every item is listed below."
    assert notice.group(2) == ""  # map.js fills it in on tileerror


def test_the_map_is_scoped_and_filtered(en, items):
    content = en["other_liaison"].get("/tracking/map/").content.decode()
    assert [f["properties"]["number"] for f in _features(content)["features"]] == ["SOC-S"]
    content = en["officer"].get("/tracking/map/", {"department": "PW-1"}).content.decode()
    assert [f["properties"]["number"] for f in _features(content)["features"]] == ["PW1-N"]


def test_the_default_tiles_are_nlscs_emap():
    """The suite points the tiles at a closed local port (tests/env.py); without the
    variable the settings take NLSC's EMAP."""
    code = (
        "from django.conf import settings as s; "
        "print(s.GUANKAO_MAP_TILES); print(s.GUANKAO_MAP_ATTRIBUTION)"
    )
    env = {k: v for k, v in os.environ.items() if k != "GUANKAO_MAP_TILES"}
    env["DJANGO_SETTINGS_MODULE"] = "guankao.settings"
    out = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    assert out[0].startswith("https://wmts.nlsc.gov.tw/wmts/EMAP/")
    assert out[1] == "© 內政部國土測繪中心"


# Rules --------------------------------------------------------------------------------------

RULES_FORM = {
    "report_due_day": "10",
    "review_workdays": "7",
    "remind_workdays": "3",
    "escalate_workdays": "3",
    "serious_gap": "15",
    "money_share": "75",
    "city_min_budget": "10,000,000",
    "city_kinds": ["grant", "mayor"],
}


def test_an_officer_changes_the_rules_with_percents(en, people):
    response = en["officer"].post("/tracking/rules/", RULES_FORM)
    assert response.status_code == 302
    rules = Rules.current()
    assert rules.report_due_day == 10 and rules.serious_gap == Decimal(15)
    assert rules.money_share == Decimal("0.75") and rules.city_min_budget == 10_000_000
    assert rules.city_kinds == ["grant", "mayor"]
    assert AuditEntry.objects.filter(object_type="tracking.rules").exists()
    content = en["officer"].get("/tracking/rules/").content.decode()
    assert 'value="75"' in content and "75%" in content and "NT$10,000,000" in content


@pytest.mark.parametrize(
    ("field", "value", "label"),
    [
        ("report_due_day", "31", "Monthly report due on this day of the next month"),
        ("money_share", "150", "Behind on money when spending is under"),
        ("serious_gap", "abc", "Seriously behind from a gap of"),
        ("city_min_budget", "-5", "City-controlled from a total budget of"),
        ("review_workdays", "seven", "Working days for the head"),
        ("city_kinds", ["spaceship"], "Kinds always city-controlled"),
    ],
)
def test_bad_rules_are_refused_naming_the_field(en, field, value, label):
    before = Rules.current()
    response = en["officer"].post("/tracking/rules/", {**RULES_FORM, field: value})
    assert response.status_code == 400
    assert label in response.content.decode()
    assert response.context["form"].errors[field]
    after = Rules.objects.get(pk=before.pk)
    assert (after.report_due_day, after.money_share, after.serious_gap) == (
        5,
        Decimal("0.8"),
        Decimal(10),
    )
    assert not AuditEntry.objects.filter(object_type="tracking.rules").exists()


def test_others_read_the_rules_with_their_sources_but_cannot_change_them(en):
    response = en["liaison"].get("/tracking/rules/")
    content = response.content.decode()
    assert response.status_code == 200
    assert '<form method="post" novalidate>' not in content
    assert "金門縣" in content and "基本設施補助款" in content and "80%" in content
    assert "NT$5,000,000" in content
    for persona in ("liaison", "head", "executive", "other_liaison"):
        assert en[persona].post("/tracking/rules/", RULES_FORM).status_code == 403
    assert Rules.current().report_due_day == 5
    assert en["admin"].post("/tracking/rules/", RULES_FORM).status_code == 302


def test_the_pages_render_in_traditional_chinese_by_default(clients, items):
    for path in ("/tracking/", "/tracking/behind/", "/tracking/map/", "/tracking/rules/"):
        response = clients["officer"].get(path)
        assert response.status_code == 200
        assert 'lang="zh-Hant-TW"' in response.content.decode()
