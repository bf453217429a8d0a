import pytest
from django.contrib.auth.hashers import make_password
from django.test import Client, override_settings
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from guankao.core.models import AuditEntry
from tests.conftest import PASSWORD


def _login(client, username, password=PASSWORD, token=""):
    return client.post("/login/", {"username": username, "password": password, "otp_token": token})


def _code(device):
    return str(totp(device.bin_key, device.step, device.t0, device.digits, device.drift)).zfill(6)


def test_it_hashes_passwords_with_argon2(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    assert make_password("x" * 12).startswith("argon2$")


def test_it_declares_argon2_first_in_settings():
    import guankao.settings as configured

    assert configured.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


def test_it_signs_in_shows_the_shell_and_signs_out(people):
    client = Client()
    r = _login(client, "liaison")
    assert r.status_code == 302
    page = client.get("/").content.decode()
    assert "工務處" in page
    assert client.post("/logout/").status_code == 302
    assert client.get("/").status_code == 302
    actions = list(AuditEntry.objects.filter(actor_name="liaison").values_list("action", flat=True))
    assert set(actions) >= {"login", "logout"}


def test_it_defaults_to_traditional_chinese_and_switches_to_english(people):
    client = Client()
    page = client.get("/login/").content.decode()
    assert 'lang="zh-Hant-TW"' in page and "登入" in page
    client.post("/i18n/setlang/", {"language": "en", "next": "/login/"})
    page = client.get("/login/").content.decode()
    assert 'lang="en"' in page and "Sign in" in page


def test_it_locks_out_after_repeated_failures(people, settings):
    settings.AXES_FAILURE_LIMIT = 3
    client = Client()
    for _ in range(3):
        _login(client, "liaison", "wrong-password")
    r = _login(client, "liaison")  # the right password no longer helps
    assert r.status_code in (403, 429)
    assert not client.get("/").status_code == 200
    assert AuditEntry.objects.filter(action="login_failed", object_repr="liaison").count() >= 3
    # Another address is not locked out for that username.
    other = Client(REMOTE_ADDR="10.9.9.9")
    assert _login(other, "liaison").status_code == 302


def test_it_asks_for_the_totp_code_once_turned_on(people, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # a wrong code otherwise holds the next one back 1 s
    user = people["liaison"]
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    client = Client()
    r = _login(client, "liaison")
    assert r.status_code == 400  # refused: the form again, asking for the code
    assert client.get("/").status_code == 302
    assert _login(client, "liaison", token="000000").status_code == 400
    assert _login(client, "liaison", token=_code(device)).status_code == 302
    assert client.get("/").status_code == 200


def test_it_lets_a_user_turn_on_two_factor(clients, people, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    client = clients["liaison"]
    page = client.get("/account/two-factor/")
    assert page.status_code == 200 and b"<svg" in page.content
    device = TOTPDevice.objects.get(user=people["liaison"], confirmed=False)
    assert client.post("/account/two-factor/", {"token": "12345x"}).status_code == 400
    r = client.post("/account/two-factor/", {"token": _code(device)})
    assert r.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    assert AuditEntry.objects.filter(action="security", note="TOTP on").exists()


@override_settings(GUANKAO_REQUIRE_2FA=True)
@pytest.mark.parametrize(
    "persona, blocked", [("officer", True), ("admin", True), ("liaison", False)]
)
def test_it_requires_two_factor_of_officers_and_admins(clients, persona, blocked):
    r = clients[persona].get("/staff/")
    if blocked:
        assert r.status_code == 302 and r["Location"] == "/account/two-factor/"
        assert clients[persona].get("/api/v1/staff").status_code == 403
        assert clients[persona].get("/account/two-factor/").status_code == 200
    else:
        assert r.status_code == 200


def test_it_changes_the_password_and_audits_it(people):
    client = Client()
    _login(client, "liaison")
    new = "Another-long-passphrase-42"
    r = client.post(
        "/account/password/",
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert r.status_code == 302
    assert AuditEntry.objects.filter(action="security", note="password changed").exists()
    client.post("/logout/")
    assert _login(client, "liaison", new).status_code == 302


def test_it_creates_a_token_in_the_page_and_shows_it_once(clients, people):
    client = clients["liaison"]
    client.post("/account/tokens/", {"name": "nightly"})
    first = client.get("/account/").content.decode()
    assert 'id="new-token"' in first
    second = client.get("/account/").content.decode()
    assert 'id="new-token"' not in second
    token = people["liaison"].api_tokens.get()
    assert client.post(f"/account/tokens/{token.pk}/revoke/").status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert clients["head"].post(f"/account/tokens/{token.pk}/revoke/").status_code == 404
