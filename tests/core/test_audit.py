import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied

from guankao.core import services
from guankao.core.models import AuditEntry, Notification


def test_it_refuses_to_change_or_delete_audit_entries(people):
    services.token_create(actor=people["liaison"], name="x")
    entry = AuditEntry.objects.first()
    entry.note = "forged"
    with pytest.raises(PermissionDenied):
        entry.save()
    with pytest.raises(PermissionDenied):
        entry.delete()
    with pytest.raises(PermissionDenied):
        AuditEntry.objects.all().delete()
    with pytest.raises(PermissionDenied):
        AuditEntry.objects.update(note="forged")
    assert AuditEntry.objects.filter(note="forged").count() == 0


def test_it_records_the_address_of_the_request(clients, people):
    clients["admin"].patch(
        f"/api/v1/staff/{people['worker'].pk}",
        {"title": "技士"},
        content_type="application/json",
        REMOTE_ADDR="192.0.2.10",
    )
    entry = AuditEntry.objects.get(action="update", object_id=str(people["worker"].pk))
    assert entry.ip == "192.0.2.10"
    assert entry.changes == {"title": ["", "技士"]}


def test_it_filters_and_exports_the_trail(clients, people):
    services.staff_update(actor=people["admin"], user=people["worker"], title="技士")
    page = clients["officer"].get("/audit/?actor=admin&action=update").content.decode()
    assert "技士" in page
    page = clients["officer"].get("/audit/?actor=nobody").content.decode()
    assert "技士" not in page
    csv = clients["officer"].get("/audit/export.csv?action=update").content.decode("utf-8-sig")
    assert csv.splitlines()[0].startswith("時間,帳號,IP")
    assert "技士" in csv
    ods = clients["officer"].get("/audit/export.ods")
    assert ods["Content-Type"] == "application/vnd.oasis.opendocument.spreadsheet"
    assert ods.content[:2] == b"PK"


def test_it_shows_a_bad_date_filter_as_a_form_error(clients, people):
    r = clients["officer"].get("/audit/?since=115/02/30")
    assert r.status_code == 400
    assert "115/02/30" in r.content.decode()
    assert r.context["form"].errors["since"]


@pytest.mark.parametrize(
    "persona", ["liaison", "head", "executive", "other_liaison", "worker", "unplaced"]
)
def test_it_hides_the_trail_from_others(clients, persona):
    assert clients[persona].get("/audit/").status_code == 404
    assert clients[persona].get("/audit/export.csv").status_code == 404


def test_it_keeps_the_trail_out_of_the_admin_site(clients):
    # The Django admin is not mounted: the trail is read only through /audit/.
    assert clients["admin"].get("/admin/").status_code == 404


def test_it_notifies_in_the_inbox_and_by_email_after_commit(
    people, clients, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(
            recipients=[people["liaison"]], subject="月報逾期", body="請於 5 日前填報", url="/"
        )
    assert mail.outbox[0].to == ["liaison@example.gov.tw"]
    note = Notification.objects.get(recipient=people["liaison"])
    assert note.emailed_at is not None
    page = clients["liaison"].get("/").content.decode()
    assert '<span class="badge">1' in page
    inbox = clients["liaison"].get("/notifications/").content.decode()
    assert "月報逾期" in inbox
    assert "月報逾期" not in clients["head"].get("/notifications/").content.decode()
    # Someone else cannot mark it read.
    clients["head"].post("/notifications/", {"id": note.pk})
    note.refresh_from_db()
    assert note.read_at is None
    clients["liaison"].post("/notifications/", {"id": note.pk})
    note.refresh_from_db()
    assert note.read_at is not None


def test_it_refuses_changes_to_the_trail_in_the_database_itself(people):
    from django.db import DatabaseError, connection, transaction

    services.token_create(actor=people["liaison"], name="x")
    entry = AuditEntry.objects.first()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditentry SET note = 'forged' WHERE id = %s", [entry.pk])
    if connection.vendor == "postgresql":
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DELETE FROM core_auditentry WHERE id = %s", [entry.pk])
    assert AuditEntry.objects.get(pk=entry.pk).note == entry.note
