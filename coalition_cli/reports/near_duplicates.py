"""Near-duplicate comments (template campaigns), found so that new comments cost only their own work.

Two comments are near-duplicates when their sets of words (case-folded ``\\w+``) overlap by
a Jaccard index of at least ``THRESHOLD``; a group is the comments linked by such pairs.
Comparing every pair is quadratic, so comments meet only through *blocking keys* that
depend on the comment alone — its first four words, its last four words, and two samples
of two words each (the two words of least value under each of two fixed hashes: a MinHash
sample, which two texts share with a probability that grows with their overlap) — and,
within a block, each comment is compared with the block's first few distinct texts (its
``REPS`` representatives) in the order the comments came, joining the first it matches.

Because a key never depends on the other comments, and a comment's links depend only on
the comments before it, the groups of the first *k* comments plus some new ones are
exactly the groups of all of them computed from scratch, provided the first *k* are the
same comments with the same texts in the same order. ``Campaigns`` is that state (the
representatives of every block, the links made so far) and ``extend`` adds the new
comments to it; a full computation is ``extend`` from the empty state, so the two cannot
disagree. Callers give the texts in the order comments were submitted (submitted_at, then
id), so a new comment almost always comes last; anything else — a comment withdrawn,
superseded or changed, an earlier timestamp — is a different prefix, and the groups are
computed from scratch.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import compress
from operator import le

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

THRESHOLD = 0.7  # word-set Jaccard index at which two comments are near-duplicates
MINIMUM = 2  # comments in the smallest group reported
REPS = 16  # representatives compared per block: linear in the block's size
EDGE = 4  # words at each end that make a block key
VERSION = 2  # of the definition above (and of the state kept): a state made by another one is not extended
_WORD = re.compile(r"\w+")
_MASK = (1 << 64) - 1
_SALT = {"head": 0x243F6A8885A308D3, "tail": 0x13198A2E03707344,
         "first": 0xA4093822299F31D0, "second": 0x082EFA98EC4E6C89}


class StringsAsRead(Sequence):
    """Ids or texts that are read as they are asked for, each checked to be a string then
    (``campaign_memo.StoredStrings``): ``Campaigns.restore`` takes them without reading them."""


@dataclass
class Campaigns:
    """Near-duplicate links among the first ``count`` texts of a sequence."""

    threshold: float = THRESHOLD
    count: int = 0  # texts taken in, in order
    ids: list[str] = field(default_factory=list)  # their comment ids, in order
    texts: list[str] = field(default_factory=list)  # and the texts themselves
    parent: list[int] = field(default_factory=list)  # position -> linked position; -1: too short
    blocks: dict[int, Any] = field(default_factory=dict)  # key -> representative (int or list)
    made_at: str = ""  # the commit whose summary last took texts in (``summary_step``)
    members: dict[int, list[str]] = field(default_factory=dict)  # root -> its group's ids, sorted
    # the stored segments its first texts were read from (``campaign_memo``), if any
    stored: list[Any] = field(default_factory=list, repr=False, compare=False)

    def parts(self) -> list[Any]:
        """What marshal stores (see ``restore``)."""
        return [{"version": VERSION, "threshold": self.threshold, "count": self.count,
                 "made_at": self.made_at}, self.parent, self.blocks, self.ids, self.texts,
                self.members]

    @classmethod
    def restore(cls, parts: Any, threshold: float = THRESHOLD, *,
                authenticated: bool = False) -> Campaigns | None:
        """The state ``parts`` gave, or None when it is not one of this definition.
        ``authenticated``: the parts were read from a memo this code wrote under this user's
        cache key (``campaign_memo``), so only their shape is checked; otherwise also every
        link and group (``_consistent``: a state made by hand could loop or crash)."""
        try:
            head, parent, blocks, ids, texts, members = parts
            if not (isinstance(head, dict) and head.get("version") == VERSION
                    and head.get("threshold") == threshold and isinstance(head.get("count"), int)
                    and isinstance(head.get("made_at"), str) and type(parent) is list
                    and type(blocks) is dict and type(members) is dict
                    and (type(ids) is list or isinstance(ids, StringsAsRead))
                    and (type(texts) is list and set(map(type, texts)) <= {str}
                         or isinstance(texts, StringsAsRead))
                    and len(parent) == len(ids) == len(texts) == head["count"]):
                return None
            if not authenticated and not _consistent(parent, ids, members):
                return None
        except (TypeError, ValueError, IndexError):
            return None
        return cls(threshold, head["count"], ids, texts, parent, blocks, head["made_at"], members)

    def groups(self, minimum: int = MINIMUM) -> list[list[str]]:
        """The groups of at least ``minimum`` comments of the texts taken in (their ids),
        largest first, each sorted, ties by their first id."""
        return sorted((list(group) for group in self.members.values() if len(group) >= minimum),
                      key=lambda g: (-len(g), g[0]))

    def _regroup(self, start: int, merged: set[int]) -> None:
        """``members`` again after the texts from ``start`` on were linked, ``merged``: the
        roots of earlier texts that a link of theirs touched. Only those groups change (and
        only their ids are read: ``ids`` may be read as asked for)."""
        members, parent, find, ids = self.members, self.parent, self._find, self.ids
        touched = set()

        def group_of(root: int) -> list[str]:
            group = members.get(root)
            if group is None:
                group = members[root] = [ids[root]]
            return group

        for old in sorted(merged):
            root = find(old)
            if root != old:
                group = members.pop(old, None) or [ids[old]]
                group_of(root).extend(group)
                touched.add(root)
        for pos in range(start, len(parent)):
            if parent[pos] >= 0:
                root = find(pos)
                if root != pos:
                    group_of(root).append(ids[pos])
                    touched.add(root)
        for root in touched:
            members[root].sort()

    def _find(self, pos: int) -> int:
        parent = self.parent
        root = pos
        while parent[root] != root:
            root = parent[root]
        while parent[pos] != root:  # path compression
            parent[pos], pos = root, parent[pos]
        return root


def _consistent(parent: list[Any], ids: Any, members: dict[Any, Any]) -> bool:
    """Every id a string, every link an int pointing back (never past its own text) and
    never into a skipped text (-1), each group two ids or more, sorted, under its root,
    each text in one at most."""
    if not (set(map(type, ids)) <= {str} and set(map(type, parent)) <= {int}):
        return False
    if parent and (min(parent) < -1 or not all(map(le, parent, range(len(parent))))
                   or not set(compress(range(len(parent)), map((-1).__eq__, parent)))
                   .isdisjoint(parent)):
        return False
    listed = [cid for group in members.values() for cid in group]
    return len(listed) == len(set(listed)) and set(map(type, listed)) <= {str} \
        and all(type(group) is list and len(group) > 1 and parent[root] == root
                and ids[root] in group and group == sorted(group)
                for root, group in members.items())


def clusters(texts: dict[str, str], *, threshold: float = THRESHOLD,
             minimum: int = MINIMUM) -> list[list[str]]:
    """The near-duplicate groups of ``texts`` (id -> text, in submission order)."""
    state = Campaigns(threshold)
    extend(state, texts)
    return state.groups(minimum)


def extend(state: Campaigns, texts: dict[str, str]) -> Campaigns:
    """``state`` with the texts after its first ``state.count`` added (in place), or a new
    state made from scratch when those first ones are not the texts ``state`` was made from."""
    ids, values = list(texts), list(texts.values())
    known = state.count
    if known > len(ids) or ids[:known] != state.ids or values[:known] != state.texts:
        return _take(Campaigns(state.threshold), ids, values)
    return _take(state, ids, values)


def extend_by(state: Campaigns, new: dict[str, str]) -> Campaigns:
    """``state`` with ``new`` (id -> text, after all of its texts) added: for a caller that
    knows the texts before them are the ones ``state`` took in (``summary_step``: the state
    made at the summary the step starts from)."""
    return _take(state, state.ids + list(new), state.texts + list(new.values()))


def _take(state: Campaigns, ids: list[str], values: list[str]) -> Campaigns:
    start = state.count
    try:
        merged = _link(state, values, start)
    except (IndexError, TypeError, KeyError):  # a damaged state: the links from scratch
        state, start = Campaigns(state.threshold), 0
        merged = _link(state, values, 0)
    state.count, state.ids, state.texts = len(ids), ids, values
    state._regroup(start, merged)
    return state


class _Words:
    """Each text's distinct words as a bit mask (one bit per word, in the order words are
    first seen in this run) with their number, and each word's two fixed 64-bit hashes:
    ``|a ∩ b|`` is one AND and a bit count. Computed once per text per run."""

    def __init__(self, texts: list[str]) -> None:
        self.texts = texts
        self.bits: dict[str, int] = {}
        self.hashes: dict[str, tuple[int, int]] = {}
        self.masks: dict[int, tuple[int, int]] = {}  # position -> (mask, distinct words)

    def of(self, pos: int) -> tuple[int, int]:
        got = self.masks.get(pos)
        if got is None:
            got = self.masks[pos] = self.mask(set(_WORD.findall(self.texts[pos].casefold())))
        return got

    def mask(self, distinct: set[str] | frozenset[str]) -> tuple[int, int]:
        bits, hashes = self.bits, self.hashes
        for w in distinct.difference(bits):
            bits[w] = 1 << len(bits)
            raw = hashlib.blake2b(w.encode("utf-8", "surrogatepass"), digest_size=16).digest()
            hashes[w] = (int.from_bytes(raw[:8], "big"), int.from_bytes(raw[8:], "big"))
        return sum(map(bits.__getitem__, distinct)), len(distinct)  # sum == or: distinct bits


def _mix(salt: int, values: Any) -> int:
    key = salt
    for v in values:
        key = ((key ^ v) * 0x100000001B3) & _MASK
    return key


def keys_of(words: list[str], distinct: set[str], hashes: dict[str, tuple[int, int]]) -> list[int]:
    """The blocking keys of a text of ``words`` (at least three; every one in ``hashes``):
    its first and last ``EDGE`` words, and its two words least under each fixed hash."""
    pairs = list(map(hashes.__getitem__, distinct))
    return [_mix(_SALT["head"], [hashes[w][0] for w in words[:EDGE]]),
            _mix(_SALT["tail"], [hashes[w][0] for w in words[-EDGE:]]),
            _mix(_SALT["first"], sorted(p[0] for p in pairs)[:2]),
            _mix(_SALT["second"], sorted(p[1] for p in pairs)[:2])]


def _link(state: Campaigns, texts: list[str], start: int) -> set[int]:
    """Take in the texts from position ``start`` on: each joins, in each of its blocks, the
    first representative it matches, or becomes one while the block has fewer than ``REPS``.
    The roots of earlier texts they were linked with, as they were before.

    A word set met again in a block takes the outcome of its first meeting there (the
    representative it joined, or none): compared again, it would meet the same
    representatives in the same order, so the outcome is the one the comparisons give."""
    words = _Words(texts)
    parent, blocks, threshold = state.parent, state.blocks, state.threshold
    del parent[start:]
    findall = _WORD.findall
    find, hashes, masks = state._find, words.hashes, words.masks
    met: dict[tuple[int, int], int | None] = {}  # (block, word set) -> representative joined
    remember = threshold <= 1  # a set always matches itself
    merged: set[int] = set()
    for pos in range(start, len(texts)):
        said = findall(texts[pos].casefold())
        if len(said) < 3:
            parent.append(-1)
            continue
        parent.append(pos)
        distinct = set(said)
        masks[pos] = (mine, size) = words.mask(distinct)
        represents = False  # a representative somewhere: its mask is compared with later
        for key in dict.fromkeys(keys_of(said, distinct, hashes)):
            reps = blocks.get(key)
            if reps is None:
                blocks[key] = pos
                met[(key, mine)] = pos
                represents = True
                continue
            if remember and (key, mine) in met:
                joined = met[(key, mine)]
                if joined is not None:
                    _union(parent, find, pos, joined, merged, start)
                continue
            if type(reps) is int:
                reps = blocks[key] = [reps]
            for rep in reps:
                if not 0 <= rep < pos:
                    raise IndexError("a representative that is not an earlier text")
                other, lb = words.of(rep)
                if (size / lb if size < lb else lb / size) < threshold:
                    continue
                inter = (mine & other).bit_count()
                if inter / (size + lb - inter) >= threshold:
                    _union(parent, find, pos, rep, merged, start)
                    met[(key, mine)] = rep
                    break
            else:
                if len(reps) < REPS:
                    reps.append(pos)
                    met[(key, mine)] = pos
                    represents = True
                else:
                    met[(key, mine)] = None
        if not represents:
            del masks[pos]
    return merged


def _union(parent: list[int], find: Any, a: int, b: int, merged: set[int], start: int) -> None:
    a, b = find(a), find(b)
    if a != b:
        parent[max(a, b)] = min(a, b)  # the earliest text is a group's root
        merged.update(root for root in (a, b) if root < start)


__all__ = ["Campaigns", "StringsAsRead", "clusters", "extend", "extend_by", "keys_of", "THRESHOLD", "MINIMUM", "REPS"]
