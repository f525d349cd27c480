"""Map a reviewed document onto the round's draft: each comment and tracked change becomes
an :class:`Item` (principle, quote anchor, proposal, text, stance tag) or a
:class:`Skipped` line saying why not.

How (``ooxml`` gives the atoms, ``layout`` the exported paragraphs and their offsets):

1. The *old* text (what was exported: deleted text in, inserted text out) is cut into
   paragraphs and aligned, in order, with the export's paragraphs. An aligned paragraph
   maps each character to its offset in its principle's body; a paragraph that does not
   align was edited without tracking changes.
2. A run of tracked changes with no unchanged text between them is a *hunk*: an old span
   and the text inserted there (an inserted paragraph mark is a paragraph break).
3. A comment's range gives its quote (the old text it covers); the hunks inside it give
   its proposal. Hunks outside every comment become amendments of their own, a
   replacement and the hunks it is split into (one word each, in Word) together, and the
   two halves of a move in one principle together.
4. A quote is widened to whole words and loses the whitespace at its edges; a change
   that leaves no text to quote (an insertion, a deletion) takes in its neighbouring word
   — the one it is attached to, else the one before it. The proposal is the reviewer's
   version of exactly the quoted span.

Comments on the title, the note or outside the principles, resolved threads and changes
to headings are skipped and listed; a comment whose text was edited without tracking is
looked up in its principle (``anchoring.make_anchor``) and, if it is not found exactly
once, stops the import (:class:`NoLongerMaps`).
"""

from __future__ import annotations

import bisect
import difflib
import re
import unicodedata
from dataclasses import dataclass, field

from ..anchoring import QuoteNotFound, _inside_word, make_anchor
from ..errors import InputError
from .layout import TAGS, Draft, Para, layout
from .ooxml import Package

SEP = "\n\n"


class NoLongerMaps(InputError):
    """A comment's passage cannot be placed in the round's draft."""


@dataclass
class Item:
    key: str  # stable within the file: "comment-<w:id>" or "change-<w:id>"
    label: str  # what the person reads: "comment 3", "tracked change 2"
    principle: str
    start: int | None = None  # body offsets of the quote; None: the whole principle
    end: int | None = None
    quote: str | None = None
    proposal: str | None = None
    text: str | None = None
    tag: str | None = None  # the stance a leading tag gave
    changed: bool = False  # holds tracked changes
    replies: int = 0
    hunks: list[_Hunk] = field(default_factory=list, repr=False)


@dataclass(frozen=True)
class Skipped:
    label: str
    reason: str


@dataclass
class Mapping:
    items: list[Item]
    skipped: list[Skipped]


@dataclass
class _Hunk:
    g0: int  # old span, global old-text indices
    g1: int
    inserted: str
    key: str
    move: str | None
    label: str = ""
    i0: int = 0  # its atoms
    i1: int = 0
    principle: str | None = None
    s: int = 0  # body offsets
    e: int = 0


@dataclass
class _OldPara:
    start: int  # global old index of its first character
    text: str
    para: Para | None = None  # the export's paragraph it aligns with
    principle: str | None = None  # for a paragraph that does not align: the section it is in


# --- tags ----------------------------------------------------------------------------------

_TAG = re.compile(r"\s*[\[\uff3b]\s*([^\]\uff3d\n]{1,24}?)\s*[\]\uff3d]\s*[:\-\u2013\u2014]?\s*")


def _fold(word: str) -> str:
    plain = unicodedata.normalize("NFKD", word)
    return "".join(c for c in plain if not unicodedata.combining(c)).casefold()


def split_tag(text: str, stances: tuple[str, ...]) -> tuple[str | None, str]:
    """(stance, the text after the tag) for a comment starting with a known tag, else
    (None, text): an unknown bracket such as "[sic]" is part of the text."""
    match = _TAG.match(text)
    if not match:
        return None, text
    word = _fold(match.group(1))
    stance = TAGS.get(word) or next((s for s in stances if _fold(s) == word), None)
    if stance is None:
        return None, text
    return stance, text[match.end():].strip()


# --- the map ---------------------------------------------------------------------------------


