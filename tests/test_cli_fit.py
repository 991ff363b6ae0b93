"""`unstuck fit`: a file it cannot fit a course to is refused saying why, and writes nothing."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from unstuck.cli import main

First = Callable[[int], int]
Later = Callable[[int, int], int]


def caseload(tmp_path: Path, first: First, later: Later) -> Path:
    """60 clients with three PHQ-9 scores each: `first(c)` then `later(c, session)`."""
    rows = ["client_id,occasion,instrument,score"]
    for c in range(60):
        rows.append(f"K-{c},1,phq9,{first(c)}")
        rows += [f"K-{c},{o},phq9,{later(c, o)}" for o in (2, 3)]
    path = tmp_path / "caseload.csv"
    path.write_text("\n".join(rows) + "\n")
    return path


@pytest.mark.parametrize(
    ("first", "later", "said"),
    [
        # Stopped with numpy's "not fitted: Singular matrix", then blamed --min-clients.
        (lambda c: 15, lambda c, o: 15 - o - c % 4, "every client's first score is 15"),
        # Wrote a course with a band of no width, which then flagged a 1-point change.
        (lambda c: 5 + c % 15, lambda c, o: 5 + c % 15, "the scores do not vary around"),
    ],
)
def test_a_course_that_cannot_be_fitted_is_refused_saying_why(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, first: First, later: Later, said: str
) -> None:
    path, models = caseload(tmp_path, first, later), tmp_path / "models.toml"
    assert main(["fit", str(path), "-o", str(models)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert f"unstuck: PHQ-9 not fitted: {said}" in err
    assert "no expected course could be fitted, for the reasons above" in err
    assert "Singular" not in err
    assert not models.exists()


def test_too_few_clients_names_the_measure_and_the_option(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "few.csv"
    path.write_text("client_id,occasion,instrument,score\nA,1,gad7,12\nA,2,gad7,9\n")
    assert main(["fit", str(path), "-o", str(tmp_path / "m.toml")]) == 2
    err = capsys.readouterr().err
    assert "GAD-7 not fitted: 1 client with two or more scores; at least 50 are needed" in err
    assert "--min-clients 50" in err


def test_fit_says_where_the_data_end_and_whether_the_band_holds(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Fitted on scores that reach only session 2, fit described the course at sessions 4
    and 10 as if seen, and printed a held-out coverage near 50% with no word on it."""
    rows = ["client_id,occasion,instrument,score"]
    for c in range(80):  # a change of 0, +6, 0 or -6: half of them far out in the tails
        first = 10 + c % 9
        rows += [f"K-{c},1,phq9,{first}", f"K-{c},2,phq9,{first + (0, 6, 0, -6)[c % 4]}"]
    path, models = tmp_path / "two.csv", tmp_path / "models.toml"
    path.write_text("\n".join(rows) + "\n")
    assert main(["fit", str(path), "-o", str(models)]) == 0
    out = capsys.readouterr().out
    assert "session 4" not in out
    assert "session 10" not in out
    assert "by session 2" in out
    assert (
        "This clinic's data reach session 2 (the last with scores from at least 10 clients): "
        "beyond it the course is extrapolated from the shape of the curve, not seen in the "
        "data, so 'not on track' at later sessions rests on that shape."
    ) in out
    assert "below the 80% the band aims for: the band is too narrow for this clinic's data" in out
    assert "last_session = 2" in models.read_text()
