"""Letters after a review: a letter keeps what the record said when it was written; closing
with a letter asks how the episode ended; the ending summary is written for the client (no
clinical labels, no risk answer, which the close page shows first); a provisional threshold is
said to be one; set-aside goals and planned strategies are named as such."""

from __future__ import annotations

import datetime as dt

import pypdfium2 as pdfium
from django.test import Client as HttpClient
from django.urls import reverse

from personas import PHQ9_MILD, PHQ9_SEVERE, hold_session
from unstuck.impasse import default_knowledge
from unstuck.web.records import corrections
from unstuck.web.records import services as records
from unstuck.web.records.forms import EndEpisodeForm
from unstuck.web.records.models import Episode, Session
from unstuck.web.reviews import letters, services
from unstuck.web.reviews.forms import AS_THE_LETTER, ClosureForm
from unstuck.web.reviews.models import ClosureLetter, LetterKind

RISKY = [3, 3, 3, 3, 2, 2, 2, 2, 3]  # item 9 answered 3


def letter_text(client: HttpClient, record, letter) -> str:  # type: ignore[no-untyped-def]
    html = client.get(reverse("letter", args=[record.pk, letter.pk])).content.decode()
    return html[html.index("<body>") :]


def test_a_letter_reads_the_same_after_the_record_changes(
    client: HttpClient, personas, make_client
) -> None:
    """A referral letter dated 3 December said 'We met for 9 sessions'; after more sessions,
    goals and a strategy result it said 'We met for 10 sessions' under the same date."""
    record = make_client("C-900", [PHQ9_SEVERE, PHQ9_SEVERE, PHQ9_MILD])
    client.force_login(personas.therapist)
    client.post(
        reverse("close", args=[record.pk]),
        {"kind": "referral", "ended_on": "2026-02-01", "recipient": "Dr Morgan"},
    )
    letter = ClosureLetter.objects.get()
    before = letter_text(client, record, letter)
    assert "We met for 3 sessions" in before

    therapist = personas.therapist
    corrections.reopen_episode(user=therapist, client=record)
    records.record_session(
        user=therapist,
        client=record,
        data=records.SessionInput(
            date=dt.date(2026, 2, 2), attendance="attended", answers={"phq9": PHQ9_MILD}
        ),
    )
    services.add_goal(user=therapist, client=record, text="Walk to the shop")
    review = services.open_review(user=therapist, client=record, ratings={"goals_misfit": (3, "")})
    plan = services.make_plan(
        user=therapist,
        review=review,
        chosen=[services.ChosenStrategy("revisit_goals")],
        review_on=dt.date(2026, 4, 1),
    )
    hold_session(record)
    services.record_strategy_result(user=therapist, strategy=plan.strategies.get(), result="helped")
    record.name = "Jo Later"
    record.save(update_fields=["name"])

    after = letter_text(client, record, letter)
    assert after == before
    assert "Walk to the shop" not in after
    assert "re-created" not in after


def test_a_letter_written_before_its_text_was_kept_says_it_is_re_created(
    client: HttpClient, personas, make_client
) -> None:
    record = make_client("C-901", [PHQ9_SEVERE, PHQ9_MILD])
    letter = services.close_with_letter(
        user=personas.therapist, client=record, kind="termination", ended_on=dt.date(2026, 2, 1)
    )
    ClosureLetter.objects.filter(pk=letter.pk).update(written_from={})  # as before migration 0002
    client.force_login(personas.therapist)
    text = letter_text(client, record, letter)
    assert "(re-created from the current record)" in text
    assert "2 sessions attended" in text


