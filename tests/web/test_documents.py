"""Printable documents: consultation summary, referral letter, ending summary (HTML, PDF).

The PDFs are rendered to PNG (pypdfium2) and saved under test-artifacts/ so a person can look
at them; the tests check that they have pages, are not blank, and carry the right words.
"""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from personas import PHQ9_MILD, PHQ9_SEVERE, hold_session
from unstuck.impasse.ranking import MARKER_EVIDENCE
from unstuck.web.records.models import Episode
from unstuck.web.reviews import services
from unstuck.web.reviews.models import ClosureLetter

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "documents"


def pdf_pages(content: bytes, name: str) -> list[str]:
    """Each page's text; page 1 is saved as a PNG and must not be blank."""
    assert content.startswith(b"%PDF-")
    document = pdfium.PdfDocument(content)
    texts = [page.get_textpage().get_text_range() for page in document]
    image = document[0].render(scale=1.5).to_pil()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    image.save(ARTIFACTS / f"{name}.png")
    colours = image.convert("L").getextrema()
    assert colours[0] < 100 < colours[1]  # dark text on a light page
    return texts


@pytest.fixture
def record(make_client, personas):
    client = make_client("C-700", [PHQ9_SEVERE, PHQ9_SEVERE, PHQ9_SEVERE, PHQ9_MILD])
    services.add_goal(user=personas.therapist, client=client, text="Get up before nine")
    return client


def test_the_consultation_summary_prints_as_html_and_pdf(
    client: HttpClient, personas, record, caplog: pytest.LogCaptureFixture
):
    client.force_login(personas.supervisor)
    html = client.get(reverse("consultation", args=[record.pk])).content.decode()
    assert "Consultation summary: C-700" in html
    assert "Get up before nine" in html
    assert "<svg" in html  # the chart
    # the document is the page's main landmark (a screen reader's "skip to content")
    assert html.count("<main>") == 1
    assert html.index("<main>") < html.index("Consultation summary: C-700")
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        response = client.get(reverse("consultation", args=[record.pk]), {"format": "pdf"})
    assert response["Content-Type"] == "application/pdf"
    # No warning per PDF in the server's log (stylesheet rules WeasyPrint does not know).
    assert [r.getMessage() for r in caplog.records if r.name.startswith("weasyprint")] == []
    text = " ".join(pdf_pages(response.content, "consultation"))
    assert "Consultation summary: C-700" in text
    assert "Questions for consultation" in text
    # Each source is cited once, by number, as on the client page.
    assert "(source 1)" in html
    assert html.count("NCCMH, NHS Talking Therapies Manual") == 1


def test_the_consultation_summary_names_the_reviews_author_even_to_the_author(
    client: HttpClient, personas, record
) -> None:
    """It is written for a consultant or supervisor, yet printed the checklist's evidence as
    'You noted ...': the consultant read the therapist's words as their own."""
    evidence = MARKER_EVIDENCE.format(label="Avoided topics", times="twice")
    services.open_review(
        user=personas.therapist,
        client=record,
        ratings={"goals_misfit": (2, evidence)},
        notes="Goals feel far off.",
    )
    for person in (personas.therapist, personas.supervisor):
        client.force_login(person)
        url = reverse("consultation", args=[record.pk])
        page = client.get(url).content.decode()
        assert "Alex noted “Avoided topics” twice recently (checklist)." in page
        assert "Alex&#x27;s notes from that review:</strong> Goals feel far off." in page
        text = " ".join(pdf_pages(client.get(url, {"format": "pdf"}).content, "consultation-voice"))
        assert "Alex noted “Avoided topics”" in text
        assert "Alex's notes from that review" in text
        for second_person in ("You noted", "Your notes", "you saw"):
            assert second_person not in page
            assert second_person not in text


