import datetime as dt
import io

import odfdo
import pytest
from django.utils import timezone

from guankao.security import services_registers as regs
from guankao.security.models import Audit, Incident, Outage
from tests.security.incident_helpers import ago, audit, incident, service


def _local(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def _form(agency, **over):
    aware = ago(minutes=30)
    data = {
        "agency": agency.pk,
        "title": "勒索軟體",
        "occurred_at": _local(aware - dt.timedelta(hours=1)),
        "aware_at": _local(aware),
        "system": "檔案伺服器",
        "info_kind": "core",
        "confidentiality": "none",
        "integrity": "none",
        "availability": "minor",
        "description": "檔案遭加密",
    }
    return data | over


def test_an_officer_records_an_incident_through_the_page(sec_clients, agencies):
    client = sec_clients["security"]
    done = client.post("/security/incidents/new/", _form(agencies["city"]))
    assert done.status_code == 302
    item = Incident.objects.get()
    assert item.level == 2
    page = client.get(f"/security/incidents/{item.pk}/").content.decode()
    assert item.number in page and "wall-clock" in page or "非上班時間" in page


@pytest.mark.parametrize(
    "over",
    [
        {"aware_at": _local(ago(hours=3)), "occurred_at": _local(ago(hours=1))},
        {"aware_at": "2026-13-45T99:00"},
        {"info_kind": "unknown"},
    ],
)
def test_a_bad_incident_is_refused_and_nothing_changes(sec_clients, agencies, over):
    refused = sec_clients["security"].post(
        "/security/incidents/new/", _form(agencies["city"], **over)
    )
    assert refused.status_code == 400
    assert not Incident.objects.exists()


def test_a_bad_step_is_refused_with_a_400(sec_clients, sec_people, agencies):
    item = incident(sec_people["security"], agencies["city"])
    url = f"/security/incidents/{item.pk}/"
    client = sec_clients["security"]
    early = {
        "action": "notify",
        "notify-notified_at": _local(ago(days=1)),
        "notify-notice_ref": "N",
    }
    assert client.post(url, early).status_code == 400
    raised = {"action": "raise", "raise-level": "9", "raise-reason": "x"}
    assert client.post(url, raised).status_code == 400
    item.refresh_from_db()
    assert item.notified_at is None and item.level == 1
    ok = {
        "action": "notify",
        "notify-notified_at": _local(ago(minutes=1)),
        "notify-notice_ref": "N-9",
    }
    assert client.post(url, ok).status_code == 302
    item.refresh_from_db()
    assert item.notice_ref == "N-9"


def test_another_agencys_officer_sees_none_of_it(sec_clients, sec_people, agencies):
    item = incident(sec_people["security"], agencies["city"])
    other = sec_clients["other_security"]
    assert other.get(f"/security/incidents/{item.pk}/").status_code == 404
    assert other.post(f"/security/incidents/{item.pk}/", {"action": "recover"}).status_code == 404
    assert item.number not in other.get("/security/").content.decode()
    assert other.get(f"/api/v1/security/incidents/{item.pk}").status_code == 404
    assert other.get("/api/v1/security/incidents").json()["count"] == 0
    own = incident(sec_people["other_security"], agencies["office"])
    listed = sec_clients["security"].get("/api/v1/security/incidents").json()
    assert [row["number"] for row in listed["items"]] == [item.number]
    assert sec_clients["ciso"].get("/api/v1/security/incidents").json()["count"] == 2
    assert sec_clients["security"].get(f"/api/v1/security/incidents/{own.pk}").status_code == 404
    assert sec_clients["liaison"].get("/security/").status_code == 403


def test_the_api_creates_and_refuses(sec_clients, agencies):
    client = sec_clients["security"]
    body = {
        "agency": "CYC",
        "title": "DDoS",
        "occurred_at": ago(hours=1).isoformat(),
        "aware_at": ago(minutes=50).isoformat(),
        "system": "全球資訊網",
        "info_kind": "core",
        "availability": "serious",
        "description": "流量攻擊",
    }
    made = client.post("/api/v1/security/incidents", body, content_type="application/json")
    assert made.status_code == 201, made.content
    assert made.json()["level"] == 3
    assert [s["step"] for s in made.json()["clock"]] == ["notify", "review", "recover", "report"]
    bad = body | {"aware_at": ago(hours=2).isoformat()}
    refused = client.post("/api/v1/security/incidents", bad, content_type="application/json")
    assert refused.status_code == 400 and "aware_at" in refused.content.decode()
    other = body | {"agency": "HR-E"}
    assert (
        client.post(
            "/api/v1/security/incidents", other, content_type="application/json"
        ).status_code
        == 403
    )
    assert Incident.objects.count() == 1


@pytest.mark.parametrize("count", [1, 6])
def test_the_dashboard_reads_in_a_fixed_number_of_queries(
    sec_clients, sec_people, agencies, django_assert_max_num_queries, count
):
    officer = sec_people["ciso"]
    for n in range(count):
        item = incident(officer, agencies["city" if n % 2 else "office"], aware=ago(hours=n + 1))
        regs.outage_create(
            actor=officer,
            agency=item.agency,
            started_at=ago(minutes=5),
            planned=False,
            cause="斷電",
            services=[service(officer, item.agency, name=f"服務{n}")],
        )
        a = audit(officer, item.agency)
        regs.finding_add(
            actor=officer,
            audit_item=a,
            text="弱密碼",
            severity="high",
            action="改",
            owner="資訊科",
            due_date=dt.date(2026, 1, 1),
        )
    client = sec_clients["ciso"]
    # 16 for the incidents, follow-ups, findings and outages; 6 for the training, duties
    # and SOC panels
    with django_assert_max_num_queries(22):
        page = client.get("/security/?severity=high&planned=no")
    html = page.content.decode()
    assert page.status_code == 200 and html.count("弱密碼") == count
    for panel in ("h-training", "h-duties", "h-soc"):
        assert f'id="{panel}"' in html


def test_audits_and_outages_pages(sec_clients, sec_people, agencies):
    client = sec_clients["security"]
    day = timezone.localdate()
    made = client.post(
        "/security/audits/",
        {
            "agency": agencies["city"].pk,
            "kind": "internal",
            "title": "年度稽核",
            "scope": "全府",
            "auditors": "稽核小組",
            "start_date": day.isoformat(),
            "end_date": day.isoformat(),
        },
    )
    assert made.status_code == 302
    item = Audit.objects.get()
    bad = client.post(
        "/security/audits/",
        {
            "agency": agencies["city"].pk,
            "kind": "internal",
            "title": "x",
            "scope": "y",
            "auditors": "z",
            "start_date": day.isoformat(),
            "end_date": (day - dt.timedelta(days=1)).isoformat(),
        },
    )
    assert bad.status_code == 400 and Audit.objects.count() == 1
    url = f"/security/audits/{item.pk}/"
    assert client.post(url, {"action": "complete"}).status_code == 302
    assert sec_clients["other_security"].get(url).status_code == 404
    svc_item = service(sec_people["security"], agencies["city"])
    start = ago(hours=2)
    bad_outage = {
        "action": "outage",
        "started_at": _local(start),
        "ended_at": _local(start - dt.timedelta(hours=1)),
        "cause": "UPS",
        "services": [svc_item.pk],
    }
    assert client.post("/security/outages/", bad_outage).status_code == 400
    assert not Outage.objects.exists()
    good = bad_outage | {"ended_at": _local(start + dt.timedelta(hours=1))}
    assert client.post("/security/outages/", good).status_code == 302
    page = client.get("/security/outages/").content.decode()
    assert "公文系統" in page and "UPS" in page


def test_exports_and_the_annual_report(sec_clients, sec_people, agencies):
    incident(sec_people["security"], agencies["city"])
    client = sec_clients["ciso"]
    for register in ("incidents", "audits", "outages"):
        got = client.get(f"/security/export/{register}.ods")
        assert got.status_code == 200 and got.content[:2] == b"PK"
    assert client.get("/security/export/other.ods").status_code == 404
    report = client.get(f"/security/report.odt?year={timezone.localdate().year}")
    text = odfdo.Document(io.BytesIO(report.content)).body.text_recursive
    assert "資安事件發生次數" in text and "1次" in text and "—" in text


def test_the_register_lists_the_years_incidents_in_scope(sec_clients, sec_people, agencies):
    mine = incident(sec_people["security"], agencies["city"])
    theirs = incident(sec_people["other_security"], agencies["office"])
    page = sec_clients["security"].get("/security/incidents/").content.decode()
    assert mine.number in page and theirs.number not in page
    last_year = sec_clients["ciso"].get(f"/security/incidents/?year={mine.aware_at.year - 1}")
    assert mine.number not in last_year.content.decode()
