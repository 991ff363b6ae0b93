"""Taking back one questionnaire's answers on the session and correction forms, without script:
each questionnaire has a 'Clear the ... answers' button that posts the form and gets it back
with everything typed but those answers. Nothing is saved, the one-time token is not used up,
and the next Save stores the session once (a tester found a stray GAD-7 tick could only be
undone by reloading, losing the rest)."""

from __future__ import annotations

import html
import re

import pytest
from django.contrib.messages import get_messages
from django.test import Client as HttpClient
from django.urls import reverse

from personas import PHQ9_MILD
from unstuck.web.accounts.models import AuditAction, AuditEntry
from unstuck.web.idempotency.models import FormSubmission
from unstuck.web.idempotency.once import ALREADY_SAVED, new_token
from unstuck.web.records.models import Session

PHQ9 = {f"phq9__item_{n}": a for n, a in enumerate([2, 2, 1, 1, 1, 1, 0, 0, 0], start=1)}
TYPED = {
    "date": "2026-03-02",
    "attendance": "attended",
    "duration_minutes": "50",
    "completed_by": "client",
    "markers": ["avoided_topics"],
    "note": "Talked about sleep & work",
    **PHQ9,
}
MISTAKE = {"gad7__item_1": 1}  # one GAD-7 answer clicked by mistake: GAD-7 was not given


def checked(body: str) -> dict[str, str]:
    """The radio buttons chosen on a page: name -> value."""
    found = re.findall(r'<input type="radio" name="(\w+)" value="(\w+)"[^>]*\bchecked\b', body)
    return dict(found)


@pytest.fixture
def record(make_client):
    return make_client("C-300", [PHQ9_MILD])


def test_it_clears_one_questionnaire_and_keeps_the_rest(client: HttpClient, personas, record):
    client.force_login(personas.therapist)
    url = reverse("session_new", args=[record.pk])
    token = new_token()
    audited = AuditEntry.objects.filter(action=AuditAction.RECORD_SESSION)
    before = audited.count()  # the client's first session, recorded by the fixture
    response = client.post(url, TYPED | MISTAKE | {"clear": "gad7", "submit_token": token})
    body = html.unescape(response.content.decode())
    assert response.status_code == 200
    assert "The GAD-7 answers are cleared" in body
    assert "Nothing was saved." not in body  # no error list: the form was not checked
    chosen = checked(body)
    assert not any(name.startswith("gad7__") for name in chosen)
    assert {k: str(v) for k, v in PHQ9.items()} == {
        k: v for k, v in chosen.items() if k.startswith("phq9__")
    }
    assert chosen["attendance"] == "attended"
    assert ">\nTalked about sleep & work</textarea>" in body
    assert 'name="duration_minutes" value="50"' in body
    assert re.search(r'value="avoided_topics"[^>]*\bchecked\b', body)
    # Nothing stored, nothing audited as stored, the token not used up.
    assert Session.objects.filter(episode__client=record).count() == 1
    assert audited.count() == before
    assert not FormSubmission.objects.exists()
    # The page goes on: its Save stores the session once, with this token or the page's new one.
    saved = client.post(url, TYPED | {"submit_token": token})
    assert saved.status_code == 302
    again = client.post(url, TYPED | {"submit_token": token})
    assert ALREADY_SAVED in [m.message for m in get_messages(again.wsgi_request)]
    session = Session.objects.get(episode__client=record, number=2)
    assert [r.instrument for r in session.responses.all()] == ["phq9"]
    assert session.note == "Talked about sleep & work"
    assert Session.objects.filter(episode__client=record).count() == 2
    assert audited.count() == before + 1


def test_the_clear_buttons_come_after_save(client: HttpClient, personas, record) -> None:
    """Enter in a field presses a form's first submit button: it must be Save, not a Clear."""
    client.force_login(personas.therapist)
    body = client.get(reverse("session_new", args=[record.pk])).content.decode()
    buttons = re.findall(r"<button[^>]*>([^<]*)</button>", body[body.index('id="session-form"') :])
    assert buttons[:4] == [
        "Save session",
        "Clear the PHQ-9 answers",
        "Clear the GAD-7 answers",
        "Clear the Session feedback answers",
    ]
    assert re.search(
        r'name="clear" value="gad7" formaction="[^"#]*#block-gad7" formnovalidate', body
    )


def test_the_correction_form_clears_the_same_way(client: HttpClient, personas, record) -> None:
    client.force_login(personas.therapist)
    url = reverse("session_correct", args=[record.pk, 1])
    typed = TYPED | MISTAKE | {"reason": "Typed the wrong answers", "clear": "phq9"}
    body = html.unescape(client.post(url, typed).content.decode())
    assert "The PHQ-9 answers are cleared" in body
    chosen = checked(body)
    assert not any(name.startswith("phq9__") for name in chosen)  # nor the recorded ones
    assert chosen["gad7__item_1"] == "1"
    assert 'value="Typed the wrong answers"' in body
    assert not Session.objects.get(episode__client=record, number=1).revisions.exists()
