"""Saves that survive contention, over real HTTP against `unstuck serve` (several processes).

On the default SQLite (a real file in WAL mode) and on PostgreSQL (when DATABASE_URL names
one): sixteen therapists saving at the same instant all succeed; ten saves to one client at the
same instant are serialised (numbers 1..10, never a clash or a 500); ten submissions of one
form at the same instant store it once.
"""

from __future__ import annotations

import datetime as dt
import stat
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest

from live import Browser, LiveServer, live_server
from unstuck.impasse import default_knowledge

T = TypeVar("T")
SESSION = {"date": "2026-02-20", "attendance": "attended", "completed_by": "client"}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    # Threads as well as processes: saves at once meet inside one process too.
    with live_server(tmp_path_factory.mktemp("live"), therapists=16, threads=4) as live:
        yield live


def at_once(jobs: list[Callable[[], T]]) -> list[T]:
    """Run every job in its own thread, released together by a barrier."""
    barrier = threading.Barrier(len(jobs))
    results: list[T | BaseException] = [RuntimeError("not run")] * len(jobs)

    def run(i: int) -> None:
        barrier.wait()
        try:
            results[i] = jobs[i]()
        except BaseException as exc:  # reported below with the others
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(jobs))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    failures = [r for r in results if isinstance(r, BaseException)]
    assert not failures, failures
    return results  # type: ignore[return-value]


def session_data(note: str) -> dict[str, str]:
    """A session's form; each save here has its own note, since the same form sent again with
    the same content soon after is a repeat, stored once (`idempotency.once`)."""
    return SESSION | {"note": note}


def session_path(client_id: int) -> str:
    return f"/clients/{client_id}/sessions/new/"


def test_it_keeps_the_data_private_to_the_service_user(server: LiveServer) -> None:
    if server.postgres is not None:
        pytest.skip("the SQLite file's permissions")
    assert stat.S_IMODE(server.data_dir.stat().st_mode) == 0o700
    for name in ("unstuck.sqlite3", "unstuck.sqlite3-wal", "unstuck.sqlite3-shm"):
        path = Path(server.data_dir / name)
        if path.exists():
            assert stat.S_IMODE(path.stat().st_mode) == 0o600, name
    assert server.query("PRAGMA journal_mode")[0][0] == "wal"


def test_sixteen_therapists_saving_at_once_all_succeed(server: LiveServer) -> None:
    people = []
    for username, client_id in server.therapists:
        browser = Browser(server.url)
        browser.login(username)
        people.append((browser, client_id))
    rounds = 4
    outcomes = []
    for round in range(rounds):
        # Every other round posts without a form token (a script, a page from before tokens):
        # then the save reads before it writes, the case SQLite's default DEFERRED
        # transactions turned into "database is locked".
        forms = [(b, c, b.form_token(session_path(c)) if round % 2 else "") for b, c in people]
        outcomes += at_once(
            [
                lambda b=b, c=c, t=t, r=round: b.request(
                    session_path(c),
                    session_data(f"round {r}") | ({"submit_token": t} if t else {}),
                )
                for b, c, t in forms
            ]
        )
    statuses = [status for status, _, _ in outcomes]
    assert statuses == [302] * (rounds * len(people)), [o[2][:300] for o in outcomes]
    for _, client_id in server.therapists:
        assert server.session_numbers(client_id) == list(range(1, rounds + 1))


def test_ten_saves_to_one_client_at_once_are_serialised(server: LiveServer) -> None:
    username, client_id = server.therapists[0]
    before = len(server.session_numbers(client_id))
    browsers = [Browser(server.url) for _ in range(10)]
    for b in browsers:
        b.login(username)
    tokens = [b.form_token(session_path(client_id)) for b in browsers]
    outcomes = at_once(
        [
            lambda b=b, t=t, i=i: b.request(
                session_path(client_id), session_data(f"save {i}") | {"submit_token": t}
            )
            for i, (b, t) in enumerate(zip(browsers, tokens, strict=True))
        ]
    )
    assert [status for status, _, _ in outcomes] == [302] * 10
    assert server.session_numbers(client_id) == list(range(1, before + 11))


