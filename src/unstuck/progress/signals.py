"""Signals: the reasons a client may not be progressing, each with the numbers and the rule.

This module is the one implementation of every signal (the rules that read the expected
course are in `unstuck.progress.course_rules`, withdrawal's in `unstuck.progress.withdrawal`,
alliance rupture's in `unstuck.progress.rupture`).
Each rule is a pair of polars
expressions, when it fires and what it says, evaluated for every client at once with no
Python loop over clients; the web's single client runs the same rules on a one-client frame
(`unstuck.progress.summary.summarise_client` calls `unstuck.progress.batch`). Thresholds
come from `unstuck.progress.config` (with sources), sentences from
`unstuck.progress.wording`, never from literals here. The sentence is built only for the
rows where the rule fires (most clients raise few signals), and the result is a long frame
of fired signals, one row each, that is then gathered per client.

Status follows the signals: ``off_track`` (safety, deterioration, not_on_track), ``at_risk``
(plateau, slow_response, withdrawal_risk, alliance_rupture, or drifting towards the edge of
the expected course), ``on_track``, or ``insufficient_data`` (no measure has two scores
yet). A safety signal is always listed first and can never be outranked.

Inputs are two frames made by `unstuck.progress.batch`:

- per measure (one row per client and instrument): ``_c`` (client code), ``instrument``,
  ``n``, ``first``, ``last``, ``first_occasion``, ``last_occasion``, ``reliable_change``,
  ``alerts`` (sessions with a safety answer), ``recent_1``, ``recent_2``, ... (the latest
  score, the one before, ...; as many as `recent_window`), ``earlier_sum`` (for session
  feedback: the sum of the scores before the last), and ``first_text``, ``last_text``,
  ``change_text``, ``recent_1_text``, ... (those numbers as sentences write them);
- per session (one row per client and session, sorted by client and session): ``_c``,
  ``attendance``, ``date`` and ``markers``.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping
from typing import Literal

import polars as pl

from unstuck.measures.model import Instrument
from unstuck.progress import wording as w
from unstuck.progress.attendance import MISSED
from unstuck.progress.change import ChangeCriteria, criteria_for
from unstuck.progress.config import PlateauRule, Thresholds
from unstuck.progress.course import CourseModel
from unstuck.progress.course_rules import DRIFTING, course_lines, course_rules
from unstuck.progress.reliable import RELIABLE_Z
from unstuck.progress.response import EARLY, EPS, early_response_rule, slow_response_rule
from unstuck.progress.rules import Rule, fire
from unstuck.progress.rupture import rupture_rules
from unstuck.progress.withdrawal import MISSING_WHILE_IMPROVING, withdrawal_signals

FLAGS = (
    "safety",
    "deterioration",
    "not_on_track",
    "plateau",
    "slow_response",
    "withdrawal_risk",
    "alliance_rupture",
)
RED = frozenset({"safety", "deterioration", "not_on_track"})
Status = Literal["off_track", "at_risk", "on_track", "insufficient_data"]
# The order of attention after any safety flag: the caseload, the CLI report and the web sort by it.
STATUS_RANK: dict[str, int] = {"off_track": 1, "at_risk": 2, "on_track": 3, "insufficient_data": 4}
__all__ = [
    "DRIFTING",
    "EARLY",
    "FLAGS",
    "MISSED",
    "RED",
    "STATUS_RANK",
    "Status",
    "client_signals",
    "improving_steadily",
    "measure_signals",
    "recent_window",
    "status_expr",
]
# Notes: a sentence, no flag and no colour (sessions missed while improving: `withdrawal`).
NOTES = (EARLY, MISSING_WHILE_IMPROVING)
UNFLAGGED = (DRIFTING, *NOTES)
# Signals are listed in flag order, a drift last; within a flag, by instrument.
RANK = {flag: i for i, flag in enumerate((*FLAGS, *UNFLAGGED))}
# The per-measure columns the rules read (filtering only these keeps the rest uncopied).
SIGNAL_INPUTS = (
    "_c",
    "n",
    "first",
    "last",
    "first_occasion",
    "last_occasion",
    "reliable_change",
    "alerts",
    "cleared",
    "alert_date",
    "first_text",
    "last_text",
    "change_text",
    "trend",
    "improving",
    "previous_occasion",
)


def recent_window(thresholds: Thresholds) -> int:
    """How many of the last scores per measure the signals need (plateau window and trend;
    rupture 2)."""
    plateau = thresholds.plateau
    return max(plateau.window, plateau.min_sessions, thresholds.slow_response.recent, 2)


def measure_signals(
    part: pl.DataFrame,
    instrument: Instrument,
    models: Mapping[str, CourseModel],
    thresholds: Thresholds,
) -> pl.DataFrame:
    """The signals one instrument's measures raise: one row per fired signal (FIRED_SCHEMA)."""
    model = models.get(instrument.id)
    rules = _rules(instrument, model, thresholds)
    recent = [
        f"recent_{j}{text}"
        for j in range(1, recent_window(thresholds) + 1)
        for text in ("", "_text")
    ]
    numbers = course_lines(model, thresholds) if model is not None else {}
    selected = part.lazy().select(*SIGNAL_INPUTS, *recent, **numbers)
    return fire(selected, list(rules), instrument.id)


