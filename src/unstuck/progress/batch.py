"""Summarise a whole caseload at once: the vectorised twin of `unstuck.progress.summary`.

Input is a long polars frame of checked observations (as made by
`unstuck.analysis.csvinput`); output is one row per client and instrument and one row per
client. Work is done column-wise in polars and numpy, with a Python loop only over the
(few) instruments, so 100,000 clients take about as long as reading their file.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import polars as pl

from unstuck.measures import band_index
from unstuck.measures.model import Instrument
from unstuck.progress import wording as w
from unstuck.progress.change import ChangeCriteria, classify_changes, criteria_for
from unstuck.progress.config import Thresholds, default_course_models, default_thresholds
from unstuck.progress.course import CourseModel
from unstuck.progress.signals import Series, Session, detect
from unstuck.progress.summary import ATTENDANCE_KINDS

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


@dataclass(frozen=True)
class CaseloadSummary:
    measures: pl.DataFrame  # one row per client and instrument with a score: MEASURE_KEYS + text
    clients: pl.DataFrame  # client_id, status, flags, explanations, measures_json, attendance


def summarise_caseload(
    observations: pl.DataFrame,
    instruments: Mapping[str, Instrument],
    *,
    models: Mapping[str, CourseModel] | None = None,
    thresholds: Thresholds | None = None,
) -> CaseloadSummary:
    """Summarise every client in `observations` (columns as `csvinput.OBSERVATION_COLUMNS`)."""
    scored = pl.col("total").is_not_null()
    occ = pl.col("occasion")
    # Grouping on small integer codes is several times faster than on text keys.
    codes = {name: i for i, name in enumerate(sorted(instruments))}
    observations = observations.with_columns(
        _c=pl.col("client_id").cast(pl.Categorical).to_physical().cast(pl.Int64)
    ).with_columns(
        _k=pl.col("_c") * len(codes)
        + pl.col("instrument").replace_strict(codes, return_dtype=pl.Int64)
    )
    keys = observations.group_by("_k").agg(
        client_id=pl.col("client_id").first(),
        instrument=pl.col("instrument").first(),
        _c=pl.col("_c").first(),
    )
    scores = (
        observations.filter(scored)
        .group_by("_k")
        .agg(
            n=pl.len().cast(pl.Int64),
            first_occasion=occ.min(),
            last_occasion=occ.max(),
            first=pl.col("total").get(occ.arg_min()),
            last=pl.col("total").get(occ.arg_max()),
        )
    )
    # Safety answers are rare: list their sessions from the few rows that have them.
    safety = (
        observations.filter(pl.col("safety_alert") | pl.col("safety_unanswered"))
        .sort("occasion")
        .group_by("_k")
        .agg(
            alerts=occ.filter(pl.col("safety_alert")),
            blanks=occ.filter(pl.col("safety_unanswered")),
        )
    )
    grouped = (
        keys.join(scores, on="_k", how="left")
        .join(safety, on="_k", how="left")
        .with_columns(
            pl.col("n").fill_null(0),
            pl.col("alerts", "blanks").fill_null(pl.lit([], dtype=pl.List(pl.Int64))),
        )
        .sort(["client_id", "instrument"])
    )
    parts = [
        _per_instrument(part, instruments[key[0]])
        for key, part in grouped.group_by("instrument", maintain_order=True)
        if isinstance(key[0], str)
    ]
    per_measure = pl.concat(parts, how="diagonal_relaxed").sort(["client_id", "instrument"])

    measure_json = pl.format(
        '"{}":{}',
        pl.col("instrument"),
        pl.struct(*MEASURE_KEYS).struct.json_encode(),
    )
    clients = (
        per_measure.group_by("_c", maintain_order=True)
        .agg(
            client_id=pl.col("client_id").first(),
            sentences=pl.col("sentence").drop_nulls(),
            unknown=pl.col("unknown_sentence").drop_nulls(),
            measures_json=pl.concat_str(
                pl.lit("{"), measure_json.filter(pl.col("n") > 0).str.join(","), pl.lit("}")
            ),
        )
        .join(
            _detections(observations, instruments, models, thresholds),
            on="client_id",
            how="left",
        )
        .with_columns(explanations=pl.concat_list("signals", "sentences", "unknown"))
        .with_columns(
            explanations=pl.when(pl.col("explanations").list.len() == 0)
            .then(pl.lit([w.NO_SCORES], dtype=pl.List(pl.String)))
            .otherwise(pl.col("explanations"))
        )
        .join(_attendance(observations), on="_c", how="left")
        .select("client_id", "status", "flags", "explanations", "measures_json", "attendance")
    )
    return CaseloadSummary(per_measure.filter(pl.col("n") > 0), clients)


def _per_instrument(part: pl.DataFrame, instrument: Instrument) -> pl.DataFrame:
    """Severity, change classification and sentences for one instrument's rows."""
    criteria = criteria_for(instrument)
    first = part.get_column("first").to_numpy().astype(np.float64)
    last = part.get_column("last").to_numpy().astype(np.float64)
    n = part.get_column("n").to_numpy()
    names = pl.Series([b.name for b in instrument.bands] + [None], dtype=pl.String)
    cols: dict[str, pl.Series] = {
        "first_severity": names.gather(_band_positions(instrument, first, len(names))),
        "last_severity": names.gather(_band_positions(instrument, last, len(names))),
        "change": pl.Series(np.where(n >= 2, last - first, np.nan)).fill_nan(None),
    }
    if criteria is not None:
        arrays = classify_changes(np.nan_to_num(first), np.nan_to_num(last), criteria)
        judged = n >= 2
        labels = pl.Series(["deteriorated", "unchanged", "improved"], dtype=pl.String)
        reliable = labels.gather(arrays.direction.astype(np.int64) + 1)
        cols["reliable_change"] = reliable.set(pl.Series(~judged), None)
        known = judged & arrays.case_at_first if arrays.has_cutoff else np.zeros_like(judged)
        cols["recovered"] = _only_where(known, arrays.recovered)
        cols["reliably_recovered"] = _only_where(known, arrays.reliably_recovered)
    else:
        cols["reliable_change"] = pl.Series([None] * part.height, dtype=pl.String)
        cols["recovered"] = pl.Series([None] * part.height, dtype=pl.Boolean)
        cols["reliably_recovered"] = pl.Series([None] * part.height, dtype=pl.Boolean)
    frame = part.with_columns(
        pl.lit(instrument.id).alias("instrument"),
        **cols,
        safety_alert=pl.col("alerts").list.len() > 0,
    )
    return frame.with_columns(
        sentence=pl.when(pl.col("n") > 0).then(_sentence_expr(instrument.name, criteria)),
        unknown_sentence=_unknown_safety_sentence(instrument),
    ).drop("alerts", "blanks")


