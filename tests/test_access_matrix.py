"""Persona × endpoint: every URL and every API operation has a stated access decision.

The URL patterns come from the URL conf and the operations from the OpenAPI schema, so a new
endpoint that is not in the tables (tests/access_matrix_tables.py) fails
`test_it_states_an_access_decision_for_…`.
`test_it_gives_each_persona_the_stated_access` then requests every cell, on objects of the
liaison's department (PW): GET for reads; for writes a body that passes the schema or form,
so that what is seen is the access decision, not validation. Each request runs in a
savepoint that is rolled back and with a copy of the persona's cookies, so every cell sees
the same data and session.

Outcome codes, one per persona in PERSONAS order:
  A  allowed: 2xx, a redirect that is not to the sign-in page, or for a write 400/409/415/422
     (the request got past the access check to validation or a business rule)
  L  sign in first: a redirect to the sign-in page (pages) or 401 (API, or a challenge)
  D  denied: 403, or 404 where telling that the object exists would say too much
  M  405, the method is not offered at this address
Any 5xx fails the cell, whatever was expected.

Table rows: the route (pages) or the operation, its codes, then `name=value` for each path
parameter (a fixture object of `world`, or a literal), `?query` and `@BODY` (see BODIES).
"""

import datetime as dt
import io
import json
import re
from http.cookies import SimpleCookie

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from PIL import Image

from guankao.core import calendar
from guankao.core import services as core_services
from guankao.core.attachments import attachment_create
from guankao.petitions import services as petition_services
from guankao.petitions.models import Category, Knowledge
from guankao.plans import publishing, rounds
from guankao.plans import services as plan_services
from guankao.plans.models import Plan, Submission
from guankao.tracking import meetings, reporting
from guankao.tracking import services as tracking_services
from tests.access_matrix_tables import BODIES, OPERATIONS_TABLE, PAGES_TABLE, PERSONAS
from tests.conftest import client_for, make_user
from tests.tracking.conftest import plan as baseline_month

PARAM = re.compile(r"<(?:\w+:)?(\w+)>|\{(\w+)\}")
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


def _rows(table: str) -> list[tuple[list[str], dict, str, str | None]]:
    """(leading fields, path parameters, query, body name) per row of a table."""
    rows = []
    for line in table.strip().splitlines():
        if line.startswith("#"):
            continue
        fields, params, query, body = [], {}, "", None
        for token in line.split():
            if token.startswith("@"):
                body = token[1:]
            elif token.startswith("?"):
                query = token
            elif "=" in token:
                name, value = token.split("=", 1)
                params[name] = value
            else:
                fields.append(token)
        rows.append((fields, params, query, body))
    return rows


def _pages() -> dict:
    return {
        fields[0][1:]: (fields[1:], params, query, body)
        for fields, params, query, body in _rows(PAGES_TABLE)
    }


def _api() -> dict:
    return {
        f"{fields[0]} {fields[1]}": (fields[2:], params, query, body)
        for fields, params, query, body in _rows(OPERATIONS_TABLE)
    }


def _routes(resolver=None, prefix="") -> list[str]:
    resolver = resolver or get_resolver()
    routes = []
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            routes += _routes(entry, route)
        elif isinstance(entry, URLPattern):
            routes.append(route)
    return routes


def _operations() -> set[str]:
    from guankao.api import api

    schema = api.get_openapi_schema()
    return {f"{method.upper()} {path}" for path, ops in schema["paths"].items() for method in ops}


def _template(route: str) -> str:
    return PARAM.sub(lambda m: "{" + (m.group(1) or m.group(2)) + "}", route)


