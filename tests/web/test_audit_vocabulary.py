"""The audit log's vocabulary: every service writes its own action, in plain words."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from personas import PHQ9_MILD, hold_session
from unstuck.web.accounts.audit import record_audit
from unstuck.web.accounts.models import AuditAction, AuditEntry
from unstuck.web.instruments.services import add_clinic_instrument
from unstuck.web.records import services as records
from unstuck.web.records.instruments import reload_instruments
from unstuck.web.reviews import services as reviews

DEFINITION = """
id = "audit3"
name = "Audit-3 (made up)"
description = "A made-up three-item scale for the audit test."
higher_is_better = true
license = "Placeholder."
options = [{value = 0, label = "No"}, {value = 1, label = "Yes"}]
items = [
  {number = 1, text = "Item one"},
  {number = 2, text = "Item two"},
  {number = 3, text = "Item three"},
]
"""


def last_action() -> str:
    entry = AuditEntry.objects.order_by("-id").first()
    assert entry is not None
    return entry.action


def test_every_action_has_a_plain_label_and_fits_the_column() -> None:
    for action in AuditAction:
        assert len(action.value) <= AuditEntry._meta.get_field("action").max_length
        assert action.label != action.value
        assert "_" not in action.label
        assert action.label[0].isupper()


def test_an_action_outside_the_vocabulary_is_refused(personas) -> None:
    with pytest.raises(ValueError, match="made_up"):
        record_audit(personas.therapist, "made_up")  # type: ignore[arg-type]
    assert not AuditEntry.objects.exists()


def test_the_entry_reads_in_plain_words(personas) -> None:
    entry = record_audit(personas.therapist, AuditAction.VIEW_CASELOAD)
    assert entry.action_label == "Viewed the caseload"


@pytest.fixture
def fresh_instruments() -> Iterator[None]:
    reload_instruments()
    yield
    reload_instruments()


def test_each_records_service_writes_its_row(personas, make_client) -> None:
    alex = personas.therapist
    client = records.create_client(therapist=alex, code="C-900", started_on=dt.date(2026, 1, 5))
    assert last_action() == AuditAction.CREATE_CLIENT
    records.record_session(
        user=alex,
        client=client,
        data=records.SessionInput(
            date=dt.date(2026, 1, 5), attendance="attended", answers={"phq9": PHQ9_MILD}
        ),
    )
    assert last_action() == AuditAction.RECORD_SESSION
    records.end_episode(user=alex, client=client, ended_on=dt.date(2026, 2, 1), reason="completed")
    assert last_action() == AuditAction.END_EPISODE
    assert set(AuditEntry.objects.values_list("client_code", flat=True)) == {"C-900"}


def test_each_reviews_service_writes_its_row(personas, make_client) -> None:
    alex = personas.therapist
    client = make_client("C-901", [PHQ9_MILD] * 3)
    goal = reviews.add_goal(user=alex, client=client, text="Walk daily")
    assert last_action() == AuditAction.ADD_GOAL
    reviews.revise_goal(user=alex, goal=goal, text="Walk twice a week", change="reworded")
    assert last_action() == AuditAction.REVISE_GOAL
    reviews.rate_goal(user=alex, goal=goal, rated_on=dt.date(2026, 2, 1), attainment=0)
    assert last_action() == AuditAction.RATE_GOAL
    review = reviews.open_review(user=alex, client=client, ratings={"goals_misfit": (3, "")})
    assert last_action() == AuditAction.OPEN_REVIEW
    plan = reviews.make_plan(
        user=alex,
        review=review,
        chosen=[reviews.ChosenStrategy("revisit_goals", "")],
        review_on=dt.date(2026, 4, 1),
    )
    assert last_action() == AuditAction.MAKE_PLAN
    hold_session(client)  # a result follows a session held with the plan
    reviews.record_strategy_result(user=alex, strategy=plan.strategies.get(), result="helped")
    assert last_action() == AuditAction.RECORD_STRATEGY_RESULT
    reviews.add_reflection(user=alex, frustration=2, client=client)
    assert last_action() == AuditAction.ADD_REFLECTION
    reviews.close_with_letter(
        user=alex, client=client, kind="termination", ended_on=dt.date(2026, 5, 1)
    )
    assert last_action() == AuditAction.WRITE_LETTER
    assert AuditEntry.objects.filter(action=AuditAction.END_EPISODE, client_code="C-901").exists()


def test_adding_an_instrument_writes_its_row(personas, fresh_instruments) -> None:
    add_clinic_instrument(user=personas.administrator, filename="audit3.toml", text=DEFINITION)
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.username) == (AuditAction.ADD_INSTRUMENT, "admin")
    # its name, as pages show it, and its id, which no other questionnaire shares
    assert entry.detail == "Audit-3 (made up) (id audit3) from audit3.toml"


def test_importing_a_file_writes_its_rows(personas, tmp_path) -> None:
    from unstuck.analysis import read_observations
    from unstuck.web.records.imports import IMPORT_ACTOR, import_records
    from unstuck.web.records.instruments import instruments

    path = tmp_path / "history.csv"
    items = ",".join(f"item_{j}" for j in range(1, 10))
    path.write_text(
        f"client_id,occasion,date,instrument,{items}\nC-902,1,2026-01-05,phq9,1,1,1,1,1,1,0,0,0\n",
        encoding="utf-8",
    )
    frame = read_observations(path, instruments(), answers=True).frame
    import_records(
        frame=frame, therapist=personas.therapist, source=str(path), today=dt.date(2026, 2, 1)
    )
    assert last_action() == AuditAction.IMPORT_RECORDS
    entry = AuditEntry.objects.get(action=AuditAction.IMPORT_CLIENT)
    assert (entry.client_code, entry.username) == ("C-902", IMPORT_ACTOR)
