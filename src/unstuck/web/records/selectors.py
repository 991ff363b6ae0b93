"""Reads: which clients a person may see, and the data the pages and the core need.

`access_client` is the only way a view reaches one client record. It answers 404 both for a
client that does not exist and for one the person may not see, so nobody can learn which
client codes exist elsewhere in the clinic.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from unstuck.progress.summary import Observation
from unstuck.web.accounts.models import Role, User
from unstuck.web.records.models import Client, Episode, Session, Status

STATUS_FILTERS = {s.value for s in Status} | {"safety"}


def visible_clients(user: User) -> QuerySet[Client]:
    if not user.is_active:
        return Client.objects.none()
    if user.role == Role.THERAPIST:
        return Client.objects.filter(therapist=user)
    if user.role == Role.SUPERVISOR:
        return Client.objects.filter(Q(therapist=user) | Q(therapist__supervisor=user))
    return Client.objects.none()  # administrators manage the system, not clinical records


def access_client(user: User, client_id: int) -> tuple[Client, bool]:
    """The client and whether this person may change its record (only its own therapist)."""
    client = visible_clients(user).select_related("therapist").filter(pk=client_id).first()
    if client is None:
        raise Http404("No such client.")
    return client, client.therapist_id == user.pk


def caseload(user: User, *, query: str = "", status: str = "") -> QuerySet[Client]:
    """Safety first, then off track, at risk, on track, not enough data; then by code."""
    clients = visible_clients(user).select_related("therapist")
    if query:
        clients = clients.filter(Q(code__icontains=query) | Q(name__icontains=query))
    if status == "safety":
        clients = clients.filter(status_rank=0)
    elif status in STATUS_FILTERS:
        clients = clients.filter(status=status)
    return clients.order_by("status_rank", "code")


def current_episode(client: Client) -> Episode | None:
    return client.episodes.order_by("-started_on", "-id").first()


def episode_sessions(episode: Episode) -> list[Session]:
    return list(episode.sessions.prefetch_related("responses").order_by("number"))


def observations(sessions: list[Session], fallback_instrument: str) -> list[Observation]:
    """The core's view of the sessions: one observation per instrument answered.

    A session with no questionnaire (a missed one, say) still counts for attendance: it gets
    one unscored observation of `fallback_instrument`.
    """
    out: list[Observation] = []
    for s in sessions:
        responses = list(s.responses.all())
        if not responses:
            out.append(
                Observation(
                    fallback_instrument,
                    s.number,
                    None,
                    s.attendance,  # type: ignore[arg-type]
                    s.date,
                    markers=len(s.markers),
                )
            )
        for r in responses:
            out.append(
                Observation(
                    instrument=r.instrument,
                    occasion=s.number,
                    total=r.total,
                    attendance=s.attendance,  # type: ignore[arg-type]
                    date=s.date,
                    safety_alert=r.safety_alert,
                    safety_unanswered=r.safety_unanswered,
                    incomplete=r.incomplete,
                    markers=len(s.markers),
                )
            )
    return out
