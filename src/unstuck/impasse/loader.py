"""Load and check the knowledge base: JSON Schema first, then meaning (references, seeds)."""

from __future__ import annotations

import json
import tomllib
from collections.abc import Mapping
from functools import cache
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any

import jsonschema

from unstuck.errors import InvalidDefinition
from unstuck.impasse.model import (
    SEED_FILES,
    EvidenceRule,
    KnowledgeBase,
    Marker,
    Reason,
    Strategy,
)
from unstuck.impasse.rules import RankingRules, load_rules
from unstuck.progress.signals import FLAGS

FILES = ("reasons.toml", "strategies.toml", "markers.toml", "evidence.toml")


@cache
def _schema() -> dict[str, Any]:
    text = (resources.files("unstuck.impasse") / "schema" / "knowledge.schema.json").read_text()
    schema: dict[str, Any] = json.loads(text)
    return schema


def _read(name: str, folder: Path | None) -> dict[str, Any]:
    if folder is None:
        text = (resources.files("unstuck.impasse") / name).read_text("utf-8")
    else:
        try:
            text = (folder / name).read_text("utf-8")
        except OSError as exc:
            raise InvalidDefinition(name, "", f"cannot be read ({exc.strerror})") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InvalidDefinition(name, "", f"is not valid TOML: {exc}") from None
    errors = sorted(
        jsonschema.Draft202012Validator(_schema()).iter_errors(data), key=lambda e: list(e.path)
    )
    if errors:
        first = errors[0]
        where = ".".join(str(p) for p in first.absolute_path)
        raise InvalidDefinition(name, where, first.message)
    return data


def _unique(name: str, table: str, entries: list[dict[str, Any]]) -> None:
    seen: set[str] = set()
    for i, entry in enumerate(entries):
        if entry["id"] in seen:
            raise InvalidDefinition(name, f"{table}[{i}].id", f"{entry['id']!r} is defined twice")
        seen.add(entry["id"])


def _check_refs(
    name: str, where: str, refs: Mapping[str, int] | list[str], reasons: Mapping[str, Reason]
) -> None:
    for ref in refs:
        if ref not in reasons:
            raise InvalidDefinition(name, where, f"{ref!r} is not a reason id in reasons.toml")


def _check_replaces(evidence: Mapping[str, EvidenceRule]) -> None:
    """Evidence replaces only evidence that exists and that it covers: each reason the other
    suggests, at no lower a rating (or leaving the other out would lower a starting rating)."""
    for i, rule in enumerate(evidence.values()):
        where = f"evidence[{i}].replaces"
        for other_id in rule.replaces:
            other = evidence.get(other_id)
            if other is None:
                raise InvalidDefinition(
                    "evidence.toml", where, f"{other_id!r} is not an evidence id"
                )
            if any(rule.suggests.get(r, 0) < w for r, w in other.suggests.items()):
                raise InvalidDefinition(
                    "evidence.toml", where, f"{rule.id!r} suggests less than {other_id!r}"
                )


def _check_rule_refs(
    rules: RankingRules, reasons: Mapping[str, Reason], strategies: Mapping[str, Strategy]
) -> None:
    """Every reason, strategy and flag ranking.toml names exists (a typo would disable a rule)."""
    named = [
        ("withdrawal.reasons", rules.withdrawal.reasons, reasons),
        ("withdrawal.first_with", rules.withdrawal.first_with, reasons),
        ("withdrawal.flags", rules.withdrawal.flags, FLAGS),
        ("alliance.reasons", rules.alliance.reasons, reasons),
        ("alliance.flag", (rules.alliance.flag,), FLAGS),
    ]
    for i, lead in enumerate(rules.leads):
        named.append((f"lead[{i}].strategy", (lead.strategy,), strategies))
        named.append((f"lead[{i}].reason", (lead.reason,), reasons))
    for where, ids, known in named:
        for one in ids:
            if one not in known:
                raise InvalidDefinition("ranking.toml", where, f"{one!r} is not defined")


