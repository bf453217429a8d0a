import datetime as dt

import pytest
from django.utils import timezone

from guankao.core.errors import NotAllowed, ServiceError
from guankao.core.jobs import run_once
from guankao.core.models import AuditEntry, Notification
from guankao.plans import registry
from guankao.security import clock
from guankao.security import services_incidents as svc
from guankao.security.models import ClockRule, Escalation, Incident
from tests.security.incident_helpers import ago, incident


@pytest.mark.parametrize(
    ("kind", "c", "i", "a", "level"),
    [
        ("noncore", "minor", "none", "none", 1),
        ("noncore", "serious", "none", "none", 2),
        ("core", "none", "minor", "none", 2),
        ("core", "none", "none", "serious", 3),
        ("sensitive", "minor", "none", "none", 3),
        ("sensitive", "none", "serious", "none", 4),
        ("secret", "minor", "none", "none", 4),
        ("noncore", "none", "none", "none", 1),
        ("core", "minor", "serious", "minor", 3),  # the highest impact decides
    ],
)
def test_it_computes_the_level_from_the_regulations_table(db, kind, c, i, a, level):
    assert svc.level_for(kind, c, i, a) == level


def test_it_records_an_incident_with_its_clock(sec_people, agencies):
    officer = sec_people["security"]
    item = incident(officer, agencies["city"], aware=ago(minutes=30))
    assert item.level == item.computed_level == 1 and item.number.startswith("115-")
    assert AuditEntry.objects.filter(
        object_type="security.incident", object_id=str(item.pk)
    ).exists()
    due = clock.dues(item, ClockRule.current())
    assert due[clock.NOTIFY] == item.aware_at + dt.timedelta(hours=1)
    assert due[clock.RECOVER] == item.aware_at + dt.timedelta(hours=72)
    assert due[clock.REVIEW] is None and due[clock.REPORT] is None


def test_high_levels_run_the_short_clock(sec_people, agencies):
    item = incident(
        sec_people["security"], agencies["city"], info_kind="sensitive", integrity="serious"
    )
    item = svc.incident_notify(
        actor=sec_people["security"], incident=item, notified_at=ago(minutes=1), notice_ref="N-1"
    )
    due = clock.dues(item, ClockRule.current())
    assert item.level == 4
    assert due[clock.REVIEW] == item.notified_at + dt.timedelta(hours=2)
    assert due[clock.RECOVER] == item.aware_at + dt.timedelta(hours=36)


@pytest.mark.parametrize(
    ("over", "field"),
    [
        ({"aware_at": ago(hours=2), "occurred_at": ago(hours=1)}, "aware_at"),
        ({"aware_at": timezone.now() + dt.timedelta(days=1)}, "aware_at"),
        ({"info_kind": "unknown"}, "info_kind"),
        ({"confidentiality": "huge"}, "confidentiality"),
        ({"title": "bad\x00title"}, "title"),
    ],
)
def test_it_refuses_bad_incidents(sec_people, agencies, over, field):
    with pytest.raises(ServiceError) as refused:
        incident(sec_people["security"], agencies["city"], **over)
    assert refused.value.problems[0].field == field
    assert not Incident.objects.exists()


def test_it_refuses_a_notification_before_awareness_and_unknown_levels(sec_people, agencies):
    officer = sec_people["security"]
    item = incident(officer, agencies["city"])
    with pytest.raises(ServiceError) as refused:
        svc.incident_notify(actor=officer, incident=item, notified_at=ago(hours=5), notice_ref="X")
    assert refused.value.problems[0].field == "notified_at"
    for level in (0, 5, "2", 1):
        with pytest.raises(ServiceError) as refused:
            svc.incident_raise_level(actor=officer, incident=item, level=level, reason="x")
        assert refused.value.problems[0].field == "level"
    item.refresh_from_db()
    assert item.notified_at is None and item.level == 1 and item.round == 1


def test_raising_the_level_restarts_the_notification(sec_people, agencies):
    officer = sec_people["security"]
    item = incident(officer, agencies["city"], aware=ago(minutes=50))
    svc.incident_notify(actor=officer, incident=item, notified_at=ago(minutes=40), notice_ref="A")
    item = svc.incident_raise_level(actor=officer, incident=item, level=3, reason="發現個資外洩")
    assert (item.level, item.computed_level, item.round) == (3, 1, 2)
    assert item.notified_at is None and item.notice_ref == ""
    assert clock.dues(item, ClockRule.current())[clock.NOTIFY] > timezone.now()
    with pytest.raises(ServiceError):  # never lowered
        svc.incident_raise_level(actor=officer, incident=item, level=2, reason="x")


def test_only_the_agencys_officers_change_it(sec_people, agencies):
    item = incident(sec_people["security"], agencies["city"])
    with pytest.raises(NotAllowed):
        incident(sec_people["other_security"], agencies["city"])
    with pytest.raises(NotAllowed):
        svc.incident_recover(
            actor=sec_people["officer"], incident=item, recovered_at=ago(minutes=1)
        )
    svc.incident_recover(actor=sec_people["ciso"], incident=item, recovered_at=ago(minutes=1))


