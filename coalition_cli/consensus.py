"""The consultation rules of SPEC.md: effective comments, one voice per member, consensus.

Pure functions over verified records — no git, no I/O — so the rules can be
tested on their own and reused by every report.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

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


def fold(records: Iterable[Record]) -> RoundState:
    """Fold a round's valid records into its state (order-independent)."""
    state = RoundState()
    items = sorted(records, key=lambda r: (r.submitted_at, r.id))
    for rec in items:
        if rec.type == "comment":
            state.comments[rec.id] = rec
    for rec in items:
        if rec.type == "withdrawal":
            state.withdrawn.add(rec.target or "")
        elif rec.type == "comment" and rec.supersedes:
            state.superseded.add(rec.supersedes)
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


def tally(state: RoundState, principle: str, voting: dict[str, Member], config: Config) -> Tally:
    """Stances (members per stance), support share and consensus status of one principle."""
    counts = {s: 0 for s in config.stances}
    for (member, pid), (stance, _src) in state.voices.items():
        if pid == principle and member in voting:
            counts[stance] = counts.get(stance, 0) + 1
    return _status(counts, len(voting), config)


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


# --- near-duplicate comments (template campaigns) -----------------------------------------

_WORD = re.compile(r"\w+")


def _words(text: str) -> list[str]:
    return _WORD.findall(text.casefold())


def clusters(texts: dict[str, str], *, threshold: float = 0.7, minimum: int = 2) -> list[list[str]]:
    """Groups of ids whose texts are near-identical (word-set Jaccard ≥ threshold).

    Candidates meet through blocking keys (the first and last few words, and
    the rarest words), so the cost grows with the number of comments, not its
    square; each candidate pair is then compared exactly.
    """
    sets: dict[str, frozenset[str]] = {}
    blocks: dict[tuple, list[str]] = defaultdict(list)
    doc_freq: dict[str, int] = defaultdict(int)
    tokens: dict[str, list[str]] = {}
    for cid, text in texts.items():
        words = _words(text)
        if len(words) < 3:
            continue
        tokens[cid] = words
        sets[cid] = frozenset(words)
        for w in sets[cid]:
            doc_freq[w] += 1
    for cid, words in tokens.items():
        blocks[("head", *words[:4])].append(cid)
        blocks[("tail", *words[-4:])].append(cid)
        rare = sorted(sets[cid], key=lambda w: (doc_freq[w], w))[:2]
        blocks[("rare", *rare)].append(cid)
    parent = {cid: cid for cid in tokens}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for members in blocks.values():
        if len(members) < 2:
            continue
        reps: list[str] = []  # compare with a few representatives: linear in the block size
        for cid in members:
            for rep in reps:
                a, b = sets[cid], sets[rep]
                if len(a & b) / len(a | b) >= threshold:
                    parent[find(cid)] = find(rep)
                    break
            else:
                if len(reps) < 16:
                    reps.append(cid)
    groups: dict[str, list[str]] = defaultdict(list)
    for cid in tokens:
        groups[find(cid)].append(cid)
    return sorted((sorted(g) for g in groups.values() if len(g) >= minimum),
                  key=lambda g: (-len(g), g[0]))
