"""Each client's status snapshot: the core's summary of the current episode, stored on the
client so the caseload, the client page and the team pages read it without recomputing.

A snapshot is written by every write to the client (`refresh_status`, inside the write's
transaction) and names the rules it was made with (`rules_version`: the Unstuck version, the
thresholds, the expected courses and the instrument definitions). When those change (an
upgrade, a clinic's new thresholds or models file, an uploaded instrument), `fresh` remakes a
client's snapshot on its next view and `refresh_stale` remakes them all, as `unstuck serve`
does before it starts: a therapist never reads a status made by rules no longer in use.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Literal

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from unstuck.progress.change import criteria_for
from unstuck.progress.signals import STATUS_RANK
from unstuck.progress.summary import ClientSummary, summarise_clients
from unstuck.progress.withdrawal import ABSENCE
from unstuck.progress.wording import FLAG_NAMES, MISSING_WHILE_IMPROVING
from unstuck.web.records import safety, selectors
from unstuck.web.records.instruments import (
    MAIN_INSTRUMENT,
    course_models,
    instruments,
    rules_version,
    thresholds,
)
from unstuck.web.records.models import Client, Episode, SafetyAlert, Session

# The client's fields the snapshot writes.
SNAPSHOT_FIELDS = (
    "status",
    "status_rank",
    "flags",
    "flag_measures",
    "explanations",
    "measures",
    "trend",
    "sessions_count",
    "last_session_on",
    "next_action",
    "safety_alert_at",
    "rules_version",
)
BATCH = 200  # clients read and summarised together by `refresh_statuses`
ENDING_NOTE = MISSING_WHILE_IMPROVING[: MISSING_WHILE_IMPROVING.index("{")]  # its fixed start
EARLY_NOTE = FLAG_NAMES["early_response"] + ":"  # how the early-response note begins


def notes_in(explanations: Sequence[str]) -> list[str]:
    """The notes (no flag, no colour) among a client's explanations that the client page
    names at a glance: the early-response note (`progress.response`)."""
    return ["early_response"] if any(e.startswith(EARLY_NOTE) for e in explanations) else []


# What to do next, by the most urgent flag (the therapist decides; these are prompts);
# withdrawal_risk's follows its reasons (`next_step`).
NEXT_ACTIONS = {
    "safety": "Check in about safety today",
    "deterioration": "Talk it over together and consider an impasse review",
    "not_on_track": "Talk it over together and consider an impasse review",
    "plateau": "Revisit goals together",
    "slow_response": "Review together how therapy is going",
    "withdrawal_risk": "Reach out and talk about coming to sessions",
    "alliance_rupture": "Ask how the sessions feel for them",
}
NO_FLAG_ACTIONS = {
    "on_track": "Keep going; measure next session",
    "insufficient_data": "Measure at the next session: progress is judged from two scores",
    "at_risk": "Look at the drift together",
}
ENDED_ACTION = "The episode of care has ended; reopen it to record more sessions"
# The flags whose step is to consider an impasse review, once one is under way in this
# episode: its plan to make, or the plan made to follow (`under_way`).
SUGGESTS_REVIEW = ("deterioration", "not_on_track")
# The next steps that suggest an impasse review with none under way (`next_step`).
REVIEW_SUGGESTED = frozenset(NEXT_ACTIONS[flag] for flag in SUGGESTS_REVIEW)
REVIEW_BEGUN = (
    "Talk it over together and finish the impasse review begun {opened:%Y-%m-%d}: "
    "its plan is still to make"
)
PLAN_MADE = (
    "Talk it over together and follow the plan made {made:%Y-%m-%d}; "
    "look at how it went by {review_on:%Y-%m-%d}"
)
# On course, with the early-response note (little change by sessions 2-4; no flag).
EARLY_ACTION = "Keep going, and review together how therapy is going"
# No flag, and every measure that has a clinical range is reliably out of it: clients often
# end once they feel better enough (Barkham et al., 2006; Stiles et al., 2008), so an ending
# planned together is worth a word rather than "keep going".
RECOVERED_ACTION = "Reliably recovered: talk together about how and when to end"


def summarise(
    client: Client,
    *,
    episode: Episode | Literal[False] | None = False,
    alerts: list[SafetyAlert] | None = None,
) -> tuple[ClientSummary, list[Session]]:
    """The core's summary of the client's current episode, and its sessions.

    A caller that has just read the current `episode` or the client's safety `alerts`
    (`selectors.safety_history`) passes them, so they are not read again.
    """
    if episode is False:
        episode = selectors.current_episode(client)
    sessions = selectors.episode_sessions(episode) if episode else []
    if alerts is None:
        alerts = selectors.safety_history(client)
    return _summaries({client.code: (sessions, alerts)})[client.code], sessions


def _summaries(
    held: Mapping[str, tuple[list[Session], list[SafetyAlert]]],
) -> dict[str, ClientSummary]:
    """The core's summary of each client's counted sessions, by the caller's key, with the
    client's safety alerts (`selectors.safety_history`): an answer whose alerts a check has
    closed no longer raises the safety signal. One run of the core for them all."""
    return summarise_clients(
        {
            key: selectors.observations(
                sessions, MAIN_INSTRUMENT, selectors.checked_safety_responses(alerts)
            )
            for key, (sessions, alerts) in held.items()
        },
        instruments(),
        models=course_models(),
        thresholds=thresholds(),
    )


def refresh_status(
    client: Client, *, episode: Episode | Literal[False] | None = False
) -> ClientSummary:
    """Recompute and store the client's status snapshot (call inside the write's transaction).

    An open safety alert puts the client in the safety group (rank 0, ordered by the alert's
    time), off track, and makes the next step a safety check-in naming the answer; a checked
    answer no longer does (see `summarise`), while the client's other signals stay. A caller
    that holds the current `episode` (None: the client has none) passes it.
    """
    if episode is False:
        episode = selectors.current_episode(client)
    alerts = selectors.safety_history(client)
    summary, sessions = summarise(client, episode=episode, alerts=alerts)
    _store(client, summary, episode, sessions, alerts)
    return summary


def refresh_statuses(
    ids: Sequence[int], progress: Callable[[int, int], None] | None = None
) -> list[Client]:
    """`refresh_status` of many clients (an import, new rules), by id; the clients, remade,
    in the order given. A batch at a time is locked, read and summarised together: the
    core's summary costs about the same for a batch as for one client. `progress` hears
    (0, total) before the first batch, then how many are done after each."""
    out: list[Client] = []
    if progress and ids:
        progress(0, len(ids))  # about to begin
    for start in range(0, len(ids), BATCH):
        with transaction.atomic():
            chosen = ids[start : start + BATCH]
            found = Client.objects.select_for_update().filter(pk__in=chosen).in_bulk()
            batch = [found[pk] for pk in chosen if pk in found]
            episodes = selectors.current_episodes(batch)
            sessions = selectors.sessions_by_episode(episodes.values())
            alerts = selectors.safety_histories(batch)
            held = {
                c.pk: sessions.get(episodes[c.pk].pk, []) if c.pk in episodes else [] for c in batch
            }
            # Keyed by id: two clinics may each have a client with the same code.
            summaries = _summaries({str(c.pk): (held[c.pk], alerts.get(c.pk, [])) for c in batch})
            for client in batch:
                _store(
                    client,
                    summaries[str(client.pk)],
                    episodes.get(client.pk),
                    held[client.pk],
                    alerts.get(client.pk, []),
                )
        out += batch
        if progress:
            progress(start + len(chosen), len(ids))
    return out


def _store(
    client: Client,
    summary: ClientSummary,
    episode: Episode | None,
    sessions: list[Session],
    alerts: list[SafetyAlert],
) -> None:
    """Write the client's snapshot from the core's `summary` of the current `episode` (its
    counted `sessions`) and the client's safety `alerts`, newest first."""
    flags = list(summary.flags)
    explanations = list(summary.explanations)
    still_open = [a for a in alerts if a.is_open]  # newest first
    if still_open and "safety" not in flags:  # an earlier episode's, or an answer corrected
        flags.insert(0, "safety")
        explanations.insert(0, safety.open_sentence(safety.gravest(still_open)))
        # The core suggests planning an ending only with no safety answer in the data: an
        # open alert it does not see is one all the same.
        explanations = [e for e in explanations if not e.startswith(ENDING_NOTE)]
    # An open alert is the safety flag, a red one (`signals.RED`), and red is off track
    # (`signals.status_expr`): so it is for an alert the summary no longer sees too (an answer
    # corrected to 0, or from an earlier episode), as for one it does.
    client.status = "off_track" if "safety" in flags else summary.status
    client.rules_version = rules_version()
    client.status_rank = 0 if "safety" in flags else STATUS_RANK[summary.status]
    client.safety_alert_at = still_open[0].raised_at if still_open else None
    client.flags = flags
    client.flag_measures = {flag: list(ids) for flag, ids in summary.flag_measures.items()}
    client.explanations = explanations
    client.measures = {m.instrument: m.to_dict() for m in summary.measures}
    client.trend = [
        r.total
        for s in sessions
        for r in s.responses.all()
        if r.instrument == MAIN_INSTRUMENT and r.total is not None
    ][-12:]
    client.sessions_count = len(sessions)
    # the last session held: answers given from home ahead of one are not a visit
    held = [s for s in sessions if not s.started_by_client]
    client.last_session_on = held[-1].date if held else None
    if still_open:
        client.next_action = safety.next_step(still_open)
    elif client.episode_ended_on is not None:  # no review or plan to suggest for a closed one
        client.next_action = ENDED_ACTION
    else:
        client.next_action = (
            next_step(flags[0], summary.withdrawal_reasons, under_way(client, episode))
            if flags
            else RECOVERED_ACTION
            if summary.status == "on_track" and _reliably_recovered(summary)
            else EARLY_ACTION
            if summary.status == "on_track" and notes_in(explanations)
            else NO_FLAG_ACTIONS.get(summary.status, "")
        )
    client.save(update_fields=SNAPSHOT_FIELDS)


