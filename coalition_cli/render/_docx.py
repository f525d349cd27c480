"""A small Word writer over python-docx for the reports staff edit (summary, report):
real ``Heading n`` styles (they make the navigation pane and the PDF outline), ``List
Bullet`` lists, ``Quote`` paragraphs and tables whose first row is a repeating header
(``w:tblHeader``) with ``Table Grid`` borders — the structure EN 301 549 asks of
documents, which a screen reader announces.

Every string goes through ``clean_text`` (control characters and bidirectional
overrides made harmless) before it reaches the document. Heavy imports stay inside.
"""

from __future__ import annotations

import io

from ._common import clean_text

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


class Doc:
    def __init__(self, title: str, *, language: str | None = None) -> None:
        from docx import Document

        from ..i18n import current

        language = language or current().locale.replace("_", "-")  # en-CA, fr-CA

        self.doc = Document()
        props = self.doc.core_properties
        props.title = clean_text(title)
        props.author = "coalition"
        props.language = language
        from datetime import datetime, timezone

        fixed = datetime(2000, 1, 1, tzinfo=timezone.utc)  # same data, same bytes
        props.created = props.modified = fixed
        props.last_modified_by = "coalition"
        props.revision = 1
        self._language(language)
        self.doc.add_heading(clean_text(title), level=0)

    def _language(self, language: str) -> None:
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn

        rpr = self.doc.styles.element.find(qn("w:docDefaults"))
        if rpr is None:
            return
        run = rpr.find(qn("w:rPrDefault"))
        props = run.find(qn("w:rPr")) if run is not None else None
        if props is None:
            return
        lang = props.find(qn("w:lang"))
        if lang is None:
            lang = OxmlElement("w:lang")
            props.append(lang)
        lang.set(qn("w:val"), language)

    def heading(self, text: str, level: int = 1) -> None:
        self.doc.add_heading(clean_text(text), level=level)

    def para(self, *parts: Any, style: str | None = None) -> Any:
        """A paragraph of runs: each part a str, or (str, how) with how one of "b", "i",
        "bi", "code", "ins" (underlined) or "del" (struck through)."""
        p = self.doc.add_paragraph(style=style)
        for part in parts:
            text, how = (part, "") if isinstance(part, str) else part
            run = p.add_run(clean_text(text))
            if how in ("ins", "del"):
                run.underline = how == "ins" or None
                run.font.strike = how == "del" or None
                continue
            run.bold = "b" in how or None
            run.italic = "i" in how or None
            if how == "code":
                run.font.name = "Courier New"
        return p

    def bullet(self, *parts: Any, level: int = 1) -> Any:
        return self.para(*parts, style="List Bullet" if level == 1 else "List Bullet 2")

    def numbered(self, *parts: Any) -> Any:
        return self.para(*parts, style="List Number")

    def quote(self, text: str) -> None:
        for para in [p for p in clean_text(text).split("\n\n") if p.strip()]:
            self.para(" ".join(para.split()), style="Quote")

    def text_block(self, text: str) -> None:
        """A principle's text: its paragraphs kept, lines inside a paragraph kept as breaks."""
        for para in [p for p in clean_text(text).split("\n\n") if p.strip()]:
            p = self.doc.add_paragraph(style="Quote")
            lines = [line for line in para.split("\n") if line.strip()]
            for i, line in enumerate(lines):
                run = p.add_run(line)
                if i < len(lines) - 1:
                    run.add_break()

    def table(self, headers: list[str], rows: list[list[Any]], caption: str | None = None) -> None:
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn

        if caption:
            self.para((caption, "b"), style="Caption" if "Caption" in self._styles() else None)
        table = self.doc.add_table(rows=1, cols=len(headers))
        table.style = "Table Grid"
        head = table.rows[0]
        trpr = head._tr.get_or_add_trPr()
        mark = OxmlElement("w:tblHeader")  # a header row, repeated on every page
        mark.set(qn("w:val"), "true")
        trpr.append(mark)
        for cell, text in zip(head.cells, headers):
            cell.text = ""
            cell.paragraphs[0].add_run(clean_text(text)).bold = True
        for row in rows:
            cells = table.add_row().cells
            for cell, value in zip(cells, row):
                cell.text = clean_text("" if value is None else value)
        self.doc.add_paragraph()

    def side_by_side(self, versions: list[dict]) -> None:
        """The versions of a principle in a row of columns, one per language; every run of a
        column carries that language (``w:lang``), so Word checks each in its own."""
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn

        table = self.doc.add_table(rows=2, cols=len(versions))
        table.style = "Table Grid"
        trpr = table.rows[0]._tr.get_or_add_trPr()
        mark = OxmlElement("w:tblHeader")
        mark.set(qn("w:val"), "true")
        trpr.append(mark)

        def tagged(run, code: str) -> None:  # noqa: ANN001
            lang = OxmlElement("w:lang")
            lang.set(qn("w:val"), {"en": "en-CA", "fr": "fr-CA"}.get(code, code))
            run._r.get_or_add_rPr().append(lang)

        for i, v in enumerate(versions):
            head = table.rows[0].cells[i].paragraphs[0]
            run = head.add_run(clean_text(v["language"]))
            run.bold = True
            cell = table.rows[1].cells[i]
            first = cell.paragraphs[0]
            run = first.add_run(clean_text(v["title"]))
            run.bold = True
            tagged(run, v["lang"])
            if v.get("note"):
                run = cell.add_paragraph().add_run(clean_text(v["note"]))
                run.italic = True
            for para in [p for p in clean_text(v["text"]).split("\n\n") if p.strip()]:
                run = cell.add_paragraph().add_run(" ".join(para.split()))
                tagged(run, v["lang"])
        self.doc.add_paragraph()

    def _styles(self) -> set[str]:
        return {s.name for s in self.doc.styles}

    def page_break(self) -> None:
        from docx.enum.text import WD_BREAK

        self.doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    def bytes(self) -> bytes:
        """The document; reproducible — every zip entry gets one fixed date."""
        import zipfile

        raw = io.BytesIO()
        self.doc.save(raw)
        out = io.BytesIO()
        with zipfile.ZipFile(raw) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
            for info in src.infolist():
                fixed = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
                fixed.compress_type = zipfile.ZIP_DEFLATED
                fixed.external_attr = 0o644 << 16
                dst.writestr(fixed, src.read(info.filename))
        return out.getvalue()
