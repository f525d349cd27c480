"""review export: the draft as a clean Word document tied to its round and draft; the
layout that maps each of its characters back to the draft; the provenance field."""

from __future__ import annotations

import io
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import Cli, Coalition
from hypothesis import given, settings
from hypothesis import strategies as st
from review_support import open_round

from coalition_cli import records
from coalition_cli.errors import MalformedData
from coalition_cli.model import Record, record_from_fields
from coalition_cli.review.layout import Draft, body_paragraphs, layout, note_paragraphs
from coalition_cli.review.ooxml import open_package


def test_export_is_the_draft_with_round_and_draft_in_its_properties(
        cli: Cli, coalition: Coalition, tmp_path: Path) -> None:
    from docx import Document

    open_round(coalition)
    out = tmp_path / "draft.docx"
    cli("--agenda", coalition.root / "agenda", "review", "export", "--output", out)
    doc = Document(str(out))
    headings = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    assert headings == ["How to comment / Comment commenter", "P01 Community benefit",
                        "P02 Privacy", "P03 Indigenous data sovereignty"]
    texts = [p.text for p in doc.paragraphs]
    assert texts[0] == "First draft" and doc.paragraphs[0].style.name == "Title"
    assert "open for comments until" in texts[1] and "round r1" in texts[1]
    assert "The coalition commits to annual public reporting on every agreement." in texts
    assert all(note in texts for note in note_paragraphs())
    snap = coalition.agenda.snapshot()
    round_ = snap.round("r1")
    package = open_package(out.read_bytes())
    props = package.properties
    assert props["coalition-round"] == "r1" and props["coalition-draft"] == round_.draft
    from coalition_cli.review.layout import draft_of

    assert props["coalition-draft-sha256"] == draft_of(snap, round_).digest
    with zipfile.ZipFile(out) as zf:
        assert b"<w:trackRevisions/>" in zf.read("word/settings.xml")  # Track Changes on
    again = tmp_path / "again.docx"
    cli("--agenda", coalition.root / "agenda", "review", "export", "r1", "--output", again)
    assert again.read_bytes() == out.read_bytes()  # reproducible


def test_export_without_a_round(cli: Cli, coalition: Coalition, tmp_path: Path) -> None:
    out = cli("--agenda", coalition.root / "agenda", "review", "export", "--output",
              tmp_path / "x.docx", code=3)
    assert out.stderr.startswith("error: there is no consultation round yet")
    assert not (tmp_path / "x.docx").exists()


def test_export_to_a_pipe(coalition: Coalition) -> None:
    open_round(coalition)
    proc = subprocess.run([sys.executable, "-m", "coalition_cli", "review", "export"],
                          cwd=coalition.root, capture_output=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert open_package(proc.stdout).properties["coalition-round"] == "r1"


def test_the_draft_digest_changes_with_any_text() -> None:
    base = Draft("C", "r1", "T", "2030-01-01T00:00:00Z", "a" * 40, (("P01", "A", "x y"),))
    assert base.digest != Draft("C", "r1", "T", "2030-01-01T00:00:00Z", "a" * 40,
                                (("P01", "A", "x  y"),)).digest
    assert base.digest != Draft("C", "r2", "T", "2030-01-01T00:00:00Z", "a" * 40,
                                (("P01", "A", "x y"),)).digest


lines = st.text(st.sampled_from("ab é’“”—- \t"), min_size=1, max_size=12)


@settings(max_examples=200)
@given(st.lists(st.one_of(lines, st.just(""), lines.map(lambda t: "- " + t),
                          lines.map(lambda t: "# " + t), lines.map(lambda t: "  " + t)),
                min_size=1, max_size=12))
def test_every_exported_character_maps_to_its_place_in_the_body(body_lines: list[str]) -> None:
    body = "\n".join(body_lines)
    paras = body_paragraphs("P01", body)
    for para in paras:
        assert len(para.text) == len(para.offsets)
        for ch, at in zip(para.text, para.offsets):  # the same character, or a line join
            assert body[at] == ch or (ch == " " and body[at] in " \t\n")
        assert para.offsets == tuple(sorted(para.offsets))
    # every word of the body is in exactly one paragraph, in order (list and heading
    # markers left out)
    import re

    marker = re.compile(r"[ \t]*(?:[-*+][ \t]+|#{1,6}(?:[ \t]+|$))")
    def unmarked(line: str) -> str:
        found = marker.match(line)
        return line[found.end():] if found else line

    assert " ".join(p.text for p in paras).split() == [
        w for line in body.split("\n") for w in unmarked(line).split()]


def test_layout_orders_title_note_and_principles() -> None:
    draft = Draft("C", "r1", "Round one", "2030-01-01T23:59:59Z", "a" * 40,
                  (("P01", "Alpha", "One.\n\n- two\n- three"), ("P02", "Beta", "Four.")))
    roles = [(p.role, p.principle, p.style, p.text) for p in layout(draft)
             if p.role in ("heading", "body")]
    assert roles == [("heading", "P01", "", "P01 Alpha"), ("body", "P01", "", "One."),
                     ("body", "P01", "bullet", "two"), ("body", "P01", "bullet", "three"),
                     ("heading", "P02", "", "P02 Beta"), ("body", "P02", "", "Four.")]


# --- the provenance field ---------------------------------------------------------------------

PATH = "agenda/rounds/r1/comments/health/abc.yaml"
BASE = {"v": 1, "type": "comment", "id": "abc", "round": "r1", "principle": "P01",
        "member": "health", "stance": "amend", "kind": "substantive", "attribution": "public",
        "themes": [], "text": "t", "submitted_at": "2026-12-01T10:00:00Z"}


def test_provenance_reads_back_and_older_records_are_unchanged() -> None:
    prov = {"source": "word-review", "sha256": "ab" * 32, "item": "comment-3"}
    rec = record_from_fields({**BASE, "provenance": prov}, PATH)
    assert rec.provenance == prov
    data = records.dump_record(rec.fields())
    assert record_from_fields(records.parse_record(data, PATH), PATH) == rec
    plain = record_from_fields(dict(BASE), PATH)
    assert plain.provenance is None and b"provenance" not in records.dump_record(plain.fields())


@pytest.mark.parametrize("bad", [
    "x", {"source": "word-review", "sha256": "AB" * 32, "item": "c"},
    {"source": "email", "sha256": "ab" * 32, "item": "c"},
    {"source": "word-review", "sha256": "ab" * 32, "item": "c", "extra": 1},
    {"source": "word-review", "sha256": "ab" * 32},
    {"source": "word-review", "sha256": "ab" * 32, "item": "\x1b[31m"},
])
def test_malformed_provenance_is_refused(bad: object) -> None:
    with pytest.raises(MalformedData):
        record_from_fields({**BASE, "provenance": bad}, PATH)


def test_record_fields_stay_in_step() -> None:
    assert "provenance" in Record.__dataclass_fields__


def test_zip_limits_are_enforced_while_reading_too() -> None:
    """What an entry expands to is counted while it is read, not taken from its header."""
    from coalition_cli.review import ooxml

    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", b"<a>" + b" " * (ooxml.MAX_PART + 10) + b"</a>")
    reader = ooxml._Reader(zipfile.ZipFile(io.BytesIO(raw.getvalue())), "f")
    with pytest.raises(ooxml.NotADocx, match="zip bomb"):
        reader.raw("word/document.xml")
