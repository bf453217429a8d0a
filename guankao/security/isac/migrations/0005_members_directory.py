"""The members' directory collection (defaults.COLLECTIONS): each member's STIX identity,
so that the created_by_ref of what a member shares names it for every reader. Existing
members get read access to it and their identity in it."""

import datetime as dt
import json

from django.db import migrations


def create(apps, schema_editor):
    from guankao.security.isac import defaults

    collection_model = apps.get_model("isac", "Collection")
    defaults.ensure(apps.get_model("isac", "ApiRoot"), collection_model)
    directory = collection_model.objects.get(id=defaults.collection_uuid("members"))
    grant = apps.get_model("isac", "CollectionAccess")
    stix_object = apps.get_model("isac", "StixObject")
    now = dt.datetime.now(dt.UTC)
    stamp = now.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    for member in apps.get_model("isac", "Member").objects.all():
        grant.objects.get_or_create(
            collection=directory, member=member, defaults={"can_read": True, "can_write": False}
        )
        if stix_object.objects.filter(collection=directory, stix_id=member.identity_id).exists():
            continue
        body = {
            "type": "identity",
            "spec_version": "2.1",
            "id": member.identity_id,
            "created": stamp,
            "modified": stamp,
            "name": member.name,
            "identity_class": "organization",
            "sectors": ["government"],
        }
        stix_object.objects.create(
            collection=directory,
            stix_id=member.identity_id,
            type="identity",
            version=now,
            date_added=now,
            body=json.dumps(body, ensure_ascii=False, separators=(",", ":"), sort_keys=True),
        )


class Migration(migrations.Migration):
    dependencies = [("isac", "0004_blocklist_log")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
