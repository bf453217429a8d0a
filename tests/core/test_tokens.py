"""API tokens: no way round two-factor, no tokens from tokens, an expiry, revoked with the
password, last use shown."""

import datetime as dt
import io
import json

import pytest
from django.test import Client, override_settings
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from guankao.core import services
from guankao.core.models import ApiToken
from tests.conftest import PASSWORD


def _bearer(raw):
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


@override_settings(GUANKAO_REQUIRE_2FA=True)
@pytest.mark.parametrize("persona", ["officer", "admin"])
def test_it_refuses_a_token_of_someone_who_must_use_two_factor_until_it_is_set_up(persona, people):
    _token, raw = services.token_create(actor=people[persona], name="script")
    client = Client()
    assert client.get("/api/v1/audit", **_bearer(raw)).status_code == 403
    r = client.post(
        "/api/v1/me/tokens", json.dumps({"name": "more"}), "application/json", **_bearer(raw)
    )
    assert r.status_code == 403
    assert ApiToken.objects.filter(user=people[persona]).count() == 1
    TOTPDevice.objects.create(user=people[persona], name="phone", confirmed=True)
    assert client.get("/api/v1/audit", **_bearer(raw)).status_code == 200


@override_settings(GUANKAO_REQUIRE_2FA=True)
def test_it_lets_a_token_of_someone_without_the_two_factor_duty_work(people):
    _token, raw = services.token_create(actor=people["liaison"], name="script")
    assert Client().get("/api/v1/staff", **_bearer(raw)).status_code == 200


def test_it_refuses_a_token_creating_tokens(people):
    _token, raw = services.token_create(actor=people["liaison"], name="script")
    client = Client()
    r = client.post(
        "/api/v1/me/tokens", json.dumps({"name": "more"}), "application/json", **_bearer(raw)
    )
    assert r.status_code == 403
    assert ApiToken.objects.filter(user=people["liaison"]).count() == 1
    # Listing and revoking with a token still work.
    assert len(client.get("/api/v1/me/tokens", **_bearer(raw)).json()) == 1


def test_it_expires_tokens_after_the_configured_days(people, settings):
    settings.GUANKAO_API_TOKEN_DAYS = 90
    token, raw = services.token_create(actor=people["liaison"], name="script")
    assert dt.timedelta(days=89) < token.expires_at - timezone.now() <= dt.timedelta(days=90)
    short, short_raw = services.token_create(actor=people["liaison"], name="short", days=1)
    assert short.expires_at - timezone.now() <= dt.timedelta(days=1)
    client = Client()
    assert client.get("/api/v1/staff", **_bearer(raw)).status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - dt.timedelta(1))
    assert client.get("/api/v1/staff", **_bearer(raw)).status_code == 401
    page = client_for_liaison().get("/account/").content.decode()
    assert "Expired" in page or "已過期" in page


def client_for_liaison():
    client = Client()
    client.post("/login/", {"username": "liaison", "password": PASSWORD})
    return client


@pytest.mark.parametrize("days", [0, 91, -1])
def test_it_refuses_a_lifetime_beyond_the_limit(days, people, clients, settings):
    settings.GUANKAO_API_TOKEN_DAYS = 90
    r = clients["liaison"].post(
        "/api/v1/me/tokens", json.dumps({"name": "x", "days": days}), "application/json"
    )
    assert r.status_code in (400, 422)
    assert not ApiToken.objects.exists()


def test_it_creates_a_token_with_a_lifetime_through_the_api(clients):
    r = clients["liaison"].post(
        "/api/v1/me/tokens", json.dumps({"name": "x", "days": 7}), "application/json"
    )
    assert r.status_code == 201
    expires = dt.datetime.fromisoformat(r.json()["expires_at"])
    assert dt.timedelta(days=6) < expires - timezone.now() <= dt.timedelta(days=7)


def test_it_revokes_every_token_when_the_password_changes(people):
    _token, raw = services.token_create(actor=people["liaison"], name="script")
    client = client_for_liaison()
    new = "Another-long-passphrase-42"
    r = client.post(
        "/account/password/",
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert r.status_code == 302
    assert Client().get("/api/v1/staff", **_bearer(raw)).status_code == 401
    assert not ApiToken.objects.filter(revoked_at=None).exists()


def test_it_revokes_every_token_when_an_operator_changes_the_password(people, monkeypatch):
    from django.contrib.auth.management.commands.changepassword import Command
    from django.core.management import call_command

    _token, raw = services.token_create(actor=people["liaison"], name="script")
    monkeypatch.setattr(
        Command, "_get_pass", lambda self, prompt=None: "Another-long-passphrase-42"
    )
    call_command("changepassword", "liaison", stdout=io.StringIO())
    assert Client().get("/api/v1/staff", **_bearer(raw)).status_code == 401
    assert not ApiToken.objects.filter(revoked_at=None).exists()


def test_it_shows_when_a_token_was_last_used(people, clients):
    token, raw = services.token_create(actor=people["liaison"], name="nightly")
    Client().get("/api/v1/staff", **_bearer(raw))
    token.refresh_from_db()
    assert token.last_used_at is not None
    page = clients["liaison"].get("/account/")
    row = next(t for t in page.context["tokens"] if t.pk == token.pk)
    assert row.last_used_at == token.last_used_at
    assert clients["liaison"].get("/api/v1/me/tokens").json()[0]["last_used_at"]
