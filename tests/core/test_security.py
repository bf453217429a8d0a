"""Production safety: headers on every response, who the client is behind a proxy,
`guankao check` with Django's deploy checks, /healthz without connection details,
`guankao serve`'s gunicorn control socket."""

import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import Client

from guankao.core.management.commands import serve
from guankao.core.models import AuditEntry
from tests.conftest import PASSWORD

PROXY = "10.0.0.5"


def _policy(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    return dict(part.strip().split(" ", 1) for part in header.split(";"))


def test_it_sends_a_content_security_policy_without_inline_script(client, db):
    policy = _policy(client.get("/login/"))
    assert policy["default-src"] == "'self'"
    assert policy["script-src"] == "'self'"
    assert policy["style-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'"
    assert policy["img-src"].split()[:2] == ["'self'", "data:"]


def test_it_allows_images_from_the_configured_tile_server_only(client, db, settings):
    settings.GUANKAO_MAP_TILES = "https://wmts.nlsc.gov.tw/wmts/EMAP/{z}/{y}/{x}"
    assert _policy(client.get("/login/"))["img-src"] == "'self' data: https://wmts.nlsc.gov.tw"
    settings.GUANKAO_MAP_TILES = "https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png"
    assert (
        _policy(client.get("/healthz"))["img-src"]
        == "'self' data: https://*.tile.openstreetmap.org"
    )
    settings.GUANKAO_MAP_TILES = ""
    assert _policy(client.get("/healthz"))["img-src"] == "'self' data:"


def test_it_has_no_inline_script_or_style_in_templates():
    from pathlib import Path

    import guankao

    inline = re.compile(
        r"<script(?![^>]*\bsrc=)(?![^>]*application/json)|\son[a-z]+=|style=|<style"
    )
    offenders = [
        f"{path}: {match.group(0)}"
        for path in Path(guankao.__file__).parent.rglob("templates/**/*.html")
        for match in inline.finditer(path.read_text())
    ]
    assert offenders == []


def test_it_tells_browsers_not_to_store_signed_in_pages(clients, db):
    assert "no-store" in clients["liaison"].get("/").headers["Cache-Control"]
    assert "no-store" in clients["liaison"].get("/api/v1/staff").headers["Cache-Control"]
    anonymous = clients["anonymous"].get("/public/scorecards/")
    assert "no-store" not in anonymous.headers.get("Cache-Control", "")


def _failed_login_from(remote_addr, forwarded=None):
    extra = {"REMOTE_ADDR": remote_addr}
    if forwarded:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    Client(**extra).post("/login/", {"username": "liaison", "password": "wrong-password"})
    return AuditEntry.objects.filter(action="login_failed").latest("pk").ip


def test_it_takes_the_client_address_from_a_trusted_proxy_only(people, settings):
    settings.GUANKAO_TRUSTED_PROXIES = [PROXY, "10.1.0.0/16"]
    # Through the proxy: the address the proxy appended, not what the client wrote before it.
    assert _failed_login_from(PROXY, "6.6.6.6, 198.51.100.7") == "198.51.100.7"
    # Through two trusted proxies: still the first address that is not a proxy.
    assert _failed_login_from(PROXY, "198.51.100.7, 10.1.2.3") == "198.51.100.7"
    # Straight to the app: X-Forwarded-For is the client's own claim and is ignored.
    assert _failed_login_from("203.0.113.9", "198.51.100.7") == "203.0.113.9"
    # A garbled header from the proxy: the proxy's address, never the garbage.
    assert _failed_login_from(PROXY, "not-an-address") == PROXY


def test_it_locks_out_the_client_behind_the_proxy_not_the_proxy(people, settings):
    settings.GUANKAO_TRUSTED_PROXIES = [PROXY]
    settings.AXES_FAILURE_LIMIT = 2
    attacker = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.7")
    for _ in range(2):
        attacker.post("/login/", {"username": "liaison", "password": "wrong-password"})
    r = attacker.post("/login/", {"username": "liaison", "password": PASSWORD})
    assert r.status_code in (403, 429)
    colleague = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.8")
    assert (
        colleague.post("/login/", {"username": "liaison", "password": PASSWORD}).status_code == 302
    )


def test_it_believes_the_tls_proxy_header_from_a_trusted_proxy_only(db, settings):
    settings.GUANKAO_TRUSTED_PROXIES = [PROXY]
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 3600
    proxied = Client(REMOTE_ADDR=PROXY).get("/login/", HTTP_X_FORWARDED_PROTO="https")
    assert proxied.status_code == 200
    assert proxied["Strict-Transport-Security"] == "max-age=3600"
    direct = Client(REMOTE_ADDR="203.0.113.9").get("/login/", HTTP_X_FORWARDED_PROTO="https")
    assert direct.status_code == 301 and direct["Location"].startswith("https://")


def test_it_reports_an_unreachable_database_without_its_address(client, db, monkeypatch):
    class Unreachable:
        def cursor(self):
            raise connection.Database.OperationalError(
                'connection to server at "10.2.3.4", port 5432 failed: database "guankao_prod"'
            )

    monkeypatch.setattr("guankao.core.views.connection", Unreachable())
    r = client.get("/healthz")
    assert r.status_code == 503
    assert r.json() == {"status": "error", "database": "database unavailable"}


@pytest.fixture
def production(settings, monkeypatch):
    monkeypatch.delenv("DJANGO_ALLOW_ASYNC_UNSAFE", raising=False)  # set for the e2e tests
    settings.DEMO = False
    settings.DEBUG = False
    settings.GUANKAO_REQUIRE_2FA = True
    settings.SECRET_KEY = "k7-" + "".join(chr(ord("a") + i % 26) for i in range(60))
    return settings


def test_it_fails_the_check_while_django_warns_about_https(db, production, capsys):
    production.SECURE_HSTS_SECONDS = 0
    production.SECURE_SSL_REDIRECT = False
    with pytest.raises(CommandError):
        call_command("guankao_check")
    out = capsys.readouterr().out
    assert "PROBLEM: security.W004" in out and "PROBLEM: security.W008" in out
    assert "→ set GUANKAO_HSTS_SECONDS" in out  # the variable to set, not Django's setting
    assert "security.W012" not in out and "security.W016" not in out  # cookies Secure by default
    assert "all checks passed" not in out


def test_it_passes_the_check_with_https_settled_or_silenced(db, production, capsys):
    production.SECURE_HSTS_SECONDS = 31_536_000
    production.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    production.SECURE_SSL_REDIRECT = False
    production.SILENCED_SYSTEM_CHECKS = ["security.W008", "security.W021"]
    call_command("guankao_check")
    assert "all checks passed" in capsys.readouterr().out


def test_it_skips_the_deploy_checks_in_demo_mode(db, production, capsys):
    production.DEMO = True
    production.SECURE_HSTS_SECONDS = 0
    call_command("guankao_check")
    assert "deploy checks (HTTPS, HSTS, secure cookies) skipped" in capsys.readouterr().out


def test_it_gives_each_served_instance_its_own_control_socket(settings, tmp_path):
    settings.DATA_DIR = tmp_path / "one"
    settings.GUANKAO_TRUSTED_PROXIES = ["127.0.0.1", "10.0.0.0/8"]
    argv = serve.Command().gunicorn_argv(bind="127.0.0.1:8001", workers=1, threads=1)
    assert argv[argv.index("--control-socket") + 1] == str(tmp_path / "one" / "gunicorn.ctl")
    assert argv[argv.index("--forwarded-allow-ips") + 1] == "127.0.0.1,10.0.0.0/8"
    settings.DATA_DIR = tmp_path / ("long-" * 30)
    argv = serve.Command().gunicorn_argv(bind="127.0.0.1:8001", workers=1, threads=1)
    assert "--no-control-socket" in argv and "--control-socket" not in argv
