"""The scorecard: statuses, scope, a constant number of queries, the page, publishing."""

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from guankao.core.errors import NotAllowed
from guankao.core.models import Attachment, AuditEntry
from guankao.plans import cache, publishing, selectors
from guankao.plans import status as st
from guankao.plans.models import KPI, Goal, Measurement, PublishedScorecard, Target
from tests.plans.conftest import png_file

JUNE_30 = dt.date(2026, 6, 30)


@pytest.fixture
def year_data(kpis, approved):
    """2025 over (rate met, incidents not met); 2026 as of 30 June in every state."""
    for month in range(1, 13):
        approved(kpis["rate"], 2025, month, 80 if month == 12 else 60)
    for month, n in ((2, 2), (5, 1), (9, 1)):
        approved(kpis["incidents"], 2025, month, n)
    for month in range(1, 7):
        approved(kpis["rate"], 2026, month, 70 + month * 2)  # 82 in June
        approved(kpis["trainees"], 2026, month, 270)  # 1620 of 2000 expected: at risk
        approved(kpis["incidents"], 2026, month, 1 if month in (1, 4, 6) else 0)  # 3 of ≦3
    approved(kpis["trainees"], 2026, 7, 999)  # July: not counted as of 30 June
    approved(kpis["ratio"], 2026, 1, numerator=9, denominator=10)
    approved(kpis["ratio"], 2026, 2, numerator=8, denominator=10)  # 17/20 = 85%: at risk
    approved(kpis["range"], 2026, 1, 85)
    approved(kpis["range"], 2026, 2, 50)  # 50/80: off track
    return kpis


def test_it_scores_every_kpi_of_the_year(year_data, people):
    rows = selectors.scorecard(user=people["officer"], year=2026, as_of=JUNE_30)
    by_key = {key: next(r for r in rows if r.kpi.pk == kpi.pk) for key, kpi in year_data.items()}
    got = {key: row.result.status for key, row in by_key.items()}
    assert got == {
        "rate": st.ON_TRACK,
        "incidents": st.ON_TRACK,
        "trainees": st.AT_RISK,
        "ratio": st.AT_RISK,
        "audits": st.NO_DATA,
        "range": st.OFF_TRACK,
        "round": st.NO_DATA,
    }
    assert by_key["trainees"].result.actual == 1620
    assert by_key["trainees"].result.expected == 2000
    assert by_key["ratio"].result.actual == 85
    assert by_key["rate"].result.actual == 82
    assert by_key["rate"].target_text == "≧80%"
    assert [r.kpi.pk for r in rows] == [k.pk for k in year_data.values()]  # plan order


def test_it_calls_a_past_year_met_or_not_met(year_data, people):
    rows = selectors.scorecard(user=people["officer"], year=2025, as_of=JUNE_30)
    got = {r.kpi.pk: (r.result.status, r.result.actual) for r in rows}
    assert got[year_data["rate"].pk] == (st.MET, 80)
    assert got[year_data["incidents"].pk] == (st.NOT_MET, 4)
    assert got[year_data["trainees"].pk] == (st.NO_DATA, None)


def test_it_shows_the_year_as_it_stood_on_the_as_of_date(year_data, people):
    def on(day):
        rows = selectors.scorecard(user=people["officer"], year=2026, as_of=day)
        return {r.kpi.pk: r.result for r in rows}

    march = on(dt.date(2026, 3, 31))
    assert march[year_data["trainees"].pk].actual == 810
    assert march[year_data["trainees"].pk].status == st.AT_RISK  # 810 of 1000
    assert march[year_data["incidents"].pk].actual == 1
    assert march[year_data["ratio"].pk].actual == 90
    assert march[year_data["ratio"].pk].status == st.ON_TRACK
    assert on(dt.date(2026, 1, 15))[year_data["rate"].pk].actual == 72  # January begun
    assert on(dt.date(2025, 12, 31))[year_data["rate"].pk].status == st.NO_DATA  # not begun
    # 2619 of ≧4000 with months unreported: the missing months could still reach it.
    assert on(dt.date(2027, 1, 1))[year_data["trainees"].pk].status == st.INCOMPLETE


def test_it_counts_a_year_without_target_as_no_target(kpis, people, approved):
    Target.objects.filter(kpi=kpis["rate"], year=2026).delete()
    approved(kpis["rate"], 2026, 1, 90)
    (row,) = selectors.scorecard(user=people["head"], year=2026, kpi_ids=[kpis["rate"].pk])
    assert (row.target_text, row.result.status) == (None, st.NO_TARGET)


