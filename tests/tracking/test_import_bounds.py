"""The PCMS import's bounds: a hostile file is refused at once, a file is at most
MAX_ROWS rows, and a dry run reads and checks without opening a write transaction."""

import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from guankao.core.errors import ServiceError
from guankao.tracking import services
from guankao.tracking.models import Item
from guankao.tracking.pcms_check import MAX_ROWS
from tests.hostile import repeated_ods

from .test_import import GOOD, _english, counts, do_import, table, upload, web  # noqa: F401

WRITES = {"INSERT", "UPDATE", "DELETE", "SAVEPOINT", "BEGIN"}


@pytest.mark.parametrize("action", ["check", "import"])
def test_it_refuses_the_800_byte_file_of_9_million_cells_at_once(web, works, action):  # noqa: F811
    content = repeated_ods(90_000, 100)
    assert len(content) < 1000
    before = counts()
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
