"""A learned dropout model, beside (never instead of) the transparent withdrawal rules.

Once a clinic has enough ended episodes, a logistic regression on a handful of readable
features, computed from the sessions up to a point in treatment, estimates how often clients
with a similar pattern ended therapy early in this clinic's own past. It is validated on
held-out clients and reported with the AUC of the rule it sits beside, so a clinic can see
whether it adds anything. Its coefficients are shown as odds ratios: no black box.

Features (all from sessions 1..horizon only, so the model can be used prospectively):

- ``missed_share``: cancelled or missed sessions / booked sessions;
- ``late_share``: late sessions / booked sessions;
- ``missed_last3``: cancelled or missed among the last three booked sessions;
- ``feedback_fall``: earlier mean minus latest session-feedback total (0 without feedback);
- ``symptom_change``: latest minus first PHQ-9 (positive is worse; 0 with fewer than 2);
- ``markers``: in-session resistance markers ticked over the last four sessions.

Missed appointments and a weakening alliance are the best-documented early signs of dropout
(Swift & Greenberg, 2012; Sharf, Primavera & Diener, 2010); symptom change enters because
clients who are not helped leave more often. Logistic regression (scikit-learn) keeps the model
small, stable on a few hundred episodes, and explainable.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from unstuck.errors import UnstuckError
from unstuck.progress.summary import Observation

FEATURES = (
    "missed_share",
    "late_share",
    "missed_last3",
    "feedback_fall",
    "symptom_change",
    "markers",
)
MIN_EPISODES = 100
MIN_DROPOUTS = 20
SYMPTOM = "phq9"
FEEDBACK = "session_feedback"


class NotEnoughEpisodes(UnstuckError):
    def __init__(self, episodes: int, dropouts: int) -> None:
        super().__init__(
            f"a dropout model needs at least {MIN_EPISODES} ended episodes with at least "
            f"{MIN_DROPOUTS} early endings; this clinic has {episodes} with {dropouts}. "
            "The transparent withdrawal rules work without it."
        )


def dropout_features(observations: Iterable[Observation], horizon: int) -> dict[str, float]:
    """One client's features from sessions 1..`horizon` (later sessions are ignored)."""
    rows = sorted((o for o in observations if o.occasion <= horizon), key=lambda o: o.occasion)
    sessions: dict[int, Observation] = {}
    for o in rows:
        sessions.setdefault(o.occasion, o)
    booked = [sessions[k] for k in sorted(sessions)]
    missed = [s.attendance in ("cancelled", "no_show") for s in booked]
    n = max(len(booked), 1)
    feedback = [o.total for o in rows if o.instrument == FEEDBACK and o.total is not None]
    symptom = [o.total for o in rows if o.instrument == SYMPTOM and o.total is not None]
    return {
        "missed_share": sum(missed) / n,
        "late_share": sum(s.attendance == "late" for s in booked) / n,
        "missed_last3": float(sum(missed[-3:])),
        "feedback_fall": (
            statistics.fmean(feedback[:-1]) - feedback[-1] if len(feedback) >= 2 else 0.0
        ),
        "symptom_change": symptom[-1] - symptom[0] if len(symptom) >= 2 else 0.0,
        "markers": float(sum(s.markers for s in booked[-4:])),
    }


@dataclass(frozen=True)
class DropoutModel:
    features: tuple[str, ...]
    means: tuple[float, ...]
    scales: tuple[float, ...]
    coefficients: tuple[float, ...]  # per standard deviation of each feature
    intercept: float
    episodes: int
    dropouts: int
    heldout_auc: float
    rule_auc: float | None  # the transparent rule's AUC on the same held-out clients
    horizon: int

    def probability(self, features: Mapping[str, float]) -> float:
        z = self.intercept + sum(
            c * (features[f] - m) / s
            for f, m, s, c in zip(
                self.features, self.means, self.scales, self.coefficients, strict=True
            )
        )
        return 1.0 / (1.0 + math.exp(-z))

    def odds_ratios(self) -> dict[str, float]:
        """Odds ratio per standard deviation of each feature (above 1: more early endings)."""
        return {f: math.exp(c) for f, c in zip(self.features, self.coefficients, strict=True)}

    def explain(self, probability: float) -> str:
        rule = "" if self.rule_auc is None else f"; the rules alone: {self.rule_auc:.2f}"
        return (
            f"In this clinic's past, about {round(probability * 10)} in 10 clients with a "
            f"similar attendance, feedback and progress pattern at session {self.horizon} ended "
            f"therapy early (model fitted on {self.episodes} ended episodes, held-out AUC "
            f"{self.heldout_auc:.2f}{rule}). This adds to the rules above; it does not "
            "replace them, and it says nothing about this client's reasons."
        )

    def to_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> DropoutModel:
        values: dict[str, Any] = {
            k: tuple(v) if isinstance(v, list) else v for k, v in data.items()
        }
        return cls(**values)


def fit_dropout_model(
    features: Sequence[Mapping[str, float]],
    dropped_out: Sequence[bool],
    *,
    rule: Sequence[float] | None = None,
    horizon: int,
    seed: int = 0,
    holdout: float = 0.3,
) -> DropoutModel:
    """Fit on ended episodes, one row per client; validate on a held-out share of clients.

    `rule` is the transparent rule's score for the same clients (e.g. 1 when withdrawal_risk
    was raised by the horizon), so that both are judged on the same held-out clients. The
    reported coefficients come from a refit on all episodes.

    Raises
    ------
    NotEnoughEpisodes
        With fewer than `MIN_EPISODES` episodes or `MIN_DROPOUTS` early endings.
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score

    y = np.asarray(dropped_out, dtype=bool)
    if y.size < MIN_EPISODES or y.sum() < MIN_DROPOUTS or (~y).sum() < MIN_DROPOUTS:
        raise NotEnoughEpisodes(int(y.size), int(y.sum()))
    x = np.asarray([[row[f] for f in FEATURES] for row in features], dtype=float)
    means = x.mean(axis=0)
    scales = np.where(x.std(axis=0) > 0, x.std(axis=0), 1.0)
    z = (x - means) / scales
    order = np.random.default_rng(seed).permutation(y.size)
    cut = round(y.size * (1 - holdout))
    train, test = order[:cut], order[cut:]
    model = LogisticRegression(max_iter=1000).fit(z[train], y[train])
    heldout = float(roc_auc_score(y[test], model.predict_proba(z[test])[:, 1]))
    rule_auc = None
    if rule is not None and len(set(y[test])) == 2:
        rule_auc = float(roc_auc_score(y[test], np.asarray(rule, dtype=float)[test]))
    full = LogisticRegression(max_iter=1000).fit(z, y)
    return DropoutModel(
        features=FEATURES,
        means=tuple(float(v) for v in means),
        scales=tuple(float(v) for v in scales),
        coefficients=tuple(float(v) for v in full.coef_[0]),
        intercept=float(full.intercept_[0]),
        episodes=int(y.size),
        dropouts=int(y.sum()),
        heldout_auc=heldout,
        rule_auc=rule_auc,
        horizon=horizon,
    )
