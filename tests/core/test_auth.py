import re
from base64 import b32decode

import pytest
from django.contrib.auth.hashers import make_password
from django.test import Client, override_settings
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from guankao.core.models import AuditEntry
from tests.conftest import PASSWORD, make_user


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
    # A GET writes nothing: the secret waits in the session until a code confirms it.
    assert not TOTPDevice.objects.exists()
    secret = page.context["secret"]
    assert client.get("/account/two-factor/").context["secret"] == secret
    assert not TOTPDevice.objects.exists()
    # Shown in base32, as authenticator apps take it by hand (it was hex).
    assert re.fullmatch(r"[A-Z2-7]{4}( [A-Z2-7]{1,4})*", secret)
    key = b32decode(secret.replace(" ", ""))
    pending = TOTPDevice(user=people["liaison"], key=key.hex())
    assert client.post("/account/two-factor/", {"token": "12345x"}).status_code == 400
    assert client.post("/account/two-factor/", {"token": "000000"}).status_code == 400
    assert not TOTPDevice.objects.exists()
    r = client.post("/account/two-factor/", {"token": _code(pending)})
    assert r.status_code == 302
    device = TOTPDevice.objects.get(user=people["liaison"])
    assert device.confirmed and device.key == key.hex()
    assert AuditEntry.objects.filter(action="security", note="TOTP on").exists()
    # Setting up again makes a new secret; the old device stays until the new one is confirmed.
    assert client.get("/account/two-factor/").context["secret"] != secret
    assert TOTPDevice.objects.get().key == key.hex()


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


def test_it_locks_an_address_that_fails_over_many_accounts(people, city, settings):
    # The probe: 32 failures over 8 accounts from one address, and all could still sign in.
    settings.AXES_FAILURE_LIMIT = 5
    settings.GUANKAO_LOGIN_ADDRESS_FAILURE_LIMIT = 8
    names = [make_user(f"clerk{i}", city["pw"]).username for i in range(4)]
    client = Client(REMOTE_ADDR="10.1.1.1")
    for name in names:  # 2 failures each: no account reaches its own limit of 5
        for _ in range(2):
            _login(client, name, "wrong-password")
    r = _login(client, "liaison")  # a right password, from the locked address
    assert r.status_code in (403, 429)
    assert Client(REMOTE_ADDR="10.1.1.1").get("/").status_code == 302
    # The accounts themselves are not locked elsewhere.
    assert _login(Client(REMOTE_ADDR="10.2.2.2"), "liaison").status_code == 302
    assert _login(Client(REMOTE_ADDR="10.2.2.2"), names[0]).status_code == 302


def test_it_keeps_the_address_count_when_someone_signs_in(people, city, settings):
    settings.AXES_FAILURE_LIMIT = 5
    settings.GUANKAO_LOGIN_ADDRESS_FAILURE_LIMIT = 6
    client = Client(REMOTE_ADDR="10.1.1.1")
    for name in ("head", "worker", "other"):
        for _ in range(2):
            _login(client, name, "wrong-password")
    # 6 failures: the address is locked, and a good password of another account does not
    # unlock it (nor would it have cleared the count had it got through).
    assert _login(Client(REMOTE_ADDR="10.1.1.1"), "liaison").status_code in (403, 429)


def test_it_still_locks_one_account_from_one_address_first(people, settings):
    settings.AXES_FAILURE_LIMIT = 3
    settings.GUANKAO_LOGIN_ADDRESS_FAILURE_LIMIT = 20
    client = Client(REMOTE_ADDR="10.1.1.1")
    for _ in range(3):
        _login(client, "liaison", "wrong-password")
    assert _login(client, "liaison").status_code in (403, 429)
    # 3 failures are far from the address-wide limit: others at that address sign in.
    assert _login(Client(REMOTE_ADDR="10.1.1.1"), "head").status_code == 302


def test_it_clears_only_the_accounts_own_failures_on_success(people, settings):
    settings.AXES_FAILURE_LIMIT = 5
    settings.GUANKAO_LOGIN_ADDRESS_FAILURE_LIMIT = 6
    client = Client(REMOTE_ADDR="10.1.1.1")
    for name in ("head", "worker"):
        for _ in range(2):
            _login(client, name, "wrong-password")
    _login(client, "liaison", "wrong-password")
    # 5 of 6; the success clears the liaison's own failure, not the head's and the worker's.
    assert _login(Client(REMOTE_ADDR="10.1.1.1"), "liaison").status_code == 302
    for _ in range(2):
        _login(Client(REMOTE_ADDR="10.1.1.1"), "other", "wrong-password")  # 4 + 2
    assert _login(Client(REMOTE_ADDR="10.1.1.1"), "mayor").status_code in (403, 429)
