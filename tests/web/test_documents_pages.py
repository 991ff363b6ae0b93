"""How the printed documents fall on their pages (PDF, read back with pypdfium2)."""

from __future__ import annotations

import datetime as dt

from django.test import Client as HttpClient
from django.urls import reverse
from test_documents import pdf_pages

from personas import PHQ9_MILD, PHQ9_SEVERE
from unstuck.web.reviews import services

STRATEGIES = ["revisit_goals", "open_dialogue", "seek_feedback", "trust_rapport"]


def test_a_plans_heading_line_stays_with_its_table(client: HttpClient, personas, make_client):
    """'Plan made ..., from session 5 on: ...' ended a page whose next began with that plan's
    table: on every page, the last plan's line has its table's header after it."""
    record = make_client("C-800", [PHQ9_SEVERE, PHQ9_SEVERE, PHQ9_MILD, PHQ9_MILD])
    therapist = personas.therapist
    for i in range(24):
        review = services.open_review(
            user=therapist, client=record, ratings={"goals_misfit": (1 + i % 3, "")}
        )
        services.make_plan(
            user=therapist,
            review=review,
            chosen=[services.ChosenStrategy(s) for s in STRATEGIES[: 1 + i % 4]],
            review_on=dt.date(2026, 4, 1),
        )
    client.force_login(therapist)
    pdf = client.get(reverse("consultation", args=[record.pk]), {"format": "pdf"})
    pages = pdf_pages(pdf.content, "consultation-many-plans")
    assert sum(text.count("Plan made ") for text in pages) == 24
    for number, text in enumerate(pages, start=1):
        if "Plan made " in text:
            last = text[text.rindex("Plan made ") :]
            assert "Strategy" in last, f"page {number} ends with a plan's line, not its table"
