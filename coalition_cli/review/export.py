"""``coalition review export``: the draft under consultation as a clean Word document.

Headings for the principles, their text, the round's title and closing date and a short
"how to comment" note (``layout``), Track Changes switched on, and three custom document
properties (``docProps/custom.xml``) that tie the file to exactly one draft:

* ``coalition-format``: ``coalition-review-1``;
* ``coalition-round``: the round id;
* ``coalition-draft``: the round's draft commit;
* ``coalition-draft-sha256``: SHA-256 of the draft's text (``layout.Draft.digest``).

The bytes are reproducible: the same draft gives the same file.
"""

from __future__ import annotations

import io
import zipfile
from xml.sax.saxutils import escape, quoteattr

from .layout import FORMAT, Draft, layout

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

_FIXED_TIME = (1980, 1, 1, 0, 0, 0)
CUSTOM_PART = "docProps/custom.xml"
CUSTOM_TYPE = "application/vnd.openxmlformats-officedocument.custom-properties+xml"
CUSTOM_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/custom-properties"
_FMTID = "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}"


def properties(draft: Draft) -> dict[str, str]:
    return {"coalition-format": FORMAT, "coalition-round": draft.round_id,
            "coalition-draft": draft.draft_commit, "coalition-draft-sha256": draft.digest}


def export_docx(draft: Draft) -> bytes:
    """The Word document for ``draft``."""
    from datetime import datetime, timezone

    from docx import Document
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    from ..render.changes_docx import _enable_track_revisions

    doc = Document()
    props = doc.core_properties
    props.title = draft.round_title
    props.author = props.last_modified_by = "coalition"
    props.created = props.modified = datetime(2000, 1, 1, tzinfo=timezone.utc)
    props.revision = 1
    for para in layout(draft):
        if para.role == "title":
            doc.add_heading(para.text, level=0)
        elif para.role in ("heading", "note-title"):
            doc.add_heading(para.text, level=1)
        elif para.style == "bullet":
            doc.add_paragraph(para.text, style="List Bullet")
        elif para.style == "heading":
            doc.add_heading(para.text, level=2)
        elif para.role in ("meta", "note"):
            doc.add_paragraph().add_run(para.text).italic = True
        else:
            doc.add_paragraph(para.text)
    _enable_track_revisions(doc.settings.element, OxmlElement, qn)
    raw = io.BytesIO()
    doc.save(raw)
    return _with_properties(raw.getvalue(), properties(draft))


def _custom_xml(values: dict[str, str]) -> bytes:
    items = "".join(
        f'<property fmtid="{_FMTID}" pid="{n}" name={quoteattr(name)}>'
        f"<vt:lpwstr>{escape(value)}</vt:lpwstr></property>"
        for n, (name, value) in enumerate(values.items(), 2))
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
            'custom-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/'
            f'2006/docPropsVTypes">{items}</Properties>').encode()


def _with_properties(blob: bytes, values: dict[str, str]) -> bytes:
    """The package with ``docProps/custom.xml`` added (content type and relationship too),
    every entry dated the same fixed day."""
    src = zipfile.ZipFile(io.BytesIO(blob))
    parts: dict[str, bytes] = {name: src.read(name) for name in src.namelist()}
    types = parts["[Content_Types].xml"].decode("utf-8")
    override = f'<Override PartName="/{CUSTOM_PART}" ContentType="{CUSTOM_TYPE}"/>'
    parts["[Content_Types].xml"] = types.replace("</Types>", override + "</Types>").encode()
    rels = parts["_rels/.rels"].decode("utf-8")
    rel = f'<Relationship Id="rIdCoalition" Type="{CUSTOM_REL}" Target="{CUSTOM_PART}"/>'
    parts["_rels/.rels"] = rels.replace("</Relationships>", rel + "</Relationships>").encode()
    parts[CUSTOM_PART] = _custom_xml(values)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for name, data in parts.items():
            info = zipfile.ZipInfo(name, date_time=_FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            dst.writestr(info, data)
    return out.getvalue()


def export_round(agenda: Any, round_id: str | None = None) -> tuple[Draft, bytes]:
    """The draft of ``round_id`` (default: the open round, else the latest) from the
    verified head, and its Word document."""
    from ..actions import verified
    from .layout import draft_of

    snap = verified(agenda)
    round_ = snap.round_or_open(round_id)
    draft = draft_of(snap, round_)
    return draft, export_docx(draft)
