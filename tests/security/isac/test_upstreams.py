"""Upstream servers: their passwords encrypted at rest, never shown, kept when the form
leaves them blank, and a clear word (not a 500) when the key that stored them is gone."""

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from guankao.core.models import AuditEntry
from guankao.security.isac import crypto, jobs, services
from guankao.security.isac.apps import check_secrets_key
from guankao.security.isac.models import Upstream

pytestmark = pytest.mark.django_db
SECRET = "N-ISAC pass wörd 42"


def _upstream(isac, password=SECRET, **kwargs):
    return services.upstream_create(
        actor=isac["ciso"],
        name=kwargs.pop("name", "N-ISAC"),
        url="http://127.0.0.1:9/taxii2/root/collections/c/",
        collection=isac["c"]["indicators-green"],
        username="chiayi",
        password=password,
    )


def _stored(pk) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT password_encrypted FROM isac_upstream WHERE id = %s", [pk])
        return cursor.fetchone()[0]


def test_the_password_is_stored_encrypted_and_read_back(isac):
    upstream = _upstream(isac)
    raw = _stored(upstream.pk)
    assert raw and SECRET not in raw and raw.startswith("gAAAA")  # a Fernet token
    assert Upstream.objects.get(pk=upstream.pk).get_password() == SECRET
    assert not any(
        SECRET in str(e.changes) + e.note + e.object_repr for e in AuditEntry.objects.all()
    )
    assert _upstream(isac, password="", name="open").password_encrypted == ""


def test_the_pages_never_show_it_and_a_blank_field_keeps_it(isac, sec_clients):
    upstream = _upstream(isac)
    ciso = sec_clients["ciso"]
    token = _stored(upstream.pk)
    for page in ("/isac/upstreams/", f"/isac/upstreams/{upstream.pk}/"):
        text = ciso.get(page).content.decode()
        assert SECRET not in text and token not in text
        assert "stored (encrypted)" in text or "已加密儲存" in text
    form = {
        "name": "N-ISAC",
        "url": "http://127.0.0.1:9/taxii2/root/collections/c/",
        "collection": str(isac["c"]["indicators-green"].pk),
        "username": "chiayi2",
        "password": "",
        "active": "on",
    }
    assert ciso.post(f"/isac/upstreams/{upstream.pk}/", form).status_code == 302
    upstream.refresh_from_db()
    assert upstream.username == "chiayi2" and upstream.get_password() == SECRET
    assert ciso.post(f"/isac/upstreams/{upstream.pk}/", {**form, "password": "new"}).status_code
    upstream.refresh_from_db()
    assert upstream.get_password() == "new"
    note = (
        AuditEntry.objects.filter(object_id=str(upstream.pk), action="update").order_by("pk").last()
    )
    assert "new" not in str(note.changes) and note.note
    ciso.post(f"/isac/upstreams/{upstream.pk}/", {**form, "forget_password": "on"})
    upstream.refresh_from_db()
    assert upstream.password_encrypted == "" and upstream.active


def test_bad_input_names_the_field_and_changes_nothing(isac, sec_clients):
    upstream = _upstream(isac)
    _upstream(isac, name="other")
    ciso = sec_clients["ciso"]
    form = {
        "name": "other",
        "url": "http://127.0.0.1:9/x/",
        "collection": str(isac["c"]["indicators-green"].pk),
        "password": "x" * 201,
    }
    r = ciso.post(f"/isac/upstreams/{upstream.pk}/", form)
    assert r.status_code == 400 and "password" in r.context["form"].errors
    r = ciso.post(f"/isac/upstreams/{upstream.pk}/", {**form, "password": ""})
    assert r.status_code == 400 and "name" in r.context["form"].errors
    upstream.refresh_from_db()
    assert upstream.name == "N-ISAC" and upstream.get_password() == SECRET
    assert sec_clients["officer"].get(f"/isac/upstreams/{upstream.pk}/").status_code == 403


def test_a_changed_key_is_said_on_the_page_and_by_the_poller(isac, sec_clients):
    upstream = _upstream(isac)
    # what a key no longer configured encrypted (SECRET_KEY changed, or a key dropped)
    gone = Fernet(Fernet.generate_key()).encrypt(SECRET.encode()).decode()
    Upstream.objects.filter(pk=upstream.pk).update(password_encrypted=gone)
    page = sec_clients["ciso"].get(f"/isac/upstreams/{upstream.pk}/")
    assert page.status_code == 200
    assert "cannot be decrypted" in page.content.decode() or "無法解密" in page.content.decode()
    with pytest.raises(crypto.Unreadable):
        Upstream.objects.get(pk=upstream.pk).get_password()
    assert jobs.poll(Upstream.objects.get(pk=upstream.pk)) == 0
    upstream.refresh_from_db()
    assert "GUANKAO_SECRETS_KEY" in upstream.last_error
    # entered again, it is readable under the new key
    services.upstream_update(
        actor=isac["ciso"],
        upstream=upstream,
        name=upstream.name,
        url=upstream.url,
        collection=upstream.collection,
        password="again",
    )
    assert Upstream.objects.get(pk=upstream.pk).get_password() == "again"


def test_a_secrets_key_takes_over_and_the_poller_re_encrypts(isac, settings):
    upstream = _upstream(isac)  # under the key derived from SECRET_KEY
    key = Fernet.generate_key().decode()
    settings.GUANKAO_SECRETS_KEY = [key]
    assert Upstream.objects.get(pk=upstream.pk).get_password() == SECRET
    jobs.poll(Upstream.objects.get(pk=upstream.pk))  # the server is not there: no matter
    token = _stored(upstream.pk)
    assert Fernet(key.encode()).decrypt(token.encode()).decode() == SECRET
    settings.GUANKAO_SECRETS_KEY = ["not a key"]
    with pytest.raises(ImproperlyConfigured):
        crypto.encrypt("x")
    assert [e.id for e in check_secrets_key()] == ["isac.E001"]
