"""The therapist's in-session checklist of resistance markers.

Signs, noticed in the session, that a client may be pulling back from the work; each is named
in the source documents (cited by file name). They are observations to be curious about
together, never faults of the client.
"""

from __future__ import annotations

MARKERS: tuple[tuple[str, str, str], ...] = (
    ("avoided_topics", "Steered away from difficult topics", "000, 003"),
    ("deflected_to_stressors", "Moved the talk to outside stressors", "001, 003"),
    ("withheld_information", "Held back or contradicted important information", "003, 004"),
    (
        "minimised_need",
        'Minimised the need for the session ("not sure I need a session today")',
        "003",
    ),
    ("tasks_not_done", "Between-session tasks not done", "000"),
    ("denied_severity", "Played down how serious the difficulties are", "000, 004"),
    ("overwhelmed", "Seemed overwhelmed by what the session brought up", "001, 002"),
)
MARKER_LABELS = {key: label for key, label, _ in MARKERS}
