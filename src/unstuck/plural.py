"""A count with its noun in the right number: "1 client", "2 clients", never "1 clients"."""

from __future__ import annotations


def counted(n: int, noun: str, plural: str | None = None, *, grouped: bool = False) -> str:
    """`n` and `noun`, or its plural (`noun` + "s" unless given) when `n` is not 1; with
    `grouped`, thousands are separated by commas (2,500)."""
    number = f"{n:,}" if grouped else str(n)
    return f"{number} {noun if n == 1 else plural or noun + 's'}"
