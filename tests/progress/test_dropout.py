"""The learned dropout model: readable features, refusal without enough episodes, held-out
validation on synthetic clinics, and a lossless save/load."""

from __future__ import annotations

import json
from datetime import date

import polars as pl
import pytest

from unstuck.analysis.csvinput import check_observations
from unstuck.measures import load_instruments
from unstuck.progress.dropout import (
    FEATURES,
    MIN_EPISODES,
    DropoutModel,
    NotEnoughEpisodes,
    dropout_features,
    fit_dropout_model,
)
from unstuck.progress.summary import Observation, observations_by_client, summarise_client
from unstuck.synth import ClinicParameters, generate_long_table

HORIZON = 5


def obs(
    instrument: str,
    occasion: int,
    total: float | None,
    attendance: str = "attended",
    markers: int = 0,
) -> Observation:
    return Observation(
        instrument,
        occasion,
        total,
        attendance,
        date(2026, 1, occasion),  # type: ignore[arg-type]
        markers=markers,
    )


def test_features_by_hand() -> None:
    client = [
        obs("phq9", 1, 18),
        obs("session_feedback", 1, 36),
        obs("phq9", 2, None, "no_show"),
        obs("phq9", 3, 16, "late", markers=2),
        obs("session_feedback", 3, 34),
        obs("phq9", 4, None, "cancelled"),
        obs("phq9", 5, 20, markers=1),
        obs("session_feedback", 5, 29),
    ]
    f = dropout_features(client, horizon=5)
    assert f == {
        "missed_share": 2 / 5,
        "late_share": 1 / 5,
        "missed_last3": 1.0,  # sessions 3, 4, 5: one cancelled
        "feedback_fall": 35 - 29,  # mean of 36 and 34, minus the latest
        "symptom_change": 20 - 18,
        "markers": 3.0,  # sessions 2-5
    }


def test_later_sessions_never_change_the_features() -> None:
    early = [obs("phq9", k, 15) for k in range(1, 6)]
    later = [obs("phq9", 6, None, "no_show"), obs("phq9", 7, 27, markers=3)]
    assert dropout_features(early, 5) == dropout_features(early + later, 5)


def test_it_refuses_to_fit_without_enough_ended_episodes() -> None:
    rows = [dict.fromkeys(FEATURES, 0.0)] * (MIN_EPISODES - 1)
    with pytest.raises(NotEnoughEpisodes, match="at least 100 ended episodes"):
        fit_dropout_model(rows, [i % 2 == 0 for i in range(len(rows))], horizon=HORIZON)


def synthetic_episodes(seed: int) -> tuple[list[dict[str, float]], list[bool], list[float]]:
    """Clients still attending at the horizon; outcome: dropped out later; rule: flag by then."""
    clinic = generate_long_table(ClinicParameters(clients=1200, occasions=12, seed=seed))
    frame = check_observations(
        clinic.observations.with_columns(pl.all().cast(pl.String)), load_instruments()
    ).frame
    by_client = observations_by_client(frame)
    instruments = load_instruments()
    outcome = dict(zip(clinic.clients["client_id"], clinic.clients["dropped_out"], strict=True))
    last = dict(zip(clinic.clients["client_id"], clinic.clients["last_attended"], strict=True))
    rows, dropped, rule = [], [], []
    for client_id, observations in by_client.items():
        if last[client_id] <= HORIZON:
            continue  # already gone: not a prediction any more
        early = [o for o in observations if o.occasion <= HORIZON]
        rows.append(dropout_features(early, HORIZON))
        dropped.append(bool(outcome[client_id]))
        flags = summarise_client(client_id, early, instruments).flags
        rule.append(1.0 if "withdrawal_risk" in flags else 0.0)
    return rows, dropped, rule


def test_held_out_auc_beats_chance_and_the_model_round_trips() -> None:
    rows, dropped, rule = synthetic_episodes(seed=5)
    model = fit_dropout_model(rows, dropped, rule=rule, horizon=HORIZON, seed=1)
    assert model.episodes == len(rows)
    assert model.heldout_auc > 0.6
    assert model.rule_auc is not None
    again = DropoutModel.from_dict(json.loads(json.dumps(model.to_dict())))
    assert again == model
    assert again.probability(rows[0]) == pytest.approx(model.probability(rows[0]))
    assert model.odds_ratios()["missed_last3"] > 1  # more recent missed sessions, more dropout
    sentence = model.explain(0.34)
    assert "about 3 in 10 clients" in sentence
    assert "does not replace them" in sentence
