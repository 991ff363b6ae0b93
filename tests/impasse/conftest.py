"""The five seed texts, read in place from ``shared/seeds`` (never copied into the repository)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from unstuck.impasse.model import SEED_FILES

REPO_ROOT = Path(__file__).resolve().parents[2]


def seeds_candidates() -> list[Path]:
    """$UNSTUCK_SEEDS_DIR alone when it is set (a wrong setting must not be hidden by a
    fallback), else beside the repository, else /work/shared/seeds."""
    if os.environ.get("UNSTUCK_SEEDS_DIR"):
        return [Path(os.environ["UNSTUCK_SEEDS_DIR"])]
    return [REPO_ROOT.parent / "shared" / "seeds", Path("/work/shared/seeds")]


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    """The folder holding every seed file. Missing seeds are a failure, not a skip: the tests
    that read them would otherwise check nothing."""
    candidates = seeds_candidates()
    for candidate in candidates:
        if all((candidate / name).is_file() for name in SEED_FILES):
            return candidate
    pytest.fail(
        "The seed texts were not found. Set UNSTUCK_SEEDS_DIR to the folder holding "
        + ", ".join(SEED_FILES)
        + ". Looked in: "
        + ", ".join(str(c) for c in candidates)
    )
