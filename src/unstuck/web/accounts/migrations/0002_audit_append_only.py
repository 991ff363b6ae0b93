"""The audit table refuses UPDATE and DELETE (and TRUNCATE on PostgreSQL): see append_only."""

from typing import Any

from django.db import migrations

from unstuck.web.accounts import append_only


def install(apps: Any, schema_editor: Any) -> None:
    for sql in append_only.create_statements(schema_editor.connection.vendor):
        schema_editor.execute(sql, None)  # None: the SQL has a literal %


def remove(apps: Any, schema_editor: Any) -> None:
    for sql in append_only.remove_statements(schema_editor.connection.vendor):
        schema_editor.execute(sql, None)  # None: the SQL has a literal %


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [migrations.RunPython(install, remove)]
