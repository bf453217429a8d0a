"""A change of an agency's level sets aside the year's duties the new level does not have,
adds the new level's, restores them on a change back, and KPI 五-3 follows."""

import datetime as dt

import pytest
from django.utils import timezone

from guankao.core.errors import NotAllowed, ServiceError
from guankao.core.models import AuditEntry
from guankao.plans import registry
from guankao.security import duties, duties_level, services
from guankao.security.models import Agency, DutyInstance

TODAY = dt.date(2026, 12, 3)
YEAR = registry.Period(2026, 1, 1)


@pytest.fixture
def office_b(sec_people, agencies, monkeypatch):
    """The office at level B with its 2026 duties open, one of them accepted on time."""
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: TODAY)
    office = agencies["office"]
    Agency.objects.filter(pk=office.pk).update(level="B")
    office.refresh_from_db()
    duties.duties_generate(actor=sec_people["ciso"], year=2026, agency=office)
    done = DutyInstance.objects.get(agency=office, duty__code="soc", seq=1)
    DutyInstance.objects.filter(pk=done.pk).update(state="accepted", accepted_on=done.due)
    return office


def _kpi(office):
    metric = registry.get("security.duties_on_time")
    rows = DutyInstance.objects.filter(agency=office, year=2026, due__lte=TODAY)
    return metric, rows


def test_b_to_c_and_back(sec_people, office_b):
    ciso, office = sec_people["ciso"], office_b
    mine = DutyInstance.objects.filter(agency=office, year=2026)
    b_open = set(mine.exclude(state="accepted").values_list("pk", flat=True))
    accepted = mine.get(state="accepted")
    metric, rows = _kpi(office)
    assert metric.compute(YEAR, None)[1:] == (1, rows.count())
    services.agency_set(actor=ciso, department=office.department, level="C")
    # A duty both levels have moves with its evidence; the others are set aside.
    carried = set(mine.filter(pk__in=b_open, duty__level="C").values_list("pk", flat=True))
    assert carried and set(mine.filter(set_aside=True).values_list("pk", flat=True)) == (
        b_open - carried
    )
    reason = mine.filter(set_aside=True).first().set_aside_reason
    assert "B" in reason and "C" in reason and "115/12/03" in reason
    accepted.refresh_from_db()
    assert accepted.state == "accepted" and not accepted.set_aside  # untouched
    c_rows = mine.filter(duty__level="C")
    assert c_rows.count() == len(duties.missing([office], 2026, level="C")) + c_rows.count()
    assert set(c_rows.filter(pk__in=carried).values_list("due", flat=True)) <= {
        dt.date(2026, 6, 30),
        dt.date(2026, 12, 31),
    }  # the new level's due dates
    added = c_rows.exclude(pk__in=carried)
    assert not added.exists()  # every duty of C is one of B's too
    # KPI 五-3: the set-aside ones count in neither the numerator nor the denominator.
    counted = rows.filter(set_aside=False).count()
    assert metric.compute(YEAR, None)[1:] == (1, counted)
    assert counted < rows.count()
    records = list(metric.records(YEAR, None))
    aside = [r for r in records if reason in r.label]
    assert len(aside) == rows.filter(set_aside=True).count() > 0
    entry = AuditEntry.objects.filter(object_type="security.dutyinstance").latest("pk")
    assert reason in entry.object_repr and entry.changes["added"][1] == added.count()
    assert sorted(entry.changes["carried"][1]) == sorted(carried)
    # ... and back to B: restored, not duplicated; the C duties set aside.
    before = mine.count()
    services.agency_set(actor=ciso, department=office.department, level="B")
    assert mine.count() == before
    assert not mine.filter(duty__level="B", set_aside=True).exists()
    assert set(mine.filter(set_aside=True).values_list("pk", flat=True)) == set(
        c_rows.values_list("pk", flat=True)
    )
    assert metric.compute(YEAR, None)[1:] == (1, rows.filter(duty__level="B").count())


def test_a_set_aside_duty_is_not_reported(sec_people, office_b):
    services.agency_set(actor=sec_people["ciso"], department=office_b.department, level="C")
    aside = DutyInstance.objects.filter(agency=office_b, set_aside=True).first()
    with pytest.raises(ServiceError) as refused:
        duties.duty_submit(actor=sec_people["other_security"], instance=aside, note="x")
    assert refused.value.problems[0].field == "state"


def test_only_the_ciso_changes_a_level(sec_people, office_b):
    for who in ("other_security", "security", "officer"):
        with pytest.raises(NotAllowed):
            services.agency_set(actor=sec_people[who], department=office_b.department, level="C")
    assert not DutyInstance.objects.filter(set_aside=True).exists()


def test_the_page_asks_before_and_refuses_others(sec_clients, office_b):
    data = {"department": "HR-E", "level": "C"}
    for who in ("other_security", "security", "officer"):
        assert sec_clients[who].post("/security/agencies/", data).status_code == 403
    bad = sec_clients["ciso"].post("/security/agencies/", {**data, "level": "Z", "confirm": "Z"})
    assert bad.status_code == 400 and 'name="level"' in bad.content.decode()
    asked = sec_clients["ciso"].post("/security/agencies/", data)
    assert asked.status_code == 200
    page = asked.content.decode()
    todo = duties_level.plan(office_b, "C")
    added, aside = len(todo.added), len(todo.set_aside)
    assert f"{added} " in page and f"{aside} " in page and 'name="confirm"' in page
    assert Agency.objects.get(pk=office_b.pk).level == "B"
    assert not DutyInstance.objects.filter(set_aside=True).exists()  # nothing changed yet
    done = sec_clients["ciso"].post("/security/agencies/", {**data, "confirm": "C"})
    assert done.status_code == 302 and Agency.objects.get(pk=office_b.pk).level == "C"
    assert DutyInstance.objects.filter(set_aside=True).count() == aside
    aside_one = DutyInstance.objects.filter(set_aside=True).first()
    detail = sec_clients["ciso"].get(f"/security/duties/{aside_one.pk}/").content.decode()
    assert aside_one.set_aside_reason in detail


def test_up_a_level_the_new_duties_are_due_within_a_year_and_shared_ones_carry_over(
    sec_people, agencies, monkeypatch
):
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: TODAY)
    office = agencies["office"]
    Agency.objects.filter(pk=office.pk).update(level="C")
    office.refresh_from_db()
    duties.duties_generate(actor=sec_people["ciso"], year=2026, agency=office)
    mine = DutyInstance.objects.filter(agency=office, year=2026)
    c_pks = set(mine.values_list("pk", flat=True))
    services.agency_set(actor=sec_people["ciso"], department=office.department, level="B")
    assert set(mine.filter(duty__level="B", pk__in=c_pks).values_list("pk", flat=True)) == c_pks
    assert not mine.filter(set_aside=True).exists()  # nothing of C is lost going up
    new = mine.exclude(pk__in=c_pks)
    assert new.exists() and set(new.values_list("due", flat=True)) == {dt.date(2027, 12, 3)}
