"""Shared fixtures for the change-statistics tests: the peer folder and instrument factories."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from unstuck.measures.model import ChangeSpec, Instrument

REPO_ROOT = Path(__file__).resolve().parents[2]


def peer_candidates() -> list[Path]:
    """Where the peer results may live: $UNSTUCK_PEER_DIR alone when it is set (a wrong
    setting must not be hidden by a fallback), else beside the repository, else /work."""
    if os.environ.get("UNSTUCK_PEER_DIR"):
        return [Path(os.environ["UNSTUCK_PEER_DIR"])]
    return [
        REPO_ROOT.parent / "shared" / "peer" / "clinicalsignificance",
        Path("/work/shared/peer/clinicalsignificance"),
    ]


@pytest.fixture(scope="session")
def peer_dir() -> Path:
    """The folder with the clinicalsignificance peer outputs, read in place (never copied).

    Missing peer results are a failure, not a skip: without them the reference tests would
    pass silently while checking nothing.
    """
    candidates = peer_candidates()
    for candidate in candidates:
        if (candidate / "README.md").is_file():
            return candidate
    pytest.fail(
        "Peer results of the R package clinicalsignificance were not found. Set "
        "UNSTUCK_PEER_DIR to the folder holding README.md and the peer_*.csv files. Looked in: "
        + ", ".join(str(c) for c in candidates)
    )


MakeInstrument = Callable[..., Instrument]


@pytest.fixture
def make_instrument() -> MakeInstrument:
    """Build a score-only `Instrument` directly from the model (no loader, no definitions)."""

    def make(
        change: ChangeSpec,
        *,
        higher_is_better: bool = False,
        instrument_id: str = "test",
        score_min: float | None = 0,
        score_max: float | None = None,
    ) -> Instrument:
        return Instrument(
            id=instrument_id,
            name=instrument_id.upper(),
            description="built in a test",
            higher_is_better=higher_is_better,
            items=(),
            score_min=score_min,
            score_max=score_max,
            change=change,
        )

    return make
