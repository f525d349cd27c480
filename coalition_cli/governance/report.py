"""The governance facts a report's data carries (JSON keys; the words are in ``wording``)."""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


def held_note(rec: Any, members: dict[str, Any]) -> dict[str, Any]:
    """Added to a confidential comment's entry when its author chose who holds it."""
    if rec.shared_with is None or rec.attribution != "confidential":
        return {}
    holders = sorted(set(rec.shared_with) - {rec.member})
    return {"held_by": {"holders": len(holders),
                        "named": [members[m].name if m in members else m for m in holders]
                        if rec.holders_named else None}}


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


def applies_to(principles: list[dict[str, Any]], verified: Any = None,
               round_id: str = "") -> dict[str, Any]:
    """Added to a report's ``rule``: the principles of the round a community rule applies to,
    and whether Local Contexts Notices or Labels were applied (the legend explains only
    what the report holds)."""
    lc = verified is not None and (bool(verified.notices.get(round_id)) or any(
        rec.local_contexts for _p, rec in verified.records.get(round_id, [])))
    return {"community_principles": [p["id"] for p in principles if p.get("community")],
            "local_contexts": lc}


def holdings(verified: Any, round_id: str, effective: list[Any], members: dict[str, Any],
             refs: dict[str, str] | None = None) -> dict[str, Any]:
    """Added to a report as ``governance``: comments whose author withdrew consent to use
    them, and confidential comments whose author chose who holds them (named only where the
    author agreed). ``refs``: the report-local numbers (C1, …) to use instead of record ids."""

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
    return {"consent_withdrawn": len(withdrawn), "withdrawn": withdrawn, "held": held,
            "local_contexts": local_contexts(verified, round_id, effective, members, ref)}


def local_contexts(verified: Any, round_id: str, effective: list[Any], members: dict[str, Any],
                   ref: Any) -> dict[str, Any]:
    """The round's Local Contexts Notices (facilitators') and Labels (a community's), each
    with the project it comes from. A label on a comment names who applied it only when the
    comment is public."""
    notices = [{"on": scope, "by": _name(members, rec.applied_by), **rec.local_contexts}
               for scope, rec in sorted(verified.notices.get(round_id, {}).items())]
    labels = []
    for _path, rec in verified.records.get(round_id, []):
        if rec.type == "label" and rec.local_contexts:
            labels.append({"on": rec.principle, "by": _name(members, rec.member),
                           **rec.local_contexts})
    for rec in effective:
        if rec.local_contexts:
            public = rec.attribution == "public"
            labels.append({"on": f"comment {ref(rec.id)}" if ref(rec.id) else "a comment",
                           "by": _name(members, rec.member) if public else None,
                           **rec.local_contexts,
                           "labels": [dict(lab, community=lab.get("community") if public else None)
                                      for lab in rec.local_contexts.get("labels") or []]})
    return {"notices": notices, "labels": labels}


def _name(members: dict[str, Any], mid: str) -> str:
    member = members.get(mid)
    return member.name if member else mid