def test_a_referral_letter_closes_the_episode(client: HttpClient, personas, record):
    client.force_login(personas.therapist)
    response = client.post(
        reverse("close", args=[record.pk]),
        {
            "kind": "referral",
            "ended_on": "2026-03-01",
            "recipient": "Community trauma service",
            "reason": "Specialist trauma work fits what we found together.",
            "recommendations": "Trauma-focused therapy once safety and stability are in place.",
            "resources": "Local peer support group",
        },
    )
    letter = ClosureLetter.objects.get()
    assert response.status_code == 302
    episode = Episode.objects.get(client=record)
    assert (episode.ended_on, episode.end_reason) == (dt.date(2026, 3, 1), "referred")
    pdf = client.get(reverse("letter", args=[record.pk, letter.pk]), {"format": "pdf"})
    text = " ".join(pdf_pages(pdf.content, "referral-letter"))
    assert "Community trauma service" in text
    assert "Specialist trauma work fits" in text


def test_a_termination_summary_leaves_the_door_open(client: HttpClient, personas, record):
    client.force_login(personas.therapist)
    client.post(
        reverse("close", args=[record.pk]),
        {"kind": "termination", "ended_on": "2026-03-01", "recommendations": "Keep walking."},
    )
    letter = ClosureLetter.objects.get()
    assert Episode.objects.get(client=record).end_reason == "completed"
    html = client.get(reverse("letter", args=[record.pk, letter.pk])).content.decode()
    assert "The door stays open" in html
    text = " ".join(
        pdf_pages(
            client.get(reverse("letter", args=[record.pk, letter.pk]), {"format": "pdf"}).content,
            "termination-summary",
        )
    )
    assert "welcome to get in touch again" in text


def test_a_referral_needs_a_recipient_and_nothing_is_saved(client: HttpClient, personas, record):
    client.force_login(personas.therapist)
    response = client.post(
        reverse("close", args=[record.pk]), {"kind": "referral", "ended_on": "2026-03-01"}
    )
    assert "A referral letter needs a recipient." in response.content.decode()
    assert not ClosureLetter.objects.exists()
    assert Episode.objects.get(client=record).ended_on is None


def test_colleagues_cannot_print_or_close(client: HttpClient, personas, record):
    client.force_login(personas.colleague)
    assert client.get(reverse("consultation", args=[record.pk])).status_code == 404
    assert client.post(reverse("close", args=[record.pk]), {}).status_code == 404


def test_a_letter_counts_attended_sessions_and_lists_what_was_tried_in_plain_words(
    client: HttpClient, personas, make_client
):
    """The client reads this: sessions they came to (not those missed), the strategies tried
    (not the ending itself; one only planned says so), and goal ratings in words (not
    'attainment -1 on a -2..+2')."""
    record = make_client(
        "C-710",
        [PHQ9_SEVERE, None, PHQ9_SEVERE, None, PHQ9_MILD],
        attendance=["attended", "no_show", "late", "cancelled", "attended"],  # late: came
    )
    therapist = personas.therapist
    goal = services.add_goal(user=therapist, client=record, text="Sleep through the night")
    services.rate_goal(user=therapist, goal=goal, rated_on=dt.date(2026, 2, 1), attainment=-1)
    review = services.open_review(user=therapist, client=record, ratings={"goals_misfit": (3, "")})
    plan = services.make_plan(
        user=therapist,
        review=review,
        chosen=[
            services.ChosenStrategy("revisit_goals"),
            services.ChosenStrategy("open_dialogue"),  # planned, no result: not tried
            services.ChosenStrategy("respectful_ending"),
        ],
        review_on=dt.date(2026, 4, 1),
    )
    hold_session(record)  # a fourth session attended, with the plan
    for ps in plan.strategies.exclude(strategy_id="open_dialogue"):
        services.record_strategy_result(user=therapist, strategy=ps, result="helped")
    client.force_login(therapist)
    client.post(
        reverse("close", args=[record.pk]),
        {"kind": "termination", "ended_on": "2026-03-01", "recommendations": "Keep walking."},
    )
    letter = ClosureLetter.objects.get()
    html = client.get(reverse("letter", args=[record.pk, letter.pk])).content.decode()
    assert "4 sessions attended" in html
    tried = html[html.index("What we tried") : html.index("</ul>", html.index("What we tried"))]
    assert "Looking at your goals again together: helped" in tried
    assert "End respectfully" not in tried
    # planned, no result: named as planned, not as tried
    assert "Talking openly about how therapy feels for you: planned, no result recorded" in tried
    assert "Sleep through the night (at the last rating: somewhat less than expected)" in html
    assert "-2..+2" not in html


