"""Property: whatever is done to a valid file, `unstuck analyze` never shows a traceback,
and exits 0 only having read every row and reported every client (or, with
--skip-invalid, having listed what it left out); otherwise it exits 2 with a message.

The mutations and the independent judge are in `csv_mutations.py`; the same run over 1,000
seeded files is benchmarks/fuzz_analyze.py.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from csv_mutations import BASES, KINDS, apply, judge
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

MUTATION = st.tuples(
    st.integers(0, len(KINDS) - 1),
    st.integers(0, 1 << 16),
    st.integers(0, 1 << 16),
    st.integers(0, 1 << 16),
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    base=st.integers(0, len(BASES) - 1),
    mutations=st.lists(MUTATION, min_size=1, max_size=4),
    skip_invalid=st.booleans(),
)
# Found by this test after the merges of session 18: a stray quote in the header gave [] and exit 0.
@example(base=0, mutations=[(0, 0, 0, 0), (16, 971, 34, 0)], skip_invalid=False)
# Found in session 26: a file cut to its header, ending in a Latin-1 byte, gave [] and exit 0.
@example(base=1, mutations=[(18, 33, 0, 0), (15, 0, 0, 0)], skip_invalid=False)
def test_a_mutated_file_is_analysed_whole_or_refused_with_a_message(
    base: int, mutations: list[tuple[int, int, int, int]], skip_invalid: bool
) -> None:
    data = apply(base, mutations)
    with tempfile.TemporaryDirectory() as folder:
        outcome = judge(data, Path(folder), skip_invalid=skip_invalid)
    assert outcome.kind in ("accepted", "refused"), outcome.detail


def test_the_unmutated_files_are_accepted(tmp_path: Path) -> None:
    for base in range(len(BASES)):
        outcome = judge(apply(base, []), tmp_path)
        assert outcome.kind == "accepted", outcome.detail


def test_the_judge_catches_a_dropped_row(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The judge must be able to fail: a reader that loses the last row is caught."""
    from unstuck.analysis import csvinput, rawcsv

    monkeypatch.setattr(csvinput, "read_file", lambda source: rawcsv.read_file(source).head(-1))
    outcome = judge(apply(0, []), tmp_path)
    assert outcome.kind == "dropped rows", outcome.detail