def test_a_letter_dates_the_sessions_it_counts(client: HttpClient, personas, make_client):
    """'We met for 2 sessions from 1 December 2025' gave the day the client was added, not
    when they met, and no end; a client who never came read '0 sessions attended'."""
    record = make_client("C-905", [PHQ9_SEVERE, PHQ9_MILD])  # one week apart
    met = sorted(Session.objects.filter(episode__client=record).values_list("date", flat=True))
    facts = letters.letter_facts(record, "referral")
    span = f"from {met[0].day} {met[0]:%B %Y} to {met[1].day} {met[1]:%B %Y}"
    assert letters.met_dates(facts) == span
    assert letters.met_dates(facts | {"last_met": facts["first_met"]}).startswith("on ")
    assert letters.met_dates(facts | {"first_met": "", "last_met": ""}) == ""
    # a letter stored before these dates says what it said then
    assert letters.met_dates({"started_on": "2025-12-01"}) == "from 1 December 2025"
    client.force_login(personas.therapist)
    client.post(
        reverse("close", args=[record.pk]),
        {"kind": "referral", "ended_on": "2026-02-01", "recipient": "Dr M"},
    )
    text = letter_text(client, record, ClosureLetter.objects.get(client=record))
    assert f"We met for 2 sessions, {span}." in text
    never = make_client("C-906", [])
    client.post(
        reverse("close", args=[never.pk]), {"kind": "termination", "ended_on": "2026-02-01"}
    )
    ending = letter_text(client, never, ClosureLetter.objects.get(client=never))
    assert "No session attended" in ending
    assert "0 sessions" not in ending


def test_closing_with_a_letter_asks_how_the_episode_ended(
    client: HttpClient, personas, make_client
) -> None:
    """Writing an ending summary always recorded 'Completed (planned ending)', so the team
    page counted no early ending."""
    endings = ClosureForm().fields["end_reason"].choices
    assert endings == [("", AS_THE_LETTER), *EndEpisodeForm().fields["reason"].choices]
    assert ClosureForm().fields["end_reason"].label == EndEpisodeForm().fields["reason"].label
    # The select is as wide as its longest choice allows: a first choice longer than every
    # ending was cut off at 1280 px; what it means is in the field's help.
    assert len(AS_THE_LETTER) <= max(len(str(label)) for _, label in endings[1:])
    assert "referred elsewhere" in str(ClosureForm().fields["end_reason"].help_text)
    record = make_client("C-902", [PHQ9_SEVERE, PHQ9_MILD])
    client.force_login(personas.therapist)
    url = reverse("close", args=[record.pk])
    page = client.get(url).content.decode()
    assert "How it ended" in page
    preview = client.post(
        url,
        {
            "kind": "termination",
            "ended_on": "2026-02-01",
            "end_reason": "dropped_out",
            "preview": "1",
        },
    ).content.decode()
    assert "recorded as “Ended early without agreement”" in preview
    client.post(url, {"kind": "termination", "ended_on": "2026-02-01", "end_reason": "dropped_out"})
    assert Episode.objects.get(client=record).end_reason == "dropped_out"


def test_how_it_ended_claims_no_ending_until_the_therapist_picks_one(
    client: HttpClient, personas, make_client
) -> None:
    """'How it ended' showed 'Completed' until the preview whatever letter was chosen (help
    text said it would follow the letter). It now opens at 'As the letter', stays there
    through the preview, which names the ending; a picked ending is recorded as picked."""
    record = make_client("C-903", [PHQ9_SEVERE, PHQ9_MILD])
    client.force_login(personas.therapist)
    url = reverse("close", args=[record.pk])
    as_the_letter = f'<option value="" selected>{AS_THE_LETTER}</option>'
    for kind in ("termination", "referral"):
        page = client.get(url, {"kind": kind}).content.decode()
        assert as_the_letter in page
        assert "selected>Completed" not in page
    referral = {"kind": "referral", "ended_on": "2026-02-01", "recipient": "Dr M"}
    preview = client.post(url, {**referral, "end_reason": "", "preview": "1"}).content.decode()
    assert "recorded as “Referred elsewhere”" in preview
    assert as_the_letter in preview
    client.post(url, {**referral, "end_reason": ""})
    assert Episode.objects.get(client=record).end_reason == "referred"
    other = make_client("C-905", [PHQ9_SEVERE, PHQ9_MILD])
    client.post(reverse("close", args=[other.pk]), {**referral, "end_reason": "completed"})
    assert Episode.objects.get(client=other).end_reason == "completed"


