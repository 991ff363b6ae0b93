"""The expected course of scores given where a client started, with a prediction band.

Model (a log-linear dose-response curve with client-specific slopes)::

    y_s = y_1 + (slope + slope_by_baseline * (y_1 - center)) * log(s) + error_s
    Var(error_s) = residual_sd**2 + slope_sd**2 * log(s)**2

where ``y_1`` is the first score and ``s`` the session number. Change in psychotherapy is
fastest early and slows later, close to linear in the logarithm of the number of sessions
(Howard, Kopta, Krause & Orlinsky, 1986); expected-recovery curves of this form, fitted as
multilevel models with log(session) and a baseline term, underlie the "not on track" feedback
of the OQ system (Finch, Lambert & Schaalje, 2001) and the expected-response curves used in
NHS Talking Therapies trials (Delgadillo et al., 2018). The error variance grows with
log(s)**2 because slopes differ between clients (the random-slope part).

Fitting (`fit_course`) is vectorised, so a million rows take well under a second: (1) the
mean curve by pooled least squares of ``y_s - y_1`` on ``log(s)`` and
``(y_1 - center) * log(s)``; (2) the variance by least squares of the mean squared prediction
error at each session on ``[1, log(s)**2]``; (3) a few rounds of generalised least squares for
the mean curve under the random slope, with the variance re-estimated each round. Step (3)
matters when clients who are not helped leave early: pooled least squares then listens mostly
to those who stay and expects too much improvement, while GLS, like a mixed model's
likelihood, caps how much one client's many sessions count (checked against statsmodels
MixedLM in tests/progress/test_course_mixedlm.py). The band is checked, not assumed:
`fit_course` reports how often held-out scores fall inside it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from functools import cache
from statistics import NormalDist
from typing import TypeVar

import numpy as np
import polars as pl

from unstuck.measures.limits import SMALLEST
from unstuck.plural import counted
from unstuck.progress.fit_checks import fit_checks

# A number, a numpy array or a polars expression: the course formula takes any of them.
Num = TypeVar("Num", float, np.ndarray, pl.Expr)
GLS_ROUNDS = 4  # pooled least squares, then GLS rounds with re-estimated variances
SHOWN_SESSIONS = (4, 10)  # where `describe` states the course, within the data's reach


@dataclass(frozen=True)
class CourseModel:
    instrument: str
    center: float
    slope: float  # expected change per unit of log(session) for a client starting at `center`
    slope_by_baseline: float  # how much faster (more negative) change is per point higher start
    residual_sd: float
    slope_sd: float
    higher_is_better: bool
    source: str
    clients: int = 0  # clients the parameters were fitted on (0: published defaults)
    rows: int = 0
    coverage: float | None = None  # share of held-out scores inside the band (`fit_checks`)
    rmse: float | None = None  # root mean squared error of the expected score, held out
    # The last session (from the first score) with enough clients' scores (`fit_checks`):
    # the course beyond it is extrapolated. None: not fitted here, or fitted before this.
    last_session: int | None = None

    def describe(self, name: str) -> str:
        """The parameters in plain words, with where they come from, how far the clinic's
        data reach and how well they fit."""
        checks = fit_checks()
        sessions = self._sessions_shown()
        last = sessions[-1]

        def moved(session: int) -> str:
            change = self.slope * math.log(session)  # the change grows with log(session)
            way = "lower" if change < 0 else "higher"
            return f"{abs(change):.1f} points {way} by session {session}"

        # No baseline term (a clinic scale's default course): the same for any first score.
        same = self.slope_by_baseline == 0
        who = (
            "a client, whatever their first score,"
            if same
            else f"a client whose first score is {self.center:.1f}"
        )
        text = (
            f"{name}: {who} is expected to score {' and '.join(map(moved, sessions))}"
            f"{'' if same else '; ' + self._per_point_higher(last)}. Scores vary around the "
            f"expected course by {self.residual_sd:.1f} points (SD), and clients' own courses "
            f"differ by a further {self.slope_sd * math.log(last):.1f} by session {last}. "
            f"Source: {self.source}."
        )
        if self.last_session is not None:
            text += (
                f" This clinic's data reach session {self.last_session} (the last with scores "
                f"from at least {counted(checks.min_clients_at_session, 'client')}): beyond it "
                "the course is extrapolated from the shape of the curve, not seen in the data, "
                "so 'not on track' at later sessions rests on that shape."
            )
        if self.coverage is not None and self.rmse is not None:
            text += (
                f" Fitted on {counted(self.clients, 'client')} "
                f"({counted(self.rows, 'score')} after the first); "
                f"held-out clients: {self.coverage:.0%} of scores inside the {checks.band:.0%} "
                f"band, RMSE {self.rmse:.2f} points. {checks.verdict(self.coverage)}"
            )
        return text

    def _sessions_shown(self) -> list[int]:
        """`SHOWN_SESSIONS` within the data's reach, and the last session reached when it
        comes before the last of them (a course fitted on sessions 1-2 is stated at 2)."""
        reach = self.last_session or SHOWN_SESSIONS[-1]
        shown = [s for s in SHOWN_SESSIONS if s <= reach]
        return [*shown, reach] if reach not in shown and reach < SHOWN_SESSIONS[-1] else shown

    def _per_point_higher(self, session: int) -> str:
        """What a first score one point higher changes by `session`, in words: 'a client
        starting a point higher is expected to fall a further 0.35 points by session 10'."""
        extra, main = (self.slope_by_baseline * math.log(session), self.slope * math.log(session))
        size = f"{abs(extra):.2f}"
        lead = "a client starting a point higher is expected to"
        by = f"by session {session}"
        if size == "0.00":
            return f"{lead} change by about the same {by}"
        way = "fall" if extra < 0 else "rise"
        if main == 0:
            return f"{lead} {way} {size} points {by}"
        if (extra < 0) == (main < 0):  # the same way as the course: further
            return f"{lead} {way} a further {size} points {by}"
        course_way = "fall" if main < 0 else "rise"
        return f"{lead} {course_way} {size} points less {by}"

    # The formula, written once. ``x`` is log(session); it serves a number, a numpy array and
    # a polars expression alike (the web's chart, `fit_course` and the caseload signals).
    def expected_at(self, first: Num, x: Num) -> Num:
        """The expected score at log(session) ``x`` for a client who started at ``first``."""
        expected: Num = first + (self.slope + self.slope_by_baseline * (first - self.center)) * x
        return expected

    def spread_at(self, x: Num) -> Num:
        """The SD of scores around the expected course at log(session) ``x``."""
        by_session = self.slope_sd * x
        variance: Num = self.residual_sd**2 + by_session * by_session
        # polars runs `** 0.5` on its thread pool, several times slower on a one-client frame
        spread: Num = variance.sqrt() if isinstance(variance, pl.Expr) else variance**0.5
        return spread

    def limit_at(self, first: Num, x: Num, probability: float) -> Num:
        """The score beyond which only `1 - probability` of clients on course would be.

        On the worse side: above it for higher-is-worse instruments, below it otherwise.
        """
        sign = -1.0 if self.higher_is_better else 1.0
        return self.expected_at(first, x) + sign * _z(probability) * self.spread_at(x)

    def expected(self, first: float, session: int) -> float:
        return self.expected_at(first, math.log(session))

    def spread(self, session: int) -> float:
        return self.spread_at(math.log(session))

    def limit(self, first: float, session: int, probability: float) -> float:
        return self.limit_at(first, math.log(session), probability)


