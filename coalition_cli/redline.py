"""Word-level redline between two versions of one principle body.

Texts are compared in a canonical form (:func:`normalize`), so rewrapping is
no change. :func:`diff` has two stages, both diff-match-patch without timeout
(the default 1 s deadline silently degrades to whole-document replacement):
paragraphs as tokens first; then, inside each run of changed paragraphs,
similar old and new paragraphs are paired in order and diffed token by token
(word, punctuation mark, whitespace: one character each), with semantic
cleanup. A change never splits a word nor crosses a paragraph boundary; a
paragraph deleted in one place and inserted verbatim elsewhere is a move.

Op dicts: ``{"op": "equal"|"insert"|"delete"|"move", "text": str}``. Move
halves add ``"role": "from"|"to"`` and ``"pair": int``. Inserts and deletes of
whole paragraphs add ``"paragraphs": int`` (how many whole paragraphs the op
holds); their text, like a move's, carries the ``"\\n\\n"`` separator that
joins it to its neighbours (strip ``"\\n"`` for display).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

from diff_match_patch import diff_match_patch

from coalition_cli.errors import InputError

__all__ = ["normalize", "normalize_with_offsets", "tokenize", "diff", "stats", "apply", "hunks"]

SEP = "\n\n"
PAIR_THRESHOLD = 0.34  # Dice of word pairs (of words, in short blocks) to diff two blocks by word

_LINE = re.compile(r"([^\r\n]*)(?:\r\n|\r|\n|\Z)")
_NON_SPACE = re.compile(r"\S+")
_BULLET = re.compile(r"[ \t]*[-*+][ \t]")
_NUMBERED = re.compile(r"[ \t]*(\d{1,9})[.)][ \t]")
_HEADING = re.compile(r"[ \t]*#{1,6}(?:[ \t]|$)")
_TOKEN = re.compile(r"\s+|\w+|[^\w\s]")
_WORD_CHAR = re.compile(r"\w")
_WORD = re.compile(r"\w+")
_OTHER_CHAR = re.compile(r"[^\w\s]")
_ZWJ = "\u200d"

_DMP = diff_match_patch()
_DMP.Diff_Timeout = 0  # never trade correctness for a deadline
_OP_NAMES = {0: "equal", -1: "delete", 1: "insert"}

Op = dict[str, Any]
Pair = tuple[int, int]


def _starts_block(line: str, block: list[tuple[int, str]]) -> bool:
    """Bullets and headings start a block; a numbered item does when it is ``1.``
    or follows another item (so a wrapped line starting "2026. " does not)."""
    if _BULLET.match(line) or _HEADING.match(line):
        return True
    number = _NUMBERED.match(line)
    after_item = bool(block) and bool(_BULLET.match(block[0][1]) or _NUMBERED.match(block[0][1]))
    return number is not None and (int(number.group(1)) == 1 or after_item)


def _scan_blocks(text: str) -> list[list[tuple[int, str]]]:
    """Split *text* into blocks, each a list of (raw offset, line) pairs."""
    blocks: list[list[tuple[int, str]]] = [[]]
    for m in _LINE.finditer(text):
        line = m.group(1)
        if not line.strip() or _starts_block(line, blocks[-1]):  # a blank line ends a block
            blocks.append([])
        if line.strip():
            blocks[-1].append((m.start(), line))
            if _HEADING.match(line):  # a heading is a block of its own
                blocks.append([])
    return [block for block in blocks if block]


def normalize(text: str) -> str:
    """Return the canonical form of *text* used for comparing versions.

    Blocks are separated by exactly ``"\\n\\n"``; inside a block every
    whitespace run becomes one space. A block is a paragraph, but a line that
    starts a Markdown list item (``- ``, ``* ``, ``+ ``, ``1. ``) or a heading
    (``# ``) starts a new block even without a blank line before it, and a
    heading line is a block of its own.
    """
    return SEP.join(" ".join(" ".join(line for _, line in block).split()) for block in _scan_blocks(text))


def normalize_with_offsets(text: str) -> tuple[str, list[int]]:
    """Return ``normalize(text)`` and, for each of its characters, the raw index.

    A collapsed space or a block separator maps to the raw index where the
    whitespace it replaces begins, so the list is non-decreasing.
    """
    parts: list[str] = []
    offsets: list[int] = []
    for block in _scan_blocks(text):
        words = [(start + m.start(), m.group()) for start, line in block for m in _NON_SPACE.finditer(line)]
        for w, (offset, word) in enumerate(words):
            if parts:
                gap = " " if w else SEP
                parts.append(gap)
                offsets.extend([offsets[-1] + 1] * len(gap))
            parts.append(word)
            offsets.extend(range(offset, offset + len(word)))
    return "".join(parts), offsets


def _is_extender(ch: str) -> bool:
    """A character that belongs to the token before it (marks, ZWJ, skin tones)."""
    return ch == _ZWJ or "\U0001f3fb" <= ch <= "\U0001f3ff" or unicodedata.category(ch)[0] == "M"


def tokenize(text: str) -> list[str]:
    """Split *text* into words, single punctuation marks and whitespace runs.

    Combining marks, zero-width joiners and emoji modifiers stay with the
    token before them, so an accent or an emoji sequence is never split off.
    """
    tokens = _TOKEN.findall(text)
    if not any(_is_extender(ch) for ch in set(_OTHER_CHAR.findall(text))):
        return tokens  # the common case: nothing to glue
    out: list[str] = []
    for tok in tokens:
        prev = out[-1] if out else " "
        if out and not tok[0].isspace() and (
            prev[-1] == _ZWJ or _is_extender(tok[0]) or (_WORD_CHAR.match(tok) and _WORD_CHAR.match(prev))
        ):
            out[-1] = prev + tok
        else:
            out.append(tok)
    return out


def _code(index: int) -> str:
    """The *index*-th private-use character (about 137 000 are available)."""
    for low, size in ((0xE000, 6400), (0xF0000, 65534), (0x100000, 65534)):
        if index < size:
            return chr(low + index)
        index -= size
    raise InputError("the texts are too large to compare (too many distinct tokens)")


def _encode(*sequences: Sequence[str]) -> tuple[list[str], dict[str, str]]:
    """Each distinct token as one character (like ``diff_linesToChars``), and the decoding table."""
    codes: dict[str, str] = {}
    for tok in (tok for seq in sequences for tok in seq):
        if tok not in codes:
            codes[tok] = _code(len(codes))
    return ["".join(map(codes.__getitem__, seq)) for seq in sequences], {c: t for t, c in codes.items()}


def _word_diff(old: str, new: str) -> list[tuple[str, str]]:
    """Token-level diff of two paragraphs: ``[(op, text), ...]``."""
    (a, b), table = _encode(tokenize(old), tokenize(new))
    diffs = _DMP.diff_main(a, b, False)
    _DMP.diff_cleanupSemantic(diffs)
    return [(_OP_NAMES[op], "".join(map(table.__getitem__, codes))) for op, codes in diffs if codes]


def _similarity(a: list[str], b: list[str]) -> float:
    """Dice coefficient of word bigrams (of words if either is short): unrelated
    paragraphs share many function words, but few word pairs."""
    if min(len(a), len(b)) >= 3:
        ca: Counter[Any] = Counter(zip(a, a[1:]))
        cb: Counter[Any] = Counter(zip(b, b[1:]))
    else:
        ca, cb = Counter(a), Counter(b)
    total = sum(ca.values()) + sum(cb.values())
    return 2 * sum((ca & cb).values()) / total if total else 1.0


def _shingles(words: list[str]) -> set[tuple[str, ...]]:
    n = min(3, len(words))
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


def _best_chain(weighted: list[tuple[int, int, float]], columns: int) -> list[Pair]:
    """Max-weight chain of pairs (i, j, similarity) strictly increasing in i and j,
    among those similar enough (a Fenwick tree over j)."""
    weighted = [pair for pair in weighted if pair[2] >= PAIR_THRESHOLD]
    weighted.sort(key=lambda t: (t[0], -t[1]))  # same i, j descending: they never chain
    tree: list[tuple[float, int]] = [(0.0, -1)] * (columns + 1)
    best: list[tuple[float, int]] = []
    for k, (_, j, w) in enumerate(weighted):
        prev, pos = (0.0, -1), j
        while pos > 0:  # best chain ending in a column < j
            prev, pos = max(prev, tree[pos]), pos - (pos & -pos)
        best.append((prev[0] + w, prev[1]))
        pos = j + 1
        while pos <= columns:
            tree[pos], pos = max(tree[pos], (prev[0] + w, k)), pos + (pos & -pos)
    chain = []
    k = max(range(len(best)), key=lambda x: best[x][0]) if best else -1
    while k >= 0:
        chain.append(weighted[k][:2])
        k = best[k][1]
    return chain[::-1]


def _pair_blocks(olds: list[str], news: list[str], fixed_old: set[int], fixed_new: set[int]) -> list[Pair]:
    """In-order pairs (i, j) of similar paragraphs maximising total similarity.

    In small runs every pair is a candidate; in large ones, the new paragraphs
    sharing most uncommon word trigrams with an old one, and those at the same
    relative position. Indices in *fixed_old* / *fixed_new* (move halves) never pair.
    """
    old_words = [_WORD.findall(b.lower()) for b in olds]
    new_words = [_WORD.findall(b.lower()) for b in news]
    candidates = {(i, j) for i in range(len(olds)) for j in range(len(news)) if len(olds) * len(news) <= 16}
    if len(olds) * len(news) > 16:
        index: dict[tuple[str, ...], list[int]] = {}
        for j, words in enumerate(new_words):
            for sh in _shingles(words):
                index.setdefault(sh, []).append(j)
        for i, words in enumerate(old_words):
            postings = [index[sh] for sh in _shingles(words) if 0 < len(index.get(sh, ())) <= 32]
            shared = Counter(j for js in postings for j in js)
            candidates.update((i, j) for j, _ in shared.most_common(8))  # the few that share most
            centre = int(i * len(news) / len(olds))
            candidates.update((i, j) for j in (centre - 1, centre, centre + 1) if 0 <= j < len(news))
    weighted = [
        (i, j, _similarity(old_words[i], new_words[j]))
        for i, j in candidates
        if i not in fixed_old and j not in fixed_new
    ]
    return _best_chain(weighted, len(news))


Item = tuple[str, Any]  # ("equal", block) or ("run", (deleted blocks, inserted blocks))


def _block_items(old_blocks: list[str], new_blocks: list[str]) -> list[Item]:
    """Stage 1: diff with each distinct block as one character."""
    (a, b), table = _encode(old_blocks, new_blocks)
    items: list[Item] = []
    run: tuple[list[str], list[str]] = ([], [])
    for op, codes in _DMP.diff_main(a, b, False):
        if op == 0:
            if run[0] or run[1]:
                items.append(("run", run))
                run = ([], [])
            items.extend(("equal", table[c]) for c in codes)
        else:
            run[0 if op == -1 else 1].extend(table[c] for c in codes)
    return items + [("run", run)] if run[0] or run[1] else items


def _find_moves(items: list[Item]) -> dict[tuple[int, int, int], int]:
    """Blocks deleted in one run and inserted verbatim in some run: (run, side, index) -> move id."""
    deleted: dict[str, list[tuple[int, int]]] = {}
    for r, (kind, body) in enumerate(items):
        for i, blk in enumerate(body[0] if kind == "run" else ()):
            deleted.setdefault(blk, []).append((r, i))
    moves: dict[tuple[int, int, int], int] = {}
    for r, (kind, body) in enumerate(items):
        for j, blk in enumerate(body[1] if kind == "run" else ()):
            if deleted.get(blk):
                src_run, i = deleted[blk].pop(0)
                moves[(src_run, 0, i)] = moves[(r, 1, j)] = len(moves) // 2
    return moves


class _Builder:
    """Accumulates ops: merges neighbours of the same kind and wholeness, and
    places each ``"\\n\\n"`` either in an equal op or with a whole block."""

    def __init__(self) -> None:
        self.ops: list[Op] = []
        self.started = [False, False]  # has the old / new side had a block yet?
        self.pairs: dict[int, int] = {}  # move id -> pair number in order of appearance

    def add(self, op: str, text: str, *, whole: bool = False, **extra: Any) -> None:
        last = self.ops[-1] if self.ops else {"op": None}
        if op != "move" and last["op"] == op and (op == "equal" or ("paragraphs" in last) == whole):
            last["text"] += text
            if whole:
                last["paragraphs"] += 1
            return
        self.ops.append({"op": op, "text": text, **extra, **({"paragraphs": 1} if whole else {})})

    def one_sided(self, side: int, block: str, move: int | None) -> None:
        """A whole block on the old (0) or new (1) side only."""
        text = SEP + block if self.started[side] else block
        self.started[side] = True
        if move is None:
            self.add("delete" if side == 0 else "insert", text, whole=True)
        else:
            pair = self.pairs.setdefault(move, len(self.pairs))
            self.add("move", text, role="from" if side == 0 else "to", pair=pair)

    def both_sided(self) -> None:
        """Open a block present on both sides (equal, or diffed word by word)."""
        if all(self.started):
            self.add("equal", SEP)
        elif any(self.started):  # only one side's whole blocks came before
            self.ops[-1]["text"] += SEP
        self.started = [True, True]


def diff(old: str, new: str) -> list[Op]:
    """Word-level diff of two versions of a principle body (see module doc)."""
    old_norm, new_norm = normalize(old), normalize(new)
    old_blocks = old_norm.split(SEP) if old_norm else []
    new_blocks = new_norm.split(SEP) if new_norm else []
    if old_blocks == new_blocks:
        return [{"op": "equal", "text": old_norm}] if old_norm else []
    items = _block_items(old_blocks, new_blocks)
    moves = _find_moves(items)
    out = _Builder()
    for r, (kind, body) in enumerate(items):
        if kind == "equal":
            out.both_sided()
            out.add("equal", body)
            continue
        olds, news = body
        fixed_old = {i for i in range(len(olds)) if (r, 0, i) in moves}
        fixed_new = {j for j in range(len(news)) if (r, 1, j) in moves}
        next_old = next_new = 0
        for pi, pj in [*_pair_blocks(olds, news, fixed_old, fixed_new), (len(olds), len(news))]:
            for k in range(next_old, pi):  # unpaired old blocks before the pair
                out.one_sided(0, olds[k], moves.get((r, 0, k)))
            for k in range(next_new, pj):  # unpaired new blocks before the pair
                out.one_sided(1, news[k], moves.get((r, 1, k)))
            if pi < len(olds):
                out.both_sided()
                for op, text in _word_diff(olds[pi], news[pj]):
                    out.add(op, text)
            next_old, next_new = pi + 1, pj + 1
    return out.ops


def _words(text: str) -> int:
    return sum(1 for t in tokenize(text) if _WORD_CHAR.match(t))


def stats(ops: Iterable[Op]) -> dict[str, int]:
    """Counts of a diff: words and paragraphs inserted, deleted and moved.

    Words are ``\\w+`` runs (with any combining marks) in insert and delete
    ops; a move counts one moved paragraph and no words.
    """
    ops = list(ops)
    changes = {kind: [op for op in ops if op["op"] == kind] for kind in ("insert", "delete")}
    return {
        "words_inserted": sum(_words(op["text"]) for op in changes["insert"]),
        "words_deleted": sum(_words(op["text"]) for op in changes["delete"]),
        "paragraphs_added": sum(op.get("paragraphs", 0) for op in changes["insert"]),
        "paragraphs_deleted": sum(op.get("paragraphs", 0) for op in changes["delete"]),
        "paragraphs_moved": len({op["pair"] for op in ops if op["op"] == "move"}),
    }


def apply(ops: Iterable[Op], side: str = "new") -> str:
    """Rebuild the normalized ``"new"`` or ``"old"`` text from *ops*."""
    if side not in ("new", "old"):
        raise InputError(f"side must be 'new' or 'old', not {side!r}")
    own, role = ("insert", "to") if side == "new" else ("delete", "from")
    keep = (op for op in ops if op["op"] in ("equal", own) or (op["op"] == "move" and op.get("role") == role))
    return "".join(op["text"] for op in keep)


def hunks(ops: Iterable[Op]) -> int:
    """Number of change hunks: maximal runs of non-equal ops; a move pair counts once."""
    count, seen, run = 0, set(), []
    for op in [*ops, {"op": "equal"}]:
        if op["op"] != "equal":
            run.append(op)
            continue
        pairs = {o["pair"] for o in run if o["op"] == "move"}
        if run and not (all(o["op"] == "move" for o in run) and pairs <= seen):
            count += 1  # a run made only of the second halves of moves adds nothing
        seen |= pairs
        run = []
    return count