class _Map:
    def __init__(self, package: Package, draft: Draft) -> None:
        self.draft = draft
        self.atoms = package.atoms
        self.old_pos = [0]
        for atom in self.atoms:
            self.old_pos.append(self.old_pos[-1] + atom.old)
        self.paras: list[_OldPara] = []
        current: list[str] = []
        start = 0
        for atom in self.atoms:
            if not atom.old:
                continue
            if atom.mark:
                self.paras.append(_OldPara(start, "".join(current)))
                start += len(current) + 1
                current = []
            else:
                current.append(atom.ch)
        if current:
            self.paras.append(_OldPara(start, "".join(current)))
        self.starts = [p.start for p in self.paras]
        self._align(layout(draft))

    def _align(self, expected: list[Para]) -> None:
        solid = [k for k, p in enumerate(self.paras) if p.text.strip()]
        olds = [self.paras[k].text.rstrip() for k in solid]
        news = [p.text.rstrip() for p in expected]
        matcher = difflib.SequenceMatcher(None, olds, news, autojunk=False)
        for op, a0, a1, b0, b1 in matcher.get_opcodes():
            if op == "equal":
                for a, b in zip(range(a0, a1), range(b0, b1)):
                    self.paras[solid[a]].para = expected[b]
        section: str | None = None
        for p in self.paras:
            if p.para is not None:
                section = p.para.principle
            elif p.text.strip():
                p.principle = section
        if not any(p.para is not None and p.para.role == "body" for p in self.paras):
            raise NoLongerMaps("none of the document's paragraphs is a paragraph of the "
                               "round's draft",
                               hint="import the file exported for this round, reviewed with "
                                    "Track Changes on")

    def para_at(self, g: int) -> int:
        return max(0, bisect.bisect_right(self.starts, g) - 1)

    def offset(self, k: int, c: int) -> int:
        offsets = self.paras[k].para.offsets  # type: ignore[union-attr]
        return offsets[c] if c < len(offsets) else offsets[-1] + 1

    def where(self, k: int) -> tuple[str, str | None]:
        """(role, principle) of old paragraph ``k``: role ``unaligned`` when edited without
        tracking."""
        p = self.paras[k]
        if p.para is None:
            return ("unaligned" if p.principle else "outside"), p.principle
        return p.para.role, p.para.principle


_ROLE_NAMES = {"title": "the title", "meta": "the line under the title",
               "note-title": "the how-to-comment note", "note": "the how-to-comment note",
               "outside": "text outside the principles"}


def map_review(package: Package, draft: Draft, stances: tuple[str, ...]) -> Mapping:
    m = _Map(package, draft)
    skipped: list[Skipped] = []
    for p in m.paras:  # typed over the draft without Track Changes: said, never guessed
        if p.para is None and p.principle and p.text.strip():
            skipped.append(Skipped(f"an untracked edit in {p.principle}",
                                   f"(\"{_short(p.text, 50)}\") was made without Track Changes; "
                                   "it is not imported"))
    items: list[Item] = []
    hunks = _hunks(m, skipped)
    comment_items = _comments(m, package, stances, skipped)
    for hunk in hunks:  # a change inside a comment's range (by its text, or by its atoms)
        owner = next((it for it, g0, g1, a0, a1 in comment_items if it.principle == hunk.principle
                      and (_overlaps(g0, g1, hunk.g0, hunk.g1)
                           or a0 < a1 and hunk.i0 < a1 and hunk.i1 > a0)), None)
        if owner is not None:
            owner.hunks.append(hunk)
            owner.changed = True
    items.extend(entry[0] for entry in comment_items)
    items.extend(_free_items(m, [h for h in hunks if not any(h in it.hunks for it in items)]))
    for _ in range(len(items) + 1):
        for item in items:
            _settle(m, item)
        if not _absorb(items):
            break
    items.sort(key=lambda it: (draft_order(draft, it.principle), it.start or -1, it.key))
    return Mapping(items, skipped)


def draft_order(draft: Draft, pid: str) -> int:
    return next(n for n, (p, _t, _b) in enumerate(draft.principles) if p == pid)


def _overlaps(a0: int, a1: int, b0: int, b1: int) -> bool:
    if b0 == b1:
        return a0 <= b0 <= a1
    if a0 == a1:
        return b0 <= a0 <= b1
    return b0 < a1 and b1 > a0


# --- hunks -----------------------------------------------------------------------------------


