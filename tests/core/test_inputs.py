"""Inputs the API and the forms refuse alike (NUL, control characters, dates and paging out
of bounds), and exports that survive a control character stored before the check."""

import io
import json

import odfdo
import pytest
from django.db import connection

from guankao.core import forms as core_forms
from guankao.core import validation
from guankao.core.errors import ServiceError
from guankao.core.models import AuditEntry, Department, User
from guankao.lib import roc

HUGE = "9223372036854775808"  # 2**63: past every 64-bit integer


def _problems(response):
    return {p["field"]: p["message"] for p in json.loads(response.content)["detail"]}


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/plans",
        "/api/v1/staff",
        "/api/v1/tracking/items",
        "/api/v1/tracking/meetings",
        "/api/v1/audit",
        "/api/v1/tracking/behind",
    ],
)
def test_it_refuses_an_offset_past_64_bits(clients, url):
    r = clients["officer"].get(f"{url}?offset={HUGE}")
    assert r.status_code == 422, r.content
    assert "offset" in _problems(r)
    assert clients["officer"].get(f"{url}?offset=5&limit=500").status_code == 200


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/calendar/add-working-days?date=9999-12-31&days=5",
        "/api/v1/calendar/is-working-day?date=2201-01-01",
        "/api/v1/calendar/working-days-between?start=2026-01-01&end=9999-12-31",
    ],
)
def test_it_refuses_dates_after_2200_to_anyone(clients, url):
    r = clients["anonymous"].get(url)
    assert r.status_code == 400, r.content
    assert "2200" in json.dumps(json.loads(r.content), ensure_ascii=False)


def test_the_last_day_accepted_still_adds_working_days(clients):
    r = clients["anonymous"].get("/api/v1/calendar/add-working-days?date=2200-12-31&days=3650")
    assert r.status_code == 200, r.content


@pytest.mark.parametrize("as_of", ["9999-12-31", "2201-01-01"])
def test_the_scorecard_refuses_an_as_of_after_2200(clients, as_of):
    r = clients["officer"].get(f"/api/v1/scorecard?year=2026&as_of={as_of}")
    assert r.status_code == 400, r.content
    assert "as_of" in _problems(r)


@pytest.mark.parametrize("year", ["1911", "2201", HUGE])
def test_year_parameters_are_bounded(clients, year):
    assert clients["officer"].get(f"/api/v1/plans?year={year}").status_code == 422
    assert clients["anonymous"].get(f"/api/v1/calendar/overrides?year={year}").status_code == 422


@pytest.mark.parametrize("pk", [HUGE, "0", "abc"])
def test_ids_are_bounded_and_answered_in_json(clients, pk):
    r = clients["officer"].get(f"/api/v1/staff/{pk}")
    assert r.status_code == 422
    assert r["Content-Type"] == "application/json; charset=utf-8"


def test_the_calendar_page_refuses_a_date_after_2200(clients):
    r = clients["officer"].get("/calendar/?date=9999-12-31&days=5")
    assert r.status_code == 200
    assert "2200" in r.content.decode()


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/staff?q=a%00b",
        "/api/v1/staff?q=a%01b",
        "/api/v1/audit?actor=a%00b",
        "/api/v1/tracking/items?q=a%00b",
    ],
)
def test_it_refuses_control_characters_in_queries(clients, url):
    r = clients["officer"].get(url)
    assert r.status_code == 422, r.content
    assert "U+00" in json.dumps(json.loads(r.content))


def test_it_refuses_nul_in_a_path_to_anyone(clients):
    r = clients["anonymous"].get("/api/v1/departments/P%00W")
    assert r.status_code == 422
    assert "code" in _problems(r)


@pytest.mark.parametrize("bad", ["a\x00b", "a\x07b", "a\nb", "a\x85b", "a\ufffeb"])
def test_it_refuses_control_characters_in_bodies(clients, bad):
    payload = {"code": "PW-9", "name": bad, "kind": "section", "parent": "PW"}
    r = clients["admin"].post("/api/v1/departments", payload, content_type="application/json")
    assert r.status_code == 422, r.content
    assert "name" in _problems(r)
    assert not Department.objects.filter(code="PW-9").exists()


def test_a_token_name_with_nul_changes_nothing(clients, people):
    r = clients["liaison"].post(
        "/api/v1/me/tokens", {"name": "a\x00b"}, content_type="application/json"
    )
    assert r.status_code == 422
    assert not people["liaison"].api_tokens.exists()


