"""What people see names things in words: markers by their labels, sources by one title each
(impasse/sources.toml), and the seeds' timing and citations kept in the knowledge base."""

from __future__ import annotations

from importlib import resources

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from personas import visible_text
from unstuck.cli import main
from unstuck.impasse import default_knowledge, model
from unstuck.impasse.sources import sources

KB = default_knowledge()
S001, S002, S003, S004 = (
    "001_c20c250e059541fa.txt",
    "002_87e3476ec27f2bf2.txt",
    "003_ebe7257443084bfc.txt",
    "004_fecda28de006f0a0.txt",
)
FLAT = [2, 2, 2, 2, 2, 2, 1, 1, 0]


def test_the_review_form_names_the_markers_noticed_by_their_labels(
    client: HttpClient, personas, make_client
) -> None:
    from unstuck.web.records.models import Session

    record = make_client("C-870", [FLAT] * 4)
    Session.objects.filter(episode__client=record).update(
        markers=["avoided_topics", "minimised_need"]
    )
    client.force_login(personas.therapist)
    text = visible_text(client.get(reverse("review_new", args=[record.pk])).content.decode())
    assert "Noticed in recent sessions: Steered away from difficult topics (4\u00d7)" in text
    assert "avoided_topics" not in text
    assert "minimised_need" not in text


def test_one_title_per_source_everywhere() -> None:
    assert not hasattr(model, "SEED_TITLES")  # sources.toml is the only place
    title = sources()[S001].title
    folder = resources.files("unstuck.impasse")
    for name in ("ranking.toml", "situations.toml", "reasons.toml", "strategies.toml"):
        text = folder.joinpath(name).read_text("utf-8")
        assert "Common Reasons for Withdrawal" not in text, name
        assert "cited by file name" not in text, name
    assert sources()[S001].short in folder.joinpath("ranking.toml").read_text("utf-8")
    assert sources()[S001].short in title


def test_the_cli_names_sources_by_title(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["strategies"]) == 0
    out = capsys.readouterr().out
    shame = next(line for line in out.splitlines() if line.strip().startswith("shame "))
    assert shame.endswith("[When clients withdraw from therapy]")
    assert "[000, " not in out
    assert ", 001]" not in out
    assert main(["strategies", "--situations"]) == 0
    out = capsys.readouterr().out
    assert f"overwhelmed_after_intense_sessions  [001, {sources()[S001].title}]" in out


def test_the_seeds_timing_is_kept_in_our_own_words() -> None:
    # Seed 003: some resistance is usual, above all at the start of treatment.
    ambivalence = KB.reasons["ambivalence"]
    assert "just starting" in ambivalence.description
    assert S003 in ambivalence.seeds
    assert "early weeks" in KB.strategies["pace_to_readiness"].description
    # Seed 001: fear of vulnerability harms the relationship when not met early.
    vulnerability = KB.reasons["vulnerability"]
    assert "first sessions" in vulnerability.description
    assert S001 in vulnerability.seeds
    assert "first sessions" in KB.strategies["trust_rapport"].description
    assert S001 in KB.strategies["trust_rapport"].seeds


def test_the_missing_citations_and_step_are_there() -> None:
    assert S002 in KB.strategies["empathy_validation"].seeds  # item 1: empathy, acceptance
    assert S003 in KB.strategies["seek_feedback"].seeds  # openness to feedback
    humility = KB.strategies["cultural_humility"]
    assert "from before" in humility.description  # seed 004: past issues that are a barrier
    assert S004 in humility.seeds
