"""The safety-check form ties each error to its field, as the other forms do: a screen reader
on the note (or the outcome buttons) hears what is wrong there. Before, the error was only in
the list at the top, and the note's aria-describedby named ids that were on no element."""

from __future__ import annotations

from html.parser import HTMLParser

from django.test import Client as HttpClient
from django.urls import reverse

from personas import PHQ9_SEVERE
from unstuck.web.records.models import SafetyCheck

RISK_2 = [3, 3, 3, 3, 2, 2, 2, 2, 2]
VOID = {"input", "br", "hr", "img", "meta", "link"}


class _Page(HTMLParser):
    """Each element's attributes by id, and the text inside each element with an id."""

    def __init__(self) -> None:
        super().__init__()
        self.attrs: dict[str, dict[str, str | None]] = {}
        self.text: dict[str, str] = {}
        self.radiogroups: list[dict[str, str | None]] = []
        self._open: list[str | None] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        element_id = found.get("id")
        if element_id:
            self.attrs[element_id] = found
            self.text.setdefault(element_id, "")
        if found.get("role") == "radiogroup":
            self.radiogroups.append(found)
        if tag not in VOID:
            self._open.append(element_id)

    def handle_endtag(self, tag: str) -> None:
        if tag not in VOID and self._open:
            self._open.pop()

    def handle_data(self, data: str) -> None:
        for element_id in self._open:
            if element_id:
                self.text[element_id] += data


def parsed(response) -> _Page:  # type: ignore[no-untyped-def]
    page = _Page()
    page.feed(response.content.decode())
    return page


def described_by(page: _Page, attrs: dict[str, str | None]) -> str:
    """The text of the elements an element's aria-describedby names (each must exist)."""
    names = (attrs.get("aria-describedby") or "").split()
    assert names, f"{attrs} has no aria-describedby"
    missing = [n for n in names if n not in page.attrs]
    assert not missing, f"described by ids on no element: {missing}"
    return " ".join(page.text[n] for n in names)


def test_it_ties_the_missing_note_error_to_the_note(
    client: HttpClient, personas, make_client
) -> None:
    record = make_client("C-SC1", [PHQ9_SEVERE, RISK_2])
    client.force_login(personas.therapist)
    response = client.post(
        reverse("safety_check", args=[record.pk]), {"outcome": "other", "note": " "}
    )
    page = parsed(response)
    note = page.attrs["id_note"]
    assert note.get("aria-invalid") == "true"
    said = described_by(page, note)
    assert "A note is needed when you choose 'Other'." in said
    assert "Say what was done when you choose 'Other'" in said  # and its help, as before
    assert not SafetyCheck.objects.exists()


def test_it_ties_the_missing_outcome_error_to_the_outcome_buttons(
    client: HttpClient, personas, make_client
) -> None:
    record = make_client("C-SC2", [PHQ9_SEVERE, RISK_2])
    client.force_login(personas.therapist)
    response = client.post(reverse("safety_check", args=[record.pk]), {"note": "Talked."})
    page = parsed(response)
    (outcome,) = page.radiogroups
    assert "Choose what happened at the check-in." in described_by(page, outcome)
    assert "aria-invalid" not in page.attrs["id_note"]  # the note was fine
    assert not SafetyCheck.objects.exists()
