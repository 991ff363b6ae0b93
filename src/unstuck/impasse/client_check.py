"""The client's own "what gets in the way" check, and how it pre-fills an impasse review.

The check (client_check.toml) is instrument-like: a stem, answer options 0-3 and items, each
tied to one reason of the knowledge base. It is returned as a `measures.Instrument`, so the
client's pages show it like any questionnaire; its answers are never scored as an outcome.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources

from unstuck.errors import InvalidDefinition
from unstuck.impasse.loader import default_knowledge
from unstuck.measures.model import AnswerOption, Instrument, Item

FILE = "client_check.toml"


@dataclass(frozen=True)
class ClientCheck:
    instrument: Instrument
    reasons: tuple[str, ...]  # the reason id of each item, in item order


@cache
def client_check() -> ClientCheck:
    data = tomllib.loads((resources.files("unstuck.impasse") / FILE).read_text("utf-8"))
    known = default_knowledge().reasons
    options = tuple(AnswerOption(int(o["value"]), str(o["label"])) for o in data["options"])
    items: list[Item] = []
    reasons: list[str] = []
    for index, raw in enumerate(data["items"]):
        if raw["reason"] not in known:
            raise InvalidDefinition(
                FILE, f"items[{index}].reason", f"{raw['reason']!r} is not a reason"
            )
        items.append(
            Item(int(raw["number"]), f"{data['id']}-{raw['number']}", str(raw["text"]), options)
        )
        reasons.append(str(raw["reason"]))
    top = max(o.value for o in options)
    instrument = Instrument(
        id=str(data["id"]),
        name=str(data["name"]),
        description="The client's own view of what gets in the way of therapy (not a score).",
        higher_is_better=False,
        items=tuple(items),
        score_min=0,
        score_max=top * len(items),
        license=str(data["license"]),
        stem=str(data["stem"]),
    )
    return ClientCheck(instrument, tuple(reasons))


def with_client_report(
    prefill: Mapping[str, tuple[int, str]],
    answers: Sequence[int | None],
    answered_on: dt.date,
) -> dict[str, tuple[int, str]]:
    """The review's starting ratings with the client's answers added as client-reported evidence.

    A reason the client rated above 0 starts at least at that rating (0-3, the same scale as
    the review), and its evidence quotes the item and the answer; the therapist confirms or
    changes every rating.
    """
    check = client_check()
    merged = dict(prefill)
    labels = {o.value: o.label for o in check.instrument.items[0].options}
    for item, reason, answer in zip(check.instrument.items, check.reasons, answers, strict=False):
        if not answer:
            continue
        rating, evidence = merged.get(reason, (0, ""))
        said = (
            f"The client answered “{item.text}”: {labels.get(answer, answer)} "
            f"({answered_on:%Y-%m-%d}, client-reported)."
        )
        merged[reason] = (max(rating, answer), f"{evidence} {said}".strip())
    return merged
