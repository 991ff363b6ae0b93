"""Judging change: one client's first and last scores, or a whole caseload's at once, by the
rules of a `unstuck.progress.change.ChangeCriteria`: reliable improvement or deterioration,
caseness at first and last, recovery and reliable recovery (NHS Talking Therapies), and
Jacobson & Truax's combined category as the R package clinicalsignificance names it."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from unstuck.progress.change import ChangeCriteria

ReliableChange = Literal["improved", "deteriorated", "unchanged"]
# By direction + 1 (-1 deteriorated, 0 unchanged, +1 improved), as `ChangeArrays` holds it.
KINDS: tuple[ReliableChange, ReliableChange, ReliableChange] = (
    "deteriorated",
    "unchanged",
    "improved",
)


@dataclass(frozen=True)
class ChangeResult:
    """The verdict on one client's change from a first to a last score.

    Attributes
    ----------
    first, last : float
        The two scores compared.
    change : float
        ``last - first`` (positive means the score rose, whatever the scale's direction).
    reliable_change : {"improved", "deteriorated", "unchanged"}
        "improved" is a change in the better direction beyond the threshold; "unchanged"
        means within measurement error, not "no change".
    case_at_first, case_at_last : bool or None
        In the clinical range; None without a cutoff.
    recovered : bool or None
        NHS Talking Therapies "recovery": a case at first and not a case at last. None when
        not a case at first (recovery does not apply) or when the cutoff is unknown.
    reliably_recovered : bool or None
        Recovered and reliably improved; None as for ``recovered``.
    category : str
        Jacobson & Truax's combined category as in the R package clinicalsignificance:
        "recovered" (reliably improved and crossed from case to non-case), "improved",
        "unchanged", "deteriorated", "harmed" (reliably deteriorated and crossed from
        non-case to case). Without a cutoff only improved, unchanged or deteriorated.
    """

    first: float
    last: float
    change: float
    reliable_change: ReliableChange
    case_at_first: bool | None
    case_at_last: bool | None
    recovered: bool | None
    reliably_recovered: bool | None
    category: str


def classify_change(first: float, last: float, criteria: ChangeCriteria) -> ChangeResult:
    """Judge one client's change from ``first`` to ``last``.

    Parameters
    ----------
    first, last : float
        The first and the last score (e.g. intake and latest session).
    criteria : ChangeCriteria

    Returns
    -------
    ChangeResult

    Raises
    ------
    ValueError
        If a score is NaN or infinite: a missing score cannot be judged, so the caller must
        choose which scores to compare.

    Notes
    -----
    Only two scores are used: what happened in between does not matter. Reliable change is
    a statement about measurement error, not about the cause of the change.
    """
    if not (math.isfinite(first) and math.isfinite(last)):
        raise ValueError(f"scores must be finite numbers, got first={first!r}, last={last!r}")
    arrays = classify_changes(np.array([first]), np.array([last]), criteria)
    direction = int(arrays.direction[0])
    reliable: ReliableChange = KINDS[direction + 1]
    case_first = bool(arrays.case_at_first[0]) if arrays.has_cutoff else None
    case_last = bool(arrays.case_at_last[0]) if arrays.has_cutoff else None
    recovered: bool | None = None
    reliably: bool | None = None
    category: str = reliable
    if case_first:
        recovered = bool(arrays.recovered[0])
        reliably = bool(arrays.reliably_recovered[0])
        if reliably:
            category = "recovered"
    elif case_first is not None and case_last and reliable == "deteriorated":
        category = "harmed"
    return ChangeResult(
        first=first,
        last=last,
        change=float(arrays.change[0]),
        reliable_change=reliable,
        case_at_first=case_first,
        case_at_last=case_last,
        recovered=recovered,
        reliably_recovered=reliably,
        category=category,
    )


@dataclass(frozen=True)
class ChangeArrays:
    """`ChangeResult` for many clients at once, as parallel numpy arrays.

    Attributes
    ----------
    change : numpy.ndarray of float64
        ``last - first``.
    direction : numpy.ndarray of int8
        +1 reliably improved, -1 reliably deteriorated, 0 unchanged.
    case_at_first, case_at_last : numpy.ndarray of bool
        In the clinical range. All False, and meaningless, when ``has_cutoff`` is False.
    recovered : numpy.ndarray of bool
        Case at first and not at last; only meaningful where ``case_at_first``.
    reliably_recovered : numpy.ndarray of bool
        ``recovered`` and reliably improved; only meaningful where ``case_at_first``.
    has_cutoff : bool
        Whether the criteria had a caseness cutoff.
    """

    change: NDArray[np.float64]
    direction: NDArray[np.int8]
    case_at_first: NDArray[np.bool_]
    case_at_last: NDArray[np.bool_]
    recovered: NDArray[np.bool_]
    reliably_recovered: NDArray[np.bool_]
    has_cutoff: bool


def classify_changes(
    first: NDArray[Any], last: NDArray[Any], criteria: ChangeCriteria
) -> ChangeArrays:
    """Vectorised `classify_change`: one row per client, no Python loop over rows.

    Parameters
    ----------
    first, last : numpy.ndarray
        Scores of equal shape (converted to float64).
    criteria : ChangeCriteria

    Returns
    -------
    ChangeArrays

    Notes
    -----
    `classify_change` is this function on one row, so one client and a caseload are judged
    by the same code. Rows with a NaN score come out as direction 0 and all flags
    False; drop or mask them first, because they cannot be judged.
    """
    first = np.asarray(first, dtype=np.float64)
    last = np.asarray(last, dtype=np.float64)
    if first.shape != last.shape:
        raise ValueError(f"first and last differ in shape: {first.shape} vs {last.shape}")
    change = last - first
    reliable = criteria.is_reliable(change)
    better = change if criteria.higher_is_better else -change
    direction = np.where(reliable, np.where(better > 0, 1, -1), 0).astype(np.int8)
    if criteria.cutoff is None:
        none = np.zeros(first.shape, dtype=np.bool_)
        return ChangeArrays(change, direction, none, none.copy(), none.copy(), none.copy(), False)
    case_first, case_last = criteria.in_clinical_range(first), criteria.in_clinical_range(last)
    recovered = case_first & ~case_last
    return ChangeArrays(
        change=change,
        direction=direction,
        case_at_first=case_first,
        case_at_last=case_last,
        recovered=recovered,
        reliably_recovered=recovered & (direction == 1),
        has_cutoff=True,
    )
