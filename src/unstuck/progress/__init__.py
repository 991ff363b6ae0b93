"""Change over time: change statistics, expected course, client and caseload summaries."""

from unstuck.progress.change import ChangeCriteria, criteria_for
from unstuck.progress.classify import (
    ChangeArrays,
    ChangeResult,
    ReliableChange,
    classify_change,
    classify_changes,
)
from unstuck.progress.reliable import (
    RELIABLE_Z,
    Cutoffs,
    jt_cutoffs,
    reliable_change_index,
    standard_error_of_difference,
)

__all__ = [
    "RELIABLE_Z",
    "ChangeArrays",
    "ChangeCriteria",
    "ChangeResult",
    "Cutoffs",
    "ReliableChange",
    "classify_change",
    "classify_changes",
    "criteria_for",
    "jt_cutoffs",
    "reliable_change_index",
    "standard_error_of_difference",
]