def test_it_states_an_access_decision_for_every_endpoint():
    pages, api, operations = _pages(), _api(), _operations()
    routes = {r for r in _routes() if not r.startswith("api/v1/")}
    # Every URL the API mounts is an operation of its schema (none hidden from it).
    api_urls = {"/" + _template(r) for r in _routes() if r.startswith("api/v1/")}
    assert sorted(api_urls - {op.split(" ", 1)[1] for op in operations}) == []
    assert sorted(routes - set(pages)) == [], "pages without an access decision"
    assert sorted(operations - set(api)) == [], "API operations without an access decision"
    assert sorted(set(pages) - routes) == [], "rows for routes that no longer exist"
    assert sorted(set(api) - operations) == [], "rows for operations that no longer exist"
    for key, (codes, params, _query, body) in {**pages, **api}.items():
        assert all(len(c) == len(PERSONAS) and set(c) <= set("ALDM") for c in codes), key
        assert len(codes) == (2 if key in pages else 1), key
        assert {a or b for a, b in PARAM.findall(key)} == set(params), key
        assert body is None or body in BODIES, key


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "teal").save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def world(people, city):
    """One object of each kind, PW's unless named otherwise, built through the services."""
    liaison, officer = people["liaison"], people["officer"]
    people["nodept"] = make_user("nodept", None)
    works = tracking_services.item_create(
        actor=liaison,
        kind="works",
        number="W-115-001",
        title="民族路人行道改善工程",
        lead=city["pw"],
        budget_total=12_000_000,
        latitude="23.480000",
        longitude="120.449000",
        start_date=dt.date(2026, 1, 15),
        finish_date=dt.date(2026, 12, 31),
    )
    milestone = tracking_services.milestone_add(
        actor=liaison, item=works, title="開工", due=dt.date(2026, 3, 1)
    )
    tracking_services.milestone_done(actor=liaison, milestone=milestone, done_on="115/02/27")
    baseline_month(works, 2026, 10, 40)  # the approved baseline's figure for the month
    report = reporting.report_file(
        actor=liaison, item=works, year=2026, month=10, work_done="施工中", actual=40
    )
    meeting = meetings.meeting_open(
        actor=officer, year=2026, month=11, held_on=dt.date(2026, 11, 20)
    )
    plan = plan_services.plan_create(
        actor=officer,
        department=city["pw"],
        kind=Plan.Kind.MIDTERM,
        title="工務處中程施政計畫",
        first_year=2025,
        last_year=2027,
    )
    goal = plan_services.goal_create(actor=officer, plan=plan, number="一", title="提升工程品質")
    kpi = plan_services.kpi_create(
        actor=officer,
        goal=goal,
        number="1",
        name="工程查核完成率",
        measure="查核完成數/應查核數",
        unit="%",
        direction="higher",
        accumulation="last",
        frequency="monthly",
        path="flat",
        targets={2026: "≧80%"},
    )
    measurement = plan_services.measurement_record(
        actor=liaison, kpi=kpi, year=2026, period=10, value="85"
    )
    plan_round = rounds.round_open(
        actor=officer, year=2027, deadline=dt.date(2027, 1, 31), departments=[city["pw"]]
    )
    published = publishing.publish(actor=officer, year=2026)
    attachment = attachment_create(
        actor=liaison,
        file=SimpleUploadedFile("report.pdf", PDF, content_type="application/pdf"),
        department=city["pw"],
        owner_type="core.department",
        owner_id=city["pw"].pk,
    )
    image = attachment_create(
        actor=liaison,
        file=SimpleUploadedFile("site.png", _png(), content_type="image/png"),
        department=city["pw"],
        owner_type="core.department",
        owner_id=city["pw"].pk,
    )
    token, _ = core_services.token_create(actor=liaison, name="matrix")
    petition_api = _petition(officer, liaison, city["pw"])
    calendar.override_set(
        actor=people["admin"], date=dt.date(2026, 12, 26), is_working_day=True, reason="補班"
    )
    petition = _petition_case(city, officer)
    knowledge = Knowledge.objects.create(
        department=city["pw"], question="路燈不亮", answer="通報 1999", updated_by=liaison
    )
    return {
        "petition": petition.pk,
        "category": petition.category_id,
        "knowledge": knowledge.pk,
        "works": works.pk,
        "milestone": milestone.pk,
        "baseline": works.baseline_id,
        "report": report.pk,
        "meeting": meeting.pk,
        "plan": plan.pk,
        "goal": goal.pk,
        "kpi": kpi.pk,
        "measurement": measurement.pk,
        "round": plan_round.pk,
        "submission": Submission.objects.get(plan_round=plan_round).pk,
        "published": published.pk,
        "file": attachment.pk,
        "image": image.pk,
        "token": token.pk,
        "case": petition_api["case"],
        "petition_request": petition_api["request"],
        "petition_reply": petition_api["reply"],
        "worker": people["worker"].pk,
        "pw": city["pw"].code,
        "date": "2026-12-26",
        **_open311(officer, petition.category),
        **_security(people, city),  # seccore
        **_isac(people["admin"]),
    }


