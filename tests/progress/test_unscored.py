"""A questionnaire with too many unanswered items is said out loud, never lost in silence.

Found by a tester of `unstuck analyze`: two PHQ-9s with three items blank each (more than
the two the PHQ-9's rule allows) gave ``Q1 [insufficient data]`` and only a sentence about
item 9, though the docs promise such a questionnaire "keeps its row but gets no total". Now
the client's explanations say which sessions could not be scored and by which rule, in
every output format and on the web's single-client path (the same code), word for word.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from csv_files import write
from unstuck.analysis.csvinput import read_observations
from unstuck.analysis.report import render_json
from unstuck.cli import main
from unstuck.measures import load_instruments
from unstuck.progress.batch import summarise_caseload
from unstuck.progress.summary import Observation, observations_by_client, summarise_client

INSTRUMENTS = load_instruments()
ITEMS = ",".join(f"item_{j}" for j in range(1, 10))
HEADER = f"client_id,occasion,instrument,{ITEMS}\n"
TESTER_FILE = HEADER + "Q1,1,phq9,3,3,3,3,3,3,,,\nQ1,2,phq9,3,3,3,,,,3,3,0\n"
PHQ9_UNSCORED = (
    "The PHQ-9 at sessions 1 and 2 could not be scored: too many items were left unanswered "
    "(a total needs at least 7 of its 9 items answered). The unanswered questions may be "
    "worth going through together."
)


@pytest.mark.parametrize("output", ["json", "csv", "text"])
def test_every_output_says_which_questionnaires_could_not_be_scored(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], output: str
) -> None:
    code = main(["analyze", str(write(tmp_path, TESTER_FILE)), "--format", output])
    out, err = capsys.readouterr()
    assert (code, err) == (0, "")
    if output == "json":
        (client,) = json.loads(out)
        assert client["explanations"][0] == PHQ9_UNSCORED
        assert "item 9 (safety) has no answer at session 1" in client["explanations"][1]
    elif output == "csv":
        (row,) = csv.DictReader(io.StringIO(out))
        assert row["client_explanations"].startswith(PHQ9_UNSCORED + " PHQ-9 item 9")
    else:
        assert f"  - {PHQ9_UNSCORED}\n" in out


def test_the_sentence_follows_the_measures_own_and_names_only_unscored_sessions(
    tmp_path: Path,
) -> None:
    """Session 1 is prorated (two blanks, allowed) and counts; session 2 (three) does not."""
    text = (
        HEADER + "A,1,phq9,3,3,3,3,3,3,3,,\nA,2,phq9,3,3,3,,,,3,3,0\nA,3,phq9,1,1,1,1,1,1,1,1,0\n"
    )
    frame = read_observations(write(tmp_path, text), INSTRUMENTS).frame
    (client,) = json.loads(render_json(summarise_caseload(frame, INSTRUMENTS)))
    assert client["measures"]["phq9"]["n"] == 2
    measure, unscored, *_ = client["explanations"]
    assert measure.startswith("PHQ-9: 27 (severe) at session 1, 8 (mild) at session 3")
    assert unscored.startswith("The PHQ-9 at session 2 could not be scored:")


def test_a_form_whose_rule_allows_no_blank_says_it_needs_every_item(tmp_path: Path) -> None:
    header = "client_id,occasion,instrument,item_1,item_2,item_3,item_4\n"
    text = header + "F,1,session_feedback,8,8,8,8\nF,2,session_feedback,9,,9,9\n"
    frame = read_observations(write(tmp_path, text), INSTRUMENTS).frame
    (client,) = json.loads(render_json(summarise_caseload(frame, INSTRUMENTS)))
    assert client["explanations"][1].startswith(
        "The Session feedback at session 2 could not be scored: too many items were left "
        "unanswered (a total needs all 4 of its items answered)."
    )


def test_the_web_path_says_the_same_word_for_word(tmp_path: Path) -> None:
    text = TESTER_FILE + "Q2,1,gad7,1,1,1,,,,,,\nQ2,2,gad7,2,2,2,2,2,2,2,,\n"
    frame = read_observations(write(tmp_path, text), INSTRUMENTS).frame
    batch = json.loads(render_json(summarise_caseload(frame, INSTRUMENTS)))
    rows = observations_by_client(frame)
    single = [summarise_client(c, rows[c], INSTRUMENTS).to_dict() for c in sorted(rows)]
    assert batch == single
    assert batch[0]["explanations"][0] == PHQ9_UNSCORED
    assert batch[1]["explanations"][1].startswith("The GAD-7 at session 1 could not be scored")
    assert "at least 6 of its 7 items" in batch[1]["explanations"][1]


def test_a_prorated_web_answer_marked_incomplete_is_a_score_not_an_unscored_one() -> None:
    """The web stores ``incomplete`` for any skipped item, prorated or not: only a
    questionnaire left without a total is said to be unscored."""
    prorated = Observation("phq9", 1, 12.0, incomplete=True)
    withheld = Observation("phq9", 2, None, incomplete=True, safety_unanswered=True)
    summary = summarise_client("W", [prorated, withheld], INSTRUMENTS)
    unscored = [e for e in summary.explanations if "could not be scored" in e]
    assert unscored == [
        "The PHQ-9 at session 2 could not be scored: too many items were left unanswered (a "
        "total needs at least 7 of its 9 items answered). The unanswered questions may be "
        "worth going through together."
    ]