def next_step(flag: str, withdrawal_reasons: Sequence[str], review: str = "") -> str:
    """The next step for the most urgent flag. Pulling away follows its reasons: sessions
    missed or spaced out call for reaching out about coming; signs of pulling back in the
    room or falling session feedback, from a client who comes, for asking how the sessions
    feel for them (as a rupture does). A flag that suggests an impasse review names the
    one under way instead (`review`, from `under_way`), if there is one."""
    if flag == "withdrawal_risk" and not set(withdrawal_reasons) & set(ABSENCE):
        return NEXT_ACTIONS["alliance_rupture"]
    if flag in SUGGESTS_REVIEW and review:
        return review
    return NEXT_ACTIONS[flag]


def review_suggested(clients: QuerySet[Client]) -> QuerySet[Client]:
    """The clients whose next step is to consider an impasse review, none being under way in
    their episode: getting worse or not on track is their most urgent flag, with no safety
    alert open and the episode not ended (the snapshot's `next_action`, made by `next_step`).
    """
    return clients.filter(next_action__in=REVIEW_SUGGESTED)


def under_way(client: Client, episode: Episode | None) -> str:
    """The step an impasse review opened in this episode leaves ('' for none): to make its
    plan, or to follow the plan and look at how it went by its date. The latest review
    counts. The reviews app's records are read through the client's relations (that app
    sits on this one); its writes refresh the status (`reviews.services`)."""
    if episode is None:
        return ""
    latest = (
        client.reviews.filter(opened_at__date__gte=episode.started_on)
        .select_related("plan")
        .first()
    )
    if latest is None:
        return ""
    plan = getattr(latest, "plan", None)
    if plan is None:
        return REVIEW_BEGUN.format(opened=timezone.localdate(latest.opened_at))
    return PLAN_MADE.format(made=timezone.localdate(plan.created_at), review_on=plan.review_on)