def _only_where(keep: np.ndarray, values: np.ndarray) -> pl.Series:
    """Values where `keep`, null elsewhere (recovery is undefined unless a case at first)."""
    return pl.Series(values, dtype=pl.Boolean).set(pl.Series(~keep), None)


def _band_positions(instrument: Instrument, totals: np.ndarray, size: int) -> pl.Series:
    idx = band_index(instrument, totals).astype(np.int64)
    return pl.Series(np.where(idx < 0, size - 1, idx))


def _sentence_expr(name: str, criteria: ChangeCriteria | None) -> pl.Expr:
    first = w.labelled_expr(pl.col("first"), pl.col("first_severity"))
    last = w.labelled_expr(pl.col("last"), pl.col("last_severity"))
    one = pl.format(w.ONE_SCORE, pl.lit(name), first, pl.col("first_occasion"))
    change = pl.format(
        w.CHANGE,
        pl.lit(name),
        first,
        pl.col("first_occasion"),
        last,
        pl.col("last_occasion"),
        pl.col("n"),
        w.signed_expr(pl.col("change")),
    )
    if criteria is None:
        body = pl.concat_str(change, pl.lit(" " + w.NO_RULE))
    else:
        rc = pl.col("reliable_change")
        verdict = (
            pl.when(rc == "improved")
            .then(pl.lit(w.IMPROVED.format(criteria.rule)))
            .when(rc == "deteriorated")
            .then(pl.lit(w.DETERIORATED.format(criteria.rule)))
            .otherwise(pl.lit(w.UNCHANGED.format(criteria.rule)))
        )
        body = pl.concat_str(change, pl.lit(" "), verdict)
        if criteria.cutoff is not None:
            recovery = (
                pl.when(pl.col("recovered").is_null())
                .then(pl.lit(w.NOT_A_CASE))
                .when(pl.col("reliably_recovered"))
                .then(pl.lit(w.RELIABLY_RECOVERED))
                .when(pl.col("recovered"))
                .then(pl.lit(w.RECOVERED_ONLY))
                .otherwise(pl.lit(w.NOT_RECOVERED))
            )
            body = pl.concat_str(body, pl.lit(" "), recovery)
    return pl.when(pl.col("n") >= 2).then(body).otherwise(one)


