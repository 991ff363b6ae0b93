"""Every reason and strategy the five source documents name is in the knowledge base.

The table below was written by reading each seed (../shared/seeds/) and listing what it names,
with the phrase it uses, and the knowledge-base id we map it to. A test fails if an id is
missing or does not cite that seed. Seed 002 is garbled (strategies 3-6 and 8-11 survive only
as fragments); docs/impasse.md says how we read it, and the fragments are mapped here too.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from unstuck.impasse import default_knowledge
from unstuck.impasse.model import SEED_FILES
from unstuck.impasse.situations import load_situations

S000 = "000_2ef1d7c88fd8593b.txt"
S001 = "001_c20c250e059541fa.txt"
S002 = "002_87e3476ec27f2bf2.txt"
S003 = "003_ebe7257443084bfc.txt"
S004 = "004_fecda28de006f0a0.txt"

REASONS: dict[str, list[tuple[str, str]]] = {
    S000: [
        ("resistance: avoiding difficult topics", "vulnerability"),
        ("denying the severity of their issues", "denial"),
        ("refusing to engage in therapeutic tasks / readiness for change", "ambivalence"),
        ("underlying issues and unresolved trauma", "trauma"),
        ("the match between the client and therapist", "mismatch"),
        ("unrealistic goals", "goals_misfit"),
    ],
    S001: [
        ("vulnerability", "vulnerability"),
        ("shame; not meeting therapeutic expectations", "shame"),
        ("resistance to change", "ambivalence"),
        ("overwhelm", "overwhelm"),
        ("not making any progress", "not_seeing_progress"),
        ("external life stressors", "outside_stressors"),
        ("a sign that they need a different approach", "unmet_needs"),
        ("addiction or mental health crises (check for safety)", "safety_crisis"),
        ("addiction", "substance_use"),
        ("goals that do not fit their current life", "goals_misfit"),
    ],
    S002: [
        ("fears or anxieties", "vulnerability"),
        ("previous negative experiences with the mental health system", "distrust"),
        ("stigma attached to seeking help", "stigma"),
        ("a clash of values", "values_culture"),
        ("unprocessed trauma", "trauma"),
        ("distrust", "distrust"),
        ("overwhelmed by exploring painful experiences", "overwhelm"),
        ("therapist frustration or burnout", "therapist_factors"),
    ],
    S003: [
        ("sabotaging progress, usually unconsciously", "ambivalence"),
        ("withholding critical information", "honesty"),
        ("steering towards externalised stressors", "outside_stressors"),
        ("cheery affect: 'not sure I need a session today'", "ambivalence"),
        ("conversations about superficial problems; a 'trauma dump'", "surface_talk"),
        ("unwillingness to sit with vulnerability", "vulnerability"),
        ("things they cannot control", "outside_control"),
        ("therapist's share: no safe space, agenda before readiness", "therapist_factors"),
    ],
    S004: [
        ("power struggle / irreconcilable differences / personality mismatch", "mismatch"),
        ("in denial", "denial"),
        ("impasse rooted in fear (PTSD)", "trauma"),
        ("lack of motivation from depression", "low_motivation"),
        ("impasse rooted in deceit; accounts do not match behaviours", "honesty"),
        ("comes because the spouse insists; adolescents sent by parents", "mandated"),
        ("no buy-in, no real desire to change", "ambivalence"),
        ("addictions to rule out (sexual impulsivity, substance abuse)", "substance_use"),
        ("needs not being met in therapy", "unmet_needs"),
        (
            "therapist's errors or biases; lack of knowledge; countertransference",
            "therapist_factors",
        ),
        ("lack of connection; cultural perspectives", "values_culture"),
        ("ambivalence about change", "ambivalence"),
        ("stuck on goals", "goals_misfit"),
        ("if the impasse is due to my lack of safety", "therapist_safety"),
        ("my lack of knowledge or incompetence on the subject matter", "competence_limits"),
        ("stuck on progress regarding his anxiety (third-party perspective)", "stuck_viewpoint"),
    ],
}

STRATEGIES: dict[str, list[tuple[str, str]]] = {
    S000: [
        ("empathy and validation", "empathy_validation"),
        ("alternative approaches: art therapy, somatic experiencing", "alternative_approach"),
        ("mindfulness, meditation, deep breathing", "mindfulness"),
        ("collaborate to set realistic goals", "revisit_goals"),
        ("clear, open communication", "open_dialogue"),
        ("explore underlying issues", "assess_explore"),
        ("trauma-informed approaches", "trauma_informed"),
        ("education and resources: books, worksheets, support groups", "resources"),
        ("resilience and coping skills", "coping_resilience"),
        ("self-care, joy, support from loved ones", "support_outside"),
        ("psychoeducation / empowering through education", "psychoeducation"),
        ("trust and safety", "trust_rapport"),
    ],
    S001: [
        ("open dialogue about feelings towards therapy", "open_dialogue"),
        ("check for safety", "safety_check"),
        ("adjust goals", "revisit_goals"),
        ("motivational interviewing", "motivational_interviewing"),
        ("reframe therapy as collaborative", "collaborative_reframe"),
        ("empathetic listening", "empathy_validation"),
        ("normalise withdrawal", "normalise_withdrawal"),
        ("provide resources: reading, support groups", "resources"),
        ("humour (may backfire)", "humour"),
        ("a different approach", "alternative_approach"),
        ("fear of vulnerability, if not addressed early on", "trust_rapport"),
    ],
    S002: [
        ("1. build trust and rapport", "trust_rapport"),
        ("1. empathy, active listening, nonjudgmental acceptance", "empathy_validation"),
        ("2. assess and explore", "assess_explore"),
        (
            "3-6 fragments: goals and objectives, discomfort as part of therapy, benefits",
            "psychoeducation",
        ),
        ("7. strengths-based approaches", "strengths_based"),
        ("8-11 fragments: check in whenever the approach isn't working; progress", "seek_feedback"),
        ("12. start with more solvable problems", "solvable_first"),
        ("13. consultation and supervision", "consultation"),
        ("14. self-reflection and self-care", "self_reflection"),
        ("15. terminate appropriately, with alternative resources", "respectful_ending"),
    ],
    S003: [
        ("create a safe space; when to push and when to soothe", "pace_to_readiness"),
        ("engage clients in forming their own goals", "revisit_goals"),
        ("kindly but clearly point out deflection", "name_deflection"),
        ("focus on what is in their control", "focus_on_control"),
        ("tackle resistance collaboratively; openness to feedback", "collaborative_reframe"),
        ("avoid leaving treatment with no closure", "respectful_ending"),
        ("therapy is more than superficial talk or a 'trauma dump'", "agree_purpose"),
        ("openness to feedback", "seek_feedback"),
    ],
    S004: [
        ("time", "allow_time"),
        ("referral to another clinician / transfer of notes", "referral"),
        ("discuss the process itself; transparency", "open_dialogue"),
        ("build trust; explain approach; set boundaries", "explain_approach"),
        ("build trust", "trust_rapport"),
        ("safety before EMDR", "trauma_informed"),
        ("one healthy new behaviour at a time", "one_new_behaviour"),
        ("confront deceit; no buy-in", "address_honesty"),
        ("specialist assessment to rule out addictions", "specialist_assessment"),
        ("mindfulness: breathing, body scan", "mindfulness"),
        ("encourage the client to express unmet needs", "invite_unmet_needs"),
        ("motivational interviewing (OARS)", "motivational_interviewing"),
        ("rapport-building on interests and hobbies", "trust_rapport"),
        ("psychoeducation on the diagnosis", "psychoeducation"),
        ("ask for feedback about my errors or biases", "seek_feedback"),
        ("understand cultural perspectives", "cultural_humility"),
        ("process any past issues that may be a barrier", "cultural_humility"),
        ("supervisors and colleagues", "consultation"),
        ("countertransference: therapist self-reflection", "self_reflection"),
        ("terminate with least harm; door open to return", "respectful_ending"),
        ("revisit goals; collaborative alliance", "revisit_goals"),
        ("third-party perspective", "third_party_perspective"),
        ("validating feelings; partnership", "empathy_validation"),
        ("lack of knowledge: I discuss this with them", "open_about_limits"),
        ("my lack of safety: support from supervisors as I terminate", "supported_ending"),
    ],
}

KB = default_knowledge()


@pytest.mark.parametrize(
    ("seed", "phrase", "reason_id"),
    [(seed, phrase, rid) for seed, rows in REASONS.items() for phrase, rid in rows],
)
def test_every_reason_in_the_seeds_is_present_and_cites_its_seed(
    seed: str, phrase: str, reason_id: str
) -> None:
    assert reason_id in KB.reasons, f"{seed}: {phrase!r} has no reason {reason_id!r}"
    assert seed in KB.reasons[reason_id].seeds, f"{reason_id} does not cite {seed}"


@pytest.mark.parametrize(
    ("seed", "phrase", "strategy_id"),
    [(seed, phrase, sid) for seed, rows in STRATEGIES.items() for phrase, sid in rows],
)
def test_every_strategy_in_the_seeds_is_present_and_cites_its_seed(
    seed: str, phrase: str, strategy_id: str
) -> None:
    assert strategy_id in KB.strategies, f"{seed}: {phrase!r} has no strategy {strategy_id!r}"
    assert seed in KB.strategies[strategy_id].seeds, f"{strategy_id} does not cite {seed}"


def test_the_table_and_the_knowledge_base_hold_the_same_entries() -> None:
    """Nothing in the knowledge base lacks a phrase in a seed, and nothing tabled is missing."""
    assert set(KB.reasons) == {rid for rows in REASONS.values() for _, rid in rows}
    assert set(KB.strategies) == {sid for rows in STRATEGIES.values() for _, sid in rows}


def test_the_humour_caution_says_it_can_backfire() -> None:
    assert any("backfire" in c for c in KB.strategies["humour"].cautions)


def test_trauma_work_puts_safety_before_processing() -> None:
    assert any("before" in c for c in KB.strategies["trauma_informed"].cautions)


def test_no_description_copies_a_seed_sentence(seeds_dir: Path) -> None:
    """Our own words: no run of 8 words from a seed appears in a description (the seeds are
    read in place; conftest.py fails the test when they are missing)."""
    words = " ".join((seeds_dir / name).read_text(encoding="utf-8") for name in SEED_FILES)
    tokens = words.lower().split()
    grams = {" ".join(tokens[i : i + 8]) for i in range(len(tokens) - 7)}
    texts = (
        [r.description for r in KB.reasons.values()]
        + [s.description for s in KB.strategies.values()]
        + [c for s in KB.strategies.values() for c in s.cautions]
        + [m.label for m in KB.markers.values()]
        + [t for s in load_situations(KB) for t in (s.who, s.notices)]
    )
    for text in texts:
        t = text.lower().split()
        for i in range(len(t) - 7):
            assert " ".join(t[i : i + 8]) not in grams, text


def test_the_gaps_named_in_issue_17_are_filled_and_cited() -> None:
    s004, s003, s001 = S004, S003, S001
    ending = KB.strategies["supported_ending"]
    assert ending.closure
    assert ending.requires == ("therapist_safety",)
    assert "supervis" in ending.description
    assert s004 in ending.seeds
    assert KB.strategies["consultation"].fits["therapist_safety"] == 3
    limits = KB.strategies["open_about_limits"]
    assert limits.fits["competence_limits"] == 3
    assert s004 in limits.seeds
    assert "competence_limits" in KB.strategies["referral"].requires
    assert KB.strategies["agree_purpose"].fits["surface_talk"] == 3
    assert s003 in KB.reasons["surface_talk"].seeds
    assert s003 in KB.markers["cheery_affect"].seeds
    assert KB.strategies["psychoeducation"].fits["mandated"] >= 2
    assert KB.strategies["third_party_perspective"].fits["stuck_viewpoint"] == 3
    assert s004 in KB.reasons["stuck_viewpoint"].seeds
    normalise = KB.strategies["normalise_withdrawal"]
    assert any("call for help" in c and "safety" in c for c in normalise.cautions)
    assert s001 in normalise.seeds
