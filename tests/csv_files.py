"""A small caseload file a test writes, and `unstuck analyze` run on it, for the tests of how
files are read (tests/analysis, tests/progress)."""

from __future__ import annotations

from pathlib import Path

import pytest

from unstuck.cli import main


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "input.csv"
    path.write_text(text, encoding="utf-8")
    return path


def analyze(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, *flags: str
) -> tuple[int, str, str]:
    """`unstuck analyze` on `text` written to a file: exit status, standard output, error."""
    code = main(["analyze", str(write(tmp_path, text)), *flags])
    out, err = capsys.readouterr()
    return code, out, err
