"""The exported draft as a list of paragraphs, each knowing where its text is in the draft.

``review export`` writes these paragraphs and ``review import`` rebuilds them from the
round's draft to read a reviewed file against: the same function both ways, so a character
of a paragraph maps to exactly one offset of its principle's body.

A principle's body is cut into the blocks the redline uses (``redline._scan_blocks``: a
blank line, a list item or a heading starts one). A block becomes one paragraph: its lines
joined by one space, list and heading markers left out (the paragraph takes a list or
heading style instead). ``offsets[i]`` is the body index of the paragraph's ``i``-th
character; a joining space maps to the line break it stands for.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field

from ..redline import _scan_blocks

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

FORMAT = "coalition-review-1"

_BULLET = re.compile(r"[ \t]*[-*+][ \t]+")
_HEADING = re.compile(r"[ \t]*#{1,6}(?:[ \t]+|$)")

# Stance tags a reviewer types at the start of a comment (English and French), folded to
# lower case without accents before lookup.
TAGS: dict[str, str] = {
    "support": "support", "appui": "support", "soutien": "support", "pour": "support",
    "amend": "amend", "amendement": "amend", "modifier": "amend", "amender": "amend",
    "oppose": "oppose", "opposition": "oppose", "contre": "oppose",
    "block": "block", "blocage": "block", "bloquer": "block",
    "neutral": "neutral", "neutre": "neutral",
}

NOTE_TITLE = "How to comment / Comment commenter"


def note_paragraphs() -> list[str]:
    return [
        "Select a passage and add a comment (Review, New Comment): the passage you select "
        "is quoted with your comment.",
        "Begin each comment with your stance in square brackets: [support], [amend], "
        "[oppose], [block] or [neutral]. En français : [appui], [amendement], "
        "[opposition], [blocage] ou [neutre]. A block needs a reason.",
        "To propose other wording, turn on Track Changes and edit the text: each change "
        "becomes a proposed amendment (stance [amend] unless a comment on it says "
        "otherwise).",
        "Replies to a comment become part of it; resolved comments, and comments on this "
        "note, the title or anything outside the principles, are not imported. Edit only "
        "with Track Changes on: text changed without it cannot be matched to the draft.",
        "Send the file back to your organisation's contact, who imports it with: "
        "coalition review import FILE.docx",
    ]


@dataclass(frozen=True)
class Para:
    role: str  # title | meta | note-title | note | heading | body
    text: str
    principle: str | None = None
    style: str = ""  # bullet | heading (a block's own Markdown kind)
    offsets: tuple[int, ...] = field(default=(), repr=False)


@dataclass(frozen=True)
class Draft:
    """What an export is made of: the round and the principles at its draft."""

    coalition: str
    round_id: str
    round_title: str
    closes_at: str
    draft_commit: str
    principles: tuple[tuple[str, str, str], ...]  # (id, title, body) in the round's order

    @property
    def digest(self) -> str:
        """SHA-256 of the draft's text: the round, its draft commit, every principle."""
        data = json.dumps([FORMAT, self.round_id, self.draft_commit,
                           [list(p) for p in self.principles]], ensure_ascii=False)
        return hashlib.sha256(data.encode("utf-8")).hexdigest()

    def body(self, pid: str) -> str:
        return next(body for p, _title, body in self.principles if p == pid)


def draft_of(snap: Any, round_: Any) -> Draft:
    """The round's draft from a verified snapshot."""
    principles = snap.draft_principles(round_)
    chosen = [principles[pid] for pid in round_.principles if pid in principles]
    return Draft(coalition=snap.config.name, round_id=round_.id, round_title=round_.title,
                 closes_at=round_.closes_at, draft_commit=round_.draft,
                 principles=tuple((p.id, p.title, p.body) for p in chosen))


def heading_text(pid: str, title: str) -> str:
    return f"{pid} {title}"


def body_paragraphs(pid: str, body: str) -> list[Para]:
    out = []
    for block in _scan_blocks(body):
        chars: list[str] = []
        offsets: list[int] = []
        style = ""
        for number, (start, line) in enumerate(block):
            skip = 0
            if number == 0:  # numbered items keep their number: "2026. " may be a year
                marker = _BULLET.match(line) or _HEADING.match(line)
                if marker:
                    style = "bullet" if _BULLET.match(line) else "heading"
                    skip = marker.end()
            lead = len(line) - len(line[skip:].lstrip())
            text = line[lead:].rstrip()
            if not text:
                continue
            if chars:
                chars.append(" ")
                offsets.append(offsets[-1] + 1)
            chars.extend(text)
            offsets.extend(range(start + lead, start + lead + len(text)))
        if chars:
            out.append(Para("body", "".join(chars), pid, style, tuple(offsets)))
    return out


def layout(draft: Draft) -> list[Para]:
    """Every paragraph of the exported document, in order."""
    closes = draft.closes_at.replace("T", " ").replace("Z", " UTC")
    paras = [
        Para("title", draft.round_title),
        Para("meta", f"{draft.coalition}: consultation round {draft.round_id}, open for "
                     f"comments until {closes}."),
        Para("note-title", NOTE_TITLE),
        *(Para("note", text) for text in note_paragraphs()),
    ]
    for pid, title, body in draft.principles:
        paras.append(Para("heading", heading_text(pid, title), pid))
        paras.extend(body_paragraphs(pid, body))
    return paras
