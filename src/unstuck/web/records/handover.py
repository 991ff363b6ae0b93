"""Handing a colleague's clients to another therapist, for when their role changes or they
leave: without it, a therapist made administrator or deactivated left every client (and any
open safety alert) where nobody who may write could reach them.

Only counts are shown to the administrator who does it (they open no clinical record); each
client moved is one audit row, naming both therapists.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import QuerySet

from unstuck.web.accounts.audit import record_audit
from unstuck.web.accounts.models import AuditAction, Role, User
from unstuck.web.records.models import Client

CARES = frozenset({Role.THERAPIST, Role.SUPERVISOR})  # the roles that hold a caseload


def clients_of(therapist: User) -> QuerySet[Client]:
    return Client.objects.filter(therapist=therapist)


def held(therapist: User) -> str:
    """'30 clients, 12 in an episode in progress, 1 with an open safety alert' ('' if none)."""
    clients = clients_of(therapist)
    total = clients.count()
    if not total:
        return ""
    current = clients.filter(episode_ended_on__isnull=True).count()
    alerts = clients.filter(safety_alert_at__isnull=False).count()
    parts = [f"{total} client{'s' if total != 1 else ''}", f"{current} in an episode in progress"]
    if alerts:
        parts.append(f"{alerts} with an open safety alert")
    return ", ".join(parts)


@transaction.atomic
def move_clients(*, actor: User, source: User, target: User) -> int:
    """Make `target` the therapist of every client of `source`; one audit row per client."""
    codes = list(
        Client.objects.select_for_update()
        .filter(therapist=source)
        .order_by("code")
        .values_list("code", flat=True)
    )
    Client.objects.filter(therapist=source).update(therapist=target)
    for code in codes:
        record_audit(
            actor,
            AuditAction.CLIENTS_MOVED,
            client_code=code,
            detail=f"from {source.username} to {target.username}",
        )
    return len(codes)