def test_the_consultation_summary_charts_every_measure(client: HttpClient, personas, make_client):
    record = make_client(
        "C-720",
        [PHQ9_SEVERE, PHQ9_SEVERE, PHQ9_MILD],
        feedback=[[9, 9, 9, 9], [8, 8, 8, 8], [5, 5, 5, 5]],
    )
    client.force_login(personas.supervisor)
    html = client.get(reverse("consultation", args=[record.pk])).content.decode()
    assert "PHQ-9 by session:" in html
    assert "Session feedback by session:" in html
    assert html.count('<svg class="chart') == 2
    pdf = client.get(reverse("consultation", args=[record.pk]), {"format": "pdf"})
    text = " ".join(pdf_pages(pdf.content, "consultation-two-charts"))
    assert "Session feedback by session" in text


def test_a_letter_names_the_measures_in_the_client_pages_order(db) -> None:  # type: ignore[no-untyped-def]
    """PHQ-9 first, as on the session form and the client page (by id, GAD-7 came first)."""
    from unstuck.progress.summary import Observation, summarise_client
    from unstuck.web.records.instruments import instruments
    from unstuck.web.reviews.letters import progress_sentences

    rows = [Observation("gad7", 1, 15), Observation("gad7", 2, 9)]
    rows += [Observation("phq9", 1, 18), Observation("phq9", 2, 11)]
    lines = progress_sentences(summarise_client("C", rows, instruments()))
    assert [line.split(":")[0] for line in lines] == ["PHQ-9", "GAD-7"]


def test_a_letter_and_the_summary_say_the_latest_safety_answer_and_whether_it_was_checked(
    client: HttpClient, personas, make_client
) -> None:
    """The letter said only 'answered a question about risk above 0 during this work', and
    the consultation summary left out the answer and its check."""
    from unstuck.web.records import alerts

    risky = [3, 3, 3, 3, 2, 2, 2, 2, 3]  # item 9 answered 3
    record = make_client("C-730", [PHQ9_SEVERE, risky, PHQ9_SEVERE, risky])
    first, _ = sorted(record.safety_alerts.all(), key=lambda a: a.session_number)
    alerts.record_safety_check(
        user=personas.therapist, client=record, outcome="no_current_risk", alert_ids=[first.pk]
    )
    client.force_login(personas.therapist)
    summary = client.get(reverse("consultation", args=[record.pk])).content.decode()
    listed = summary[summary.index('id="safety-history"') :]
    assert "item 9 answered 3 (Nearly every day) at session 4" in listed
    assert "no safety check recorded yet" in listed
    assert "at session 2 (2026-01-12): checked" in listed
    client.post(
        reverse("close", args=[record.pk]),
        {
            "kind": "referral",
            "ended_on": "2026-02-01",
            "recipient": "Dr Morgan",
            "reason": "Specialist care",
            "safety_considered": "on",
        },
    )
    letter = ClosureLetter.objects.get()
    html = client.get(reverse("letter", args=[record.pk, letter.pk])).content.decode()
    assert (
        "(most recently PHQ-9 item 9 answered 3 (Nearly every day) at session 4 (2026-01-26); "
        "no safety check is recorded since)"
    ) in html


