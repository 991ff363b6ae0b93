"""Reads: which clients a person may see, and the data the pages and the core need.

`access_client` is the only way a view reaches one client record. It answers 404 both for a
client that does not exist and for one the person may not see, so nobody can learn which
client codes exist elsewhere in the clinic.
"""

from __future__ import annotations

from collections.abc import Container, Iterable, Sequence

from django.db.models import F, Q, QuerySet
from django.http import Http404

from unstuck.progress.summary import Observation
from unstuck.web.accounts.models import Role, User
from unstuck.web.records.models import Client, Episode, SafetyAlert, Session, Status

STATUS_FILTERS = {s.value for s in Status} | {"safety"}
ENDED = "ended"
PLAN_DUE = "plan_due"  # the caseload's filter of clients with a plan due for review (`reviews`)
# the caseload's filter of clients whose next step is an impasse review not yet begun
REVIEW_SUGGESTED = "review_suggested"


def visible_clients(user: User) -> QuerySet[Client]:
    if not user.is_active:
        return Client.objects.none()
    if user.role == Role.THERAPIST:
        return Client.objects.filter(therapist=user)
    if user.role == Role.SUPERVISOR:
        # Only the supervisees' clients of the supervisor's own clinic (the account forms keep
        # supervision inside one clinic; this holds even for an account changed elsewhere).
        supervised = Q(therapist__supervisor=user, clinic_id=user.clinic_id)
        return Client.objects.filter(Q(therapist=user) | supervised)
    return Client.objects.none()  # administrators manage the system, not clinical records


def access_client(user: User, client_id: int) -> tuple[Client, bool]:
    """The client and whether this person may change its record (`may_change`)."""
    client = visible_clients(user).select_related("therapist").filter(pk=client_id).first()
    if client is None:
        raise Http404("No such client.")
    return client, may_change(user, client)


def may_change(user: User, client: Client) -> bool:
    """Whether this person may change the record of a client they can see, and so record its
    safety check: only the client's own therapist (a supervisor reads). A page that offers a
    change asks this, as `access_client` does for the view that makes it."""
    return client.therapist_id == user.pk


def caseload_therapists(user: User) -> list[User]:
    """The therapists whose clients `user` sees (a supervisor: their own and their
    supervisees'), by name: the caseload's therapist filter."""
    return list(
        User.objects.filter(pk__in=visible_clients(user).values("therapist")).order_by(
            "first_name", "last_name", "username"
        )
    )


def caseload(
    user: User, *, query: str = "", status: str = "", therapist: int | None = None
) -> QuerySet[Client]:
    """Open safety alerts first (newest alert first), then off track, at risk, on track, not
    enough data; then by code. Ended episodes (`status=ENDED`) have no status to rank by: an
    open safety alert first all the same, then the most recently ended. A row shows no
    explanations, contact or questionnaire choice."""
    clients = (
        visible_clients(user)
        .select_related("therapist")
        .defer("explanations", "contact", "instruments")
    )
    if query:
        clients = clients.filter(Q(code__icontains=query) | Q(name__icontains=query))
    if therapist is not None:  # within those the user sees: another's id finds no one
        clients = clients.filter(therapist_id=therapist)
    if status == ENDED:  # ended episodes leave the active caseload; this filter shows them
        clients = clients.filter(episode_ended_on__isnull=False)
    elif status or not query:  # (a search with every status finds ended clients too)
        # An open safety alert is never hidden: an ended client stays (in the safety group)
        # until the therapist records the safety check.
        clients = clients.filter(
            Q(episode_ended_on__isnull=True) | Q(safety_alert_at__isnull=False)
        )
    if status == "safety":
        clients = clients.filter(status_rank=0)
    elif status in STATUS_FILTERS:
        clients = clients.filter(status=status)
    if status == ENDED:
        return clients.order_by(
            F("safety_alert_at").desc(nulls_last=True), F("episode_ended_on").desc(), "code"
        )
    return clients.order_by("status_rank", F("safety_alert_at").desc(nulls_last=True), "code")


# A client's current episode is the one begun last.
LATEST_EPISODE_FIRST = ("-started_on", "-id")


def current_episode(client: Client) -> Episode | None:
    return client.episodes.order_by(*LATEST_EPISODE_FIRST).first()


def current_episodes(clients: Sequence[Client]) -> dict[int, Episode]:
    """Each client's current episode, by client id (none for a client with none); one query."""
    current: dict[int, Episode] = {}
    by_id = {client.pk: client for client in clients}
    episodes = Episode.objects.filter(client__in=list(by_id)).order_by(*LATEST_EPISODE_FIRST)
    for episode in episodes:
        episode.client = by_id[episode.client_id]  # as `client.episodes` would have it
        current.setdefault(episode.client_id, episode)
    return current


def client_started_session(episode: Episode) -> Session | None:
    """The first session the client started by answering before it, not yet recorded.

    The therapist's next session record completes it rather than adding another session.
    """
    return episode.sessions.filter(started_by_client=True).order_by("number").first()


