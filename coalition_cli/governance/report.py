"""The governance facts a report's data carries (JSON keys; the words are in ``wording``)."""

from __future__ import annotations

from typing import Any


def rule_fields(config: Any) -> dict[str, Any]:
    """Added to a report's ``rule``: the silence setting and the community rules."""
    return {"silence": getattr(config, "silence", "abstain"),
            "community": [r.fields() for r in getattr(config, "community", ())]}


def governance_fields(t: Any, members: dict[str, Any]) -> dict[str, Any]:
    """Added to each principle of a report: accepted by silence, and each community rule that
    applies with how its required group stands (names for the members it may name)."""
    names = {i: m.name for i, m in members.items()}
    return {"accepted_by_silence": t.by_silence,
            "community": [g.as_dict(names) for g in t.community]}
