"""Small helpers shared by the renderers: cleaning hostile text, Markdown
escaping, display of dates, shares and members, and the redline paragraphs
every changes renderer is built on.

Nothing here imports a heavy module.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timezone

from ..i18n import N_, _, current, n_
from ..safetext import _BAD_CHARS, BIDI_CONTROLS, _bidi_escape, clean_text  # noqa: F401

# English message ids: shown through ``_()`` (the report's language).
ANONYMOUS = N_("Anonymous")
CONFIDENTIAL = N_("Confidential comment")
CONFIDENTIAL_NOTE = N_("Confidential: counted in the figures; its text is shared with the "
                       "facilitators only.")
NO_TEXT = N_("No text: the member gave a stance only.")
NONE_MARK = "—"


def html_text(value: object) -> str:
    """clean_text for HTML: bidirectional controls kept (the element isolates them)."""
    return clean_text(value, keep_bidi=True)


def html_line(value: object) -> str:
    """one_line for HTML: bidirectional controls kept (the element isolates them)."""
    return _ASCII_SPACE.sub(" ", clean_text(value, keep_bidi=True)).strip(" ")


_ASCII_SPACE = re.compile(r"[ \t\n\x0b\x0c\r]+")


def one_line(value: object) -> str:
    """clean_text with every run of ASCII whitespace (newlines included) made
    one space. Other spaces (no-break spaces of French typography, ideographic
    spaces) are content and stay."""
    return _ASCII_SPACE.sub(" ", clean_text(value)).strip(" ")


def member_name(member: object, attribution: object = None) -> str:
    """The name to show for a member; None means the comment is anonymous (or
    confidential, when ``attribution`` says so)."""
    if member:
        return clean_text(member)
    return _(CONFIDENTIAL) if attribution == "confidential" else _(ANONYMOUS)


_COUNTED = {
    "comment": lambda n: n_("{n} comment", "{n} comments", n),
    "block": lambda n: n_("{n} block", "{n} blocks", n),
    "endorsement": lambda n: n_("{n} endorsement", "{n} endorsements", n),
    "confidential comment": lambda n: n_("{n} confidential comment",
                                         "{n} confidential comments", n),
    "record": lambda n: n_("{n} record", "{n} records", n),
    "member": lambda n: n_("{n} member", "{n} members", n),
    "member voice": lambda n: n_("{n} member voice", "{n} member voices", n),
    "other organisation": lambda n: n_("{n} other organisation", "{n} other organisations", n),
    "signed comment": lambda n: n_("{n} signed comment", "{n} signed comments", n),
    "principle": lambda n: n_("{n} principle", "{n} principles", n),
    "objection": lambda n: n_("{n} objection", "{n} objections", n),
    "group": lambda n: n_("{n} group", "{n} groups", n),
    "comment record": lambda n: n_("{n} comment record", "{n} comment records", n),
    "response record": lambda n: n_("{n} response record", "{n} response records", n),
}


def plural(n: int, word: str, many: str | None = None) -> str:
    """'1 comment', '2 comments', '0 comments' (``many`` for irregular plurals), in the
    report's language for the words of ``_COUNTED``."""
    if word in _COUNTED:
        return _COUNTED[word](int(n))
    if not current().english:
        current().misses.append(word)
    return f"{n} {word if n == 1 else many or word + 's'}"


def status_label(status: object) -> str:
    """A consensus status as the report's language writes it ('no-quorum', 'quorum non atteint')."""
    value = str(status or "")
    return _(STATUS_WORDS[value]) if value in STATUS_WORDS else one_line(status)


STATUS_WORDS = {"consensus": N_("consensus"), "contested": N_("contested"),
                "blocked": N_("blocked"), "no-quorum": N_("no-quorum"),
                "added": N_("added"), "removed": N_("removed"), "modified": N_("modified"),
                "unchanged": N_("unchanged"), "open": N_("open"), "closed": N_("closed"),
                "unknown": N_("unknown"),
                "awaiting-community-consent": N_("awaiting-community-consent")}
STANCE_NAMES = {"support": N_("support"), "amend": N_("amend"), "neutral": N_("neutral"),
                "oppose": N_("oppose"), "block": N_("block")}


def stance_label(stance: object) -> str:
    """A stance's name in the report's language (a stance of the agenda's own is as written)."""
    value = str(stance or "")
    return _(STANCE_NAMES[value]) if value in STANCE_NAMES else one_line(stance)


