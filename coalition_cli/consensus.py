"""The consultation rules of SPEC.md: effective comments, one voice per member, consensus.

Pure functions over verified records — no git, no I/O — so the rules can be
tested on their own and reused by every report.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from operator import attrgetter

from .model import Config, Member, Record


@dataclass
class RoundState:
    """What a round's records add up to."""

    comments: dict[str, Record] = field(default_factory=dict)  # every valid comment
    effective: dict[str, Record] = field(default_factory=dict)  # not superseded, not withdrawn
    withdrawn: set[str] = field(default_factory=set)
    superseded: set[str] = field(default_factory=set)
    endorsements: dict[str, list[Record]] = field(default_factory=dict)  # comment -> endorsements
    acks: dict[str, Record] = field(default_factory=dict)  # comment -> latest acknowledgement
    # (member, principle) -> (stance, comment id the stance comes from)
    voices: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)


def in_order(records: Iterable[Record], first: str = "submitted_at", second: str = "id") -> list[Record]:
    """``sorted(records, key=lambda r: (r.<first>, r.<second>))``, 3× faster.

    Two stable sorts on single fields (the second field, then the first) give the same
    order — ties included — without building and comparing a tuple per record.
    """
    return sorted(sorted(records, key=attrgetter(second)), key=attrgetter(first))


def fold(records: Iterable[Record]) -> RoundState:
    """Fold a round's valid records into its state (order-independent)."""
    state = RoundState()
    items = in_order(records)  # by (submitted_at, id)
    comments, withdrawn, superseded = state.comments, state.withdrawn, state.superseded
    for rec in items:
        kind = rec.type
        if kind == "comment":
            comments[rec.id] = rec
            if rec.supersedes:
                superseded.add(rec.supersedes)
        elif kind == "withdrawal":
            withdrawn.add(rec.target or "")
    state.effective = {i: c for i, c in state.comments.items()
                       if i not in state.withdrawn and i not in state.superseded}
    latest: dict[tuple[str, str], tuple[str, str, str, str]] = {}
    for rec in items:
        if rec.type == "comment" and rec.id in state.effective:
            source = rec
        elif rec.type == "endorsement" and rec.target in state.effective:
            source = state.effective[rec.target]
            state.endorsements.setdefault(source.id, []).append(rec)
        else:
            if rec.type == "acknowledgement" and rec.target:
                state.acks[rec.target] = rec
            continue
        key = (rec.member, source.principle or "")
        stamp = (rec.submitted_at, rec.id)
        if key not in latest or stamp > latest[key][:2]:
            latest[key] = (rec.submitted_at, rec.id, source.stance or "", source.id)
    state.voices = {k: (v[2], v[3]) for k, v in latest.items()}
    return state


def voting_members(members: dict[str, Member]) -> dict[str, Member]:
    return {i: m for i, m in members.items() if m.has_role("member")}


@dataclass(frozen=True)
class Tally:
    stances: dict[str, int]
    support_share: float | None
    status: str
    voices: int
    blocks: int
    by_silence: int = 0  # members counted as accepting by silence (governance.consent)
    community: tuple = ()  # governance.consent.GroupTally of each community rule that applies


def tally(state: RoundState, principle: str, voting: dict[str, Member], config: Config, *,
          themes: tuple[str, ...] | list[str] = (),
          counted: dict[str, dict[str, int]] | None = None) -> Tally:
    """Stances (members per stance), support share and consensus status of one principle;
    ``themes``: the principle's own (front matter), which community rules may name;
    ``counted``: ``stance_counts`` of the same state and voting members (a caller tallying
    every principle counts the voices once, not once a principle)."""
    counts = {s: 0 for s in config.stances}
    if counted is None:
        counted = stance_counts(state, voting, principle)
    for stance, n in counted.get(principle, {}).items():
        counts[stance] = counts.get(stance, 0) + n
    base = _status(counts, len(voting), config)
    if getattr(config, "silence", "abstain") == "abstain" and not getattr(config, "community", ()):
        return base
    from .governance.consent import apply

    return apply(base, state, principle, voting, config, themes, _status)


def stance_counts(state: RoundState, voting: dict[str, Member],
                  principle: str | None = None) -> dict[str, dict[str, int]]:
    """Per principle (``principle``: that one only), how many voting members' voices are of
    each stance, in the order the voices were given."""
    out: dict[str, dict[str, int]] = {}
    for (member, pid), (stance, _src) in state.voices.items():
        if member in voting and (principle is None or pid == principle):
            counts = out.setdefault(pid, {})
            counts[stance] = counts.get(stance, 0) + 1
    return out


def _status(counts: dict[str, int], voting: int, config: Config) -> Tally:
    yes = counts.get("support", 0) + counts.get("amend", 0)
    no = counts.get("oppose", 0) + counts.get("block", 0)
    share = yes / (yes + no) if yes + no else None
    voices = sum(counts.values())
    blocks = counts.get("block", 0)
    if blocks > config.max_blocks:
        status = "blocked"
    elif voices < config.quorum * voting or voting == 0:
        status = "no-quorum"
    elif share is not None and share >= config.threshold:
        status = "consensus"
    else:
        status = "contested"
    return Tally(counts, share, status, voices, blocks)
