"""An impasse review in the words of whoever reads it: "Your notes" and "Reasons you saw" for
its author; "Alex's notes" and "Reasons Alex saw" for anyone else (a supervisor, or the
therapist who took the client over), who read another person's review as if it were their own.
A printed document (the consultation summary) is written for someone else, so it always names
the author (`third_person`).
"""

from __future__ import annotations

from dataclasses import dataclass

from unstuck.impasse.ranking import NOTED
from unstuck.web.accounts.models import User
from unstuck.web.reviews.models import Review

# When the review's author is no longer known (their account was removed).
SOMEONE = "the therapist"


@dataclass(frozen=True)
class Voice:
    notes: str  # the heading of the review's notes
    reasons: str  # the heading of the reasons rated above 0
    noted: str  # how the checklist's evidence begins ("You noted", "Alex noted")

    def evidence(self, text: str) -> str:
        """A reason's evidence as this reader reads it (the checklist's sentence is written
        in the author's voice: `impasse.ranking.MARKER_EVIDENCE`)."""
        return text.replace(f"{NOTED} “", f"{self.noted} “")


def voice(review: Review, reader: User) -> Voice:
    author = review.opened_by
    if author is not None and author.pk == reader.pk:
        return Voice(notes="Your notes", reasons="Reasons you saw", noted=NOTED)
    return third_person(review)


def third_person(review: Review) -> Voice:
    """The review naming its author, whoever reads it."""
    author = review.opened_by
    name = (author.first_name or author.display_name) if author is not None else SOMEONE
    named = name[:1].upper() + name[1:]
    return Voice(notes=f"{named}'s notes", reasons=f"Reasons {name} saw", noted=f"{named} noted")
