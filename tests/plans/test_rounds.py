"""The annual plan round (KPI 一): open, draft, submit, return, accept; the on-time metric."""

import datetime as dt
from decimal import Decimal
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from guankao.core.errors import NotAllowed, ServiceError
from guankao.core.models import AuditEntry, Notification
from guankao.plans import registry, rounds, selectors, services
from guankao.plans.jobs import compute_metrics
from guankao.plans.models import Measurement, Plan, PlanRound, Submission

TAIPEI = ZoneInfo("Asia/Taipei")
DEADLINE = dt.date(2026, 1, 31)


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=TAIPEI)


@pytest.fixture
def plan_round(people, city):
    return rounds.round_open(
        actor=people["officer"],
        year=2026,
        deadline=DEADLINE,
        departments=[city["pw"], city["soc"], city["st"]],
    )


def submission_of(plan_round, department) -> Submission:
    return Submission.objects.select_related("plan").get(
        plan_round=plan_round, department=department
    )


def fill(plan: Plan, actor) -> None:
    """A goal, a KPI and its target: what a submission needs."""
    goal = services.goal_create(actor=actor, plan=plan, number="一", title="提升服務品質")
    services.kpi_create(
        actor=actor,
        goal=goal,
        name="案件如期結案率",
        measure="如期結案數/結案數",
        targets={plan.first_year: "≧95%"},
    )


def submit(actor, submission, when: dt.datetime):
    with mock.patch.object(timezone, "now", return_value=when):
        return rounds.submission_submit(actor=actor, submission_id=submission.pk)


@pytest.fixture
def pw(plan_round, city, people) -> Submission:
    s = submission_of(plan_round, city["pw"])
    fill(s.plan, people["liaison"])
    return s


# Opening -----------------------------------------------------------------------------------


def test_it_opens_a_round_with_a_draft_plan_for_each_department(plan_round, city, people):
    plans = Plan.objects.filter(submission__plan_round=plan_round).order_by("department__path")
    assert [(p.department.code, p.kind, p.status, p.first_year, p.last_year) for p in plans] == [
        ("ST", "annual", "draft", 2026, 2026),
        ("PW", "annual", "draft", 2026, 2026),
        ("SOC", "annual", "draft", 2026, 2026),
    ]
    assert plan_round.opened_by == people["officer"]
    entry = AuditEntry.objects.get(object_type="plans.planround")
    assert entry.changes["departments"] == [None, ["PW", "SOC", "ST"]]
    for plan in plans:
        entry = AuditEntry.objects.get(object_type="plans.plan", object_id=str(plan.pk))
        assert (entry.action, entry.actor, entry.department) == (
            "create",
            people["officer"],
            plan.department,
        )
    notified = set(Notification.objects.values_list("recipient__username", flat=True))
    assert notified == {"liaison", "head", "other"}
    assert "115" in Notification.objects.first().subject


@pytest.mark.parametrize(
    "persona", ["liaison", "head", "executive", "other_liaison", "worker", "unplaced"]
)
def test_it_lets_only_officers_open_a_round(persona, people, city):
    with pytest.raises(NotAllowed):
        rounds.round_open(
            actor=people[persona], year=2026, deadline=DEADLINE, departments=[city["pw"]]
        )
    assert not PlanRound.objects.exists()
    assert not Plan.objects.exists()


def test_it_refuses_a_second_round_for_the_year_and_a_round_of_nobody(plan_round, people, city):
    with pytest.raises(ServiceError) as exc:
        rounds.round_open(
            actor=people["officer"], year=2026, deadline=DEADLINE, departments=[city["pw"]]
        )
    assert exc.value.problems[0].field == "year"
    with pytest.raises(ServiceError) as exc:
        rounds.round_open(actor=people["officer"], year=2027, deadline=DEADLINE, departments=[])
    assert exc.value.problems[0].field == "departments"


