from django.db import migrations, models

KINDS = [('general', 'General security (一般使用者及主管)'), ('professional', 'Professional security (資通安全專業課程或職能訓練)'), ('security', 'Security staff (資安專職人員)')]


class Migration(migrations.Migration):
    dependencies = [
        ("security", "0003_training_duties_soc"),
    ]

    operations = [
        migrations.AddField(
            model_name="duty",
            name="description",
            field=models.TextField(blank=True, max_length=1000, verbose_name="what the rule asks"),
        ),
        migrations.AddField(
            model_name="socpoint",
            name="beat_minute",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="socpoint",
            name="deactivated_at",
            field=models.DateTimeField(
                blank=True, null=True, verbose_name="out of service since"
            ),
        ),
        migrations.AddField(
            model_name="socpoint",
            name="minute_beats",
            field=models.PositiveSmallIntegerField(default=0),
        ),
        migrations.AlterField(
            model_name="trainingrecord",
            name="kind",
            field=models.CharField(choices=KINDS, max_length=15, verbose_name="kind of training"),
        ),
        migrations.AlterField(
            model_name="trainingrequirement",
            name="kind",
            field=models.CharField(choices=KINDS, max_length=15, verbose_name="kind of training"),
        ),
        migrations.AlterField(
            model_name="trainingrequirement",
            name="audience",
            field=models.CharField(
                choices=[
                    ("everyone", "Every staff member but the security staff"),
                    ("it", "IT staff (資訊人員)"),
                    ("security", "Security staff (資安人員)"),
                ],
                max_length=10,
                unique=True,
                verbose_name="who",
            ),
        ),
    ]