def _unknown_safety_sentence(instrument: Instrument) -> pl.Expr:
    """Sessions where the safety item has no answer (blank, or only a total was given)."""
    if not instrument.safety_items:
        return pl.lit(None, pl.String)
    blanks = pl.col("blanks")
    return pl.when(blanks.list.len() > 0).then(
        pl.format(
            w.SAFETY_UNKNOWN,
            pl.lit(instrument.name),
            pl.lit(instrument.safety_items[0]),
            w.sessions_expr(blanks),
        )
    )


def _detections(
    observations: pl.DataFrame,
    instruments: Mapping[str, Instrument],
    models: Mapping[str, CourseModel] | None,
    thresholds: Thresholds | None,
) -> pl.DataFrame:
    """Signals and status per client, by the same `detect` the per-client path uses.

    The signals look at each client's sequence of sessions, so this runs client by client
    in Python over pre-sorted columns.
    """
    models = default_course_models() if models is None else models
    thresholds = default_thresholds() if thresholds is None else thresholds
    ordered = observations.sort(["client_id", "instrument", "occasion"])
    columns = [
        ordered.get_column(c).to_list()
        for c in (
            "client_id",
            "instrument",
            "occasion",
            "total",
            "attendance",
            "date",
            "safety_alert",
        )
    ]
    out_ids: list[str] = []
    out_status: list[str] = []
    out_flags: list[list[str]] = []
    out_signals: list[list[str]] = []
    rows = zip(*columns, strict=True)
    for client_id, client_rows in itertools.groupby(rows, key=lambda r: r[0]):
        own = list(client_rows)
        series = []
        for instrument_id, group in itertools.groupby(own, key=lambda r: r[1]):
            rs = list(group)
            scored = [r for r in rs if r[3] is not None]
            series.append(
                Series(
                    instruments[instrument_id],
                    tuple(r[2] for r in scored),
                    tuple(r[3] for r in scored),
                    tuple(r[2] for r in rs if r[6]),
                )
            )
        sessions: dict[int, Session] = {}
        for r in sorted(own, key=lambda r: r[2]):
            if r[2] not in sessions:
                sessions[r[2]] = Session(r[2], r[4], r[5].toordinal() if r[5] else None)
        found = detect(series, list(sessions.values()), models, thresholds)
        out_ids.append(client_id)
        out_status.append(found.status)
        out_flags.append(list(found.flags))
        out_signals.append(list(found.explanations))
    return pl.DataFrame(
        {"client_id": out_ids, "status": out_status, "flags": out_flags, "signals": out_signals},
        schema={
            "client_id": pl.String,
            "status": pl.String,
            "flags": pl.List(pl.String),
            "signals": pl.List(pl.String),
        },
    )


def _attendance(observations: pl.DataFrame) -> pl.DataFrame:
    """Sessions per attendance kind, counting each client's session once."""
    # Occasions are validated to be whole numbers from 1, so (client, occasion) packs into
    # one integer without collisions.
    span: int = observations.select(pl.col("occasion").max()).item() or 1
    span += 1
    sessions = observations.select(
        "_c", "attendance", _s=pl.col("_c") * span + pl.col("occasion")
    ).unique(subset="_s", keep="any")
    counts = sessions.group_by("_c").agg(
        **{k: (pl.col("attendance") == k).sum().cast(pl.Int64) for k in ATTENDANCE_KINDS}
    )
    return counts.select("_c", pl.struct(*ATTENDANCE_KINDS).alias("attendance"))
