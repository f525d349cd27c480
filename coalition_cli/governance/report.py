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


def applies_to(principles: list[dict[str, Any]]) -> dict[str, Any]:
    """Added to a report's ``rule``: the principles of the round a community rule applies to
    (the legend explains the rule only where it applies)."""
    return {"community_principles": [p["id"] for p in principles if p.get("community")]}


def holdings(verified: Any, round_id: str, effective: list[Any], members: dict[str, Any],
             refs: dict[str, str] | None = None) -> dict[str, Any]:
    """Added to a report as ``governance``: comments whose author withdrew consent to use
    them, and confidential comments whose author chose who holds them (named only where the
    author agreed). ``refs``: the report-local numbers (C1, …) to use instead of record ids."""
    from .recipients import holders_of

    no_consent = verified.consent_withdrawn.get(round_id, {})
    ref = (lambda rid: refs.get(rid, "")) if refs is not None else (lambda rid: rid)
    held = []
    for rec in effective:
        if rec.shared_with is None or rec.id in no_consent:
            continue
        holders = sorted(set(rec.shared_with) - {rec.member})
        held.append({"comment": ref(rec.id), "principle": rec.principle,
                     "holders": len(holders),
                     "named": [members[m].name if m in members else m for m in holders]
                     if rec.holders_named else None})
    withdrawn = [{"comment": ref(rec.id), "principle": rec.principle}
                 for rec in effective if rec.id in no_consent]
    return {"consent_withdrawn": len(withdrawn), "withdrawn": withdrawn, "held": held}