@cache
def _z(probability: float) -> float:
    return NormalDist().inv_cdf(probability)


def _design(frame: pl.DataFrame) -> pl.DataFrame:
    """Rows after the first scored session, with the first score and log(session)."""
    scored = frame.filter(pl.col("total").is_not_null())
    first = scored.group_by("client_id").agg(
        first=pl.col("total").get(pl.col("occasion").arg_min()),
        first_occasion=pl.col("occasion").min(),
        n=pl.len(),
    )
    return (
        scored.join(first, on="client_id")
        .filter(pl.col("occasion") > pl.col("first_occasion"))
        .with_columns(
            session=(pl.col("occasion") - pl.col("first_occasion") + 1),
        )
        .with_columns(x=pl.col("session").log(), d=pl.col("total") - pl.col("first"))
    )


def fit_course(
    observations: pl.DataFrame,
    instrument: str,
    *,
    higher_is_better: bool = False,
    holdout: float = 0.2,
    seed: int = 0,
    min_clients: int = 50,
) -> CourseModel:
    """Fit the expected course from one instrument's scores (columns client_id, occasion, total).

    Clients are split at random into a fitting part and a held-out part (`holdout`); the
    parameters come from the first, the reported coverage and RMSE from the second. Raises
    ValueError with a plain reason (for the caller to put after the instrument's name) when
    there are fewer than `min_clients` clients with two or more scores, or when every
    client of the fitting part started at the same score (how the course depends on the
    first score cannot then be told), or when the scores hardly vary around the course (a
    band narrower than `unstuck.measures.limits.SMALLEST` would flag any change at all).
    """
    design = _design(observations.select("client_id", "occasion", "total"))
    ids = design.get_column("client_id").unique().sort()
    if ids.len() < min_clients:
        raise ValueError(
            f"{counted(ids.len(), 'client')} with two or more scores; at least "
            f"{min_clients} are needed to fit an expected course"
        )
    rng = np.random.default_rng(seed)
    held = ids.filter(pl.Series(rng.random(ids.len()) < holdout))
    fit_part = design.filter(~pl.col("client_id").is_in(held.implode()))
    test_part = design.filter(pl.col("client_id").is_in(held.implode()))

    firsts = fit_part.group_by("client_id").agg(pl.col("first").first()).get_column("first")
    if firsts.n_unique() < 2:
        raise ValueError(
            f"every client's first score is {firsts[0]:g}, so how the course depends on the "
            "first score cannot be fitted: it needs clients who started at different scores"
        )
    center = float(firsts.to_numpy().mean())
    x = fit_part.get_column("x").to_numpy()
    b = (fit_part.get_column("first").to_numpy() - center) * x
    d = fit_part.get_column("d").to_numpy()
    sessions = fit_part.get_column("session").to_numpy()
    # Per client: S = sum of x^2, T = sum of x * d, and the centred first score.
    blocks = (
        fit_part.group_by("client_id")
        .agg(
            s=(pl.col("x") ** 2).sum(),
            t=(pl.col("x") * pl.col("d")).sum(),
            a=pl.col("first").first() - center,
        )
        .select("s", "t", "a")
        .to_numpy()
    )
    design_matrix = np.column_stack([x, b])
    beta, *_ = np.linalg.lstsq(design_matrix, d, rcond=None)
    for _ in range(GLS_ROUNDS):
        var0, var_slope = _variance_by_session(sessions, d - design_matrix @ beta)
        beta = _gls(blocks, var0, var_slope)
    slope, slope_by_baseline = float(beta[0]), float(beta[1])
    var0, var_slope = _variance_by_session(sessions, d - design_matrix @ beta)
    if math.sqrt(max(var0, 0.0)) < SMALLEST:
        raise ValueError(
            "the scores do not vary around the course (their SD is below "
            f"{SMALLEST:g} points), so the band a score is judged against would have no "
            "width: check that each row holds that session's own score"
        )
    checks = fit_checks()
    # The k-th latest of the clients' last sessions: the last session that at least k
    # clients reached (fewer clients than k: the earliest of them).
    reached = design.group_by("client_id").agg(pl.col("session").max()).get_column("session")
    reached = reached.sort(descending=True)
    last_session = int(reached[min(checks.min_clients_at_session, reached.len()) - 1])
    model = CourseModel(
        instrument=instrument,
        center=center,
        slope=slope,
        slope_by_baseline=slope_by_baseline,
        residual_sd=math.sqrt(max(var0, 1e-9)),
        slope_sd=math.sqrt(var_slope),
        higher_is_better=higher_is_better,
        source=f"fitted on this clinic's data ({counted(ids.len() - held.len(), 'client')})",
        clients=ids.len() - held.len(),
        rows=fit_part.height,
        last_session=last_session,
    )
    if test_part.height:
        first = test_part.get_column("first").to_numpy()
        session = test_part.get_column("session").to_numpy().astype(float)
        total = test_part.get_column("total").to_numpy()
        predicted = model.expected_at(first, np.log(session))
        upper = model.limit_at(first, np.log(session), checks.band_edge)
        lower = 2 * predicted - upper
        lo, hi = np.minimum(lower, upper), np.maximum(lower, upper)
        model = replace(
            model,
            coverage=float(np.mean((total >= lo) & (total <= hi))),
            rmse=float(np.sqrt(np.mean((total - predicted) ** 2))),
        )
    return model