def _hunks(m: _Map, skipped: list[Skipped]) -> list[_Hunk]:
    runs: list[list[int]] = []
    current: list[int] = []
    for i, atom in enumerate(m.atoms):
        if atom.old and atom.new:
            if current:
                runs.append(current)
                current = []
        elif atom.old or atom.new:
            current.append(i)
    if current:
        runs.append(current)
    out = []
    for number, run in enumerate(runs, 1):
        atoms = [m.atoms[i] for i in run]
        g0 = m.old_pos[run[0]]
        g1 = g0 + sum(a.old for a in atoms)
        inserted = "".join(SEP if a.mark else a.ch for a in atoms if a.new)
        key = f"change-{next((a.change for a in atoms if a.change), number)}"
        label = f"tracked change {number}"
        hunk = _Hunk(g0, g1, inserted, key, next((a.move for a in atoms if a.move), None), label,
                     run[0], run[-1] + 1)
        k0, k1 = m.para_at(g0), m.para_at(g1)
        if (g0 == g1 and k0 > 0 and g0 == m.paras[k0].start and inserted.endswith(SEP)
                and m.where(k0)[0] != "body" and m.where(k0 - 1)[0] == "body"):
            # a paragraph inserted before the next heading: it ends the principle before it
            k0 = k1 = k0 - 1
            g0 = g1 = hunk.g0 = hunk.g1 = m.paras[k0].start + len(m.paras[k0].text)
            hunk.inserted = SEP + inserted[: -len(SEP)]
        (r0, p0), (r1, p1) = m.where(k0), m.where(k1)
        if "unaligned" in (r0, r1):
            raise NoLongerMaps(f"{label} is in a paragraph of {p0 or p1} that was edited without "
                               "tracking changes: it no longer maps to the round's draft",
                               hint="reject the untracked edits (or export the draft again) "
                                    "and review with Track Changes on")
        if r0 != "body" or r1 != "body" or p0 != p1:
            where = (f"the heading of {p0}" if r0 == "heading" or r1 == "heading"
                     else f"both {p0} and {p1}" if p0 and p1 and p0 != p1
                     else _ROLE_NAMES.get(r0 if r0 != "body" else r1, "text outside the principles"))
            skipped.append(Skipped(label, f"changes {where}; only a principle's text takes "
                                          "tracked changes (say it in a comment instead)"))
            continue
        hunk.principle = p0
        hunk.s = m.offset(k0, g0 - m.paras[k0].start)
        hunk.e = m.offset(k1, g1 - m.paras[k1].start) if g1 > g0 else hunk.s
        out.append(hunk)
    return out


def _free_items(m: _Map, hunks: list[_Hunk]) -> list[Item]:
    """Tracked changes outside every comment: neighbours separated by spaces only, and the
    halves of one move in one principle, make one amendment."""
    groups: list[list[_Hunk]] = []
    for hunk in sorted(hunks, key=lambda h: (h.principle or "", h.s, h.e)):
        last = groups[-1][-1] if groups else None
        if last is not None and last.principle == hunk.principle:
            gap = m.draft.body(hunk.principle)[last.e:hunk.s]
            if not gap.strip() and not re.search(r"\n\s*\n", gap):
                groups[-1].append(hunk)
                continue
        groups.append([hunk])
    moves: dict[tuple[str | None, str], list[_Hunk]] = {}
    for group in groups:
        for hunk in group:
            if hunk.move:
                moves.setdefault((hunk.principle, hunk.move), []).append(hunk)
    merged: list[list[_Hunk]] = []
    for group in groups:
        target = next((g for g in merged for h in group for o in g if h.move and o.move == h.move
                       and o.principle == h.principle), None)
        if target is not None:
            target.extend(group)
        else:
            merged.append(list(group))
    items = []
    for group in merged:
        first = min(group, key=lambda h: h.g0)
        items.append(Item(key=first.key, label=first.label,
                          principle=first.principle or "", changed=True, hunks=group))
    return items


def _absorb(items: list[Item]) -> bool:
    """An item whose quote covers another item's tracked change takes it (a proposal must
    account for every change inside its quote); between a comment and a change of its own,
    the comment takes both. True when something moved."""
    for item in items:
        if item.start is None or item.end is None:
            continue
        for other in items:
            if other is item or other.principle != item.principle or not other.hunks:
                continue
            if not any(h.s < item.end and h.e > item.start if h.e > h.s
                       else item.start < h.s < item.end for h in other.hunks):
                continue
            receiver, giver = item, other
            if item.key.startswith("change-") and other.key.startswith("comment-"):
                receiver, giver = other, item
            receiver.hunks.extend(giver.hunks)
            giver.hunks = []
            receiver.changed = True
            receiver.start = min(receiver.start if receiver.start is not None else item.start,
                                 item.start)
            receiver.end = max(receiver.end if receiver.end is not None else item.end, item.end)
            giver.changed = False
            if giver.key.startswith("change-"):
                items.remove(giver)
            return True
    return False


