"""The therapist's in-session checklist of resistance markers (data: unstuck/impasse/markers.toml).

Signs, noticed in the session, that a client may be pulling back from the work; each is named
in the source documents. They are observations to be curious about together, never faults of
the client.
"""

from __future__ import annotations

from unstuck.impasse import default_knowledge

MARKERS: tuple[tuple[str, str], ...] = tuple(
    (m.id, m.label) for m in default_knowledge().markers.values()
)
MARKER_LABELS = dict(MARKERS)