def test_ten_submissions_of_one_form_at_once_store_it_once(server: LiveServer) -> None:
    username, client_id = server.therapists[1]
    before = server.session_numbers(client_id)
    browser = Browser(server.url)
    browser.login(username)
    token = browser.form_token(session_path(client_id))
    once = session_data("sent ten times")
    outcomes = at_once(
        [
            lambda: browser.request(session_path(client_id), once | {"submit_token": token})
            for _ in range(10)
        ]
    )
    assert [status for status, _, _ in outcomes] == [302] * 10
    assert {location for _, location, _ in outcomes} == {f"/clients/{client_id}/"}
    assert server.session_numbers(client_id) == [*before, len(before) + 1]


def test_ten_goals_at_once_get_distinct_places(server: LiveServer) -> None:
    username, client_id = server.therapists[2]
    browsers = [Browser(server.url) for _ in range(10)]
    for b in browsers:
        b.login(username)
    path = f"/clients/{client_id}/goals/"
    tokens = [b.form_token(path) for b in browsers]
    outcomes = at_once(
        [
            lambda b=b, t=t, i=i: b.request(path, {"new-text": f"Goal {i}", "submit_token": t})
            for i, (b, t) in enumerate(zip(browsers, tokens, strict=True))
        ]
    )
    assert [status for status, _, _ in outcomes] == [302] * 10
    positions = server.query(
        "SELECT position FROM reviews_goal WHERE client_id = %s ORDER BY position", client_id
    )
    assert [p for (p,) in positions] == list(range(10))


def test_a_session_in_the_future_is_still_refused_under_load(server: LiveServer) -> None:
    username, client_id = server.therapists[3]
    browser = Browser(server.url)
    browser.login(username)
    future = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    token = browser.form_token(session_path(client_id))
    status, _, page = browser.request(
        session_path(client_id), SESSION | {"date": future, "submit_token": token}
    )
    assert status == 200
    assert "The session date is in the future." in page


REASONS = {f"rating__{r}": "0" for r in default_knowledge().reasons}
REASONS["rating__goals_misfit"] = "3"  # so the review ranks strategies for a plan
TODAY = dt.date.today().isoformat()


def _goal(server: LiveServer, b: Browser, client_id: int) -> int:
    b.request(f"/clients/{client_id}/goals/", {"new-text": "Sleep through the night"})
    return int(
        server.query("SELECT max(id) FROM reviews_goal WHERE client_id = %s", client_id)[0][0]
    )


def _review(b: Browser, client_id: int) -> int:
    status, location, _ = b.request(f"/clients/{client_id}/review/", REASONS)
    assert status == 302
    return int(location.rstrip("/").rsplit("/", 1)[1])


def _strategy(server: LiveServer, b: Browser, client_id: int) -> int:
    review = _review(b, client_id)
    b.request(f"/reviews/{review}/", {"strategies": ["revisit_goals"], "review_on": TODAY})
    held = SESSION | {"date": TODAY, "submit_token": b.form_token(session_path(client_id))}
    b.request(session_path(client_id), held)  # a result follows a session with the plan
    rows = server.query(
        "SELECT ps.id FROM reviews_planstrategy ps JOIN reviews_plan p ON ps.plan_id = p.id "
        "WHERE p.client_id = %s",
        client_id,
    )
    return int(rows[0][0])


