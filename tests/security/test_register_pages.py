"""The audits' evidence, a finding followed up and closed with its evidence, an audit
corrected, an outage ended and corrected, a service changed — all through the pages, with
bad input refused (the field named, 400, nothing changed) and another agency's security
officer refused."""

import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from guankao.core.models import Attachment, AuditEntry
from guankao.security import selectors_registers as reads
from guankao.security import services_registers as regs
from guankao.security.models import Audit, Finding, Outage, Service
from tests.security.incident_helpers import ago, audit, service


def _file(name="稽核報告.txt", text="稽核發現三項缺失\n"):
    return SimpleUploadedFile(name, text.encode(), content_type="text/plain")


def _local(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def _finding(actor, item, **over):
    data = {
        "text": "弱密碼",
        "severity": "high",
        "action": "強制密碼原則",
        "owner": "資訊科",
        "due_date": timezone.localdate() + dt.timedelta(days=30),
    }
    return regs.finding_add(actor=actor, audit_item=item, **(data | over))


def test_evidence_is_attached_to_an_audit_and_listed_with_download_links(
    sec_clients, sec_people, agencies
):
    item = audit(sec_people["security"], agencies["city"])
    url = f"/security/audits/{item.pk}/"
    client = sec_clients["security"]
    done = client.post(url, {"action": "attach", "evidence-files": [_file(), _file("簽到表.txt")]})
    assert done.status_code == 302
    files = Attachment.objects.filter(owner_type="security.audit", owner_id=str(item.pk))
    assert {f.original_name for f in files} == {"簽到表.txt", "稽核報告.txt"}
    page = client.get(url).content.decode()
    for f in files:
        assert f"/files/{f.pk}/" in page
        assert client.get(f"/files/{f.pk}/").status_code == 200
    assert AuditEntry.objects.filter(object_type="core.attachment", action="create").count() == 2
    # another agency's security officer sees neither the audit nor its files
    other = sec_clients["other_security"]
    assert other.get(url).status_code == 404
    assert other.post(url, {"action": "attach", "evidence-files": _file()}).status_code == 404
    assert other.get(f"/files/{files[0].pk}/").status_code == 404
    # the readers (a 管考 officer) see the files; they attach none
    assert sec_clients["officer"].get(f"/files/{files[0].pk}/").status_code == 200
    assert sec_clients["officer"].post(url, {"action": "attach"}).status_code == 403


def test_no_file_or_a_refused_file_attaches_nothing(sec_clients, sec_people, agencies):
    item = audit(sec_people["security"], agencies["city"])
    url = f"/security/audits/{item.pk}/"
    client = sec_clients["security"]
    none = client.post(url, {"action": "attach"})
    assert none.status_code == 400 and 'href="#id_evidence-files"' in none.content.decode()
    script = SimpleUploadedFile("x.html", b"<script>alert(1)</script>", content_type="text/html")
    refused = client.post(url, {"action": "attach", "evidence-files": [_file(), script]})
    assert refused.status_code == 400
    assert not Attachment.objects.filter(owner_type="security.audit").exists()


def test_a_finding_is_followed_up_and_closed_with_its_evidence(sec_clients, sec_people, agencies):
    item = audit(sec_people["security"], agencies["city"])
    finding = _finding(sec_people["security"], item)
    url = f"/security/findings/{finding.pk}/"
    client = sec_clients["security"]
    later = finding.due_date + dt.timedelta(days=30)
    moved = client.post(
        url,
        {
            "action": "edit",
            "edit-text": "弱密碼",
            "edit-severity": "high",
            "edit-action": "強制密碼原則並清查帳號",
            "edit-owner": "資訊科",
            "edit-due_date": later.isoformat(),
        },
    )
    assert moved.status_code == 302
    finding.refresh_from_db()
    assert finding.due_date == later and "清查" in finding.action
    entry = AuditEntry.objects.filter(object_type="security.finding", action="update").latest("at")
    assert "due_date" in entry.changes
    assert client.post(url, {"action": "attach", "evidence-files": _file()}).status_code == 302
    closed = client.post(
        url, {"action": "close", "close-follow_up": "已上線", "close-files": _file("畫面.txt")}
    )
    assert closed.status_code == 302
    finding.refresh_from_db()
    assert finding.closed_at and finding.follow_up == "已上線"
    names = Attachment.objects.filter(owner_type="security.finding", owner_id=str(finding.pk))
    assert sorted(names.values_list("original_name", flat=True)) == ["畫面.txt", "稽核報告.txt"]
    page = client.get(f"/security/audits/{item.pk}/").content.decode()
    assert "畫面.txt" in page and "已上線" in page
    # closed: nothing more changes
    again = client.post(url, {"action": "close", "close-follow_up": "x"})
    assert again.status_code == 403


def test_a_bad_finding_change_names_the_field_and_changes_nothing(
    sec_clients, sec_people, agencies
):
    item = audit(sec_people["security"], agencies["city"])
    finding = _finding(sec_people["security"], item)
    url = f"/security/findings/{finding.pk}/"
    client = sec_clients["security"]
    bad = client.post(
        url,
        {
            "action": "edit",
            "edit-text": "弱密碼",
            "edit-severity": "urgent",
            "edit-action": "x",
            "edit-owner": "y",
            "edit-due_date": "115/13/45",
        },
    )
    html = bad.content.decode()
    assert bad.status_code == 400 and 'href="#id_edit-severity"' in html
    assert 'href="#id_edit-due_date"' in html
    no_follow_up = client.post(url, {"action": "close", "close-follow_up": ""})
    assert (
        no_follow_up.status_code == 400
        and 'href="#id_close-follow_up"' in no_follow_up.content.decode()
    )
    assert Finding.objects.get(pk=finding.pk).closed_at is None
    assert Finding.objects.get(pk=finding.pk).severity == "high"
    other = sec_clients["other_security"]
    assert other.get(url).status_code == 404
    assert other.post(url, {"action": "close", "close-follow_up": "x"}).status_code == 404


def test_an_audit_is_corrected_and_a_bad_correction_changes_nothing(
    sec_clients, sec_people, agencies
):
    item = audit(sec_people["security"], agencies["city"])
    url = f"/security/audits/{item.pk}/edit/"
    client = sec_clients["security"]
    assert client.get(url).status_code == 200
    day = timezone.localdate()
    data = {
        "kind": "external",
        "title": "外部稽核",
        "scope": "核心系統",
        "auditors": "數位發展部",
        "start_date": day.isoformat(),
        "end_date": day.isoformat(),
        "plan": "",
    }
    bad = client.post(url, data | {"end_date": (day - dt.timedelta(days=3)).isoformat()})
    assert bad.status_code == 400 and 'href="#id_end_date"' in bad.content.decode()
    assert Audit.objects.get(pk=item.pk).title == "資安內部稽核"
    assert client.post(url, data).status_code == 302
    item.refresh_from_db()
    assert (item.kind, item.title) == ("external", "外部稽核")
    assert sec_clients["other_security"].get(url).status_code == 404
    assert sec_clients["officer"].post(url, data).status_code == 403


def test_an_outages_end_is_recorded_after_it_was_opened(sec_clients, sec_people, agencies):
    officer = sec_people["security"]
    svc_item = service(officer, agencies["city"])
    start = ago(hours=3).replace(second=0, microsecond=0)
    outage = regs.outage_create(
        actor=officer,
        agency=agencies["city"],
        started_at=start,
        planned=False,
        cause="UPS 故障",
        services=[svc_item],
    )
    url = f"/security/outages/{outage.pk}/"
    client = sec_clients["security"]
    listing = client.get("/security/outages/").content.decode()
    assert url in listing
    form = {
        "started_at": _local(start),
        "ended_at": _local(start - dt.timedelta(minutes=10)),
        "cause": "UPS 故障，電池老化",
        "services": [svc_item.pk],
    }
    early = client.post(url, form)
    assert early.status_code == 400
    html = early.content.decode()
    assert 'href="#id_ended_at"' in html
    outage.refresh_from_db()
    assert outage.ended_at is None and outage.cause == "UPS 故障"
    future = client.post(url, form | {"ended_at": _local(timezone.now() + dt.timedelta(hours=2))})
    assert future.status_code == 400
    end = start + dt.timedelta(hours=1)
    done = client.post(url, form | {"ended_at": _local(end)})
    assert done.status_code == 302
    outage.refresh_from_db()
    assert outage.ended_at == end and outage.started_at == start
    assert outage.cause == "UPS 故障，電池老化"
    local = timezone.localtime(start)
    rows = reads.availability(user=officer, year=local.year, month=local.month)
    assert [lost for s, _pct, lost in rows if s.pk == svc_item.pk] == [60]
    entry = AuditEntry.objects.filter(object_type="security.outage", action="update").get()
    assert set(entry.changes) == {"ended_at", "cause"}
    other = sec_clients["other_security"]
    assert other.get(url).status_code == 404
    assert other.post(url, form).status_code == 404


def test_a_service_is_changed_and_taken_out_of_service(sec_clients, sec_people, agencies):
    officer = sec_people["security"]
    item = service(officer, agencies["city"])
    service(officer, agencies["city"], name="差勤系統")
    url = f"/security/services/{item.pk}/"
    client = sec_clients["security"]
    data = {
        "name": "公文系統",
        "owner": "資訊科 王小明",
        "protection": "medium",
        "core": "on",
        "machine_room": "on",
        "maintenance": "每月第一個週六 02:00–04:00",
    }
    taken = client.post(url, data | {"name": "差勤系統"})
    assert taken.status_code == 400 and 'href="#id_name"' in taken.content.decode()
    assert client.post(url, data | {"protection": "top"}).status_code == 400
    assert Service.objects.get(pk=item.pk).protection == "high"
    assert client.post(url, data).status_code == 302  # "active" unticked: out of service
    item.refresh_from_db()
    assert (item.protection, item.active, item.owner) == ("medium", False, "資訊科 王小明")
    page = client.get("/security/outages/").content.decode()
    assert url in page  # listed among those out of service, to bring back
    assert client.post(url, data | {"active": "on"}).status_code == 302
    assert Service.objects.get(pk=item.pk).active
    assert sec_clients["other_security"].post(url, data).status_code == 404


@pytest.mark.parametrize("count", [1, 8])
def test_the_audit_page_reads_in_a_fixed_number_of_queries(
    sec_clients, sec_people, agencies, django_assert_max_num_queries, count
):
    officer = sec_people["security"]
    item = audit(officer, agencies["city"])
    regs.audit_attach(actor=officer, audit_item=item, files=[_file()])
    for n in range(count):
        finding = _finding(officer, item, text=f"缺失{n}")
        regs.finding_attach(actor=officer, finding=finding, files=[_file(f"佐證{n}.txt")])
    with django_assert_max_num_queries(12):
        page = sec_clients["security"].get(f"/security/audits/{item.pk}/")
    html = page.content.decode()
    assert page.status_code == 200 and len(re.findall(r"佐證\d+\.txt", html)) == count


@pytest.mark.parametrize("count", [1, 8])
def test_the_outages_page_reads_in_a_fixed_number_of_queries(
    sec_clients, sec_people, agencies, django_assert_max_num_queries, count
):
    officer = sec_people["security"]
    for n in range(count):
        item = service(officer, agencies["city"], name=f"系統{n}")
        regs.outage_create(
            actor=officer,
            agency=agencies["city"],
            started_at=ago(hours=n + 1),
            planned=False,
            cause="斷線",
            services=[item],
        )
    with django_assert_max_num_queries(12):
        page = sec_clients["security"].get("/security/outages/")
    assert page.status_code == 200 and page.content.decode().count("斷線") == count
    assert Outage.objects.count() == count
