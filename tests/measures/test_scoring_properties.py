"""Properties: the single-questionnaire and polars paths agree; totals never leave the range.

Instruments are the three built-ins and random ones (random option values, including
non-contiguous and negative ones, random missing rules and safety items), so the rules are
checked beyond the shapes the built-ins happen to have.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

import numpy as np
import polars as pl
import pytest
from frame_scores import score_frame
from hypothesis import given, settings
from hypothesis import strategies as st

from unstuck.errors import InvalidAnswer, InvalidDefinition
from unstuck.measures import (
    Instrument,
    band_index,
    builtin_instruments,
    parse_definition,
    score_answers,
    score_expressions,
    severity_of,
)
from unstuck.measures.model import AnswerOption, Item, MissingRule
from unstuck.measures.scoring import prorate

BUILTINS = builtin_instruments()


@st.composite
def random_instruments(draw: st.DrawFn) -> Instrument:
    """Any instrument the loader accepts: proration (max_missing > 0) needs items that share
    one lowest and one highest value, so that a mean of some items stands for all of them."""
    k = draw(st.integers(1, 8))
    max_missing = draw(st.integers(0, k - 1))
    any_safety = draw(st.booleans())
    shared_low = 0 if any_safety else draw(st.integers(-3, 2))
    shared_high = shared_low + draw(st.integers(1, 8))
    items = []
    for n in range(1, k + 1):
        safety = any_safety and draw(st.booleans())
        if max_missing:
            low, high = shared_low, shared_high
        else:
            low = 0 if safety else draw(st.integers(-3, 2))
            high = low + draw(st.integers(1, 8))
        inner = draw(st.sets(st.integers(low, high), max_size=4))
        options = tuple(AnswerOption(v, str(v)) for v in sorted(inner | {low, high}))
        items.append(Item(n, f"random-{n}", f"item {n}", options, safety))
    return Instrument(
        id="random",
        name="Random",
        description="generated",
        higher_is_better=False,
        items=tuple(items),
        score_min=float(sum(i.min_value for i in items)),
        score_max=float(sum(i.max_value for i in items)),
        missing=MissingRule(max_missing, "test"),
    )


any_instrument = st.one_of(st.sampled_from(list(BUILTINS.values())), random_instruments())


@st.composite
def instrument_and_rows(draw: st.DrawFn) -> tuple[Instrument, list[list[int | None]]]:
    instrument = draw(any_instrument)
    one_row = st.tuples(
        *(
            st.one_of(st.none(), st.sampled_from([o.value for o in item.options]))
            for item in instrument.items
        )
    )
    rows = draw(st.lists(one_row, min_size=1, max_size=20))
    return instrument, [list(r) for r in rows]


def as_matrix(rows: list[list[int | None]]) -> np.ndarray:
    return np.array([[np.nan if a is None else a for a in r] for r in rows], dtype=np.float64)


@given(instrument_and_rows())
@settings(max_examples=300, deadline=None)
def test_the_polars_rules_agree_with_score_answers(case: tuple[Instrument, Any]) -> None:
    instrument, rows = case
    arrays = score_frame(instrument, as_matrix(rows))
    assert not arrays.invalid.any()
    for i, answers in enumerate(rows):
        one = score_answers(instrument, answers)
        if one.total is None:
            assert math.isnan(arrays.total[i])
        else:
            assert arrays.total[i] == one.total
        assert bool(arrays.prorated[i]) is one.prorated
        assert arrays.n_missing[i] == len(one.missing_items) == len(instrument.items) - one.answered
        assert bool(arrays.safety_alert[i]) is one.safety_alert
        assert bool(arrays.safety_unanswered[i]) is bool(one.safety_unanswered)
        index = int(band_index(instrument, arrays.total[i : i + 1])[0])
        assert one.severity == (None if index < 0 else instrument.bands[index].name)


@given(instrument_and_rows())
@settings(max_examples=200, deadline=None)
def test_a_total_never_leaves_the_range(case: tuple[Instrument, Any]) -> None:
    instrument, rows = case
    assert instrument.score_min is not None
    assert instrument.score_max is not None
    totals = score_frame(instrument, as_matrix(rows)).total
    given_totals = totals[~np.isnan(totals)]
    assert np.all(given_totals >= instrument.score_min)
    assert np.all(given_totals <= instrument.score_max)
    assert np.all(given_totals == np.floor(given_totals))
    for answers in rows:
        total = score_answers(instrument, answers).total
        assert total is None or instrument.score_min <= total <= instrument.score_max


@given(
    any_instrument.flatmap(
        lambda inst: st.tuples(
            st.just(inst),
            st.lists(
                st.one_of(st.none(), st.floats(-4, 10, allow_nan=False), st.integers(-4, 10)),
                min_size=len(inst.items),
                max_size=len(inst.items),
            ),
        )
    )
)
@settings(max_examples=300, deadline=None)
def test_every_path_rejects_the_same_answers(case: tuple[Instrument, list[Any]]) -> None:
    instrument, answers = case
    arrays = score_frame(instrument, as_matrix([answers]))
    bad_items = [j + 1 for j in np.flatnonzero(arrays.invalid[0])]
    if bad_items:
        assert math.isnan(arrays.total[0])
        with pytest.raises(InvalidAnswer) as caught:
            score_answers(instrument, answers)
        assert caught.value.field == f"item_{bad_items[0]}"
    else:
        score_answers(instrument, answers)  # does not raise
    names = [f"item_{i.number}" for i in instrument.items]
    frame = pl.DataFrame(
        [[None if a is None else float(a) for a in answers]],
        schema=dict.fromkeys(names, pl.Float64),
        orient="row",
    )
    exprs = score_expressions(instrument, names)
    flags = frame.with_columns(*exprs.shared).select(
        *(e.alias(str(j)) for j, e in enumerate(exprs.invalid))
    )
    assert [bool(v) for v in flags.row(0)] == arrays.invalid[0].tolist()


@given(st.integers(-60, 300), st.integers(1, 30), st.integers(1, 30))
def test_prorate_rounds_the_exact_mean_half_up(total: int, answered: int, extra: int) -> None:
    k = answered + extra
    exact = Fraction(total * k, answered)
    assert prorate(total, answered, k) == math.floor(exact + Fraction(1, 2))


@given(
    st.sampled_from(list(BUILTINS.values())),
    st.lists(st.one_of(st.floats(-5, 45), st.just(math.nan)), max_size=30),
)
def test_severity_of_and_band_index_agree(instrument: Instrument, totals: list[float]) -> None:
    indexes = band_index(instrument, np.array(totals, dtype=np.float64))
    for total, index in zip(totals, indexes.tolist(), strict=True):
        expected = None if index < 0 else instrument.bands[index].name
        assert severity_of(instrument, total) == expected


def _banded(cuts: list[int], top: int) -> dict[str, Any]:
    lows = [0, *cuts]
    highs = [c - 1 for c in cuts] + [top]
    return {
        "id": "banded",
        "name": "Banded",
        "description": "generated",
        "higher_is_better": False,
        "license": "test",
        "score_min": 0,
        "score_max": top,
        "bands": [
            {"name": f"band {i}", "low": lo, "high": hi}
            for i, (lo, hi) in enumerate(zip(lows, highs, strict=True))
        ],
    }


@st.composite
def band_cuts(draw: st.DrawFn) -> tuple[list[int], int]:
    top = draw(st.integers(2, 60))
    cuts = sorted(draw(st.sets(st.integers(1, top), min_size=1, max_size=6)))
    return cuts, top


@given(band_cuts(), st.data())
@settings(deadline=None)  # loading a definition can take over 200 ms on a shared machine
def test_bands_that_tile_the_range_load_and_any_shifted_edge_is_refused(
    case: tuple[list[int], int], data: st.DataObject
) -> None:
    cuts, top = case
    instrument = parse_definition(_banded(cuts, top), "banded.toml")
    assert len(instrument.bands) == len(cuts) + 1
    i = data.draw(st.integers(1, len(cuts)), label="band")
    shift = data.draw(st.sampled_from([-1, 1]), label="shift")
    broken = _banded(cuts, top)
    broken["bands"][i]["low"] += shift
    with pytest.raises(InvalidDefinition) as caught:
        parse_definition(broken, "banded.toml")
    assert caught.value.location.startswith(f"bands[{i}]")