def load_knowledge(folder: str | Path | None = None) -> KnowledgeBase:
    """The knowledge base shipped with Unstuck, or a clinic's reviewed copy in `folder`.

    Raises
    ------
    InvalidDefinition
        Naming the file and the entry (``strategy[3].fits``) for a schema error, a duplicate
        id, a reference to a reason that does not exist, or a seed file that does not exist.
    """
    base = None if folder is None else Path(folder)
    data = {name: _read(name, base) for name in FILES}
    raw_reasons = data["reasons.toml"].get("reason", [])
    raw_strategies = data["strategies.toml"].get("strategy", [])
    raw_markers = data["markers.toml"].get("marker", [])
    raw_evidence = data["evidence.toml"].get("evidence", [])
    _unique("reasons.toml", "reason", raw_reasons)
    _unique("strategies.toml", "strategy", raw_strategies)
    _unique("markers.toml", "marker", raw_markers)
    _unique("evidence.toml", "evidence", raw_evidence)
    for file, table, entries in (
        ("reasons.toml", "reason", raw_reasons),
        ("strategies.toml", "strategy", raw_strategies),
        ("markers.toml", "marker", raw_markers),
    ):
        for i, entry in enumerate(entries):
            for seed in entry["seeds"]:
                if seed not in SEED_FILES:
                    raise InvalidDefinition(file, f"{table}[{i}].seeds", f"{seed!r} is no seed")

    reasons = {
        r["id"]: Reason(
            r["id"], r["name"], r["description"], tuple(r["questions"]), tuple(r["seeds"])
        )
        for r in raw_reasons
    }
    strategies: dict[str, Strategy] = {}
    for i, s in enumerate(raw_strategies):
        where = f"strategy[{i}]"
        _check_refs("strategies.toml", f"{where}.fits", s["fits"], reasons)
        _check_refs("strategies.toml", f"{where}.requires", s.get("requires", []), reasons)
        for flag in s["signals"]:
            if flag not in FLAGS:  # the schema lists them too; this keeps both in step
                raise InvalidDefinition("strategies.toml", f"{where}.signals", f"{flag!r}")
        if s.get("closure", False) != (s["kind"] == "closure"):
            raise InvalidDefinition(
                "strategies.toml", where, "kind 'closure' and closure = true go together"
            )
        if s.get("closure") and not s.get("requires"):
            raise InvalidDefinition(
                "strategies.toml",
                f"{where}.requires",
                "a closure option needs the reasons that call for it",
            )
        strategies[s["id"]] = Strategy(
            id=s["id"],
            name=s["name"],
            kind=s["kind"],
            description=s["description"],
            fits=MappingProxyType(dict(s["fits"])),
            signals=tuple(s["signals"]),
            cautions=tuple(s["cautions"]),
            seeds=tuple(s["seeds"]),
            closure=s.get("closure", False),
            requires=tuple(s.get("requires", [])),
            needs_secure_alliance=s.get("needs_secure_alliance", False),
            after_safety_check=s.get("after_safety_check", False),
            client_words=s.get("client_words", ""),
            letters=tuple(s.get("letters", ("referral", "termination"))),
        )
    markers = {}
    for i, m in enumerate(raw_markers):
        _check_refs("markers.toml", f"marker[{i}].suggests", m["suggests"], reasons)
        markers[m["id"]] = Marker(
            m["id"], m["label"], MappingProxyType(dict(m["suggests"])), tuple(m["seeds"])
        )
    evidence = {}
    for i, e in enumerate(raw_evidence):
        _check_refs("evidence.toml", f"evidence[{i}].suggests", e["suggests"], reasons)
        evidence[e["id"]] = EvidenceRule(
            e["id"],
            e["sentence"],
            MappingProxyType(dict(e["suggests"])),
            tuple(e.get("replaces", [])),
        )
    _check_replaces(evidence)
    rules = load_rules(base)
    if rules.safety_strategy not in strategies:
        raise InvalidDefinition(
            "strategies.toml", "", f"the {rules.safety_strategy} strategy is required"
        )
    if rules.safety_reason not in reasons:
        raise InvalidDefinition("reasons.toml", "", f"the {rules.safety_reason} reason is required")
    _check_rule_refs(rules, reasons, strategies)
    return KnowledgeBase(
        MappingProxyType(reasons),
        MappingProxyType(strategies),
        MappingProxyType(markers),
        MappingProxyType(evidence),
        rules,
    )


@cache
def default_knowledge() -> KnowledgeBase:
    return load_knowledge()
