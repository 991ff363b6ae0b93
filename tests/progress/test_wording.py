"""Numbers in sentences are written the same way by both paths (Python and polars)."""

from __future__ import annotations

from decimal import Decimal

import polars as pl
from hypothesis import given
from hypothesis import strategies as st

from unstuck.progress import wording as w

# Scores, prorated scores, means and model values: whole numbers, binary-fraction ties
# (35.15, 2.675), tiny values either side of 0, and large ones.
VALUES = st.one_of(
    st.integers(-1000, 1000).map(float),
    st.integers(-100_000, 100_000).map(lambda i: i / 1000),
    st.integers(-2000, 2000).map(lambda i: i / 200),
    st.floats(-1e6, 1e6, allow_nan=False),
    st.sampled_from([0.0, -0.0, 0.004, -0.004, 0.005, -0.005, 35.15, 2.675, 1e-9]),
)


@given(st.lists(VALUES, min_size=1, max_size=40), st.sampled_from([0, 1, 2]))
def test_number_and_number_expr_write_the_same_digits(values: list[float], places: int) -> None:
    frame = pl.DataFrame({"x": values}, schema={"x": pl.Float64})
    written = frame.select(
        a=w.number_expr(pl.col("x"), places), s=w.signed_expr(pl.col("x"))
    ).to_dict(as_series=False)
    assert written["a"] == [w.number(v, places) for v in values]
    assert written["s"] == [w.signed(v) for v in values]


def test_numbers_are_written_as_people_write_them() -> None:
    cases = [(12.0, "12"), (12.346, "12.35"), (-0.5, "-0.5"), (0.0, "0"), (7.1, "7.1")]
    frame = pl.DataFrame({"x": [v for v, _ in cases]})
    assert frame.select(w.number_expr(pl.col("x"))).to_series().to_list() == [
        text for _, text in cases
    ]
    assert [w.signed(v) for v in (3.0, -3.0, 0.0)] == ["+3", "-3", "0"]


@given(
    st.lists(st.one_of(VALUES, st.none()), min_size=1, max_size=40),
    st.booleans(),
)
def test_number_texts_write_the_same_digits_whole_or_not(
    values: list[float | None], whole: bool
) -> None:
    # Whole numbers take a cheaper path; both paths must write what `number` writes.
    if whole:
        values = [None if v is None else float(round(v)) for v in values]
    series = pl.Series(values, dtype=pl.Float64)
    assert w.number_texts(series).to_list() == [None if v is None else w.number(v) for v in values]
    assert w.number_texts(series, plus=True).to_list() == [
        None if v is None else w.signed(v) for v in values
    ]


@given(st.floats(allow_nan=False, allow_infinity=False), st.sampled_from([0, 1, 2]))
def test_number_writes_any_finite_float_without_raising(value: float, places: int) -> None:
    """Scores are bounded (`unstuck.measures.limits`), but `number` never raises on a finite
    float: 1e307 times 100 is infinity, which `round` cannot make a whole number."""
    written = w.number(value, places)
    assert "inf" not in written
    # The value, to its decimals or (when too large for them) to 15 significant digits; a
    # float just under a half (0.95 is 0.9499999...) may round up, as a person writes it.
    off = abs(Decimal(written) - Decimal(value))
    half = Decimal("0.5") / 10**places
    assert off <= max(Decimal(abs(value)) * Decimal("1e-14"), half) + Decimal("1e-15")


def test_a_number_too_large_for_its_decimals_is_written_short() -> None:
    # Not 10000000000000000448857126780759167855493.12: digits the float does not hold.
    assert [w.number(v) for v in (1e40, -1e307, 1.7976931348623157e308)] == [
        "1e+40",
        "-1e+307",
        "1.79769313486232e+308",
    ]
    assert w.signed(1e40) == "+1e+40"
    # Below the switch, exact as before: the largest score (a million) and more.
    assert [w.number(v) for v in (1e6, 123456789.125, 9e13 - 0.25)] == [
        "1000000",
        "123456789.12",
        "89999999999999.75",
    ]
