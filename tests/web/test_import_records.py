"""`unstuck import`: a caseload file's history stored in the web app, all or nothing.

The file is read by analyze's reader (`read_observations(..., answers=True)`) and stored by
`records.imports.import_records`, as the command does (the command itself, in a subprocess:
tests/web/test_import_command.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from unstuck.analysis import analyze_file, read_observations
from unstuck.errors import InvalidRows, UnstuckError
from unstuck.web.accounts.models import AuditAction, AuditEntry, Role, User
from unstuck.web.records import imports
from unstuck.web.records.imports import ImportResult, import_records, import_therapist
from unstuck.web.records.instruments import instruments
from unstuck.web.records.models import (
    Client,
    MeasureResponse,
    SafetyAlert,
    Session,
)

HEADER = "client_id,occasion,date,attendance,instrument," + ",".join(
    f"item_{j}" for j in range(1, 10)
)
START = dt.date(2025, 9, 1)
TODAY = dt.date(2026, 3, 1)
# PHQ-9 answers with item 9 (the safety question) last
FALLING = [[3, 3, 2, 2, 2, 2, 2, 1, 0], [2, 2, 2, 1, 1, 1, 1, 1, 0], [1, 1, 1, 1, 0, 0, 0, 0, 0]]
WORSE = [[1] * 8 + [0], [2] * 8 + [0], [2] * 8 + [0], [3, 3, 3, 3, 2, 2, 2, 2, 0]]
GAD7 = [2, 2, 1, 1, 1, 1, 1]


def phq9_rows(code: str, answers: Sequence[Sequence[int | None]], first: int = 0) -> list[str]:
    """One PHQ-9 row per session, weekly from START, numbered from `first`."""
    rows = []
    for i, given in enumerate(answers):
        date = START + dt.timedelta(days=7 * i)
        items = ",".join("" if a is None else str(a) for a in given)
        rows.append(f"{code},{first + i},{date},attended,phq9,{items}")
    return rows


def write(tmp_path: Path, rows: Sequence[str], name: str = "history.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def run(path: Path, therapist: User, *, dry_run: bool = False) -> ImportResult:
    """What `unstuck import PATH --therapist NAME` does once the database is open."""
    frame = read_observations(path, instruments(), answers=True).frame
    return import_records(
        frame=frame, therapist=therapist, source=str(path), today=TODAY, dry_run=dry_run
    )


def stored() -> tuple[int, int, int, int, int]:
    """How many clients, sessions, questionnaires, safety alerts and audit entries there are."""
    return (
        Client.objects.count(),
        Session.objects.count(),
        MeasureResponse.objects.count(),
        SafetyAlert.objects.count(),
        AuditEntry.objects.count(),
    )


NOTHING = (0, 0, 0, 0, 0)


@pytest.fixture
def history(tmp_path: Path) -> Path:
    """Two clients from occasion 0 (the intake): one improving, one worse, with a GAD-7 and a
    missed session told by attendance alone."""
    rows = phq9_rows("C-101", FALLING) + phq9_rows("C-102", WORSE)
    rows.append(f"C-102,0,{START},attended,gad7,{','.join(map(str, GAD7))},,")
    rows.append(f"C-102,4,{START + dt.timedelta(days=28)},no_show,,,,,,,,,,")
    return write(tmp_path, rows)


def test_it_stores_the_history_and_the_caseload_shows_it(
    client: HttpClient, personas, history: Path
) -> None:
    result = run(history, personas.therapist)
    assert (result.clients, result.sessions, result.questionnaires) == (2, 8, 8)
    assert result.first_number == 1 + 1  # occasion 0 became session 1
    improving = Client.objects.get(code="C-101")
    assert improving.therapist == personas.therapist
    episode = improving.episodes.get()
    assert (episode.started_on, episode.ended_on) == (START, None)
    sessions = list(episode.sessions.order_by("number"))
    assert [s.number for s in sessions] == [1, 2, 3]
    assert sessions[0].responses.get().answers == FALLING[0]
    assert sessions[0].responses.get().total == sum(FALLING[0])
    stuck = Client.objects.get(code="C-102")
    missed = stuck.episodes.get().sessions.get(number=5)
    assert (missed.attendance, missed.responses.count()) == ("no_show", 0)
    assert stuck.sessions_count == 5
    # Each status is the one analyze gives the same file (the steps between sessions are kept).
    analysis = analyze_file(history, instruments()).summary.clients
    expected = dict(analysis.select("client_id", "status").iter_rows())
    assert {c.code: c.status for c in Client.objects.all()} == expected
    assert expected["C-101"] != expected["C-102"]
    client.force_login(personas.therapist)
    page = client.get(reverse("caseload")).content.decode()
    assert "C-101" in page
    assert "C-102" in page


def test_a_bad_row_is_refused_with_analyze_s_message_and_nothing_is_written(
    personas, tmp_path: Path
) -> None:
    rows = phq9_rows("C-201", FALLING) + phq9_rows("C-202", [[1, 7, 1, 1, 1, 1, 1, 1, 0]])
    with pytest.raises(InvalidRows) as refused:
        run(write(tmp_path, rows), personas.therapist)
    assert "row 5, column 'item_2', value '7': must be one of 0, 1, 2, 3" in str(refused.value)
    assert stored() == NOTHING


def test_a_row_the_web_app_cannot_keep_refuses_the_whole_file(personas, tmp_path: Path) -> None:
    """The good client before the totals-only row is not stored either."""
    rows = [*phq9_rows("C-301", FALLING), f"C-302,1,{START},attended,phq9,,,,,,,,,"]
    path = tmp_path / "totals.csv"
    path.write_text(
        HEADER + ",score\n" + "\n".join(r + "," for r in rows[:-1]) + f"\n{rows[-1]},14\n",
        encoding="utf-8",
    )
    with pytest.raises(InvalidRows) as refused:
        run(path, personas.therapist)
    message = str(refused.value)
    assert "row 5, column 'score', value '14': PHQ-9 is given as a total only" in message
    assert "unstuck analyze still reads totals" in message
    assert stored() == NOTHING


def test_an_error_part_way_writes_nothing(personas, history: Path, monkeypatch) -> None:
    """One transaction: a failure at the second client's status undoes the first client."""
    from unstuck.web.records import snapshots

    real = snapshots._store
    calls = []

    def failing(client: Client, *args: object) -> None:
        calls.append(client.code)
        if len(calls) == 2:
            raise RuntimeError("the disk is full")
        real(client, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(snapshots, "_store", failing)
    with pytest.raises(RuntimeError):
        run(history, personas.therapist)
    assert stored() == NOTHING


def test_a_second_run_is_refused_and_nothing_doubles(personas, history: Path) -> None:
    run(history, personas.therapist)
    before = stored()
    with pytest.raises(UnstuckError, match=r"every client of the file .2. is already in this"):
        run(history, personas.therapist)
    assert stored() == before


def test_a_code_already_in_the_clinic_is_named_and_nothing_is_written(
    personas, make_client, tmp_path: Path
) -> None:
    make_client("c-401", [[1] * 9])  # the same code but for capital letters
    before = stored()
    rows = phq9_rows("C-400", FALLING) + phq9_rows("C-401", FALLING)
    with pytest.raises(InvalidRows) as refused:
        run(write(tmp_path, rows), personas.therapist)
    assert "row 5, column 'client_id', value 'C-401': a client with the code 'c-401'" in str(
        refused.value
    )
    assert stored() == before


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("C\t1", "control character"),
        ("C-" + "9" * 39, "41 characters long; at most 40 fit"),
        ("Maria Lopez", "looks like a name"),
    ],
)
def test_client_codes_follow_the_web_s_client_form(
    personas, tmp_path: Path, code: str, reason: str
) -> None:
    with pytest.raises(InvalidRows, match=reason):
        run(write(tmp_path, phq9_rows(code, FALLING)), personas.therapist)
    assert stored() == NOTHING


