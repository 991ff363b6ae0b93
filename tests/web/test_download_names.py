"""A download keeps its name whatever the client code holds: the Content-Disposition header is
pure ASCII, with an ASCII `filename` and the exact name in `filename*` (RFC 6266, RFC 8187),
never an email-style ``=?utf-8?b?...?=`` word that browsers do not read."""

from __future__ import annotations

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from personas import PHQ9_MILD
from unstuck.web.downloads import content_disposition


def test_it_names_a_pdf_of_a_client_with_accents_and_letters_outside_ascii(
    client: HttpClient, personas, make_client
) -> None:
    record = make_client("ÉLODIE-Ø", [PHQ9_MILD])
    client.force_login(personas.therapist)
    response = client.get(reverse("consultation", args=[record.pk]), {"format": "pdf"})
    header = response["Content-Disposition"]
    assert header.isascii()
    assert "=?utf-8?" not in header
    assert header == (
        'inline; filename="consultation-ELODIE-_.pdf"; '
        "filename*=UTF-8''consultation-%C3%89LODIE-%C3%98.pdf"
    )


@pytest.mark.parametrize(
    ("name", "attachment", "header"),
    [
        ("team-figures.csv", True, 'attachment; filename="team-figures.csv"'),
        ("phq9.fhir.json", True, 'attachment; filename="phq9.fhir.json"'),
        (
            'C "7"; x.pdf',  # a quote or a semicolon would end the plain name early
            False,
            "inline; filename=\"C__7___x.pdf\"; filename*=UTF-8''C%20%227%22%3B%20x.pdf",
        ),
        ("Zoë.pdf", False, "inline; filename=\"Zoe.pdf\"; filename*=UTF-8''Zo%C3%AB.pdf"),
    ],
)
def test_it_gives_an_ascii_name_and_the_exact_one(name: str, attachment: bool, header: str):
    assert content_disposition(name, as_attachment=attachment) == header
    assert header.isascii()


def test_the_team_figures_download_keeps_its_name(client: HttpClient, personas) -> None:
    client.force_login(personas.supervisor)
    response = client.get(reverse("team_csv"))
    assert response["Content-Disposition"] == 'attachment; filename="team-figures.csv"'


@pytest.mark.parametrize(
    ("kind", "name"),
    [("termination", "ending-summary-C-1.pdf"), ("referral", "referral-letter-C-1.pdf")],
)
def test_a_letters_file_is_named_as_the_letter_is_titled(
    client: HttpClient, personas, make_client, kind: str, name: str
) -> None:
    """The ending summary downloaded as 'termination-C-1.pdf', the code it is stored under, not
    the name it is printed with."""
    record = make_client("C-1", [PHQ9_MILD])
    client.force_login(personas.therapist)
    client.post(
        reverse("close", args=[record.pk]),
        {"kind": kind, "ended_on": "2026-02-01", "recipient": "Dr M"},
    )
    letter = record.letters.get()
    response = client.get(reverse("letter", args=[record.pk, letter.pk]), {"format": "pdf"})
    assert response["Content-Disposition"] == f'inline; filename="{name}"'
