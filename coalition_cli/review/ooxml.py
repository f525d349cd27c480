"""Read a reviewed Word file: its custom properties, its text with every tracked change,
its comments and their threads — safely, from the OOXML parts themselves.

python-docx reads comments but not tracked changes, and runs inside ``w:ins`` are
invisible to its ``Paragraph.text``; so the parts are read here with lxml:
``word/document.xml`` (wherever ``_rels/.rels`` says the main part is),
``comments.xml``, ``commentsExtended.xml`` (threads, resolved state), ``commentsIds.xml``
and ``docProps/custom.xml``.

The file is hostile until proven otherwise. Refused, each with one clear line: anything
that is not a zip package (a ``.doc``, an encrypted file, an OpenDocument file are named
as such), more than ``MAX_FILE`` bytes, more than ``MAX_ENTRIES`` entries or duplicate
names, a package whose declared sizes add up to more than ``MAX_TOTAL`` or whose entries
expand more than ``MAX_RATIO`` times (a zip bomb; sizes are also enforced while reading,
whatever the header claims), a macro-enabled document (``macroEnabled`` content types,
any ``vbaProject`` part), and XML with a DOCTYPE or entities (nothing is resolved, nothing
fetched, no huge trees).

The text is a list of :class:`Atom`: one per character or paragraph mark, each saying
whether it is in the exported text (``old``: deleted text included) and in the reviewer's
version (``new``: inserted text included). Comment ranges are :class:`Marker` positions
between atoms. Field instructions are skipped (their results are text); moved text is a
deletion (``w:moveFrom``) and an insertion (``w:moveTo``) with the move's name.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from dataclasses import dataclass, field

from ..errors import InputError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

MAX_FILE = 25 * 1024 * 1024  # bytes of the .docx itself
MAX_ENTRIES = 2000
MAX_PART = 32 * 1024 * 1024  # bytes of one XML part, uncompressed
MAX_TOTAL = 256 * 1024 * 1024  # declared uncompressed bytes of the whole package
MAX_RATIO = 100  # uncompressed / compressed, for entries over 1 MB

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W14 = "http://schemas.microsoft.com/office/word/2010/wordml"
W15 = "http://schemas.microsoft.com/office/word/2012/wordml"
W16CID = "http://schemas.microsoft.com/office/word/2016/wordml/cid"
REL = "http://schemas.openxmlformats.org/package/2006/relationships"
CUSTOM = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
VT = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
_OFFICE_DOC = "/officeDocument"

_DOCX_TYPES = ("application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
               "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml")


class NotADocx(InputError):
    pass


@dataclass
class Atom:
    ch: str  # one character; "\n" for a paragraph mark
    old: bool  # in the text as exported (deleted text included)
    new: bool  # in the reviewer's version (inserted text included)
    mark: bool = False  # a paragraph mark
    change: str | None = None  # w:id of the tracked change it belongs to
    move: str | None = None  # the move's name, for moved text


@dataclass(frozen=True)
class Marker:
    at: int  # index of the atom it stands before
    kind: str  # start | end | ref
    comment: str


@dataclass
class Comment:
    id: str
    author: str
    date: str
    text: str
    para_id: str | None = None  # w14:paraId of its last paragraph (threads point at it)
    parent: str | None = None  # comment id of the one it replies to
    done: bool = False
    order: int = 0  # place in comments.xml
    threaded: bool = False  # commentsExtended.xml says where it stands in a thread


@dataclass
class Package:
    sha256: str
    properties: dict[str, str]
    atoms: list[Atom] = field(default_factory=list)
    markers: list[Marker] = field(default_factory=list)
    comments: dict[str, Comment] = field(default_factory=dict)


# --- the package -----------------------------------------------------------------------


def _what_else(data: bytes) -> tuple[str, str]:
    head = data[:512].lstrip()
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        return ("a Word 97-2003 .doc or a password-protected document, not a .docx",
                ("open it in Word or LibreOffice, remove any password and save it as Word "
                 "document (.docx)"))
    if head[:5] == b"{\\rtf":
        return "an RTF file, not a .docx", "save it as Word document (.docx)"
    if b"office:document" in data[:4096]:
        return "a flat OpenDocument file, not a .docx", "save it as Word document (.docx)"
    return "not a Word document (.docx)", "export the draft with: coalition review export"


def open_package(data: bytes, name: str = "the file") -> Package:
    """Read a reviewed .docx (its bytes); refuses anything unsafe or not Word."""
    if len(data) > MAX_FILE:
        raise NotADocx(f"{name} is {len(data) // (1024 * 1024)} MB; a review is at most "
                       f"{MAX_FILE // (1024 * 1024)} MB", hint="remove images and save again")
    if data[:4] != b"PK\x03\x04":
        what, hint = _what_else(data)
        raise NotADocx(f"{name} is {what}", hint=hint)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        raise NotADocx(f"{name} is a damaged zip file, not a readable .docx",
                       hint="save it again from Word or LibreOffice") from None
    _check_entries(infos, name)
    names = {info.filename for info in infos}
    reader = _Reader(archive, name)
    if "mimetype" in names and b"opendocument" in reader.raw("mimetype", 200):
        raise NotADocx(f"{name} is an OpenDocument file (.odt), not a .docx",
                       hint="save it as Word document (.docx)")
    if "[Content_Types].xml" not in names:
        raise NotADocx(f"{name} is a zip file but not a Word document (no [Content_Types].xml)")
    types = reader.raw("[Content_Types].xml")
    macro = [n for n in names if "vbaproject" in n.lower() or "vbadata" in n.lower()]
    if b"macroEnabled" in types or b"vbaProject" in types or macro:
        raise NotADocx(f"{name} is a macro-enabled document; macros are never accepted",
                       hint="save it as Word document (.docx), without macros")
    main = _main_part(reader, names, name)
    if not any(t.encode() in types for t in _DOCX_TYPES):
        raise NotADocx(f"{name} is an Office file but not a Word document")
    rels = _rels(reader, _rels_path(main), names)
    package = Package(sha256=hashlib.sha256(data).hexdigest(),
                      properties=_properties(reader, names))
    document = reader.xml(main)
    _Text(package).walk(document)
    folder = main.rsplit("/", 1)[0]
    targets = {kind: _join(folder, target) for kind, target in rels.items()}
    if "comments" in targets and targets["comments"] in names:
        package.comments = _comments(reader.xml(targets["comments"]))
        extended = targets.get("commentsExtended")
        if extended in names:
            _threads(package.comments, reader.xml(extended))
    return package


def _check_entries(infos: list[zipfile.ZipInfo], name: str) -> None:
    if len(infos) > MAX_ENTRIES:
        raise NotADocx(f"{name} holds {len(infos)} files; a Word document holds far fewer")
    seen: set[str] = set()
    total = 0
    for info in infos:
        if info.filename in seen:
            raise NotADocx(f"{name} holds two files named {info.filename!r}: refused")
        seen.add(info.filename)
        total += info.file_size
        big = info.file_size > 1024 * 1024
        if big and info.file_size > MAX_RATIO * max(1, info.compress_size):
            raise NotADocx(f"{name} is a zip bomb: {info.filename} expands "
                           f"{info.file_size // max(1, info.compress_size)} times")
        if info.flag_bits & 0x1:
            raise NotADocx(f"{name} holds encrypted zip entries: refused")
    if total > MAX_TOTAL:
        raise NotADocx(f"{name} is a zip bomb: it expands to {total // (1024 * 1024)} MB")


class _Reader:
    """Reads entries with a hard limit on what they expand to."""

    def __init__(self, archive: zipfile.ZipFile, name: str) -> None:
        self.archive = archive
        self.name = name

    def raw(self, part: str, limit: int = MAX_PART) -> bytes:
        chunks, size = [], 0
        try:
            with self.archive.open(part) as stream:
                while True:
                    chunk = stream.read(65536)
                    if not chunk:
                        break
                    size += len(chunk)
                    if size > limit:
                        if limit < MAX_PART:
                            return b"".join(chunks)[:limit]
                        raise NotADocx(f"{self.name} is a zip bomb: {part} expands beyond "
                                       f"{MAX_PART // (1024 * 1024)} MB")
                    chunks.append(chunk)
        except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
            if isinstance(exc, InputError):
                raise
            raise NotADocx(f"{self.name} is damaged: {part} cannot be read",
                           hint="save it again from Word or LibreOffice") from None
        return b"".join(chunks)

    def xml(self, part: str) -> Any:
        return parse_xml(self.raw(part), f"{self.name}: {part}")


_DOCTYPE = [s.encode(enc) for s in ("<!DOCTYPE", "<!ENTITY")
            for enc in ("utf-8", "utf-16-le", "utf-16-be")]


def parse_xml(data: bytes, where: str) -> Any:
    """An XML part with no DTD, no entities, nothing fetched, no huge tree."""
    from lxml import etree

    upper = data.upper()
    if any(marker.upper() in upper for marker in _DOCTYPE):
        raise NotADocx(f"{where} declares a DOCTYPE or entities: refused")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                             dtd_validation=False, huge_tree=False, remove_pis=True)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise NotADocx(f"{where} is not well-formed XML ({str(exc).splitlines()[0][:80]})") from None
    if root.getroottree().docinfo.doctype:
        raise NotADocx(f"{where} declares a DOCTYPE: refused")
    return root


def _rels_path(part: str) -> str:
    folder, _, file = part.rpartition("/")
    return f"{folder}/_rels/{file}.rels" if folder else f"_rels/{file}.rels"


def _join(folder: str, target: str) -> str:
    if target.startswith("/"):
        return target[1:]
    parts = (folder.split("/") if folder else []) + target.split("/")
    out: list[str] = []
    for p in parts:
        if p == "..":
            if out:
                out.pop()
        elif p not in ("", "."):
            out.append(p)
    return "/".join(out)


def _rels(reader: _Reader, path: str, names: set[str]) -> dict[str, str]:
    """Relationship type (its last path segment) -> target, internal targets only."""
    if path not in names:
        return {}
    out: dict[str, str] = {}
    for rel in reader.xml(path).iter(f"{{{REL}}}Relationship"):
        if rel.get("TargetMode") == "External":
            continue
        kind = (rel.get("Type") or "").rsplit("/", 1)[-1]
        out.setdefault(kind, rel.get("Target") or "")
    return out


def _main_part(reader: _Reader, names: set[str], name: str) -> str:
    rels = _rels(reader, "_rels/.rels", names)
    target = rels.get(_OFFICE_DOC.strip("/"))
    main = _join("", target) if target else "word/document.xml"
    if main not in names:
        raise NotADocx(f"{name} is a zip file but not a Word document (no main document part)")
    return main


def _properties(reader: _Reader, names: set[str]) -> dict[str, str]:
    rels = _rels(reader, "_rels/.rels", names)
    part = _join("", rels["custom-properties"]) if "custom-properties" in rels else "docProps/custom.xml"
    if part not in names:
        return {}
    out = {}
    for prop in reader.xml(part).iter(f"{{{CUSTOM}}}property"):
        name = prop.get("name") or ""
        if name.startswith("coalition-"):
            out[name] = "".join(prop.itertext()).strip()[:200]
    return out


# --- the text ----------------------------------------------------------------------------


def _local(el: Any) -> str | None:
    tag = el.tag
    if not isinstance(tag, str) or not tag.startswith("{" + W + "}"):
        return None
    return tag[len(W) + 2:]


_SKIP = {"pPr", "rPr", "sectPr", "tblPr", "tblGrid", "trPr", "tcPr", "sdtPr", "sdtEndPr",
         "instrText", "delInstrText", "proofErr", "bookmarkStart", "bookmarkEnd",
         "footnoteReference", "endnoteReference", "annotationRef", "drawing", "pict",
         "object", "softHyphen", "lastRenderedPageBreak", "rPrChange", "pPrChange",
         "fldData", "permStart", "permEnd"}
_CHARS = {"tab": "\t", "ptab": "\t", "br": "\n", "cr": "\n", "noBreakHyphen": "\u2011"}


class _Text:
    """Walks ``w:body`` in document order, appending atoms and markers to the package."""

    def __init__(self, package: Package) -> None:
        self.atoms = package.atoms
        self.markers = package.markers
        self.field_depth: list[str] = []  # per open complex field: "instr" | "result"
        self.move: str | None = None

    def walk(self, root: Any) -> None:
        body = root.find(f"{{{W}}}body")
        if body is None:
            raise NotADocx("the document has no body")
        self._children(body, False, False, None)

    def _children(self, el: Any, ins: bool, dele: bool, change: str | None) -> None:
        for child in el:
            self._element(child, ins, dele, change)

    def _element(self, el: Any, ins: bool, dele: bool, change: str | None) -> None:
        name = _local(el)
        if name is None or name in _SKIP:
            return
        if name == "p":
            self._paragraph(el, ins, dele, change)
        elif name in ("ins", "moveTo"):
            self._children(el, True, dele, el.get(f"{{{W}}}id") or change)
        elif name in ("del", "moveFrom"):
            self._children(el, ins, True, el.get(f"{{{W}}}id") or change)
        elif name in ("moveFromRangeStart", "moveToRangeStart"):
            self.move = el.get(f"{{{W}}}name") or el.get(f"{{{W}}}id")
        elif name in ("moveFromRangeEnd", "moveToRangeEnd"):
            self.move = None
        elif name in ("commentRangeStart", "commentRangeEnd", "commentReference"):
            kind = {"commentRangeStart": "start", "commentRangeEnd": "end"}.get(name, "ref")
            self.markers.append(Marker(len(self.atoms), kind, el.get(f"{{{W}}}id") or ""))
        elif name == "fldChar":
            kind = el.get(f"{{{W}}}fldCharType")
            if kind == "begin":
                self.field_depth.append("instr")
            elif kind == "separate" and self.field_depth:
                self.field_depth[-1] = "result"
            elif kind == "end" and self.field_depth:
                self.field_depth.pop()
        elif name in ("t", "delText"):
            if "instr" not in self.field_depth:
                self._chars(el.text or "", ins, dele, change)
        elif name in _CHARS:
            if "instr" not in self.field_depth and el.get(f"{{{W}}}type") not in ("page", "column"):
                self._chars(_CHARS[name], ins, dele, change)
        elif name == "sym":
            pass  # a symbol-font glyph: not text of the draft
        else:  # r, hyperlink, smartTag, sdt, sdtContent, customXml, fldSimple, tbl, tr, tc, ...
            self._children(el, ins, dele, change)

    def _chars(self, text: str, ins: bool, dele: bool, change: str | None) -> None:
        move = self.move if (ins or dele) else None
        for ch in text:
            self.atoms.append(Atom(ch, not ins, not dele, False, change if ins or dele else None, move))

    def _paragraph(self, el: Any, ins: bool, dele: bool, change: str | None) -> None:
        mark_ins, mark_del, mark_change = ins, dele, change
        ppr = el.find(f"{{{W}}}pPr")
        rpr = ppr.find(f"{{{W}}}rPr") if ppr is not None else None
        if rpr is not None:
            for child in rpr:
                name = _local(child)
                if name in ("ins", "moveTo"):
                    mark_ins, mark_change = True, child.get(f"{{{W}}}id") or mark_change
                elif name in ("del", "moveFrom"):
                    mark_del, mark_change = True, child.get(f"{{{W}}}id") or mark_change
        self._children(el, ins, dele, change)
        tracked = mark_ins or mark_del
        self.atoms.append(Atom("\n", not mark_ins, not mark_del, True,
                               mark_change if tracked else None, None))


# --- comments ----------------------------------------------------------------------------


def _comment_text(el: Any) -> tuple[str, str | None]:
    """The comment's paragraphs (the reviewer's version of them), and its last paraId."""
    paras, last = [], None
    for p in el.iter(f"{{{W}}}p"):
        last = p.get(f"{{{W14}}}paraId") or last
        parts: list[str] = []
        fields: list[str] = []
        for node in p.iter():
            name = _local(node)
            if name == "fldChar":
                kind = node.get(f"{{{W}}}fldCharType")
                if kind == "begin":
                    fields.append("instr")
                elif kind == "separate" and fields:
                    fields[-1] = "result"
                elif kind == "end" and fields:
                    fields.pop()
            elif name == "t" and "instr" not in fields:
                parts.append(node.text or "")
            elif name in _CHARS and "instr" not in fields:
                parts.append(_CHARS[name])
        paras.append("".join(parts))
    return "\n".join(paras).strip(), last


def _comments(root: Any) -> dict[str, Comment]:
    out = {}
    for el in root.iter(f"{{{W}}}comment"):
        cid = el.get(f"{{{W}}}id") or ""
        text, para = _comment_text(el)
        out[cid] = Comment(cid, (el.get(f"{{{W}}}author") or "")[:200],
                           (el.get(f"{{{W}}}date") or "")[:40], text, para, order=len(out))
    return out


def _threads(comments: dict[str, Comment], root: Any) -> None:
    """Replies and resolved state from ``commentsExtended.xml`` (w15:commentEx)."""
    by_para = {c.para_id: c for c in comments.values() if c.para_id}
    for ex in root.iter(f"{{{W15}}}commentEx"):
        comment = by_para.get(ex.get(f"{{{W15}}}paraId"))
        if comment is None:
            continue
        parent = by_para.get(ex.get(f"{{{W15}}}paraIdParent"))
        if parent is not None and parent is not comment:
            comment.parent = parent.id
        comment.done = ex.get(f"{{{W15}}}done") in ("1", "true")
        comment.threaded = True

