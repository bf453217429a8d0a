"""A SOC point taken out of service and back, its token renewed, its details changed (all
audited, only by its agency's security staff), and the heartbeat's rate limit."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from guankao.core.errors import ServiceError
from guankao.core.models import AuditEntry
from guankao.plans import registry
from guankao.security import jobs_secops, selectors_secops, soc
from guankao.security.models import SocPoint, SocPointDay

URL = "/api/v1/security/soc/heartbeat"


@pytest.fixture
def point(sec_people, agencies):
    made, token = soc.point_create(
        actor=sec_people["security"], agency=agencies["city"], name="核心機房", site="B1"
    )
    made.token = token
    return made


def _beat(client, token):
    return client.post(
        URL, {"events": 1}, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}"
    )


def test_a_point_out_of_service_no_longer_counts_nor_reports(
    sec_clients, sec_people, point, client
):
    assert _beat(client, point.token).status_code == 200
    metric = registry.get("security.soc_points")
    today = timezone.localdate()
    period = registry.Period(today.year, (today.month - 1) // 3 + 1, 4)
    assert metric.compute(period, None)[0] == Decimal(1)
    url = f"/security/soc/{point.pk}/"
    page = sec_clients["security"]
    no_reason = page.post(url, {"action": "service", "service-reason": ""})
    assert (
        no_reason.status_code == 400 and 'href="#id_service-reason"' in no_reason.content.decode()
    )
    assert SocPoint.objects.get(pk=point.pk).active
    assert page.post(url, {"action": "service", "service-reason": "機房搬遷"}).status_code == 302
    stored = SocPoint.objects.get(pk=point.pk)
    assert not stored.active and stored.deactivated_at
    entry = AuditEntry.objects.filter(object_type="security.socpoint", action="update").latest("at")
    assert entry.changes == {"active": [True, False]} and entry.note == "機房搬遷"
    assert metric.compute(period, None)[0] == Decimal(0)  # no longer counted from today
    assert list(metric.records(period, None)) == []
    assert _beat(client, point.token).status_code == 401  # its token no longer reports
    later = timezone.now() + dt.timedelta(days=3)
    assert selectors_secops.soc_points_silent(user=sec_people["ciso"], now=later) == []
    assert jobs_secops.silent_points(later) == 0  # never reported silent
    # back into service: it reports and counts again
    assert page.post(url, {"action": "service", "service-reason": "搬遷完成"}).status_code == 302
    assert SocPoint.objects.get(pk=point.pk).deactivated_at is None
    assert _beat(client, point.token).status_code == 200
    assert metric.compute(period, None)[0] == Decimal(1)


def test_a_new_token_is_shown_once_and_the_old_one_stops(sec_clients, point, client):
    assert _beat(client, point.token).status_code == 200
    renewed = sec_clients["security"].post(f"/security/soc/{point.pk}/token/")
    html = renewed.content.decode()
    assert renewed.status_code == 200 and "soc_" in html
    token = html.split("<code>")[1].split("</code>")[0]
    assert token != point.token and token.startswith("soc_")
    assert _beat(client, point.token).status_code == 401
    assert _beat(client, token).status_code == 200
    assert token not in sec_clients["security"].get(f"/security/soc/{point.pk}/").content.decode()
    assert AuditEntry.objects.filter(
        object_type="security.socpoint", action="security", note="new SOC point token"
    ).exists()


def test_another_agencys_officer_and_readers_are_refused(sec_clients, point):
    url = f"/security/soc/{point.pk}/"
    other = sec_clients["other_security"]
    assert other.get(url).status_code == 404
    assert other.post(url, {"action": "service", "service-reason": "x"}).status_code == 404
    assert other.post(f"/security/soc/{point.pk}/token/").status_code == 404
    officer = sec_clients["officer"]  # reads every agency's points, changes none
    assert officer.get(url).status_code == 200
    assert officer.post(url, {"action": "service", "service-reason": "x"}).status_code == 403
    assert officer.post(f"/security/soc/{point.pk}/token/").status_code == 403
    assert SocPoint.objects.get(pk=point.pk).active


def test_a_points_details_are_changed(sec_clients, sec_people, agencies, point):
    soc.point_create(
        actor=sec_people["security"], agency=agencies["city"], name="備援機房", site="3F"
    )
    url = f"/security/soc/{point.pk}/"
    client = sec_clients["security"]
    taken = client.post(url, {"action": "edit", "name": "備援機房", "site": "B1"})
    assert taken.status_code == 400 and 'href="#id_name"' in taken.content.decode()
    assert client.post(url, {"action": "edit", "name": "核心機房", "site": ""}).status_code == 400
    ok = client.post(
        url, {"action": "edit", "name": "核心機房", "site": "B2", "log_sources": "防火牆, AD"}
    )
    assert ok.status_code == 302
    assert SocPoint.objects.get(pk=point.pk).site == "B2"


def test_the_heartbeat_is_limited_per_point_and_minute(point, sec_people, agencies, client):
    start = timezone.now().replace(second=5, microsecond=0)
    for n in range(soc.PER_MINUTE):
        soc.heartbeat(point=point, now=start + dt.timedelta(milliseconds=n))
    with pytest.raises(soc.TooManyReports) as over:
        soc.heartbeat(point=point, events=5, now=start + dt.timedelta(seconds=10))
    assert over.value.retry_after == 45
    day = SocPointDay.objects.get(point=point)
    assert (day.beats, day.events) == (soc.PER_MINUTE, 0)  # the refused report counted nothing
    # the next minute starts a new count; another point has its own
    soc.heartbeat(point=point, now=start + dt.timedelta(minutes=1))
    other, _token = soc.point_create(
        actor=sec_people["ciso"], agency=agencies["office"], name="戶所", site="1F"
    )
    soc.heartbeat(point=other, now=start + dt.timedelta(seconds=10))
    assert SocPointDay.objects.get(point=point).beats == soc.PER_MINUTE + 1


def test_the_endpoint_answers_429_with_retry_after_past_the_limit(point, client):
    SocPoint.objects.filter(pk=point.pk).update(
        beat_minute=timezone.now().replace(second=0, microsecond=0), minute_beats=soc.PER_MINUTE
    )
    refused = _beat(client, point.token)
    if refused.status_code == 200:  # the minute turned between the two lines: once more
        SocPoint.objects.filter(pk=point.pk).update(
            beat_minute=timezone.now().replace(second=0, microsecond=0),
            minute_beats=soc.PER_MINUTE,
        )
        refused = _beat(client, point.token)
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 60
    problem = refused.json()["detail"][0]
    assert problem["type"] == soc.RATE_RULE and "60" in problem["message"]
    assert problem["field"] == "point"


def test_the_normal_heartbeat_costs_no_more_queries(point, client, django_assert_max_num_queries):
    assert _beat(client, point.token).status_code == 200  # the day's row is made
    # the point, the savepoint, the point's count (its UPDATE admits the report), the day's,
    # the release, the day read back: as many as before the limit
    with django_assert_max_num_queries(6):
        assert _beat(client, point.token).status_code == 200


def test_a_reason_is_needed_and_the_same_state_is_refused(sec_people, point):
    with pytest.raises(ServiceError) as refused:
        soc.point_set_active(actor=sec_people["security"], point=point, active=True, reason="x")
    assert refused.value.problems[0].field == "reason"