@pytest.mark.parametrize(
    ("year", "deadline", "field"),
    [
        (20260, dt.date(2026, 1, 31), "year"),
        ("2026", dt.date(2026, 1, 31), "year"),
        (2027, "2027-01-31", "deadline"),
        (2027, None, "deadline"),
    ],
)
def test_it_refuses_a_round_with_a_bad_year_or_deadline(year, deadline, field, people, city):
    with pytest.raises(ServiceError) as exc:
        rounds.round_open(
            actor=people["officer"], year=year, deadline=deadline, departments=[city["pw"]]
        )
    assert exc.value.problems[0].field == field
    assert not PlanRound.objects.exists()


# Submitting --------------------------------------------------------------------------------


def test_it_requires_goals_kpis_and_targets_before_submitting(plan_round, city, people):
    s = submission_of(plan_round, city["pw"])
    liaison = people["liaison"]
    with pytest.raises(ServiceError) as exc:
        submit(liaison, s, at(2026, 1, 20, 10))
    assert exc.value.problems[0].field == "plan"
    goal = services.goal_create(actor=liaison, plan=s.plan, number="一", title="目標")
    with pytest.raises(ServiceError) as exc:
        submit(liaison, s, at(2026, 1, 20, 10))
    assert exc.value.problems[0].field == "plan"
    kpi = services.kpi_create(actor=liaison, goal=goal, name="KPI", measure="次")
    with pytest.raises(ServiceError) as exc:
        submit(liaison, s, at(2026, 1, 20, 10))
    assert exc.value.problems[0].field == "targets"
    assert "KPI" in exc.value.problems[0].message
    services.target_set(actor=liaison, kpi=kpi, year=2026, text="≧1")
    submit(liaison, s, at(2026, 1, 20, 10))
    s.refresh_from_db()
    s.plan.refresh_from_db()
    assert (s.plan.status, s.submitted_by) == ("submitted", liaison)


def test_it_does_not_count_another_plans_targets(plan_round, city, people, kpis):
    # The PW mid-term plan has 2026 targets; the annual plan's own KPI has none.
    s = submission_of(plan_round, city["pw"])
    goal = services.goal_create(actor=people["head"], plan=s.plan, number="一", title="目標")
    services.kpi_create(actor=people["head"], goal=goal, name="KPI", measure="次")
    with pytest.raises(ServiceError) as exc:
        submit(people["head"], s, at(2026, 1, 20, 10))
    assert exc.value.problems[0].field == "targets"


@pytest.mark.parametrize(
    ("when", "late"),
    [
        (at(2026, 1, 20, 10), False),
        (at(2026, 1, 31, 23, 59, 59), False),  # end of the deadline day in Taipei
        (at(2026, 2, 1, 0, 0, 0), True),
        (dt.datetime(2026, 1, 31, 16, 30, tzinfo=dt.UTC), True),  # 00:30 on 1 Feb in Taipei
        (dt.datetime(2026, 1, 31, 15, 59, tzinfo=dt.UTC), False),
    ],
)
def test_it_tells_late_from_on_time_by_the_end_of_the_deadline_day_in_taipei(
    when, late, pw, people
):
    submit(people["liaison"], pw, when)
    entry = AuditEntry.objects.get(
        object_type="plans.plan", object_id=str(pw.plan_id), note__in=("late", "on time")
    )
    assert entry.note == ("late" if late else "on time")
    rounds.submission_decide(actor=people["officer"], submission_id=pw.pk, accept=True)
    pw.refresh_from_db()
    assert rounds.is_on_time(pw) is not late


def test_it_judges_the_deadline_in_taipei_whatever_the_active_time_zone(pw, people):
    with timezone.override("UTC"):
        submit(people["liaison"], pw, at(2026, 2, 1, 3, 0))  # 31 Jan 19:00 in UTC
        rounds.submission_decide(actor=people["officer"], submission_id=pw.pk, accept=True)
        pw.refresh_from_db()
        assert not rounds.is_on_time(pw)
        assert rounds.deadline_end(pw.plan_round) == at(2026, 2, 1)


@pytest.mark.parametrize("persona", ["officer", "executive", "other_liaison", "worker", "unplaced"])
def test_it_lets_only_the_departments_liaison_or_head_submit(persona, pw, people):
    with pytest.raises(NotAllowed):
        submit(people[persona], pw, at(2026, 1, 20))
    pw.plan.refresh_from_db()
    assert pw.plan.status == "draft"