def known(message: object) -> str:
    """``message`` translated if the catalog has it, else as given: for data that may carry
    one of our phrases (a problem's explanation) or free text from elsewhere."""
    text = one_line(message)
    tr = current()
    if tr.english or not text:
        return text
    before = len(tr.misses)
    out = tr.gettext(text)
    del tr.misses[before:]
    return out


def governance_legend(rule: dict) -> list[tuple[str, str]]:
    from ..governance.wording import legend

    return legend(rule)


def governance_notes(principle: dict) -> list[str]:
    """Plain sentences on silence and community consent for one principle (may be none)."""
    from ..governance.wording import principle_notes

    return principle_notes(principle)


def confidential_note(item: dict) -> str:
    """The note beside a confidential comment: who holds its text."""
    from ..governance.wording import confidential_note as chosen

    return chosen(item.get("held_by")) or _(CONFIDENTIAL_NOTE)


def governance_section(data: dict) -> tuple[str, list[str]]:
    """(heading, paragraphs) of the "Consent and possession" section; no paragraphs, no
    section."""
    from ..governance.wording import SECTION_TITLE, section

    return _(SECTION_TITLE), section(data)


def distinction_sections(data: dict) -> list[tuple[str, list[str]]]:
    """(title, paragraphs) of the report's distinctions-based sections (First Nations, Inuit,
    Métis organisations, as coalition.yaml names them)."""
    from ..governance.wording import distinction_sections as sections

    return sections(data)


def status_legend(rule: dict | None) -> list[tuple[str, str]]:
    """(status, what it means) in plain words, with this round's numbers; in the order
    the statuses are decided."""
    rule = rule or {}
    voting = rule.get("voting_members")
    need = rule.get("quorum_members")
    quorum = fmt_share(rule.get("quorum", 0.5))
    threshold = fmt_share(rule.get("threshold", 0.75))
    blocks = rule.get("max_blocks", 0)
    of = (_("{need} of the {voting} voting members", need=need, voting=voting) if voting
          else _("{quorum} of the voting members", quorum=quorum))
    allowed = (_("Any block") if not blocks
               else _("More than {blocks}", blocks=plural(blocks, "block")))
    return [
        ("blocked", _("{allowed} stops a principle, whatever the other members said: a block "
                      "is a fundamental objection and is resolved with the member who made it.",
                      allowed=allowed)),
        ("no-quorum", _("Too few members took a stance on this principle to draw a conclusion: "
                        "the rule asks for at least {of} ({quorum}). It does not mean members "
                        "disagree — a member who commented only on other principles is not "
                        "counted here.", of=of, quorum=quorum)),
        ("consensus", _("Enough members took a stance, and at least {threshold} of those who "
                        "supported or opposed it support it (support share).",
                        threshold=threshold)),
        ("contested", _("Enough members took a stance, but the support share is below "
                        "{threshold}.", threshold=threshold)),
        *governance_legend(rule),
    ]


SUPPORT_SHARE_HELP = N_("Support share = (support + amend) / (support + amend + oppose + "
                        "block); neutral abstains.")


def quoted(text: str) -> str:
    """``text`` in the report language's quotation marks: “…” in English, « … » in French
    (with non-breaking spaces inside the guillemets)."""
    if current().english:
        return f"“{text}”"
    return f"«\u00a0{text}\u00a0»"


def short_sha(sha: object, n: int = 10) -> str:
    if not sha:
        return ""
    return str(sha)[:n]


def parse_iso(value: object) -> datetime | None:
    if not value:
        return None
    try:
        dt = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return dt.astimezone(timezone.utc)


def fmt_date(value: object) -> str:
    """'2026-11-25T12:00:00Z' -> '2026-11-25 12:00 UTC'; unknown shapes as given."""
    dt = parse_iso(value)
    if dt is None:
        return clean_text(value) if value else NONE_MARK
    return current().datetime(dt)


def iso_z(value: object) -> str | None:
    """'2026-11-01T10:00:00+00:00' -> '2026-11-01T10:00:00Z' (what Word expects)."""
    dt = parse_iso(value)
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ") if dt else None


def fmt_share(share: object) -> str:
    if share is None:
        return NONE_MARK
    return current().percent(float(share))


def fmt_rate(part: int, whole: int) -> str:
    return current().percent(part / whole) if whole else NONE_MARK