def test_a_referral_letter_keeps_a_safety_answer_already_checked(
    client: HttpClient, personas, make_client
) -> None:
    """Once its safety check was recorded, the answer dropped out of the referral letter: the
    next clinician read the scores with no word of a risk answer given during the work."""
    from unstuck.web.records import alerts

    record = make_client("C-906", [PHQ9_SEVERE, RISKY, PHQ9_SEVERE])
    (alert,) = record.safety_alerts.all()
    alerts.record_safety_check(
        user=personas.therapist, client=record, outcome="safety_plan", alert_ids=[alert.pk]
    )
    client.force_login(personas.therapist)
    client.post(
        reverse("close", args=[record.pk]),
        {"kind": "referral", "ended_on": "2026-02-01", "recipient": "Dr Morgan"},
    )
    text = letter_text(client, record, ClosureLetter.objects.get())
    assert "the client answered a question about risk above 0 during this work" in text
    assert "answered 3 (Nearly every day) at session 2" in text
    assert "a safety check followed on" in text


def test_the_ending_summary_speaks_to_the_client_and_the_close_page_shows_the_alert_first(
    client: HttpClient, personas, make_client
) -> None:
    """The ending summary, for the client, carried 'the client answered a question about risk
    ... please ask about safety at your first contact' and labels like '20 (moderately
    severe)'. The risk answer is the therapist's: the close page shows it first."""
    record = make_client("C-904", [PHQ9_SEVERE, RISKY, PHQ9_SEVERE])
    client.force_login(personas.therapist)
    url = reverse("close", args=[record.pk])
    page = client.get(url).content.decode()
    assert page.index('id="close-safety"') < page.index("<legend>Letter</legend>")
    assert "item 9 (a risk question) was answered 3" in page
    client.post(url, {"kind": "termination", "ended_on": "2026-02-01", "safety_considered": "on"})
    letter = ClosureLetter.objects.get()
    screen = letter_text(client, record, letter)
    # on screen the therapist still sees the open alert, above the summary and not printed
    assert 'id="open-safety"' in screen[: screen.index("<h1>")]
    text = screen[screen.index("<h1>") :]
    assert "PHQ-9: 20 at session 1, 20 at session 3, not a reliable change." in text
    assert "risk" not in text
    assert "severe" not in text
    assert "please ask about safety" not in text
    pdf = client.get(reverse("letter", args=[record.pk, letter.pk]), {"format": "pdf"})
    printed = " ".join(p.get_textpage().get_text_range() for p in pdfium.PdfDocument(pdf.content))
    assert "PHQ-9: 20 at session 1" in printed
    assert "risk" not in printed


PROVISIONAL_SCALE = """
id = "coping4"
name = "Coping-4 (clinic)"
description = "A made-up clinic scale with a provisional change threshold."
higher_is_better = true
license = "Made up for this test."
options = [{value = 0, label = "No"}, {value = 5, label = "Yes"}]
items = [{number = 1, text = "One"}, {number = 2, text = "Two"}]
[change]
reliable_change_points = 4
source = "PROVISIONAL clinic default, not a published value."
"""


def test_a_letter_says_when_a_reliable_change_rests_on_a_provisional_threshold(db) -> None:  # type: ignore[no-untyped-def]
    """A clinic's own scale with a provisional threshold (the session feedback, the shipped
    one, is no longer in letters: see the next test)."""
    from unstuck.progress.summary import Observation, summarise_client
    from unstuck.web.instruments.models import ClinicInstrument
    from unstuck.web.records.instruments import instruments, reload_instruments
    from unstuck.web.reviews.letters import PROVISIONAL, progress_sentences

    ClinicInstrument.objects.create(
        instrument_id="coping4", name="Coping-4", filename="c.toml", definition=PROVISIONAL_SCALE
    )
    reload_instruments()
    try:
        rows = [Observation("coping4", 1, 0), Observation("coping4", 2, 10)]
        rows += [Observation("phq9", 1, 20), Observation("phq9", 2, 9)]
        phq9, coping = progress_sentences(summarise_client("C", rows, instruments()))
    finally:
        reload_instruments()
    assert coping == (
        f"Coping-4 (clinic): 0 at session 1, 10 at session 2, a reliable improvement{PROVISIONAL}."
    )
    assert "provisional" not in phq9  # a published threshold (NHS Talking Therapies)