def test_it_returns_with_a_reason_and_keeps_the_first_submission_time(pw, people):
    liaison, officer = people["liaison"], people["officer"]
    submit(liaison, pw, at(2026, 1, 20, 10))
    with pytest.raises(ServiceError) as exc:
        rounds.submission_decide(actor=officer, submission_id=pw.pk, accept=False, reason=" ")
    assert exc.value.problems[0].field == "reason"
    with pytest.raises(ServiceError) as exc:
        rounds.submission_decide(actor=officer, submission_id=pw.pk, accept=False, reason="x" * 301)
    assert exc.value.problems[0].field == "reason"
    rounds.submission_decide(actor=officer, submission_id=pw.pk, accept=False, reason="目標值過低")
    pw.refresh_from_db()
    pw.plan.refresh_from_db()
    assert (pw.plan.status, pw.decision_note) == ("returned", "目標值過低")
    # Returned: the department edits and sends it again, after the deadline.
    services.plan_update(actor=liaison, plan=pw.plan, key_projects="一、道路養護")
    submit(liaison, pw, at(2026, 2, 5, 9))
    pw.refresh_from_db()
    assert pw.first_submitted_at == at(2026, 1, 20, 10)
    assert pw.submitted_at == at(2026, 2, 5, 9)
    rounds.submission_decide(actor=officer, submission_id=pw.pk, accept=True)
    pw.refresh_from_db()
    assert rounds.is_on_time(pw)  # first sent in time, accepted in the end


def test_it_locks_a_submitted_plan_for_the_department(pw, people):
    submit(people["liaison"], pw, at(2026, 1, 20, 10))
    pw.plan.refresh_from_db()
    with pytest.raises(NotAllowed):
        services.plan_update(actor=people["liaison"], plan=pw.plan, title="改")
    with pytest.raises(ServiceError):  # not twice
        submit(people["liaison"], pw, at(2026, 1, 21, 10))


@pytest.mark.parametrize("persona", ["liaison", "head", "executive", "other_liaison", "unplaced"])
def test_it_lets_only_officers_accept_or_return(persona, pw, people):
    submit(people["liaison"], pw, at(2026, 1, 20, 10))
    for accept in (True, False):
        with pytest.raises(NotAllowed):
            rounds.submission_decide(
                actor=people[persona], submission_id=pw.pk, accept=accept, reason="x"
            )
    pw.plan.refresh_from_db()
    assert pw.plan.status == "submitted"


def test_it_refuses_to_decide_a_plan_not_submitted(pw, people):
    with pytest.raises(ServiceError):
        rounds.submission_decide(actor=people["officer"], submission_id=pw.pk, accept=True)


# The on-time metric and the job that stores it --------------------------------------------


def _accept(submission, people, when, actor="liaison"):
    submit(people[actor], submission, when)
    rounds.submission_decide(actor=people["officer"], submission_id=submission.pk, accept=True)


@pytest.fixture
def decided(plan_round, city, people):
    """PW on time, SOC late, ST never submitted: 1 of 3 on time."""
    subs = {code: submission_of(plan_round, city[code]) for code in ("pw", "soc", "st")}
    fill(subs["pw"].plan, people["liaison"])
    fill(subs["soc"].plan, people["other_liaison"])
    _accept(subs["pw"], people, at(2026, 1, 30, 9))
    _accept(subs["soc"], people, at(2026, 2, 3, 9), actor="other_liaison")
    return subs


def test_it_computes_the_on_time_rate_of_the_round(decided):
    metric = registry.get("plans.round_on_time")
    value = metric.compute(registry.Period(2026, 1, 1), None)
    assert value == (Decimal("33.33"), 1, 3)
    assert metric.compute(registry.Period(2025, 1, 1), None) is None  # no round
    records = list(metric.records(registry.Period(2026, 1, 1), None))
    assert len(records) == 3
    assert {r.kind for r in records} == {"plans.submission"}
    assert all(r.url.startswith("/plans/") for r in records)