# ---------------------------------------------------------------- Markdown

_MD_PUNCT = re.compile(r"([\\`*_\[\]|~#$])")


def md_inline(value: object) -> str:
    """Escape user text for Markdown so it stays plain text: no links, images,
    HTML, emphasis, code, headings, lists or table cells can come out of it.
    The result is one line (safe inside a table cell)."""
    text = one_line(value)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _MD_PUNCT.sub(r"\\\1", text)
    # constructs recognised only at the start of a line
    text = re.sub(r"^([-+=])", r"\\\1", text)
    text = re.sub(r"^(\d+)([.)])", r"\1\\\2", text)
    return text


_ID_UNSAFE = re.compile(r"[^A-Za-z0-9._:/+-]")


def md_id(value: object) -> str:
    """An id for a Markdown code span. Ids are validated upstream ([a-z0-9-],
    hex commits); anything else is replaced so it cannot close the span or a
    table cell."""
    return _ID_UNSAFE.sub("?", str(value or ""))


def md_paragraphs(value: object) -> list[str]:
    """User text as escaped Markdown paragraphs (blank lines kept as breaks)."""
    text = clean_text(value)
    paras = [p for p in re.split(r"\n\s*\n", text) if p.strip()]
    return [md_inline(p) for p in paras]


def md_blockquote(value: object, lead: str = "") -> str:
    """User text as an escaped block quote; ``lead`` is trusted Markdown put
    before the first paragraph."""
    paras = md_paragraphs(value) or [""]
    if lead:
        paras[0] = f"{lead} {paras[0]}".rstrip()
    return "\n>\n".join(f"> {p}" if p else ">" for p in paras)


def md_text(value: object, quote: bool = True) -> str:
    """A principle's text as escaped Markdown, keeping its paragraphs and line breaks
    (a line break inside a paragraph becomes a hard break); as a block quote by default."""
    text = clean_text(value)
    paras = [p for p in re.split(r"\n\s*\n", text) if p.strip()]
    lead = "> " if quote else ""
    out = [(" \\\n" + lead).join(md_inline(line) for line in p.split("\n") if line.strip())
           for p in paras]
    return ("\n" + lead.rstrip() + "\n").join(lead + p for p in out)


def md_table(headers: list[str], rows: list[list[str]], align: list[str] | None = None) -> str:
    """A GFM table; cells must already be escaped."""
    align = align or ["l"] * len(headers)
    marks = {"l": "---", "r": "---:", "c": ":---:"}
    lines = [
        "| " + " | ".join(headers) + " |",
        "| " + " | ".join(marks[a] for a in align) + " |",
    ]
    for row in rows:
        lines.append("| " + " | ".join(c if c != "" else " " for c in row) + " |")
    return "\n".join(lines)


# ---------------------------------------------------------------- redline

# Segment kinds. A move is a deletion at the old place and an insertion at
# the new one, told apart so renderers can mark it.
EQUAL, INSERT, DELETE, MOVE_FROM, MOVE_TO = "equal", "insert", "delete", "move-from", "move-to"
NEW_KINDS = (EQUAL, INSERT, MOVE_TO)  # what the new version consists of
OLD_KINDS = (EQUAL, DELETE, MOVE_FROM)  # what the old version consists of

_PARA_BREAK = re.compile(r"\n[ \t]*\n\s*")


@dataclass
class Segment:
    kind: str
    text: str
    pair: int | None = None  # move pair number


@dataclass
class RedlinePara:
    """One paragraph of a redline. ``end`` is the kind of the paragraph break
    that ends it (None for the last paragraph of a principle): an ``insert``
    break exists only in the new version, a ``delete`` break only in the old."""

    segments: list[Segment] = field(default_factory=list)
    end: str | None = None

    @property
    def visible(self) -> bool:
        return any(s.text.strip() for s in self.segments)

    @property
    def kinds(self) -> set[str]:
        return {s.kind for s in self.segments if s.text.strip()}

    @property
    def wholly_inserted(self) -> bool:
        k = self.kinds
        return bool(k) and k <= {INSERT, MOVE_TO}

    @property
    def wholly_deleted(self) -> bool:
        k = self.kinds
        return bool(k) and k <= {DELETE, MOVE_FROM}


def op_kind(op: dict) -> str:
    name = op.get("op")
    if name == "move":
        return MOVE_FROM if op.get("role") == "from" else MOVE_TO
    if name in (EQUAL, INSERT, DELETE):
        return name
    raise ValueError(f"unknown redline op {name!r}")


