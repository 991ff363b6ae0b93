"""Forms: parse and check what a person typed; the services do the work."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Container, Sequence
from typing import Any, Self

from django import forms
from django.utils import timezone

from unstuck.errors import InvalidValue
from unstuck.measures.model import Instrument
from unstuck.plural import listed
from unstuck.progress.attendance import MISSED
from unstuck.progress.wording import FLAG_NAMES
from unstuck.web.accounts.models import User
from unstuck.web.records import handover
from unstuck.web.records.instruments import SESSION_INSTRUMENTS, instruments, thresholds
from unstuck.web.records.markers import MARKERS
from unstuck.web.records.models import Attendance, CheckOutcome, CompletedBy, EndReason, Episode
from unstuck.web.records.safety import CONFIRM_LABEL, NOTE_HELP, NOTE_LABEL
from unstuck.web.records.services import SessionInput, check_end_date
from unstuck.web.validation import CheckedText, parse_id

# The name of the button that clears one questionnaire's answers (its value: the
# questionnaire's id), and the button's words, which the messages below quote.
CLEAR_FIELD = "clear"
CLEAR_LABEL = "Clear the {name} answers"
ANSWERS_ON_MISSED = (
    "A missed session has no questionnaire answers; change the attendance, or use {buttons}."
)
SAFETY_BLANK = (
    "Item {item} is the safety question; record the answer (0 if the client said "
    "'not at all'), or use '{clear}' if the questionnaire was not given."
)
TOO_MANY_BLANK = (
    "{name}: {missing} of {k} items {are} unanswered ({items}), more than the {allowed} the "
    "scoring rule allows; answer them, or use '{clear}' if the questionnaire was not given."
)
# Beside each unanswered item when too many are (the summary at the top names them all).
NOT_ANSWERED = "Not answered."
FUTURE_DATE = "The session date is in the future."
# What the checklist is used for: the withdrawal rule's count (thresholds.toml) and the review.
MARKERS_HELP = (
    "Signs that the work may be getting harder for the client. {count} or more ticks over the "
    "last {window} sessions raise '{flag}' on the caseload and the client page, and each sign "
    "you tick suggests possible reasons when you open an impasse review. They are "
    "observations to explore together, not faults."
)
# Two or more words of letters only ("John Smith"): a name typed where the code goes. The code
# is on every page, export and log line; the name has a field of its own.
LOOKS_LIKE_A_NAME = re.compile(r"[^\W\d_]+(?:[ '-][^\W\d_]+)* [^\W\d_]+(?:[ '-][^\W\d_]+)*")
NAME_AS_CODE = (
    "{code!r} looks like a name. The code is shown on every page and in exports, so use a "
    "pseudonymous code such as C-042 and put the name in 'Name' below."
)


def _option_label(value: int, label: str) -> str:
    return label if label == str(value) else f"{value} {label}"


def item_field(instrument: Instrument, number: int) -> str:
    return f"{instrument.id}__item_{number}"


def clear_label(instrument: Instrument) -> str:
    return CLEAR_LABEL.format(name=instrument.name)


def too_many_blank(instrument: Instrument, blank: Sequence[int], allowed: int) -> str:
    """TOO_MANY_BLANK for `instrument`, naming its unanswered items (numbers in `blank`)."""
    return TOO_MANY_BLANK.format(
        name=instrument.name,
        missing=len(blank),
        k=len(instrument.items),
        are="is" if len(blank) == 1 else "are",
        items=("items " if len(blank) > 1 else "item ") + listed([str(n) for n in blank]),
        allowed=allowed,
        clear=clear_label(instrument),
    )


def answers_on_missed(answered: Sequence[Instrument]) -> str:
    """ANSWERS_ON_MISSED, quoting the clear button of each questionnaire with answers."""
    return ANSWERS_ON_MISSED.format(buttons=listed([f"'{clear_label(i)}'" for i in answered]))


class ClientDetailsForm(CheckedText):
    """A client's name and contact details: set when the client is added, changed later."""

    name = forms.CharField(max_length=200, required=False, help_text="Optional.")
    contact = forms.CharField(
        max_length=200,
        required=False,
        help_text="Optional. An email address here lets the clinic email questionnaire links.",
    )


NOT_A_COLLEAGUE = (  # Django's own words were "Select a valid choice. That choice is not ..."
    "That colleague can no longer take on clients (their account may have been deactivated "
    "or changed since this page was opened): choose a colleague from the list as it is now."
)


