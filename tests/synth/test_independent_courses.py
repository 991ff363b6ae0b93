"""The independent course generator makes the four kinds of client it says it makes."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from unstuck.analysis import check_observations
from unstuck.measures import load_instruments
from unstuck.synth.independent import KINDS, generate_courses, spread_over_items

SEED = 2026
RELIABLE = 6  # PHQ-9 reliable change in NHS Talking Therapies
Courses = tuple[pl.DataFrame, pl.DataFrame]


@pytest.fixture(scope="module")
def courses() -> Courses:
    made = generate_courses(300, seed=SEED)
    scored = made.observations.filter(pl.col("attendance") == "attended").with_columns(
        total=pl.sum_horizontal([f"item_{j}" for j in range(1, 10)])
    )
    per_client = scored.group_by("client_id").agg(
        first=pl.col("total").sort_by("occasion").first(),
        last=pl.col("total").sort_by("occasion").last(),
        low=pl.col("total").min(),
    )
    return made.observations, per_client.join(made.truth, on="client_id")


def of_kind(table: pl.DataFrame, kind: str) -> pl.DataFrame:
    return table.filter(pl.col("kind") == kind)


def test_it_makes_every_kind_with_codes_marked_synthetic(courses: Courses) -> None:
    observations, clients = courses
    assert sorted(clients["kind"].unique()) == sorted(KINDS)
    assert clients.group_by("kind").len()["len"].to_list() == [300] * 4
    assert observations["client_id"].str.starts_with("SYN-").all()


def test_improving_clients_improve_reliably_on_average(courses: Courses) -> None:
    improving = of_kind(courses[1], "improving")
    change = improving["first"] - improving["last"]
    assert change.mean() >= RELIABLE
    assert ((improving["true_first"] - improving["true_last"]) > RELIABLE).all()


def test_recovered_clients_start_in_the_clinical_range_and_end_below_it(courses: Courses) -> None:
    recovered = of_kind(courses[1], "recovered")
    assert (recovered["true_first"] >= 10).all()
    assert (recovered["true_last"] < 10).all()
    assert recovered["last"].mean() < 10 <= recovered["first"].mean()


def test_deteriorating_clients_deteriorate_reliably(courses: Courses) -> None:
    worse = of_kind(courses[1], "deteriorating")
    assert (worse["last"] - worse["first"]).mean() >= RELIABLE
    assert ((worse["true_last"] - worse["true_first"]) > RELIABLE).all()


def test_flat_severe_clients_stay_severe(courses: Courses) -> None:
    flat = of_kind(courses[1], "flat_severe")
    assert (flat["true_first"] >= 20).all()
    assert (flat["true_last"] >= 20).all()
    assert flat["last"].mean() >= 20
    assert abs((flat["last"] - flat["first"]).mean()) < 1.5


def test_items_add_up_to_the_total_and_never_answer_item_9() -> None:
    rng = np.random.default_rng(SEED)
    totals = rng.integers(0, 25, 5000)
    answers = spread_over_items(totals, rng)
    assert (answers.sum(axis=1) == totals).all()
    assert answers.min() >= 0
    assert answers.max() <= 3
    assert (answers[:, 8] == 0).all()


def test_missed_sessions_have_no_answers_and_the_first_is_attended(courses: Courses) -> None:
    observations = courses[0]
    missed = observations.filter(pl.col("attendance") != "attended")
    assert 0.05 < len(missed) / len(observations) < 0.15
    assert missed["item_1"].is_null().all()
    assert (observations.filter(pl.col("occasion") == 1)["attendance"] == "attended").all()


def test_it_is_seeded_and_reads_as_a_valid_caseload_file() -> None:
    a = generate_courses(5, seed=1).observations
    assert a.equals(generate_courses(5, seed=1).observations)
    assert not a.equals(generate_courses(5, seed=2).observations)
    checked = check_observations(a.with_columns(pl.all().cast(pl.String)), load_instruments())
    assert checked.frame.height == a.height


def test_an_unknown_kind_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match="unknown kind of client 'stuck'"):
        generate_courses(2, kinds=("stuck",))