def redline_paragraphs(ops: list[dict]) -> list[RedlinePara]:
    """Cut a principle's ops into paragraphs at the "\\n\\n" inside op texts.

    Concatenating the EQUAL/INSERT/MOVE_TO segments with the breaks that are
    not DELETE/MOVE_FROM gives the new text, and the other way round the old
    text. Single newlines (there should be none) become spaces.
    """
    paras = [RedlinePara()]
    for op in ops:
        kind = op_kind(op)
        text = clean_text(op.get("text"))
        parts = _PARA_BREAK.split(text)
        for i, part in enumerate(parts):
            if i:
                paras[-1].end = kind
                paras.append(RedlinePara())
            part = part.replace("\n", " ")
            if part:
                cur = paras[-1].segments
                if cur and cur[-1].kind == kind and cur[-1].pair == op.get("pair"):
                    cur[-1].text += part
                else:
                    cur.append(Segment(kind, part, op.get("pair")))
    return paras


def version_text(ops: list[dict], new: bool = True) -> str:
    """The new (or old) text of a principle from its ops, whitespace-normalised,
    paragraphs joined by a blank line."""
    keep = NEW_KINDS if new else OLD_KINDS
    out: list[str] = []
    for para in redline_paragraphs(ops):
        out.append("".join(s.text for s in para.segments if s.kind in keep))
        if para.end is not None and para.end not in keep:
            out.append(" ")  # this break does not exist in this version: join
        elif para.end is not None:
            out.append("\n\n")
    paras = [" ".join(p.split()) for p in "".join(out).split("\n\n")]
    return "\n\n".join(p for p in paras if p)


def principle_heading(p: dict) -> str:
    title = one_line(p.get("title") or p.get("old_title") or "")
    return f"{one_line(p.get('id'))} — {title}" if title else one_line(p.get("id"))


def version_label(v: dict) -> str:
    """'round r1 draft (abc1234567, 2026-11-01 10:00 UTC)'."""
    label = one_line(v.get("label") or v.get("rev") or "")
    bits = []
    commit = v.get("commit")
    if commit:
        bits.append(short_sha(commit))
    elif "commit" in v:  # None: the working tree, not a commit
        bits.append(_("working tree"))
    if v.get("date"):
        bits.append(fmt_date(v["date"]))
    return f"{label} ({', '.join(bits)})" if label else ", ".join(bits)


FATE_HELP = {
    "anchored": N_("quoted text unchanged"),
    "modified": N_("quoted text edited"),
    "relocated": N_("quoted text moved"),
    "orphaned": N_("quoted text gone"),
    "unanchored": N_("comment on the whole principle"),
}
FATE_WORDS = {"anchored": N_("anchored"), "modified": N_("modified"),
              "relocated": N_("relocated"), "orphaned": N_("orphaned"),
              "unanchored": N_("unanchored")}


def fate_label(fate: object) -> str:
    value = str(fate or "")
    return _(FATE_WORDS[value]) if value in FATE_WORDS else one_line(fate)


def fate_help(fate: object) -> str:
    value = str(fate or "")
    return _(FATE_HELP[value]) if value in FATE_HELP else ""


@dataclass
class DisplayPara:
    """A paragraph as the text, md and html redlines show it."""

    segments: list[Segment]
    cls: str  # "added", "deleted" or ""
    split: str | None  # "insert": the new version splits here; "delete": paragraphs joined


def display_paragraphs(ops: list[dict]) -> list[DisplayPara]:
    """Paragraphs to show for a redline: every break of either version starts a
    new paragraph; a break that exists in one version only is flagged when it
    splits or joins paragraphs (not when a whole paragraph was added or
    removed, which the paragraph's own class already says)."""
    paras = redline_paragraphs(ops)
    out: list[DisplayPara] = []
    for i, p in enumerate(paras):
        if not p.visible:
            continue
        nxt = paras[i + 1] if i + 1 < len(paras) else None
        split = None
        if p.end in (INSERT, MOVE_TO) and not p.wholly_inserted and not (nxt and nxt.wholly_inserted):
            split = "insert"
        elif p.end in (DELETE, MOVE_FROM) and not p.wholly_deleted and not (nxt and nxt.wholly_deleted):
            split = "delete"
        cls = "added" if p.wholly_inserted else "deleted" if p.wholly_deleted else ""
        segs: list[Segment] = []
        for s in p.segments:
            if not s.text:
                continue
            if not s.text.strip():  # a change of whitespace alone shows as nothing
                if s.kind in (DELETE, MOVE_FROM):
                    continue
                s = Segment(EQUAL, s.text)
            if segs and segs[-1].kind == EQUAL and s.kind == EQUAL:
                segs[-1] = Segment(EQUAL, segs[-1].text + s.text)
            else:
                segs.append(s)
        if segs and segs[0].kind == EQUAL:
            segs[0] = Segment(EQUAL, segs[0].text.lstrip())
        if segs and segs[-1].kind == EQUAL:
            segs[-1] = Segment(EQUAL, segs[-1].text.rstrip())
        segs = [s for s in segs if s.text]
        if segs:
            out.append(DisplayPara(segs, cls, split))
    return out


