"""The impasse workflow: reviews, plans and their results, goals, reflections, closure letters.

Reason and strategy ids refer to the knowledge base in `unstuck.impasse` (data files); the
rationale shown when a strategy was chosen is copied in, so a plan reads the same later even
if the knowledge base is revised.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from unstuck.web.records.models import Client, EndReason

USER = settings.AUTH_USER_MODEL


class Goal(models.Model):
    """A goal agreed with the client; its wording lives in revisions, so history is kept."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="goals")
    position = models.PositiveSmallIntegerField(default=0)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["-active", "position", "id"]

    @property
    def current(self) -> GoalRevision | None:
        """The latest wording (uses prefetched revisions when there are some)."""
        revisions = list(self.revisions.all())
        return revisions[-1] if revisions else None

    @property
    def set_aside(self) -> bool:
        return not self.active

    @property
    def latest_rating(self) -> GoalRating | None:
        ratings = list(self.ratings.all())
        return ratings[-1] if ratings else None


class GoalChange(models.TextChoices):
    AGREED = "agreed", "Agreed"
    SHRUNK = "shrunk", "Made smaller"
    REWORDED = "reworded", "Reworded"
    MORE_SOLVABLE = "more_solvable", "Swapped for a more solvable first step"
    REPRIORITISED = "reprioritised", "Order changed"
    SET_ASIDE = "set_aside", "Set aside"


class GoalRevision(models.Model):
    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="revisions")
    text = models.CharField(max_length=500, help_text="In the client's own words.")
    change = models.CharField(max_length=20, choices=GoalChange.choices)
    note = models.CharField(max_length=500, blank=True)
    revised_at = models.DateTimeField(auto_now_add=True)
    revised_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering: ClassVar[list[str]] = ["revised_at", "id"]


# Goal attainment scaling, in words (the rating form shows each with its number).
ATTAINMENT_WORDS = {
    -2: "much less than expected",
    -1: "somewhat less than expected",
    0: "as expected",
    1: "somewhat more than expected",
    2: "much more than expected",
}


class GoalRating(models.Model):
    """Goal attainment scaling: -2 much less than expected ... 0 as expected ... +2 much more."""

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="ratings")
    rated_on = models.DateField()
    attainment = models.SmallIntegerField(validators=[MinValueValidator(-2), MaxValueValidator(2)])
    note = models.CharField(max_length=500, blank=True)

    @property
    def attainment_words(self) -> str:
        return ATTAINMENT_WORDS[self.attainment]

    class Meta:
        ordering: ClassVar[list[str]] = ["rated_on", "id"]
        constraints: ClassVar[list[Any]] = [
            models.CheckConstraint(
                condition=models.Q(attainment__gte=-2, attainment__lte=2),
                name="attainment_in_range",
            )
        ]


class Review(models.Model):
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="reviews")
    opened_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    opened_at = models.DateTimeField(auto_now_add=True)
    flags = models.JSONField(default=list)  # the client's flags when the review was opened
    status = models.CharField(max_length=20)
    safety_checked = models.BooleanField(default=False)
    notes = models.TextField(blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["-opened_at", "-id"]


class ReviewReason(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="reasons")
    reason_id = models.CharField(max_length=60)
    # 0 not present, 1 possibly, 2 probably, 3 clearly present
    rating = models.PositiveSmallIntegerField(validators=[MaxValueValidator(3)])
    evidence = models.TextField(blank=True)


class Plan(models.Model):
    review = models.OneToOneField(Review, on_delete=models.CASCADE, related_name="plan")
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="plans")
    created_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    start_session = models.PositiveIntegerField(help_text="The first session under this plan.")
    review_on = models.DateField()

    class Meta:
        ordering: ClassVar[list[str]] = ["-created_at", "-id"]


class PlanStrategy(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="strategies")
    strategy_id = models.CharField(max_length=60)
    name = models.CharField(max_length=200)
    why = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering: ClassVar[list[str]] = ["position", "id"]


class Result(models.TextChoices):
    HELPED = "helped", "Helped"
    PARTLY = "partly", "Helped partly"
    DID_NOT_HELP = "did_not_help", "Did not help"
    NOT_TRIED = "not_tried", "Not tried yet"


class StrategyResult(models.Model):
    strategy = models.ForeignKey(PlanStrategy, on_delete=models.CASCADE, related_name="results")
    recorded_on = models.DateField()
    session_number = models.PositiveIntegerField(null=True, blank=True)
    result = models.CharField(max_length=20, choices=Result.choices)
    note = models.TextField(blank=True)
    recorded_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering: ClassVar[list[str]] = ["recorded_on", "id"]


class Reflection(models.Model):
    """A therapist's private check-in; only its author can ever read it."""

    author = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="reflections")
    client = models.ForeignKey(
        Client, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    frustration = models.PositiveSmallIntegerField(validators=[MaxValueValidator(4)])
    reactions = models.TextField(blank=True)  # feelings the work stirs up (countertransference)
    wants_supervision = models.BooleanField(default=False)
    wants_self_care = models.BooleanField(default=False)
    note = models.TextField(blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["-created_at", "-id"]


class LetterKind(models.TextChoices):
    REFERRAL = "referral", "Referral letter"
    TERMINATION = "termination", "Ending summary"


def default_end_reason(kind: str) -> str:
    """How an episode closed with a letter of `kind` ended, unless the therapist says."""
    return EndReason.REFERRED if kind == LetterKind.REFERRAL else EndReason.COMPLETED


class ClosureLetter(models.Model):
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="letters")
    kind = models.CharField(max_length=20, choices=LetterKind.choices)
    recipient = models.CharField(max_length=300, blank=True)
    reason = models.TextField(blank=True)
    recommendations = models.TextField(blank=True)
    resources = models.TextField(blank=True)
    # What the record said when the letter was written (`letters.letter_facts`): the letter
    # reads the same ever after. Empty for letters written before it was stored.
    written_from = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["-created_at", "-id"]
