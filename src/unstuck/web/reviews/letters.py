"""What a letter says about progress: the numbers in a sentence each, without rule text.

The client page and the consultation summary explain each finding with the rule and the
citation that produced it, which a colleague in supervision needs. A referral letter or an
ending summary is read by another clinician or by the client: it says where the scores began
and where they are, whether the change is reliable, and never shows internal rule wording or
provisional-threshold labels (issue 16).
"""

from __future__ import annotations

from collections.abc import Sequence

from unstuck.progress.summary import ClientSummary, MeasureSummary
from unstuck.web.records.instruments import instruments, usual_order
from unstuck.web.records.models import SafetyAlert
from unstuck.web.records.safety import answer_text

CHANGE_WORDS = {
    "improved": "a reliable improvement",
    "deteriorated": "a reliable worsening",
    "unchanged": "not a reliable change",
}


def _score(value: float, severity: str | None) -> str:
    number = f"{value:g}"
    return f"{number} ({severity})" if severity else number


def measure_sentence(name: str, m: MeasureSummary) -> str:
    if m.n < 2 or m.change is None:
        return f"{name}: {_score(m.first, m.first_severity)} at the one session it was given."
    sentence = (
        f"{name}: {_score(m.first, m.first_severity)} at session {m.first_occasion}, "
        f"{_score(m.last, m.last_severity)} at session {m.last_occasion}"
    )
    if m.reliable_change in CHANGE_WORDS:
        sentence += f", {CHANGE_WORDS[m.reliable_change]}"
    if m.reliably_recovered:
        sentence += ", and now outside the clinical range"
    return sentence + "."


def progress_sentences(summary: ClientSummary, alerts: Sequence[SafetyAlert] = ()) -> list[str]:
    """One sentence per measure, and the risk answer first when there is one (never left out):
    with `alerts` (newest first), the latest answer and whether a check followed it."""
    known = instruments()
    lines: list[str] = []
    for m in sorted(summary.measures, key=lambda m: usual_order(m.instrument)):
        name = known[m.instrument].name if m.instrument in known else m.instrument
        if m.safety_alert:
            latest = next((a for a in alerts if a.instrument == m.instrument), None)
            lines.insert(
                0,
                f"On the {name}, the client answered a question about risk above 0 during "
                f"this work{_latest_answer(latest)}; please ask about safety at your first "
                "contact.",
            )
        lines.append(measure_sentence(name, m))
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
