"""A reviewer's comments and tracked changes written into an exported draft the way Word
writes them: ``w:del``/``w:ins`` with ``w:rsid*`` attributes, runs split wherever Word's
editing sessions split them, ``w:commentRangeStart``/``End`` across runs and paragraphs
with a ``w:commentReference`` run, replies threaded in ``commentsExtended.xml`` with
``commentsIds.xml`` beside it, moves as ``w:moveFrom``/``w:moveTo`` in named ranges,
fields inside insertions (the instruction in ``w:instrText``, the result as text) and
inserted paragraphs (an inserted paragraph mark).

Used by ``coalition demo`` (one member's Word review, without an office suite) and by the
tests. It changes only the paragraphs it is asked to, so everything else stays as exported.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from xml.sax.saxutils import escape, quoteattr

from .ooxml import W14, W15, W16CID, W

_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PARTS = {
    "comments": ("word/comments.xml", f"{_REL}/comments",
                 "application/vnd.openxmlformats-officedocument.wordprocessingml.comments+xml"),
    "commentsExtended": (
        "word/commentsExtended.xml",
        "http://schemas.microsoft.com/office/2011/relationships/commentsExtended",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.commentsExtended+xml"),
    "commentsIds": (
        "word/commentsIds.xml",
        "http://schemas.microsoft.com/office/2016/09/relationships/commentsIds",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.commentsIds+xml"),
}


@dataclass
class _Change:
    start: int
    end: int
    new: str
    id: int
    move: str | None = None  # "from:NAME" or "to:NAME"
    field: tuple[str, str] | None = None  # (instruction, result) inserted after ``new``


@dataclass
class _Note:
    id: int
    text: str
    para_id: str
    parent: str | None = None
    done: bool = False
    date: str = ""


@dataclass
class _Para:
    changes: list[_Change] = field(default_factory=list)
    starts: list[tuple[int, int]] = field(default_factory=list)  # (offset, comment id)
    ends: list[tuple[int, int]] = field(default_factory=list)
    inserted_before: list[tuple[str, int]] = field(default_factory=list)  # new paragraphs


class WordReview:
    def __init__(self, docx: bytes, author: str = "Reviewer",
                 date: str = "2026-12-01T10:00:00Z", fragment: bool = True) -> None:
        from lxml import etree

        self.parts = {}
        with zipfile.ZipFile(io.BytesIO(docx)) as zf:
            for name in zf.namelist():
                self.parts[name] = zf.read(name)
        self.root = etree.fromstring(self.parts["word/document.xml"])
        self.ps = list(self.root.iter(f"{{{W}}}p"))
        self.texts = ["".join(t.text or "" for t in p.iter(f"{{{W}}}t")) for p in self.ps]
        self.author, self.date, self.fragment = author, date, fragment
        self.edits: dict[int, _Para] = {}
        self.notes: list[_Note] = []
        self.next_id = 100

    # --- addressing ---

    def find(self, text: str, after: str | None = None, nth: int = 1) -> tuple[int, int]:
        """(paragraph, offset) of ``text``; ``after``: only in paragraphs after the first one
        starting with it (a principle's heading, e.g. "P02 ")."""
        begin = 0
        if after is not None:
            begin = next(k for k, t in enumerate(self.texts) if t.startswith(after)) + 1
        seen = 0
        for k in range(begin, len(self.texts)):
            at = self.texts[k].find(text)
            while at != -1:
                seen += 1
                if seen == nth:
                    return k, at
                at = self.texts[k].find(text, at + 1)
        raise KeyError(text)

    def _new_id(self) -> int:
        self.next_id += 1
        return self.next_id

    def _para(self, k: int) -> _Para:
        return self.edits.setdefault(k, _Para())

    # --- what a reviewer does ---

    def comment(self, start: tuple[int, int], end: tuple[int, int], text: str,
                replies: tuple[str, ...] = (), done: bool = False) -> int:
        cid = len(self.notes)
        para_id = f"{0x10000000 + cid * 7919:08X}"
        self.notes.append(_Note(cid, text, para_id, done=done))
        self._para(start[0]).starts.append((start[1], cid))
        self._para(end[0]).ends.append((end[1], cid))
        for reply in replies:
            rid = len(self.notes)
            later = self.date[:14] + f"{10 + len(self.notes) % 50:02d}" + self.date[16:]
            self.notes.append(_Note(rid, reply, f"{0x10000000 + rid * 7919:08X}", para_id, done,
                                    later))
            self._para(start[0]).starts.append((start[1], rid))
            self._para(end[0]).ends.append((end[1], rid))
        return cid

    def comment_on(self, text: str, note: str, after: str | None = None, **kw: object) -> int:
        k, at = self.find(text, after)
        return self.comment((k, at), (k, at + len(text)), note, **kw)  # type: ignore[arg-type]

    def change(self, k: int, start: int, end: int, new: str,
               field: tuple[str, str] | None = None) -> None:
        """Replace old text [start, end) of paragraph ``k`` by ``new`` (either may be empty)."""
        self._para(k).changes.append(_Change(start, end, new, self._new_id(), field=field))

    def replace(self, old: str, new: str, after: str | None = None) -> None:
        k, at = self.find(old, after)
        self.change(k, at, at + len(old), new)

    def move(self, src: tuple[int, int, int], dst: tuple[int, int], name: str = "move1") -> None:
        k, s, e = src
        text = self.texts[k][s:e]
        self._para(k).changes.append(_Change(s, e, "", self._new_id(), move=f"from:{name}"))
        self._para(dst[0]).changes.append(_Change(dst[1], dst[1], text, self._new_id(),
                                                  move=f"to:{name}"))

    def insert_paragraph(self, before: int, text: str) -> None:
        """A new paragraph before paragraph ``before`` (its mark is an inserted one)."""
        self._para(before).inserted_before.append((text, self._new_id()))

    # --- writing ---

    def _attrs(self, cid: int) -> str:
        return f'w:id="{cid}" w:author={quoteattr(self.author)} w:date="{self.date}"'

    def _run(self, text: str, rsid: int, deleted: bool = False) -> str:
        tag = "w:delText" if deleted else "w:t"
        attr = "w:rsidDel" if deleted else "w:rsidR"
        return (f'<w:r {attr}="00{0xA10000 + rsid * 4099 & 0xFFFFFF:06X}"><{tag} '
                f'xml:space="preserve">{escape(text)}</{tag}></w:r>')

    def _pieces(self, text: str) -> list[str]:
        """Word splits runs where editing sessions began: here, every second word."""
        if not self.fragment or len(text) < 12:
            return [text] if text else []
        out, cut = [], 0
        words = 0
        for i, ch in enumerate(text):
            if ch == " ":
                words += 1
                if words % 2 == 0:
                    out.append(text[cut:i + 1])
                    cut = i + 1
        out.append(text[cut:])
        return [p for p in out if p]

    def _paragraph_xml(self, k: int, edit: _Para) -> str:
        text = self.texts[k]
        dels = [c for c in edit.changes if c.end > c.start]
        points = sorted({0, len(text)} | {c.start for c in edit.changes} |
                        {c.end for c in edit.changes} | {o for o, _ in edit.starts} |
                        {o for o, _ in edit.ends})
        out: list[str] = []
        for n, a in enumerate(points):
            for change in (c for c in edit.changes if c.end == a and c.end > c.start and c.new):
                out.append(self._insertion(change))
            for _o, cid in (e for e in edit.ends if e[0] == a):
                out.append(f'<w:commentRangeEnd w:id="{cid}"/><w:r><w:rPr><w:rStyle '
                           f'w:val="CommentReference"/></w:rPr><w:commentReference '
                           f'w:id="{cid}"/></w:r>')
            for change in (c for c in edit.changes if c.start == a == c.end):
                out.append(self._insertion(change))
            for _o, cid in (s for s in edit.starts if s[0] == a):
                out.append(f'<w:commentRangeStart w:id="{cid}"/>')
            if n + 1 == len(points):
                break
            b = points[n + 1]
            owner = next((c for c in dels if c.start <= a and b <= c.end), None)
            if owner is None:
                out.extend(self._run(p, a + i) for i, p in enumerate(self._pieces(text[a:b])))
            elif owner.move:
                name = owner.move.split(":", 1)[1]
                rid = self._new_id()
                out.append(f'<w:moveFromRangeStart {self._attrs(rid)} w:name="{name}"/>'
                           f'<w:moveFrom {self._attrs(self._new_id())}>{self._run(text[a:b], a)}'
                           f'</w:moveFrom><w:moveFromRangeEnd w:id="{rid}"/>')
            else:
                out.append(f'<w:del {self._attrs(self._new_id())}>'
                           + "".join(self._run(p, a + i, True) for i, p in
                                     enumerate(self._pieces(text[a:b]))) + "</w:del>")
        return "".join(out)

    def _insertion(self, change: _Change) -> str:
        if change.move:
            name = change.move.split(":", 1)[1]
            rid = self._new_id()
            return (f'<w:moveToRangeStart {self._attrs(rid)} w:name="{name}"/>'
                    f'<w:moveTo {self._attrs(change.id)}>{self._run(change.new, change.id)}'
                    f'</w:moveTo><w:moveToRangeEnd w:id="{rid}"/>')
        runs = "".join(self._run(p, change.id + i) for i, p in enumerate(self._pieces(change.new)))
        if change.field:
            instr, result = change.field
            runs += ('<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
                     f'<w:r><w:instrText xml:space="preserve"> {escape(instr)} </w:instrText></w:r>'
                     '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
                     f'<w:r><w:t>{escape(result)}</w:t></w:r>'
                     '<w:r><w:fldChar w:fldCharType="end"/></w:r>')
        return f"<w:ins {self._attrs(change.id)}>{runs}</w:ins>"

    def save(self) -> bytes:
        from lxml import etree

        ns = f'xmlns:w="{W}" xmlns:w14="{W14}"'
        for k, edit in sorted(self.edits.items()):
            p = self.ps[k]
            for child in list(p):
                if child.tag != f"{{{W}}}pPr":
                    p.remove(child)
            fragment = etree.fromstring(f"<x {ns}>{self._paragraph_xml(k, edit)}</x>")
            for child in list(fragment):
                p.append(child)
            for text, cid in edit.inserted_before:
                new = etree.fromstring(
                    f"<w:p {ns}><w:pPr><w:rPr><w:ins {self._attrs(cid)}/></w:rPr></w:pPr>"
                    f"<w:ins {self._attrs(self._new_id())}>{self._run(text, cid)}</w:ins></w:p>")
                p.addprevious(new)
        parts = dict(self.parts)
        parts["word/document.xml"] = etree.tostring(self.root, xml_declaration=True,
                                                    encoding="UTF-8", standalone=True)
        if self.notes:
            self._comment_parts(parts)
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
            for name, data in parts.items():
                zf.writestr(zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0)), data,
                            compress_type=zipfile.ZIP_DEFLATED)
        return out.getvalue()

    def _comment_parts(self, parts: dict[str, bytes]) -> None:
        head = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        initials = "".join(w[0] for w in self.author.split()[:3]).upper()
        comments = "".join(
            f'<w:comment w:id="{n.id}" w:author={quoteattr(self.author)} w:date="{n.date or self.date}" '
            f'w:initials="{escape(initials)}">'
            + "".join(
                f'<w:p w14:paraId="{n.para_id if i == len(lines) - 1 else f"{0x20000000 + n.id * 31 + i:08X}"}" '
                f'w14:textId="77777777"><w:pPr><w:pStyle w:val="CommentText"/></w:pPr>'
                + ('<w:r><w:rPr><w:rStyle w:val="CommentReference"/></w:rPr><w:annotationRef/></w:r>'
                   if i == 0 else "")
                + f'<w:r><w:t xml:space="preserve">{escape(line)}</w:t></w:r></w:p>'
                for i, line in enumerate(lines))
            + "</w:comment>"
            for n in self.notes for lines in [n.text.split("\n")])
        parts["word/comments.xml"] = (f'{head}<w:comments xmlns:w="{W}" xmlns:w14="{W14}">'
                                      f"{comments}</w:comments>").encode()
        extended = "".join(
            f'<w15:commentEx w15:paraId="{n.para_id}"'
            + (f' w15:paraIdParent="{n.parent}"' if n.parent else "")
            + f' w15:done="{int(n.done)}"/>' for n in self.notes)
        parts["word/commentsExtended.xml"] = (
            f'{head}<w15:commentsEx xmlns:w15="{W15}">{extended}</w15:commentsEx>').encode()
        ids = "".join(f'<w16cid:commentId w16cid:paraId="{n.para_id}" '
                      f'w16cid:durableId="{0x3F000000 + n.id:08X}"/>' for n in self.notes)
        parts["word/commentsIds.xml"] = (
            f'{head}<w16cid:commentsIds xmlns:w16cid="{W16CID}">{ids}</w16cid:commentsIds>').encode()
        rels = parts["word/_rels/document.xml.rels"].decode()
        types = parts["[Content_Types].xml"].decode()
        for n, (kind, (part, rel, ctype)) in enumerate(_PARTS.items()):
            rels = rels.replace("</Relationships>", f'<Relationship Id="rIdReview{n}" '
                                f'Type="{rel}" Target="{part.split("/", 1)[1]}"/></Relationships>')
            types = types.replace("</Types>", f'<Override PartName="/{part}" '
                                  f'ContentType="{ctype}"/></Types>')
        parts["word/_rels/document.xml.rels"] = rels.encode()
        parts["[Content_Types].xml"] = types.encode()
