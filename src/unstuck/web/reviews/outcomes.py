"""Reads for what helps whom: the clinic's plans as the core's trials (unstuck.impasse.outcomes).

Each strategy in each plan of the clinic becomes one trial: the review's reason ratings, the
latest result recorded for it, and whether the client was on track at the follow-up session
(`follow_up_sessions` after the plan began, counting its first session), judged by the same
core summary the client page uses, on the sessions up to that one. Unknown (None) when the
client has not reached that session yet.
"""

from __future__ import annotations

from collections.abc import Mapping

from unstuck.impasse.outcomes import Tally, Trial, default_outcome_rules, what_helps_whom
from unstuck.progress.summary import summarise_clients
from unstuck.web.accounts.models import Clinic
from unstuck.web.records import selectors as records
from unstuck.web.records.instruments import MAIN_INSTRUMENT, course_models, instruments, thresholds
from unstuck.web.records.models import Session
from unstuck.web.reviews.models import Plan


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
    plans = list(
        Plan.objects.filter(client__clinic=clinic)
        .select_related("client", "review")
        .prefetch_related("strategies__results", "review__reasons")
        .order_by("id")
    )
    # Each planned client's current episode and its sessions, read together: one read per
    # client made the team page's queries grow with the clinic's plans.
    sessions: dict[int, list[Session]] = {}
    if follow_up:
        current = records.current_episodes(list({p.client_id: p.client for p in plans}.values()))
        of_episode = records.sessions_by_episode(current.values())
        sessions = {pk: of_episode.get(episode.pk, []) for pk, episode in current.items()}
    upto = {
        plan.pk: up_to_follow_up(sessions.get(plan.client_id, []), plan.start_session, after)
        for plan in plans
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
    for plan in plans:
        ratings = {r.reason_id: r.rating for r in plan.review.reasons.all()}
        back = None if upto[plan.pk] is None else judged[str(plan.pk)].status == "on_track"
        for ps in plan.strategies.all():
            results = list(ps.results.all())
            latest = results[-1].result if results else None
            out.append(Trial(plan.client.code, ps.strategy_id, ratings, latest, back))
    return out


def clinic_tallies(
    clinic: Clinic, *, follow_up: bool = True
) -> Mapping[tuple[str, str | None], Tally]:
    return what_helps_whom(clinic_trials(clinic, follow_up=follow_up))
