"""What a letter says: the numbers in a sentence each (without rule text), what was tried and
the goals, taken from the record once, when the letter is written (`letter_facts`).

The client page and the consultation summary explain each finding with the rule and the
citation that produced it, which a colleague in supervision needs. A referral letter is read
by another clinician: it says where the scores began and where they are, whether the change is
reliable, and the latest risk answer. The ending summary is written for the client: the same
scores without clinical labels ("severe") and without the risk answer, which is for the
therapist (it stays on the client's page, the close page and the consultation summary). Where
a reliable change rests on a provisional threshold, both letters say so. Neither gives the
session-feedback scores (the instrument `alliance_rupture` reads): they are the client's
private rating of the sessions with this therapist, to talk over in therapy, not an outcome of
it (the consultation summary, for supervision, still charts them).

A letter is fixed when it is written: `letter_facts` is stored with it (`written_from`) and the
letter is shown from that ever after, however the record changes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from django.utils.dateformat import format as date_format

from unstuck.impasse import default_knowledge
from unstuck.progress.summary import ClientSummary, MeasureSummary
from unstuck.web.records import selectors as records
from unstuck.web.records import snapshots
from unstuck.web.records.instruments import instruments, thresholds, usual_order
from unstuck.web.records.models import Client, SafetyAlert
from unstuck.web.records.safety import answer_now, answer_text
from unstuck.web.reviews import knowledge, selectors
from unstuck.web.reviews.models import ClosureLetter, LetterKind, Result

CHANGE_WORDS = {
    "improved": "a reliable improvement",
    "deteriorated": "a reliable worsening",
    "unchanged": "not a reliable change",
}


PROVISIONAL = " (by a provisional Unstuck threshold, not a published value)"
PLANNED = "planned, no result recorded yet"


def _score(value: float, severity: str | None) -> str:
    number = f"{value:g}"
    return f"{number} ({severity})" if severity else number


def measure_sentence(
    name: str, m: MeasureSummary, *, provisional: bool = False, labels: bool = True
) -> str:
    """`provisional`: the measure's reliable-change threshold is not a published value;
    `labels`: with the severity words ("severe"), which a clinician reads, not the client."""
    first = m.first_severity if labels else None
    last = m.last_severity if labels else None
    if m.n < 2 or m.change is None:
        return f"{name}: {_score(m.first, first)} at the one session it was given."
    sentence = (
        f"{name}: {_score(m.first, first)} at session {m.first_occasion}, "
        f"{_score(m.last, last)} at session {m.last_occasion}"
    )
    if m.reliable_change in CHANGE_WORDS:
        sentence += f", {CHANGE_WORDS[m.reliable_change]}"
        if provisional:
            sentence += PROVISIONAL
    if m.reliably_recovered:
        sentence += ", and now outside the clinical range"
    return sentence + "."


def progress_sentences(
    summary: ClientSummary, alerts: Sequence[SafetyAlert] = (), *, for_client: bool = False
) -> list[str]:
    """One sentence per measure. For a clinician, the risk answer first when there is one
    (never left out): with `alerts` (the episode's, newest first), the latest answer and
    whether a check followed it. A checked answer no longer raises the summary's safety
    signal (`records.selectors.observations`), so the alerts count too: once checked, the
    answer dropped out of the letter. `for_client`: no severity labels and no risk sentence
    (see the module). The session feedback gives no sentence (see the module)."""
    known = instruments()
    alliance = thresholds().alliance_rupture.instrument
    lines: list[str] = []
    for m in sorted(summary.measures, key=lambda m: usual_order(m.instrument)):
        instrument = known.get(m.instrument)
        name = instrument.name if instrument else m.instrument
        provisional = bool(instrument and instrument.change.provisional)
        # an answer corrected to 0 since is no risk answer (the summary sees the 0 too)
        given = [a for a in alerts if a.instrument == m.instrument and answer_now(a)]
        if (m.safety_alert or given) and not for_client:
            latest = next(iter(given), None)
            lines.insert(
                0,
                f"On the {name}, the client answered a question about risk above 0 during "
                f"this work{_latest_answer(latest)}; please ask about safety at your first "
                "contact.",
            )
        if m.instrument != alliance:
            lines.append(measure_sentence(name, m, provisional=provisional, labels=not for_client))
    return lines


def _latest_answer(alert: SafetyAlert | None) -> str:
    if alert is None:
        return ""
    answer = f" (most recently {answer_text(alert)}"
    check = alert.safety_check
    if check is None:
        return answer + "; no safety check is recorded since)"
    outcome = check.get_outcome_display().lower()
    return answer + f"; a safety check followed on {check.checked_at:%Y-%m-%d}: {outcome})"


def tried_lines(plans: Sequence[selectors.PlanView], kind: str) -> list[str]:
    """Each strategy of the plans with its latest result, or that it is only planned so far,
    for the letter of `kind`: not an ending or a referral (the letter itself is that step),
    nor a strategy strategies.toml leaves out of that letter (the ending summary once listed
    'Check safety first' and 'Seek consultation or supervision' to the client, the referral
    'Therapist self-reflection and self-care' to a colleague); in the ending summary, written
    for the client, in the words strategies.toml gives for them."""
    for_client = kind == LetterKind.TERMINATION
    endings = knowledge.closure_ids()
    strategies = default_knowledge().strategies
    lines = []
    for pv in plans:
        for ps, results in pv.strategies:
            if ps.strategy_id in endings:
                continue
            name = ps.name
            known = strategies.get(ps.strategy_id)
            if known is not None:
                if kind not in known.letters:
                    continue
                if for_client:
                    name = known.client_words or name
            last = results[-1] if results else None
            if last is None:
                lines.append(f"{name}: {PLANNED}")
            elif last.result == Result.NOT_TRIED:
                lines.append(f"{name}: planned, {last.get_result_display().lower()}")
            else:
                lines.append(f"{name}: {last.get_result_display().lower()}")
    return lines


def letter_facts(client: Client, kind: str) -> dict[str, Any]:
    """Everything a letter of `kind` takes from the record, as it stands now (JSON-ready)."""
    summary, sessions = snapshots.summarise(client)
    alliance = thresholds().alliance_rupture.instrument
    for_client = kind == LetterKind.TERMINATION
    episode = records.current_episode(client)
    alerts = (
        ()
        if for_client
        else [  # newest first: this episode's, and any still open (as the caseload counts)
            a
            for a in records.safety_history(client)
            if a.is_open or (episode is not None and a.session_date >= episode.started_on)
        ]
    )
    met = sorted(s.date for s in sessions if s.held)
    goals = []
    for g in selectors.all_goals(client):  # current goals first, then those set aside
        rating = g.latest_rating
        current = g.current
        goals.append(
            {
                "text": current.text if current else "",
                "set_aside": g.set_aside,
                "rating": rating.attainment_words if rating else "",
            }
        )
    return {
        "client_code": client.code,
        "client_name": client.name,
        "therapist": client.therapist.display_name,
        "clinic": client.clinic.name,
        "attended": len(met),
        "first_met": met[0].isoformat() if met else "",
        "last_met": met[-1].isoformat() if met else "",
        "progress": progress_sentences(summary, alerts, for_client=for_client),
        "tried": tried_lines(selectors.plan_views(client, sessions), kind),
        # without a plan, "What we tried" says feedback was sought only if it was given
        "feedback_given": any(m.instrument == alliance for m in summary.measures),
        "goals": goals,
    }


def written(letter: ClosureLetter) -> dict[str, Any]:
    """What the letter says: what was stored when it was written; for a letter written before
    that was stored, the record as it is now, marked `recreated`."""
    facts = dict(letter.written_from) or letter_facts(letter.client, letter.kind) | {
        "recreated": True
    }
    facts["met_dates"] = met_dates(facts)
    return facts


def met_dates(facts: Mapping[str, Any]) -> str:
    """When the sessions counted were: "from 3 December 2025 to 12 March 2026", "on 3 December
    2025", or "" with none; a letter written before those dates were stored says what it said
    then, "from" the day the episode began."""
    if "first_met" not in facts:  # written before the dates were stored
        started = facts.get("started_on")
        return f"from {_long_date(started)}" if started else ""
    first, last = str(facts["first_met"]), str(facts["last_met"])
    if not first:
        return ""
    if first == last:
        return f"on {_long_date(first)}"
    return f"from {_long_date(first)} to {_long_date(last)}"


def _long_date(iso: str) -> str:
    """As the letters' templates write a date (`|date:"j F Y"`), month names included."""
    return date_format(dt.date.fromisoformat(iso), "j F Y")
