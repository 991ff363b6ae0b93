"""The team page's SVG charts: a step curve and bars, each with words for who cannot see it."""

from __future__ import annotations

import re

from unstuck.analysis.clinic_time import Period
from unstuck.analysis.retention import Stay, kaplan_meier
from unstuck.web.reviews.team_charts import SHOWN, periods_chart, retention_chart


def test_the_retention_chart_is_a_step_curve_with_a_text_alternative() -> None:
    steps = kaplan_meier([Stay(2, True), Stay(3, False), Stay(3, True), Stay(4, False)])
    svg = retention_chart(steps)
    assert 'role="img"' in svg
    assert 'aria-label="Clients still attending, by number of sessions: Of 4 episodes, 2' in svg
    path = re.search(r'class="km"[^>]* d="([^"]+)"', svg)
    assert path is not None
    # starts at 100%, runs flat to session 2, drops; flat to 3, drops; flat to 4 (no drop)
    assert re.fullmatch(r"M[\d.]+,[\d.]+ H[\d.]+ V[\d.]+ H[\d.]+ V[\d.]+ H[\d.]+", path.group(1))
    assert svg.count("ended otherwise after") == 2  # censoring ticks at 3 and 4
    assert "style=" not in svg  # the CSP allows no inline style
    assert 'text-anchor="middle">share still attending</text>' in svg  # the y axis says what


def test_the_period_chart_has_a_legend_in_words_and_whole_number_ticks() -> None:
    periods = [Period(f"2026 Q{i}", 3, 2, 1, 1, 1, 0, 1, 1) for i in range(1, 5)]
    svg = periods_chart(periods * 3)
    for word in ("seen", "reliably improved", "ended early"):
        assert f">{word}</text>" in svg
    assert svg.count("<rect") == 3 * SHOWN + 3  # three bars per shown period, three swatches
    ticks = re.findall(r'text-anchor="end">([^<]+)</text>', svg)
    assert ticks == ["0", "1", "2", "3", "4"]
    assert "2026 Q1: 3 seen, 1 reliably improved, 1 ended early" in svg
    assert "No sessions yet." in periods_chart([])
    assert 'text-anchor="middle">clients</text>' in svg  # the y axis counts clients
