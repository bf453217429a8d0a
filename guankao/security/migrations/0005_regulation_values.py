"""The training requirements and the duties of the levels checked against the regulations
(see security/defaults.py): each value's basis (law, article, annex) beside it, the duties
missing from what migration 0003 shipped added, and the values it shipped wrong corrected.
A value an administrator changed stays as it is."""

from django.db import migrations


def apply(apps, schema_editor):
    from guankao.security.defaults import apply_defaults

    apply_defaults(apps.get_model("security", "TrainingRequirement"), apps.get_model("security", "Duty"))


class Migration(migrations.Migration):
    dependencies = [
        ("security", "0004_duty_description_soc_point_limits"),
    ]

    operations = [migrations.RunPython(apply, migrations.RunPython.noop)]
