"""Community authority over principles about a community's data, and silence as consent.

``coalition.yaml`` (signed by a facilitator) may say, under ``consensus:``::

    silence: abstain            # or consent: lazy consensus for members that took part
    community:
      - theme: indigenous-data-governance      # principles whose front matter carries it
        sector: indigenous-led                 # or members: [kinship-circle, ...]
        quorum: 0.5
        threshold: 0.75
        max_blocks: 0
      - principles: [P02]                      # or name principles directly
        members: [kinship-circle]

A principle a rule applies to reaches ``consensus`` only if, besides the general rule, the
rule's *required group* (the voting members it names, or the voting members of its sector)
meets its own quorum and threshold and carries no more than ``max_blocks`` blocks; otherwise
its status is ``awaiting-community-consent``. A status the general rule already decided
against (``blocked``, ``no-quorum``, ``contested``) stays.

Silence: with ``silence: consent``, a voting member that took a stance on some principle of
the round (it *responded*) and none on this one is counted as accepting it ("accepted by
silence") — never a member of the required group of a rule that applies to the principle:
their silence is never consent. Members that did not respond to the round are never counted.

Everything here is pure (no git): ``consensus.tally`` calls ``apply``.
"""

from __future__ import annotations

import math

from ..plainclass import dataclass

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

SILENCE = ("abstain", "consent")
AWAITING = "awaiting-community-consent"
CONSENTING = ("support", "amend")
RULE_KEYS = ("theme", "principles", "members", "sector", "quorum", "threshold", "max_blocks")


