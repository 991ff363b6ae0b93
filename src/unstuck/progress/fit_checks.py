"""How a fitted expected course is judged: the share its band aims to hold, how far a
held-out share may stray from that aim, and how many clients a session needs to be seen.

The numbers live in ``course_defaults.toml`` (``[_fit]``, with their sources), read here
rather than by `unstuck.progress.config`, which needs `unstuck.progress.course` (whose
`fit_course` and `CourseModel.describe` use these numbers) and so cannot be imported by it.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources

from unstuck.errors import InvalidDefinition

COURSE_FILE = "course_defaults.toml"


@dataclass(frozen=True)
class FitChecks:
    band: float  # the share of on-course scores the band holds (0.8: the 10th to 90th point)
    coverage_margin: float  # a held-out share this far from `band` or further misses it
    min_clients_at_session: int  # a session is within the data's reach with this many
    source: str

    @property
    def band_edge(self) -> float:
        """The band's worse edge as a one-sided probability (0.9 for an 80% band)."""
        return 0.5 + self.band / 2

    def verdict(self, coverage: float) -> str:
        """What a held-out `coverage` says about the band, in words for the clinician."""
        aim = f"the {self.band:.0%} the band aims for"
        if coverage <= self.band - self.coverage_margin:
            return (
                f"That is below {aim}: the band is too narrow for this clinic's data, so "
                "'not on track' would flag clients who are on course. Collect more data and "
                "fit again, or keep the default course instead of this fit."
            )
        if coverage >= self.band + self.coverage_margin:
            return (
                f"That is above {aim}: the band is wider than this clinic's data need, so "
                "'not on track' would flag clients later than it could. A fit on more data "
                "may narrow it."
            )
        return f"That is close to {aim}: the band fits this clinic's data."


@cache
def fit_checks() -> FitChecks:
    text = (resources.files("unstuck.progress") / COURSE_FILE).read_text("utf-8")
    table = tomllib.loads(text).get("_fit")
    if table is None:
        raise InvalidDefinition(COURSE_FILE, "_fit", "missing table")
    checks = FitChecks(**table)
    if not (
        0 < checks.band < 1
        and 0 < checks.coverage_margin < min(checks.band, 1 - checks.band)
        and checks.min_clients_at_session >= 1
    ):
        raise InvalidDefinition(
            COURSE_FILE,
            "_fit",
            "need 0 < band < 1, coverage_margin above 0 and within the band's distance "
            "from 0 and 1, and min_clients_at_session of 1 or more",
        )
    return checks
