"""The caseload (batch) path and the per-client path must say exactly the same things."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from unstuck.analysis.csvinput import read_observations
from unstuck.analysis.report import render_json
from unstuck.measures import InstrumentSet, load_instruments, score_only_instrument
from unstuck.measures.model import Band
from unstuck.progress.batch import summarise_caseload
from unstuck.progress.config import default_thresholds
from unstuck.progress.course import CourseModel
from unstuck.progress.summary import observations_by_client, summarise_client, summarise_clients
from unstuck.synth import ClinicParameters, generate_long_table


def per_client(
    frame: pl.DataFrame, instruments: InstrumentSet, **settings: Any
) -> list[dict[str, object]]:
    rows = observations_by_client(frame)
    return [summarise_client(c, rows[c], instruments, **settings).to_dict() for c in sorted(rows)]


def in_id_order(report: str) -> list[dict[str, object]]:
    """The JSON report's clients in client id order, as `per_client` lists them (the report
    lists them in the order of attention, safety first)."""
    return sorted(json.loads(report), key=lambda c: str(c["client_id"]))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_batch_and_per_client_agree_on_a_synthetic_clinic(tmp_path: Path, seed: int) -> None:
    instruments = load_instruments()
    clinic = generate_long_table(ClinicParameters(clients=150, occasions=8, seed=seed))
    path = tmp_path / "clinic.csv"
    clinic.observations.write_csv(path)
    frame = read_observations(path, instruments).frame
    batch = in_id_order(render_json(summarise_caseload(frame, instruments)))
    single = per_client(frame, instruments)
    assert len(batch) == 150
    assert batch == single


def test_many_clients_summarised_together_read_as_each_alone(tmp_path: Path) -> None:
    # The web app refreshes many clients' statuses at once (an import, new rules): each must
    # read as it does when the client's own page is saved, flags and their measures too.
    instruments = load_instruments()
    clinic = generate_long_table(ClinicParameters(clients=80, occasions=8, seed=6))
    path = tmp_path / "clinic.csv"
    clinic.observations.write_csv(path)
    rows = observations_by_client(read_observations(path, instruments).frame)
    rows["SYN-NONE"] = []  # a client with no questionnaire yet
    together = summarise_clients(rows, instruments)
    assert sorted(together) == sorted(rows)
    alone = {c: summarise_client(c, rows[c], instruments) for c in rows}
    assert together == alone
    assert {s.status for s in alone.values()} >= {"on_track", "at_risk", "off_track"}
    assert together["SYN-NONE"].status == "insufficient_data"


def test_row_order_does_not_matter(tmp_path: Path) -> None:
    instruments = load_instruments()
    clinic = generate_long_table(ClinicParameters(clients=80, occasions=8, seed=4))
    path = tmp_path / "clinic.csv"
    clinic.observations.write_csv(path)
    frame = read_observations(path, instruments).frame
    shuffled = frame.sample(fraction=1.0, shuffle=True, seed=11)
    assert not shuffled.equals(frame)
    in_order = render_json(summarise_caseload(frame, instruments))
    assert render_json(summarise_caseload(shuffled, instruments)) == in_order
    assert in_id_order(in_order) == per_client(shuffled, instruments)


@pytest.mark.parametrize("shuffled", [False, True], ids=["in client order", "shuffled"])
def test_the_checks_client_codes_give_the_same_summary(tmp_path: Path, shuffled: bool) -> None:
    # `unstuck analyze` passes the client codes the check made on to the summary, also
    # after --skip-invalid has left rows out; the summary must be the one it makes itself.
    instruments = load_instruments()
    clinic = generate_long_table(ClinicParameters(clients=60, occasions=6, seed=5))
    table = clinic.observations
    if shuffled:
        table = table.sample(fraction=1.0, shuffle=True, seed=3)
    broken = table.with_columns(  # every 7th row gets an impossible answer
        pl.when(pl.int_range(pl.len()) % 7 == 0)
        .then(pl.lit("9"))
        .otherwise(pl.col("item_1").cast(pl.String))
        .alias("item_1")
    )
    path = tmp_path / "clinic.csv"
    broken.write_csv(path)
    observations = read_observations(path, instruments, skip_invalid=True)
    assert observations.skipped_rows > 0
    shared = summarise_caseload(observations.frame, instruments, codes=observations.client_codes)
    own = summarise_caseload(observations.frame, instruments)
    assert render_json(shared) == render_json(own)
    assert in_id_order(render_json(shared)) == per_client(observations.frame, instruments)


def test_they_agree_on_edge_cases(tmp_path: Path) -> None:
    """Single scores, missed sessions only, decimals, safety blanks and a rule-less measure."""
    custom = score_only_instrument(
        "bdi", reliability=0.9, sd=10.0, cutoff=14.0, higher_is_better=False
    )
    instruments = load_instruments().with_instrument(custom)
    text = (
        "client_id,occasion,instrument,score,attendance\n"
        "A,1,phq9,18,attended\n"
        "A,2,phq9,,cancelled\n"
        "A,3,phq9,7,attended\n"
        "B,1,gad7,,no_show\n"
        "C,1,bdi,30.5,attended\n"
        "C,2,bdi,12.25,late\n"
        "D,1,session_feedback,31,attended\n"
        "D,2,session_feedback,38,attended\n"
        "E,1,phq9,12,attended\n"
    )
    path = tmp_path / "edge.csv"
    path.write_text(text)
    frame = read_observations(path, instruments).frame
    batch = in_id_order(render_json(summarise_caseload(frame, instruments)))
    assert batch == per_client(frame, instruments)
    by_id = {c["client_id"]: c for c in batch}
    assert by_id["B"]["status"] == "insufficient_data"
    assert by_id["B"]["measures"] == {}
    assert by_id["B"]["attendance"] == {"attended": 0, "late": 0, "cancelled": 0, "no_show": 1}
    assert by_id["E"]["status"] == "insufficient_data"
    assert by_id["E"]["measures"]["phq9"]["change"] is None
    assert by_id["C"]["measures"]["bdi"]["change"] == pytest.approx(-18.25)
    a = by_id["A"]
    assert a["status"] == "on_track"
    assert a["measures"]["phq9"] | {} == {
        "first": 18.0,
        "last": 7.0,
        "change": -11.0,
        "n": 2,
        "reliable_change": "improved",
        "recovered": True,
        "reliably_recovered": True,
        "first_occasion": 1,
        "last_occasion": 3,
        "first_severity": "moderately severe",
        "last_severity": "mild",
        "safety_alert": False,
    }
    assert a["explanations"][0].startswith(
        "PHQ-9: 18 (moderately severe) at session 1, 7 (mild) at session 3 (2 scores), "
        "a change of -11 points. That is reliable improvement"
    )


# -- property: any caseload, both paths say the same words --------------------------------

SCHEMA = {
    "row": pl.Int64,
    "client_id": pl.String,
    "instrument": pl.String,
    "occasion": pl.Int64,
    "date": pl.Date,
    "attendance": pl.String,
    "total": pl.Float64,
    "prorated": pl.Boolean,
    "safety_alert": pl.Boolean,
    "safety_unanswered": pl.Boolean,
    "incomplete": pl.Boolean,
    "markers": pl.Int64,
}
# Totals near the thresholds the signals use (and some decimals, as proration gives).
PHQ = st.one_of(st.integers(0, 27).map(float), st.sampled_from([10.125, 11.25, 12.857142857142858]))
FEEDBACK = st.one_of(st.integers(20, 40).map(float), st.sampled_from([33.333333333333336, 26.25]))


@st.composite
def caseloads(draw: st.DrawFn) -> pl.DataFrame:
    rows: list[dict[str, object]] = []
    for c in range(draw(st.integers(1, 6))):
        day = date(2026, 1, 5)
        dated = draw(st.booleans())
        instruments = draw(
            st.lists(st.sampled_from(["phq9", "gad7", "session_feedback"]), min_size=1, unique=True)
        )
        for occasion in range(1, draw(st.integers(1, 12)) + 1):
            day += timedelta(days=draw(st.sampled_from([7, 7, 7, 14, 21, 28, 45])))
            attendance = draw(st.sampled_from(["attended"] * 4 + ["late", "cancelled", "no_show"]))
            missed = attendance in ("cancelled", "no_show")
            markers = draw(st.sampled_from([0, 0, 0, 1, 2]))
            for instrument in instruments:
                if instrument == "session_feedback":
                    total = None if missed else draw(FEEDBACK)
                elif instrument == "gad7":
                    total = None if missed else float(draw(st.integers(0, 21)))
                else:
                    total = None if missed else draw(PHQ)
                alert = instrument == "phq9" and not missed and draw(st.integers(0, 9)) == 0
                rows.append(
                    {
                        "row": len(rows) + 2,
                        "client_id": f"C{c}",
                        "instrument": instrument,
                        "occasion": occasion,
                        "date": day if dated else None,
                        "attendance": attendance,
                        "total": total,
                        "prorated": False,
                        "safety_alert": alert,
                        "safety_unanswered": False,
                        "incomplete": False,
                        "markers": markers,
                    }
                )
    return pl.DataFrame(rows, schema=SCHEMA)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(caseloads())
def test_any_caseload_gets_the_same_words_from_both_paths(frame: pl.DataFrame) -> None:
    instruments = load_instruments()
    batch = in_id_order(render_json(summarise_caseload(frame, instruments)))
    assert batch == per_client(frame, instruments)


def test_a_mean_on_a_rounding_edge_is_written_alike_by_both_paths() -> None:
    # Found by the test above: session feedback of 33.333333333333336 (a prorated score)
    # three times, then 20, 26.25 and 20. The earlier mean is 29.25 in decimals, so its one
    # decimal place depends on how the scores are added: both paths add the earlier scores
    # in order (taking the last score off the sum of all of them gave 29.3 against 29.2).
    totals = [33.333333333333336] * 3 + [20.0, 26.25, 20.0]
    frame = pl.DataFrame(
        [
            dict.fromkeys(("prorated", "safety_alert", "safety_unanswered", "incomplete"), False)
            | {
                "row": i + 2,
                "client_id": "C1",
                "instrument": "session_feedback",
                "occasion": i + 1,
                "date": None,
                "attendance": "attended",
                "total": total,
                "markers": 0,
            }
            for i, total in enumerate(totals)
        ],
        schema=SCHEMA,
    )
    instruments = load_instruments()
    # With the shipped rule the fall to 20 is a rupture, and a fall that ruptures is that
    # flag's alone (one number, one flag): a rupture rule that never fires keeps the sentence.
    shipped = default_thresholds()
    quiet = replace(shipped, alliance_rupture=replace(shipped.alliance_rupture, drop=99, floor=0))
    batch = in_id_order(render_json(summarise_caseload(frame, instruments, thresholds=quiet)))
    assert batch == per_client(frame, instruments, thresholds=quiet)
    assert any("from an earlier average of 29." in e for e in batch[0]["explanations"])


# A clinic's own higher-is-better scale with an expected course of its own (as `unstuck fit`
# would write): the course limits and drift point the other way.
WELLBEING = score_only_instrument(
    "wellbeing", reliability=0.89, sd=8.7, cutoff=40.0, higher_is_better=True
)
WELLBEING_COURSE = CourseModel(
    instrument="wellbeing",
    center=38.0,
    slope=3.0,
    slope_by_baseline=-0.1,
    residual_sd=3.5,
    slope_sd=2.0,
    higher_is_better=True,
    source="fitted on this clinic's data (test)",
)


@st.composite
def wellbeing_caseloads(draw: st.DrawFn) -> pl.DataFrame:
    rows: list[dict[str, object]] = []
    for c in range(draw(st.integers(1, 5))):
        start = draw(st.integers(20, 60))
        for occasion in range(1, draw(st.integers(1, 10)) + 1):
            total = float(min(70, max(14, start + draw(st.integers(-12, 12)))))
            rows.append(
                dict.fromkeys(
                    ("prorated", "safety_alert", "safety_unanswered", "incomplete"), False
                )
                | {
                    "row": len(rows) + 2,
                    "client_id": f"W{c}",
                    "instrument": "wellbeing",
                    "occasion": occasion,
                    "date": None,
                    "attendance": "attended",
                    "total": total,
                    "markers": 0,
                }
            )
    return pl.DataFrame(rows, schema=SCHEMA)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(wellbeing_caseloads())
def test_a_higher_is_better_course_gets_the_same_words_from_both_paths(
    frame: pl.DataFrame,
) -> None:
    instruments = load_instruments().with_instrument(WELLBEING)
    models = {"wellbeing": WELLBEING_COURSE}
    batch = in_id_order(render_json(summarise_caseload(frame, instruments, models=models)))
    assert batch == per_client(frame, instruments, models=models)


def test_the_json_report_escapes_what_json_must(tmp_path: Path) -> None:
    """Quotes, backslashes and control characters in ids, in a clinic's instrument name
    (which the sentences quote) and in its band names (which the measures hold) come out as
    valid JSON, one client per line."""
    custom = replace(
        score_only_instrument("bdi", reliability=0.9, sd=10.0, cutoff=14.0, higher_is_better=False),
        name='Beck "BDI" \\ II\tform',
        bands=(Band('"low"', 0, 13), Band("élevé \\ high", 14, 63)),
    )
    instruments = load_instruments().with_instrument(custom)
    ids = ['Zoë "Z"', "back\\slash", "tab\there", "plain"]
    frame = pl.DataFrame(
        {
            "client_id": [i for i in ids for _ in range(2)],
            "occasion": [1, 2] * len(ids),
            "instrument": ["bdi", "bdi", "phq9", "phq9"] * 2,
            "score": [30.0, 12.0, 18.0, 7.0] * 2,
        }
    )
    path = tmp_path / "odd.csv"
    frame.write_csv(path)
    observations = read_observations(path, instruments).frame
    text = render_json(summarise_caseload(observations, instruments))
    batch = in_id_order(text)
    assert [c["client_id"] for c in batch] == sorted(ids)
    assert batch == per_client(observations, instruments)
    assert any('Beck "BDI" \\ II\tform' in e for c in batch for e in c["explanations"])
    bdi = [c["measures"]["bdi"] for c in batch if "bdi" in c["measures"]]
    assert [(m["first_severity"], m["last_severity"]) for m in bdi] == [
        ("élevé \\ high", '"low"')
    ] * 2
    assert len(text.splitlines()) == len(ids)
