"""The consultation rules of SPEC.md: effective comments, one voice per member, consensus.

Pure functions over verified records — no git, no I/O — so the rules can be
tested on their own and reused by every report.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
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
          themes: tuple[str, ...] | list[str] = ()) -> Tally:
    """Stances (members per stance), support share and consensus status of one principle;
    ``themes``: the principle's own (front matter), which community rules may name."""
    counts = {s: 0 for s in config.stances}
    for (member, pid), (stance, _src) in state.voices.items():
        if pid == principle and member in voting:
            counts[stance] = counts.get(stance, 0) + 1
    base = _status(counts, len(voting), config)
    if getattr(config, "silence", "abstain") == "abstain" and not getattr(config, "community", ()):
        return base
    from .governance.consent import apply

    return apply(base, state, principle, voting, config, themes, _status)


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
    # One pass over the texts keeps only what the blocking and the comparisons need: the
    # first and last words, and each text's distinct words (one string object per word
    # across all texts) — not every token of every text (half a GB at 100,000 comments).
    findall = _WORD.findall
    canon: dict[str, str] = {}
    doc_freq: Counter[str] = Counter()
    heads: dict[str, tuple] = {}
    tails: dict[str, tuple] = {}
    vocab: dict[str, tuple[str, ...]] = {}  # id -> its distinct words
    for cid, text in texts.items():
        words = findall(text.casefold())  # _words(text)
        if len(words) < 3:
            continue
        distinct = set(words)
        doc_freq.update(distinct)
        for w in distinct.difference(canon):
            canon[w] = w
        vocab[cid] = tuple(map(canon.__getitem__, distinct))
        heads[cid] = ("head", *words[:4])
        tails[cid] = ("tail", *words[-4:])
    # rarest first (ties by the word): a position in that order, compared as one integer
    rank = {w: i for i, w in enumerate(sorted(doc_freq, key=lambda w: (doc_freq[w], w)))}.__getitem__
    # Word sets as bit masks (frequent words in the low bits): |a ∩ b| is one AND and a bit
    # count, and |a ∪ b| = |a| + |b| - |a ∩ b|. Pairs whose sizes alone rule out the threshold
    # (|a ∩ b| / |a ∪ b| ≤ min/max) are skipped, and a set met again in a block takes the
    # outcome of its first meeting (it would be compared with the same representatives in the
    # same order). Every decision is the one the plain pairwise comparison of sets makes.
    bit = {w: 1 << i for i, w in enumerate(sorted(doc_freq, key=lambda w: (-doc_freq[w], w)))}
    blocks: dict[tuple, list[str]] = defaultdict(list)
    masks: dict[str, tuple[int, int]] = {}  # id -> (mask, number of distinct words)
    for cid, distinct in vocab.items():
        blocks[heads[cid]].append(cid)
        blocks[tails[cid]].append(cid)
        blocks[("rare", *sorted(distinct, key=rank)[:2])].append(cid)
        masks[cid] = (sum(map(bit.__getitem__, distinct)), len(distinct))  # sum == or here
    del heads, tails, vocab, canon
    parent = {cid: cid for cid in masks}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    memo = threshold <= 1  # a set always matches itself
    for members in blocks.values():
        if len(members) < 2:
            continue
        # compare with a few representatives: linear in the block size
        reps: list[tuple[int, int, str]] = []  # (mask, size, id)
        met: dict[int, str | None] = {}  # a set (its mask) -> the representative it joined
        for cid in members:
            ma, la = masks[cid]
            if memo and ma in met:
                rep = met[ma]
                if rep is not None:
                    parent[find(cid)] = find(rep)
                continue
            for mb, lb, rep in reps:
                if (la / lb if la < lb else lb / la) < threshold:
                    continue
                inter = (ma & mb).bit_count()
                if inter / (la + lb - inter) >= threshold:
                    parent[find(cid)] = find(rep)
                    met[ma] = rep
                    break
            else:
                if len(reps) < 16:
                    reps.append((ma, la, cid))
                    met[ma] = cid
                else:
                    met[ma] = None
    groups: dict[str, list[str]] = defaultdict(list)
    for cid in masks:
        groups[find(cid)].append(cid)
    return sorted((sorted(g) for g in groups.values() if len(g) >= minimum),
                  key=lambda g: (-len(g), g[0]))
