"""Round trips through a real office suite: LibreOffice (headless) writes the comments and
tracked changes, or re-saves a reviewed file, and the import reads what it wrote.

Each test runs soffice with a private profile (``-env:UserInstallation``) so parallel runs
never share one; they are few, because each start of LibreOffice takes seconds.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from conftest import Coalition
from review_support import exported, open_round

from coalition_cli.review import default_stances, plan_import, submit
from coalition_cli.review.export import properties
from coalition_cli.review.layout import draft_of, layout

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(shutil.which("soffice") is None, reason="needs LibreOffice")]

NS = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
      'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
      'xmlns:dc="http://purl.org/dc/elements/1.1/" '
      'xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0"')
INFO = ("<office:change-info><dc:creator>Luc Tremblay</dc:creator>"
        "<dc:date>2026-12-01T10:00:00</dc:date></office:change-info>")


def soffice_to_docx(source: Path, tmp_path: Path) -> bytes:
    profile = tmp_path / "lo-profile"
    out = tmp_path / "lo-out"
    proc = subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
         "--convert-to", "docx:MS Word 2007 XML", "--outdir", str(out), str(source)],
        capture_output=True, timeout=180)
    result = out / (source.stem + ".docx")
    assert result.is_file(), proc.stderr.decode("utf-8", "replace")
    return result.read_bytes()


def fodt(paras: list, props: dict, comments: list, changes: list, new_paragraph=None) -> str:
    """A flat ODT of the exported paragraphs with LibreOffice's own annotations and tracked
    changes. comments: (para, start, end_para, end, [text paragraphs]); changes: (para,
    start, end, new); new_paragraph: (after para, text), a tracked inserted paragraph."""
    regions, marks = [], {}  # para -> [(offset, order, xml)]

    def mark(k: int, at: int, order: int, xml: str) -> None:
        marks.setdefault(k, []).append((at, order, xml))

    for n, (k, s, k2, e, texts) in enumerate(comments):
        body = "".join(f"<text:p>{escape(t)}</text:p>" for t in texts)
        head = (f'<office:annotation office:name="c{n}"><dc:creator>Luc Tremblay</dc:creator>'
                f"<dc:date>2026-12-01T10:00:00</dc:date>{body}</office:annotation>")
        if (k, s) == (k2, e):
            mark(k, s, 1, head.replace(f' office:name="c{n}"', ""))
        else:
            mark(k, s, 1, head)
            mark(k2, e, 0, f'<office:annotation-end office:name="c{n}"/>')
    for n, (k, s, e, new) in enumerate(changes):
        if e > s:
            regions.append(f'<text:changed-region text:id="d{n}"><text:deletion>{INFO}'
                           f"<text:p>{escape(paras[k].text[s:e])}</text:p></text:deletion>"
                           "</text:changed-region>")
            mark(k, s, 2, f'<text:change text:change-id="d{n}"/>')
        if new:
            regions.append(f'<text:changed-region text:id="i{n}"><text:insertion>{INFO}'
                           "</text:insertion></text:changed-region>")
            mark(k, max(s, e), 2, f'<text:change-start text:change-id="i{n}"/>'
                 f'{escape(new)}<text:change-end text:change-id="i{n}"/>')
    lines = []
    for k, para in enumerate(paras):
        text, pieces, at = para.text, [], 0
        deleted = [(s, e) for kk, s, e, _new in changes if kk == k and e > s]
        for offset, _order, xml in sorted(marks.get(k, []), key=lambda m: (m[0], m[1])):
            pieces.append(_kept(text, at, offset, deleted))
            at = max(at, offset)
            pieces.append(xml)
        pieces.append(_kept(text, at, len(text), deleted))
        inner = "".join(pieces)
        tag = "text:h" if para.role in ("title", "heading", "note-title") else "text:p"
        level = ' text:outline-level="1"' if tag == "text:h" else ""
        if new_paragraph and new_paragraph[0] == k:
            regions.append(f'<text:changed-region text:id="np"><text:insertion>{INFO}'
                           "</text:insertion></text:changed-region>")
            lines.append(f'<{tag}{level}>{inner}<text:change-start text:change-id="np"/></{tag}>'
                         f"<text:p>{escape(new_paragraph[1])}"
                         '<text:change-end text:change-id="np"/></text:p>')
        else:
            lines.append(f"<{tag}{level}>{inner}</{tag}>")
    meta = "".join(f'<meta:user-defined meta:name="{k}">{escape(v)}</meta:user-defined>'
                   for k, v in props.items())
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<office:document {NS} office:version="1.3" '
            f'office:mimetype="application/vnd.oasis.opendocument.text"><office:meta>{meta}'
            f'</office:meta><office:body><office:text><text:tracked-changes '
            f'text:track-changes="true">{"".join(regions)}</text:tracked-changes>'
            f'{"".join(lines)}</office:text></office:body></office:document>')


def _kept(text: str, a: int, b: int, deleted: list) -> str:
    """text[a:b] without the deleted characters (they live in their changed region)."""
    return escape("".join(ch for i, ch in enumerate(text[a:b], a)
                          if not any(s <= i < e for s, e in deleted)))


def test_libreoffice_annotations_and_tracked_changes(coalition: Coalition, tmp_path: Path) -> None:
    open_round(coalition)
    agenda = coalition.agenda
    from coalition_cli.actions import verified

    snap = verified(agenda)
    draft = draft_of(snap, snap.open_round())
    paras = layout(draft)
    index = {p.text: k for k, p in enumerate(paras)}
    p01b = index["The coalition commits to annual public reporting on every agreement."]
    p01a = index["Data reuse must serve the community."]
    p02 = index["Personal data is protected. De-identification is not anonymity."]
    p03 = index["Indigenous peoples govern data about them."]
    t = paras[p01b].text
    comments = [
        # across two paragraphs, with a replacement inside it
        (p01a, paras[p01a].text.index("must"), p01b, t.index(" to annual"),
         ["[appui] Oui.", "Deux paragraphes."]),
        (p02, paras[p02].text.index("De-identification"), p02, len(paras[p02].text) - 1,
         ["[block] This must stay."]),
        (p03, 0, p03, 0, ["[neutral] A point comment."]),
        (index["How to comment / Comment commenter"], 0, index["How to comment / Comment commenter"],
         6, ["[support] on the note"]),
    ]
    changes = [
        (p01a, paras[p01a].text.index("must"), paras[p01a].text.index("must") + 4, "shall"),
        (p01b, t.index("annual"), t.index("annual") + len("annual"), "quarterly"),
        (p02, paras[p02].text.index(" De-"), paras[p02].text.index(" De-"), " Always."),
    ]
    doc = fodt(paras, properties(draft), comments, changes, new_paragraph=(p03, "New text here."))
    source = tmp_path / "review.fodt"
    source.write_text(doc, encoding="utf-8")
    data = soffice_to_docx(source, tmp_path)
    who = coalition.who("health")
    plan = plan_import(agenda, data, "review.docx", identity=who)
    stances, missing = default_stances(plan)
    assert not missing
    got = [(it.principle, it.quote, it.proposal, stances[it.key], it.text) for it in plan.items]
    assert got == [
        ("P01", "must serve the community.\n\nThe coalition commits",
         "shall serve the community.\n\nThe coalition commits", "support", "Oui.\nDeux paragraphes."),
        ("P01", "annual", "quarterly", "amend", None),
        ("P02", "protected.", "protected. Always.", "amend", None),
        ("P02", "De-identification is not anonymity", None, "block", "This must stay."),
        ("P03", None, None, "neutral", "A point comment."),
        ("P03", "them.", "them.\n\nNew text here.", "amend", None),
    ]
    assert [s.reason for s in plan.skipped] == [
        "is on the how-to-comment note, outside any principle"]
    written = submit(agenda, who, plan, stances)
    assert len(written) == 6
    again = plan_import(agenda, data, "review.docx", identity=who)
    assert again.items == [] and len(again.already) == 6


def test_libreoffice_resaves_a_word_review(coalition: Coalition, tmp_path: Path) -> None:
    """The exported draft reviewed in Word's markup, then opened and saved by LibreOffice:
    the same comments, quotes and proposals come back."""
    from test_review_import import EXPECTED, word_review

    open_round(coalition)
    reviewed = tmp_path / "reviewed.docx"
    reviewed.write_bytes(word_review(exported(coalition)))
    resaved_dir = tmp_path / "in"
    resaved_dir.mkdir()
    shutil.copy(reviewed, resaved_dir / "resaved.docx")
    data = soffice_to_docx(resaved_dir / "resaved.docx", tmp_path)
    assert data != reviewed.read_bytes()
    plan = plan_import(coalition.agenda, data, "resaved.docx")
    stances, _missing = default_stances(plan)
    got = [(it.principle, it.quote, it.proposal, stances.get(it.key), it.text) for it in plan.items]
    assert _undated(got) == _undated(EXPECTED)


def _undated(items: list[tuple]) -> list[tuple]:
    """``items`` with the date a DATE field shows read as "<date>": LibreOffice brings the
    field up to the day it opens the file (the review's own result says 1 December 2026),
    and the proposal holds what the field shows."""
    import re

    def plain(text: str | None) -> str | None:
        return None if text is None else re.sub(r"(?<=as of )\d{1,2} [A-Z][a-z]+ \d{4}\b",
                                                "<date>", text)

    return [(pid, quote, plain(proposal), stance, text)
            for pid, quote, proposal, stance, text in items]
