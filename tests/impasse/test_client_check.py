"""The client's "what gets in the way" check: tied to real reasons, merged as evidence."""

from __future__ import annotations

import datetime as dt

from unstuck.impasse import default_knowledge
from unstuck.impasse.client_check import client_check, with_client_report

DAY = dt.date(2026, 3, 2)


def test_every_item_is_tied_to_a_reason_of_the_knowledge_base() -> None:
    check = client_check()
    assert len(check.reasons) == len(check.instrument.items) == 6
    assert set(check.reasons) <= set(default_knowledge().reasons)
    assert {"vulnerability", "overwhelm", "not_seeing_progress", "mandated"} <= set(check.reasons)
    assert [o.value for o in check.instrument.items[0].options] == [0, 1, 2, 3]
    assert check.instrument.safety_items == ()


def test_the_clients_answers_raise_ratings_and_are_quoted_as_client_reported() -> None:
    record = {"not_seeing_progress": (1, "Scores have been flat (from the record).")}
    merged = with_client_report(record, [0, 0, 3, 0, 0, 2], DAY)
    rating, evidence = merged["not_seeing_progress"]
    assert rating == 3
    assert evidence.startswith("Scores have been flat (from the record).")
    assert "“I do not see things getting better yet.”: Very true" in evidence
    assert "client-reported" in evidence
    assert merged["mandated"][0] == 2
    assert "vulnerability" not in merged  # answered 0: nothing added


def test_a_lower_client_answer_never_lowers_the_records_rating() -> None:
    record = {"overwhelm": (3, "Noted in sessions.")}
    assert with_client_report(record, [0, 1, 0, 0, 0, 0], DAY)["overwhelm"][0] == 3
    assert with_client_report(record, [0, 0, 0, 0, 0, 0], DAY) == record
