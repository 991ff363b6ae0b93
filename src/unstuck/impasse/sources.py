"""The knowledge base's source documents by title (sources.toml), for pages and letters.

Reasons and strategies name their sources by seed file (`seeds`), which is stable and checked
by the loader; people need the document's title instead. Kept in its own data file so the
reasons and strategies files stay as they are.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources

from unstuck.errors import InvalidDefinition
from unstuck.impasse.model import SEED_FILES

FILE = "sources.toml"


@dataclass(frozen=True)
class Source:
    seed: str
    title: str
    short: str
    kind: str

    @property
    def citation(self) -> str:
        """The short form shown beside a strategy: title and kind, e.g. 'X (article)'."""
        return f"{self.short} ({self.kind})"


@cache
def sources() -> dict[str, Source]:
    """Every seed's source, checked: each seed has one, with a title and a short citation."""
    data = tomllib.loads((resources.files("unstuck.impasse") / FILE).read_text("utf-8"))
    table = data.get("source", {})
    result: dict[str, Source] = {}
    for seed in SEED_FILES:
        entry = table.get(seed)
        if not isinstance(entry, dict):
            raise InvalidDefinition(FILE, f"source.{seed!r}", "missing: every seed needs a title")
        for key in ("title", "short", "kind"):
            if not isinstance(entry.get(key), str) or not entry[key].strip():
                raise InvalidDefinition(FILE, f"source.{seed!r}.{key}", "needs some text")
        result[seed] = Source(seed, entry["title"], entry["short"], entry["kind"])
    unknown = sorted(set(table) - set(SEED_FILES))
    if unknown:
        raise InvalidDefinition(FILE, f"source.{unknown[0]!r}", "is no seed")
    return result


def cite(seeds: tuple[str, ...] | list[str]) -> list[Source]:
    """The sources of a reason or strategy, in the order given, each once."""
    table = sources()
    seen: dict[str, Source] = {}
    for seed in seeds:
        if seed in table:
            seen.setdefault(seed, table[seed])
    return list(seen.values())