# --- comments --------------------------------------------------------------------------------


def _comments(m: _Map, package: Package, stances: tuple[str, ...],
              skipped: list[Skipped]) -> list[tuple[Item, int, int, int, int]]:
    where: dict[str, dict[str, int]] = {}
    for marker in package.markers:
        where.setdefault(marker.comment, {}).setdefault(marker.kind, marker.at)
    comments = package.comments
    order = sorted(comments.values(), key=lambda c: (where.get(c.id, {}).get("start",
                   where.get(c.id, {}).get("ref", 1 << 30)), _num(c.id)))
    labels = {c.id: f"comment {n}" for n, c in enumerate(order, 1)}

    _threads_by_range(comments, where, stances)

    def root(cid: str) -> str:
        seen = set()
        while comments[cid].parent in comments and cid not in seen:
            seen.add(cid)
            cid = comments[cid].parent  # type: ignore[assignment]
        return cid

    replies: dict[str, list[str]] = {}
    for c in order:
        if root(c.id) != c.id:
            replies.setdefault(root(c.id), []).append(c.id)
    out = []
    for c in order:
        if root(c.id) != c.id:
            continue
        label = labels[c.id]
        if c.done:
            skipped.append(Skipped(label, "resolved in Word"))
            continue
        spots = where.get(c.id, {})
        start = spots.get("start", spots.get("ref", spots.get("end")))
        end = spots.get("end", spots.get("ref", start))
        if start is None:
            skipped.append(Skipped(label, "is not attached to any text"))
            continue
        g_s, g_e = m.old_pos[start], m.old_pos[max(start, end)]
        placed = _place(m, g_s, g_e, label, skipped)
        if placed is None:
            continue
        pid, s, e = placed
        stance, text = split_tag(c.text, stances)
        thread = [text] + [comments[r].text for r in replies.get(c.id, []) if comments[r].text]
        item = Item(key=f"comment-{c.id}", label=label, principle=pid, start=s, end=e,
                    text="\n\n".join(t for t in thread if t) or None, tag=stance,
                    replies=len(replies.get(c.id, [])))
        out.append((item, g_s, g_e, start, max(start, end)))
    return out


def _threads_by_range(comments: dict, where: dict, stances: tuple[str, ...]) -> None:
    """Comments the file gives no thread for (LibreOffice 7 writes replies to .docx as
    comments of their own): those on exactly the same range are one thread, the earliest
    (then the tagged one, then the first written) its start."""
    groups: dict[tuple, list] = {}
    for c in comments.values():
        if c.threaded:
            continue
        spots = where.get(c.id, {})
        if "start" in spots and "end" in spots:
            groups.setdefault((spots["start"], spots["end"]), []).append(c)
    for group in groups.values():
        if len(group) < 2:
            continue
        group.sort(key=lambda c: (c.date, split_tag(c.text, stances)[0] is None, c.order))
        for reply in group[1:]:
            reply.parent = group[0].id


def _num(cid: str) -> int:
    return int(cid) if cid.isdigit() else 1 << 30


def _place(m: _Map, g_s: int, g_e: int, label: str,
           skipped: list[Skipped]) -> tuple[str, int | None, int | None] | None:
    """(principle, body start, body end) of a comment's range; (pid, None, None) for a
    comment on a principle as a whole; None when skipped."""
    k0 = m.para_at(g_s)
    k1 = m.para_at(g_e)
    if g_e > g_s and k1 > k0 and g_e == m.paras[k1].start:  # selection up to a paragraph mark
        k1 -= 1
    (r0, p0), (r1, p1) = m.where(k0), m.where(k1)
    if r0 not in ("body", "heading", "unaligned") or r1 not in ("body", "heading", "unaligned"):
        if r0 == r1 or r1 in ("body", "heading", "unaligned") or r0 in ("body", "heading"):
            name = _ROLE_NAMES.get(r0 if r0 not in ("body", "heading", "unaligned") else r1,
                                   "text outside the principles")
            skipped.append(Skipped(label, f"is on {name}, outside any principle"))
        else:
            skipped.append(Skipped(label, "is outside any principle"))
        return None
    if p0 != p1:
        skipped.append(Skipped(label, f"spans {p0} and {p1}: comment on one principle at a time"))
        return None
    if "unaligned" in (r0, r1):
        return _look_up(m, p0 or "", g_s, g_e, label)
    if r0 == "heading" and r1 == "heading" or g_s == g_e:
        return p0, None, None
    if r0 == "heading":
        k0 += 1
        if m.where(k0) != ("body", p0):
            return p0, None, None
        g_s = m.paras[k0].start
    s = m.offset(k0, g_s - m.paras[k0].start)
    c1 = g_e - m.paras[k1].start
    e = m.offset(k1, c1 - 1) + 1 if c1 > 0 else m.offset(k1, 0)
    return p0, s, e


