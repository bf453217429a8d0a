"""The home page says what to do: each app's to-do contributions for liaisons and heads,
the city summary for executive readers; menus by role; a fixed number of queries."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from guankao.core import todo
from guankao.plans import services as plan_services
from guankao.plans.models import Plan
from guankao.tracking import meetings, reporting
from guankao.tracking import services as tracking_services
from tests.tracking.conftest import plan

TODAY = dt.date(2026, 11, 12)  # a Thursday: October's reports were due on the 5th
NOW = timezone.make_aware(dt.datetime(2026, 11, 12, 10, 0))


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def clients(clients):
    for client in clients.values():
        client.cookies["django_language"] = "en"
    return clients


def _kpi(people, department, name="工程查核完成率", number="1"):
    officer = people["officer"]
    plan = Plan.objects.filter(department=department).first() or plan_services.plan_create(
        actor=officer,
        department=department,
        kind=Plan.Kind.MIDTERM,
        title=f"{department.name}中程施政計畫",
        first_year=2025,
        last_year=2027,
    )
    goal = plan.goals.first() or plan_services.goal_create(
        actor=officer, plan=plan, number="一", title="提升工程品質"
    )
    return plan_services.kpi_create(
        actor=officer,
        goal=goal,
        number=number,
        name=name,
        measure="完成數/應完成數",
        unit="%",
        frequency="monthly",
        targets=dict.fromkeys((2025, 2026, 2027), "≧80%"),
    )


def _values(kpi, liaison, head, periods):
    for year, period in periods:
        m = plan_services.measurement_record(
            actor=liaison, kpi=kpi, year=year, period=period, value=90
        )
        plan_services.measurement_approve(actor=head, measurement_id=m.pk)


def _item(people, city, number, kind="works"):
    item = tracking_services.item_create(
        actor=people["liaison"],
        kind=kind,
        number=number,
        title=f"工程 {number}",
        lead=city["pw"],
        budget_total=12_000_000,
        start_date=dt.date(2026, 1, 15),
        finish_date=dt.date(2026, 12, 31),
    )
    item.created_at = timezone.make_aware(dt.datetime(2026, 1, 5, 9, 0))
    item.save(update_fields=["created_at"])
    return item


def _file(item, actor, month, **extra):
    plan(item, 2026, month, 10 * month)  # the approved baseline's figure for the month
    return reporting.report_file(
        actor=actor,
        item=item,
        year=2026,
        month=month,
        now=timezone.make_aware(dt.datetime(2026, month + 1, 3, 10, 0)),
        actual=10 * month,
        work_done="施工中",
        **extra,
    )


@pytest.fixture
def month_of_work(people, city):
    """PW's work on 115/11/12: a KPI with 114 and 115 Jan–Jul approved, Aug returned,
    Sep overdue and Oct due soon; a work whose October report is overdue, another whose
    September report was returned, a third whose October report waits for the head; a
    control-meeting decision for PW."""
    liaison, head = people["liaison"], people["head"]
    kpi = _kpi(people, city["pw"])
    _values(kpi, liaison, head, [(2025, p) for p in range(1, 13)])
    _values(kpi, liaison, head, [(2026, p) for p in range(1, 8)])
    august = plan_services.measurement_record(actor=liaison, kpi=kpi, year=2026, period=8, value=70)
    plan_services.measurement_return(actor=head, measurement_id=august.pk, reason="請附佐證")
    late, returned, waiting = (_item(people, city, f"W-{n}") for n in (1, 2, 3))
    for item in (late, returned, waiting):
        for month in range(1, 9):
            reporting.report_approve(actor=head, report=_file(item, liaison, month))
    reporting.report_approve(actor=head, report=_file(late, liaison, 9))
    reporting.report_return(actor=head, report=_file(returned, liaison, 9), note="照片不清楚")
    reporting.report_approve(actor=head, report=_file(waiting, liaison, 9))
    _file(waiting, liaison, 10)
    meeting = meetings.meeting_open(
        actor=people["officer"], year=2026, month=11, held_on=dt.date(2026, 11, 20)
    )
    meetings.decision_record(
        actor=people["officer"],
        meeting=meeting,
        text="請工務處提出趕工計畫",
        department=city["pw"],
        due=dt.date(2026, 12, 31),
    )
    return {"kpi": kpi, "late": late, "returned": returned, "waiting": waiting}


def _tasks(user, today=TODAY) -> dict[str, int]:
    return {t.label: t.count for group in todo.tasks_for(user, today) for t in group["tasks"]}


def test_it_gives_the_liaison_each_kind_of_work_with_a_count(people, month_of_work):
    assert _tasks(people["liaison"]) == {
        "KPI values overdue": 1,  # September
        "KPI values to enter": 1,  # October, due within two weeks
        "KPI values returned for correction": 1,  # August, not counted again as overdue
        "Monthly reports overdue": 2,  # W-1's and W-2's October
        "Monthly reports returned for correction": 1,  # W-2's September
        "Directives from control meetings": 1,
    }


def test_it_gives_the_head_the_approvals_and_what_is_overdue(people, month_of_work):
    tasks = _tasks(people["head"])
    assert tasks["Monthly reports to approve"] == 1
    assert tasks["KPI values overdue"] == 1
    assert "KPI values to enter" not in tasks  # the liaison's list, not the head's
    m = plan_services.measurement_record(
        actor=people["liaison"], kpi=month_of_work["kpi"], year=2026, period=9, value=85
    )
    assert _tasks(people["head"])["KPI values to approve"] == 1
    plan_services.measurement_approve(actor=people["head"], measurement_id=m.pk)
    assert "KPI values to approve" not in _tasks(people["head"])


def test_the_other_department_sees_none_of_it(people, month_of_work):
    assert _tasks(people["other_liaison"]) == {}


def test_the_home_page_links_each_task(clients, people, month_of_work):
    response = clients["liaison"].get("/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "What waits for me" in html
    assert 'href="/plans/my-updates/"' in html
    assert 'href="/tracking/my/"' in html
    assert "/tracking/items/?kind=meeting&amp;department=PW" in html


def test_the_executive_gets_the_city_summary_and_no_filling_pages(clients, people, month_of_work):
    response = clients["executive"].get("/")
    html = response.content.decode()
    assert "The city at a glance" in html
    assert "What waits for me" not in html
    assert "Controlled cases under control" in html
    for filling in ('href="/plans/my-updates/"', 'href="/tracking/my/"', 'href="/plans/rounds/"'):
        assert filling not in html
    assert todo.tasks_for(people["executive"], TODAY) == []
    figures = {
        f.label: f.value for g in todo.summary_for(people["executive"], TODAY) for f in g["figures"]
    }
    assert figures["Open cases"] == 4  # three works and the meeting's directive


@pytest.mark.parametrize(
    ("persona", "shown", "hidden"),
    [
        ("liaison", {"/plans/my-updates/", "/tracking/my/", "/plans/rounds/"}, {"/audit/"}),
        ("head", {"/plans/my-updates/", "/tracking/my/"}, {"/audit/"}),
        ("officer", {"/audit/", "/plans/rounds/"}, {"/plans/my-updates/", "/tracking/my/"}),
        (
            "executive",
            {"/scorecard/", "/tracking/"},
            {"/plans/my-updates/", "/tracking/my/", "/plans/rounds/", "/calendar/", "/audit/"},
        ),
    ],
)
def test_menus_show_only_what_the_role_can_use(clients, persona, shown, hidden):
    html = clients[persona].get("/").content.decode()
    nav = html[html.index('<nav class="main-nav"') : html.index("</nav>")]
    for url in shown:
        assert f'href="{url}"' in nav, url
    for url in hidden:
        assert f'href="{url}"' not in nav, url


def _home_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/").status_code == 200
    return len(queries)


@pytest.mark.parametrize("persona", ["liaison", "head", "executive", "officer"])
def test_the_home_page_reads_a_fixed_number_of_queries(
    clients, people, city, month_of_work, persona
):
    from guankao.plans import cache

    cache.clear()
    before = _home_queries(clients[persona])
    for n in range(4, 10):
        item = _item(people, city, f"W-{n}")
        _file(item, people["liaison"], 10)
        _kpi(people, city["pw"], name=f"KPI {n}", number=str(n))
    cache.clear()
    after = _home_queries(clients[persona])
    assert after == before, f"{persona}: {before} queries with 3 cases, {after} with 9"
    assert after <= 40