def test_neither_letter_gives_the_session_feedback_scores(personas, make_client) -> None:  # type: ignore[no-untyped-def]
    """The referral letter gave the next clinician the client's session-feedback totals ('40
    at session 1, 34 at session 2'): the client's private rating of the sessions with this
    therapist, there to talk over in therapy, not an outcome of it. The ending summary, for
    the client, leaves it out as well; the outcome measures stay in both."""
    record = make_client(
        "C-908",
        [PHQ9_SEVERE, PHQ9_SEVERE, PHQ9_MILD],
        feedback=[[10, 10, 10, 10], [9, 9, 9, 9], [7, 7, 7, 7]],
    )
    for kind in ("referral", "termination"):
        progress = letters.letter_facts(record, kind)["progress"]
        assert [line.split(":")[0] for line in progress] == ["PHQ-9"], kind
        assert not any("feedback" in line.lower() for line in progress), kind


def test_letters_mark_set_aside_goals_and_name_planned_strategies(
    client: HttpClient, personas, make_client
) -> None:
    """A set-aside goal was listed as current, and a plan with no result yet was left out for
    'Our usual way of working'."""
    record = make_client("C-905", [PHQ9_SEVERE, PHQ9_MILD])
    therapist = personas.therapist
    goal = services.add_goal(user=therapist, client=record, text="Get back to work three days")
    services.revise_goal(
        user=therapist, goal=goal, text="Get back to work three days", change="set_aside"
    )
    services.add_goal(user=therapist, client=record, text="Sleep well")
    review = services.open_review(user=therapist, client=record, ratings={"goals_misfit": (3, "")})
    services.make_plan(
        user=therapist,
        review=review,
        chosen=[services.ChosenStrategy("revisit_goals")],
        review_on=dt.date(2026, 4, 1),
    )
    client.force_login(therapist)
    consultation = client.get(reverse("consultation", args=[record.pk])).content.decode()
    assert "Get back to work three days (set aside)" in consultation
    assert "made from the record as it stood on" in consultation
    client.post(
        reverse("close", args=[record.pk]),
        {"kind": "referral", "ended_on": "2026-02-01", "recipient": "Dr M"},
    )
    text = letter_text(client, record, ClosureLetter.objects.get())
    assert "<li>Sleep well</li>" in text
    assert "<li>Get back to work three days (set aside)</li>" in text
    assert "Revisit the goals together: planned, no result recorded yet" in text
    assert "Our usual way of working" not in text


def test_the_ending_summary_names_what_was_tried_in_words_for_the_client(
    client: HttpClient, personas, make_client
) -> None:
    """The ending summary, written for the client, listed 'Check safety first', 'Seek
    consultation or supervision' and 'Kindly point out deflection': the safety check it
    otherwise leaves out, the therapist's own supervision, and a name that reads as blame.
    The referral letter, for a colleague, keeps the clinical names and the supervision, but
    not the therapist's own self-care ('Therapist self-reflection and self-care: did not
    help' was written to the receiving colleague)."""
    record = make_client("C-960", [PHQ9_SEVERE, PHQ9_SEVERE, PHQ9_MILD])
    therapist = personas.therapist
    review = services.open_review(
        user=therapist,
        client=record,
        ratings={"surface_talk": (3, ""), "therapist_factors": (2, "")},
    )
    services.make_plan(
        user=therapist,
        review=review,
        chosen=[
            services.ChosenStrategy(sid)
            for sid in ("safety_check", "consultation", "self_reflection", "name_deflection")
        ],
        review_on=dt.date(2026, 4, 1),
    )
    hold_session(record)
    client.force_login(therapist)
    client.post(
        reverse("close", args=[record.pk]),
        {"kind": "termination", "ended_on": "2026-02-01", "recommendations": "Keep walking."},
    )
    ending = letter_text(client, record, ClosureLetter.objects.get())
    tried = ending[ending.index("What we tried") : ending.index("</ul>", ending.index("What"))]
    assert "Noticing together when we moved away from the hard part: planned" in tried
    for inward in ("safety", "Safety", "supervision", "self-care", "deflection"):
        assert inward not in tried
    colleague = letters.letter_facts(record, "referral")["tried"]
    assert "Kindly point out deflection: planned, no result recorded yet" in colleague
    assert "Seek consultation or supervision: planned, no result recorded yet" in colleague
    assert not [line for line in colleague if "self-care" in line]
    kinds = {kind for s in default_knowledge().strategies.values() for kind in s.letters}
    assert kinds <= set(LetterKind.values)