def test_the_report_makes_follow_ups(sec_people, agencies):
    officer = sec_people["security"]
    item = incident(officer, agencies["city"], aware=ago(hours=5))
    with pytest.raises(ServiceError):
        svc.incident_report(
            actor=officer,
            incident=item,
            reported_at=ago(minutes=1),
            scope="a",
            control="b",
            cause="c",
        )
    svc.incident_recover(actor=officer, incident=item, recovered_at=ago(hours=2))
    measures = [{"measure": "更新 CMS", "owner": "資訊科", "due_date": dt.date(2027, 1, 31)}]
    item = svc.incident_report(
        actor=officer,
        incident=item,
        reported_at=ago(hours=1),
        scope="首頁",
        control="還原",
        cause="外掛漏洞",
        measures=measures,
    )
    assert item.status == Incident.Status.CLOSED
    follow = item.follow_ups.get()
    svc.followup_done(actor=officer, follow_up=follow, note="已更新")
    follow.refresh_from_db()
    assert follow.done_at is not None


def test_the_worker_escalates_each_late_step_once(sec_people, agencies):
    officer = sec_people["security"]
    item = incident(officer, agencies["city"], aware=ago(hours=3))
    now = timezone.now()
    assert run_once(now, ["security.incident_clock"]) == {"security.incident_clock": 1}
    assert run_once(now, ["security.incident_clock"]) == {"security.incident_clock": 0}
    esc = Escalation.objects.get()
    assert (esc.incident_id, esc.step, esc.round) == (item.pk, "notify", 1)
    notes = Notification.objects.filter(recipient=sec_people["ciso"])
    assert notes.count() == 1 and item.number in notes.get().subject
    # a raised level starts a new round, which may be escalated again once
    svc.incident_raise_level(actor=officer, incident=item, level=2, reason="影響擴大")
    later = now + dt.timedelta(hours=2)
    assert run_once(later, ["security.incident_clock"])["security.incident_clock"] == 1
    assert run_once(later, ["security.incident_clock"])["security.incident_clock"] == 0


def test_the_metric_counts_the_years_incidents(sec_people, agencies):
    officer = sec_people["security"]
    incident(officer, agencies["city"])
    incident(officer, agencies["office"] if False else agencies["city"], aware=ago(minutes=10))
    metric = registry.get("security.incidents")
    year = timezone.localdate().year
    assert metric.compute(registry.Period(year, 1, 1), None)[0] == 2
    assert metric.compute(registry.Period(year - 1, 1, 1), None)[0] == 0
    assert len(list(metric.records(registry.Period(year, 1, 1), None))) == 2


def test_the_clock_rule_is_the_administrators(sec_people):
    with pytest.raises(NotAllowed):
        svc.clock_rule_update(actor=sec_people["ciso"], notify_hours=2)
    with pytest.raises(ServiceError):
        svc.clock_rule_update(actor=sec_people["admin"], notify_hours=0)
    assert svc.clock_rule_update(actor=sec_people["admin"], notify_hours=2).notify_hours == 2


def test_the_administrator_edits_the_level_table_through_the_page(sec_clients, sec_people):
    from guankao.security.models import ImpactRule

    row = ImpactRule.objects.get(dimension="c", kind="noncore", impact="minor")
    assert sec_clients["ciso"].post("/security/rules/", {"action": "table"}).status_code == 403
    bad = sec_clients["admin"].post("/security/rules/", {"action": "table", f"level-{row.pk}": "7"})
    assert bad.status_code == 400
    row.refresh_from_db()
    assert row.level == 1
    done = sec_clients["admin"].post(
        "/security/rules/", {"action": "table", f"level-{row.pk}": "2"}
    )
    assert done.status_code == 302
    assert svc.level_for("noncore", "minor", "none", "none") == 2
    clock_bad = sec_clients["admin"].post("/security/rules/", {"notify_hours": "0"})
    assert clock_bad.status_code == 400 and ClockRule.current().notify_hours == 1


def test_the_home_page_lists_running_clocks_and_follow_ups(sec_people, agencies, sec_clients):
    from guankao.core import todo

    officer = sec_people["security"]
    item = incident(officer, agencies["city"], aware=ago(hours=5))
    svc.incident_recover(actor=officer, incident=item, recovered_at=ago(hours=4))
    past = timezone.localdate() - dt.timedelta(days=1)
    measures = [{"measure": "修補", "owner": "資訊科", "due_date": past}]
    svc.incident_report(
        actor=officer,
        incident=item,
        reported_at=ago(hours=3),
        scope="a",
        control="b",
        cause="c",
        measures=measures,
    )
    incident(officer, agencies["city"])
    groups = {g["kind"]: g["total"] for g in todo.tasks_for(officer, timezone.localdate())}
    assert groups == {todo.DUE: 1, todo.OVERDUE: 1}
    assert todo.tasks_for(sec_people["other_security"], timezone.localdate()) == []
    assert sec_clients["security"].get("/").status_code == 200
