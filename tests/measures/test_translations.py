"""Item text in other languages: a clinic's definition carries a translation it holds; every
text must be given; the words change and the scoring does not."""

from __future__ import annotations

import pytest

from calm_form import FORM, SPANISH
from unstuck.errors import InvalidDefinition
from unstuck.measures import parse_definition_text, score_answers
from unstuck.measures.translations import in_language


def test_a_translation_changes_the_words_and_not_the_scoring() -> None:
    form = parse_definition_text(FORM.format(translation=SPANISH), "calm.toml")
    assert [t.language_name for t in form.translations] == ["Español"]
    spanish = in_language(form, "es")
    assert spanish.stem == "Esta semana, ¿con qué frecuencia...?"
    assert [i.text for i in spanish.items] == [
        "¿se sintió en calma?",
        "¿pensó en hacerse daño?",
        "¿Qué tan seguro está?",
    ]
    assert [o.label for o in spanish.items[0].options] == ["Nunca", "A veces", "A menudo"]
    assert [o.label for o in spanish.items[2].options] == ["No estoy seguro", "Seguro"]
    assert [o.value for o in spanish.items[1].options] == [o.value for o in form.items[1].options]
    assert spanish.safety_items == form.safety_items == (2,)
    assert score_answers(spanish, [2, 1, 1]) == score_answers(form, [2, 1, 1])
    assert score_answers(spanish, [2, 1, 1]).safety_alert
    assert in_language(form, "fr") is form  # no such translation: the form's own words


@pytest.mark.parametrize(
    ("change", "where", "says"),
    [
        (("items = [", 'items = ["extra", '), "translations.es.items", "has 4 texts"),
        (('options = ["Nunca", ', "options = ["), "translations.es.options", "has 2 labels"),
        (('"3" = ["No estoy seguro", "Seguro"]', ""), "translations.es.item_options", "item 3"),
        (('stem = "Esta', 'name = "Calma"\n#'), "translations.es.stem", "needs one"),
        (("translations.es", "translations.Spanish"), "translations.Spanish", "language tag"),
        (('"3" = [', '"9" = ["x"]\n"3" = ['), "translations.es.item_options.9", "is not"),
    ],
)
def test_an_incomplete_translation_is_refused_where_it_is(
    change: tuple[str, str], where: str, says: str
) -> None:
    broken = SPANISH.replace(*change)
    assert broken != SPANISH
    with pytest.raises(InvalidDefinition) as refused:
        parse_definition_text(FORM.format(translation=broken), "calm.toml")
    assert refused.value.location == where
    assert says in refused.value.reason


def test_the_schema_refuses_a_translation_without_its_source() -> None:
    without = SPANISH.replace('source = "Our test translation."\n', "")
    with pytest.raises(InvalidDefinition) as refused:
        parse_definition_text(FORM.format(translation=without), "calm.toml")
    assert "source" in str(refused.value)
