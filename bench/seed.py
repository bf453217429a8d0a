"""Migrate an empty database and fill it with a city: departments, staff and one API token.

Run by api_load.py with the GUANKAO_* environment of the server under test. Prints one JSON
line, {"token": ..., "departments": n, "staff": n}, as its last line of output.

    GUANKAO_DATABASE_URL=... GUANKAO_SECRET_KEY=... python bench/seed.py --departments 300
"""

import argparse
import json
import os
import sys
import time

DEPTH_SHARE = (0.08, 0.67)  # of the non-root departments: level 1 (處/局), level 2; rest level 3


def seed_departments(total: int) -> list:
    from guankao.core.models import Department

    def add_level(parents: list, count: int, kind: str, prefix: str) -> list:
        rows = [
            Department(
                code=f"{prefix}{i:04d}",
                name=f"{prefix}單位{i:04d}",
                name_en=f"Unit {prefix}{i:04d}",
                kind=kind,
                parent=parents[i % len(parents)] if parents else None,
                sort_order=i,
            )
            for i in range(count)
        ]
        Department.objects.bulk_create(rows)  # both engines return the new primary keys
        for row in rows:
            row.path = f"{row.parent.path if row.parent else '/'}{row.pk}/"
        Department.objects.bulk_update(rows, ["path"])
        return rows

    rest = total - 1
    level1 = max(1, round(rest * DEPTH_SHARE[0]))
    level2 = round(rest * DEPTH_SHARE[1])
    level3 = rest - level1 - level2
    root = add_level([], 1, "government", "G")
    offices = add_level(root, level1, "bureau", "B")
    sections = add_level(offices, level2, "section", "S")
    agencies = add_level(sections, level3, "agency", "A")
    return root + offices + sections + agencies


def seed_staff(total: int, departments: list) -> None:
    from guankao.core.models import Role, RoleAssignment, User

    users = []
    for i in range(total):
        user = User(
            username=f"staff{i:05d}",
            display_name=f"職員{i:05d}",
            title="科員",
            email=f"staff{i:05d}@city.example.gov.tw",
            phone=f"05-2{i:06d}",
            department=departments[i % len(departments)],
        )
        user.set_unusable_password()
        users.append(user)
    User.objects.bulk_create(users, batch_size=500)
    heads = [RoleAssignment(user=u, role=Role.HEAD) for u in users[: len(departments)]]
    liaisons = [RoleAssignment(user=u, role=Role.LIAISON) for u in users[len(departments) :: 7]]
    RoleAssignment.objects.bulk_create(heads + liaisons, batch_size=500)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--departments", type=int, default=300)
    parser.add_argument("--staff", type=int, default=5000)
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "guankao.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import transaction

    from guankao.core import services
    from guankao.core.models import Department, Role, RoleAssignment, User

    started = time.monotonic()
    call_command("migrate", verbosity=0, interactive=False)
    if Department.objects.exists() or User.objects.exists():
        sys.exit("seed.py: the database is not empty")
    with transaction.atomic():
        departments = seed_departments(args.departments)
        seed_staff(args.staff - 1, departments)
        reader = User(username="bench.reader", display_name="壓測", department=departments[0])
        reader.set_unusable_password()
        reader.save()
        RoleAssignment.objects.create(user=reader, role=Role.EXECUTIVE)
        _, raw = services.token_create(actor=reader, name="bench")
    counts = {"departments": Department.objects.count(), "staff": User.objects.count()}
    seconds = round(time.monotonic() - started, 1)
    print(json.dumps({"token": raw, **counts, "seed_seconds": seconds}))


if __name__ == "__main__":
    main()
