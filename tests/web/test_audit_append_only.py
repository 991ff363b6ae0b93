"""The audit table refuses UPDATE and DELETE in the database itself, on SQLite and PostgreSQL.

Run on both: `pytest tests/web/test_audit_append_only.py` (SQLite) and again with
DATABASE_URL=postgresql://... (the Makefile's `test` target does).
"""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from unstuck.web.accounts.append_only import REFUSAL, TABLE
from unstuck.web.accounts.audit import record_audit
from unstuck.web.accounts.models import AuditAction, AuditEntry


@pytest.fixture
def entry(personas) -> AuditEntry:
    return record_audit(personas.therapist, AuditAction.VIEW_CLIENT, client_code="C-970")


def snapshot(pk: int) -> tuple[object, ...]:
    return tuple(AuditEntry.objects.filter(pk=pk).values_list("username", "action", "detail").get())


@pytest.mark.parametrize(
    "sql",
    [
        f"UPDATE {TABLE} SET detail = 'rewritten' WHERE id = %s",
        f"UPDATE {TABLE} SET username = 'someone else' WHERE id = %s",
        f"DELETE FROM {TABLE} WHERE id = %s",
    ],
)
def test_raw_sql_cannot_change_an_entry(entry, sql: str) -> None:
    before = snapshot(entry.pk)
    with (
        pytest.raises(DatabaseError, match=REFUSAL),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, [entry.pk])
    assert snapshot(entry.pk) == before


def test_the_orm_cannot_change_an_entry_either(entry) -> None:
    before = snapshot(entry.pk)
    with pytest.raises(DatabaseError, match=REFUSAL), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).update(detail="rewritten")
    with pytest.raises(DatabaseError, match=REFUSAL), transaction.atomic():
        AuditEntry.objects.all().delete()
    assert snapshot(entry.pk) == before


@pytest.mark.skipif(connection.vendor != "postgresql", reason="TRUNCATE is PostgreSQL's")
def test_truncate_is_refused_on_postgresql(entry) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending deferred checks
    with (
        pytest.raises(DatabaseError, match=REFUSAL),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(f"TRUNCATE {TABLE} CASCADE")
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_new_entries_are_still_added(entry, personas) -> None:
    record_audit(personas.therapist, AuditAction.VIEW_CASELOAD)
    assert AuditEntry.objects.count() == 2