@pytest.mark.parametrize(
    ("persona", "sees"),
    [
        ("officer", True),
        ("executive", True),
        ("admin", True),
        ("liaison", True),
        ("head", True),
        ("worker", False),  # PW-1 staff read their own sub-unit only
        ("other_liaison", False),
        ("unplaced", False),  # no department: nothing, not the city
    ],
)
def test_it_scopes_the_scorecard_to_what_the_user_may_read(persona, sees, year_data, people):
    rows = selectors.scorecard(user=people[persona], year=2026, as_of=JUNE_30)
    assert len(rows) == (len(year_data) if sees else 0)


def test_it_filters_by_department_subtree(year_data, people, city):
    officer = people["officer"]
    assert len(selectors.scorecard(user=officer, year=2026, department=city["pw"])) == 7
    assert len(selectors.scorecard(user=officer, year=2026, department=city["root"])) == 7
    assert selectors.scorecard(user=officer, year=2026, department=city["soc"]) == []
    assert selectors.scorecard(user=officer, year=2028) == []  # outside the plan


def _many_kpis(goal: Goal, n: int) -> None:
    kpis = KPI.objects.bulk_create(
        KPI(goal=goal, name=f"KPI {i}", measure="次", frequency="monthly", order=i)
        for i in range(n)
    )
    Target.objects.bulk_create(Target(kpi=k, year=2026, text="≧10") for k in kpis)


def test_it_takes_the_same_number_of_queries_for_10_kpis_as_for_1000(goals, people):
    officer = people["officer"]
    officer.role_set  # noqa: B018 (the roles are read once per request, as in a view)
    _many_kpis(goals["一"], 10)
    with CaptureQueriesContext(connection) as ten:
        assert len(selectors.scorecard(user=officer, year=2026)) == 10
    _many_kpis(goals["二"], 990)
    with CaptureQueriesContext(connection) as thousand:
        rows = selectors.scorecard(user=officer, year=2026)
    assert len(rows) == 1000
    assert len(ten) == len(thousand) == 1
    assert {r.result.status for r in rows} == {st.NO_DATA}


def test_it_renders_the_scorecard_page_with_the_same_queries_for_more_kpis(goals, clients, people):
    client = clients["officer"]
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    _many_kpis(goals["一"], 5)
    client.get("/scorecard/?year=2026")
    cache.clear()  # bulk_create bypasses the services that mark data changed
    with CaptureQueriesContext(connection) as few:
        assert client.get("/scorecard/?year=2026").status_code == 200
    _many_kpis(goals["二"], 200)
    cache.clear()
    with CaptureQueriesContext(connection) as many:
        response = client.get("/scorecard/?year=2026")
    assert response.content.decode().count("No data") == 206  # each chip and the summary
    assert len(few) == len(many)


def test_it_renders_the_scorecard_page_with_status_words(year_data, clients):
    client = clients["liaison"]
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get("/scorecard/", {"year": "115", "as_of": "115/06/30"})
    assert response.status_code == 200
    html = response.content.decode()
    for word in ("On track", "At risk", "Off track", "No data"):
        assert word in html
    assert "工安講習受訓人次" in html and "≧4000" in html
    # 落後 in the shared vocabulary: the same ▲ and colour as a case behind on the board.
    assert '<span class="chip tone-behind"><span aria-hidden="true">▲</span> Off track' in html
    assert "1,620人次" in html and "2,000人次" in html  # actual and expected, with the unit
    assert "Scorecard, year 115" in html


def test_it_shows_the_past_year_on_the_page(year_data, clients):
    client = clients["head"]
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get("/scorecard/", {"year": "2025", "department": "PW"}).content.decode()
    assert "Met" in html and "Not met" in html


def test_it_explains_a_bad_as_of_date_on_the_page(year_data, clients):
    response = clients["liaison"].get("/scorecard/", {"year": "2026", "as_of": "115/13/40"})
    assert response.status_code == 400
    assert 'class="errorlist"' in response.content.decode()