def test_it_scopes_the_on_time_rate_to_a_department(decided, city):
    metric = registry.get("plans.round_on_time")
    assert metric.compute(registry.Period(2026, 1, 1), city["pw"]) == (Decimal("100.00"), 1, 1)
    assert metric.compute(registry.Period(2026, 1, 1), city["soc"]) == (Decimal("0.00"), 0, 1)


def test_it_stores_the_computed_rate_for_a_bound_kpi_idempotently(decided, kpis):
    kpi = kpis["round"]
    now = at(2026, 3, 1, 8)
    assert compute_metrics(now) == 1
    m = Measurement.objects.get(kpi=kpi)
    assert (m.year, m.period, m.value, m.numerator, m.denominator) == (
        2026,
        1,
        Decimal("33.33"),
        1,
        3,
    )
    assert (m.source, m.status, m.counted, m.latest, m.revision) == (
        "metric",
        "approved",
        True,
        True,
        1,
    )
    assert compute_metrics(now) == 0
    assert compute_metrics(now + dt.timedelta(hours=1)) == 0
    assert Measurement.objects.filter(kpi=kpi).count() == 1

    # SOC's first submission turns out to have been in time: 2 of 3, a new revision.
    Submission.objects.filter(pk=decided["soc"].pk).update(first_submitted_at=at(2026, 1, 31, 12))
    assert compute_metrics(now) == 1
    rows = list(Measurement.objects.filter(kpi=kpi).order_by("revision"))
    assert [(r.revision, r.value, r.latest, r.counted) for r in rows] == [
        (1, Decimal("33.33"), False, False),
        (2, Decimal("66.67"), True, True),
    ]
    assert rows[1].supersedes_id == rows[0].pk


def test_it_shows_the_computed_kpi_on_the_scorecard(decided, kpis, people):
    from guankao.plans import selectors

    compute_metrics(at(2026, 3, 1, 8))
    (row,) = selectors.scorecard(
        user=people["officer"], year=2026, kpi_ids=[kpis["round"].pk], as_of=dt.date(2027, 1, 1)
    )
    assert (row.result.status, row.result.actual) == ("not_met", Decimal("33.33"))


def test_it_refuses_manual_values_for_the_bound_kpi(kpis, people):
    with pytest.raises(ServiceError) as exc:
        services.measurement_record(
            actor=people["liaison"], kpi=kpis["round"], year=2026, period=1, value=100
        )
    assert exc.value.problems[0].field == "kpi"


# Pages -------------------------------------------------------------------------------------


def test_it_lists_rounds_and_lets_officers_open_one(clients, city):
    assert clients["liaison"].get("/plans/rounds/").status_code == 200
    assert clients["anonymous"].get("/plans/rounds/").status_code == 302
    response = clients["liaison"].post("/plans/rounds/", {"year": "115", "deadline": "115/01/31"})
    assert response.status_code == 403
    assert not PlanRound.objects.exists()
    response = clients["officer"].post("/plans/rounds/", {"year": "115", "deadline": "115/01/31"})
    plan_round = PlanRound.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/plans/rounds/{plan_round.pk}/"
    assert (plan_round.year, plan_round.deadline) == (2026, DEADLINE)
    # offices and bureaus, not the city government itself or its sections
    codes = set(plan_round.departments.values_list("code", flat=True))
    assert codes == {"ST", "PW", "SOC"}
    assert "115" in clients["officer"].get("/plans/rounds/").content.decode()


def test_it_shows_a_bad_round_form_again(clients):
    response = clients["officer"].post("/plans/rounds/", {"year": "115", "deadline": "115/13/31"})
    assert response.status_code == 400
    assert 'class="errorlist"' in response.content.decode()
    assert not PlanRound.objects.exists()


def test_it_shows_each_department_only_its_own_submission(plan_round, clients):
    html = clients["liaison"].get(f"/plans/rounds/{plan_round.pk}/").content.decode()
    assert "工務處" in html and "社會處" not in html
    html = clients["officer"].get(f"/plans/rounds/{plan_round.pk}/").content.decode()
    assert "工務處" in html and "社會處" in html and "智慧科技處" in html