def _look_up(m: _Map, pid: str, g_s: int, g_e: int, label: str) -> tuple[str, int, int]:
    """A comment in a paragraph edited without tracking: found by its words, exactly once,
    or the import stops."""
    text = "\n".join(p.text for p in m.paras)[g_s:g_e]
    body = m.draft.body(pid)
    try:
        anchor = make_anchor(body, text)
    except QuoteNotFound:
        raise NoLongerMaps(f"{label} on {pid} quotes \"{_short(text)}\", which is no longer in "
                           "the round's draft (the text was edited without tracking changes)",
                           hint="comment on the draft's own words, with Track Changes on for "
                                "any edit") from None
    except InputError:
        raise NoLongerMaps(f"{label} on {pid} quotes \"{_short(text)}\", which occurs more than "
                           "once in the principle, and its paragraph was edited without "
                           "tracking changes", hint="select a longer passage") from None
    return pid, anchor["start"], anchor["end"]


def _short(text: str, width: int = 60) -> str:
    one = " ".join(text.split())
    return one if len(one) <= width else one[: width - 1] + "…"


# --- settling a quote ------------------------------------------------------------------------


def _settle(m: _Map, item: Item) -> None:
    """Word edges, no edge whitespace, something to quote; then quote and proposal."""
    body = m.draft.body(item.principle)
    hunks = sorted(item.hunks, key=lambda h: (h.s, h.e))
    if item.start is None and not hunks:
        return
    s = min([h.s for h in hunks] + ([item.start] if item.start is not None else []))
    e = max([h.e for h in hunks] + ([item.end] if item.end is not None else []))
    lo = min((h.s for h in hunks), default=e)
    hi = max((h.e for h in hunks), default=s)
    while _inside_word(body, s):
        s -= 1
    while _inside_word(body, e):
        e += 1
    while s < e and body[s].isspace() and s < lo:
        s += 1
    while e > s and body[e - 1].isspace() and e > hi:
        e -= 1
    for _ in range(64):
        proposal = _apply(body, s, e, hunks) if hunks else None
        if s < e and not body[s].isspace() and not body[e - 1].isspace() \
                and re.search(r"\w", body[s:e]) and (proposal is None or proposal.strip()):
            break
        if s == e:
            left = s > 0 and not body[s - 1].isspace()
            right = e < len(body) and not body[e].isspace()
            s, e = (_left(body, s), e) if left or not right else (s, _right(body, e))
        elif body[e - 1].isspace() and e < len(body):
            e = _right(body, e)
        elif body[s].isspace() and s > 0:
            s = _left(body, s)
        elif s > 0:
            s = _left(body, s)
        elif e < len(body):
            e = _right(body, e)
        else:
            break
    if s >= e:
        if not hunks:
            item.start = item.end = None
            return
        raise NoLongerMaps(f"{item.label} on {item.principle} deletes the whole principle: that "
                           "is not an amendment", hint="say it in a comment tagged [oppose]")
    item.start, item.end, item.quote = s, e, body[s:e]
    item.proposal = _apply(body, s, e, hunks) if hunks else None


def _left(body: str, s: int) -> int:
    """Start of the word before ``s`` (whitespace between included)."""
    while s > 0 and body[s - 1].isspace():
        s -= 1
    while s > 0 and not body[s - 1].isspace():
        s -= 1
    return s


def _right(body: str, e: int) -> int:
    while e < len(body) and body[e].isspace():
        e += 1
    while e < len(body) and not body[e].isspace():
        e += 1
    return e


def _apply(body: str, s: int, e: int, hunks: list[_Hunk]) -> str:
    out, at = [], s
    for h in hunks:
        out.append(body[at:h.s])
        out.append(h.inserted)
        at = max(at, h.e)
    out.append(body[at:e])
    return "".join(out)