def test_a_letter_names_the_client_when_the_record_has_a_name_and_signs_with_the_clinic(
    client: HttpClient, personas, make_client
) -> None:
    """The ending summary, addressed to the client, was headed by the code alone though a
    name was saved; neither letter said which clinic it came from."""
    record = make_client("C-740", [PHQ9_SEVERE, PHQ9_MILD])
    record.name = "Jo Example"
    record.save(update_fields=["name"])
    client.force_login(personas.therapist)
    client.post(
        reverse("close", args=[record.pk]),
        {"kind": "termination", "ended_on": "2026-02-01", "recommendations": "Keep walking."},
    )
    letter = ClosureLetter.objects.get()
    html = client.get(reverse("letter", args=[record.pk, letter.pk])).content.decode()
    assert "Ending summary: C-740 (Jo Example)" in html
    assert f"{personas.therapist.display_name}, {record.clinic.name}" in html


def test_a_long_address_wraps_in_the_pdf_and_every_page_names_the_client(
    client: HttpClient, personas, record
) -> None:
    """A pasted web address ran off the right edge and was cut off; page 2 of 3 said only
    'page 2 of 3'."""
    address = "https://example.org/" + "averylongpathwithoutanybreak" * 12
    therapist = personas.therapist
    review = services.open_review(user=therapist, client=record, ratings={"goals_misfit": (3, "")})
    plan = services.make_plan(
        user=therapist,
        review=review,
        chosen=[services.ChosenStrategy("revisit_goals")],
        review_on=dt.date(2026, 4, 1),
    )
    hold_session(record)
    services.record_strategy_result(
        user=therapist, strategy=plan.strategies.get(), result="partly", note=address
    )
    client.force_login(therapist)
    consultation = client.get(reverse("consultation", args=[record.pk]), {"format": "pdf"})
    within_the_page(consultation.content)
    client.post(
        reverse("close", args=[record.pk]),
        {
            "kind": "referral",
            "ended_on": "2026-03-01",
            "recipient": "Dr Morgan",
            "recommendations": address + "\n" + "Keep walking every day.\n" * 70,
        },
    )
    letter = ClosureLetter.objects.get()
    pdf = client.get(reverse("letter", args=[record.pk, letter.pk]), {"format": "pdf"}).content
    texts = pdf_pages(pdf, "referral-long-address")
    assert len(texts) >= 2
    for number, text in enumerate(texts, start=1):
        assert "Referral: C-700" in text
        assert f"page {number} of {len(texts)}" in text
    within_the_page(pdf)


def within_the_page(pdf: bytes) -> None:
    for page in pdfium.PdfDocument(pdf):
        textpage = page.get_textpage()
        rights = [textpage.get_charbox(i)[2] for i in range(textpage.count_chars())]
        assert max(rights) <= page.get_width(), "text runs off the right edge of the page"


def test_each_chart_of_the_consultation_summary_stays_on_one_page(
    client: HttpClient, personas
) -> None:
    """A chart's title ('GAD-7 by session') ended page 1 while the chart itself began
    page 2: on every page, each chart's title has its summary line below it."""
    from unstuck.web.records import services as records

    therapist = personas.therapist
    start = dt.date(2026, 1, 5)
    record = records.create_client(therapist=therapist, code="C-760", started_on=start)
    for i, (phq, gad) in enumerate([(0, 2), (1, 0), (2, 1), (0, 3), (3, 3)]):
        records.record_session(
            user=therapist,
            client=record,
            data=records.SessionInput(
                date=start + dt.timedelta(days=7 * i),
                attendance="attended",
                answers={
                    "phq9": [3, 3, 3, 3, 3, phq, 0, 0, 0 if i < 4 else 2],
                    "gad7": [3, 3, 3, 3, 2, 0, gad],
                    "session_feedback": [8, 8, 8, 8 - i],
                },
            ),
        )
    client.force_login(therapist)
    pdf = client.get(reverse("consultation", args=[record.pk]), {"format": "pdf"})
    pages = pdf_pages(pdf.content, "consultation-charts-whole")
    assert sum(p.count(" by session (") for p in pages) == 3
    for text in pages:
        assert text.count(" by session (") == text.count(" scores, from "), text
