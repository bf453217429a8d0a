"""Targets: drafted by the plan's editors; once the plan is in force only the officer sets
them; a closed year's targets are frozen for everyone."""

import json

import pytest
from django.utils import timezone

from guankao.core.errors import NotAllowed, ServiceError
from guankao.plans import services
from guankao.plans.models import Target

THIS_YEAR = timezone.localdate().year


def _put(client, kpi, year, text):
    return client.put(
        f"/api/v1/kpis/{kpi.pk}/targets/{year}",
        json.dumps({"text": text}),
        content_type="application/json",
    )


def _kpi(people, city, first_year, last_year, targets=None):
    plan = services.plan_create(
        actor=people["liaison"],
        department=city["pw"],
        kind="midterm",
        title="工務處中程計畫",
        first_year=first_year,
        last_year=last_year,
    )
    goal = services.goal_create(actor=people["liaison"], plan=plan, number="一", title="品質")
    kpi = services.kpi_create(
        actor=people["liaison"], goal=goal, name="工安事故次數", measure="次/年", direction="lower"
    )
    for year, text in (targets or {}).items():
        services.target_set(actor=people["officer"], kpi=kpi, year=year, text=text)
    return kpi


@pytest.fixture
def in_force(people, city):
    """A mid-term plan that began last year, its targets set by the officer."""
    years = (THIS_YEAR - 1, THIS_YEAR, THIS_YEAR + 1)
    return _kpi(people, city, years[0], years[-1], dict.fromkeys(years, "≦3"))


def _text(kpi, year):
    return Target.objects.get(kpi=kpi, year=year).text


@pytest.mark.parametrize("persona", ["liaison", "head", "officer", "admin"])
def test_it_freezes_a_closed_years_target(persona, in_force, people, clients):
    # The probe: a liaison rewrote a past year's target and "not met" became "met".
    r = _put(clients[persona], in_force, THIS_YEAR - 1, "≦100")
    assert r.status_code == 400
    assert r.json()["detail"][0]["field"] == "year"
    with pytest.raises(ServiceError):
        services.target_set(actor=people[persona], kpi=in_force, year=THIS_YEAR - 1, text="≦9")
    assert _text(in_force, THIS_YEAR - 1) == "≦3"


@pytest.mark.parametrize("persona", ["liaison", "head"])
def test_it_leaves_a_plan_in_forces_targets_to_the_officer(persona, in_force, people, clients):
    for year in (THIS_YEAR, THIS_YEAR + 1):
        assert _put(clients[persona], in_force, year, "≦100").status_code == 403
        with pytest.raises(NotAllowed):
            services.target_set(actor=people[persona], kpi=in_force, year=year, text="≦9")
        assert _text(in_force, year) == "≦3"
    # The KPI page says so and changes nothing.
    r = clients[persona].post(
        f"/plans/kpis/{in_force.pk}/",
        {"action": "target", "target-year": THIS_YEAR, "target-text": "≦100"},
    )
    assert "管考" in r.content.decode() or "officer" in r.content.decode()
    assert _text(in_force, THIS_YEAR) == "≦3"


@pytest.mark.parametrize("persona", ["officer", "admin"])
def test_it_lets_the_officer_change_a_plan_in_forces_targets(persona, in_force, clients):
    r = _put(clients[persona], in_force, THIS_YEAR, "≦2")
    assert r.status_code == 200, r.content
    assert _text(in_force, THIS_YEAR) == "≦2"


def test_it_lets_only_the_officer_add_a_missing_target_of_a_closed_year(people, city, clients):
    kpi = _kpi(people, city, THIS_YEAR - 2, THIS_YEAR - 1)
    assert _put(clients["liaison"], kpi, THIS_YEAR - 2, "≦3").status_code == 403
    assert not Target.objects.filter(kpi=kpi).exists()
    assert _put(clients["officer"], kpi, THIS_YEAR - 2, "≦3").status_code == 200
    assert _text(kpi, THIS_YEAR - 2) == "≦3"


@pytest.mark.parametrize("persona", ["liaison", "head"])
def test_it_lets_the_department_draft_a_plan_not_yet_in_force(persona, people, city, clients):
    kpi = _kpi(people, city, THIS_YEAR + 1, THIS_YEAR + 3)
    assert _put(clients[persona], kpi, THIS_YEAR + 1, "≦3").status_code == 200
    assert _put(clients[persona], kpi, THIS_YEAR + 1, "≦2").status_code == 200
    assert _text(kpi, THIS_YEAR + 1) == "≦2"


def test_it_offers_the_target_form_only_to_those_who_may_use_it(in_force, people, city, clients):
    url = f"/plans/kpis/{in_force.pk}/"
    assert 'value="target"' not in clients["liaison"].get(url).content.decode()
    assert 'value="target"' in clients["officer"].get(url).content.decode()
    draft = _kpi(people, city, THIS_YEAR + 1, THIS_YEAR + 2)
    assert 'value="target"' in clients["liaison"].get(f"/plans/kpis/{draft.pk}/").content.decode()
