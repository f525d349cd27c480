"""Place a quoted passage in a principle body and follow it into a later version.

An anchor is ``{"quote", "prefix", "suffix", "start", "end"}``: the quoted text
exactly as it stands in the raw body, up to 32 characters of context on each
side, and its offsets (Python ``str`` indices) into that body.

:func:`reanchor` maps the span through the redline diff. ``anchored``: the
mapped text is the quote, whitespace aside (also when text was inserted around
it). ``modified``: it changed, but most of the quoted text survived; the new
anchor quotes the changed text. ``relocated``: the span's paragraph moved
verbatim, or the passage was cut out and is found, unambiguously, in new text
elsewhere. ``orphaned``: anything else. A comment never goes to a lookalike:
text the diff calls unchanged is no candidate, and an approximate match needs
a score of 0.9 with no rival within 0.02.
"""

from __future__ import annotations

import bisect
import difflib
import functools
import re
from collections import Counter
from typing import Any, NamedTuple

from coalition_cli import redline
from coalition_cli.errors import InputError

__all__ = ["QuoteNotFound", "AmbiguousQuote", "occurrences", "quote_spans", "closest_passage",
           "fold", "make_anchor", "reanchor"]

CONTEXT = 32  # characters of prefix / suffix kept with an anchor
MOSTLY = 0.5  # "most of the text": surviving share for modified, unchanged share for lookalikes
ACCEPT = 0.9  # minimum score of an approximate match
MARGIN = 0.02  # a rival this close makes an approximate match ambiguous
MAX_CANDIDATES = 2000  # more look-alike windows than this: give up (orphaned)
_WEIGHTS = (50, 20, 20, 2)  # quote, prefix, suffix, position
_MIN_QUOTE_SIMILARITY = (ACCEPT * sum(_WEIGHTS) - sum(_WEIGHTS[1:])) / _WEIGHTS[0]
_WORDS = re.compile(r"\S+")


class QuoteNotFound(InputError):
    """The quote does not occur in the principle's body; ``closest`` is the passage of the
    body most like it (None when nothing is alike)."""

    def __init__(self, quote: str = "", closest: str | None = None) -> None:
        hint = "copy the passage exactly as it reads in the round's draft"
        if closest:
            shown = " ".join(closest.split())
            shown = shown if len(shown) <= 100 else shown[:60] + "…" + shown[-39:]
            hint = f"the closest passage in the draft is \"{shown}\"; {hint}"
        super().__init__("the quote does not occur in the principle at the round's draft",
                         hint=hint)
        self.quote = quote
        self.closest = closest


class AmbiguousQuote(InputError):
    """The quote occurs more than once; ``occurrences`` holds the start offsets."""

    def __init__(self, quote: str, occurrences: list[int], contexts: list[str]) -> None:
        n = len(occurrences)
        listed = "; ".join(f"{k}) {ctx}" for k, ctx in enumerate(contexts[:5], 1))
        more = f"; and {n - 5} more" if n > 5 else ""
        super().__init__(
            f"the quote occurs {n} times in the principle: {listed}{more}",
            hint=f"pass --occurrence N (1-based, 1 to {n}) to choose one",
        )
        self.quote = quote
        self.occurrences = occurrences
        self.contexts = contexts


# --- Finding a quote ---


def _find_spans(body: str, quote: str) -> list[tuple[int, int]]:
    """(start, end) of every match of *quote* in *body*, whitespace runs alike.

    Matches may overlap. A blank quote matches nothing.
    """
    parts = quote.split()
    if not parts:
        return []
    pattern = re.compile(r"\s+".join(map(re.escape, parts)))
    spans = []
    match = pattern.search(body)
    while match:
        spans.append(match.span())
        match = pattern.search(body, match.start() + 1)
    return spans


