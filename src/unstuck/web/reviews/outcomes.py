"""Reads for what helps whom: the clinic's plans as the core's trials (unstuck.impasse.outcomes).

Each strategy in each plan of the clinic becomes one trial: the review's reason ratings, the
latest result recorded for it, and whether the client was on track at the follow-up session
(`follow_up_sessions` after the plan began, counting its first session), judged by the same
core summary the client page uses, on the sessions up to that one. Unknown (None) when the
client has not reached that session yet.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping

from unstuck.impasse.outcomes import Tally, Trial, default_outcome_rules, what_helps_whom
from unstuck.progress.summary import summarise_clients
from unstuck.web.accounts.models import Clinic
from unstuck.web.records import selectors as records
from unstuck.web.records.instruments import MAIN_INSTRUMENT, course_models, instruments, thresholds
from unstuck.web.records.models import Client, Session
from unstuck.web.reviews.models import Plan, PlanStrategy, ReviewReason, StrategyResult


def up_to_follow_up(sessions: list[Session], start: int, follow_up: int) -> list[Session] | None:
    """The sessions up to the follow-up session `start + follow_up - 1`; None if not there."""
    judged = start + follow_up - 1
    if not any(s.number >= judged for s in sessions):
        return None
    return [s for s in sessions if s.number <= judged]


def clinic_trials(clinic: Clinic, *, follow_up: bool = True) -> list[Trial]:
    """Every strategy in every plan of the clinic; `follow_up=False` leaves back-on-track unknown.

    Judging the follow-up status runs the core's summary on every plan's sessions up to its
    follow-up (once for all plans, but it reads every planned client's sessions), so the
    review page, which shows recorded results only, skips it; the team page computes it.
    """
    after = default_outcome_rules().follow_up_sessions
    # Read as plain rows, whatever the number of the clinic's plans: the review page reads
    # them all on every view.
    planned = Plan.objects.filter(client__clinic=clinic)
    plans = list(
        planned.order_by("id").values_list(
            "pk", "client_id", "client__code", "review_id", "start_session"
        )
    )
    ratings: dict[int, dict[str, int]] = defaultdict(dict)
    rated = ReviewReason.objects.filter(review__plan__in=planned)
    for review_id, reason_id, rating in rated.values_list("review_id", "reason_id", "rating"):
        ratings[review_id][reason_id] = rating
    latest: dict[int, str] = {}  # each strategy's latest result
    results = StrategyResult.objects.filter(strategy__plan__in=planned).order_by(
        "recorded_on", "id"
    )
    for strategy_pk, result in results.values_list("strategy_id", "result"):
        latest[strategy_pk] = result
    strategies: dict[int, list[tuple[int, str]]] = defaultdict(list)
    listed = PlanStrategy.objects.filter(plan__in=planned).order_by("position", "id")
    for strategy_pk, plan_pk, strategy_id in listed.values_list("pk", "plan_id", "strategy_id"):
        strategies[plan_pk].append((strategy_pk, strategy_id))
    # Each planned client's current episode and its sessions, read together: one read per
    # client made the team page's queries grow with the clinic's plans.
    sessions: dict[int, list[Session]] = {}
    if follow_up:
        clients = list(Client.objects.filter(pk__in={client_pk for _, client_pk, *_ in plans}))
        current = records.current_episodes(clients)
        of_episode = records.sessions_by_episode(current.values())
        sessions = {pk: of_episode.get(episode.pk, []) for pk, episode in current.items()}
    upto = {
        plan_pk: up_to_follow_up(sessions.get(client_pk, []), start, after)
        for plan_pk, client_pk, _, _, start in plans
    }
    # Each plan's follow-up status, judged for all plans in one run of the core's summary.
    judged = summarise_clients(
        {
            str(pk): records.observations(held, MAIN_INSTRUMENT)
            for pk, held in upto.items()
            if held is not None
        },
        instruments(),
        models=course_models(),
        thresholds=thresholds(),
    )
    out: list[Trial] = []
    for plan_pk, _, code, review_id, _ in plans:
        back = None if upto[plan_pk] is None else judged[str(plan_pk)].status == "on_track"
        for strategy_pk, strategy_id in strategies[plan_pk]:
            out.append(Trial(code, strategy_id, ratings[review_id], latest.get(strategy_pk), back))
    return out


def clinic_tallies(
    clinic: Clinic, *, follow_up: bool = True
) -> Mapping[tuple[str, str | None], Tally]:
    return what_helps_whom(clinic_trials(clinic, follow_up=follow_up))
