"""Summarise clients: measures, change, signals and status. The one implementation.

`summarise_caseload` serves the caseload (`unstuck analyze`) and, on a one-client frame,
the web's single client (`unstuck.progress.summary.summarise_client`). Input is a long
polars frame of checked observations (as made by `unstuck.analysis.csvinput`); output is
one row per client and instrument and one row per client. Work is done column-wise in
polars and numpy, with a Python loop only over the (few) instruments: 100,000 clients x 10
sessions take about half a second on two cores.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import polars as pl

from unstuck.measures.model import Instrument
from unstuck.progress import wording as w
from unstuck.progress.attendance import ATTENDANCE_KINDS
from unstuck.progress.batch_scores import scores_per_client
from unstuck.progress.batch_sessions import session_counts, session_rows
from unstuck.progress.change import criteria_for
from unstuck.progress.classify import classify_changes
from unstuck.progress.config import (
    Thresholds,
    courses_for,
    default_course_models,
    default_thresholds,
)
from unstuck.progress.course import CourseModel
from unstuck.progress.measure_text import (
    band_positions,
    only_where,
    sentence_expr,
    unknown_safety_sentence,
    unscored_sentence,
    verdicts,
)
from unstuck.progress.rules import ENGINE
from unstuck.progress.runs import client_codes
from unstuck.progress.signals import (
    client_signals,
    improving_steadily,
    measure_signals,
    status_expr,
)
from unstuck.progress.withdrawal import ending_in_view

MEASURE_KEYS = (
    "first",
    "last",
    "change",
    "n",
    "reliable_change",
    "recovered",
    "reliably_recovered",
    "first_occasion",
    "last_occasion",
    "first_severity",
    "last_severity",
    "safety_alert",
)


MEASURES_SCHEMA = pl.Schema(
    {
        "_c": pl.Int64,
        "client_id": pl.String,
        "instrument": pl.String,
        "first": pl.Float64,
        "last": pl.Float64,
        "change": pl.Float64,
        "n": pl.Int64,
        "reliable_change": pl.String,
        "recovered": pl.Boolean,
        "reliably_recovered": pl.Boolean,
        "first_occasion": pl.Int64,
        "last_occasion": pl.Int64,
        "first_severity": pl.String,
        "last_severity": pl.String,
        "safety_alert": pl.Boolean,
        "sentence": pl.String,
    }
)
CLIENTS_SCHEMA = pl.Schema(
    {
        "_c": pl.Int64(),
        "client_id": pl.String(),
        "status": pl.String(),
        "flags": pl.List(pl.String),
        "explanations": pl.List(pl.String),
        "attendance": pl.Struct({k: pl.Int64 for k in ATTENDANCE_KINDS}),
        # which measure raised each flag: {"flag": "plateau", "instrument": "gad7"}
        "flagged_measures": pl.List(pl.Struct({"flag": pl.String, "instrument": pl.String})),
        "withdrawal_reasons": pl.List(pl.String),  # `withdrawal.REASONS` that raised the flag
    }
)


@dataclass(frozen=True)
class CaseloadSummary:
    measures: pl.DataFrame  # one row per client and instrument with a score: MEASURE_KEYS + text
    # _c (the client's place in client_id order), client_id, status, flags, explanations,
    # attendance; both frames are in client order.
    clients: pl.DataFrame
    models: Mapping[str, CourseModel]  # the expected courses the signals used, by instrument
    # the scored measures with no expected course (`wording.NO_COURSE`), session feedback aside
    without_course: tuple[str, ...] = ()


def summarise_caseload(
    observations: pl.DataFrame,
    instruments: Mapping[str, Instrument],
    *,
    models: Mapping[str, CourseModel] | None = None,
    thresholds: Thresholds | None = None,
    codes: pl.Series | None = None,
) -> CaseloadSummary:
    """Summarise every client in `observations` (columns as `csvinput.OBSERVATION_COLUMNS`).

    Rows must be checked first: one row per client, instrument and session, and one
    attendance, date and markers count per session (as `unstuck.analysis.csvinput`
    guarantees). `codes` are the rows' `client_codes` when the caller has them already
    (`csvinput.Observations.client_codes`). A row without an occasion is a safety answer
    whose session could not be read (`unstuck.analysis.refused`): it raises the safety flag
    and is no session (it counts in no attendance and is no score). A row without an
    attendance (questionnaires answered ahead of a session not yet recorded: the web's
    `selectors.observations`) is a score and no session: it counts in no attendance or gap.
    """
    models = default_course_models() if models is None else models
    thresholds = default_thresholds() if thresholds is None else thresholds
    if observations.is_empty():  # e.g. every row left out with --skip-invalid
        return CaseloadSummary(MEASURES_SCHEMA.to_frame(), CLIENTS_SCHEMA.to_frame(), {})
    # Grouping on small integer codes is several times faster than on text keys. Client codes
    # follow the order of client ids, so sorting by codes sorts the report; sorting the rows
    # once puts every client's sessions in order for the signals that read sequences.
    ids = sorted(instruments)
    if codes is None:
        codes = client_codes(observations.get_column("client_id"))
    observations = observations.with_columns(
        _c=codes,
        _i=pl.col("instrument").cast(pl.Enum(ids)).to_physical(),
    )
    # Checked with numpy, as are the instruments present: each polars call is a query, and a
    # one-client update makes dozens (the columns have no nulls, so no copy is made).
    step_c = np.diff(codes.to_numpy())
    step_o = np.diff(observations.get_column("occasion").to_numpy())
    if not np.all((step_c > 0) | ((step_c == 0) & (step_o >= 0))):  # most files are in order
        observations = observations.sort("_c", "occasion", nulls_last=True)
    counts_by_code = np.bincount(observations.get_column("_i").to_numpy(), minlength=len(ids))
    present = np.flatnonzero(counts_by_code).tolist()
    # Every scale gets an expected course: a clinic scale without one gets the default.
    feedback_id = thresholds.alliance_rupture.instrument
    models = courses_for(
        (instruments[ids[code]] for code in present if ids[code] != feedback_id), models
    )
    parts, fired = [], []
    by_instrument = (
        {(present[0],): observations}
        if len(present) == 1
        else observations.partition_by("_i", as_dict=True, maintain_order=True)
    )
    for code in present:
        instrument = instruments[ids[code]]
        rows = by_instrument[(code,)]
        feedback = instrument.id == thresholds.alliance_rupture.instrument
        measured = _per_instrument(
            scores_per_client(rows, thresholds, feedback), instrument, code, thresholds
        ).with_columns(
            no_course=pl.lit(None, pl.String)
            if feedback or instrument.id in models
            else pl.when(pl.col("n") >= 2).then(pl.lit(w.NO_COURSE.format(instrument.name)))
        )
        parts.append(measured)
        fired.append(measure_signals(measured, instrument, models, thresholds))
    per_measure = pl.concat(parts, how="diagonal_relaxed")
    if len(parts) > 1:
        per_measure = per_measure.sort("_c", "_i")
    sessions = session_rows(observations, several_instruments=len(present) > 1)
    counts = session_counts(sessions, thresholds)
    texts, verdicts = client_signals(per_measure, pl.concat(fired), sessions, counts, thresholds)

    # Each client's explanations: signals first, then each measure's sentence, then any
    # questionnaire that could not be scored, then any safety answer that is missing, then any
    # measure with no expected course (a note about the method, after what concerns risk).
    # Gathered from one long frame of sentences (sorted by client, each part already in
    # order) into lists, which only moves references to text.
    explanations = (
        pl.concat(
            [
                texts.lazy().select("_c", pl.lit(0).alias("_part"), "text"),
                per_measure.lazy().select("_c", pl.lit(1).alias("_part"), text="sentence"),
                *(
                    per_measure.lazy().select("_c", pl.lit(part).alias("_part"), text=name)
                    for part, name in (
                        (2, "unscored_sentence"),
                        (3, "unknown_sentence"),
                        (4, "no_course"),
                    )
                ),
            ]
        )
        .filter(pl.col("text").is_not_null())
        .sort("_c", "_part", maintain_order=True)
        .group_by(pl.col("_c").set_sorted(), maintain_order=True)
        .agg(explanations="text")
        .collect(engine=ENGINE)
    )
    # Rows are in client order from here on; telling polars so lets it group by slicing.
    by_client = per_measure.get_column("_c").to_numpy()
    if bool(np.all(by_client[1:] > by_client[:-1])):  # one measure per client
        clients = per_measure.select("_c", "client_id", enough=pl.col("n") >= 2)
    else:
        clients = per_measure.group_by(pl.col("_c").set_sorted(), maintain_order=True).agg(
            client_id=pl.col("client_id").first(), enough=(pl.col("n") >= 2).any()
        )
    for found in (verdicts, explanations, counts.select("_c", "attendance")):
        clients = _beside(clients, found)
    clients = (
        clients.select(
            "_c",
            "client_id",
            status=status_expr(
                pl.col("signalled").fill_null(False), pl.col("red"), pl.col("enough")
            ),
            flags=pl.col("flags").fill_null(pl.lit([], dtype=pl.List(pl.String))),
            explanations=pl.col("explanations").fill_null(
                pl.lit([w.NO_SCORES], dtype=pl.List(pl.String))
            ),
            # none for a client whose only row is a safety answer of an unknown session
            attendance=pl.col("attendance").fill_null(
                pl.lit({k: 0 for k in ATTENDANCE_KINDS}, dtype=CLIENTS_SCHEMA["attendance"])
            ),
            flagged_measures=pl.col("flagged_measures").fill_null(
                pl.lit([], dtype=CLIENTS_SCHEMA["flagged_measures"])
            ),
            withdrawal_reasons=pl.col("withdrawal_reasons").fill_null(
                pl.lit([], dtype=pl.List(pl.String))
            ),
        ).rechunk()  # one piece per column: the string work on the report expects it
    )
    measures = per_measure.filter(pl.col("n") > 0).select(MEASURES_SCHEMA.names()).rechunk()
    scored = set(measures.get_column("instrument").unique().to_list())
    scored.discard(thresholds.alliance_rupture.instrument)
    used = {i: models[i] for i in sorted(scored) if i in models}
    without = tuple(i for i in sorted(scored) if i not in models)
    return CaseloadSummary(measures, clients, used, without)


def _beside(left: pl.DataFrame, right: pl.DataFrame) -> pl.DataFrame:
    """`right`'s columns added to `left` by client code ``_c`` (a left join); side by side
    when both hold the same clients in the same order, the common case, which copies nothing."""
    same = right.height == left.height and np.array_equal(
        right.get_column("_c").to_numpy(), left.get_column("_c").to_numpy()
    )
    if same:  # the columns themselves, not `drop` (a query, of which an update makes dozens)
        return left.hstack([c for c in right.get_columns() if c.name != "_c"])
    return left.join(right, on="_c", how="left", maintain_order="left")


def _per_instrument(
    part: pl.DataFrame, instrument: Instrument, code: int, thresholds: Thresholds
) -> pl.DataFrame:
    """Severity, change classification, whether still improving steadily and whether an
    ending is in view (`withdrawal.ending_in_view`), and sentences for one instrument's rows
    (``_i``: `code`, the instrument's place in id order)."""
    criteria = criteria_for(instrument)
    first = part.get_column("first").to_numpy().astype(np.float64)
    last = part.get_column("last").to_numpy().astype(np.float64)
    judged = part.get_column("n").to_numpy() >= 2
    bands = instrument.bands
    names = pl.Series([b.name for b in bands] + [None], dtype=pl.String)
    # What follows a score in a sentence: its band in brackets, or nothing outside the bands.
    labels = pl.Series([f" ({b.name})" for b in bands] + [""], dtype=pl.String)
    at_first = pl.lit(band_positions(instrument, first, len(names)))
    at_last = pl.lit(band_positions(instrument, last, len(names)))
    change = pl.Series(np.where(judged, last - first, np.nan), nan_to_null=True)
    # All the columns are added in one step (a one-client update makes many such calls).
    cols: dict[str, pl.Series | pl.Expr] = {
        "first_severity": pl.lit(names).gather(at_first),
        "last_severity": pl.lit(names).gather(at_last),
        "change": change,
        # The numbers as sentences write them, once for the measure's sentence and signals.
        "first_text": w.number_texts(part.get_column("first")),
        "last_text": w.number_texts(part.get_column("last")),
        "change_text": w.number_texts(change, plus=True),
        **{
            f"{name}_text": w.number_texts(part.get_column(name))
            for name in part.columns
            if name.startswith("recent_")
        },
        "_first_label": pl.lit(labels).gather(at_first),
        "_last_label": pl.lit(labels).gather(at_last),
    }
    if criteria is not None:
        arrays = classify_changes(np.nan_to_num(first), np.nan_to_num(last), criteria)
        kinds = pl.Series(["deteriorated", "unchanged", "improved"], dtype=pl.String)
        reliable = pl.lit(kinds).gather(pl.lit(pl.Series(arrays.direction.astype(np.int64) + 1)))
        cols["reliable_change"] = pl.when(pl.col("n") >= 2).then(reliable)
        known = judged & arrays.case_at_first if arrays.has_cutoff else np.zeros_like(judged)
        cols["recovered"] = only_where(known, arrays.recovered)
        cols["reliably_recovered"] = only_where(known, arrays.reliably_recovered)
        texts, position = verdicts(criteria, arrays, known)
        cols["_verdict"] = pl.lit(texts).gather(pl.lit(pl.Series(position)))
        cols["improving"] = improving = improving_steadily(criteria, thresholds)
        cols["ending"] = ending_in_view(improving, criteria)
    else:  # no change rule: improving and an ending in view cannot be told (null)
        cols["reliable_change"] = pl.lit(None, pl.String)
        cols["recovered"] = cols["reliably_recovered"] = pl.lit(None, pl.Boolean)
        cols["improving"] = cols["ending"] = pl.lit(None, pl.Boolean)
        cols["_verdict"] = pl.lit(w.NO_RULE, pl.String)
    frame = part.with_columns(
        pl.lit(instrument.id).alias("instrument"),
        pl.lit(code, pl.Int64).alias("_i"),
        **cols,
        safety_alert=pl.col("alerts").list.len() > 0,
    )
    # Eager on purpose: with this step lazy, its result came in several pieces, and polars 2.1
    # panicked ("binview ... i < self.len()") formatting sentences on filtered rows of it
    # (found by tests/progress/test_batch.py; a frame concatenated from two pieces does it too).
    return frame.select(
        pl.all().exclude("_first_label", "_last_label", "_verdict"),
        sentence=pl.when(pl.col("n") > 0).then(sentence_expr(instrument.name)),
        unscored_sentence=unscored_sentence(instrument),
        unknown_sentence=unknown_safety_sentence(instrument),
    )