# Quotes as people type them: straight or typographic quotes, any dash, any space are
# the same when matching (each folds one character to one, so offsets stay those of the
# body); the anchor stores the draft's own characters.
_FOLD = str.maketrans({
    **dict.fromkeys("\u2018\u2019\u201a\u201b\u2032\u2035\u2039\u203a\u02bc\u0060\u00b4"
                    "\uff07", "'"),
    **dict.fromkeys("\u201c\u201d\u201e\u201f\u2033\u2036\u00ab\u00bb\uff02", '"'),
    **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u2043\ufe58\ufe63\uff0d", "-"),
    **dict.fromkeys("\u00a0\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009"
                    "\u200a\u202f\u205f\u3000", " "),
})
# Scripts written without spaces between words: a quote may start or end anywhere in them.
_UNSPACED = ("CJK", "HIRAGANA", "KATAKANA", "HALFWIDTH KATAKANA", "THAI", "LAO", "KHMER",
             "MYANMAR", "TIBETAN", "YI ", "BOPOMOFO", "IDEOGRAPHIC")


def fold(text: str) -> str:
    """``text`` with typographic quotes, dashes and spaces made plain, length kept."""
    return text.translate(_FOLD)


@functools.lru_cache(maxsize=4096)
def _wordlike(ch: str) -> bool:
    """A letter, digit or mark of a script that separates its words with spaces."""
    import unicodedata

    if not (ch.isalnum() or ch == "_" or unicodedata.category(ch).startswith("M")):
        return False
    return not unicodedata.name(ch, "").startswith(_UNSPACED)


def _inside_word(body: str, pos: int) -> bool:
    """Is ``pos`` (a boundary between two characters) in the middle of a word?"""
    return 0 < pos < len(body) and _wordlike(body[pos - 1]) and _wordlike(body[pos])


def quote_spans(body: str, quote: str) -> list[tuple[int, int]]:
    """(start, end) of every place the quote, as typed, stands in *body*: whitespace runs,
    quotes, dashes and spaces alike (:func:`fold`), and only at whole-word edges — "the"
    is not found in "gathered" or "them". Matches may overlap; a blank quote matches
    nothing."""
    return [(s, e) for s, e in _find_spans(fold(body), fold(quote))
            if not _inside_word(body, s) and not _inside_word(body, e)]


def closest_passage(body: str, quote: str) -> tuple[int, int] | None:
    """The span of *body* most like *quote* (case, quotes, dashes, spaces aside), over
    windows of about as many words; None when no window is even half alike."""
    wanted = " ".join(fold(quote).lower().split())
    if not wanted:
        return None
    spans = [m.span() for m in _WORDS.finditer(body)]
    n = len(wanted.split())
    keys = {w.strip(".,;:!?()[]'\"") for w in wanted.split()}
    hits = [k for k, (a, b) in enumerate(spans)
            if fold(body[a:b]).lower().strip(".,;:!?()[]'\"") in keys]
    starts = sorted({s for k in hits[:500] for s in range(max(0, k - n), k + 1)})
    if not starts:
        starts = list(range(min(len(spans), 2000)))
    matcher = difflib.SequenceMatcher(None, "", wanted, autojunk=False)
    best: tuple[float, int, int] | None = None
    for k in starts:
        for m in (n - 1, n, n + 1):
            if m < 1 or k + m > len(spans):
                continue
            start, end = spans[k][0], spans[k + m - 1][1]
            matcher.set_seq1(" ".join(fold(body[start:end]).lower().split()))
            if best is not None and matcher.quick_ratio() <= best[0]:
                continue
            ratio = matcher.ratio()
            if best is None or ratio > best[0]:
                best = (ratio, start, end)
    if best is None or best[0] < 0.5:
        return None
    return best[1], best[2]


def occurrences(body: str, quote: str) -> list[int]:
    """Start offsets of the quote in *body*, matching any whitespace run to any other."""
    return [start for start, _ in _find_spans(body, quote)]


def _same_text(a: str, b: str) -> bool:
    return a.split() == b.split()


def _anchor_at(body: str, start: int, end: int) -> dict[str, Any]:
    return {
        "quote": body[start:end],
        "prefix": body[max(0, start - CONTEXT) : start],
        "suffix": body[end : end + CONTEXT],
        "start": start,
        "end": end,
    }


