"""Migrations 0003 and 0004 on a database that had upstream passwords in plain text and
indicators before the blocklists' change log existed (and back)."""

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from guankao.security.isac import defaults

BEFORE = [("isac", "0002_default_collections")]
AFTER = [("isac", "0004_blocklist_log")]


def _migrate(target):
    executor = MigrationExecutor(connection)
    executor.migrate(target)
    return MigrationExecutor(connection).loader.project_state(target).apps


@pytest.mark.django_db(transaction=True)
def test_old_passwords_are_encrypted_and_the_log_is_filled():
    old = _migrate(BEFORE)
    try:
        defaults.ensure(old.get_model("isac", "ApiRoot"), old.get_model("isac", "Collection"))
        collection = old.get_model("isac", "Collection").objects.get(alias="indicators-green")
        polled = dt.datetime(2026, 12, 1, 8, 0, tzinfo=dt.UTC)
        old.get_model("isac", "Upstream").objects.create(
            name="N-ISAC",
            url="https://taxii.example/c/",
            username="u",
            password="plain secret",
            collection=collection,
            polled_until=polled,
        )
        obj = old.get_model("isac", "StixObject").objects.create(
            collection=collection,
            stix_id="indicator--0b6e6c1d-1f4e-4a4e-9d5e-2d1c4b8f9a01",
            type="indicator",
            version=polled,
            date_added=polled,
            body="{}",
        )
        old.get_model("isac", "IndicatorValue").objects.create(
            obj=obj,
            kind="ipv4",
            value="198.51.100.9",
            valid_from=polled,
            valid_until=polled + dt.timedelta(days=2),
        )
        new = _migrate(AFTER)
        row = new.get_model("isac", "Upstream").objects.get(name="N-ISAC")
        assert "plain secret" not in row.password_encrypted
        from guankao.security.isac import crypto

        assert crypto.decrypt(row.password_encrypted) == "plain secret"
        assert row.added_after == "2026-12-01T07:55:00.000000Z"
        log = new.get_model("isac", "BlocklistChange").objects.filter(member=None)
        assert sorted(log.values_list("value", "added", "at")) == [
            ("198.51.100.9", False, polled + dt.timedelta(days=2)),
            ("198.51.100.9", True, polled),
        ]
        back = _migrate(BEFORE)
        assert back.get_model("isac", "Upstream").objects.get().password == "plain secret"
    finally:
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("stored", "expected"),
    [
        (defaults.ROOT_DESCRIPTION_EN, defaults.ROOT[2]),
        ("本府資安長修改之說明", "本府資安長修改之說明"),
    ],
)
def test_0006_puts_the_default_roots_description_in_zh_hant_unless_changed(stored, expected):
    old = _migrate([("isac", "0005_members_directory")])
    try:
        defaults.ensure(old.get_model("isac", "ApiRoot"), old.get_model("isac", "Collection"))
        old.get_model("isac", "ApiRoot").objects.filter(slug="chiayi").update(description=stored)
        new = _migrate([("isac", "0006_root_active_zh")])
        root = new.get_model("isac", "ApiRoot").objects.get(slug="chiayi")
        assert root.description == expected and root.active
    finally:
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
