"""Forms of the impasse workflow."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from django import forms
from django.utils import timezone

from unstuck.web.records.forms import EndsTheEpisode, end_reason_field
from unstuck.web.records.models import EndReason
from unstuck.web.records.safety import CONFIRM_LABEL
from unstuck.web.reviews.models import (
    ATTAINMENT_WORDS,
    GoalChange,
    LetterKind,
    Result,
    default_end_reason,
)
from unstuck.web.validation import CheckedText

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
RATINGS = [(0, "0 not present"), (1, "1 possibly"), (2, "2 probably"), (3, "3 clearly")]
ATTAINMENT = [
    (v, f"{v:+d} {words}" if v else f"0 {words}") for v, words in ATTAINMENT_WORDS.items()
]
FRUSTRATION = [(0, "0 none"), (1, "1 a little"), (2, "2 some"), (3, "3 a lot"), (4, "4 very much")]


class GoalForm(CheckedText):
    text = forms.CharField(
        max_length=500,
        label="Goal, in the client's own words",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


class GoalReviseForm(CheckedText):
    text = forms.CharField(max_length=500, label="New wording (client's own words)")
    change = forms.ChoiceField(  # no default: a revision says what changed
        choices=[("", "Choose…")] + [c for c in GoalChange.choices if c[0] != GoalChange.AGREED],
        label="What changed",
    )
    note = forms.CharField(max_length=500, required=False)


class GoalRateForm(CheckedText):
    attainment = forms.TypedChoiceField(choices=ATTAINMENT, coerce=int, widget=forms.RadioSelect)
    rated_on = forms.DateField(widget=DATE, initial=timezone.localdate)
    note = forms.CharField(max_length=500, required=False)

    def clean_rated_on(self) -> dt.date:
        day: dt.date = self.cleaned_data["rated_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(
                f"The rating date {day:%Y-%m-%d} is in the future; give the day it was rated."
            )
        return day

    @classmethod
    def for_goal(cls, goal_id: int) -> GoalRateForm:
        """The rating form of one goal. The goals page shows one per goal: each needs ids of
        its own, or every label points at the first goal's radios. Field names stay the same
        (the form's URL names the goal)."""
        return cls(auto_id=f"id_goal-{goal_id}-%s")


class ReviewForm(CheckedText):
    """One rating (0-3) and an evidence note per reason, pre-filled from the record."""

    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(
        self,
        *args: Any,
        reasons: Sequence[tuple[str, str, str]],  # id, name, description
        prefill: Mapping[str, tuple[int, str]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.reason_rows = []
        for reason_id, name, description in reasons:
            rating, evidence = (prefill or {}).get(reason_id, (0, ""))
            self.fields[f"rating__{reason_id}"] = forms.TypedChoiceField(
                label=name,
                choices=RATINGS,
                coerce=int,
                initial=rating,
                widget=forms.RadioSelect,
                help_text=description,
            )
            self.fields[f"evidence__{reason_id}"] = forms.CharField(
                required=False,
                initial=evidence,
                label=f"Evidence for “{name}”",
                widget=forms.Textarea(attrs={"rows": 2}),
            )
            self.reason_rows.append(
                (
                    reason_id,
                    self[f"rating__{reason_id}"],
                    self[f"evidence__{reason_id}"],
                    bool(evidence),
                )
            )

    @property
    def suggested_rows(self) -> list[Any]:
        """The reasons the record (or the client's own check) gives evidence for: shown first."""
        return [row for row in self.reason_rows if row[3]]

    @property
    def other_rows(self) -> list[Any]:
        """The other reasons: one click away when some are suggested."""
        return [row for row in self.reason_rows if not row[3]]

    def ratings(self) -> dict[str, tuple[int, str]]:
        return {
            reason_id: (
                self.cleaned_data[f"rating__{reason_id}"],
                self.cleaned_data[f"evidence__{reason_id}"],
            )
            for reason_id, *_ in self.reason_rows
        }


PLAN_REVIEW_WITHIN_DAYS = 366  # a typed year wrong (9999) is refused, not stored


class PlanForm(CheckedText):
    strategies = forms.MultipleChoiceField(
        widget=forms.CheckboxSelectMultiple,
        label="Strategies",
        error_messages={"required": "Tick at least one strategy for the plan."},
    )
    review_on = forms.DateField(widget=DATE, label="Review the plan on")

    def clean_review_on(self) -> dt.date:
        day: dt.date = self.cleaned_data["review_on"]
        if day < timezone.localdate():  # a plan made today would be overdue at once
            raise forms.ValidationError(
                f"The review date {day:%Y-%m-%d} has passed; choose today or a later day."
            )
        if day > timezone.localdate() + dt.timedelta(days=PLAN_REVIEW_WITHIN_DAYS):
            raise forms.ValidationError(
                f"The review date {day:%Y-%m-%d} is more than a year away; a plan is reviewed "
                "within weeks, so choose a nearer day."
            )
        return day

    def __init__(self, *args: Any, choices: Sequence[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["strategies"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = list(choices)
        self.fields["review_on"].initial = timezone.localdate() + dt.timedelta(days=28)


class ResultForm(CheckedText):
    result = forms.ChoiceField(
        choices=Result.choices, widget=forms.RadioSelect, label="How the strategy went"
    )
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)


class ReflectionForm(CheckedText):
    frustration = forms.TypedChoiceField(
        choices=FRUSTRATION,
        coerce=int,
        widget=forms.RadioSelect,
        label="How much frustration or strain do you notice in this work right now?",
    )
    reactions = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        label="What is this client's situation stirring up in you?",
    )
    wants_supervision = forms.BooleanField(
        required=False, label="I'd like to take this to supervision"
    )
    wants_self_care = forms.BooleanField(required=False, label="I need to look after myself here")
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)


# The first choice of "How it ended" on the close page: no ending claimed until the therapist
# picks one, so the page never shows "Completed" for a referral (the preview names the result).
# Short enough for the select to show whole; the field's help says what it means.
AS_THE_LETTER = "As the letter"


class ClosureForm(EndsTheEpisode):
    """The letter and how the episode ended. "How it ended" starts at `AS_THE_LETTER`: left
    there, the ending follows the kind of letter sent (`default_end_reason`), whichever kind
    is chosen; any ending the therapist picks is recorded as picked."""

    kind = forms.ChoiceField(choices=LetterKind.choices, widget=forms.RadioSelect)
    ended_on = forms.DateField(widget=DATE, initial=timezone.localdate)
    end_reason = end_reason_field()
    recipient = forms.CharField(
        max_length=300,
        required=False,
        help_text="For a referral: the service or colleague the client is referred to.",
    )
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        label="Why now (in collaborative words)",
    )
    recommendations = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    resources = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="Reading, support groups, services, crisis lines.",
    )
    # Shown only while a safety alert is open; the service refuses to close without it then.
    safety_considered = forms.BooleanField(required=False, label=CONFIRM_LABEL)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["end_reason"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", AS_THE_LETTER), *EndReason.choices]
        field.required = False
        field.help_text = (
            "“As the letter” records a referral letter as referred elsewhere and an ending "
            "summary as completed; or pick how it ended. The preview says which."
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        kind = cleaned.get("kind")
        if kind == LetterKind.REFERRAL and not cleaned.get("recipient", "").strip():
            self.add_error("recipient", "A referral letter needs a recipient.")
        if kind and not cleaned.get("end_reason"):
            cleaned["end_reason"] = default_end_reason(kind)
        return cleaned
