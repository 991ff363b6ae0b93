"""A learned dropout model, beside (never instead of) the transparent withdrawal rules.

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

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

from unstuck.errors import InvalidDefinition, InvalidValue, NotEnoughEpisodes
from unstuck.progress.config import Thresholds, default_course_models, default_thresholds
from unstuck.progress.course import CourseModel

__all__ = [
    "ENDINGS",
    "FEATURES",
    "FEATURE_LABELS",
    "MIN_DROPOUTS",
    "MIN_EPISODES",
    "DropoutModel",
    "NotEnoughEpisodes",
    "dropout_features",
    "fit_dropout_model",
    "landmark_episodes",
    "withdrawal_rule_score",
]

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
MISSED = ("cancelled", "no_show")
ATTENDED = ("attended", "late")
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
        spread = np.sqrt(course.residual_sd**2 + (course.slope_sd * np.log(span)) ** 2)
        expected = course.expected_array(first, span)
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

    The criteria are those of `unstuck.progress.signals.withdrawal`, with the clinic's
    thresholds: missed or late sessions in the last ``window``, a gap twice the usual and at
    least ``min_gap_days`` long, resistance markers, and falling session feedback. A score
    above 0 is exactly when the ``withdrawal_risk`` flag is raised (a test checks it against
    the per-client rule), and the count gives the rule a graded score for an AUC.

    Returns
    -------
    polars.DataFrame
        ``client_id`` and ``rule_score`` (Float64), sorted by ``client_id``.
    """
    thresholds = default_thresholds() if thresholds is None else thresholds
    rule = thresholds.withdrawal_risk
    t = _per_client(frame, horizon, SYMPTOM, None, thresholds)
    attendance = (pl.col("recent_missed") >= rule.missed) | (
        pl.col("recent_missed") + pl.col("recent_late") >= rule.missed_or_late
    )
    gap = (pl.col("gaps") >= 3) & (
        pl.col("last_gap")
        >= pl.max_horizontal(rule.gap_factor * pl.col("usual_gap"), pl.lit(rule.min_gap_days))
    )
    marked = pl.col("recent_markers").fill_null(0) >= rule.markers
    falling = (pl.col("fb_n") >= 3) & (
        pl.col("fb_earlier") - pl.col("feedback_level") >= rule.feedback_fall
    )
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


@dataclass(frozen=True)
class Validation:
    """Held-out figures: out-of-fold predictions, folds made by client."""

    folds: int
    auc: float  # pooled over all out-of-fold rows
    fold_aucs: tuple[float, ...]
    rule_auc: float | None  # the withdrawal rule's score on the same rows
    brier: float  # mean squared error of the out-of-fold probabilities
    base_rate: float  # share of rows that ended early
    # Mean AUC within each landmark session: the comparison free of "how far into therapy"
    # (which the model sees through `sessions` and the rule does not). None without landmarks.
    landmark_auc: float | None = None
    rule_landmark_auc: float | None = None


