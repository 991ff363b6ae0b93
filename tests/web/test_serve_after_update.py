"""`unstuck serve` remakes statuses made by other rules before it starts, and its workers
still work afterwards.

The update runs polars, whose thread pool does not survive a fork: run in gunicorn's master,
it left every worker waiting forever on its first status update (found after a rule change,
when a save and a consultation summary never answered).
"""

from __future__ import annotations

from pathlib import Path

from live import Browser, live_server


def test_the_workers_answer_after_the_server_updated_the_statuses(tmp_path: Path) -> None:
    with live_server(tmp_path, therapists=1, workers=1, stale=True) as live:
        username, client_id = live.therapists[0]
        person = Browser(live.url)
        person.login(username)
        # the consultation summary works out the client's summary (polars) in the worker
        _, body = person.follow(f"/clients/{client_id}/consultation/")
        assert "Consultation summary" in body