def fresh(client: Client) -> Client:
    """`client`, its snapshot remade first if the rules have changed since it was made."""
    if client.rules_version != rules_version():
        with transaction.atomic():
            lock_client(client)
            client.refresh_from_db()
            if client.rules_version != rules_version():  # not remade meanwhile
                refresh_status(client)
    return client


def refresh_stale(progress: Callable[[int, int], None] | None = None) -> int:
    """Remake every snapshot made with other rules than those in use; how many were."""
    stale = Client.objects.exclude(rules_version=rules_version()).order_by("pk")
    return len(refresh_statuses(list(stale.values_list("pk", flat=True)), progress))


def lock_client(client: Client) -> None:
    """Serialise the writes to one client: a second save waits here until the first commits.

    Call it first in a write's transaction. PostgreSQL locks the client's row (SELECT ... FOR
    UPDATE); on SQLite the whole write transaction already holds the database's write lock
    (BEGIN IMMEDIATE, see unstuck.web.storage), so the query is a plain read there.
    """
    list(Client.objects.select_for_update().filter(pk=client.pk).values_list("pk", flat=True))


def _reliably_recovered(summary: ClientSummary) -> bool:
    """Every measure that started in its clinical range is reliably recovered, and none is in
    it now: a GAD-7 that started below its cutoff and has risen to it is a case again, and
    no time to talk about ending (a measure without a clinical range does not count)."""
    judged = [m for m in summary.measures if m.recovered is not None]
    if not judged or not all(m.reliably_recovered for m in judged):
        return False
    installed = instruments()
    for m in summary.measures:
        criteria = criteria_for(installed[m.instrument]) if m.instrument in installed else None
        has_range = criteria is not None and criteria.cutoff is not None
        if has_range and m.last is not None and criteria.in_clinical_range(m.last):  # type: ignore[union-attr]
            return False
    return True