def create_form(
    name: str, server: LiveServer, b: Browser, client_id: int
) -> tuple[str, dict[str, Any], str, object]:
    """The form's page, what is typed into it, and SQL counting what it creates."""
    c = client_id
    if name == "client":
        return (
            "/clients/new/",
            {"code": f"SYN-N{c}", "started_on": TODAY},
            ("SELECT count(*) FROM records_client WHERE code = %s"),
            f"SYN-N{c}",
        )  # type: ignore[return-value]
    if name == "session":
        return (
            session_path(c),
            session_data("one form sent six times"),
            (
                "SELECT count(*) FROM records_session s JOIN records_episode e "
                "ON s.episode_id = e.id WHERE e.client_id = %s"
            ),
            c,
        )
    if name == "goal":
        return (
            f"/clients/{c}/goals/",
            {"new-text": "Go back to work"},
            ("SELECT count(*) FROM reviews_goal WHERE client_id = %s"),
            c,
        )
    if name == "goal rating":
        goal = _goal(server, b, c)
        return (
            f"/goals/{goal}/rate/",
            {"attainment": "1", "rated_on": TODAY},
            ("SELECT count(*) FROM reviews_goalrating WHERE goal_id = %s"),
            goal,
        )
    if name == "goal revision":
        goal = _goal(server, b, c)
        return (
            f"/goals/{goal}/revise/",
            {"text": "Sleep six hours", "change": "more_solvable"},
            ("SELECT count(*) FROM reviews_goalrevision WHERE goal_id = %s"),
            goal,
        )
    if name == "review":
        return (
            f"/clients/{c}/review/",
            REASONS,
            ("SELECT count(*) FROM reviews_review WHERE client_id = %s"),
            c,
        )
    if name == "plan":
        review = _review(b, c)
        return (
            f"/reviews/{review}/",
            {"strategies": ["revisit_goals"], "review_on": TODAY},
            ("SELECT count(*) FROM reviews_plan WHERE client_id = %s"),
            c,
        )
    if name == "strategy result":
        strategy = _strategy(server, b, c)
        return (
            f"/plan-strategies/{strategy}/result/",
            {"result": "helped"},
            ("SELECT count(*) FROM reviews_strategyresult WHERE strategy_id = %s"),
            strategy,
        )
    if name == "reflection":
        return (
            "/reflections/",
            {"frustration": "2", "client": str(c)},
            ("SELECT count(*) FROM reviews_reflection WHERE client_id = %s"),
            c,
        )
    assert name == "closing letter"
    return (
        f"/clients/{c}/close/",
        {"kind": "termination", "ended_on": TODAY},
        ("SELECT count(*) FROM reviews_closureletter WHERE client_id = %s"),
        c,
    )


FORM_NAMES = [
    "client",
    "session",
    "goal",
    "goal rating",
    "goal revision",
    "review",
    "plan",
    "strategy result",
    "reflection",
    "closing letter",
]


@pytest.mark.parametrize("index", range(len(FORM_NAMES)), ids=FORM_NAMES)
def test_six_submissions_of_one_create_form_at_once_store_it_once(
    server: LiveServer, index: int
) -> None:
    username, client_id = server.therapists[4 + index]
    browser = Browser(server.url)
    browser.login(username)
    path, data, count_sql, key = create_form(FORM_NAMES[index], server, browser, client_id)
    # The page each form is on: a goal's forms are on the goals page, a strategy's on the
    # client page.
    page = {
        "goal rating": f"/clients/{client_id}/goals/",
        "goal revision": f"/clients/{client_id}/goals/",
        "strategy result": f"/clients/{client_id}/",
    }.get(FORM_NAMES[index], path)
    token = browser.form_token(page)
    before = server.query(count_sql, key)[0][0]
    outcomes = at_once(
        [lambda: browser.request(path, data | {"submit_token": token}) for _ in range(6)]
    )
    assert [status for status, _, _ in outcomes] == [302] * 6, [o[2][:300] for o in outcomes]
    assert server.query(count_sql, key)[0][0] == before + 1


def test_wrong_kiosk_codes_are_counted_across_the_server_processes(server: LiveServer) -> None:
    """The client pages' guessing limit holds for the whole server: wrong codes sent at once
    land on several processes, and the next one from that address is still refused. Counted
    in each process's own memory (as before), each process saw too few to lock."""
    from django.conf import settings

    limit = settings.PORTAL_FAILURE_LIMIT
    browsers = [Browser(server.url) for _ in range(limit)]
    for b in browsers:
        assert b.request("/kiosk/")[0] == 200  # the form and its CSRF cookie
    wrong = {"code": "WRONG-CODE"}
    answers = at_once([lambda b=b: b.request("/kiosk/", wrong)[0] for b in browsers])
    assert set(answers) == {303}, answers  # each back to the page, which says why
    shown = [b.request("/kiosk/")[0] for b in browsers]
    assert sorted(set(shown)) in ([400], [400, 429]), shown
    late = Browser(server.url)
    late.request("/kiosk/")
    assert late.request("/kiosk/", wrong)[0] == 303
    assert late.request("/kiosk/")[0] == 429