def test_codes_that_differ_only_in_capitals_are_refused(personas, tmp_path: Path) -> None:
    rows = phq9_rows("C-a", FALLING) + phq9_rows("C-A", FALLING)
    with pytest.raises(InvalidRows, match=r"differs from client 'C-a' .row 2. only in capital"):
        run(write(tmp_path, rows), personas.therapist)


def test_dates_after_today_and_marker_counts_are_refused(personas, tmp_path: Path) -> None:
    late = TODAY + dt.timedelta(days=1)
    rows = [f"C-501,1,{late},attended,phq9,{','.join(['1'] * 9)}"]
    with pytest.raises(InvalidRows, match=r"is after today .2026-03-01."):
        run(write(tmp_path, rows), personas.therapist)
    path = tmp_path / "markers.csv"
    path.write_text(f"{HEADER},markers\n{phq9_rows('C-502', FALLING)[0]},2\n", encoding="utf-8")
    with pytest.raises(InvalidRows, match="not how many"):
        run(path, personas.therapist)
    assert stored() == NOTHING


def test_only_an_active_therapist_of_the_clinic_gets_the_clients(personas) -> None:
    assert import_therapist("alex") == personas.therapist
    with pytest.raises(UnstuckError, match="'nobody': there is no such account; the clinic's "):
        import_therapist("nobody")
    with pytest.raises(UnstuckError, match="'jordan' is a supervisor, not a therapist"):
        import_therapist("jordan")
    User.objects.filter(username="sam").update(is_active=False)
    with pytest.raises(UnstuckError, match="'sam': the account is deactivated"):
        import_therapist("sam")
    assert User.objects.get(username="alex").role == Role.THERAPIST