def test_it_hides_other_departments_on_the_page(year_data, clients):
    response = clients["other_liaison"].get("/scorecard/", {"year": "2026"})
    assert "工安講習受訓人次" not in response.content.decode()
    # The organisation chart is open to staff; PW's KPIs are not.
    response = clients["other_liaison"].get("/scorecard/", {"department": "PW"})
    assert "工安講習受訓人次" not in response.content.decode()
    # A department that does not exist: the page says so in the picker, 400, no dead end.
    response = clients["liaison"].get("/scorecard/", {"department": "NOPE"})
    assert response.status_code == 400
    assert 'id="department-error"' in response.content.decode()
    # A department by its name works as well as by its code.
    response = clients["liaison"].get("/scorecard/", {"department": "工務處"})
    assert response.status_code == 200 and response.context["department"].code == "PW"


def test_it_sends_anonymous_visitors_to_the_published_scorecards(clients):
    response = clients["anonymous"].get("/scorecard/")
    assert response.status_code == 302
    assert response["Location"] == "/public/scorecards/"


# Publishing --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "persona", ["liaison", "head", "executive", "other_liaison", "worker", "unplaced"]
)
def test_it_lets_only_officers_publish(persona, year_data, people, clients):
    with pytest.raises(NotAllowed):
        publishing.publish(actor=people[persona], year=2026)
    assert clients[persona].post("/scorecard/publish/", {"year": "2026"}).status_code == 403
    assert not PublishedScorecard.objects.exists()


