"""`unstuck strategies` exports the whole knowledge base for clinical review."""

from __future__ import annotations

import json

import pytest

from unstuck.cli import main
from unstuck.impasse import default_knowledge


def test_json_holds_every_reason_strategy_and_marker(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["strategies", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    kb = default_knowledge()
    assert {r["id"] for r in data["reasons"]} == set(kb.reasons)
    assert {s["id"] for s in data["strategies"]} == set(kb.strategies)
    assert {m["id"] for m in data["markers"]} == set(kb.markers)
    humour = next(s for s in data["strategies"] if s["id"] == "humour")
    assert humour["seeds"] == ["001_c20c250e059541fa.txt"]
    assert any("backfire" in c for c in humour["cautions"])


def test_text_lists_cautions(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["strategies"]) == 0
    out = capsys.readouterr().out
    assert "motivational_interviewing" in out
    assert "caution: Humour can backfire" in out


def test_situations_print_what_each_expects_and_gets(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["strategies", "--situations"]) == 0
    out = capsys.readouterr().out
    assert "adolescent_sent_by_parents  [004, How Do You Handle a Therapeutic Impasse?]" in out
    assert "  expects: motivational_interviewing, trust_rapport, psychoeducation" in out
    assert "MISSING" not in out
    assert "0 situation(s) miss an expected strategy in the first 5." in out
