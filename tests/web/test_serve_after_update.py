"""`unstuck serve` remakes statuses made by other rules before it starts, and its workers
still work afterwards.

The update runs polars, whose thread pool does not survive a fork: run in gunicorn's master,
it left every worker waiting forever on its first status update (found after a rule change,
when a save and a consultation summary never answered).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from unittest.mock import Mock

import pytest

from live import Browser, live_server
from unstuck.web import serving


def test_the_workers_answer_after_the_server_updated_the_statuses(tmp_path: Path) -> None:
    with live_server(tmp_path, therapists=1, workers=1, stale=True) as live:
        username, client_id = live.therapists[0]
        person = Browser(live.url)
        person.login(username)
        # the consultation summary works out the client's summary (polars) in the worker
        _, body = person.follow(f"/clients/{client_id}/consultation/")
        assert "Consultation summary" in body


@pytest.mark.parametrize(
    ("site", "threads", "said"),
    [
        (None, 1, ["on http://127.0.0.1:8124/ (3 processes of 1 thread each; Ctrl-C stops it)"]),
        (
            "https://unstuck.clinic.example",
            4,
            [
                "on http://127.0.0.1:8124/ (3 processes of 4 threads each; Ctrl-C stops it)",
                "People open it at https://unstuck.clinic.example/ (UNSTUCK_SITE_URL)",
            ],
        ),
        ("http://127.0.0.1:8124/", 1, ["on http://127.0.0.1:8124/ (3 processes of 1 thread each"]),
    ],
)
def test_the_start_message_says_where_it_listens_and_where_people_open_it(
    monkeypatch: pytest.MonkeyPatch,
    settings: Any,
    capsys: pytest.CaptureFixture[str],
    site: str | None,
    threads: int,
    said: list[str],
) -> None:
    """It said "3 processes x 1 threads" and only http://127.0.0.1:PORT/, also behind a
    reverse proxy whose https address (UNSTUCK_SITE_URL) is the one people use."""
    if site is not None:
        monkeypatch.setenv("UNSTUCK_SITE_URL", site)
        settings.SITE_URL = site
    else:
        monkeypatch.delenv("UNSTUCK_SITE_URL", raising=False)
    options: dict[str, Any] = {}
    monkeypatch.setattr(serving, "_Unstuck", lambda given: options.update(given) or Mock())
    serving.serve_gunicorn("127.0.0.1", 8124, workers=3, threads=threads)
    options["when_ready"](None)  # what gunicorn calls once it listens
    lines = [
        line.removeprefix("Unstuck is running ") for line in capsys.readouterr().out.splitlines()
    ]
    assert len(lines) == len(said)
    for line, words in zip(lines, said, strict=True):
        assert line.startswith(words), line
