"""The PCMS import's bounds: a hostile file is refused at once, a file is at most
MAX_ROWS rows, a dry run reads and checks without opening a write transaction, and on
SQLite a sign-in during an import waits for its write transaction instead of failing."""

import threading
import time

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from guankao.core.errors import ServiceError
from guankao.tracking import imports, services
from guankao.tracking.models import Item
from guankao.tracking.pcms_check import MAX_ROWS
from tests.conftest import PASSWORD
from tests.hostile import repeated_ods

from .test_import import GOOD, _english, _plan_50, counts, do_import, table, upload, web  # noqa: F401

WRITES = {"INSERT", "UPDATE", "DELETE", "SAVEPOINT", "BEGIN"}


@pytest.mark.parametrize("action", ["check", "import"])
def test_it_refuses_the_800_byte_file_of_9_million_cells_at_once(web, works, action):  # noqa: F811
    content = repeated_ods(90_000, 100)
    assert len(content) < 1000
    before = counts()
    assert web["liaison"].get("/tracking/import/").status_code == 200  # the page warmed up
    started = time.monotonic()
    response = upload(web["liaison"], content, action, name="pcms.ods")
    assert time.monotonic() - started < 2
    assert response.status_code == 400
    assert "is too big" in response.content.decode()
    assert counts() == before


def test_it_refuses_more_rows_than_it_writes_in_seconds(people, works):
    row = ["PW9", "新工程", "PW", "115/10", "50", "50", "", "", "", "", ""]
    rows = [[f"PW9{n:05d}", *row[1:]] for n in range(MAX_ROWS + 1)]
    with pytest.raises(ServiceError, match=f"at most {MAX_ROWS} rows"):
        do_import(people, table(rows))


def test_a_dry_run_opens_no_write_transaction_and_answers_as_the_import(people, works):
    before = counts()
    with CaptureQueriesContext(connection) as queries:
        checked = do_import(people, table(GOOD), dry_run=True)
    assert not WRITES & {q["sql"].split()[0].upper() for q in queries.captured_queries}
    assert counts() == before
    imported = do_import(people, table(GOOD))
    assert {**checked, "dry_run": False} == imported
    assert counts() == (before[0] + 1, before[1] + 4)


def test_a_dry_run_finds_what_the_services_would_refuse(people, works):
    # An item numbered as the new tender: creating it would be refused by the service.
    services.item_create(
        actor=people["liaison"], kind="works", number="PW11502", title="另案", lead=works.lead
    )
    with pytest.raises(ServiceError) as caught:
        do_import(people, table(GOOD), dry_run=True)
    found = {(p.row, p.field, str(p.message)) for p in caught.value.problems}
    assert (2, "標案案號", "is already used by another item") in found
    assert Item.objects.filter(tender_number="PW11502").count() == 0


def test_a_sign_in_during_an_import_waits_for_it_on_sqlite(transactional_db, people, works):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's one write lock")
    assert connection.settings_dict["NAME"] != ":memory:"
    assert connection.cursor().execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    writing, signing_in = threading.Event(), threading.Event()
    outcome = {}
    write = imports.write

    def write_then_hold(*args, **kwargs):
        # The import's write transaction is open and holds the lock until the sign-in
        # tries to write.
        write(*args, **kwargs)
        writing.set()
        assert signing_in.wait(30)

    def run_import():
        try:
            outcome["result"] = do_import(people, table(GOOD))
        except Exception as exc:  # reported by the assertion below
            outcome["error"] = exc
        finally:
            writing.set()
            connection.close()

    def on_write(execute, sql, params, many, context):
        if sql.split()[0].upper() in WRITES:
            signing_in.set()
        return execute(sql, params, many, context)

    imports.write = write_then_hold
    importer = threading.Thread(target=run_import)
    try:
        importer.start()
        assert writing.wait(30)
        with connection.execute_wrapper(on_write):
            response = Client().post(
                "/login/", {"username": "head", "password": PASSWORD, "otp_token": ""}
            )
    finally:
        signing_in.set()
        importer.join(30)
        imports.write = write
    assert signing_in.is_set() and "error" not in outcome, outcome
    assert response.status_code == 302, response.content[:500]
    assert outcome["result"]["reports_filed"] == 4
