"""The plain upstream password and our-clock watermark go (0003 moved them); the
blocklists' change log (blocklog.py) and its lock are created, the log filled from the
indicators as they are."""

import django.db.models.deletion
from django.db import migrations, models


def fill_log(apps, schema_editor):
    from guankao.security.isac import blocklog

    apps.get_model("isac", "BlocklistLock").objects.get_or_create(pk=1)
    blocklog.rebuild(apps)


class Migration(migrations.Migration):
    dependencies = [("isac", "0003_upstream_secrets")]

    operations = [
        migrations.RemoveField(model_name="upstream", name="password"),
        migrations.RemoveField(model_name="upstream", name="polled_until"),
        migrations.CreateModel(
            name="BlocklistChange",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("ipv4", "IPv4 address"),
                            ("ipv6", "IPv6 address"),
                            ("domain", "domain name"),
                            ("url", "URL"),
                            ("hash", "file hash"),
                        ],
                        max_length=8,
                    ),
                ),
                ("value", models.CharField(max_length=2000)),
                ("added", models.BooleanField()),
                ("at", models.DateTimeField()),
                (
                    "member",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="isac.member",
                    ),
                ),
            ],
            options={
                "indexes": [
                    models.Index(fields=["member", "at"], name="isac_change_member_at"),
                    models.Index(fields=["value"], name="isac_change_value"),
                ],
            },
        ),
        migrations.CreateModel(
            name="BlocklistLock",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("held_at", models.DateTimeField(null=True)),
            ],
        ),
        migrations.RunPython(fill_log, migrations.RunPython.noop),
    ]
