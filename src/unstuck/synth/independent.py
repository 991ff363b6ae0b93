"""A second generator of PHQ-9 courses, with assumptions of its own, for judging the flags.

`unstuck.synth.clinic` and the expected course in `unstuck.progress` both assume a log-linear
dose-response curve, so a benchmark built on the one flatters the other. This module shares no
code and no parameter with either: its courses are exponential approaches to a level (the
"negatively accelerated" individual curves of the dose-effect literature), its noise is the
PHQ-9's own test-retest error, and its items are filled so that each total is exact. Nothing
here describes a real person; every client code starts with ``SYN-``.

Four kinds of client, each with a known truth:

- ``improving``: clearly improving. Starts moderately severe to severe (true PHQ-9 14-24) and
  by the last session loses 45-75% of it, which is at least 6.3 true points (more than the
  PHQ-9's reliable change of 6). Some end below 10, some do not.
- ``recovered``: starts in the mild-to-moderate clinical range (10-16) and settles at 2-7, well
  below the caseness cutoff of 10 (Kroenke, Spitzer & Williams, 2001). Some of them change by
  fewer than 6 points: recovered without a reliable change, as in 10 -> 8 -> 6 -> 5 -> 5.
- ``deteriorating``: starts at 5-15 and worsens by 8-12 true points (to at most 24), more
  than a reliable change.
- ``flat_severe``: stays severe: a true level of 20-23 that wanders by a small random walk.

Assumptions and their sources:

- Shape of change. Each improving or deteriorating client's true score moves towards a level
  exponentially: ``level + (intake - level) * exp(-(session - 1) / tau)``, rescaled so that
  the level is reached at the last session (each kind's truth holds by then). Individual
  courses in psychotherapy are negatively accelerated, most change coming early (Howard, Kopta,
  Krause & Orlinsky, 1986, dose-effect; Lambert, 2007, "early response"), and early gains
  are common and lasting (Tang & DeRubeis, 1999). ``tau``, the sessions needed for about
  63% of the change, is log-normal with median 3.5 and a spread (sd of its log) of 0.35, so
  that most of the change is done within the 8-13 sessions after which about half of clients
  in routine care have recovered (Hansen, Lambert & Forman, 2002; Howard et al., 1986).
- Measurement error. The PHQ-9's 48-hour test-retest reliability is 0.84 (Kroenke et al.,
  2001) and the SD of first scores in routine care about 5.5 (NHS Talking Therapies annual
  reports), so the standard error of measurement is 5.5 * sqrt(1 - 0.84) = 2.2 points; each
  observed total is the true score plus normal error of SD 2.2, rounded and kept within 0-24.
  (The NHS Talking Therapies reliable change of 6 points is 1.96 * sqrt(2) * 2.2.)
- Items. The total is spread over items 1-8 by drawing that many of their 24 answer steps
  without replacement, weighted by how often each symptom is endorsed (tiredness and sleep
  most, psychomotor change least; Kroenke et al., 2001), so the items add up to the total
  exactly. Item 9 (thoughts of self-harm) is always 0: a safety answer flags a client
  whatever the course, and this generator is for judging the progress signals.
- Attendance. Each booked weekly session after the first is attended with probability 0.9
  (about one appointment in ten missed, the lower end of the outpatient non-attendance rates
  reviewed by Mitchell & Selmes, 2007); a missed one is a ``cancelled`` or ``no_show`` row
  with no answers. Nobody drops out: every client has all booked sessions.

For demonstration and testing, not for clinical conclusions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import polars as pl

KINDS = ("improving", "recovered", "deteriorating", "flat_severe")
SEM = 2.2  # 5.5 * sqrt(1 - 0.84): PHQ-9 SD in routine care and test-retest r (Kroenke 2001)
MAX_OBSERVED = 24  # items 1-8 only; item 9 stays 0
ATTEND_PROBABILITY = 0.9  # Mitchell & Selmes (2007)
TAU_MEDIAN, TAU_LOG_SD = 3.5, 0.35  # sessions to ~63% of the change (Howard et al. 1986)
# Relative endorsement of PHQ-9 items 1-8 (anhedonia, mood, sleep, tiredness, appetite,
# failure, concentration, psychomotor); tiredness and sleep are the most endorsed symptoms and
# psychomotor change the least (Kroenke et al., 2001).
ITEM_WEIGHTS = (1.0, 1.0, 1.3, 1.5, 0.9, 0.9, 0.9, 0.5)


@dataclass(frozen=True)
class IndependentCourses:
    observations: pl.DataFrame  # the `unstuck analyze` CSV layout, one row per client and session
    truth: pl.DataFrame  # client_id, kind, true_first, true_last


def true_courses(
    kind: str, clients: int, sessions: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """True PHQ-9 per client and session (clients x sessions) and each client's intake."""
    t = np.arange(sessions, dtype=float)[None, :]
    tau = np.exp(rng.normal(np.log(TAU_MEDIAN), TAU_LOG_SD, (clients, 1)))
    approach = 1.0 - np.exp(-t / tau)
    approach /= approach[:, -1:]  # the whole change is reached by the last session
    if kind == "improving":
        intake = rng.uniform(14.0, 24.0, clients)
        level = intake * (1.0 - rng.uniform(0.45, 0.75, clients))
    elif kind == "recovered":
        intake = rng.uniform(10.0, 16.0, clients)
        level = rng.uniform(2.0, 7.0, clients)
    elif kind == "deteriorating":
        intake = rng.uniform(5.0, 15.0, clients)
        level = np.minimum(intake + rng.uniform(8.0, 12.0, clients), MAX_OBSERVED)
    elif kind == "flat_severe":
        intake = rng.uniform(20.0, 23.0, clients)
        walk = np.cumsum(rng.normal(0.0, 0.3, (clients, sessions)), axis=1)
        walk -= walk[:, :1]
        return np.clip(intake[:, None] + walk, 20.0, 23.0), intake
    else:
        raise ValueError(f"unknown kind of client {kind!r}; use one of {', '.join(KINDS)}")
    course = intake[:, None] + (level - intake)[:, None] * approach
    return course, intake


