"""Word (.docx) rendering of a tracked-change report, with REAL tracked changes
and the members' comments as Word comments.

What goes into the document:

- a title and two lines saying which versions are compared (not tracked);
- one ``Heading 1`` per principle: inserted for an added principle, deleted
  for a removed one, old title deleted and new title inserted when the title
  changed;
- one paragraph per text paragraph. Every ``delete`` op (and the ``from``
  side of a ``move``) becomes ``<w:del><w:r><w:delText>`` and every ``insert``
  op (and the ``to`` side of a move) ``<w:ins><w:r><w:t>``, one per
  paragraph the op touches. A paragraph break inside an inserted (deleted) op
  becomes an inserted (deleted) paragraph mark ``w:pPr/w:rPr/w:ins``
  (``w:del``), so accepting all changes gives exactly the new text and
  rejecting all gives the old one;
- comments anchored at their quote's text in the new version (found modulo
  whitespace, runs split as needed); orphaned, unanchored or not-found quotes
  are anchored on the principle heading. Confidential comments (text None)
  are left out.

Author and date of every revision are ``data["to"]["author"]`` and
``data["to"]["date"]``. ``w:id`` values are unique across comments and
revisions. ``w:trackRevisions`` is switched on in settings.xml. The bytes are
reproducible: same data, same file.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field

from ._common import (
    ANONYMOUS,
    CONFIDENTIAL,
    DELETE,
    EQUAL,
    INSERT,
    MOVE_FROM,
    MOVE_TO,
    clean_text,
    iso_z,
    one_line,
    parse_iso,
    principle_heading,
    redline_paragraphs,
    short_sha,
    version_label,
    disposition_word,
    fate_label,
    quoted,
    stance_label,
)
from ..i18n import _, current

# tracked kinds in the document
_DOCX_KIND = {EQUAL: EQUAL, INSERT: INSERT, MOVE_TO: INSERT, DELETE: DELETE, MOVE_FROM: DELETE}

# children of w:settings that come before w:trackRevisions (ECMA-376 CT_Settings)
_SETTINGS_BEFORE_TRACK = {
    "writeProtection", "view", "zoom", "removePersonalInformation", "removeDateAndTime",
    "doNotDisplayPageBoundaries", "displayBackgroundShape", "printPostScriptOverText",
    "printFractionalCharacterWidth", "printFormsData", "embedTrueTypeFonts", "embedSystemFonts",
    "saveSubsetFonts", "saveFormsData", "mirrorMargins", "alignBordersAndEdges",
    "bordersDoNotSurroundHeader", "bordersDoNotSurroundFooter", "gutterAtTop",
    "hideSpellingErrors", "hideGrammaticalErrors", "activeWritingStyle", "proofState",
    "formsDesign", "attachedTemplate", "linkStyles", "stylePaneFormatFilter",
    "stylePaneSortMethod", "documentType", "mailMerge", "revisionView",
}

_FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_ANCHORED_FATES = ("anchored", "modified", "relocated")


@dataclass
class _Seg:
    kind: str  # EQUAL, INSERT or DELETE
    text: str
    markers: list = field(default_factory=list)  # (offset, order, "start"|"end", comment id)


@dataclass
class _Para:
    style: str | None
    segs: list[_Seg]
    mark: str | None = None  # None, INSERT or DELETE: the paragraph mark's revision


@dataclass
class _Principle:
    pid: str
    heading: _Para
    body: list[_Para]


# ------------------------------------------------------------------ planning


def _plan_principle(p: dict) -> _Principle:
    status = p.get("status")
    pid = one_line(p.get("id"))
    title, old_title = one_line(p.get("title")), one_line(p.get("old_title"))
    if status == "added":
        heading = _Para("Heading 1", [_Seg(INSERT, principle_heading(p))], INSERT)
    elif status == "removed":
        heading = _Para("Heading 1", [_Seg(DELETE, principle_heading(p))], DELETE)
    elif old_title and title and old_title != title:
        heading = _Para("Heading 1", [_Seg(EQUAL, f"{pid} — "), _Seg(DELETE, old_title),
                                      _Seg(INSERT, title)])
    else:
        heading = _Para("Heading 1", [_Seg(EQUAL, principle_heading(p))])

    last_mark = INSERT if status == "added" else DELETE if status == "removed" else None
    body = []
    paras = redline_paragraphs(p.get("ops") or [])
    for i, rp in enumerate(paras):
        segs: list[_Seg] = []
        for s in rp.segments:
            kind = _DOCX_KIND[s.kind]
            if segs and segs[-1].kind == kind:
                segs[-1].text += s.text
            else:
                segs.append(_Seg(kind, s.text))
        if rp.end is None:
            mark = last_mark
        else:
            mark = {EQUAL: None}.get(rp.end, _DOCX_KIND[rp.end])
        if not segs and mark is None:
            continue  # an empty paragraph in both versions: nothing to show
        body.append(_Para(None, segs, mark))
    return _Principle(pid, heading, body)


def _normalised_map(paras: list[_Para]) -> tuple[str, list]:
    """The new text of ``paras`` with whitespace runs collapsed to one space,
    and for each of its characters where it comes from: (para, seg, offset),
    or None for a collapsed space between paragraphs."""
    chars: list[str] = []
    where: list = []
    for pi, para in enumerate(paras):
        if pi:
            if chars and chars[-1] != " ":
                chars.append(" ")
                where.append(None)
        for si, seg in enumerate(para.segs):
            if seg.kind == DELETE:
                continue
            for off, ch in enumerate(seg.text):
                if ch.isspace():
                    if chars and chars[-1] == " ":
                        continue
                    ch = " "
                chars.append(ch)
                where.append((pi, si, off))
    return "".join(chars), where


def _find_quote(paras: list[_Para], quote: str):
    """(start, end) positions of ``quote`` (modulo whitespace) in the new text,
    each (para, seg, offset); None when absent or ambiguous."""
    needle = " ".join(quote.split())
    if not needle:
        return None
    hay, where = _normalised_map(paras)
    first = hay.find(needle)
    if first < 0 or hay.find(needle, first + 1) >= 0:
        return None
    start, last = where[first], where[first + len(needle) - 1]
    if start is None or last is None:  # cannot happen: the needle is stripped
        return None
    return start, (last[0], last[1], last[2] + 1)


def _mark_range(paras: list[_Para], start, end, cid: int) -> None:
    (sp, ss, so), (ep, es, eo) = start, end
    paras[sp].segs[ss].markers.append((so, 1, "start", cid))
    paras[ep].segs[es].markers.append((eo, 0, "end", cid))


def _mark_whole(para: _Para, cid: int) -> None:
    if not para.segs:
        para.segs.append(_Seg(EQUAL, ""))
    para.segs[0].markers.append((0, 1, "start", cid))
    para.segs[-1].markers.append((len(para.segs[-1].text), 0, "end", cid))


def _initials(name: str) -> str:
    words = re.findall(r"\w+", name)
    return "".join(w[0] for w in words[:3]).upper() or "?"


def _comment_body(c: dict, prefix: str) -> str:
    lines = []
    text = clean_text(c.get("text")).strip()
    lines.append(prefix + text)
    facts = []
    if c.get("stance"):
        facts.append(_("Stance: {stance}", stance=stance_label(c["stance"])))
    fate = one_line(c.get("fate"))
    if fate:
        facts.append(_("anchor: {fate}", fate=fate_label(fate)))
    if c.get("quote") and fate in ("modified", "orphaned", "relocated"):
        facts.append(_("quoted: {quote}", quote=quoted(one_line(c["quote"]))))
    lines.append(" · ".join(facts) + " · " + _("comment {id}", id=one_line(c.get("id"))))
    if c.get("disposition"):
        disp = _("Disposition: {disposition}", disposition=disposition_word(c["disposition"]))
        if c.get("rationale"):
            disp += f" — {one_line(c['rationale'])}"
        if c.get("commit"):
            disp += " " + _("(in {commit})", commit=short_sha(one_line(c["commit"])))
        lines.append(disp)
    else:
        lines.append(_("Disposition: awaiting"))
    return "\n".join(lines)


# ------------------------------------------------------------------ XML


def _items(seg: _Seg) -> list[tuple]:
    out, pos = [], 0
    for off, _order, kind, cid in sorted(seg.markers):
        if off > pos:
            out.append(("text", seg.text[pos:off]))
            pos = off
        out.append((kind, cid))
    if pos < len(seg.text):
        out.append(("text", seg.text[pos:]))
    return out


class _Writer:
    def __init__(self, author: str, date: str | None):
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn

        self.E, self.qn = OxmlElement, qn
        self.author, self.date = author, date

    def revision(self, tag: str):
        attrs = {self.qn("w:id"): "0", self.qn("w:author"): self.author}
        if self.date:
            attrs[self.qn("w:date")] = self.date
        return self.E(tag, attrs=attrs)

    def run(self, text: str, deleted: bool):
        r = self.E("w:r")
        t = self.E("w:delText" if deleted else "w:t")
        t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        t.text = text
        r.append(t)
        return r

    def comment_ref(self, cid: int):
        r = self.E("w:r")
        rpr = self.E("w:rPr")
        rpr.append(self.E("w:rStyle", attrs={self.qn("w:val"): "CommentReference"}))
        r.append(rpr)
        r.append(self.E("w:commentReference", attrs={self.qn("w:id"): str(cid)}))
        return r

    def paragraph(self, doc, para: _Para) -> None:
        p = doc.add_paragraph(style=para.style) if para.style else doc.add_paragraph()
        pel = p._p
        if para.mark:
            ppr = pel.get_or_add_pPr()
            rpr = self.E("w:rPr")
            rpr.append(self.revision("w:ins" if para.mark == INSERT else "w:del"))
            ppr.append(rpr)  # pPr holds at most a pStyle here: rPr comes after it
        for seg in para.segs:
            if seg.kind == EQUAL:
                box = pel
            else:
                box = self.revision("w:ins" if seg.kind == INSERT else "w:del")
                pel.append(box)
            refs = []
            for kind, value in _items(seg):
                if kind == "text":
                    box.append(self.run(value, seg.kind == DELETE))
                elif kind == "start":
                    box.append(self.E("w:commentRangeStart", attrs={self.qn("w:id"): str(value)}))
                else:
                    box.append(self.E("w:commentRangeEnd", attrs={self.qn("w:id"): str(value)}))
                    refs.append(value)
            for cid in refs:  # the reference mark itself is never a tracked change
                pel.append(self.comment_ref(cid))


def _enable_track_revisions(settings_el, E, qn) -> None:
    if settings_el.find(qn("w:trackRevisions")) is not None:
        return
    track = E("w:trackRevisions")
    w_ns = qn("w:x")[: -len("x")]
    last_before = None
    for child in settings_el:
        tag = child.tag if isinstance(child.tag, str) else ""
        if tag.startswith(w_ns) and tag[len(w_ns):] in _SETTINGS_BEFORE_TRACK:
            last_before = child
    if last_before is not None:
        last_before.addnext(track)
    else:
        settings_el.insert(0, track)


def _reproducible_zip(blob: bytes) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(blob))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=_FIXED_ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()


def render(data: dict) -> bytes:
    import docx
    from docx.oxml.ns import qn

    frm, to = data.get("from") or {}, data.get("to") or {}
    author = one_line(to.get("author")) or "coalition"
    date = iso_z(to.get("date"))
    writer = _Writer(author, date)

    document = docx.Document()
    title = _("Tracked changes")
    cp = document.core_properties
    cp.title = f"{title}: {one_line(frm.get('label'))} → {one_line(to.get('label'))}"
    cp.author = author
    cp.last_modified_by = author
    cp.comments = ""
    cp.revision = 1
    cp.language = current().locale.replace("_", "-")
    when = parse_iso(to.get("date")) or parse_iso(frm.get("date"))
    if when is not None:
        cp.created = cp.modified = when.replace(tzinfo=None)
        cp.last_printed = when.replace(tzinfo=None)

    title_para = _Para("Title", [_Seg(EQUAL, title)])
    plans = [_plan_principle(p) for p in data.get("principles") or []]
    by_id = {pl.pid: pl for pl in plans}

    # comments first, so their ids are known when the paragraphs are written
    for c in data.get("comments") or []:
        if c.get("text") is None:
            continue  # confidential: counted elsewhere, never shown here
        plan = by_id.get(one_line(c.get("principle")))
        fate = c.get("fate")
        quote = c.get("new_quote") or (c.get("quote") if fate == "anchored" else None)
        span = None
        if plan is not None and fate in _ANCHORED_FATES and quote:
            span = _find_quote(plan.body, quote)
        prefix = ""
        if plan is None:  # a principle this report does not show: keep the comment
            prefix = f"[{one_line(c.get('principle'))}] "
        elif fate == "orphaned":
            prefix = f"[{fate_label('orphaned')}] "
        elif span is None and fate in _ANCHORED_FATES and quote:
            prefix = "[" + _("on {quote}", quote=quoted(one_line(quote))) + "] "
        name = one_line(c.get("member")) or (
            _(CONFIDENTIAL) if c.get("attribution") == "confidential" else _(ANONYMOUS))
        comment = document.comments.add_comment(
            text=_comment_body(c, prefix), author=name, initials=_initials(name)
        )
        if date:
            comment._comment_elm.set(qn("w:date"), date)
        cid = comment.comment_id
        if span is not None:
            _mark_range(plan.body, span[0], span[1], cid)
        else:
            _mark_whole(plan.heading if plan is not None else title_para, cid)

    writer.paragraph(document, title_para)
    document.add_paragraph(_("From: {version}", version=version_label(frm)))
    by = " — " + _("changes by {author}", author=author) if to.get("author") else ""
    document.add_paragraph(_("To: {version}", version=version_label(to)) + by)
    for plan in plans:
        writer.paragraph(document, plan.heading)
        for para in plan.body:
            writer.paragraph(document, para)

    # unique ids: comments keep 0..n-1, revisions follow
    comment_ids = [c.comment_id for c in document.comments]
    next_id = max(comment_ids, default=-1) + 1
    body = document.element.body
    for el in body.iter(qn("w:ins"), qn("w:del")):
        el.set(qn("w:id"), str(next_id))
        next_id += 1

    _enable_track_revisions(document.settings.element, writer.E, qn)

    buf = io.BytesIO()
    document.save(buf)
    return _reproducible_zip(buf.getvalue())