def test_every_strategy_the_ending_summary_may_list_has_words_for_the_client(
    client: HttpClient, personas, make_client
) -> None:
    """Only some strategies had words for the client: the same list said 'Building trust
    between us' and then 'Offer resources and education' or 'Empathy and validation', the
    therapist's instructions to themselves, in a letter addressed to the client."""
    listed = [
        s
        for s in default_knowledge().strategies.values()
        if LetterKind.TERMINATION in s.letters and not s.closure  # an ending is the letter
    ]
    assert [s.id for s in listed if not s.client_words] == []
    record = make_client("C-961", [PHQ9_SEVERE, PHQ9_SEVERE, PHQ9_MILD])
    therapist = personas.therapist
    review = services.open_review(
        user=therapist, client=record, ratings={"outside_stressors": (3, "")}
    )
    services.make_plan(
        user=therapist,
        review=review,
        chosen=[services.ChosenStrategy(s) for s in ("resources", "empathy_validation")],
        review_on=dt.date(2026, 4, 1),
    )
    client.force_login(therapist)
    client.post(
        reverse("close", args=[record.pk]), {"kind": "termination", "ended_on": "2026-02-01"}
    )
    ending = letter_text(client, record, ClosureLetter.objects.get())
    assert "Offer resources and education" not in ending
    assert "Empathy and validation" not in ending
    assert "Sharing reading, tools and services to use between sessions: planned" in ending


def test_without_a_plan_the_letter_says_feedback_was_sought_only_when_it_was(
    client: HttpClient, personas, make_client
) -> None:
    """With no plan, 'What we tried' said 'Our usual way of working, reviewed with feedback
    each session.' even when no session feedback was ever given: a claim to a colleague, or to
    the client, that the record does not bear out."""
    client.force_login(personas.therapist)
    without = make_client("C-962", [PHQ9_SEVERE, PHQ9_MILD])
    given = make_client("C-963", [PHQ9_SEVERE, PHQ9_MILD], feedback=[[8, 8, 8, 8]])
    texts = {}
    for record in (without, given):
        client.post(
            reverse("close", args=[record.pk]),
            {"kind": "referral", "ended_on": "2026-02-01", "recipient": "Dr M"},
        )
        texts[record.code] = letter_text(client, record, record.letters.get())
    assert "<li>Our usual way of working.</li>" in texts["C-962"]
    assert "reviewed with feedback" not in texts["C-962"]
    assert "Our usual way of working, reviewed with feedback each session." in texts["C-963"]
    # a letter stored before the record said so keeps the words it was written with
    older = without.letters.get()
    del older.written_from["feedback_given"]
    older.save()
    assert "reviewed with feedback each session" in letter_text(client, without, older)


def test_a_letter_written_in_a_right_to_left_script_reads_right_to_left(
    client: HttpClient, personas, make_client
) -> None:
    """A reason typed in Arabic printed left-aligned, its full stop at the wrong end: the PDF
    engine reads no dir="auto", so each paragraph the therapist typed gets its direction from
    its first letter."""
    arabic = "تقول العميلة إنها تشعر بالتعب."
    record = make_client("C-964", [PHQ9_SEVERE, PHQ9_MILD])
    client.force_login(personas.therapist)
    client.post(
        reverse("close", args=[record.pk]),
        {
            "kind": "referral",
            "ended_on": "2026-02-01",
            "recipient": "Dr M",
            "reason": arabic,
            "recommendations": "Keep walking. " + arabic,
        },
    )
    text = letter_text(client, record, record.letters.get())
    assert f'<p dir="rtl">{arabic}</p>' in text
    assert f'<p dir="ltr">Keep walking. {arabic}</p>' in text
