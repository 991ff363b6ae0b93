"""The impasse knowledge base: why a client may be stuck, and what may help.

Reasons, strategies, resistance markers and evidence rules are data files (TOML, checked
against ``schema/knowledge.schema.json`` and for meaning on load), written in our own words
from the five source documents; entries key their sources by seed file, and people see
each source by its title (sources.toml). See docs/impasse.md.

Usage::

    from unstuck.impasse import default_knowledge, prefill, rank_strategies

    kb = default_knowledge()
    suggested = prefill(kb, flags=["plateau"], markers={"minimised_need": 2})
    ratings = {s.reason: s.rating for s in suggested.values()}
    for item in rank_strategies(kb, ratings, ["plateau"], tried={"revisit_goals": "partly"}):
        print(item.strategy.name, "-", item.why)
"""

from unstuck.impasse.loader import default_knowledge, load_knowledge
from unstuck.impasse.model import KnowledgeBase, Marker, Reason, Strategy
from unstuck.impasse.ranking import RankedStrategy, Suggestion, prefill, rank_strategies

__all__ = [
    "KnowledgeBase",
    "Marker",
    "RankedStrategy",
    "Reason",
    "Strategy",
    "Suggestion",
    "default_knowledge",
    "load_knowledge",
    "prefill",
    "rank_strategies",
]