def client_started(client: Client) -> Session | None:
    """The current episode's session the client started (None: none, or no open episode)."""
    episode = current_episode(client)
    if episode is None or episode.ended_on is not None:
        return None
    return client_started_session(episode)


def episode_sessions(episode: Episode) -> list[Session]:
    """The sessions that count: a voided session stays in the record but not in here."""
    return sessions_by_episode([episode]).get(episode.pk, [])


def counted_sessions() -> QuerySet[Session]:
    """The sessions that count (`episode_sessions`), of every episode."""
    return Session.objects.filter(voided_at__isnull=True)


def sessions_by_episode(episodes: Iterable[Episode]) -> dict[int, list[Session]]:
    """`episode_sessions` of each of `episodes`, by episode id, in two queries."""
    out: dict[int, list[Session]] = {}
    by_id = {episode.pk: episode for episode in episodes}
    counted = counted_sessions().filter(episode__in=list(by_id))
    for session in counted.prefetch_related("responses").order_by("number"):
        session.episode = by_id[session.episode_id]  # as `episode.sessions` would have it
        out.setdefault(session.episode_id, []).append(session)
    return out


def voided_sessions(episode: Episode) -> list[Session]:
    return list(episode.sessions.filter(voided_at__isnull=False).order_by("number"))


def observations(
    sessions: list[Session], fallback_instrument: str, checked: Container[int] = ()
) -> list[Observation]:
    """The core's view of the sessions: one observation per instrument answered.

    A session with no questionnaire (a missed one, say) still counts for attendance: it gets
    one unscored observation of `fallback_instrument`. Questionnaires the client answered
    ahead of a session the therapist has not recorded yet (`started_by_client`) count as
    scores but give no attendance (None): the session may not take place, so it is neither
    attended nor missed, and answering from home does not hide missed sessions.

    A safety answer whose alerts have all been followed up by a recorded check (response ids
    in `checked`) no longer raises the core's safety signal: the check is the answer to it,
    and the rest of the signals stay.
    """
    out: list[Observation] = []
    for s in sessions:
        responses = list(s.responses.all())
        attendance = None if s.started_by_client else s.attendance
        if not responses:
            out.append(
                Observation(
                    fallback_instrument,
                    s.number,
                    None,
                    attendance,  # type: ignore[arg-type]
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
                    attendance=attendance,  # type: ignore[arg-type]
                    date=s.date,
                    safety_alert=r.safety_alert and r.pk not in checked,
                    safety_unanswered=r.safety_unanswered,
                    incomplete=r.incomplete,
                    markers=len(s.markers),
                )
            )
    return out


def open_safety_alerts(client: Client) -> list[SafetyAlert]:
    """The client's safety alerts that no check has closed yet, newest first."""
    open_alerts = client.safety_alerts.filter(safety_check__isnull=True)
    # with its answer as it is now (`safety.answer_now`: a correction is said beside it)
    return list(open_alerts.select_related("response", "after_check").order_by("-raised_at", "-id"))


def safety_history(client: Client) -> list[SafetyAlert]:
    """Every safety alert of the client with its check (if any), newest first."""
    return safety_histories([client]).get(client.pk, [])


def safety_histories(clients: Sequence[Client]) -> dict[int, list[SafetyAlert]]:
    """`safety_history` of each of `clients` with an alert, by client id; one query."""
    out: dict[int, list[SafetyAlert]] = {}
    by_id = {client.pk: client for client in clients}
    alerts = SafetyAlert.objects.filter(client__in=list(by_id)).select_related(
        "response", "after_check", "safety_check", "safety_check__checked_by"
    )
    for alert in alerts.order_by("-raised_at", "-id"):
        alert.client = by_id[alert.client_id]  # as `client.safety_alerts` would have it
        out.setdefault(alert.client_id, []).append(alert)
    return out


def checked_safety_responses(alerts: list[SafetyAlert]) -> set[int]:
    """Questionnaire answers whose safety alerts (of one client: `safety_history`) have all
    been closed by a recorded check.

    An answer with no alert row at all (stored before alerts existed) is not in the set, so
    it keeps raising the safety signal: nothing is hidden for want of a record.
    """
    closed: set[int] = set()
    still_open: set[int] = set()
    for alert in alerts:
        (still_open if alert.is_open else closed).add(alert.response_id)
    return closed - still_open


def open_alert_ids(client_ids: list[int]) -> dict[int, list[int]]:
    """The open safety alerts of these clients, by client (one query; none for no clients)."""
    if not client_ids:
        return {}
    out: dict[int, list[int]] = {}
    rows = SafetyAlert.objects.filter(client_id__in=client_ids, safety_check__isnull=True)
    for client_id, alert_id in rows.order_by("id").values_list("client_id", "id"):
        out.setdefault(client_id, []).append(alert_id)
    return out