@functools.lru_cache(maxsize=256)
def _rules(
    instrument: Instrument, model: CourseModel | None, thresholds: Thresholds
) -> tuple[Rule, ...]:
    """One instrument's rules, built once per instrument, course and thresholds: the web
    updates one client at a time, and building the expressions was about a tenth of an
    update (polars expressions are immutable, so sharing them is safe)."""
    rules: list[Rule] = []
    if instrument.safety_items:
        rules.append(_safety(instrument))
    if instrument.id == thresholds.alliance_rupture.instrument:
        rules += rupture_rules(instrument, thresholds)
    else:
        criteria = criteria_for(instrument)
        if criteria is not None:
            rules.append(_deterioration(instrument, criteria.rule))
            plateau = _plateau(instrument, thresholds, criteria)
            rules.append(plateau)
            rules.append(slow_response_rule(instrument, thresholds, criteria, plateau[1]))
            rules.append(early_response_rule(instrument, thresholds, criteria))
        if model is not None:
            rules += course_rules(instrument, model, thresholds)
    return tuple(rules)


def client_signals(
    per_measure: pl.DataFrame,
    fired: pl.DataFrame,
    sessions: pl.DataFrame,
    counts: pl.DataFrame,
    thresholds: Thresholds,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Every client's signals: their sentences (``_c``, ``text``; one row each, safety
    first, then in flag order) and, per client code ``_c`` with a signal, its ``flags``,
    which measure raised each (``flagged_measures``: {flag, instrument} pairs), the names of
    withdrawal_risk's reasons (``withdrawal_reasons``: `withdrawal.REASONS`) and whether any
    is ``red``.

    `fired` is what `measure_signals` gives, for all instruments; `counts` is what
    `batch_sessions.session_counts` gives.
    """
    ruptured = fired.filter(pl.col("flag") == "alliance_rupture").select("_c")
    withdrawal = withdrawal_signals(per_measure, counts, sessions, thresholds, ruptured)
    ordered = pl.concat([fired, withdrawal], how="diagonal").sort(
        pl.col("_c"), pl.col("flag").replace_strict(RANK), pl.col("instrument")
    )
    flagged = ~pl.col("flag").is_in(UNFLAGGED)
    verdicts = ordered.group_by(pl.col("_c").set_sorted(), maintain_order=True).agg(
        flags=pl.col("flag").filter(flagged).unique(maintain_order=True),
        # which measure raised each flag, for pages that name it
        flagged_measures=pl.struct("flag", "instrument")
        .filter(flagged & pl.col("instrument").is_not_null())
        .unique(maintain_order=True),
        withdrawal_reasons=pl.col("reasons").filter(pl.col("flag") == "withdrawal_risk").first(),
        red=pl.col("flag").is_in(sorted(RED)).any(),
        signalled=(~pl.col("flag").is_in(NOTES)).any(),
    )
    return ordered.select("_c", "text"), verdicts


def status_expr(signalled: pl.Expr, red: pl.Expr, enough: pl.Expr) -> pl.Expr:
    """Status: red signals, any signal, two scores, or none."""
    return (
        pl.when(red)
        .then(pl.lit("off_track"))
        .when(signalled)
        .then(pl.lit("at_risk"))
        .when(enough)
        .then(pl.lit("on_track"))
        .otherwise(pl.lit("insufficient_data"))
    )


# -- per measure ------------------------------------------------------------------------


def _safety(instrument: Instrument) -> Rule:
    """Any positive safety answer in the data, whenever it was: the flag stays, and the
    sentence says when the latest was and whether later questionnaires answered it 0.

    An answer whose session could not be read (a null in ``alerts``, from a refused row:
    `unstuck.analysis.refused`) raises the flag too; the sentence says its session is not
    known, and that whether a later questionnaire answered the item 0 cannot be told."""
    alerts, cleared, day = pl.col("alerts"), pl.col("cleared"), pl.col("alert_date")
    known = alerts.list.drop_nulls()
    unplaced = alerts.list.len() > known.list.len()
    dated = (
        pl.when(day.is_not_null())
        .then(pl.format(" ({})", day.dt.to_string("%Y-%m-%d")))
        .otherwise(pl.lit(""))
    )
    latest = (
        pl.when(known.list.len() > 1)  # "at session 4, most recently at session 4": no
        .then(pl.format(w.SAFETY_LATEST, known.list.last(), dated))
        .otherwise(dated)
    )
    text = pl.format(
        w.SAFETY,
        pl.lit(instrument.name),
        pl.lit(instrument.safety_items[0]),
        pl.when(known.list.len() == 0)
        .then(pl.lit(w.SAFETY_UNKNOWN_SESSION))
        .otherwise(w.sessions_expr(known)),
        pl.when(known.list.len() == 0)
        .then(pl.lit(""))
        .when(unplaced)
        .then(pl.concat_str(latest, pl.lit(" and at " + w.SAFETY_UNKNOWN_SESSION)))
        .otherwise(latest),
        pl.when(unplaced)
        .then(pl.lit(w.SAFETY_LATER_UNKNOWN))
        .when(cleared.list.len() > 0)
        .then(pl.format(w.SAFETY_LATER_ZERO, w.sessions_expr(cleared)))
        .otherwise(pl.lit(w.SAFETY_NOT_LATER_ZERO)),
    )
    return "safety", alerts.list.len() > 0, text


def _deterioration(instrument: Instrument, rule: str) -> Rule:
    fires = (pl.col("n") >= 2) & (pl.col("reliable_change") == "deteriorated")
    text = pl.format(
        w.DETERIORATION,
        pl.lit(instrument.name),
        pl.col("first_text"),
        pl.col("first_occasion"),
        pl.col("last_text"),
        pl.col("last_occasion"),
        w.points_expr(pl.col("change_text")),
        pl.lit(rule),
    )
    return "deterioration", fires, text


def improving_steadily(criteria: ChangeCriteria, thresholds: Thresholds) -> pl.Expr:
    """Still improving steadily: the least-squares line through all the scores so far
    (``trend``) improves by at least `plateau.improving_share` of a reliable change. Such a
    client is not on a plateau; once out of the clinical range too, sessions missed meanwhile
    are a note (`withdrawal.ending_in_view`)."""
    steady = thresholds.plateau.improving_share * criteria.threshold
    better = pl.col("trend") if criteria.higher_is_better else -pl.col("trend")
    return (pl.col("n") >= 2) & (better >= steady - EPS)


def _plateau(instrument: Instrument, thresholds: Thresholds, criteria: ChangeCriteria) -> Rule:
    """Stuck while still unwell: enough scores, no reliable change (a reliable improvement
    is not stuck; a reliable worsening is the deterioration flag's, which says more), the
    recent ones flat, all in the clinical range and their mean clearly so, and not improving
    steadily (thresholds.toml)."""
    rule = thresholds.plateau
    recent = [pl.col(f"recent_{j}") for j in range(rule.window, 0, -1)]  # oldest first
    spread = pl.max_horizontal(recent) - pl.min_horizontal(recent)
    fires = (
        (pl.col("n") >= rule.min_sessions)
        & (pl.col("reliable_change") == "unchanged")
        & ~criteria.is_reliable(spread)
        & ~pl.col("improving")
    )
    unwell = pl.lit("")
    if criteria.cutoff is not None:
        level = pl.mean_horizontal(recent)
        fires = (
            fires
            & pl.all_horizontal(criteria.in_clinical_range(r) for r in recent)
            & criteria.in_clinical_range(_towards_cutoff(level, rule, criteria))
        )
        unwell = pl.format(
            w.PLATEAU_UNWELL, w.number_expr(level, 1), pl.lit(w.number(criteria.cutoff))
        )
    text = pl.format(
        w.PLATEAU,
        pl.lit(instrument.name),
        pl.col("n"),
        pl.col("first_text"),
        pl.col("last_text"),
        pl.lit(rule.window),
        # The rule fires only with at least `window` scores, so the window is always full.
        pl.concat_str(
            [pl.col(f"recent_{j}_text") for j in range(rule.window, 0, -1)], separator=", "
        ),
        unwell,
        w.points_expr(w.number_expr(spread)),
        pl.lit(w.number(round(criteria.threshold, 2))),
        _line_movement(criteria),
        pl.lit(w.points(w.number(round(rule.improving_share * criteria.threshold, 2)))),
    )
    return "plateau", fires, text


def _towards_cutoff(level: pl.Expr, rule: PlateauRule, criteria: ChangeCriteria) -> pl.Expr:
    """The window's mean moved `rule.level_confidence` standard errors towards the cutoff: in
    the clinical range only if the level itself reliably is. The standard error of one score
    is the reliable change over RELIABLE_Z * sqrt(2) (Jacobson & Truax, 1991), of the mean of
    the window that over sqrt(window)."""
    error = criteria.threshold / (RELIABLE_Z * math.sqrt(2)) / math.sqrt(rule.window)
    margin = rule.level_confidence * error
    return level + margin if criteria.higher_is_better else level - margin


def _line_movement(criteria: ChangeCriteria) -> pl.Expr:
    """How the least-squares line moves, in words: improves by, worsens by, or is level."""
    better = (pl.col("trend") if criteria.higher_is_better else -pl.col("trend")).round(1)
    size = w.points_expr(w.number_expr(better.abs()))
    return (
        pl.when(better > 0)
        .then(pl.format(w.LINE_BETTER, size))
        .when(better < 0)
        .then(pl.format(w.LINE_WORSE, size))
        .otherwise(pl.lit(w.LINE_LEVEL))
    )