def _snippet(body: str, start: int, end: int, width: int = 20) -> str:
    """A one-line context such as ``…the board [publishes minutes] within…``."""
    quote = " ".join(body[start:end].split())
    quote = quote if len(quote) <= 40 else quote[:20] + "…" + quote[-19:]
    before = " ".join(body[max(0, start - width) : start].split())
    after = " ".join(body[end : end + width].split())
    lead, tail = "…" * (start > width), "…" * (end + width < len(body))
    return f"{lead}{before} [{quote}] {after}{tail}".strip()


def make_anchor(body: str, quote: str, occurrence: int | None = None) -> dict[str, Any]:
    """Anchor *quote* in *body*; *occurrence* (1-based) chooses among several matches.

    Whitespace runs in the quote match any whitespace run in the body (a
    hard-wrapped passage copied as one line still matches), typographic and plain
    quotes, dashes and spaces match each other, and a match starts and ends at word
    edges (:func:`quote_spans`); the anchor stores the text exactly as it is in the body.
    When nothing matches, the error names the closest passage.
    """
    if not isinstance(quote, str) or not quote.strip():
        raise InputError("the quote is empty", hint="pass the passage you comment on with --quote")
    spans = quote_spans(body, quote)
    if not spans:
        near = closest_passage(body, quote)
        raise QuoteNotFound(quote, body[near[0]:near[1]] if near else None)
    if occurrence is None:
        if len(spans) > 1:
            contexts = [_snippet(body, s, e) for s, e in spans]
            raise AmbiguousQuote(quote, [s for s, _ in spans], contexts)
        occurrence = 1
    if isinstance(occurrence, bool) or not isinstance(occurrence, int) or not 1 <= occurrence <= len(spans):
        raise InputError(
            f"occurrence {occurrence} is out of range: the quote occurs {len(spans)} time(s)",
            hint=f"pass --occurrence N with N from 1 to {len(spans)}",
        )
    return _anchor_at(body, *spans[occurrence - 1])


# --- Following an anchor through the redline diff ---


class _Segment(NamedTuple):
    """A piece of the redline diff in normalized coordinates."""

    kind: str  # E (equal), D / I (delete / insert), MF / MT (move from / to)
    old_start: int
    old_end: int
    new_start: int
    new_end: int
    hunk: int  # index into _Alignment.hunks; -1 for equal text
    op: dict[str, Any]


