"""The file shell: read a long CSV of measures, summarise every client, render a report."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from unstuck.analysis.csvinput import check_observations, read_observations
from unstuck.analysis.leftout import NO_CLIENTS, ClientsLeftOut, LeftOut
from unstuck.errors import Problem
from unstuck.measures import InstrumentSet
from unstuck.progress.batch import CaseloadSummary, summarise_caseload
from unstuck.progress.config import Thresholds
from unstuck.progress.course import CourseModel


@dataclass(frozen=True)
class Analysis:
    """The summary, and what `--skip-invalid` left out (the rows themselves are not kept:
    a million of them would hold memory the report could use)."""

    summary: CaseloadSummary
    skipped: tuple[Problem, ...]  # the first problems of the rows left out
    skipped_problems: int
    skipped_rows: int
    ignored_columns: tuple[str, ...] = ()  # columns of the file Unstuck does not read
    clients_left_out: ClientsLeftOut = NO_CLIENTS  # every row of theirs left out

    @property
    def left_out(self) -> LeftOut:
        """What was left out, as the report records it (`unstuck.analysis.leftout`)."""
        return LeftOut(
            self.skipped, self.skipped_problems, self.skipped_rows, self.clients_left_out
        )


def analyze_file(
    source: str | Path | IO[bytes],
    instruments: InstrumentSet,
    *,
    skip_invalid: bool = False,
    models: Mapping[str, CourseModel] | None = None,
    thresholds: Thresholds | None = None,
) -> Analysis:
    observations = read_observations(source, instruments, skip_invalid=skip_invalid)
    summary = summarise_caseload(
        observations.frame,
        instruments,
        models=models,
        thresholds=thresholds,
        codes=observations.client_codes,
    )
    return Analysis(
        summary,
        observations.skipped,
        observations.skipped_problems,
        observations.skipped_rows,
        observations.ignored,
        observations.clients_left_out,
    )


__all__ = ["Analysis", "analyze_file", "check_observations", "read_observations"]
