"""The impasse workflow in the demo: for one client of each therapist whose scores are not
moving the right way, a review opened at their latest session and a plan made from it.

Without it a newcomer met the demo's stuck and worsening clients with no review anywhere to
look at. The review is the one the form would suggest (`knowledge.prefill`
from the record), and the plan takes the first two strategies the seeds rank for it that are
not an ending or a referral, as a therapist trying the workflow might; both are dated at the
client's latest session, and the plan's review date is three weeks after it.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from unstuck.web.accounts.models import Role, User
from unstuck.web.records import selectors as records
from unstuck.web.records.models import Client
from unstuck.web.records.snapshots import SUGGESTS_REVIEW, refresh_status
from unstuck.web.reviews import knowledge, selectors, services
from unstuck.web.reviews.models import Plan, Review

PLAN_STRATEGIES = 2
REVIEW_AFTER = dt.timedelta(weeks=3)
# the flags of scores not moving the right way: getting worse, off the expected course,
# levelled off, too little change so far
NOT_MOVING = (*SUGGESTS_REVIEW, "plateau", "slow_response")


@transaction.atomic
def demo_reviews() -> None:
    """Open the demo's reviews and plans (`web.demo.reviews_under_way` lists them)."""
    for therapist in User.objects.filter(role=Role.THERAPIST).order_by("username"):
        client = _candidate(therapist)
        if client is None:
            continue
        episode = records.current_episode(client)
        assert episode is not None  # a client with a status has sessions in one
        sessions = records.episode_sessions(episode)
        ratings = knowledge.prefill(selectors.evidence(client, sessions))
        review = services.open_review(user=therapist, client=client, ratings=ratings)
        ranked = knowledge.rank({r: rating for r, (rating, _) in ratings.items()}, review.flags, {})
        chosen = [services.ChosenStrategy(s.id, s.why) for s in ranked if not s.closure]
        last = sessions[-1].date
        plan = services.make_plan(
            user=therapist,
            review=review,
            chosen=chosen[:PLAN_STRATEGIES],
            review_on=last + REVIEW_AFTER,
        )
        # made at the latest session, not when the demo was loaded
        at = dt.datetime.combine(last, dt.time(13), tzinfo=dt.UTC)
        Review.objects.filter(pk=review.pk).update(opened_at=at)
        Plan.objects.filter(pk=plan.pk).update(created_at=at)
        refresh_status(client)  # its next step names the plan's dates


def _candidate(therapist: User) -> Client | None:
    """The therapist's most urgent client whose scores are not moving the right way (no
    safety alert open: a review waits for the safety check), the most recently seen first."""
    clients = Client.objects.filter(
        therapist=therapist, status_rank__in=(1, 2), episode_ended_on__isnull=True
    ).order_by("status_rank", "-last_session_on", "code")
    return next((c for c in clients if c.flags and c.flags[0] in NOT_MOVING), None)
