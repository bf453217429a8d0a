"""The city's API root and its collections (the CISO grants them per member)."""

import uuid

from django.db import migrations

ROOT = ("chiayi", "嘉義市區域聯防 ISAC", "The city's trust group: its agencies and neighbours")
COLLECTIONS = [
    # alias, title, TLP, members read, members write
    ("indicators-clear", "威脅指標 TLP:CLEAR", "clear", True, False),
    ("indicators-green", "威脅指標 TLP:GREEN", "green", True, False),
    ("indicators-amber", "威脅指標 TLP:AMBER", "amber", True, False),
    ("incidents", "資安事件 TLP:AMBER", "amber", True, False),
    ("members-share", "會員分享（會員可寫入）", "amber", True, True),
]


def create(apps, schema_editor):
    ApiRoot = apps.get_model("isac", "ApiRoot")
    Collection = apps.get_model("isac", "Collection")
    root, _ = ApiRoot.objects.get_or_create(
        slug=ROOT[0], defaults={"title": ROOT[1], "description": ROOT[2], "is_default": True}
    )
    for alias, title, tlp, read, write in COLLECTIONS:
        Collection.objects.get_or_create(
            api_root=root,
            alias=alias,
            defaults={
                "id": uuid.uuid5(uuid.NAMESPACE_URL, f"https://www.chiayi.gov.tw/taxii2/{alias}"),
                "title": title,
                "tlp": tlp,
                "members_read": read,
                "members_write": write,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("isac", "0001_initial")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
