"""Plain labels on the administration screens; nothing changes in the database."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0006_rights_follow_the_role"),
    ]

    operations = [
        migrations.AlterField(
            model_name="clinic",
            name="synthetic",
            field=models.BooleanField(
                default=False,
                help_text="A demo clinic of made-up clients (never real records).",
                verbose_name="demo data (made up)",
            ),
        ),
    ]
