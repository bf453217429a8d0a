"""The city's API root and its collections (guankao.security.isac.defaults)."""

from django.db import migrations


def create(apps, schema_editor):
    from guankao.security.isac import defaults

    defaults.ensure(apps.get_model("isac", "ApiRoot"), apps.get_model("isac", "Collection"))


class Migration(migrations.Migration):
    dependencies = [("isac", "0001_initial")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
