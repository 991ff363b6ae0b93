"""A clinic's settings saved before the limits (0008) are brought within them.

Since 0008 a questionnaire link stays open 2 to 30 days and its one reminder goes at least a
day after sending and before the link closes (`PortalSettings.clean`). Those are checked when
the settings are saved in the administration screens, so a row saved before could still send
links that were dead at once, outlived their session, or whose reminder never went. Each value
outside the limits moves to the nearest one (a reminder on or after the closing day to the day
before it), and each clinic's change is written to the audit log as the administration screens
write it, so no setting changes where the log does not show it."""

from django.db import migrations

ACTOR = "(on the server, outside the web app)"  # accounts.services.SERVER_ACTOR
# portal.models.EXPIRY_DAYS_MIN / _MAX as they were when this was written (0008)
EXPIRY_DAYS_MIN, EXPIRY_DAYS_MAX = 2, 30
REMINDER_DAYS_MIN = 1
WHY = (
    "on upgrading: a link now stays open 2 to 30 days, and its reminder goes at least a day "
    "after sending and before the link closes"
)


def within(value: int, low: int, high: int) -> int:
    return max(low, min(value, high))


def settings_within_the_limits(apps, schema_editor):  # type: ignore[no-untyped-def]
    PortalSettings = apps.get_model("portal", "PortalSettings")
    AuditEntry = apps.get_model("accounts", "AuditEntry")
    db = schema_editor.connection.alias  # the database migrated, not always the default
    for row in PortalSettings.objects.using(db).select_related("clinic").order_by("pk"):
        expiry = within(row.expiry_days, EXPIRY_DAYS_MIN, EXPIRY_DAYS_MAX)
        reminder = within(row.reminder_days, REMINDER_DAYS_MIN, expiry - 1)
        changes = [
            f"{label} {old} -> {new}"
            for label, old, new in (
                ("Expiry days", row.expiry_days, expiry),
                ("Reminder days", row.reminder_days, reminder),
            )
            if old != new
        ]
        if not changes:
            continue
        PortalSettings.objects.using(db).filter(pk=row.pk).update(
            expiry_days=expiry, reminder_days=reminder
        )
        AuditEntry.objects.using(db).create(
            user=None,
            username=ACTOR,
            action="change_portal_settings",
            detail=f"{row.clinic.name}: {', '.join(changes)} ({WHY})"[:300],
        )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0006_rights_follow_the_role"),
        ("portal", "0008_link_expiry_limits"),
    ]

    operations = [migrations.RunPython(settings_within_the_limits, migrations.RunPython.noop)]