def test_it_submits_accepts_and_returns_through_the_round_page(pw, plan_round, clients, city):
    url = f"/plans/rounds/{plan_round.pk}/"
    html = clients["liaison"].get(url).content.decode()
    assert 'value="submit"' in html
    assert (
        clients["other_liaison"].post(url, {"action": "submit", "submission": pw.pk}).status_code
        == 403
    )
    assert (
        clients["executive"].post(url, {"action": "submit", "submission": pw.pk}).status_code == 403
    )
    response = clients["liaison"].post(url, {"action": "submit", "submission": pw.pk})
    assert response.status_code == 302
    pw.plan.refresh_from_db()
    assert pw.plan.status == "submitted"

    html = clients["officer"].get(url).content.decode()
    assert 'value="accept"' in html and 'value="return"' in html
    for persona in ("liaison", "head"):
        response = clients[persona].post(url, {"action": "accept", "submission": pw.pk})
        assert response.status_code == 403
    response = clients["officer"].post(url, {"action": "return", "submission": pw.pk})
    assert response.status_code == 400  # refused, the page again: a reason is required
    assert f'href="#s{pw.pk}-reason"' in response.content.decode()
    pw.plan.refresh_from_db()
    assert pw.plan.status == "submitted"
    clients["officer"].post(url, {"action": "return", "submission": pw.pk, "reason": "請補充"})
    pw.plan.refresh_from_db()
    assert pw.plan.status == "returned"
    clients["liaison"].post(url, {"action": "submit", "submission": pw.pk})
    clients["officer"].post(url, {"action": "accept", "submission": pw.pk})
    pw.plan.refresh_from_db()
    assert pw.plan.status == "accepted"


@pytest.mark.parametrize(
    "data", [{"action": "submit"}, {"action": "dance", "submission": "1"}, {"submission": "x"}]
)
def test_it_answers_400_to_a_malformed_round_post(data, plan_round, clients):
    assert clients["liaison"].post(f"/plans/rounds/{plan_round.pk}/", data).status_code == 400


def test_it_answers_404_for_unknown_rounds_and_submissions(plan_round, clients):
    assert clients["officer"].get("/plans/rounds/999/").status_code == 404
    response = clients["officer"].post(
        f"/plans/rounds/{plan_round.pk}/", {"action": "accept", "submission": "999"}
    )
    assert response.status_code == 404


def test_it_shows_late_and_missing_submissions(decided, plan_round, clients):
    client = clients["officer"]
    client.cookies["django_language"] = "en"
    html = client.get(f"/plans/rounds/{plan_round.pk}/").content.decode()
    assert html.count("<strong>Missing</strong>") == 1  # ST
    assert html.count("<strong>Late</strong>") == 1  # SOC
    assert html.count("<strong>Not submitted by the deadline</strong>") == 1  # ST
    assert html.count("<td>Yes</td>") == 1  # PW


def test_it_leaves_a_period_another_worker_stored_first(decided, kpis, city, people):
    from django.db import IntegrityError

    # Both workers find no value yet; the other one's insert wins the unique revision.
    other = rounds.round_open(
        actor=people["officer"], year=2025, deadline=dt.date(2025, 1, 31), departments=[city["pw"]]
    )
    real = services.measurement_store_computed

    def racing(**kwargs):
        if kwargs["year"] == 2025:
            real(**kwargs)
            raise IntegrityError("duplicate key value violates unique constraint")
        return real(**kwargs)

    with mock.patch.object(services, "measurement_store_computed", side_effect=racing):
        assert compute_metrics(at(2026, 3, 1, 8)) == 1  # 2026 stored here, 2025 elsewhere
    assert Measurement.objects.filter(kpi=kpis["round"]).count() == 2
    assert other.year == 2025


def test_it_asks_offices_and_bureaus_and_finds_a_round_by_its_number(plan_round, clients):
    from guankao.core.errors import NotFound

    assert {d.code for d in selectors.round_departments()} == {"PW", "SOC", "ST"}
    assert selectors.round_get_by_pk(user=None, pk=plan_round.pk) == plan_round
    with pytest.raises(NotFound):
        selectors.round_get_by_pk(user=None, pk=plan_round.pk + 1)
    assert clients["officer"].get(f"/plans/rounds/{plan_round.pk + 1}/").status_code == 404