@dataclass(frozen=True)
class CommunityRule:
    """Whose consent a principle needs beyond the general rule."""

    theme: str | None = None
    principles: tuple[str, ...] = ()
    members: tuple[str, ...] = ()
    sector: str | None = None
    quorum: float = 0.5
    threshold: float = 0.75
    max_blocks: int = 0

    def applies(self, principle: str, themes: tuple[str, ...] | list[str] = ()) -> bool:
        return principle in self.principles or (self.theme is not None and self.theme in themes)

    def group(self, voting: dict[str, Any]) -> list[str]:
        """The required group: the voting members the rule names or its sector holds."""
        if self.sector is not None:
            return sorted(i for i, m in voting.items() if m.sector == self.sector)
        return sorted(i for i in self.members if i in voting)

    def fields(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.theme is not None:
            out["theme"] = self.theme
        if self.principles:
            out["principles"] = list(self.principles)
        if self.sector is not None:
            out["sector"] = self.sector
        else:
            out["members"] = list(self.members)
        out.update(quorum=self.quorum, threshold=self.threshold, max_blocks=self.max_blocks)
        return out


def parse(consensus: dict[str, Any], path: str, sectors: tuple[str, ...]
          ) -> tuple[str, tuple[CommunityRule, ...]]:
    """``silence`` and ``community`` of a ``consensus:`` mapping, or MalformedData."""
    from ..errors import MalformedData
    from ..ids import PRINCIPLE_ID, SLUG_ID
    from ..field_rules import Fields

    def fail(detail: str) -> MalformedData:
        return MalformedData(path, detail)

    silence = consensus.get("silence", "abstain")
    if silence not in SILENCE:
        raise fail(f"consensus 'silence' must be one of {', '.join(SILENCE)}, not {str(silence)[:40]!r}")
    raw = consensus.get("community") or []
    if not isinstance(raw, list):
        raise fail("consensus 'community' must be a list of rules")
    rules = []
    for number, item in enumerate(raw, 1):
        where = f"consensus community rule {number}"
        if not isinstance(item, dict):
            raise fail(f"{where} must be a mapping")
        unknown = sorted(set(item) - set(RULE_KEYS))
        if unknown:
            raise fail(f"{where} has unknown key '{unknown[0][:40]}' (keys: {', '.join(RULE_KEYS)})")
        f = Fields(item, path)
        theme = f.str("theme", optional=True, pattern=SLUG_ID, limit=63)
        principles = f.strs("principles", pattern=PRINCIPLE_ID)
        if theme is None and not principles:
            raise fail(f"{where} must name a 'theme' or 'principles' it applies to")
        members = f.strs("members", pattern=SLUG_ID)
        sector = f.str("sector", optional=True, pattern=SLUG_ID, limit=63)
        if (sector is None) == (not members):
            raise fail(f"{where} must name either a 'sector' or 'members' (one of them)")
        if sector is not None and sector not in sectors:
            raise fail(f"{where}: sector '{sector}' is not one of 'sectors'")

        def number_of(key: str, default: float, high: float) -> float:
            value = item.get(key, default)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= high:
                raise fail(f"{where}: '{key}' must be a number from 0 to {high}")
            return value

        rules.append(CommunityRule(
            theme=theme, principles=principles, members=members, sector=sector,
            quorum=number_of("quorum", 0.5, 1), threshold=number_of("threshold", 0.75, 1),
            max_blocks=int(number_of("max_blocks", 0, 10_000))))
    return silence, tuple(rules)


@dataclass(frozen=True)
class GroupTally:
    """How a required group stands on one principle."""

    rule: CommunityRule
    members: tuple[str, ...]  # the required group (voting members)
    consented: tuple[str, ...]  # support or amend
    voices: int
    blocks: int
    share: float | None
    quorum_members: int
    met: bool
    why: str  # "" when met; "empty", "block", "quorum" or "threshold"
    awaiting: tuple[str, ...]  # members whose consent is still needed and may be named
    awaiting_unnamed: int  # … and those whose stance came from a non-public comment

    def as_dict(self, names: dict[str, str] | None = None) -> dict[str, Any]:
        name = (names or {}).get
        return {
            "rule": self.rule.fields(), "members": [name(m) or m for m in self.members],
            "member_ids": list(self.members), "consented": len(self.consented),
            "voices": self.voices, "blocks": self.blocks,
            "support_share": None if self.share is None else round(self.share, 4),
            "quorum_members": self.quorum_members, "met": self.met, "why": self.why,
            "awaiting": [name(m) or m for m in self.awaiting],
            "awaiting_unnamed": self.awaiting_unnamed,
        }


def _group_tally(rule: CommunityRule, state: Any, principle: str, voting: dict[str, Any]
                 ) -> GroupTally:
    group = rule.group(voting)
    stances: dict[str, str] = {}
    named: dict[str, bool] = {}
    for member in group:
        voice = state.voices.get((member, principle))
        if voice is None:
            named[member] = True  # silence names no comment
            continue
        stance, source = voice
        stances[member] = stance
        comment = state.comments.get(source)
        # an endorsement is public; a member's own comment is as public as it chose
        named[member] = comment is None or comment.member != member or comment.attribution == "public"
    consented = tuple(m for m in group if stances.get(m) in CONSENTING)
    no = sum(1 for s in stances.values() if s in ("oppose", "block"))
    blocks = sum(1 for s in stances.values() if s == "block")
    share = len(consented) / (len(consented) + no) if consented or no else None
    need = math.ceil(rule.quorum * len(group) - 1e-9) if group else 0
    if not group:
        why = "empty"
    elif blocks > rule.max_blocks:
        why = "block"
    elif len(stances) < need or len(stances) == 0:
        why = "quorum"
    elif share is None or share < rule.threshold:
        why = "threshold"
    else:
        why = ""
    waiting = [m for m in group if m not in consented] if why else []
    return GroupTally(rule, tuple(group), consented, voices=len(stances), blocks=blocks,
                      share=share, quorum_members=need, met=not why, why=why,
                      awaiting=tuple(m for m in waiting if named[m]),
                      awaiting_unnamed=sum(1 for m in waiting if not named[m]))


def responded(state: Any, voting: dict[str, Any]) -> set[str]:
    """Voting members with a stance on some principle of the round."""
    cached = getattr(state, "_responded", None)
    if cached is None:
        cached = {m for (m, _p) in state.voices if m in voting}
        try:
            object.__setattr__(state, "_responded", cached)
        except AttributeError:  # pragma: no cover - a state without a __dict__
            pass
    return cached


def apply(base: Any, state: Any, principle: str, voting: dict[str, Any], config: Any,
          themes: tuple[str, ...] | list[str], status_of: Any) -> Any:
    """The general tally ``base`` with silence and the community rules of ``config``.

    ``status_of(counts, voting, config)`` is the general rule (``consensus._status``).
    """
    from dataclasses import replace  # (not at import: a signed write never tallies)

    rules = [r for r in getattr(config, "community", ()) if r.applies(principle, themes)]
    required = {m for r in rules for m in r.group(voting)}
    result = base
    if getattr(config, "silence", "abstain") == "consent":
        spoke = {m for (m, p) in state.voices if p == principle}
        silent = responded(state, voting) - spoke - required
        if silent:
            counts = dict(base.stances)
            counts["support"] = counts.get("support", 0) + len(silent)
            decided = status_of(counts, len(voting), config)
            result = replace(decided, stances=base.stances, voices=base.voices,
                             by_silence=len(silent))
    groups = tuple(_group_tally(r, state, principle, voting) for r in rules)
    status = result.status
    if status == "consensus" and not all(g.met for g in groups):
        status = AWAITING
    return replace(result, status=status, community=groups)