def _security(people, city) -> dict:
    """seccore: the city as an agency, with an incident and an audit (the administrator is
    the CISO)."""
    from guankao.security import services_registers as regs
    from guankao.security.models import Agency
    from tests.security.incident_helpers import ago, audit, incident, service

    agency = Agency.objects.create(department=city["root"], level="A")
    admin = people["admin"]
    the_audit = audit(admin, agency)
    finding = regs.finding_add(
        actor=admin,
        audit_item=the_audit,
        text="弱密碼",
        severity="high",
        action="強制密碼原則",
        owner="資訊科",
        due_date=dt.date(2026, 12, 31),
    )
    the_service = service(admin, agency)
    outage = regs.outage_create(
        actor=admin,
        agency=agency,
        started_at=ago(hours=2),
        planned=False,
        cause="斷電",
        services=[the_service],
    )
    return {
        "security_incident": incident(admin, agency).pk,
        "security_audit": the_audit.pk,
        "security_finding": finding.pk,
        "security_service": the_service.pk,
        "security_outage": outage.pk,
        **_secops(people["admin"], city),
    }


def _secops(admin, city) -> dict:
    """The city as an agency (level A) with a duty instance, a SOC point and a training
    record of the PW worker."""
    from guankao.core.models import User
    from guankao.security import duties, soc, training
    from guankao.security.models import Agency, Duty, DutyInstance

    agency, _new = Agency.objects.get_or_create(department=city["root"], defaults={"level": "A"})
    duties.duties_generate(actor=admin, year=2026)
    point, _token = soc.point_create(actor=admin, agency=agency, name="核心機房", site="B1")
    record = training.training_record(
        actor=admin,
        user=User.objects.get(username="worker"),
        course="資安通識",
        date=dt.date(2026, 3, 2),
        hours="3",
    )
    return {
        "duty_instance": DutyInstance.objects.filter(agency=agency).first().pk,
        "duty_def": Duty.objects.get(level="A", code="pentest").pk,
        "soc_point": point.pk,
        "training_record": record.pk,
    }


def _isac(admin) -> dict:
    """A member, and an indicator the CISO (the administrator) shared in the members'
    collection, with the status of that POST."""
    from guankao.security.isac import defaults, ingest
    from guankao.security.isac import services as isac_services
    from guankao.security.isac.access import Principal
    from guankao.security.isac.models import Collection
    from tests.security.isac.conftest import indicator

    defaults.ensure()
    member, _secret = isac_services.member_create(
        actor=admin,
        name="嘉義縣政府",
        kind="neighbour",
        contact_name="窗口",
        contact_email="a@b.tw",
    )
    share = Collection.objects.get(alias="members-share")
    obj = indicator()
    status = ingest.objects_add(
        principal=Principal(user=admin, operator=True), collection=share, objects=[obj]
    )
    upstream = isac_services.upstream_create(
        actor=admin, name="N-ISAC", url="https://taxii.example/c/", collection=share
    )
    return {
        "isac_upstream": upstream.pk,
        "isac_member": member.pk,
        "isac_collection": str(share.pk),
        "isac_status": str(status.pk),
        "isac_object": obj["id"],
    }


def _open311(officer, category) -> dict:
    """An Open311 app, a question of the case's category (reported online) and a report."""
    from guankao.petitions import clients, public

    Category.objects.filter(pk=category.pk).update(public=True)
    app, _key = clients.client_create(actor=officer, name="matrix", contact="dev@example.com")
    question = clients.attribute_save(
        actor=officer, category=category, code="size", datatype="string", description="大小"
    )
    case, _code = public.file_public_request(
        client=app, category=category.code, description="有洞", address="中山路"
    )
    return {
        "open311_app": app.pk,
        "open311_question": question.pk,
        "open311_case": case.number,
        "open311_token": case.public_request.token,
    }


