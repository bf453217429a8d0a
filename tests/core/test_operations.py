import gzip
import json
import os
import stat
import subprocess
import sys
import tarfile
import uuid

import psycopg
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from guankao.core import backup
from guankao.core.models import User

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
ATTACH = """
from django.core.files.uploadedfile import SimpleUploadedFile
from guankao.core.attachments import attachment_create
from guankao.core.models import Department, User
pdf = b"%PDF-1.4\\n1 0 obj\\n<< /Type /Catalog >>\\nendobj\\ntrailer\\n<< /Root 1 0 R >>\\n%%EOF\\n"
department = Department.objects.get(code="PW")
attachment_create(actor=User.objects.get(username="admin"),
    file=SimpleUploadedFile("a.pdf", pdf, "application/pdf"), department=department,
    owner_type="core.department", owner_id=department.pk)
"""
# The demo city with a tenth of its year of 1999 cases (the whole demo loads in
# tests/test_demo.py and in the fuzz run), so that the backup restores in seconds; with a
# chase and a claim, the rows only the whole demo's open cases would have made.
SMALL_DEMO = """
from django.core.management import call_command
from guankao.core import jobs
from guankao.petitions import demo
from guankao.petitions.models import Case, Chase
demo.CASES_A_MONTH //= 10
call_command("seed_demo")
case = Case.objects.order_by("pk").first()
Chase.objects.create(case=case, step="remind", due_date=case.due_date)
assert jobs.claim("tests: a claim in the backup")
"""
READ_BACK = """
from guankao.core.models import Attachment
a = Attachment.objects.get(owner_type="core.department")  # the demo has evidence files too
print(a.file.open("rb").read()[:8].decode(), "ok")
"""


def test_it_reports_health(client, db):
    r = client.get("/healthz")
    assert r.status_code == 200
    assert r.json() == {"status": "ok", "database": "ok"}


def test_it_reports_an_unreachable_database(client, db, monkeypatch):
    class Unreachable:
        def cursor(self):
            raise connection.Database.OperationalError("connection refused")

    monkeypatch.setattr("guankao.core.views.connection", Unreachable())
    r = client.get("/healthz")
    assert r.status_code == 503
    assert r.json()["status"] == "error"


def test_it_fails_the_check_in_debug_mode(db, settings, capsys):
    settings.DEBUG = True
    with pytest.raises(CommandError):
        call_command("guankao_check")
    assert "GUANKAO_DEBUG is on" in capsys.readouterr().out


def _guankao(env, *args):
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def _counts(env):
    out = _guankao(
        env,
        "shell",
        "-c",
        "from guankao.core.models import *;"
        "print(User.objects.count(), Department.objects.count(), AuditEntry.objects.count(),"
        " RoleAssignment.objects.count(), sorted(Department.objects.values_list('path', "
        "flat=True))[:3])",
    )
    return out.strip().splitlines()[-1]


def _pg_available():
    try:
        psycopg.connect(PG_ADMIN, connect_timeout=2).close()
        return True
    except psycopg.Error:
        return False


@pytest.mark.slow
def test_it_backs_up_and_restores_across_engines(tmp_path):
    base = {**os.environ, "GUANKAO_DATA_DIR": str(tmp_path), "GUANKAO_SECRET_KEY": "x" * 40}
    first = {**base, "GUANKAO_DATABASE_URL": f"sqlite:///{tmp_path / 'one.sqlite3'}"}
    _guankao(first, "migrate", "-v0")
    _guankao(first, "shell", "-c", SMALL_DEMO)
    _guankao(first, "shell", "-c", ATTACH)
    backup = tmp_path / "backup.tar"
    _guankao(first, "backup", str(backup))
    # Password hashes, TOTP secrets and personal data: readable by the owner only.
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600
    with tarfile.open(backup) as archive:
        rows = json.loads(gzip.decompress(archive.extractfile("database.json.gz").read()))
        assert any(m.name.startswith("files/attachments/") for m in archive.getmembers())
    assert any(r["model"] == "core.auditentry" for r in rows)
    expected = _counts(first)

    # Into another data dir: the uploaded file comes back with the rows.
    second = {
        **base,
        "GUANKAO_DATABASE_URL": f"sqlite:///{tmp_path / 'two.sqlite3'}",
        "GUANKAO_DATA_DIR": str(tmp_path / "second"),
    }
    # secops: the demo's duty evidence (security.dutyinstance) are files too
    files = sum(1 for r in rows if r["model"] == "core.attachment")
    assert f"{files} files written" in _guankao(second, "restore", str(backup))
    assert _counts(second) == expected
    assert _guankao(second, "shell", "-c", READ_BACK).strip().endswith("%PDF-1.4 ok")
    # Restoring over data is refused unless asked for.
    refused = subprocess.run(
        [sys.executable, "manage.py", "restore", str(backup)], env=second, capture_output=True
    )
    assert refused.returncode != 0 and b"already holds data" in refused.stderr

    if not _pg_available():
        pytest.skip("PostgreSQL not reachable at 127.0.0.1:5432: cross-engine half not run")
    name = f"guankao_restore_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as pg:
        pg.execute(f"CREATE DATABASE {name}")
    try:
        third = {**base, "GUANKAO_DATABASE_URL": f"postgresql://postgres@127.0.0.1:5432/{name}"}
        _guankao(third, "restore", str(backup))
        assert _counts(third) == expected
        # And back again, PostgreSQL to SQLite; new rows still get fresh ids on PostgreSQL.
        _guankao(
            third,
            "shell",
            "-c",
            "from guankao.core.models import User; User.objects.create(username='after')",
        )
        again = tmp_path / "again.tar"
        _guankao(third, "backup", str(again))
        fourth = {**base, "GUANKAO_DATABASE_URL": f"sqlite:///{tmp_path / 'four.sqlite3'}"}
        _guankao(fourth, "restore", str(again))
        assert _counts(fourth) == _counts(third)
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as pg:
            pg.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def test_a_restore_lists_every_row_with_a_control_character(db, tmp_path, people):
    # PostgreSQL cannot hold NUL, so there the rows carry other control characters.
    bad = "a\x01b" if connection.vendor == "postgresql" else "a\x00b"
    User.objects.filter(pk=people["worker"].pk).update(title=bad)
    User.objects.filter(pk=people["head"].pk).update(display_name=bad)
    path = tmp_path / "bad.tar"
    call_command("backup", str(path))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    with pytest.raises(CommandError) as caught:
        call_command("restore", str(path))
    message = str(caught.value)
    assert f"core.user pk={people['worker'].pk} title" in message
    assert f"core.user pk={people['head'].pk} display_name" in message
    assert "--fix-text" in message
    assert backup.fix_text({"t": [bad]}) == {"t": ["a\ufffdb"]}