def spread_over_items(totals: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Answers to items 1-9 (item 9 always 0) that add up to each total exactly.

    Each of items 1-8 has three answer steps; a total of T takes T of the 24 steps without
    replacement, with the item's weight, by the Gumbel top-k trick (the steps with the T
    largest ``log(weight) + Gumbel`` keys).
    """
    n = totals.size
    weights = np.repeat(np.log(np.asarray(ITEM_WEIGHTS)), 3)
    keys = weights[None, :] + rng.gumbel(size=(n, weights.size))
    rank = np.argsort(np.argsort(-keys, axis=1), axis=1)
    taken = rank < totals[:, None]
    answers = taken.reshape(n, 8, 3).sum(axis=2)
    return np.concatenate([answers, np.zeros((n, 1), dtype=answers.dtype)], axis=1)


def generate_courses(
    clients_per_kind: int,
    *,
    sessions: int = 12,
    kinds: tuple[str, ...] = KINDS,
    seed: int = 0,
    start: date = date(2026, 1, 5),
) -> IndependentCourses:
    """PHQ-9 courses, item by item, for `clients_per_kind` clients of each kind (seeded)."""
    rng = np.random.default_rng(seed)
    frames: list[pl.DataFrame] = []
    truths: list[pl.DataFrame] = []
    for kind in kinds:
        true, intake = true_courses(kind, clients_per_kind, sessions, rng)
        observed = np.clip(np.rint(true + rng.normal(0.0, SEM, true.shape)), 0, MAX_OBSERVED)
        observed = observed.astype(np.int64).ravel()
        attended = rng.random(true.shape) < ATTEND_PROBABILITY
        attended[:, 0] = True
        missed = np.where(rng.random(true.shape) < 0.5, "cancelled", "no_show")
        attendance = np.where(attended, "attended", missed).ravel()
        answers = spread_over_items(observed, rng)
        codes = [f"SYN-{kind[:3].upper()}-{i + 1:05d}" for i in range(clients_per_kind)]
        columns: dict[str, object] = {
            "client_id": np.repeat(codes, sessions),
            "occasion": np.tile(np.arange(1, sessions + 1), clients_per_kind),
            "instrument": "phq9",
        }
        for j in range(9):
            columns[f"item_{j + 1}"] = pl.Series(answers[:, j]).set(
                pl.Series(~attended.ravel()), None
            )
        columns["attendance"] = attendance
        frame = pl.DataFrame(columns).with_columns(
            date=pl.lit(start) + pl.duration(weeks=pl.col("occasion") - 1)
        )
        frames.append(frame)
        truths.append(
            pl.DataFrame(
                {
                    "client_id": codes,
                    "kind": kind,
                    "true_first": true[:, 0],
                    "true_last": true[:, -1],
                    "intake": intake,
                }
            )
        )
    order = ["client_id", "occasion", "date", "instrument", *[f"item_{j}" for j in range(1, 10)]]
    observations = pl.concat(frames).select([*order, "attendance"])
    return IndependentCourses(observations=observations, truth=pl.concat(truths))