def _petition(officer, liaison, pw) -> dict:
    """A PW case with a pending re-routing request and a reply waiting for the head."""
    from guankao.petitions import handling
    from guankao.petitions import services as petition_services
    from guankao.petitions.models import Category

    category = Category.objects.create(code="mx-pothole", name="道路坑洞", department=pw)
    category.path = f"/{category.pk}/"
    category.save(update_fields=["path"])
    case = petition_services.case_file(
        actor=officer,
        kind="petition",
        channel="phone",
        subject="路面坑洞",
        text="中山路有坑洞",
        category=category,
        name="王小明",
        phone="0912-345-678",
    )
    request = handling.reroute_request(actor=liaison, case=case, reason="非本處業務")
    reply = handling.reply_draft(actor=liaison, case=case, text="已修補", method="phone")
    return {"case": case.pk, "request": request.pk, "reply": reply.pk}


def _petition_case(city, officer):
    """A 1999 case about a pothole, assigned to PW at filing."""
    category = Category.objects.create(code="pothole", name="道路坑洞", department=city["pw"])
    category.path = f"/{category.pk}/"
    category.save(update_fields=["path"])
    return petition_services.case_file(
        actor=officer,
        kind="petition",
        channel="phone",
        subject="民族路口坑洞",
        text="路口有坑洞",
        category=category,
        name="王小明",
        phone="0912-345-678",
    )


def _classify(response, method: str, api: bool) -> str:
    status = response.status_code
    if status >= 500:
        return f"5xx ({status})"
    if status == 405:
        return "M"
    if status in (403, 404):
        return "D"
    if status == 401 and (api or response.has_header("WWW-Authenticate")):
        return "L"
    if 300 <= status < 400 and response["Location"].startswith("/login/"):
        return "L"
    if status < 400 or (method != "GET" and status in (400, 409, 415, 422)):
        return "A"
    return f"? ({status})"


def _form(body: dict, world: dict) -> dict:
    out = {}
    for key, value in body.items():
        if isinstance(value, tuple):
            value = SimpleUploadedFile(value[0], value[1], content_type="text/csv")
        elif isinstance(value, str):
            value = value.format(**world)
        out[key] = value
    return out


def _request(client, method: str, path: str, body: dict, api: bool, world: dict):
    if method == "GET":
        return client.get(path)
    if not api:
        return client.post(path, _form(body, world))
    if method == "DELETE":
        return client.delete(path)
    return client.generic(method, path, json.dumps(body), content_type="application/json")


def _cells(world: dict):
    """(row, method, concrete path, expected codes, body, is API) for every cell row."""
    for route, (codes, params, query, body) in _pages().items():
        path = "/" + _template(route).format(**{k: world.get(v, v) for k, v in params.items()})
        for method, expected in zip(("GET", "POST"), codes, strict=True):
            yield route, method, path + query, expected, BODIES.get(body, {}), False
    for operation, (codes, params, query, body) in _api().items():
        method, template = operation.split(" ", 1)
        path = template.format(**{k: world.get(v, v) for k, v in params.items()})
        yield operation, method, path + query, codes[0], BODIES.get(body, {}), True


@pytest.mark.slow
def test_it_gives_each_persona_the_stated_access(world, people, settings):
    settings.AXES_ENABLED = False  # the sign-in form is posted with no password, by design
    jars = {name: client_for(people[name]).cookies for name in PERSONAS if name != "anonymous"}
    jars["anonymous"] = SimpleCookie()
    wrong, tried = [], 0
    for key, method, path, codes, body, api in _cells(world):
        for persona, expected in zip(PERSONAS, codes, strict=True):
            client = Client(raise_request_exception=False)
            client.cookies = SimpleCookie(jars[persona].output(header="", sep=";"))
            with transaction.atomic():
                response = _request(client, method, path, body, api, world)
                transaction.set_rollback(True)
            tried += 1
            got = _classify(response, method, api)
            if got != expected:
                wrong.append(f"{key}: {method} {path} as {persona}: {expected} expected, {got}")
    assert tried > 1500
    assert wrong == [], f"{len(wrong)} of {tried} cells:\n" + "\n".join(wrong)