def move_numbers(ops: list[dict]) -> dict:
    """pair -> label ('' when a principle has a single move, else '1', '2', ...)."""
    pairs: list = []
    for op in ops:
        if op.get("op") == "move" and op.get("pair") not in pairs:
            pairs.append(op.get("pair"))
    if len(pairs) <= 1:
        return {p: "" for p in pairs}
    return {p: str(i + 1) for i, p in enumerate(pairs)}


# ---------------------------------------------------------------- report wording

DISPOSITION_LABELS = {
    "accepted": N_("Accepted"), "accepted-in-part": N_("Accepted in part"),
    "not-accepted": N_("Not accepted"), "noted": N_("Noted"), "duplicate": N_("Duplicate"),
    "out-of-scope": N_("Out of scope"),
}
ACK_LABELS = {"satisfied": N_("is satisfied with the answer"),
              "maintains-objection": N_("maintains the objection")}
KIND_LABELS = {"general": N_("general"), "substantive": N_("technical (substantive)"),
               "editorial": N_("editorial")}


def disposition_label(value: object) -> str:
    if not value:
        return _("Awaiting an answer")
    return _(DISPOSITION_LABELS[str(value)]) if str(value) in DISPOSITION_LABELS else one_line(value)


DISPOSITION_CODES = {"accepted": N_("accepted"), "accepted-in-part": N_("accepted-in-part"),
                     "not-accepted": N_("not-accepted"), "noted": N_("noted"),
                     "duplicate": N_("duplicate"), "out-of-scope": N_("out-of-scope")}


def disposition_word(value: object) -> str:
    """A disposition as a short code word ('accepted', 'accepté')."""
    value = str(value or "")
    return _(DISPOSITION_CODES[value]) if value in DISPOSITION_CODES else one_line(value)


def ack_label(value: object) -> str:
    if not value:
        return ""
    return _(ACK_LABELS[str(value)]) if str(value) in ACK_LABELS else one_line(value)


def kind_label(value: object) -> str:
    return _(KIND_LABELS[str(value)]) if str(value) in KIND_LABELS else one_line(value)


def excluded_where(e: dict) -> str:
    """Where an excluded record was: its path, or — for a comment or response record, whose
    path would name its member — only how many of them, in which round."""
    if e.get("path"):
        return one_line(e["path"])
    n = int(e.get("count") or 1)
    what = one_line(e.get("record") or "record")
    if e.get("round"):
        return _("{records} in round {round}", records=plural(n, what), round=one_line(e["round"]))
    return plural(n, what)


def round_dates(rnd: dict) -> list[tuple[str, str]]:
    """(label, value) of a round's dates: opened, planned close, extensions, actual close."""
    out = [(_("Opened"), fmt_date(rnd.get("opened_at")))]
    planned = rnd.get("planned_closes_at") or rnd.get("closes_at")
    exts = rnd.get("extensions") or []
    out.append((_("Planned close") if exts or rnd.get("closed_at") else _("Closes"),
                fmt_date(planned)))
    for i, e in enumerate(exts, 1):
        out.append((_("Extension {i}", i=i) if len(exts) > 1 else _("Extended"),
                    _("to {to} (recorded {recorded})", to=fmt_date(e.get("to")),
                      recorded=fmt_date(e.get("recorded_at")))))
    if rnd.get("closed_at"):
        out.append((_("Closed"), fmt_date(rnd["closed_at"])))
    elif exts:
        out.append((_("Closes"), fmt_date(rnd.get("closes_at"))))
    return out
