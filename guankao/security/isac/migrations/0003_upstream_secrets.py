"""Upstream passwords encrypted at rest (crypto.py) and the poll watermark by the upstream's
own clock (jobs.py): the new fields, filled from the old ones (removed by 0004)."""

import datetime as dt

from django.db import migrations, models


def encrypt_passwords(apps, schema_editor):
    from guankao.security.isac import crypto

    upstream = apps.get_model("isac", "Upstream")
    for row in upstream.objects.all():
        row.password_encrypted = crypto.encrypt(row.password)
        # the old watermark was our clock when the last poll started, asked with 5 minutes
        # to spare: the best guess of the server's clock until its first answer
        if row.polled_until is not None:
            since = row.polled_until - dt.timedelta(minutes=5)
            row.added_after = since.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        row.save(update_fields=["password_encrypted", "added_after"])


def decrypt_passwords(apps, schema_editor):
    from guankao.security.isac import crypto

    upstream = apps.get_model("isac", "Upstream")
    for row in upstream.objects.all():
        try:
            row.password = crypto.decrypt(row.password_encrypted)[:200]
        except crypto.Unreadable:
            row.password = ""
        row.save(update_fields=["password"])



class Migration(migrations.Migration):
    dependencies = [("isac", "0002_default_collections")]

    operations = [
        migrations.AddField(
            model_name="upstream",
            name="password_encrypted",
            field=models.TextField(blank=True),
        ),
        migrations.AddField(
            model_name="upstream",
            name="added_after",
            field=models.CharField(blank=True, max_length=40),
        ),
        migrations.RunPython(encrypt_passwords, decrypt_passwords),
    ]
