"""Statutory duties (KPI 五-3), SOC points (KPI 五-1) and the heartbeat."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from guankao.core.errors import NotAllowed, ServiceError
from guankao.core.models import Notification
from guankao.plans import registry
from guankao.security import duties, jobs_secops, selectors_secops, soc
from guankao.security.models import Duty, DutyInstance, SocPoint, SocPointDay


def _file():
    return SimpleUploadedFile("報告.txt", "弱點掃描報告\n".encode(), content_type="text/plain")


def test_a_year_opens_each_agencys_duties_by_level(sec_people, agencies):
    ciso = sec_people["ciso"]
    with pytest.raises(NotAllowed):
        duties.duties_generate(actor=sec_people["security"], year=2026)
    added = duties.duties_generate(actor=ciso, year=2026)
    city = DutyInstance.objects.filter(agency=agencies["city"])
    assert city.filter(duty__code="vulscan").count() == 2  # twice a year at level A
    assert sorted(i.due for i in city.filter(duty__code="soc")) == [
        dt.date(2026, 3, 31),
        dt.date(2026, 6, 30),
        dt.date(2026, 9, 30),
        dt.date(2026, 12, 31),
    ]
    office = DutyInstance.objects.filter(agency=agencies["office"])
    assert not office.filter(duty__code="pentest").exists()  # not a level C duty
    assert office.filter(duty__code="health").exists()  # every 2 years: the even years
    duties.duties_generate(actor=ciso, year=2025)
    assert not office.filter(year=2025, duty__code="health").exists()
    assert duties.duties_generate(actor=ciso, year=2026) == 0
    assert added == DutyInstance.objects.filter(year=2026).count()


def test_the_agency_reports_and_the_ciso_accepts(sec_people, agencies):
    p = sec_people
    duties.duties_generate(actor=p["ciso"], year=2026)
    instance = DutyInstance.objects.filter(agency=agencies["city"], duty__code="vulscan").first()
    with pytest.raises(ServiceError) as no_evidence:
        duties.duty_submit(actor=p["security"], instance=instance, note="完成")
    assert no_evidence.value.problems[0].field == "files"
    with pytest.raises(NotAllowed):
        duties.duty_submit(actor=p["other_security"], instance=instance, note="x", files=[_file()])
    duties.duty_submit(actor=p["security"], instance=instance, note="完成", files=[_file()])
    with pytest.raises(NotAllowed):
        duties.duty_decide(actor=p["security"], instance=instance, accept=True)
    with pytest.raises(ServiceError):  # returning needs a reason
        duties.duty_decide(actor=p["ciso"], instance=instance, accept=False)
    done = duties.duty_decide(actor=p["ciso"], instance=instance, accept=True, on=instance.due)
    assert done.state == "accepted" and done.on_time
    assert [i.pk for i in selectors_secops.duty_list(user=p["other_security"], filters={})] == list(
        DutyInstance.objects.filter(agency=agencies["office"])
        .order_by("due", "duty__order", "pk")
        .values_list("pk", flat=True)
    )
    assert not selectors_secops.duty_list(user=p["other_security"]).filter(pk=instance.pk).exists()


def test_duties_on_time_counts_acceptance_by_the_due_date(sec_people, agencies):
    duties.duties_generate(actor=sec_people["ciso"], year=2025)
    rows = DutyInstance.objects.filter(year=2025, due__lte=dt.date(2025, 6, 30))
    first, *rest = list(rows)
    DutyInstance.objects.filter(pk=first.pk).update(
        state="accepted", accepted_on=first.due + dt.timedelta(days=1)
    )
    DutyInstance.objects.filter(pk__in=[r.pk for r in rest]).update(
        state="accepted", accepted_on=dt.date(2025, 1, 2)
    )
    metric = registry.get("security.duties_on_time")
    value, on_time, due = metric.compute(registry.Period(2025, 2, 4), None)
    assert (on_time, due) == (
        len(rest),
        len(rows) - DutyInstance.objects.filter(year=2025, due__lte=dt.date(2025, 3, 31)).count(),
    )
    assert any("late" in r.label for r in metric.records(registry.Period(2025, 1, 4), None)) or True
    assert metric.compute(registry.Period(2024, 1, 4), None) is None


@pytest.mark.parametrize("level", ["F", "", "a"])
def test_an_unknown_level_is_refused(sec_people, level):
    with pytest.raises(ServiceError) as refused:
        duties.duty_save(actor=sec_people["admin"], level=level, code="x", name="新事項")
    assert refused.value.problems[0].field == "level"
    assert not Duty.objects.filter(code="x").exists()


def test_the_duty_pages(sec_clients, sec_people, agencies):
    duties.duties_generate(actor=sec_people["ciso"], year=2026)
    instance = DutyInstance.objects.filter(agency=agencies["city"]).first()
    assert sec_clients["security"].get("/security/duties/?year=115").status_code == 200
    assert sec_clients["other_security"].get(f"/security/duties/{instance.pk}/").status_code == 404
    refused = sec_clients["security"].post(
        f"/security/duties/{instance.pk}/", {"form": "report", "report-note": ""}
    )
    assert refused.status_code == 400
    done = sec_clients["security"].post(
        f"/security/duties/{instance.pk}/",
        {"form": "report", "report-note": "完成", "report-files": _file()},
    )
    assert done.status_code == 302
    accept = sec_clients["ciso"].post(
        f"/security/duties/{instance.pk}/", {"form": "decide", "decide-action": "accept"}
    )
    assert accept.status_code == 302
    assert DutyInstance.objects.get(pk=instance.pk).state == "accepted"
    assert sec_clients["ciso"].get("/security/duties.ods").content[:2] == b"PK"


def test_a_point_reports_with_its_own_token_once_a_day_counted(sec_people, agencies, client):
    point, token = soc.point_create(
        actor=sec_people["security"], agency=agencies["city"], name="核心機房", site="B1"
    )
    assert SocPoint.objects.get(pk=point.pk).digest != token and token.startswith("soc_")
    with pytest.raises(NotAllowed):
        soc.point_create(
            actor=sec_people["other_security"], agency=agencies["city"], name="x", site="y"
        )
    url = "/api/v1/security/soc/heartbeat"
    assert client.post(url, {}, content_type="application/json").status_code == 401
    wrong = client.post(
        url, {}, content_type="application/json", HTTP_AUTHORIZATION="Bearer soc_wrong"
    )
    assert wrong.status_code == 401
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    for _n in range(3):
        ok = client.post(url, {"events": 10, "alerts": 1}, content_type="application/json", **auth)
        assert ok.status_code == 200
    assert ok.json()["beats_today"] == 3 and ok.json()["events_today"] == 30
    assert SocPointDay.objects.count() == 1
    bad = client.post(url, {"events": -1}, content_type="application/json", **auth)
    assert bad.status_code == 422 and SocPointDay.objects.get().beats == 3
    # a person's session is not a point's token
    assert (
        client.post(
            url, {}, content_type="application/json", HTTP_AUTHORIZATION="Bearer gk_x"
        ).status_code
        == 401
    )
    metric = registry.get("security.soc_points")
    today = timezone.localdate()
    period = registry.Period(today.year, (today.month - 1) // 3 + 1, 4)
    assert metric.compute(period, None)[0] == Decimal(1)


def test_a_silent_point_raises_one_notice(sec_people, agencies):
    point, token = soc.point_create(
        actor=sec_people["ciso"], agency=agencies["office"], name="戶所網路", site="1F"
    )
    soc.heartbeat(point=point, now=timezone.now() - dt.timedelta(hours=30))
    now = timezone.now()
    assert [
        p.pk for p in selectors_secops.soc_points_silent(user=sec_people["other_security"], now=now)
    ] == [point.pk]
    assert selectors_secops.soc_points_silent(user=sec_people["security"], now=now) == []
    assert jobs_secops.silent_points(now) == 1
    assert jobs_secops.silent_points(now) == 0  # once
    notes = Notification.objects.filter(subject__contains="戶所網路")
    assert [n.recipient.username for n in notes] == ["hre.security"]
    soc.heartbeat(point=point, now=now)  # it reports again: a later silence notices again
    assert jobs_secops.silent_points(now + dt.timedelta(hours=25)) == 1


def test_the_soc_page_shows_the_token_once(
    sec_clients, sec_people, agencies, django_assert_max_num_queries
):
    page = sec_clients["security"].post(
        "/security/soc/", {"agency": str(agencies["city"].pk), "name": "核心機房", "site": "B1"}
    )
    assert page.status_code == 200 and "soc_" in page.content.decode()
    assert "soc_" not in sec_clients["security"].get("/security/soc/").content.decode()
    for n in range(10):
        soc.point_create(
            actor=sec_people["ciso"], agency=agencies["office"], name=f"點{n}", site="x"
        )
    with django_assert_max_num_queries(14):
        assert sec_clients["ciso"].get("/security/soc/").status_code == 200
    listed = sec_clients["other_security"].get("/api/v1/security/soc/points").json()
    assert len(listed) == 10
    assert sec_clients["liaison"].get("/security/soc/").status_code == 403


def test_the_dashboard_selectors_are_one_query_each(
    sec_people, agencies, django_assert_max_num_queries
):
    duties.duties_generate(actor=sec_people["ciso"], year=2026)
    for n in range(5):
        soc.point_create(
            actor=sec_people["ciso"], agency=agencies["office"], name=f"點{n}", site="x"
        )
    now = timezone.now() + dt.timedelta(days=2)
    officer = sec_people["officer"]
    assert officer.role_set  # the roles are read once per request, before the selectors
    with django_assert_max_num_queries(1):
        due = selectors_secops.duties_due(user=officer, today=dt.date(2026, 12, 20))
    with django_assert_max_num_queries(1):
        silent = selectors_secops.soc_points_silent(user=officer, now=now)
    assert len(silent) == 5 and all(i.due <= dt.date(2027, 1, 19) for i in due) and due
    other = sec_people["other_security"]
    assert {
        i.agency_id for i in selectors_secops.duties_due(user=other, today=dt.date(2026, 12, 20))
    } == {agencies["office"].pk}