class HandOverForm(forms.Form):
    """To whom a therapist hands a client over (`handover.hand_over`)."""

    colleague = forms.ModelChoiceField(
        queryset=User.objects.none(),
        label="Hand over to",
        help_text="A therapist colleague of this clinic. They see the whole record from now "
        "on, and you no longer do (unless you supervise them).",
        error_messages={"invalid_choice": NOT_A_COLLEAGUE},
    )

    def __init__(self, *args: Any, therapist: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["colleague"]
        field.queryset = handover.colleagues(therapist)  # type: ignore[attr-defined]
        field.label_from_instance = lambda user: user.display_name  # type: ignore[attr-defined]


class ClientForm(ClientDetailsForm):
    code = forms.CharField(
        max_length=40,
        help_text="A pseudonymous code (for example C-042), never the client's name.",
    )
    started_on = forms.DateField(
        initial=dt.date.today, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    field_order = ("code", "started_on", "name", "contact")

    def clean_code(self) -> str:
        code: str = self.cleaned_data["code"]
        if LOOKS_LIKE_A_NAME.fullmatch(code.strip()):
            raise forms.ValidationError(NAME_AS_CODE.format(code=code.strip()))
        return code


class SessionForm(CheckedText):
    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    attendance = forms.ChoiceField(
        choices=Attendance.choices, widget=forms.RadioSelect, initial=Attendance.ATTENDED
    )
    duration_minutes = forms.IntegerField(
        min_value=1, max_value=600, required=False, label="Duration (minutes)"
    )
    completed_by = forms.ChoiceField(
        choices=CompletedBy.choices,
        widget=forms.RadioSelect,
        initial=CompletedBy.CLIENT,
        label="Questionnaires completed by",
    )
    markers = forms.MultipleChoiceField(
        choices=list(MARKERS),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label="What you noticed in the session (optional)",
    )
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4, "aria-label": "Note"}), required=False
    )

    # The session the client started by answering before it (see record_session); hidden.
    takes_over = forms.IntegerField(min_value=1, required=False, widget=forms.HiddenInput)

    def __init__(
        self,
        *args: Any,
        instrument_ids: Sequence[str] = SESSION_INSTRUMENTS,
        answered: Container[str] = (),
        **kwargs: Any,
    ) -> None:
        """`instrument_ids`: the questionnaires asked (the client's chosen ones); `answered`:
        those the client already answered for this session (kept, so not asked again)."""
        super().__init__(*args, **kwargs)
        self.fields["date"].initial = timezone.localdate()
        rule = thresholds().withdrawal_risk
        self.fields["markers"].help_text = MARKERS_HELP.format(
            count=rule.markers, window=rule.window, flag=FLAG_NAMES["withdrawal_risk"]
        )
        installed = instruments()
        self.instruments = [
            installed[i] for i in instrument_ids if i in installed and i not in answered
        ]
        for instrument in self.instruments:
            for item in instrument.items:
                self.fields[item_field(instrument, item.number)] = forms.TypedChoiceField(
                    label=f"{item.number}. {item.text}",
                    choices=[(o.value, _option_label(o.value, o.label)) for o in item.options],
                    coerce=int,
                    empty_value=None,
                    required=False,
                    widget=forms.RadioSelect,
                )

    def item_rows(self, instrument: Instrument) -> list[tuple[Any, bool]]:
        return [(self[item_field(instrument, it.number)], it.safety) for it in instrument.items]

    def blocks(self) -> list[tuple[Instrument, list[tuple[Any, bool]], str]]:
        """Each questionnaire with its items and the words of its clear button."""
        return [(i, self.item_rows(i), clear_label(i)) for i in self.instruments]

    def answers(self) -> dict[str, list[int | None]]:
        return {
            i.id: [self.cleaned_data.get(item_field(i, it.number)) for it in i.items]
            for i in self.instruments
        }

    def session_input(self) -> SessionInput:
        """What the valid form says, as the records services take it (new or corrected)."""
        return SessionInput(
            date=self.cleaned_data["date"],
            attendance=self.cleaned_data["attendance"],
            duration_minutes=self.cleaned_data["duration_minutes"],
            answers=self.answers(),
            markers=self.cleaned_data["markers"],
            note=self.cleaned_data["note"],
            completed_by=self.cleaned_data["completed_by"],
            takes_over=self.cleaned_data.get("takes_over"),
        )

    def clear_pressed(self) -> bool:
        """Whether a 'Clear the ... answers' button sent the form: then nothing is saved."""
        return self.is_bound and CLEAR_FIELD in self.data

    def cleared(self) -> tuple[Self, Instrument | None]:
        """This form again with everything typed in it but the answers to the questionnaire
        whose clear button was pressed, and that questionnaire (None: the button named none
        of this form's). Unbound, so not checked: nothing is being saved, so nothing is wrong
        yet; the next Save checks it all."""
        chosen = next((i for i in self.instruments if i.id == self.data.get(CLEAR_FIELD)), None)
        gone = {item_field(chosen, it.number) for it in chosen.items} if chosen else set()
        typed = {name: None if name in gone else self[name].data for name in self.fields}
        return type(self)(initial=typed, instrument_ids=[i.id for i in self.instruments]), chosen

    def summary_errors(self) -> list[tuple[Any, str]]:
        """The field errors for the list at the top of the page, each with its field; the
        'Not answered.' beside items is left out (the questionnaire's error names them)."""
        return [(f, str(e)) for f in self for e in f.errors if e != NOT_ANSWERED]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        date = cleaned.get("date")
        if date is not None and date > timezone.localdate():
            self.add_error("date", FUTURE_DATE)
        missed = cleaned.get("attendance") in MISSED
        answered_on_missed = []
        for instrument in self.instruments:
            answers = [cleaned.get(item_field(instrument, it.number)) for it in instrument.items]
            if all(a is None for a in answers):
                continue
            if missed:
                answered_on_missed.append(instrument)
                continue
            blank = [it for it, a in zip(instrument.items, answers, strict=True) if a is None]
            for item in blank:
                if item.safety:
                    self.add_error(
                        item_field(instrument, item.number),
                        SAFETY_BLANK.format(item=item.number, clear=clear_label(instrument)),
                    )
            allowed = instrument.missing.max_missing if instrument.missing else 0
            if len(blank) > allowed:
                self.add_error(None, too_many_blank(instrument, [i.number for i in blank], allowed))
                for item in blank:  # an item with an error of its own keeps only that one
                    if not self.has_error(name := item_field(instrument, item.number)):
                        self.add_error(name, NOT_ANSWERED)
        if answered_on_missed:
            self.add_error(None, answers_on_missed(answered_on_missed))
        return cleaned


