"""Seed the ISAC benchmark: migrate, a CISO and a member with TAXII credentials, and --objects
STIX 2.1 indicators in the members' collection, written in bulk (the benchmark measures the
reads; POST is measured by the benchmark itself). Also writes the same objects as a
medallion memory-backend data file (--medallion-file) up to --medallion-max of them.

Last line of output: JSON {username, secret, collection, objects, seconds}."""

import argparse
import datetime as dt
import json
import os
import sys
import time
import uuid

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

BASE = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def stix_indicator(n: int) -> dict:
    stamp = (BASE + dt.timedelta(seconds=n)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    return {
        "type": "indicator",
        "spec_version": "2.1",
        "id": f"indicator--{uuid.UUID(int=n + 1, version=4)}",
        "created": stamp,
        "modified": stamp,
        "name": f"bench {n}",
        "pattern": f"[ipv4-addr:value = '10.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}']",
        "pattern_type": "stix",
        "pattern_version": "2.1",
        "valid_from": stamp,
        "indicator_types": ["malicious-activity"],
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--objects", type=int, default=10_000)
    parser.add_argument("--medallion-file", default="")
    parser.add_argument("--medallion-max", type=int, default=0)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "guankao.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    from guankao.core.models import Role, User
    from guankao.security.isac import defaults, services
    from guankao.security.isac.models import Collection, StixObject

    call_command("migrate", verbosity=0, interactive=False)
    defaults.ensure()
    ciso = User.objects.create(username="ciso", display_name="資安長")
    ciso.role_assignments.create(role=Role.CISO)
    member, secret = services.member_create(
        actor=ciso, name="bench member", kind="neighbour", contact_name="b", contact_email="b@b.tw"
    )
    share = Collection.objects.get(alias="members-share")
    started = time.monotonic()
    added0 = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
    chunk = 5000
    medallion = []
    for start in range(0, args.objects, chunk):
        rows = []
        for n in range(start, min(start + chunk, args.objects)):
            obj = stix_indicator(n)
            body = json.dumps(obj, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
            added = added0 + dt.timedelta(milliseconds=n)
            rows.append(
                StixObject(
                    collection=share,
                    stix_id=obj["id"],
                    type="indicator",
                    version=BASE + dt.timedelta(seconds=n),
                    date_added=added,
                    member=member,
                    body=body,
                )
            )
            if n < args.medallion_max:
                medallion.append((obj, added))
        with transaction.atomic():
            StixObject.objects.bulk_create(rows, batch_size=1000)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE isac_stixobject")
    if args.medallion_file:
        write_medallion(args.medallion_file, medallion)
    print(
        json.dumps(
            {
                "username": member.username,
                "secret": secret,
                "collection": str(share.pk),
                "objects": args.objects,
                "seconds": round(time.monotonic() - started, 1),
            }
        )
    )


def write_medallion(path: str, objects: list) -> None:
    from tests.interop import medallion_server

    data = medallion_server.data()
    collection = data[medallion_server.API_ROOT]["collections"][0]
    for obj, added in objects:
        collection["objects"].append(obj)
        collection["manifest"].append(
            {
                "id": obj["id"],
                "date_added": added.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
                "version": obj["modified"],
                "media_type": "application/stix+json;version=2.1",
            }
        )
    with open(path, "w") as f:
        json.dump(data, f)


if __name__ == "__main__":
    main()
