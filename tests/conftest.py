"""Shared personas, used by every permission test in the same way.

- officer: 管考 officer (city-wide), in 智慧科技處/管制考核科
- liaison: liaison of 工務處 (PW), which has a sub-unit PW-1
- head: head of 工務處
- other_liaison: liaison of 社會處 (SOC), another department
- executive: executive reader (mayor)
- admin: system administrator
- unplaced: staff member with no department (admins can create one): reads nothing
- anonymous: nobody signed in
"""

import os

import pytest
from django.test import Client

from guankao.core.models import Department, Role, RoleAssignment, User

PASSWORD = "Correct-horse-battery-9"


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """The SQLite test database is a file in WAL mode (lib/env.py): a -wal file left by an
    earlier run would be replayed into the new database, so it goes before that is made."""
    from django.conf import settings

    for database in settings.DATABASES.values():
        name = (database.get("TEST") or {}).get("NAME")
        if database["ENGINE"].endswith("sqlite3") and name:
            for leftover in (f"{name}-wal", f"{name}-shm", name):
                if os.path.exists(leftover):
                    os.remove(leftover)


@pytest.fixture(autouse=True)
def _fresh_scorecard_cache():
    # Each test's data is rolled back, and the data stamp with it: start with no memory.
    from guankao.plans import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _fresh_open311_lists():
    # Open311's remembered lists outlive a test's rolled-back data: start with none.
    from guankao.petitions import open311

    open311.forget_lists()
    yield
    open311.forget_lists()


@pytest.fixture(autouse=True)
def _fresh_dispatch_memory():
    # The smart dispatch keeps the category tree and open cases' vectors per process.
    from guankao.petitions import suggest

    suggest.forget()
    yield
    suggest.forget()


@pytest.fixture(autouse=True)
def _plain_static(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "files")},
        },
    }
    settings.GUANKAO_REQUIRE_2FA = False
    settings.AXES_ENABLED = True
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def make_department(code, name, kind="office", parent=None):
    department = Department.objects.create(code=code, name=name, kind=kind, parent=parent)
    department.path = f"{parent.path if parent else '/'}{department.pk}/"
    department.save(update_fields=["path"])
    return department


def make_user(username, department, *roles, email=None, phone="05-2254321"):
    user = User.objects.create_user(
        username=username,
        password=PASSWORD,
        display_name=username,
        department=department,
        email=email if email is not None else f"{username}@example.gov.tw",
        phone=phone,
    )
    RoleAssignment.objects.bulk_create([RoleAssignment(user=user, role=r) for r in roles])
    return user


@pytest.fixture
def city(db):
    root = make_department("CYC", "嘉義市政府", "government")
    st = make_department("ST", "智慧科技處", parent=root)
    ctrl = make_department("ST-CTRL", "管制考核科", "section", parent=st)
    pw = make_department("PW", "工務處", parent=root)
    pw1 = make_department("PW-1", "養護工程科", "section", parent=pw)
    soc = make_department("SOC", "社會處", parent=root)
    return {"root": root, "st": st, "ctrl": ctrl, "pw": pw, "pw1": pw1, "soc": soc}


@pytest.fixture
def people(city):
    return {
        "officer": make_user("officer", city["ctrl"], Role.OFFICER),
        "liaison": make_user("liaison", city["pw"], Role.LIAISON),
        "head": make_user("head", city["pw"], Role.HEAD),
        "worker": make_user("worker", city["pw1"]),
        "other_liaison": make_user("other", city["soc"], Role.LIAISON),
        "executive": make_user("mayor", city["root"], Role.EXECUTIVE),
        "admin": make_user("admin", city["st"], Role.ADMIN),
        "unplaced": make_user("unplaced", None, Role.LIAISON),
    }


def client_for(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def clients(people):
    out = {name: client_for(user) for name, user in people.items()}
    out["anonymous"] = Client()
    return out


# Modules whose tests one xdist worker runs, one after the other, because a module-scoped
# fixture of theirs is costly (tests/test_demo.py loads the demo city once). Only tests
# that roll back: the worker runs them first, before tests that pytest-django ordered
# ahead of them.
ONE_WORKER = {"tests/test_demo.py"}


@pytest.hookimpl(tryfirst=True, optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """`-n` without `--dist` (the Makefile's `-n auto`): xdist's `load`, but each module of
    ONE_WORKER goes to one worker, first. (The `xdist_group` mark and `--dist loadgroup`
    do this no more: xdist 3.8 renames the test ids it groups by, which pytest 9 ignores.)"""
    if config.getvalue("dist") != "load":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class OneWorkerModules(LoadScopeScheduling):
        # Work units are single tests, in pytest's order, and whole ONE_WORKER modules;
        # xdist sends the larger units first.
        def _split_scope(self, nodeid):
            module = nodeid.split("::", 1)[0]
            return module if module in ONE_WORKER else nodeid

    return OneWorkerModules(config, log)


def pytest_collection_modifyitems(config, items):
    if os.environ.get("GUANKAO_SKIP_E2E") == "1":
        skip = pytest.mark.skip(reason="GUANKAO_SKIP_E2E=1")
        for item in items:
            if "e2e" in item.keywords:
                item.add_marker(skip)
    # The slow tests first (after pytest-django's ordering, which puts tests without the
    # database last), so that xdist starts them at once and the other worker runs the rest,
    # instead of one worker finishing them alone at the end. Mark only tests that roll back
    # or use no database: a transactional test empties the tables when it ends.
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


def pytest_report_header(config):
    from django.db import connection

    return f"guankao database: {connection.vendor} ({connection.settings_dict['NAME']})"