REASON_HELP = "Why it changes (kept in the session's history, never in the logs)."


class CorrectionForm(SessionForm):
    """The session form filled with a session's values, with the reason for the correction."""

    reason = forms.CharField(max_length=500, help_text=REASON_HELP, label="Reason for the change")

    @staticmethod
    def initial_for(session: Any) -> dict[str, Any]:
        initial: dict[str, Any] = {
            "date": session.date,
            "attendance": session.attendance,
            "duration_minutes": session.duration_minutes,
            "markers": list(session.markers),
            "note": session.note,
        }
        for response in session.responses.all():
            initial["completed_by"] = response.completed_by
            for number, answer in enumerate(response.answers, start=1):
                if answer is not None:
                    initial[f"{response.instrument}__item_{number}"] = answer
        return initial


class VoidForm(CheckedText):
    reason = forms.CharField(max_length=500, help_text=REASON_HELP, label="Reason for voiding")


class InstrumentsForm(CheckedText):
    """Which questionnaires the session form asks for one client."""

    instruments = forms.MultipleChoiceField(
        widget=forms.CheckboxSelectMultiple, label="Questionnaires measured at each session"
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["instruments"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = [(i.id, i.name) for i in instruments().values()]


def end_reason_field() -> forms.ChoiceField:
    """How an episode ended: one definition for closing with a letter or without."""
    return forms.ChoiceField(choices=EndReason.choices, label="How it ended")


END_DATE = "end_date"


class EndsTheEpisode(CheckedText):
    """A form with `ended_on` that ends `episode`: given the episode, the date is refused as
    the save refuses it (`services.check_end_date`, the one rule), so a preview never shows an
    ending the save would then refuse."""

    def __init__(self, *args: Any, episode: Episode | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.episode = episode

    def clean_ended_on(self) -> dt.date:
        ended_on: dt.date = self.cleaned_data["ended_on"]
        if self.episode is not None:
            try:
                check_end_date(self.episode, ended_on)
            except InvalidValue as exc:
                raise forms.ValidationError(exc.reason, code=END_DATE) from exc
        return ended_on

    @property
    def end_date_problem(self) -> str:
        """Why the episode's rule refused the date, when that is what was wrong (not a date left
        out or mistyped, which a page may say in its own words)."""
        refused = self.errors.as_data().get("ended_on", [])
        return " ".join(str(e.message) for e in refused if e.code == END_DATE)


class EndEpisodeForm(EndsTheEpisode):
    ended_on = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    reason = end_reason_field()
    # Shown only while a safety alert is open; the service refuses to close without it then.
    safety_considered = forms.BooleanField(required=False, label=CONFIRM_LABEL)


ALERT_IDS = "The list of safety alerts shown was damaged; reload the page and try again."


class SafetyCheckForm(CheckedText):
    """One step: how the check-in went, and an optional note ('Other' needs one: the service
    checks that, so the rule has one home)."""

    outcome = forms.ChoiceField(
        choices=CheckOutcome.choices,
        widget=forms.RadioSelect,
        label="What happened",
        error_messages={"required": "Choose what happened at the check-in."},
    )
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=2000,
        label=NOTE_LABEL,
        help_text=NOTE_HELP,
    )
    # The alerts on the screen when the therapist recorded the check: a newer one stays open.
    alerts = forms.CharField(widget=forms.HiddenInput, required=False)

    def clean_alerts(self) -> list[int] | None:
        raw = str(self.cleaned_data.get("alerts") or "").strip()
        if not raw:
            return None
        ids = [parse_id(p.strip()) for p in raw.split(",")]
        if None in ids:  # not plain ASCII digits, or too large to be a row's id
            raise forms.ValidationError(ALERT_IDS)
        return [i for i in ids if i is not None]
