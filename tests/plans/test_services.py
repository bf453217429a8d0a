"""Every write to plans, goals, KPIs, targets and measurements, over the personas."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from guankao.core.errors import NotAllowed, ServiceError
from guankao.core.models import Attachment, AuditEntry
from guankao.lib.targets import TargetError, parse_target
from guankao.plans import selectors, services
from guankao.plans import status as st
from guankao.plans.models import KPI, Goal, Measurement, Plan, Target
from tests.plans.conftest import counted_value, png_file

D = Decimal
EDITORS = ["officer", "liaison", "head", "admin"]
NOT_EDITORS = ["other_liaison", "executive", "worker", "unplaced"]


def audit_of(obj, action=None):
    rows = AuditEntry.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))
    return rows.filter(action=action) if action else rows


def field_of(exc_info) -> str:
    return exc_info.value.problems[0].field


# Plans, goals, KPIs, targets ----------------------------------------------------------------


@pytest.mark.parametrize("persona", EDITORS)
def test_it_lets_officers_and_the_departments_liaison_and_head_create_plans(persona, people, city):
    plan = services.plan_create(
        actor=people[persona],
        department=city["pw"],
        kind="midterm",
        title=" 中程計畫 ",
        first_year=2025,
        last_year=2028,
    )
    assert (plan.title, plan.status, plan.department) == ("中程計畫", "draft", city["pw"])
    entry = audit_of(plan, "create").get()
    assert entry.actor == people[persona]
    assert entry.department == city["pw"]
    assert entry.changes["title"] == [None, "中程計畫"]


@pytest.mark.parametrize("persona", NOT_EDITORS)
def test_it_refuses_plans_to_others(persona, people, city):
    with pytest.raises(NotAllowed):
        services.plan_create(
            actor=people[persona],
            department=city["pw"],
            kind="midterm",
            title="x",
            first_year=2025,
            last_year=2026,
        )
    assert not Plan.objects.exists()


@pytest.mark.parametrize(
    ("persona", "refusal"), [("liaison", NotAllowed), ("officer", ServiceError)]
)
def test_it_refuses_a_plan_without_a_department_instead_of_failing(persona, refusal, people):
    # Staff who belong to no department posted the plans page with their own (none): a 500.
    actor = people[persona]
    actor.department = None
    actor.save(update_fields=["department"])
    with pytest.raises(refusal):
        services.plan_create(
            actor=actor, department=None, kind="midterm", title="x", first_year=2025, last_year=2026
        )
    assert not Plan.objects.exists()


def test_it_lets_the_liaison_plan_for_a_sub_unit_but_not_another_department(people, city):
    liaison = people["liaison"]
    services.plan_create(
        actor=liaison,
        department=city["pw1"],
        kind="annual",
        title="養護科",
        first_year=2026,
        last_year=2026,
    )
    with pytest.raises(NotAllowed):
        services.plan_create(
            actor=liaison,
            department=city["soc"],
            kind="annual",
            title="社會處",
            first_year=2026,
            last_year=2026,
        )


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"kind": "weekly"}, "kind"),
        ({"first_year": "2025"}, "first_year"),
        ({"first_year": 1800}, "first_year"),
        ({"last_year": 2024}, "last_year"),
        ({"last_year": 2040}, "last_year"),
    ],
)
def test_it_refuses_bad_plans_naming_the_field(data, field, people, city):
    values = {"kind": "midterm", "title": "計畫", "first_year": 2025, "last_year": 2027, **data}
    with pytest.raises(ServiceError) as exc:
        services.plan_create(actor=people["officer"], department=city["pw"], **values)
    assert field_of(exc) == field
    assert not Plan.objects.exists()


@pytest.mark.parametrize("persona", EDITORS)
def test_it_lets_editors_update_a_plan(persona, plan, people):
    services.plan_update(actor=people[persona], plan=plan, title="新標題", key_projects="一、")
    plan.refresh_from_db()
    assert (plan.title, plan.key_projects) == ("新標題", "一、")
    assert audit_of(plan, "update").get().changes == {
        "key_projects": ["", "一、"],
        "title": ["工務處中程施政計畫(114至116年度)", "新標題"],
    }


@pytest.mark.parametrize("persona", NOT_EDITORS)
def test_it_refuses_plan_updates_to_others(persona, plan, people):
    with pytest.raises(NotAllowed):
        services.plan_update(actor=people[persona], plan=plan, title="新標題")
    plan.refresh_from_db()
    assert plan.title != "新標題"


def test_it_writes_no_audit_entry_for_an_update_that_changes_nothing(plan, people):
    services.plan_update(actor=people["liaison"], plan=plan, title=plan.title)
    assert not audit_of(plan, "update").exists()


def test_it_refuses_a_plan_update_to_a_field_it_cannot_change(plan, people):
    with pytest.raises(ServiceError) as exc:
        services.plan_update(actor=people["officer"], plan=plan, status="accepted")
    assert field_of(exc) == "status"
    plan.refresh_from_db()
    assert plan.status == "draft"


@pytest.mark.parametrize("persona", EDITORS)
def test_it_lets_editors_add_and_change_goals(persona, plan, people):
    goal = services.goal_create(actor=people[persona], plan=plan, number="一", title="目標")
    assert audit_of(goal, "create").exists()
    services.goal_update(actor=people[persona], goal=goal, title="新目標")
    goal.refresh_from_db()
    assert goal.title == "新目標"
    assert audit_of(goal, "update").get().changes == {"title": ["目標", "新目標"]}


@pytest.mark.parametrize("persona", NOT_EDITORS)
def test_it_refuses_goals_to_others(persona, plan, goals, people):
    with pytest.raises(NotAllowed):
        services.goal_create(actor=people[persona], plan=plan, number="四", title="目標")
    with pytest.raises(NotAllowed):
        services.goal_update(actor=people[persona], goal=goals["一"], title="改")
    assert Goal.objects.count() == 3


def test_it_refuses_a_goal_without_a_title(plan, people):
    with pytest.raises(ServiceError) as exc:
        services.goal_create(actor=people["liaison"], plan=plan, number="一", title=" ")
    assert field_of(exc) == "title"


KPI_DATA = {
    "name": "受訓人次",
    "measure": "人次",
    "direction": "higher",
    "accumulation": "sum",
    "frequency": "monthly",
    "path": "linear",
}


@pytest.mark.parametrize("persona", EDITORS)
def test_it_lets_editors_add_and_change_kpis(persona, goals, people):
    actor = people[persona]
    kpi = services.kpi_create(actor=actor, goal=goals["一"], **KPI_DATA)
    assert audit_of(kpi, "create").exists()
    services.kpi_update(actor=actor, kpi=kpi, on_track_from="0.95", at_risk_from="0.8")
    kpi.refresh_from_db()
    assert (kpi.on_track_from, kpi.at_risk_from) == (D("0.95"), D("0.80"))
    assert audit_of(kpi, "update").get().changes["on_track_from"] == ["0.90", "0.95"]


@pytest.mark.parametrize("persona", NOT_EDITORS)
def test_it_refuses_kpis_to_others(persona, goals, kpis, people):
    with pytest.raises(NotAllowed):
        services.kpi_create(actor=people[persona], goal=goals["一"], **KPI_DATA)
    with pytest.raises(NotAllowed):
        services.kpi_update(actor=people[persona], kpi=kpis["rate"], name="改")
    assert KPI.objects.count() == len(kpis)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"name": ""}, "name"),
        ({"direction": "up"}, "direction"),
        ({"accumulation": "avg"}, "accumulation"),
        ({"frequency": "weekly"}, "frequency"),
        ({"path": "curve"}, "path"),
        ({"metric_key": "nowhere.nothing"}, "metric_key"),
        ({"on_track_from": "abc"}, "on_track_from"),
        ({"on_track_from": "2"}, "on_track_from"),
        ({"on_track_from": "0.905"}, "on_track_from"),
        ({"on_track_from": "0.7"}, "at_risk_from"),  # below the default 0.75 at-risk
        ({"order": "first"}, "order"),
    ],
)
def test_it_refuses_bad_kpis_naming_the_field(data, field, goals, people):
    with pytest.raises(ServiceError) as exc:
        services.kpi_create(actor=people["officer"], goal=goals["一"], **{**KPI_DATA, **data})
    assert field_of(exc) == field
    assert not KPI.objects.exists()


@pytest.mark.parametrize("persona", ["officer", "admin"])
def test_it_lets_officers_change_targets_of_a_plan_in_force(persona, kpis, people):
    kpi = kpis["rate"]  # a mid-term plan 2025–2027: in force (tests/plans/test_targets.py)
    target = services.target_set(actor=people[persona], kpi=kpi, year=2027, text="≧85%")
    assert Target.objects.get(kpi=kpi, year=2027).text == "≧85%"
    assert audit_of(target, "update").get().changes == {"text": ["≧80%", "≧85%"]}


@pytest.mark.parametrize("persona", NOT_EDITORS)
def test_it_refuses_targets_to_others(persona, kpis, people):
    with pytest.raises(NotAllowed):
        services.target_set(actor=people[persona], kpi=kpis["rate"], year=2026, text="≧85%")
    assert Target.objects.get(kpi=kpis["rate"], year=2026).text == "≧80%"


@pytest.mark.parametrize("text", ["八成", "≧80%~90%", "80%~", "≧-1", "1e9", "≧80%人", ">=="])
def test_it_refuses_an_unreadable_target_with_the_parsers_message(text, kpis, people):
    kpi = kpis["rate"]
    with pytest.raises(TargetError) as parsed:
        parse_target(text, kpi.direction)
    with pytest.raises(ServiceError) as exc:
        services.target_set(actor=people["officer"], kpi=kpi, year=2026, text=text)
    assert (field_of(exc), exc.value.problems[0].message) == ("target", str(parsed.value))
    assert Target.objects.get(kpi=kpi, year=2026).text == "≧80%"


def test_it_refuses_targets_for_years_outside_the_plan(kpis, people):
    for year in (2024, 2028):
        with pytest.raises(ServiceError) as exc:
            services.target_set(actor=people["officer"], kpi=kpis["rate"], year=year, text="≧80%")
        assert field_of(exc) == "year"
    with pytest.raises(ServiceError):
        services.kpi_create(
            actor=people["officer"], goal=kpis["rate"].goal, targets={2030: "≧1"}, **KPI_DATA
        )
    assert not Target.objects.filter(year__in=(2024, 2028, 2030)).exists()


def test_it_stops_department_staff_editing_a_submitted_annual_plan(people, city):
    plan = services.plan_create(
        actor=people["liaison"],
        department=city["pw"],
        kind="annual",
        title="年度計畫",
        first_year=2026,
        last_year=2026,
    )
    Plan.objects.filter(pk=plan.pk).update(status="submitted")
    plan.refresh_from_db()
    for persona in ("liaison", "head"):
        with pytest.raises(NotAllowed):
            services.plan_update(actor=people[persona], plan=plan, title="改")
    services.plan_update(actor=people["officer"], plan=plan, title="改")


# Measurements ------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["liaison", "head"])
def test_it_lets_the_departments_liaison_and_head_record_values(persona, kpis, people):
    m = services.measurement_record(
        actor=people[persona], kpi=kpis["rate"], year=2026, period=1, value="85.5", note="說明"
    )
    assert (m.value, m.status, m.revision, m.latest, m.counted) == (
        D("85.5"),
        "submitted",
        1,
        True,
        False,
    )
    assert m.entered_by == people[persona]
    entry = audit_of(m, "create").get()
    assert entry.changes["value"] == [None, "85.5"]


@pytest.mark.parametrize(
    "persona", ["officer", "executive", "other_liaison", "worker", "admin", "unplaced"]
)
def test_it_refuses_values_from_anyone_else(persona, kpis, people):
    with pytest.raises(NotAllowed):
        services.measurement_record(
            actor=people[persona], kpi=kpis["rate"], year=2026, period=1, value="85"
        )
    assert not Measurement.objects.exists()


def test_it_counts_a_value_once_the_head_approves_it(kpis, people):
    m = services.measurement_record(
        actor=people["liaison"], kpi=kpis["rate"], year=2026, period=1, value="85"
    )
    assert counted_value(kpis["rate"], 2026, 1) is None
    services.measurement_approve(actor=people["head"], measurement_id=m.pk)
    m.refresh_from_db()
    assert (m.status, m.counted, m.decided_by) == ("approved", True, people["head"])
    assert counted_value(kpis["rate"], 2026, 1) == 85
    assert audit_of(m, "update").get().changes == {"status": ["submitted", "approved"]}


@pytest.mark.parametrize(
    "persona", ["liaison", "officer", "executive", "other_liaison", "worker", "unplaced"]
)
def test_it_lets_only_the_head_approve(persona, kpis, people):
    m = services.measurement_record(
        actor=people["liaison"], kpi=kpis["rate"], year=2026, period=1, value="85"
    )
    for decide in (
        lambda: services.measurement_approve(actor=people[persona], measurement_id=m.pk),
        lambda: services.measurement_return(actor=people[persona], measurement_id=m.pk, reason="x"),
    ):
        with pytest.raises(NotAllowed):
            decide()
    m.refresh_from_db()
    assert (m.status, m.counted) == ("submitted", False)


@pytest.mark.parametrize("persona", ["head", "admin"])
def test_it_refuses_self_approval(persona, kpis, people, city):
    actor = people[persona]
    if persona == "admin":  # an administrator who also reports for PW
        actor.department = city["pw"]
        actor.save()
        actor.role_assignments.create(role="liaison")
        actor._role_cache = None
    m = services.measurement_record(actor=actor, kpi=kpis["rate"], year=2026, period=1, value=85)
    with pytest.raises(NotAllowed):
        services.measurement_approve(actor=actor, measurement_id=m.pk)
    m.refresh_from_db()
    assert (m.status, m.counted) == ("submitted", False)


def test_it_returns_a_value_with_a_reason_and_the_reason_is_required(kpis, people):
    m = services.measurement_record(
        actor=people["liaison"], kpi=kpis["rate"], year=2026, period=1, value="85"
    )
    for reason in ("", "   ", None):
        with pytest.raises(ServiceError) as exc:
            services.measurement_return(actor=people["head"], measurement_id=m.pk, reason=reason)
        assert field_of(exc) == "reason"
    m.refresh_from_db()
    assert m.status == "submitted"
    services.measurement_return(actor=people["head"], measurement_id=m.pk, reason="請附佐證")
    m.refresh_from_db()
    assert (m.status, m.decision_note, m.counted) == ("returned", "請附佐證", False)
    assert audit_of(m, "update").get().note == "請附佐證"
    with pytest.raises(ServiceError):  # decided once
        services.measurement_approve(actor=people["head"], measurement_id=m.pk)


def test_it_keeps_counting_revision_1_until_the_correction_is_approved(kpis, people, approved):
    kpi = kpis["rate"]
    first = approved(kpi, 2026, 1, "70")

    def scorecard_actual():
        (row,) = selectors.scorecard(
            user=people["officer"], year=2026, kpi_ids=[kpi.pk], as_of=dt.date(2026, 1, 31)
        )
        return row.result.actual

    assert scorecard_actual() == 70
    second = services.measurement_record(
        actor=people["liaison"], kpi=kpi, year=2026, period=1, value="85", note="重新統計"
    )
    assert (second.revision, second.supersedes_id, second.latest) == (2, first.pk, True)
    first.refresh_from_db()
    assert (first.latest, first.counted, first.value) == (False, True, 70)
    assert scorecard_actual() == 70
    assert audit_of(second, "update").get().note == "correction, revision 2"

    services.measurement_approve(actor=people["head"], measurement_id=second.pk)
    assert scorecard_actual() == 85
    rows = Measurement.objects.filter(kpi=kpi, year=2026, period=1).order_by("revision")
    assert [(m.revision, m.value, m.latest, m.counted) for m in rows] == [
        (1, 70, False, False),
        (2, 85, True, True),
    ]
    assert rows[0].status == "approved"  # kept as it was, not overwritten


def test_it_keeps_the_approved_value_when_a_correction_is_returned(kpis, people, approved):
    kpi = kpis["rate"]
    approved(kpi, 2026, 1, "70")
    second = services.measurement_record(
        actor=people["liaison"], kpi=kpi, year=2026, period=1, value="85"
    )
    services.measurement_return(actor=people["head"], measurement_id=second.pk, reason="無佐證")
    assert counted_value(kpi, 2026, 1) == 70
    third = services.measurement_record(
        actor=people["liaison"], kpi=kpi, year=2026, period=1, value="86"
    )
    assert third.revision == 3
    assert Measurement.objects.filter(kpi=kpi).count() == 3


def test_it_only_decides_the_latest_revision(kpis, people):
    first = services.measurement_record(
        actor=people["liaison"], kpi=kpis["rate"], year=2026, period=1, value="70"
    )
    services.measurement_record(
        actor=people["liaison"], kpi=kpis["rate"], year=2026, period=1, value="75"
    )
    with pytest.raises(ServiceError) as exc:
        services.measurement_approve(actor=people["head"], measurement_id=first.pk)
    assert field_of(exc) == "status"


def test_it_records_a_rate_from_its_numerator_and_denominator(kpis, people):
    m = services.measurement_record(
        actor=people["liaison"],
        kpi=kpis["ratio"],
        year=2026,
        period=2,
        numerator="8",
        denominator="9",
    )
    assert (m.numerator, m.denominator, m.value) == (8, 9, D("88.8889"))


def test_it_takes_a_rate_over_100_only_where_the_kpi_allows_it(kpis, people):
    kpi = kpis["ratio"]
    with pytest.raises(ServiceError):
        services.measurement_record(
            actor=people["liaison"], kpi=kpi, year=2026, period=2, numerator="7", denominator="5"
        )
    services.kpi_update(actor=people["officer"], kpi=kpi, over_100=True)
    kpi.refresh_from_db()
    m = services.measurement_record(
        actor=people["liaison"], kpi=kpi, year=2026, period=2, numerator="7", denominator="5"
    )
    assert m.value == 140
    with pytest.raises(ServiceError) as exc:
        services.kpi_update(actor=people["officer"], kpi=kpi, over_100="yes")
    assert field_of(exc) == "over_100"


BAD_VALUES = [
    ("rate", {"value": "abc"}, "value"),
    ("rate", {"value": ""}, "value"),
    ("rate", {"value": None}, "value"),
    ("rate", {"value": float("nan")}, "value"),
    ("rate", {"value": "NaN"}, "value"),
    ("rate", {"value": "Infinity"}, "value"),
    ("rate", {"value": "1e20"}, "value"),
    ("rate", {"value": "1.23456"}, "value"),
    ("rate", {"value": "-4"}, "value"),  # a negative share: -4/5 was accepted
    ("rate", {"value": "140"}, "value"),  # 7/5 of a completion rate
    ("trainees", {"value": "-1"}, "value"),
    ("rate", {"value": "85", "period": 13}, "period"),
    ("rate", {"value": "85", "period": 0}, "period"),
    ("rate", {"value": "85", "period": "1"}, "period"),
    ("rate", {"value": "85", "year": 2024}, "year"),
    ("ratio", {"numerator": "1", "denominator": "1", "period": 5}, "period"),
    ("ratio", {"numerator": "1"}, "denominator"),
    ("ratio", {"numerator": "1", "denominator": ""}, "denominator"),
    ("ratio", {"numerator": "1", "denominator": "0"}, "denominator"),
    ("ratio", {"numerator": "1", "denominator": "-2"}, "denominator"),
    ("ratio", {"numerator": "x", "denominator": "2"}, "numerator"),
    ("ratio", {"numerator": "9999999999999", "denominator": "0.0001"}, "numerator"),
    ("ratio", {"numerator": "5", "denominator": "4"}, "numerator"),
    ("ratio", {"numerator": "-1", "denominator": "4"}, "numerator"),
    ("audits", {"value": "1", "period": 2}, "period"),
    ("rate", {"value": "85", "evidence_url": "javascript:alert(1)"}, "evidence_url"),
    ("rate", {"value": "85", "evidence_url": "JAVASCRIPT:alert(1)"}, "evidence_url"),
    ("rate", {"value": "85", "evidence_url": "data:text/html,<script>"}, "evidence_url"),
    ("rate", {"value": "85", "evidence_url": "https://"}, "evidence_url"),
    ("rate", {"value": "85", "note": "x" * 5001}, "note"),
    ("round", {"value": "100"}, "kpi"),
]


@pytest.mark.parametrize(
    ("key", "data", "field"),
    BAD_VALUES,
    ids=[f"{k}-{f}-{i}" for i, (k, _, f) in enumerate(BAD_VALUES)],
)
def test_it_refuses_bad_values_naming_the_field_and_changes_nothing(
    key, data, field, kpis, people, approved
):
    kpi = kpis[key]
    if key != "round":
        first = approved(
            kpi, 2026, 1, **({"numerator": 1, "denominator": 1} if key == "ratio" else {"value": 1})
        )
    audit_count = AuditEntry.objects.count()
    rows = list(Measurement.objects.values())
    values = {"year": 2026, "period": 1, **data}
    with pytest.raises(ServiceError) as exc:
        services.measurement_record(actor=people["liaison"], kpi=kpi, **values)
    assert field_of(exc) == field
    assert list(Measurement.objects.values()) == rows
    assert AuditEntry.objects.count() == audit_count
    if key != "round":
        first.refresh_from_db()
        assert (first.latest, first.counted) == (True, True)


def test_it_accepts_an_http_evidence_link(kpis, people):
    m = services.measurement_record(
        actor=people["liaison"],
        kpi=kpis["rate"],
        year=2026,
        period=1,
        value="85",
        evidence_url="https://example.gov.tw/查核報告.pdf",
    )
    assert m.evidence_url == "https://example.gov.tw/查核報告.pdf"


def test_it_stores_an_evidence_file_through_the_attachment_service(kpis, people):
    m = services.measurement_record(
        actor=people["liaison"],
        kpi=kpis["rate"],
        year=2026,
        period=1,
        value="85",
        evidence_file=png_file(),
    )
    attachment = Attachment.objects.get()
    assert (attachment.owner_type, attachment.owner_id) == ("plans.measurement", str(m.pk))
    assert (attachment.content_type, attachment.department_id) == (
        "image/png",
        kpis["rate"].goal.plan.department_id,
    )
    assert attachment.thumbnail
    (row,) = [h for h in selectors.measurement_history(user=people["head"], kpi=kpis["rate"])]
    assert row.files == [attachment]
    assert (
        selectors.measurement_history(user=people["other_liaison"], kpi=kpis["rate"])[0].files == []
    )


@pytest.mark.parametrize(
    "upload",
    [
        SimpleUploadedFile("evidence.png", b"MZ\x90\x00not a png", content_type="image/png"),
        SimpleUploadedFile("evidence.html", b"<html><script>x</script></html>"),
        SimpleUploadedFile("empty.pdf", b""),
    ],
)
def test_it_refuses_the_whole_entry_with_a_bad_evidence_file(upload, kpis, people):
    audit_count = AuditEntry.objects.count()
    with pytest.raises(ServiceError) as exc:
        services.measurement_record(
            actor=people["liaison"],
            kpi=kpis["rate"],
            year=2026,
            period=1,
            value="85",
            evidence_file=upload,
        )
    assert field_of(exc) == "file"
    assert not Measurement.objects.exists()
    assert not Attachment.objects.exists()
    assert AuditEntry.objects.count() == audit_count


def test_it_leaves_an_approved_value_counted_when_a_correction_fails(kpis, people, approved):
    first = approved(kpis["rate"], 2026, 1, "70")
    with pytest.raises(ServiceError):
        services.measurement_record(
            actor=people["liaison"],
            kpi=kpis["rate"],
            year=2026,
            period=1,
            value="85",
            evidence_file=SimpleUploadedFile("x.exe", b"MZ\x90\x00"),
        )
    first.refresh_from_db()
    assert (first.latest, first.counted) == (True, True)
    assert Measurement.objects.count() == 1


def test_it_audits_every_change_to_a_kpi_and_its_values(kpis, people, approved):
    kpi = kpis["trainees"]
    m = approved(kpi, 2026, 1, "300")
    correction = services.measurement_record(
        actor=people["liaison"], kpi=kpi, year=2026, period=1, value="310"
    )
    services.measurement_return(actor=people["head"], measurement_id=correction.pk, reason="x")
    actions = list(
        AuditEntry.objects.filter(object_type="plans.measurement")
        .order_by("id")
        .values_list("object_id", "action", "actor__username")
    )
    assert actions == [
        (str(m.pk), "create", "liaison"),
        (str(m.pk), "update", "head"),
        (str(correction.pk), "update", "liaison"),
        (str(correction.pk), "update", "head"),
    ]
    assert audit_of(kpi, "create").exists()
    assert all(audit_of(t, "create").exists() for t in kpi.targets.all())


def test_it_stores_a_computed_value_only_when_it_changes(kpis, people):
    kpi = kpis["round"]
    first = services.measurement_store_computed(
        kpi=kpi, year=2025, period=1, value=D("87.50"), numerator=D(7), denominator=D(8)
    )
    assert (first.source, first.status, first.counted, first.revision) == (
        "metric",
        "approved",
        True,
        1,
    )
    assert (
        services.measurement_store_computed(kpi=kpi, year=2025, period=1, value=D("87.5")) is None
    )
    second = services.measurement_store_computed(kpi=kpi, year=2025, period=1, value=D(100))
    first.refresh_from_db()
    assert (second.revision, first.counted, first.latest) == (2, False, False)
    assert audit_of(second, "update").get().actor is None
    (row,) = selectors.scorecard(user=people["officer"], year=2025, kpi_ids=[kpi.pk])
    assert (row.result.status, row.result.actual) == (st.MET, 100)


# The pages that call these services -------------------------------------------------------


def test_it_creates_a_plan_goal_and_kpi_through_the_pages(clients, people, city):
    client = clients["liaison"]
    assert client.get("/plans/").status_code == 200
    response = client.post(
        "/plans/",
        {"kind": "annual", "title": "工務處年度計畫", "first_year": "115", "last_year": "115"},
    )
    plan = Plan.objects.get()
    assert response.status_code == 302
    assert (plan.department, plan.first_year) == (city["pw"], 2026)
    response = client.post(f"/plans/{plan.pk}/", {"goal-number": "一", "goal-title": "提升品質"})
    assert response.status_code == 302
    goal = plan.goals.get()
    kpi_form = {
        "kpi-name": "查核完成率",
        "kpi-measure": "%",
        "kpi-direction": "higher",
        "kpi-accumulation": "last",
        "kpi-frequency": "monthly",
        "kpi-path": "flat",
        "kpi-metric_key": "",
    }
    response = client.post(f"/plans/goals/{goal.pk}/kpis/", kpi_form)
    kpi = goal.kpis.get()
    assert response.status_code == 302
    response = client.post(
        f"/plans/kpis/{kpi.pk}/", {"action": "target", "target-year": "115", "target-text": "≧90%"}
    )
    assert response.status_code == 302
    assert kpi.targets.get().text == "≧90%"
    html = client.get(f"/plans/{plan.pk}/").content.decode()
    assert "查核完成率" in html and "≧90%" in html


def test_it_refuses_plan_pages_to_others(plan, goals, clients):
    assert clients["other_liaison"].get(f"/plans/{plan.pk}/").status_code == 404
    goal_form = {"goal-number": "四", "goal-title": "x"}
    assert clients["executive"].get(f"/plans/{plan.pk}/").status_code == 200
    assert clients["executive"].post(f"/plans/{plan.pk}/", goal_form).status_code == 403
    kpi_form = {
        "kpi-name": "x",
        "kpi-measure": "x",
        "kpi-direction": "higher",
        "kpi-accumulation": "last",
        "kpi-frequency": "monthly",
        "kpi-path": "flat",
    }
    url = f"/plans/goals/{goals['一'].pk}/kpis/"
    assert clients["executive"].post(url, kpi_form).status_code == 403
    assert clients["other_liaison"].post(url, kpi_form).status_code == 404
    assert Goal.objects.count() == 3 and not KPI.objects.exists()


def test_it_shows_an_unreadable_target_on_the_kpi_page(kpis, clients):
    kpi = kpis["rate"]  # a plan in force: its targets are the officer's
    response = clients["officer"].post(
        f"/plans/kpis/{kpi.pk}/", {"action": "target", "target-year": "115", "target-text": "八成"}
    )
    assert response.status_code == 400
    assert "八成" in response.content.decode()
    assert Target.objects.get(kpi=kpi, year=2026).text == "≧80%"
