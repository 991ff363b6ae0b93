"""Counts and lists as a sentence writes them: a count with its noun in the right number ("1
client", "2 clients", never "1 clients"), and a list joined with commas and "and"."""

from __future__ import annotations

from collections.abc import Sequence


def counted(n: int, noun: str, plural: str | None = None, *, grouped: bool = False) -> str:
    """`n` and `noun`, or its plural (`noun` + "s" unless given) when `n` is not 1; with
    `grouped`, thousands are separated by commas (2,500)."""
    number = f"{n:,}" if grouped else str(n)
    return f"{number} {noun if n == 1 else plural or noun + 's'}"


def listed(words: Sequence[str]) -> str:
    """`words` for a sentence: "a", "a and b", "a, b and c"."""
    return " and ".join([", ".join(words[:-1]), words[-1]]) if len(words) > 1 else "".join(words)
