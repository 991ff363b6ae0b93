"""Features for the learned dropout model (`unstuck.progress.dropout`), as of any session.

Once a clinic has enough ended episodes, a logistic regression on a handful of readable
features estimates how often clients with a similar pattern of attendance, session feedback
and progress ended therapy early in this clinic's own past. It is validated on held-out
clients and always reported next to the AUC of the withdrawal rule on the same clients, so a
clinic can see whether it adds anything. Its coefficients are shown as odds ratios: no black
box, and no replacement of the rules, which stay the first and always-present signal.

Features (`FEATURES`; computed by `dropout_features` from sessions up to a horizon only):

``sessions``
    Booked sessions so far (attended, late, cancelled or missed).
``missed_share``
    Share of booked sessions cancelled or missed (no_show).
``late_share``
    Share of booked sessions the client came late to.
``missed_last3``
    Cancelled or missed sessions among the last three booked (0-3).
``gap_growth``
    The latest gap between dated sessions divided by the client's usual (median) earlier gap,
    minus 1: 0 is as usual, 1 is twice the usual. Needs three gaps, else unknown.
``feedback_level``
    The latest session-feedback total (0-40, higher is a better working relationship).
``feedback_fall``
    Mean of the earlier session-feedback totals minus the latest (positive: falling). Needs
    two totals.
``symptom_change``
    Latest minus first PHQ-9 (positive: worse). Needs two scores.
``above_course``
    How far the latest PHQ-9 lies above (worse than) the expected course for the client's
    starting score, in standard deviations of the course's prediction band
    (`unstuck.progress.course`). Needs two scores.
``markers_last4``
    In-session resistance markers the therapist ticked over the last four sessions (only when
    the observations carry a ``markers`` column, as the web app's do).

A feature that cannot be computed for a client is null ("unknown", never a silent 0); the
model replaces it by the mean of the episodes it was fitted on, so an unknown value neither
raises nor lowers the estimate. Missed appointments, late arrivals, lengthening gaps and a
weakening working relationship are the best-documented early signs of dropout (Swift &
Greenberg, 2012; Sharf, Primavera & Diener, 2010; Mitchell & Selmes, 2007), and clients who
are not being helped leave more often (Lambert, 2007), hence the symptom features.

The model is a *landmark* model (van Houwelingen, 2007): at each landmark session ``h`` (by
default 3 to 10) every ended episode still in therapy at ``h`` (it attended a session after
``h``) contributes one row with its features as of ``h`` and whether it later ended early.
Stacking the landmarks lets ``sessions`` enter as a feature and the model be used at any point
of treatment. Validation is k-fold *by client*: all rows of a client fall in the same fold, so
no client is ever both fitted on and judged.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import polars as pl

from unstuck.errors import InvalidValue
from unstuck.progress.attendance import ATTENDED, MISSED
from unstuck.progress.config import Thresholds, default_course_models, default_thresholds
from unstuck.progress.course import CourseModel
from unstuck.progress.rupture import rupture_fires
from unstuck.progress.withdrawal import attendance_fires, feedback_fires, gap_fires, markers_fires

FEATURES: tuple[str, ...] = (
    "sessions",
    "missed_share",
    "late_share",
    "missed_last3",
    "gap_growth",
    "feedback_level",
    "feedback_fall",
    "symptom_change",
    "above_course",
    "markers_last4",
)
FEATURE_LABELS: Mapping[str, str] = {
    "sessions": "sessions booked so far",
    "missed_share": "share of sessions cancelled or missed",
    "late_share": "share of sessions started late",
    "missed_last3": "cancelled or missed among the last 3 sessions",
    "gap_growth": "latest gap between sessions relative to the usual gap (0 = as usual)",
    "feedback_level": "latest session-feedback total",
    "feedback_fall": "fall of session feedback below its earlier average",
    "symptom_change": "PHQ-9 change since the first session (positive = worse)",
    "above_course": "latest PHQ-9 above its expected course, in band SDs",
    "markers_last4": "resistance markers noticed over the last 4 sessions",
}
ENDINGS = ("completed", "dropped_out", "referred", "ongoing")
ENDED = ("completed", "dropped_out", "referred")
LANDMARKS = tuple(range(3, 11))
MIN_EPISODES = 200
MIN_DROPOUTS = 50
SYMPTOM = "phq9"
MODEL_FORMAT = "unstuck-dropout-model/1"


def _per_client(
    frame: pl.DataFrame,
    horizon: int | None,
    symptom: str,
    course: CourseModel | None,
    thresholds: Thresholds,
) -> pl.DataFrame:
    """Everything the features and the rule score need, one row per client, vectorised."""
    if horizon is not None:
        frame = frame.filter(pl.col("occasion") <= horizon)
    feedback = thresholds.alliance_rupture.instrument
    window = thresholds.withdrawal_risk.window
    markers = pl.col("markers").max() if "markers" in frame.columns else pl.lit(None, pl.Int64)
    newest_first = pl.int_range(pl.len()).reverse().over("client_id")
    sessions = (
        frame.group_by("client_id", "occasion")
        .agg(attendance=pl.col("attendance").first(), date=pl.col("date").first(), markers=markers)
        .sort("client_id", "occasion")
        .with_columns(
            missed=pl.col("attendance").is_in(MISSED),
            late=pl.col("attendance") == "late",
            back=newest_first,
        )
    )
    recent = pl.col("back") < window
    per_client = sessions.group_by("client_id").agg(
        sessions=pl.len(),
        missed_share=pl.col("missed").mean(),
        late_share=pl.col("late").mean(),
        missed_last3=pl.col("missed").filter(pl.col("back") < 3).sum(),
        recent_missed=pl.col("missed").filter(recent).sum(),
        recent_late=pl.col("late").filter(recent).sum(),
        markers_last4=pl.col("markers").filter(pl.col("back") < 4).sum(),
        recent_markers=pl.col("markers").filter(recent).sum(),
        has_markers=pl.col("markers").is_not_null().any(),
    )
    gaps = (
        sessions.filter(pl.col("date").is_not_null())
        .with_columns(gap=pl.col("date").diff().dt.total_days().over("client_id"))
        .filter(pl.col("gap").is_not_null())
        .with_columns(back=newest_first)
        .group_by("client_id")
        .agg(
            gaps=pl.len(),
            last_gap=pl.col("gap").filter(pl.col("back") == 0).first().cast(pl.Float64),
            usual_gap=pl.col("gap").filter(pl.col("back") > 0).median(),
        )
    )

    def scored(instrument: str) -> pl.DataFrame:
        return (
            frame.filter((pl.col("instrument") == instrument) & pl.col("total").is_not_null())
            .sort("client_id", "occasion")
            .with_columns(back=newest_first)
        )

    fb = (
        scored(feedback)
        .group_by("client_id")
        .agg(
            fb_n=pl.len(),
            feedback_level=pl.col("total").last(),
            fb_earlier=pl.col("total").filter(pl.col("back") > 0).mean(),
            fb_previous=pl.col("total").filter(pl.col("back") == 1).first(),
        )
    )
    sy = (
        scored(symptom)
        .group_by("client_id")
        .agg(
            sy_n=pl.len(),
            sy_first=pl.col("total").first(),
            sy_last=pl.col("total").last(),
            sy_span=pl.col("occasion").last() - pl.col("occasion").first() + 1,
        )
    )
    table = (
        per_client.join(gaps, on="client_id", how="left")
        .join(fb, on="client_id", how="left")
        .join(sy, on="client_id", how="left")
        .with_columns(pl.col("gaps", "fb_n", "sy_n").fill_null(0))
        .sort("client_id")
    )
    worse = -1.0 if course is not None and course.higher_is_better else 1.0
    above = pl.Series("above", [None] * table.height, dtype=pl.Float64)
    if course is not None and table.height:
        first = table.get_column("sy_first").cast(pl.Float64).fill_null(course.center).to_numpy()
        span = table.get_column("sy_span").fill_null(1).to_numpy().astype(float)
        x = np.log(span)
        spread, expected = course.spread_at(x), course.expected_at(first, x)
        last = table.get_column("sy_last").cast(pl.Float64).fill_null(np.nan).to_numpy()
        above = pl.Series("above", worse * (last - expected) / spread).fill_nan(None)
    two = pl.col("sy_n") >= 2
    return table.with_columns(above).with_columns(
        gap_growth=pl.when((pl.col("gaps") >= 3) & (pl.col("usual_gap") > 0)).then(
            pl.col("last_gap") / pl.col("usual_gap") - 1.0
        ),
        feedback_fall=pl.when(pl.col("fb_n") >= 2).then(
            pl.col("fb_earlier") - pl.col("feedback_level")
        ),
        symptom_change=pl.when(two).then(worse * (pl.col("sy_last") - pl.col("sy_first"))),
        above_course=pl.when(two).then(pl.col("above")),
        markers_last4=pl.when(pl.col("has_markers")).then(pl.col("markers_last4")),
    )


def dropout_features(
    frame: pl.DataFrame,
    *,
    horizon: int | None,
    symptom: str = SYMPTOM,
    course: CourseModel | None = None,
    thresholds: Thresholds | None = None,
) -> pl.DataFrame:
    """Each client's dropout features from the sessions up to `horizon` (vectorised).

    Parameters
    ----------
    frame
        Checked observations, one row per client, session and instrument, with the columns
        ``client_id``, ``occasion``, ``instrument``, ``total``, ``attendance`` and ``date``
        (as `unstuck.analysis.check_observations` makes them; ``date`` may be null, and an
        optional integer ``markers`` column holds the therapist's in-session markers).
    horizon
        Only sessions with ``occasion <= horizon`` are looked at, so the features are what a
        therapist could have known at that session (rows after it are ignored, never used).
        ``None`` uses every session: the features "as of now".
    symptom
        The symptom measure for ``symptom_change`` and ``above_course`` (default PHQ-9).
    course
        Its expected-course model; default: the shipped one for `symptom`, if any (without a
        model ``above_course`` is unknown).
    thresholds
        Only for the session-feedback instrument's id (``alliance_rupture.instrument``).

    Returns
    -------
    polars.DataFrame
        ``client_id`` and one Float64 column per name in `FEATURES` (see the module docstring
        for their definitions), sorted by ``client_id``; null where a feature is unknown.

    Notes
    -----
    Sessions are counted once however many instruments they carry, and a session's attendance
    is its first row's (the checked input guarantees one attendance per session). Session
    numbers within the horizon are the ``occasion`` values; gaps use dated sessions only,
    like the withdrawal rule (`unstuck.progress.signals.withdrawal`).
    """
    thresholds = default_thresholds() if thresholds is None else thresholds
    if course is None:
        course = default_course_models().get(symptom)
    table = _per_client(frame, horizon, symptom, course, thresholds)
    return table.select("client_id", *(pl.col(f).cast(pl.Float64) for f in FEATURES))


def withdrawal_rule_score(
    frame: pl.DataFrame, *, horizon: int | None, thresholds: Thresholds | None = None
) -> pl.DataFrame:
    """How many of the withdrawal rule's four criteria each client meets at `horizon` (0-4).

    The conditions are `unstuck.progress.withdrawal`'s own, with the clinic's thresholds:
    missed or late sessions in the last ``window``, a gap twice the usual and at
    least ``min_gap_days`` long, resistance markers, and falling session feedback (unless the
    same latest score raises alliance_rupture: `rupture.rupture_fires`). A score
    above 0 is exactly when the ``withdrawal_risk`` flag is raised or, for a client who has
    improved enough (`withdrawal.ending_in_view`), the note on sessions missed while
    improving (a test checks it against the per-client rule); the count gives the rule a
    graded score for an AUC.

    Returns
    -------
    polars.DataFrame
        ``client_id`` and ``rule_score`` (Float64), sorted by ``client_id``.
    """
    thresholds = default_thresholds() if thresholds is None else thresholds
    rule = thresholds.withdrawal_risk
    t = _per_client(frame, horizon, SYMPTOM, None, thresholds)
    attendance = attendance_fires(pl.col("recent_missed"), pl.col("recent_late"), rule)
    gap = (pl.col("gaps") >= 3) & gap_fires(pl.col("last_gap"), pl.col("usual_gap"), rule)
    marked = markers_fires(pl.col("recent_markers").fill_null(0), rule)
    n, level = pl.col("fb_n"), pl.col("feedback_level")
    ruptured = pl.any_horizontal(
        rupture_fires(n, level, pl.col("fb_previous"), thresholds.alliance_rupture)
    )
    falling = feedback_fires(n, pl.col("fb_earlier"), level, rule) & ~ruptured.fill_null(False)
    parts = [c.fill_null(False).cast(pl.Float64) for c in (attendance, gap, marked, falling)]
    return t.select("client_id", rule_score=pl.sum_horizontal(parts))


def landmark_episodes(
    frame: pl.DataFrame,
    endings: Mapping[str, str],
    *,
    landmarks: Iterable[int] = LANDMARKS,
    course: CourseModel | None = None,
    thresholds: Thresholds | None = None,
) -> pl.DataFrame:
    """Training rows: ended episodes still in therapy at each landmark session.

    Parameters
    ----------
    frame
        Checked observations (see `dropout_features`).
    endings
        ``client_id`` -> one of `ENDINGS`. ``ongoing`` episodes and clients without an entry
        are left out (their ending is not known yet); ``referred`` counts as not dropped out.
    landmarks
        Session numbers ``h``; an episode contributes a row at ``h`` when it attended (on time
        or late) a session after ``h``, i.e. it had not yet ended.

    Returns
    -------
    polars.DataFrame
        ``client_id``, ``landmark``, the `FEATURES` as of the landmark, ``rule_score`` (from
        `withdrawal_rule_score` at the landmark) and ``dropped_out`` (bool).
    """
    bad = sorted({v for v in endings.values() if v not in ENDINGS})
    if bad:
        raise InvalidValue("ended", bad[0], f"must be one of {', '.join(ENDINGS)}")
    ended = pl.DataFrame(
        {
            "client_id": [c for c, v in endings.items() if v in ENDED],
            "dropped_out": [v == "dropped_out" for v in endings.values() if v in ENDED],
        },
        schema={"client_id": pl.String, "dropped_out": pl.Boolean},
    )
    last = (
        frame.filter(pl.col("attendance").is_in(ATTENDED))
        .group_by("client_id")
        .agg(last_attended=pl.col("occasion").max())
    )
    known = frame.join(ended, on="client_id", how="semi")
    parts = []
    for h in sorted(set(landmarks)):
        still_in = last.filter(pl.col("last_attended") > h).select("client_id")
        part = known.join(still_in, on="client_id", how="semi")
        features = dropout_features(part, horizon=h, course=course, thresholds=thresholds)
        rule = withdrawal_rule_score(part, horizon=h, thresholds=thresholds)
        parts.append(
            features.join(rule, on="client_id")
            .join(ended, on="client_id")
            .with_columns(landmark=pl.lit(h, pl.Int64))
        )
    columns = ["client_id", "landmark", *FEATURES, "rule_score", "dropped_out"]
    if not parts:
        schema: dict[str, Any] = {c: pl.Float64 for c in columns}
        schema.update(client_id=pl.String, landmark=pl.Int64, dropped_out=pl.Boolean)
        return pl.DataFrame(schema=schema)
    return pl.concat(parts).select(columns).sort("client_id", "landmark")
