"""Plain labels on the administration screens; nothing changes in the database."""

import django.core.validators
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0009_settings_within_the_limits"),
    ]

    operations = [
        migrations.AlterField(
            model_name="portalsettings",
            name="expiry_days",
            field=models.PositiveSmallIntegerField(
                default=4,
                help_text="Days a questionnaire link stays open (2 to 30).",
                validators=[
                    django.core.validators.MinValueValidator(
                        2,
                        "A link must stay open for at least %(limit_value)s days: its reminder goes at least a day after sending, and before the link closes.",
                    ),
                    django.core.validators.MaxValueValidator(
                        30, "A link can stay open for at most %(limit_value)s days."
                    ),
                ],
                verbose_name="links expire after (days)",
            ),
        ),
        migrations.AlterField(
            model_name="portalsettings",
            name="reminder_days",
            field=models.PositiveSmallIntegerField(
                default=2,
                help_text="Days after sending that one reminder goes, if still not answered: at least 1, and fewer than the days the link stays open.",
                validators=[
                    django.core.validators.MinValueValidator(
                        1, "The reminder goes at least %(limit_value)s day after the link is sent."
                    )
                ],
                verbose_name="reminder after (days)",
            ),
        ),
    ]
