"""Definition files shaped oddly: each is read or refused with its place and reason, never a
traceback (the Instruments page showed a server error for the first, and a refusal that
said nothing of what was wrong for the second)."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_loader import CUSTOM, write

from unstuck.errors import InvalidDefinition
from unstuck.measures import load_definition
from unstuck.measures.definition_schema import SHOWN_CHARACTERS
from unstuck.measures.loader import TOO_DEEP, parse_definition_text


@pytest.mark.parametrize(
    "nested",
    ["a = " + "[" * 5000 + "]" * 5000, "a = " + "{b = " * 3000 + "1" + "}" * 3000],
    ids=["lists", "tables"],
)
def test_it_refuses_values_nested_thousands_deep_naming_the_file(nested: str) -> None:
    with pytest.raises(InvalidDefinition) as caught:
        parse_definition_text(nested, "deep.toml")
    assert str(caught.value) == f"deep.toml: {TOO_DEEP}"


def test_it_reads_a_file_that_starts_with_a_byte_order_mark(tmp_path: Path) -> None:
    path = tmp_path / "wellbeing5.toml"
    path.write_bytes(b"\xef\xbb\xbf" + CUSTOM.encode())
    assert load_definition(path).id == "wellbeing5"
    assert parse_definition_text("\ufeff" + CUSTOM, "upload.toml").id == "wellbeing5"


def test_a_long_wrong_value_is_quoted_short(tmp_path: Path) -> None:
    many = "[" + ", ".join(["1"] * 5000) + "]"
    text = CUSTOM.replace('license = "', f'citations = [{many}]\nlicense = "', 1)
    with pytest.raises(InvalidDefinition) as caught:
        load_definition(write(tmp_path, text))
    message = str(caught.value)
    assert message.startswith("broken.toml at citations[0]: must be text in quotes, not a list")
    assert "([1, 1, 1," in message
    assert len(message) < len("broken.toml at citations[0]: ") + 60 + SHOWN_CHARACTERS