def test_a_safety_answer_in_the_history_opens_its_alert(
    client: HttpClient, personas, tmp_path: Path
) -> None:
    """As a saved session does: the client heads the caseload until a check is recorded,
    though later answers put the item at 0."""
    risky = [[2, 2, 2, 2, 2, 2, 2, 2, 0], [2, 2, 2, 2, 2, 2, 2, 2, 2], [1, 1, 1, 1, 1, 1, 1, 1, 0]]
    rows = phq9_rows("C-601", FALLING, first=1) + phq9_rows("C-602", risky, first=1)
    result = run(write(tmp_path, rows), personas.therapist)
    assert result.safety_codes == ("C-602",)
    assert result.first_number == 1  # numbered from 1 already: kept
    alert = SafetyAlert.objects.get()
    assert alert.is_open
    assert (alert.session_number, alert.item, alert.answer) == (2, 9, 2)
    flagged = Client.objects.get(code="C-602")
    assert (flagged.status_rank, flagged.flags[0]) == (0, "safety")
    client.force_login(personas.therapist)
    page = client.get(reverse("caseload")).content.decode()
    assert page.index("C-602") < page.index("C-601")


def test_a_dry_run_says_what_would_be_stored_and_writes_nothing(personas, history: Path) -> None:
    planned = run(history, personas.therapist, dry_run=True)
    assert stored() == NOTHING
    assert run(history, personas.therapist) == planned


def test_the_import_writes_its_audit_rows_and_never_an_answer(personas, tmp_path: Path) -> None:
    risky = [[0, 0, 0, 0, 0, 0, 0, 0, 3]]
    rows = phq9_rows("C-701", FALLING) + phq9_rows("C-702", risky)
    run(write(tmp_path, rows, name="clinic-history.csv"), personas.therapist)
    entries = list(AuditEntry.objects.order_by("id"))
    assert {e.username for e in entries} == {imports.IMPORT_ACTOR}
    whole = entries[-1]
    assert whole.action == AuditAction.IMPORT_RECORDS
    assert whole.detail == (
        "2 clients, 4 sessions, 4 questionnaires from clinic-history.csv for alex; "
        "1 client with a safety alert open"
    )
    per_client = [e for e in entries if e.action == AuditAction.IMPORT_CLIENT]
    assert [(e.client_code, e.detail) for e in per_client] == [
        ("C-701", "3 sessions, 3 questionnaires from clinic-history.csv, for alex"),
        ("C-702", "1 session, 1 questionnaire from clinic-history.csv, for alex"),
    ]
    raised = [e for e in entries if e.action == AuditAction.SAFETY_ALERT_RAISED]
    assert [e.client_code for e in raised] == ["C-702"]
    assert all("3" not in e.detail.split("item 9")[-1] for e in raised)  # not the answer