class _Alignment:
    """The redline diff of two bodies, with offset maps between raw and normalized text.

    A hunk is a run of word-level changes, or one whole-paragraph op; its new
    range is where a quote that ends (or starts) inside the hunk is mapped.
    """

    def __init__(self, old_body: str, new_body: str) -> None:
        self.old_norm, self.old_idx = redline.normalize_with_offsets(old_body)
        self.new_norm, self.new_idx = redline.normalize_with_offsets(new_body)
        self.segments: list[_Segment] = []
        self.hunks: list[list[int]] = []  # [new_start, new_end] per hunk
        self.move_to: dict[int, _Segment] = {}
        o = n = 0
        partial_run = False
        for op in redline.diff(old_body, new_body):
            size, kind = len(op["text"]), op["op"]
            if kind == "equal":
                self.segments.append(_Segment("E", o, o + size, n, n + size, -1, op))
                o, n, partial_run = o + size, n + size, False
                continue
            whole = kind == "move" or "paragraphs" in op
            if whole or not partial_run:
                self.hunks.append([n, n])
            partial_run = not whole
            hunk = len(self.hunks) - 1
            if kind == "delete" or op.get("role") == "from":
                self.segments.append(_Segment("D" if kind == "delete" else "MF", o, o + size, n, n, hunk, op))
                o += size
            else:
                seg = _Segment("I" if kind == "insert" else "MT", o, o, n, n + size, hunk, op)
                self.segments.append(seg)
                if kind == "move":
                    self.move_to[op["pair"]] = seg
                n = self.hunks[-1][1] = n + size
        self._old_segments = [seg for seg in self.segments if seg.old_end > seg.old_start]
        self._old_starts = [seg.old_start for seg in self._old_segments]
        self.words = [m.span() for m in _WORDS.finditer(self.new_norm)]
        equal = [seg for seg in self.segments if seg.kind == "E"]
        self._equal_starts = [seg.new_start for seg in equal]
        self._equal_ends = [seg.new_end for seg in equal]
        self._equal_before = [0]  # unchanged characters before each equal segment
        for seg in equal:
            self._equal_before.append(self._equal_before[-1] + seg.new_end - seg.new_start)

    def old_span(self, start: int, end: int) -> tuple[int, int]:
        """Raw old offsets to normalized ones."""
        return bisect.bisect_left(self.old_idx, start), bisect.bisect_left(self.old_idx, end)

    def new_span(self, start: int, end: int) -> tuple[int, int]:
        """Raw new offsets to normalized ones."""
        return bisect.bisect_left(self.new_idx, start), bisect.bisect_left(self.new_idx, end)

    def new_raw(self, start: int, end: int) -> tuple[int, int] | None:
        """Normalized new span to raw offsets, whitespace trimmed; None if empty."""
        while start < end and self.new_norm[start] in " \n":
            start += 1
        while end > start and self.new_norm[end - 1] in " \n":
            end -= 1
        return (self.new_idx[start], self.new_idx[end - 1] + 1) if start < end else None

    def map_span(self, s: int, e: int) -> tuple[str, int, int, float]:
        """Map the old normalized span: ``(how, new_start, new_end, surviving)``.

        *how* is ``"move"`` when the span lies inside a paragraph that moved
        verbatim, else ``"map"``; *surviving* is the share of the old span
        that is unchanged text.
        """
        first = bisect.bisect_right(self._old_starts, s) - 1
        last = bisect.bisect_right(self._old_starts, e - 1) - 1
        head, tail = self._old_segments[first], self._old_segments[last]
        if first == last and head.kind == "MF":
            target = self.move_to[head.op["pair"]]
            from_block = head.old_start + _leading_newlines(head.op["text"])
            to_block = target.new_start + _leading_newlines(target.op["text"])
            return "move", to_block + s - from_block, to_block + e - from_block, 1.0
        start = head.new_start + s - head.old_start if head.kind == "E" else self.hunks[head.hunk][0]
        end = tail.new_start + e - tail.old_start if tail.kind == "E" else self.hunks[tail.hunk][1]
        kept = sum(
            min(e, seg.old_end) - max(s, seg.old_start)
            for seg in self._old_segments[first : last + 1]
            if seg.kind == "E"
        )
        return "map", start, max(start, end), kept / (e - s)

    def unchanged_share(self, start: int, end: int) -> float:
        """Share of the new normalized span that the diff calls unchanged."""
        if end <= start:
            return 1.0
        return (self._unchanged_before(end) - self._unchanged_before(start)) / (end - start)

    def _unchanged_before(self, pos: int) -> int:
        k = bisect.bisect_right(self._equal_starts, pos) - 1
        if k < 0:
            return 0
        return self._equal_before[k] + min(pos, self._equal_ends[k]) - self._equal_starts[k]


def _leading_newlines(text: str) -> int:
    return len(text) - len(text.lstrip("\n"))


@functools.lru_cache(maxsize=16)
def _alignment(old_body: str, new_body: str) -> _Alignment:
    return _Alignment(old_body, new_body)


def _check_anchor(old_body: str, anchor: dict[str, Any]) -> tuple[int, int, str]:
    try:
        start, end, quote = anchor["start"], anchor["end"], anchor["quote"]
    except (KeyError, TypeError):
        raise InputError("an anchor needs quote, start and end") from None
    if not (isinstance(start, int) and isinstance(end, int) and isinstance(quote, str)):
        raise InputError("an anchor's start and end must be integers and its quote text")
    if not 0 <= start < end <= len(old_body) or old_body[start:end] != quote or not quote.strip():
        raise InputError(f"the anchor ({start}-{end}) does not match the text it was made on")
    return start, end, quote


def reanchor(old_body: str, new_body: str, anchor: dict[str, Any]) -> tuple[str, dict[str, Any] | None]:
    """Follow *anchor* from *old_body* into *new_body*: ``(fate, new anchor or None)``."""
    _, _, quote = _check_anchor(old_body, anchor)
    align = _alignment(old_body, new_body)
    s, e = align.old_span(anchor["start"], anchor["end"])
    how, ns, ne, surviving = align.map_span(s, e)
    raw = align.new_raw(ns, ne)
    if raw is not None and _same_text(new_body[raw[0] : raw[1]], quote):
        return ("relocated" if how == "move" else "anchored"), _anchor_at(new_body, *raw)
    if raw is not None and how == "map" and surviving > MOSTLY:
        return "modified", _anchor_at(new_body, *raw)
    found = _search(align, new_body, quote, s, e)
    if found is None:
        return "orphaned", None
    return "relocated", _anchor_at(new_body, *found)


