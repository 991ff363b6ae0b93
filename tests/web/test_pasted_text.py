"""Text pasted from email or a word processor: invisible characters dropped, and a character
that is refused named, with the field it is in, on every form that refuses it."""

from __future__ import annotations

import datetime as dt
import html

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from personas import PHQ9_MILD, hold_session
from unstuck.impasse import default_knowledge
from unstuck.web.reviews import services
from unstuck.web.reviews.models import Goal, Plan, Reflection, Review, StrategyResult
from unstuck.web.validation import multi_line, single_line

FLAT = [2, 2, 2, 2, 2, 2, 1, 1, 0]  # 14: a plateau after six sessions
SOFT_HYPHEN, ZERO_WIDTH_SPACE, OVERRIDE = "\u00ad", "\u200b", "\u202e"


def text(response) -> str:  # type: ignore[no-untyped-def]
    return html.unescape(response.content.decode())


def test_invisible_characters_are_dropped_from_what_is_stored(
    client: HttpClient, personas, make_client
) -> None:
    """A goal pasted with a soft hyphen and a zero-width space was refused with a message
    pointing at a character nobody could see."""
    record = make_client("C-840", [PHQ9_MILD])
    client.force_login(personas.therapist)
    pasted = f"Sleep through{ZERO_WIDTH_SPACE} the night{SOFT_HYPHEN}"
    client.post(reverse("goals", args=[record.pk]), {"new-text": pasted})
    assert Goal.objects.get().current.text == "Sleep through the night"
    url = reverse("reflections") + f"?client={record.pk}"
    assert client.post(url, {"frustration": "1", "note": f"tired{SOFT_HYPHEN}"}).status_code == 302
    assert Reflection.objects.get().note == "tired"


def test_joiners_that_scripts_need_are_kept() -> None:
    persian = "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645"  # Persian "I want"
    single_line(persian)
    multi_line("family: \U0001f469\u200d\U0001f467")  # an emoji joined with a joiner


def test_a_refused_character_is_named_with_its_field_on_the_review_form(
    client: HttpClient, personas, make_client
) -> None:
    """The review said only 'Nothing was saved.' with an empty list of errors."""
    record = make_client("C-841", [FLAT] * 6)
    client.force_login(personas.therapist)
    data = {f"rating__{r}": "0" for r in default_knowledge().reasons}
    data["evidence__goals_misfit"] = f"flat {OVERRIDE}scores"
    page = text(client.post(reverse("review_new", args=[record.pk]), data))
    assert not Review.objects.exists()
    errors = page[page.index("Nothing was saved.") :]
    errors = errors[: errors.index("</div>")]
    assert "Evidence for “Goals that no longer fit”" in errors
    assert "U+202E right-to-left override" in errors
    assert "character 6" in errors


def test_a_refused_character_is_named_on_the_reflections_page(
    client: HttpClient, personas, make_client
) -> None:
    """Nothing was saved and no message appeared at all."""
    record = make_client("C-842", [PHQ9_MILD])
    client.force_login(personas.therapist)
    url = reverse("reflections") + f"?client={record.pk}"
    page = text(client.post(url, {"frustration": "1", "reactions": f"anger{OVERRIDE}"}))
    assert not Reflection.objects.exists()
    assert "What is this client's situation stirring up in you?" in page[: page.index("<fieldset")]
    assert "U+202E" in page


@pytest.mark.parametrize(
    ("posted", "message"),
    [
        ({"result": "partly", "note": f"ok{OVERRIDE}"}, "Note: This holds a character"),
        ({"note": "ok"}, "Choose an answer for “How the strategy went”."),
    ],
)
def test_a_strategy_result_says_what_was_wrong(
    client: HttpClient, personas, make_client, posted: dict[str, str], message: str
) -> None:
    """Any refusal read 'Choose how the strategy went.', though a result had been chosen."""
    record = make_client("C-843", [FLAT] * 6)
    review = services.open_review(
        user=personas.therapist, client=record, ratings={"goals_misfit": (3, "")}
    )
    services.make_plan(
        user=personas.therapist,
        review=review,
        chosen=[services.ChosenStrategy("revisit_goals")],
        review_on=dt.date.today() + dt.timedelta(days=28),
    )
    strategy = Plan.objects.get().strategies.get()
    hold_session(record)
    client.force_login(personas.therapist)
    page = text(client.post(reverse("strategy_result", args=[strategy.pk]), posted, follow=True))
    assert not StrategyResult.objects.exists()
    assert message in page
    assert "Choose how the strategy went." not in page