@dataclass(frozen=True)
class DropoutModel:
    """A fitted logistic regression on standardised features, with its validation.

    ``log-odds = intercept + sum_j coefficient_j * (x_j - mean_j) / scale_j``, an unknown
    ``x_j`` taken as ``mean_j`` and a known one first clipped to the range ``[low_j, high_j]``
    seen in the fitted episodes (a logistic model must not extrapolate, e.g. to session 20
    when it learnt from sessions 3-10). Coefficients are per standard deviation of each
    feature in the fitted episodes, so ``exp(coefficient)`` is the odds ratio per SD.
    """

    features: tuple[str, ...]
    means: tuple[float, ...]
    scales: tuple[float, ...]
    lows: tuple[float, ...]
    highs: tuple[float, ...]
    coefficients: tuple[float, ...]
    intercept: float
    episodes: int  # distinct ended episodes (clients) the model was fitted on
    dropouts: int  # of which ended early
    rows: int  # episode x landmark rows
    landmarks: tuple[int, ...]
    validation: Validation
    seed: int

    def probabilities(self, features: pl.DataFrame) -> np.ndarray:
        """Estimated probability of ending early, one per row of `features`."""
        x = features.select(pl.col(f).cast(pl.Float64) for f in self.features).to_numpy()
        means, scales = np.asarray(self.means), np.asarray(self.scales)
        x = np.clip(x, np.asarray(self.lows), np.asarray(self.highs))
        z = np.where(np.isnan(x), 0.0, (x - means) / scales)
        logit = self.intercept + z @ np.asarray(self.coefficients)
        out: np.ndarray = 1.0 / (1.0 + np.exp(-logit))
        return out

    def probability(self, features: Mapping[str, float | None]) -> float:
        """One client's estimate (the per-client twin of `probabilities`)."""
        logit = self.intercept
        for f, m, s, lo, hi, c in zip(
            self.features,
            self.means,
            self.scales,
            self.lows,
            self.highs,
            self.coefficients,
            strict=True,
        ):
            value = features.get(f)
            if value is not None and not math.isnan(value):
                logit += c * (min(max(value, lo), hi) - m) / s
        return 1.0 / (1.0 + math.exp(-logit))

    def odds_ratios(self) -> dict[str, float]:
        """Odds ratio per standard deviation of each feature (above 1: more early endings)."""
        return {f: math.exp(c) for f, c in zip(self.features, self.coefficients, strict=True)}

    def describe(self) -> str:
        """The model in plain lines: what it was fitted on, how it did held out, its weights."""
        v = self.validation
        rule = (
            "" if v.rule_auc is None else f"; the withdrawal rule on the same rows {v.rule_auc:.2f}"
        )
        at = f" at sessions {self.landmarks[0]}-{self.landmarks[-1]}" if self.landmarks else ""
        lines = [
            f"Fitted on {self.episodes} ended episodes ({self.dropouts} ended early), "
            f"{self.rows} rows{at}.",
            f"Held-out AUC ({v.folds}-fold by client): {v.auc:.2f}{rule}.",
        ]
        if v.landmark_auc is not None:
            rule_at = "" if v.rule_landmark_auc is None else f", rule {v.rule_landmark_auc:.2f}"
            lines.append(
                f"Within each session, mean held-out AUC: model {v.landmark_auc:.2f}{rule_at}."
            )
        lines += [
            f"Brier score {v.brier:.3f} (base rate {v.base_rate:.1%}).",
        ]
        if v.rule_auc is not None and v.auc <= v.rule_auc:
            lines.append(
                "The model does no better than the rule on held-out clients here: rely on "
                "the rules."
            )
        lines.append("Odds ratio per standard deviation (above 1: more early endings):")
        for f, s, ratio in zip(
            self.features, self.scales, self.odds_ratios().values(), strict=True
        ):
            lines.append(f"  {ratio:5.2f}  {FEATURE_LABELS.get(f, f)} [{f}, SD {s:.3g}]")
        return "\n".join(lines)

    def explain(self, probability: float) -> str:
        """A collaborative sentence for a client's estimate; never a verdict on the client.

        With a held-out AUC below 0.65 (weak discrimination by the usual reading of AUC) the
        sentence says to give the estimate little weight.
        """
        tenths = round(probability * 10)
        share = "fewer than 1 in 10" if tenths < 1 else f"about {tenths} in 10"
        weak = (
            " The model is weak here, so give this little weight."
            if self.validation.auc < 0.65
            else ""
        )
        return (
            f"Clients with a similar attendance, feedback and progress pattern ended therapy "
            f"early in {share} cases in this clinic's past episodes (model fitted on "
            f"{self.episodes} ended episodes, held-out AUC {self.validation.auc:.2f}).{weak} "
            "This adds to, and does not replace, the rules above; it is a prompt to talk "
            "together about how therapy is going, not a prediction about this person."
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data; `from_dict` restores an equal model."""
        v = self.validation
        return {
            "format": MODEL_FORMAT,
            "features": list(self.features),
            "means": list(self.means),
            "scales": list(self.scales),
            "lows": list(self.lows),
            "highs": list(self.highs),
            "coefficients": list(self.coefficients),
            "intercept": self.intercept,
            "episodes": self.episodes,
            "dropouts": self.dropouts,
            "rows": self.rows,
            "landmarks": list(self.landmarks),
            "seed": self.seed,
            "validation": {
                "folds": v.folds,
                "auc": v.auc,
                "fold_aucs": list(v.fold_aucs),
                "rule_auc": v.rule_auc,
                "brier": v.brier,
                "base_rate": v.base_rate,
                "landmark_auc": v.landmark_auc,
                "rule_landmark_auc": v.rule_landmark_auc,
            },
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> DropoutModel:
        """Rebuild a model from `to_dict` output, checking its shape.

        Raises
        ------
        InvalidDefinition
            When the data is not a dropout model of this format.
        """
        where = "dropout model"
        if data.get("format") != MODEL_FORMAT:
            raise InvalidDefinition(where, "format", f"expected {MODEL_FORMAT!r}")
        try:
            v = data["validation"]
            model = cls(
                features=tuple(str(f) for f in data["features"]),
                means=tuple(float(x) for x in data["means"]),
                scales=tuple(float(x) for x in data["scales"]),
                lows=tuple(float(x) for x in data["lows"]),
                highs=tuple(float(x) for x in data["highs"]),
                coefficients=tuple(float(x) for x in data["coefficients"]),
                intercept=float(data["intercept"]),
                episodes=int(data["episodes"]),
                dropouts=int(data["dropouts"]),
                rows=int(data["rows"]),
                landmarks=tuple(int(h) for h in data["landmarks"]),
                seed=int(data["seed"]),
                validation=Validation(
                    folds=int(v["folds"]),
                    auc=float(v["auc"]),
                    fold_aucs=tuple(float(x) for x in v["fold_aucs"]),
                    rule_auc=_optional(v["rule_auc"]),
                    brier=float(v["brier"]),
                    base_rate=float(v["base_rate"]),
                    landmark_auc=_optional(v.get("landmark_auc")),
                    rule_landmark_auc=_optional(v.get("rule_landmark_auc")),
                ),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise InvalidDefinition(where, str(exc), "missing or malformed") from exc
        sizes = {
            len(v) for v in (model.features, model.means, model.scales, model.lows, model.highs)
        }
        if sizes != {len(model.coefficients)} or not set(model.features) <= set(FEATURES):
            raise InvalidDefinition(where, "features", "names and numbers do not match")
        if any(s <= 0 for s in model.scales):
            raise InvalidDefinition(where, "scales", "must be positive")
        return model


def _optional(value: Any) -> float | None:
    return None if value is None else float(value)


def _mean_auc(y: np.ndarray, score: np.ndarray, strata: np.ndarray) -> float | None:
    """Mean AUC within strata that hold both outcomes; None when none does."""
    from sklearn.metrics import roc_auc_score

    aucs = [
        float(roc_auc_score(y[strata == s], score[strata == s]))
        for s in np.unique(strata)
        if len(set(y[strata == s])) == 2
    ]
    return float(np.mean(aucs)) if aucs else None


def _standardise(x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean-impute unknown values, then centre and scale (scales 1 where constant)."""
    means = np.nanmean(x, axis=0)
    filled = np.where(np.isnan(x), means, x)
    sd = filled.std(axis=0)
    scales = np.where(sd > 0, sd, 1.0)
    return (filled - means) / scales, means, scales


def _apply(x: np.ndarray, means: np.ndarray, scales: np.ndarray) -> np.ndarray:
    out: np.ndarray = np.where(np.isnan(x), 0.0, (x - means) / scales)
    return out


def fit_dropout_model(
    episodes: pl.DataFrame,
    dropped_out: Sequence[bool] | np.ndarray | pl.Series | None = None,
    *,
    seed: int = 0,
    folds: int = 5,
    min_episodes: int = MIN_EPISODES,
    min_dropouts: int = MIN_DROPOUTS,
    penalty: float = 1.0,
) -> DropoutModel:
    """Fit the dropout model on ended episodes and validate it on held-out clients.

    Parameters
    ----------
    episodes
        One row per episode (and landmark): ``client_id``, the `FEATURES`, optionally
        ``landmark``, ``rule_score`` and ``dropped_out`` -- as `landmark_episodes` makes.
    dropped_out
        Whether each row's episode ended early; default: the ``dropped_out`` column.
    seed
        Seeds the assignment of clients to folds (the fit itself is deterministic).
    folds
        Number of folds for the held-out validation, made by client
        (``StratifiedGroupKFold``): every row of a client is in the same fold.
    min_episodes, min_dropouts
        The least number of distinct ended episodes, and of episodes in each outcome (ended
        early / not), to fit at all. The defaults (200 and 50) keep about five early endings
        per candidate feature, the lower end of what simulation studies found workable for
        logistic regression (Vittinghoff & McCulloch, 2007; Peduzzi et al., 1996 advise 10),
        and enough positives in each of five folds for a stable held-out AUC.
    penalty
        Inverse L2 regularisation strength (scikit-learn's ``C``); the default shrinks the
        coefficients mildly, which guards against overfitting at these sample sizes.

    Returns
    -------
    DropoutModel
        Coefficients from a fit on all rows; `DropoutModel.validation` from out-of-fold
        predictions (standardisation and fit redone inside each fold) and the withdrawal
        rule's AUC on the same rows when ``rule_score`` is given.

    Raises
    ------
    NotEnoughEpisodes
        Below `min_episodes` distinct episodes or `min_dropouts` in either outcome.

    Notes
    -----
    Assumes the ended episodes are representative of the clients the model will be used for
    (same clinic, similar period), and that "dropped out" was recorded the same way
    throughout. Features with no variation (e.g. ``sessions`` at a single landmark, or
    markers in data without them) are left out of the model.
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import brier_score_loss, roc_auc_score
    from sklearn.model_selection import StratifiedGroupKFold

    y = np.asarray(
        episodes.get_column("dropped_out") if dropped_out is None else dropped_out, dtype=bool
    )
    if y.size != episodes.height:
        raise InvalidValue("dropped_out", y.size, f"needs one value per row ({episodes.height})")
    if "client_id" in episodes.columns:
        groups = episodes.get_column("client_id").to_numpy()
    else:
        groups = np.arange(episodes.height)
    per_client = pl.DataFrame({"g": groups, "y": y}).group_by("g").agg(pl.col("y").any())
    n_episodes = per_client.height
    n_dropouts = int(per_client.get_column("y").sum())
    if (
        n_episodes < min_episodes
        or n_dropouts < min_dropouts
        or n_episodes - n_dropouts < min_dropouts
    ):
        raise NotEnoughEpisodes(n_episodes, n_dropouts, min_episodes, min_dropouts)

    present = [f for f in FEATURES if f in episodes.columns]
    x_all = episodes.select(pl.col(f).cast(pl.Float64) for f in present).to_numpy()
    x_all = x_all.astype(float)
    known = ~np.isnan(x_all)
    usable = [
        j
        for j in range(len(present))
        if known[:, j].any() and np.nanstd(np.where(known[:, j], x_all[:, j], np.nan)) > 0
    ]
    names = tuple(present[j] for j in usable)
    x = x_all[:, usable]

    def model() -> Any:
        return LogisticRegression(C=penalty, max_iter=2000)

    oof = np.empty(y.size)
    fold_aucs = []
    splitter = StratifiedGroupKFold(n_splits=folds, shuffle=True, random_state=seed)
    for train, test in splitter.split(x, y, groups):
        z_train, means, scales = _standardise(x[train])
        fitted = model().fit(z_train, y[train])
        oof[test] = fitted.predict_proba(_apply(x[test], means, scales))[:, 1]
        if len(set(y[test])) == 2:
            fold_aucs.append(float(roc_auc_score(y[test], oof[test])))
    rule_auc = landmark_auc = rule_landmark_auc = None
    rule = None
    if "rule_score" in episodes.columns:
        rule = np.nan_to_num(episodes.get_column("rule_score").cast(pl.Float64).to_numpy())
        rule_auc = float(roc_auc_score(y, rule))
    if "landmark" in episodes.columns:
        strata = episodes.get_column("landmark").to_numpy()
        landmark_auc = _mean_auc(y, oof, strata)
        if rule is not None:
            rule_landmark_auc = _mean_auc(y, rule, strata)
    validation = Validation(
        folds=folds,
        auc=float(roc_auc_score(y, oof)),
        fold_aucs=tuple(fold_aucs),
        rule_auc=rule_auc,
        brier=float(brier_score_loss(y, oof)),
        base_rate=float(y.mean()),
        landmark_auc=landmark_auc,
        rule_landmark_auc=rule_landmark_auc,
    )
    z, means, scales = _standardise(x)
    full = model().fit(z, y)
    landmarks: tuple[int, ...] = ()
    if "landmark" in episodes.columns:
        landmarks = tuple(int(h) for h in episodes.get_column("landmark").unique().sort())
    return DropoutModel(
        features=names,
        means=tuple(float(v) for v in means),
        scales=tuple(float(v) for v in scales),
        lows=tuple(float(v) for v in np.nanmin(x, axis=0)),
        highs=tuple(float(v) for v in np.nanmax(x, axis=0)),
        coefficients=tuple(float(v) for v in full.coef_[0]),
        intercept=float(full.intercept_[0]),
        episodes=n_episodes,
        dropouts=n_dropouts,
        rows=int(y.size),
        landmarks=landmarks,
        validation=validation,
        seed=seed,
    )
