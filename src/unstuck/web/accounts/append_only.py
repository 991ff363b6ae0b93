"""The audit table refuses UPDATE and DELETE in the database itself.

The application never changes an entry (`AuditEntry` rows are only inserted), so the database
can refuse the rest to everyone, the application's own role included: a bug, an injected
statement or a hurried fix cannot rewrite who did what. PostgreSQL also refuses TRUNCATE.
SQLite has no roles, so anyone who can write the file can drop the trigger; there it guards
against the application itself, which is as far as SQLite allows.

Installed by migration ``accounts.0002_audit_append_only``. `remove_statements` exists for the
test suite, which empties every table between browser tests (see tests/conftest.py).
"""

from __future__ import annotations

TABLE = "accounts_auditentry"
REFUSAL = "the audit log is append-only"

_POSTGRES_CREATE = [
    f"""
    CREATE OR REPLACE FUNCTION {TABLE}_refuse_change() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION '{REFUSAL}: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
    END;
    $$
    """,
    f"""
    CREATE TRIGGER {TABLE}_append_only BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION {TABLE}_refuse_change()
    """,
    f"""
    CREATE TRIGGER {TABLE}_no_truncate BEFORE TRUNCATE ON {TABLE}
    FOR EACH STATEMENT EXECUTE FUNCTION {TABLE}_refuse_change()
    """,
]
_POSTGRES_REMOVE = [
    f"DROP TRIGGER IF EXISTS {TABLE}_append_only ON {TABLE}",
    f"DROP TRIGGER IF EXISTS {TABLE}_no_truncate ON {TABLE}",
    f"DROP FUNCTION IF EXISTS {TABLE}_refuse_change()",
]
_SQLITE_CREATE = [
    f"""
    CREATE TRIGGER IF NOT EXISTS {TABLE}_no_update BEFORE UPDATE ON {TABLE}
    BEGIN SELECT RAISE(ABORT, '{REFUSAL}: UPDATE refused'); END
    """,
    f"""
    CREATE TRIGGER IF NOT EXISTS {TABLE}_no_delete BEFORE DELETE ON {TABLE}
    BEGIN SELECT RAISE(ABORT, '{REFUSAL}: DELETE refused'); END
    """,
]
_SQLITE_REMOVE = [
    f"DROP TRIGGER IF EXISTS {TABLE}_no_update",
    f"DROP TRIGGER IF EXISTS {TABLE}_no_delete",
]


def create_statements(vendor: str) -> list[str]:
    """The SQL that installs the guard on this database vendor (Django's `connection.vendor`)."""
    return {"postgresql": _POSTGRES_CREATE, "sqlite": _SQLITE_CREATE}.get(vendor, [])


def remove_statements(vendor: str) -> list[str]:
    return {"postgresql": _POSTGRES_REMOVE, "sqlite": _SQLITE_REMOVE}.get(vendor, [])
