"""`unstuck import --outcomes FILE`: a clinic's past clients come in with their episodes ended.

Without it, every client of a history, however long ago they stopped, would sit on the
caseload as an open episode, and the caseload would flag them for not coming.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from test_import_records import (
    FALLING,
    NOTHING,
    START,
    TODAY,
    WORSE,
    phq9_rows,
    stored,
    write,
)

from unstuck.analysis import read_observations
from unstuck.analysis.outcomes import outcome_rows
from unstuck.errors import InvalidRows
from unstuck.web.accounts.models import AuditAction, AuditEntry
from unstuck.web.records import imports, snapshots
from unstuck.web.records.imports import ImportResult, import_records
from unstuck.web.records.instruments import instruments
from unstuck.web.records.models import Client, EndReason, Episode, Status

RISKY = [[2] * 8 + [0], [2] * 8 + [2]]  # a safety answer at the last session


def run_with(
    history: Path,
    outcomes: str,
    therapist,
    tmp_path: Path,
    *,
    dry_run: bool = False,
    followed_up_before: dt.date | None = None,
) -> ImportResult:
    """What `unstuck import HISTORY --therapist NAME --outcomes endings.csv` does."""
    endings = tmp_path / "endings.csv"
    endings.write_text(outcomes, encoding="utf-8")
    frame = read_observations(history, instruments(), answers=True).frame
    return import_records(
        frame=frame,
        therapist=therapist,
        source=str(history),
        today=TODAY,
        outcomes=outcome_rows(endings),
        outcomes_source=str(endings),
        followed_up_before=followed_up_before,
        dry_run=dry_run,
    )


@pytest.fixture
def history(tmp_path: Path) -> Path:
    """Five clients from session 1: C-1 and C-2 improving, C-3 worse whose last booked
    session was missed, C-4 with an open safety answer, C-5 not listed."""
    rows = [
        *phq9_rows("C-1", FALLING, first=1),
        *phq9_rows("C-2", FALLING, first=1),
        *phq9_rows("C-3", WORSE, first=1),
        f"C-3,5,{START + dt.timedelta(days=35)},no_show,,,,,,,,,,",
        *phq9_rows("C-4", RISKY, first=1),
        *phq9_rows("C-5", WORSE, first=1),
    ]
    return write(tmp_path, rows)


ENDINGS = "client_id,ended\nC-1,completed\nC-2,ongoing\nC-3,Dropped_Out\nC-4,referred\n"


def test_listed_episodes_end_on_the_last_session_and_leave_the_caseload(
    client: HttpClient, personas, history: Path, tmp_path: Path
) -> None:
    result = run_with(history, ENDINGS, personas.therapist, tmp_path)
    episodes = {e.client.code: e for e in Episode.objects.select_related("client")}
    last_falling = START + dt.timedelta(days=7 * (len(FALLING) - 1))
    assert (episodes["C-1"].ended_on, episodes["C-1"].end_reason) == (
        last_falling,
        EndReason.COMPLETED,
    )
    # The missed session was the last one booked: the day the client stopped being expected.
    assert (episodes["C-3"].ended_on, episodes["C-3"].end_reason) == (
        START + dt.timedelta(days=35),
        EndReason.DROPPED_OUT,
    )
    for still in ("C-2", "C-5"):  # ongoing, and not listed
        assert (episodes[still].ended_on, episodes[still].end_reason) == (None, "")
    assert result.ended == {EndReason.COMPLETED: 1, EndReason.DROPPED_OUT: 1}
    ended = Client.objects.get(code="C-3")
    assert ended.episode_ended_on == episodes["C-3"].ended_on
    # Its status was worked out after the ending: an ended episode asks for no action.
    assert ended.next_action == snapshots.ENDED_ACTION
    client.force_login(personas.therapist)
    page = client.get(reverse("caseload")).content.decode()
    assert "C-2" in page
    assert "C-5" in page
    assert "C-1" not in page
    assert "C-3" not in page


def test_a_client_with_a_safety_alert_open_stays_open_and_is_named(
    client: HttpClient, personas, history: Path, tmp_path: Path
) -> None:
    result = run_with(history, ENDINGS, personas.therapist, tmp_path)
    assert result.kept_open == ("C-4",)
    kept = Client.objects.get(code="C-4")
    assert (kept.episode_ended_on, kept.episodes.get().ended_on) == (None, None)
    assert kept.status == Status.OFF_TRACK
    assert kept.flags[0] == "safety"
    client.force_login(personas.therapist)
    page = client.get(reverse("caseload")).content.decode()
    assert page.index("C-4") < page.index("C-2")  # heading the caseload, as any open alert


def test_each_ending_has_its_audit_row_naming_the_file(
    personas, history: Path, tmp_path: Path
) -> None:
    run_with(history, ENDINGS, personas.therapist, tmp_path)
    entries = list(AuditEntry.objects.order_by("id"))
    endings = [e for e in entries if e.action == AuditAction.END_EPISODE]
    assert [(e.username, e.client_code, e.detail) for e in endings] == [
        (
            imports.IMPORT_ACTOR,
            "C-1",
            f"Completed (planned ending) on {START + dt.timedelta(days=14)}, as endings.csv says",
        ),
        (
            imports.IMPORT_ACTOR,
            "C-3",
            f"Ended early without agreement on {START + dt.timedelta(days=35)}, "
            "as endings.csv says",
        ),
    ]
    added = [e.id for e in entries if e.action == AuditAction.IMPORT_CLIENT]
    assert max(added) < min(e.id for e in endings)  # added before they were ended
    assert entries[-1].detail.endswith("; 2 episodes ended as the outcomes file says")


@pytest.mark.parametrize(
    ("outcomes", "words"),
    [
        (
            "client_id,ended\nC-1,completed\nC-9,dropped_out\n",
            "endings.csv: 1 problem in 1 row\n  row 3, column 'client_id', value 'C-9': is "
            "not a client of history.csv",
        ),
        (
            "client_id,ended\nC-1,completed\nc-1,referred\n",
            "row 3, column 'client_id', value 'c-1': is the client of row 2 again (codes "
            "that differ only in capital letters are one client): list each client once",
        ),
        (
            "client_id,ended\nC-1,finished\n",
            "row 2, column 'ended', value 'finished': must be one of completed, dropped_out, "
            "referred, ongoing",
        ),
    ],
)
def test_an_outcomes_row_that_does_not_fit_refuses_the_import(
    personas, history: Path, tmp_path: Path, outcomes: str, words: str
) -> None:
    with pytest.raises(InvalidRows) as refused:
        run_with(history, outcomes, personas.therapist, tmp_path)
    assert words in str(refused.value)
    assert stored() == NOTHING


def test_a_dry_run_ends_nothing_and_says_what_it_would(
    personas, history: Path, tmp_path: Path
) -> None:
    planned = run_with(history, ENDINGS, personas.therapist, tmp_path, dry_run=True)
    assert stored() == NOTHING
    assert run_with(history, ENDINGS, personas.therapist, tmp_path) == planned


def test_codes_that_differ_only_in_capital_letters_are_the_same_client(
    personas, history: Path, tmp_path: Path
) -> None:
    """The clinic's codes ignore capital letters; an outcomes file written by another system
    may spell them otherwise (it was refused: 'c-1 is not a client of history.csv')."""
    result = run_with(history, "client_id,ended\nc-1,completed\n", personas.therapist, tmp_path)
    assert result.ended == {EndReason.COMPLETED: 1}
    assert Client.objects.get(code="C-1").episode_ended_on is not None


def test_the_summary_groups_the_thousands_of_every_count(personas) -> None:
    """It read '1034 completed' beside 'Imported 1,500 clients'."""
    from unstuck.web.import_file import summary

    result = ImportResult(
        1500, 14000, 36000, (), {Status.ON_TRACK: 1200}, ended={EndReason.COMPLETED: 1034}
    )
    said = summary(result, "big.csv", personas.therapist, outcomes=Path("ends.csv"), dry_run=False)
    assert "1,200 on track" in said
    assert "1,034 completed" in said


def test_answers_the_clinic_followed_up_before_a_day_are_closed_on_its_word(
    client: HttpClient, personas, tmp_path: Path
) -> None:
    """`--safety-followed-up-before DATE`: the history's answers before that day were dealt
    with under the clinic's procedure at the time; their alerts close with a check saying
    so, and the client listed as ended can then be ended. A later answer stays open."""
    rows = [
        *phq9_rows("C-OLD", RISKY, first=1),  # the safety answer on START + 7
        *phq9_rows("C-NEW", [[2] * 8 + [0]], first=1),  # START, no safety answer
    ]
    rows.append(f"C-NEW,2,{START + dt.timedelta(days=60)},attended,phq9,2,2,2,2,2,2,2,2,1")
    history = write(tmp_path, rows)
    result = run_with(
        history,
        "client_id,ended\nC-OLD,completed\nC-NEW,completed\n",
        personas.therapist,
        tmp_path,
        followed_up_before=START + dt.timedelta(days=30),
    )
    assert result.followed_up == 1
    assert result.safety_codes == ("C-NEW",)  # its answer came after the day given
    assert result.kept_open == ("C-NEW",)
    old = Client.objects.get(code="C-OLD")
    assert old.episode_ended_on is not None
    check = old.safety_checks.get()
    assert (check.outcome, check.checked_by) == ("other", None)
    assert f"given before {START + dt.timedelta(days=30)}" in check.note
    assert "on the clinic's word" in check.note
    assert old.safety_alerts.get().safety_check == check
    assert old.safety_alert_at is None
    row = AuditEntry.objects.get(action=AuditAction.SAFETY_CHECK_RECORDED)
    assert (row.username, row.client_code) == (imports.IMPORT_ACTOR, "C-OLD")
    assert "given before" not in row.detail  # the note is clinical text: never in the log
    assert (
        AuditEntry.objects.filter(action=AuditAction.IMPORT_RECORDS)
        .get()
        .detail.endswith("; 1 safety alert closed as followed up before the day the clinic gave")
    )
    client.force_login(personas.therapist)
    page = client.get(reverse("client", args=[old.pk])).content.decode()
    assert "on the clinic&#x27;s word" in page  # the check and its words on the client page