def _similar(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


def _candidate_starts(align: _Alignment, words: list[str], wanted: list[str]) -> list[int]:
    """Word indices where a window of ``len(wanted)`` words lies near new text
    and shares at least half of its word pairs (bigrams) with the quote."""
    n = len(wanted)
    grams: list[Any] = list(zip(words, words[1:])) if n > 1 else list(words)
    need = Counter(zip(wanted, wanted[1:]) if n > 1 else wanted)
    size = max(1, n - 1)  # grams per window
    ends = [end for _, end in align.words]
    ranges = []
    for seg in align.segments:
        if seg.kind in ("I", "MT"):  # a match must lie mostly in new text
            first = max(0, bisect.bisect_left(ends, seg.new_start) - n)
            ranges.append((first, min(bisect.bisect_left(ends, seg.new_end) + 1, len(words) - n + 1)))
    starts: list[int] = []
    done = 0
    for first, last in sorted(ranges):
        first = max(first, done)
        if first >= last:
            continue
        have: Counter[Any] = Counter(grams[first : first + size])
        shared = sum(min(c, have[g]) for g, c in need.items())
        for k in range(first, last):
            if k > first:  # slide the window by one word
                out, into = grams[k - 1], grams[k + size - 1]
                have[out] -= 1
                shared -= have[out] < need[out]
                shared += have[into] < need[into]
                have[into] += 1
            if 2 * shared >= size:
                starts.append(k)
        done = last
    return starts


def _search(align: _Alignment, new_body: str, quote: str, s: int, e: int) -> tuple[int, int] | None:
    """Find the quote in text that is new in *new_body*; None unless unambiguous."""
    found = _find_spans(new_body, quote)
    exact = [span for span in found if align.unchanged_share(*align.new_span(*span)) <= MOSTLY]
    if len(exact) == 1:
        return exact[0]

    wanted = " ".join(quote.split())
    prefix = align.old_norm[max(0, s - CONTEXT) : s]
    suffix = align.old_norm[e : e + CONTEXT]
    old_pos = s / max(1, len(align.old_norm))
    new_text, spans = align.new_norm, align.words
    words = [new_text[a:b] for a, b in spans]
    n = len(wanted.split())
    starts = _candidate_starts(align, words, wanted.split())
    if len(starts) > MAX_CANDIDATES:
        return None  # a passage repeated this often cannot be placed unambiguously
    matcher = difflib.SequenceMatcher(None, "", wanted, autojunk=False)
    scored: list[tuple[float, int, int]] = []
    for k in starts:
        for m in (n - 1, n, n + 1):
            if m < 1 or k + m > len(spans):
                continue
            cs, ce = spans[k][0], spans[k + m - 1][1]
            matcher.set_seq1(new_text[cs:ce])
            if matcher.quick_ratio() < _MIN_QUOTE_SIMILARITY or align.unchanged_share(cs, ce) > MOSTLY:
                continue
            q = matcher.ratio()
            p = _similar(prefix, new_text[max(0, cs - len(prefix)) : cs]) if prefix else float(cs == 0)
            x = _similar(suffix, new_text[ce : ce + len(suffix)]) if suffix else float(ce == len(new_text))
            pos = 1 - abs(cs / max(1, len(new_text)) - old_pos)
            score = sum(w * v for w, v in zip(_WEIGHTS, (q, p, x, pos))) / sum(_WEIGHTS)
            scored.append((score, cs, ce))
    if not scored:
        return None
    best = max(scored)
    rivals = [sc for sc, cs, ce in scored if ce <= best[1] or cs >= best[2]]
    if best[0] < ACCEPT or (rivals and best[0] - max(rivals) < MARGIN):
        return None
    return align.new_raw(best[1], best[2])
