"""A learned dropout model, beside (never instead of) the transparent withdrawal rules.

A logistic regression on the readable features of `unstuck.progress.dropout_features` (see its
docstring for each feature and for the landmark design), validated k-fold by client and always
reported next to the withdrawal rule's AUC on the same clients. Its coefficients are shown as
odds ratios: no black box, and no replacement of the rules.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

from unstuck.errors import InvalidValue, NotEnoughEpisodes
from unstuck.progress.dropout_features import (
    ENDINGS,
    FEATURE_LABELS,
    FEATURES,
    MIN_DROPOUTS,
    MIN_EPISODES,
    MODEL_FORMAT,
    dropout_features,
    landmark_episodes,
    withdrawal_rule_score,
)

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

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data: what `unstuck fit-dropout` writes for the clinic to keep."""
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