def test_the_openapi_states_the_rule_and_every_error(client, db):
    schema = client.get("/api/openapi.json").json()
    name = schema["components"]["schemas"]["DepartmentIn"]["properties"]["name"]
    assert name["pattern"] == validation.SAFE_PATTERN[False]
    responses = schema["paths"]["/api/v1/staff"]["get"]["responses"]
    assert {"200", "400", "401", "403", "404", "422"} <= set(responses)


# The one check, under services and forms ---------------------------------------------------


def test_services_refuse_what_the_api_refuses():
    with pytest.raises(ServiceError) as caught:
        validation.text("title", "a\x00b", 200)
    assert caught.value.problems[0].field == "title"
    with pytest.raises(ServiceError):
        validation.text("title", "two\nlines", 200)
    assert validation.text("note", "two\nlines\tand a tab", 2000) == "two\nlines\tand a tab"
    assert validation.text("title", "  trimmed \n", 200) == "trimmed"


def test_years_have_one_range():
    assert roc.is_year(roc.YEAR_MIN) and roc.is_year(roc.YEAR_MAX)
    assert not roc.is_year(roc.YEAR_MAX + 1) and not roc.is_year(True)
    with pytest.raises(roc.DateFormatError):
        roc.parse_date("9999-12-31")
    with pytest.raises(ServiceError):
        validation.year_month(2201, 1)


def _form_classes():
    import importlib
    import pkgutil

    import guankao

    for module_info in pkgutil.walk_packages(guankao.__path__, "guankao."):
        if ".migrations" in module_info.name or module_info.name.endswith("management"):
            continue
        importlib.import_module(module_info.name)
    from django import forms

    seen, todo = set(), [forms.BaseForm]
    while todo:
        for sub in todo.pop().__subclasses__():
            if sub not in seen:
                seen.add(sub)
                todo.append(sub)
    return [c for c in seen if c.__module__.startswith("guankao.")]


def test_every_form_of_the_project_checks_its_text(db):
    classes = _form_classes()
    assert len(classes) > 20
    unsafe = [c.__qualname__ for c in classes if not issubclass(c, core_forms.SafeTextMixin)]
    assert unsafe == []


def test_a_form_refuses_control_characters_and_a_textarea_takes_line_breaks(db):
    from guankao.tracking.forms import ReleaseRequestForm

    form = core_forms.DepartmentForm(
        {"code": "X", "name": "a\x01b", "kind": "section", "sort_order": 0}
    )
    assert not form.is_valid() and "name" in form.errors
    form = ReleaseRequestForm({"result": "done\n\tall of it"})
    form.is_valid()
    assert "result" not in form.errors  # (files are required too; not sent here)
    form = ReleaseRequestForm({"result": "done\x01"})
    assert not form.is_valid() and "result" in form.errors


# Exports survive what was stored before the check -----------------------------------------


def _stored_badly() -> str:
    # PostgreSQL cannot hold NUL at all; every other control character it stores.
    return "壞\x01字\x0b" + ("" if connection.vendor == "postgresql" else "\x00")


def test_the_audit_and_roster_exports_survive_a_stored_control_character(clients, people):
    bad = _stored_badly()
    User.objects.filter(pk=people["worker"].pk).update(display_name=bad, title=bad)
    AuditEntry.objects.create(
        actor=people["admin"], action="update", object_type="x", object_id="1", note=bad
    )
    for url in ("/audit/export.ods", "/audit/export.csv"):
        r = clients["admin"].get(url)
        assert r.status_code == 200, url
        content = b"".join(r.streaming_content) if r.streaming else r.content
        assert "壞\ufffd字\ufffd".encode() in content or url.endswith(".ods")
    for fmt in ("ods", "csv"):
        r = clients["admin"].get(f"/roster/export/staff.{fmt}")
        assert r.status_code == 200
    document = odfdo.Document(io.BytesIO(clients["admin"].get("/audit/export.ods").content))
    assert "壞\ufffd字\ufffd" in document.get_formatted_text()


@pytest.mark.parametrize("year", ["1500", "0", "2201"])
def test_the_scorecard_year_is_bounded_as_well(clients, year):
    r = clients["anonymous"].get(f"/api/v1/scorecard?year={year}")
    assert r.status_code in (400, 422)
    assert "year" in _problems(r)
