"""Changes to who a client is and who sees them: their name and contact details, a client
handed over to a colleague, and a colleague's clients handed to another therapist.

A client's contact details could be typed only when the client was added, so a client added
without an email address could never be emailed a questionnaire link. A therapist made
administrator or deactivated left every client (and any open safety alert) where nobody who
may write could reach them; only counts are shown to the administrator who hands them over
(they open no clinical record), and each client moved is one audit row, naming both therapists.
A therapist hands one client over to a colleague the same way (`hand_over`): the record goes
whole, with its episode still open, safety alerts, reviews and plans, to the colleague's
caseload, for when care moves within the clinic (leave, a colleague better suited to the
work); an episode ended as "transferred to a colleague" left the colleague nothing to carry on.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet

from unstuck.errors import InvalidValue, UnstuckError
from unstuck.web.accounts.audit import record_audit
from unstuck.web.accounts.models import AuditAction, Role, User
from unstuck.web.records.models import Client
from unstuck.web.records.snapshots import lock_client
from unstuck.web.validation import field_problem


def change_details(*, user: User, client: Client, name: str, contact: str) -> list[str]:
    """Store the client's name and contact details; the audit row names what changed (never
    the values). Returns the changed fields' names."""
    problems = {f: field_problem(Client, f, v) for f, v in (("name", name), ("contact", contact))}
    if any(problems.values()):  # the form checks these too; this guards every other caller
        raise ValidationError({f: p for f, p in problems.items() if p})
    changed = [
        label
        for label, field, value in (("name", "name", name), ("contact details", "contact", contact))
        if getattr(client, field) != value
    ]
    if changed:
        Client.objects.filter(pk=client.pk).update(name=name, contact=contact)
        client.name, client.contact = name, contact
        record_audit(
            user,
            AuditAction.CHANGE_CLIENT_DETAILS,
            client_code=client.code,
            detail=" and ".join(changed),
        )
    return changed


NO_LONGER_YOURS = (
    "{code} is no longer your client: it was handed over meanwhile (from another page or "
    "by the administrator). Nothing was changed"
)
CARES = frozenset({Role.THERAPIST, Role.SUPERVISOR})  # the roles that hold a caseload


def colleagues(therapist: User) -> QuerySet[User]:
    """Who may take on a therapist's clients: the clinic's other active therapists."""
    return (
        User.objects.filter(clinic=therapist.clinic_id, role=Role.THERAPIST, is_active=True)
        .exclude(pk=therapist.pk)
        .order_by("first_name", "last_name", "username")
    )


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
        _moved(actor, code, source, target)
    return len(codes)


@transaction.atomic
def hand_over(*, user: User, client: Client, target: User) -> None:
    """Make `target`, a colleague of the client's therapist (`colleagues`), the client's
    therapist; one audit row naming both. `user` must still be the client's therapist under
    the client's lock: the view's check was made before it, and a second page may have handed
    the client over meanwhile."""
    lock_client(client)
    client.refresh_from_db(fields=["therapist"])
    source = client.therapist
    if source.pk != user.pk:
        raise UnstuckError(NO_LONGER_YOURS.format(code=client.code))
    if not colleagues(source).filter(pk=target.pk).exists():
        raise InvalidValue(
            "colleague", target.username, "is not another active therapist of this clinic"
        )
    Client.objects.filter(pk=client.pk).update(therapist=target)
    client.therapist = target
    _moved(user, client.code, source, target)


def _moved(actor: User, code: str, source: User, target: User) -> None:
    record_audit(
        actor,
        AuditAction.CLIENTS_MOVED,
        client_code=code,
        detail=f"from {source.username} to {target.username}",
    )