def _variance_by_session(sessions: np.ndarray, residual: np.ndarray) -> tuple[float, float]:
    """``residual_sd**2`` and ``slope_sd**2`` from the mean squared error at each session,
    by least squares on ``[1, log(s)**2]`` weighted by the square root of the rows."""
    per_session = (
        pl.DataFrame({"session": sessions, "r2": residual**2})
        .group_by("session")
        .agg(v=pl.col("r2").mean(), w=pl.len())
        .sort("session")
    )
    xs = np.log(per_session.get_column("session").to_numpy().astype(float))
    v = per_session.get_column("v").to_numpy()
    weights = np.sqrt(per_session.get_column("w").to_numpy().astype(float))
    var_design = np.column_stack([np.ones_like(xs), xs**2]) * weights[:, None]
    (var0, var_slope), *_ = np.linalg.lstsq(var_design, v * weights, rcond=None)
    if var_slope < 0:  # no detectable spread of slopes: all variance is residual
        return float(np.average(v, weights=weights**2)), 0.0
    return max(float(var0), 1e-9), float(var_slope)


def _gls(blocks: np.ndarray, var0: float, var_slope: float) -> np.ndarray:
    """Fixed effects by generalised least squares under the model's random slope.

    A client's rows share one random slope, so their errors are correlated:
    ``V = var0 * I + var_slope * x x'``. Every column of the client's design is ``x`` times a
    constant (1, and the centred first score ``a``), so by the Sherman-Morrison formula the
    client contributes ``[1, a][1, a]' * S / (var0 + var_slope * S)`` to the normal matrix and
    ``[1, a] * T / (var0 + var_slope * S)`` to the right-hand side (``S = x'x``, ``T = x'd``).
    A client with many sessions therefore counts for at most ``1 / var_slope``, not in
    proportion to its sessions as in pooled least squares, which over-weights the clients who
    stay when those who leave early are doing worse (informative dropout; the same weighting
    a mixed model's likelihood gives).
    """
    s, t, a = blocks[:, 0], blocks[:, 1], blocks[:, 2]
    w = 1.0 / (var0 + var_slope * s)
    basis = np.column_stack([np.ones_like(a), a])
    normal = (basis * (w * s)[:, None]).T @ basis
    rhs = basis.T @ (w * t)
    out: np.ndarray = np.linalg.solve(normal, rhs)
    return out


def models_to_toml(models: list[CourseModel]) -> str:
    """Write fitted models in the format `unstuck.progress.config.load_course_models` reads."""
    lines = ["# Expected-course models fitted by `unstuck fit` on this clinic's data.", ""]
    for m in models:
        lines += [
            f"[{m.instrument}]",
            f"center = {m.center!r}",
            f"slope = {m.slope!r}",
            f"slope_by_baseline = {m.slope_by_baseline!r}",
            f"residual_sd = {m.residual_sd!r}",
            f"slope_sd = {m.slope_sd!r}",
            f"higher_is_better = {str(m.higher_is_better).lower()}",
            f'source = "{m.source}"',
            f"clients = {m.clients}",
            f"rows = {m.rows}",
        ]
        if m.coverage is not None and m.rmse is not None:
            lines += [f"coverage = {m.coverage!r}", f"rmse = {m.rmse!r}"]
        if m.last_session is not None:
            lines.append(f"last_session = {m.last_session}")
        lines.append("")
    return "\n".join(lines)
