"""The bounds on the numbers that describe a scale: its totals, cutoff, SDs and reliability.

Written once and used by both ways of describing a scale, a definition file
(`unstuck.measures.definition`) and the command line (`unstuck.measures.loader.
score_only_instrument`), so that a number refused in one is refused in the other. Each check
returns the reason a value cannot be used, or None; the caller says where the value came from
(a place in a file, or a command-line option).

Why these bounds
----------------
- **Totals, cutoffs, norm means, SDs and point thresholds lie within ±1,000,000**
  (`LARGEST`). Questionnaire totals run to a few hundred (CORE-OM 0-136, OQ-45 0-180, BDI-II
  0-63), so this leaves room for any rescaled scale, while every number, and every difference
  of two, is still written exactly to two decimals (a float holds about 15 significant
  digits). Beyond it a typing slip (``1e307`` for ``13``) would print as a string of
  meaningless digits, or overflow to infinity in the statistics.
- **SDs and point thresholds are at least 0.01** (`SMALLEST`), and so is the standard error
  of measurement, ``SD * sqrt(1 - reliability)``: reports write scores and changes to two
  decimals (`unstuck.progress.wording.number`), so anything smaller would be reported as 0
  ("a change of more than 0.00 points counts as reliable"), and an SD of ``1e-300`` vanishes
  to 0 in the arithmetic. The reliable change of Jacobson & Truax is 1.96 * sqrt(2), about
  2.8, times the standard error of measurement, so it is then at least 0.03 points.
- **A reliability lies strictly between 0 and 1**, as the formula needs.
- **A scale named on the command line has totals from 0 to 1,000,000** (`COMMAND_LINE_RANGE`):
  nothing else is known of its range, and questionnaire totals are never negative, so a
  negative score or cutoff is far likelier a slip than meant. A scale with negative totals (a
  z-score, a difference score) is described in a definition file with its own ``score_min``
  and ``score_max``.
"""

from __future__ import annotations

import math

LARGEST = 1_000_000.0
SMALLEST = 0.01
COMMAND_LINE_RANGE = (0.0, LARGEST)


def standard_error_of_measurement(sd: float, reliability: float) -> float:
    """``SD * sqrt(1 - reliability)``: the standard error of one score (classical test
    theory). The reliable change statistics (`unstuck.progress.reliable`) are built on it."""
    return sd * math.sqrt(1 - reliability)


def total_problem(value: float) -> str | None:
    """Why `value` cannot be a total, a cutoff or a mean (beyond ±`LARGEST`), or None.

    Like every check here, the reason reads after the value: "is too large: ...".
    """
    if math.isnan(value):
        return "is not a number"
    if abs(value) > LARGEST:
        return f"is too large: totals, cutoffs and means lie within {LARGEST:,.0f} either side of 0"
    return None


def spread_problem(value: float) -> str | None:
    """Why `value` cannot be an SD or a threshold in points (`SMALLEST` to `LARGEST`), or None."""
    if math.isnan(value):
        return "is not a number"
    if value > LARGEST:
        return f"is too large: SDs and changes in points are at most {LARGEST:,.0f}"
    if not value >= SMALLEST:
        return (
            f"is too small: SDs and changes in points are at least {SMALLEST:g} (reports write "
            "scores to two decimals, so anything smaller would read as 0)"
        )
    return None


def reliability_problem(value: float) -> str | None:
    """Why `value` cannot be a reliability (strictly between 0 and 1), or None."""
    if not 0 < value < 1:  # False for NaN too
        return "must be a number between 0 and 1, not 0 or 1 themselves (e.g. 0.85)"
    return None


def measurement_error_problem(sd: float, reliability: float) -> str | None:
    """Why `sd` and `reliability` (each already acceptable) cannot go together, or None: their
    standard error of measurement must be at least `SMALLEST`, or the reliable change would be
    written as 0."""
    error = standard_error_of_measurement(sd, reliability)
    if error >= SMALLEST:
        return None
    return (
        f"with SD {sd:.12g} and reliability {reliability:.12g}, the standard error of measurement, "
        f"SD * sqrt(1 - reliability), is {error:.2g} points; it must be at least {SMALLEST:g} "
        "(reports write scores to two decimals, so a reliable change would read as 0)"
    )
