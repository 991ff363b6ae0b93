"""Administration rights follow the role (`User.take_rights_from_role`), from this version on.

An account saved before, whose rights did not match its role (an administrator changed to a
therapist kept the account pages; a therapist could be given them with a box), is set right
here, and each change is written to the audit log as the administration screens write it,
so nobody's rights change where the log does not show it."""

from django.db import migrations

ACTOR = "(on the server, outside the web app)"  # accounts.services.SERVER_ACTOR
RIGHTS = {
    (True, True): "full administration rights",
    (True, False): "the administration screens without full rights",
    (False, True): "full rights without the administration screens",
    (False, False): "no administration rights",
}


def rights_follow_the_role(apps, schema_editor):  # type: ignore[no-untyped-def]
    User = apps.get_model("accounts", "User")
    AuditEntry = apps.get_model("accounts", "AuditEntry")
    db = schema_editor.connection.alias  # the database migrated, not always the default
    for user in User.objects.using(db).order_by("pk"):
        before = (user.is_staff, user.is_superuser)
        administrator = user.role == "administrator"
        after = (administrator, administrator)
        if before == after:
            continue
        User.objects.using(db).filter(pk=user.pk).update(
            is_staff=administrator, is_superuser=administrator
        )
        AuditEntry.objects.using(db).create(
            user=None,
            username=ACTOR,
            action="change_admin_rights",
            detail=(
                f"{user.username}: {RIGHTS[before]} -> {RIGHTS[after]} "
                "(on upgrading: administration rights now come with the role Administrator only)"
            )[:300],
        )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_user_must_change_password"),
    ]

    operations = [migrations.RunPython(rights_follow_the_role, migrations.RunPython.noop)]
