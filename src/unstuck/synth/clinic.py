"""A synthetic caseload: made-up clients, sessions and questionnaire answers.

Nothing here describes a real person. Every client id starts with ``SYN-`` so that synthetic
records can never be mistaken for clinical ones, in a file, a report or a screenshot.

The generator is vectorised (numpy) so that the benchmarks can make a million rows in seconds.
Its parameters are chosen to resemble published figures for routine psychological care; each
default names its source in `ClinicParameters`. They are for demonstration and testing, not
for drawing clinical conclusions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import polars as pl

SYNTHETIC_PREFIX = "SYN-"

COURSES = ("fast_responder", "slow_responder", "non_responder", "deteriorator")


@dataclass(frozen=True)
class ClinicParameters:
    """Knobs of the synthetic clinic, with where each default comes from.

    - ``intake_mean``/``intake_sd``: PHQ-9 at the first session. NHS Talking Therapies annual
      reports give mean first PHQ-9 scores of about 15 with an SD of about 5-6 for people who
      enter treatment (NHS Digital, Psychological Therapies annual reports 2019-2023).
    - ``course_mix``: share of fast, slow, non-responders and deteriorators. Roughly half of
      people treated recover (NHS Talking Therapies, ~50% recovery) and 5-10% of adults in
      routine care reliably deteriorate (Lambert, 2007; Hansen, Lambert & Forman, 2002).
    - ``attendance``: probability of attended, late, cancelled, no_show for an engaged client;
      about one appointment in ten missed, at the low end of the non-attendance rates in
      mental health outpatient care reviewed by Mitchell & Selmes (2007).
    - ``safety_share``: share of clients who at some point answer PHQ-9 item 9 above 0. A
      round figure for demonstration; positive item-9 answers are common enough in outpatient
      care that every caseload must expect them (Simon et al., 2013).
    - ``dropout_share``: about one client in five ends therapy early without agreeing to
      (Swift & Greenberg, 2012, meta-analysis: 19.7%). Set 0 for a fixed number of rows.
    - ``rupture_share``: share of clients with a marked fall in session feedback at some
      point; ruptures are common and often repaired (Eubanks, Muran & Safran, 2018).
    """

    clients: int = 60
    occasions: int = 10
    instruments: tuple[str, ...] = ("phq9", "gad7", "session_feedback")
    intake_mean: float = 15.0
    intake_sd: float = 5.0
    course_mix: tuple[float, float, float, float] = (0.30, 0.30, 0.30, 0.10)
    attendance: tuple[float, float, float, float] = (0.84, 0.05, 0.07, 0.04)
    safety_share: float = 0.08
    dropout_share: float = 0.2
    rupture_share: float = 0.12
    start: date = date(2026, 1, 5)
    seed: int = 0


def demo_parameters(
    *, clients: int = 60, seed: int = 7, start: date | None = None
) -> ClinicParameters:
    """The demo clinic (`unstuck demo`): a caseload whose outcomes follow published base rates.

    The course mix of `ClinicParameters` is a test bed (a third of the clients flat); a demo
    should look like routine care, so that its share of flagged clients means something. Its
    outcomes, judged as NHS Talking Therapies does (first against last PHQ-9 score, dropouts
    included at their last score), are set to follow:

    - reliable improvement about two thirds and recovery about half of those who started in
      the clinical range (NHS Talking Therapies annual reports 2019-20 to 2022-23: recovery
      about 50%, reliable improvement about 66-67%, reliable recovery about 47%);
    - reliable deterioration about 5-8% (Hansen, Lambert & Forman, 2002; Lambert, 2007);
    - ending early about one client in five (Swift & Greenberg, 2012: 19.7%).

    The course types are the generator's shapes, not outcomes: slow responders and dropouts
    end "no reliable change" more often than not, so few flat courses are needed for about 30%
    no change. Caseness here is PHQ-9 10 or more alone, where the national figures count PHQ-9
    or GAD-7 caseness, so the first PHQ-9 is set a little above the national mean of about 15
    (17.5, SD 5.5) for about 86% of demo clients to start in the clinical range. On 20,000
    generated clients (seed 1; seed 2 within a point) this gives: ended early 19.5%, reliable
    improvement 64.9%, no reliable change 30.0%, reliable deterioration 5.1%; of those who
    started in the clinical range, 55.6% recovered and 51.3% reliably recovered
    (`benchmarks/alert_burden.py` prints these through `unstuck analyze`). A 60-client demo
    scatters around these shares.
    """
    return ClinicParameters(
        clients=clients,
        seed=seed,
        start=start or date(2026, 1, 5),
        intake_mean=17.5,
        intake_sd=5.5,
        course_mix=(0.62, 0.25, 0.03, 0.10),
        dropout_share=0.26,
    )


@dataclass(frozen=True)
class SyntheticClinic:
    observations: pl.DataFrame  # long table, one row per client, occasion and instrument
    clients: pl.DataFrame  # ground truth: client_id, course, safety_risk


def _items_for_totals(
    rng: np.random.Generator, target: np.ndarray, n_items: int, max_answer: int
) -> np.ndarray:
    """Answers whose expected sum is `target`: each item ~ Binomial(max_answer, target / max)."""
    p = np.clip(target / (n_items * max_answer), 0.0, 1.0)
    return rng.binomial(max_answer, p[:, None], size=(target.size, n_items)).astype(np.int64)


def _expected_phq9(
    course: np.ndarray, intake: np.ndarray, occasions: int, rng: np.random.Generator
) -> np.ndarray:
    """Expected PHQ-9 per client and session: a log-linear dose-response curve.

    Change in psychotherapy is fastest early and slows later (Howard et al., 1986), so scores
    follow ``intake - gain * log(session)``; the gain depends on the course type.
    """
    n = intake.size
    t = np.arange(1, occasions + 1, dtype=float)
    gain_per_log = np.select(
        [course == 0, course == 1, course == 2, course == 3],
        [
            rng.uniform(4.0, 6.5, n),  # fast: most of the change by session 4-6
            rng.uniform(2.0, 3.5, n),  # slow but steady
            rng.uniform(-0.6, 0.8, n),  # flat
            rng.uniform(-4.5, -3.0, n),  # worsening
        ],
    )
    curve = intake[:, None] - gain_per_log[:, None] * np.log(t)[None, :]
    clipped: np.ndarray = np.clip(curve, 0.0, 27.0)
    return clipped


def generate_long_table(params: ClinicParameters | None = None) -> SyntheticClinic:
    """Generate a synthetic clinic as a long table in the `unstuck analyze` CSV format."""
    p = params or ClinicParameters()
    rng = np.random.default_rng(p.seed)
    n, k = p.clients, p.occasions
    course = rng.choice(len(COURSES), size=n, p=np.asarray(p.course_mix))
    intake = np.clip(rng.normal(p.intake_mean, p.intake_sd, n), 5.0, 27.0)
    risk = rng.random(n) < p.safety_share
    session = np.tile(np.arange(1, k + 1), n)  # 1-based, client-major
    grid = session.reshape(n, k)

    # Who drops out and when: more often among clients who are not helped or whose working
    # relationship breaks down (Swift & Greenberg, 2012). Their last attended session is
    # `last`; one or two missed appointments follow, then nothing.
    not_helped = (course >= 2).astype(float)
    dropout = rng.random(n) < np.clip(p.dropout_share * (0.6 + 1.2 * not_helped), 0, 1)
    dropout &= k >= 5
    last = np.where(dropout, rng.integers(3, max(k - 1, 4), n), k)
    trailing = np.where(dropout, rng.integers(1, 3, n), 0)
    present = (grid <= (last + trailing)[:, None]).ravel()

    # Ruptures in the working relationship: a sharp fall in session feedback from a session on,
    # repaired after a session or two in about half of the cases (Eubanks, Muran & Safran,
    # 2018: rupture-repair episodes are common and repair goes with better outcomes).
    rupture = rng.random(n) < np.clip(p.rupture_share * (0.7 + 1.5 * (course == 3)), 0, 1)
    rupture_at = rng.integers(2, max(k // 2 + 2, 3), n)
    repaired = rng.random(n) < 0.5
    repair_at = rupture_at + rng.integers(1, 3, n)
    ruptured = (
        rupture[:, None]
        & (grid >= rupture_at[:, None])
        & ~(repaired[:, None] & (grid >= repair_at[:, None]))
    ).ravel()

    phq_expected = _expected_phq9(course, intake, k, rng)
    phq_target = np.clip(phq_expected + rng.normal(0.0, 1.5, (n, k)), 0.0, 27.0).ravel()

    # Attendance: engaged clients follow `attendance`; in the three sessions before dropping
    # out missed and late sessions become much more likely, and after it nobody comes.
    engaged = rng.choice(4, size=n * k, p=np.asarray(p.attendance))
    fading = rng.choice(4, size=n * k, p=np.asarray((0.4, 0.2, 0.2, 0.2)))
    before_end = (dropout[:, None] & (grid >= last[:, None] - 3) & (grid < last[:, None])).ravel()
    after_end = (grid > last[:, None]).ravel()
    attend = np.where(before_end, fading, engaged)
    attend = np.where(after_end, rng.choice([2, 3], size=n * k, p=[0.3, 0.7]), attend)
    attend[::k] = 0  # everyone attends their first session
    attend[(grid == last[:, None]).ravel()] = 0  # the last session was attended
    attended = attend <= 1

    client_ids = np.char.add(SYNTHETIC_PREFIX, np.char.zfill(np.arange(1, n + 1).astype(str), 6))
    cid = np.repeat(client_ids, k)
    day = rng.integers(0, 60, n)
    # Weekly sessions; gaps widen by up to a week before a dropout.
    gap = 7 + rng.integers(-1, 2, n * k) + before_end * rng.integers(3, 8, n * k)
    gap = gap.reshape(n, k)
    gap[:, 0] = 0
    days = (day[:, None] + np.cumsum(gap, axis=1)).ravel()
    dates = np.datetime64(p.start) + days.astype("timedelta64[D]")
    attendance_names = np.array(["attended", "late", "cancelled", "no_show"])

    frames: list[pl.DataFrame] = []
    for instrument in p.instruments:
        if instrument == "phq9":
            answers = _items_for_totals(rng, phq_target, 9, 3)
            # Item 9 is rarer than the other items; clients flagged as at risk endorse it now
            # and then, everybody else almost never.
            p9 = np.where(np.repeat(risk, k), 0.25, 0.004)
            answers[:, 8] = rng.binomial(1, p9) * rng.integers(1, 4, n * k)
        elif instrument == "gad7":
            gad_target = np.clip(phq_target * 21 / 27 + rng.normal(0.0, 2.0, n * k), 0, 21)
            answers = _items_for_totals(rng, gad_target, 7, 3)
        elif instrument == "session_feedback":
            # Client-rated alliance is skewed high when nothing is wrong (Duncan et al., 2003):
            # each client's usual rating is 32-39 of 40, above the rupture rule's floor of 30.
            base = np.repeat(rng.uniform(32.0, 39.0, n), k)
            drop = ruptured * np.repeat(rng.uniform(9.0, 18.0, n), k)
            drop += before_end * rng.uniform(3.0, 8.0, n * k)
            fb_target = np.clip(base - drop + rng.normal(0.0, 1.0, n * k), 0, 40)
            answers = _items_for_totals(rng, fb_target, 4, 10)
        else:
            raise ValueError(f"the synthetic clinic does not generate {instrument!r}")
        columns: dict[str, object] = {
            "client_id": cid,
            "occasion": session,
            "date": dates,
            "instrument": np.full(n * k, instrument),
        }
        for j in range(answers.shape[1]):
            columns[f"item_{j + 1}"] = pl.Series(answers[:, j]).set(pl.Series(~attended), None)
        columns["attendance"] = attendance_names[attend]
        frames.append(pl.DataFrame(columns).filter(pl.Series(present)))

    observations = pl.concat(frames, how="diagonal").sort(["client_id", "occasion", "instrument"])
    item_cols = sorted(
        (c for c in observations.columns if c.startswith("item_")), key=lambda c: int(c[5:])
    )
    observations = observations.select(
        ["client_id", "occasion", "date", "instrument", *item_cols, "attendance"]
    ).with_columns(pl.col("date").cast(pl.Date))
    clients = pl.DataFrame(
        {
            "client_id": client_ids,
            "course": np.asarray(COURSES)[course],
            "safety_risk": risk,
            "dropped_out": dropout,
            "last_attended": last,
            "rupture_at": np.where(rupture, rupture_at, 0),
            "first_session": [p.start + timedelta(days=int(d)) for d in day],
        }
    )
    return SyntheticClinic(observations=observations, clients=clients)


# The demo's first week: each client starts within 60 days of it and comes weekly for ten
# sessions, so with this lead their courses end from about 15 days before today to about 45
# days after it: a caseload of clients at every stage, from their third session to their last,
# with about one in five courses already ended.
DEMO_LEAD_DAYS = 9 * 7 + 15


def demo_clinic(*, clients: int, seed: int, today: date) -> SyntheticClinic:
    """The demo clinic as it stands on `today`; the web demo and `unstuck demo --report` both
    read it, so they give the same clients and dates for the same seed.

    The clinic of `demo_parameters`, started `DEMO_LEAD_DAYS` before `today`, with only the
    sessions dated before `today` (the rest, today's included, have not happened yet). In
    ``clients``, ``completed_on`` is the date of the last session of a client who came to the
    end of the course (every booked session held, no dropout), when that is past; others are
    null: still coming, or ended early without saying so (the web demo closes a dropout's
    episode once they have not come for four weeks, as a therapist would).
    """
    start = today - timedelta(days=DEMO_LEAD_DAYS)
    params = demo_parameters(clients=clients, seed=seed, start=start)
    full = generate_long_table(params)
    seen = full.observations.filter(pl.col("date") < today)
    last = seen.group_by("client_id").agg(
        held=pl.col("occasion").max(), last_date=pl.col("date").max()
    )
    finished = full.clients.join(last, on="client_id", how="left").select(
        "client_id",
        completed_on=pl.when(~pl.col("dropped_out") & (pl.col("held") == params.occasions))
        .then(pl.col("last_date"))
        .otherwise(None),
    )
    return SyntheticClinic(
        observations=seen, clients=full.clients.join(finished, on="client_id", how="left")
    )