def test_it_publishes_a_scorecard_anyone_can_read_without_personal_data(year_data, people, clients):
    for user in people.values():
        user.display_name = f"Person-{user.username}"
        user.save()
    response = clients["officer"].post("/scorecard/publish/", {"year": "2026", "department": "PW"})
    published = PublishedScorecard.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/public/scorecards/{published.pk}/"
    assert AuditEntry.objects.filter(
        object_type="plans.publishedscorecard", object_id=str(published.pk)
    ).exists()

    anonymous = clients["anonymous"]
    anonymous.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    listing = anonymous.get("/public/scorecards/")
    assert f"/public/scorecards/{published.pk}/" in listing.content.decode()
    page = anonymous.get(f"/public/scorecards/{published.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "工安講習受訓人次" in html and "≧4000" in html and "工務處" in html
    assert "On track" in html or "At risk" in html
    content = json.dumps(published.content, ensure_ascii=False)
    for user in people.values():
        for text in (html, content):
            assert user.email not in text
            assert user.display_name not in text
            assert f'"{user.username}"' not in text
    assert {k["name"] for g in published.content["goals"] for k in g["kpis"]} == {
        k.name for k in year_data.values()
    }


def test_it_freezes_a_published_scorecard(year_data, people, approved):
    published = publishing.publish(actor=people["officer"], year=2025)
    before = published.content
    # 2025 has closed, so no service changes its target any more; the data underneath might.
    Target.objects.filter(kpi=year_data["rate"], year=2025).update(text="≧90%")
    published.refresh_from_db()
    assert published.content == before
    kpi = next(k for g in before["goals"] for k in g["kpis"] if k["id"] == year_data["rate"].pk)
    assert (kpi["target"], kpi["actual"], kpi["status"]) == ("≧80%", "80.00", st.MET)


def test_it_refuses_a_publish_with_a_bad_year(clients):
    for year in ("", "abc", "99999999"):
        response = clients["officer"].post("/scorecard/publish/", {"year": year})
        assert response.status_code == 400
    assert not PublishedScorecard.objects.exists()


def test_it_returns_404_for_unknown_published_scorecards(clients):
    assert clients["anonymous"].get("/public/scorecards/999/").status_code == 404


def test_it_reads_published_scorecards_through_the_selectors(
    year_data, people, approved, clients, django_assert_max_num_queries
):
    from guankao.core.errors import NotFound

    published = publishing.publish(actor=people["officer"], year=2025)
    assert selectors.published_latest(year=2025) == published
    assert selectors.published_get(pk=published.pk) == published
    with pytest.raises(NotFound):
        selectors.published_latest(year=2025, department_code="PW")
    with pytest.raises(NotFound):
        selectors.published_latest(year=2024)
    with django_assert_max_num_queries(6):
        assert clients["anonymous"].get("/public/scorecards/").status_code == 200
    assert clients["anonymous"].get("/api/v1/scorecard?year=114").json()["published"] is True


def test_it_reads_decimal_values_back_exactly(kpis, people, approved):
    approved(kpis["rate"], 2026, 1, "80.0001")
    (row,) = selectors.scorecard(
        user=people["officer"], year=2026, kpi_ids=[kpis["rate"].pk], as_of=JUNE_30
    )
    assert row.result.actual == Decimal("80.0001")


# Drill-down: the KPI page, where values are entered, approved and traced ------------------


def test_it_takes_a_value_with_evidence_on_the_kpi_page_and_the_head_approves_it(
    kpis, people, clients
):
    kpi = kpis["rate"]
    url = f"/plans/kpis/{kpi.pk}/?year=2026"
    form = {"year": "115", "period": "1", "value": "85", "note": "一月查核", "action": "record"}
    response = clients["liaison"].post(url, {**form, "evidence_file": png_file()})
    assert response.status_code == 302
    m = Measurement.objects.get(kpi=kpi)
    assert (m.year, m.period, m.value, m.status) == (2026, 1, 85, "submitted")
    attachment = Attachment.objects.get(owner_type="plans.measurement", owner_id=str(m.pk))

    html = clients["head"].get(url).content.decode()
    assert f"/files/{attachment.pk}/" in html and 'value="approve"' in html
    assert (
        clients["liaison"].post(url, {"action": "approve", "measurement": m.pk}).status_code == 403
    )
    response = clients["head"].post(url, {"action": "approve", "measurement": m.pk})
    assert response.status_code == 302
    m.refresh_from_db()
    assert m.counted
    (row,) = selectors.scorecard(user=people["head"], year=2026, kpi_ids=[kpi.pk], as_of=JUNE_30)
    assert row.result.actual == 85


def test_it_takes_a_rate_on_the_kpi_page_without_a_value(kpis, clients):
    kpi = kpis["ratio"]
    form = {"year": "2026", "period": "1", "numerator": "9", "denominator": "10"}
    response = clients["liaison"].post(f"/plans/kpis/{kpi.pk}/", {**form, "action": "record"})
    assert response.status_code == 302
    assert Measurement.objects.get(kpi=kpi).value == 90


def test_it_shows_a_refused_value_on_the_kpi_page_and_changes_nothing(kpis, clients):
    kpi = kpis["rate"]
    form = {"year": "2026", "period": "13", "value": "abc", "action": "record"}
    response = clients["liaison"].post(f"/plans/kpis/{kpi.pk}/", form)
    assert response.status_code == 400
    assert 'class="errorlist' in response.content.decode()
    assert not Measurement.objects.exists()


def test_it_hides_the_kpi_page_from_other_departments(kpis, clients):
    kpi = kpis["rate"]
    assert clients["other_liaison"].get(f"/plans/kpis/{kpi.pk}/").status_code == 404
    form = {"year": "2026", "period": "1", "value": "85", "action": "record"}
    assert clients["other_liaison"].post(f"/plans/kpis/{kpi.pk}/", form).status_code == 404
    assert clients["anonymous"].get(f"/plans/kpis/{kpi.pk}/").status_code == 302
    response = clients["executive"].post(f"/plans/kpis/{kpi.pk}/", form)
    assert response.status_code in (200, 403)
    assert not Measurement.objects.exists()


def test_it_traces_a_computed_kpi_to_the_records_it_counted(kpis, people, clients, city):
    from guankao.plans import rounds

    rounds.round_open(
        actor=people["officer"],
        year=2026,
        deadline=dt.date(2026, 1, 31),
        departments=[city["pw"], city["soc"]],
    )
    clients["officer"].cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = clients["officer"].get(f"/plans/kpis/{kpis['round'].pk}/?year=2026").content.decode()
    assert "Annual plan round: on-time completion rate" in html
    assert "工務處" in html and "社會處" in html  # the submissions counted
    assert "Enter or correct a value" not in html


def test_it_names_the_periods_missing_on_the_page(client, people, kpis, approved):
    # The defect seen: 「達成 · 4／4 期」 under 已填期數 when only Q3 was reported.
    approved(kpis["ratio"], 2025, 3, numerator=9, denominator=9)
    client.force_login(people["officer"])
    html = client.get("/scorecard/?year=2025&as_of=2026-06-30").content.decode()
    row = html[html.index("補助款列管項目如期率") :]
    row = row[: row.index("</tr>")]
    assert "1／4 期" in row and "缺 Q1、Q2、Q4" in row
    assert "tone-pending" in row and "100%" in row
