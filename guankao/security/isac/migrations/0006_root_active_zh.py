"""A trust group (API root) can be retired; the default root's description in
zh-Hant (its title was already), unless the CISO changed it."""

from django.db import migrations, models


def zh_hant(apps, schema_editor):
    from guankao.security.isac import defaults

    api_root = apps.get_model("isac", "ApiRoot")
    api_root.objects.filter(
        slug=defaults.ROOT[0], description=defaults.ROOT_DESCRIPTION_EN
    ).update(description=defaults.ROOT[2])


class Migration(migrations.Migration):
    dependencies = [("isac", "0005_members_directory")]
    operations = [
        migrations.AddField(
            model_name="apiroot",
            name="active",
            field=models.BooleanField(default=True, verbose_name="active"),
        ),
        migrations.RunPython(zh_hant, migrations.RunPython.noop),
    ]
