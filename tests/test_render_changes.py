"""Renderers of the tracked-change report: terminal, md, html, json, docx.

The docx is checked twice: structurally (the OOXML we promise) and through
real clients — LibreOffice must see one tracked change per change region,
pandoc must give the new text when accepting and the old text when rejecting.
"""

from __future__ import annotations

import copy
import html
import io
import json
import os
import re
import shutil
import subprocess
import zipfile
from html.parser import HTMLParser

import pytest
from lxml import etree

from coalition_cli.errors import UsageError
from coalition_cli.render import render_changes
from coalition_cli.render._common import version_text

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W}
FRENCH = "Les données restent sous la gouvernance des communautés."
UNICODE = "ᐃᓄᒃᑎᑐᑦ مرحبا 🌍 de\u0301cision"
XSS = "<script>alert(1)</script> <img src=x onerror=alert(1)> \"><svg onload=alert(1)>"


def sample() -> dict:
    """A changes report as the report builder hands it over."""
    return {
        "from": {"rev": "r1", "commit": "1" * 40, "label": "round r1 draft",
                 "date": "2026-11-01T10:00:00Z", "author": "Ada Facilitator"},
        "to": {"rev": "HEAD", "commit": "2" * 40, "label": "revised draft",
               "date": "2026-11-20T15:30:00Z", "author": "Bea Facilitator"},
        "stats": {"words_inserted": 16, "words_deleted": 11, "paragraphs_added": 1,
                  "paragraphs_deleted": 1, "paragraphs_moved": 1, "principles_added": 1,
                  "principles_removed": 1, "principles_modified": 2},
        "principles": [
            {"id": "P01", "title": "Public reporting", "old_title": None, "status": "modified",
             "ops": [
                 {"op": "equal", "text": "The report "},
                 {"op": "delete", "text": "annual"},
                 {"op": "insert", "text": "quarterly"},
                 {"op": "equal", "text": " public reporting.\n\nSecond paragraph stays."},
                 {"op": "insert", "text": "\n\nA new paragraph with <b>tags</b> & [a](http://x) | pipes."},
                 {"op": "equal", "text": "\n\n" + FRENCH},
                 {"op": "delete", "text": "\n\nAn old paragraph goes."},
             ]},
            {"id": "P02", "title": "Consent first", "old_title": "Consent", "status": "modified",
             "ops": [
                 {"op": "move", "role": "from", "pair": 0, "text": "Moved paragraph.\n\n"},
                 {"op": "equal", "text": "Consent must be free, prior and informed. " + UNICODE},
                 {"op": "move", "role": "to", "pair": 0, "text": "\n\nMoved paragraph."},
             ]},
            {"id": "P03", "title": "A new principle", "old_title": None, "status": "added",
             "ops": [{"op": "insert", "text": "Brand new text.\n\nSecond new paragraph."}]},
            {"id": "P04", "title": "An old principle", "old_title": None, "status": "removed",
             "ops": [{"op": "delete", "text": "Gone text."}]},
            {"id": "P05", "title": "Steady", "old_title": None, "status": "unchanged",
             "ops": [{"op": "equal", "text": "Nothing changes here. Ever."}]},
            {"id": "P06", "title": "Split and join", "old_title": None, "status": "modified",
             "ops": [
                 {"op": "equal", "text": "One sentence."},
                 {"op": "delete", "text": " "},
                 {"op": "insert", "text": "\n\n"},
                 {"op": "equal", "text": "Another sentence.\n\nThird part"},
                 {"op": "delete", "text": "\n\n"},
                 {"op": "insert", "text": " "},
                 {"op": "equal", "text": "joined."},
             ]},
        ],
        "comments": [
            {"id": "c1", "principle": "P01", "member": "Northern Data Trust",
             "quote": "annual public reporting", "new_quote": "quarterly public reporting",
             "fate": "modified", "stance": "amend", "text": "Make it quarterly.",
             "disposition": "accepted", "rationale": "Done.", "commit": "2" * 40},
            {"id": "c2", "principle": "P02", "member": None,
             "quote": "free, prior and informed", "new_quote": "free,  prior and\ninformed",
             "fate": "anchored", "stance": "support", "text": XSS,
             "disposition": None, "rationale": None, "commit": None},
            {"id": "c3", "principle": "P01", "member": "Advocacy Org", "quote": "gone words",
             "new_quote": None, "fate": "orphaned", "stance": "oppose", "text": "This was bad.",
             "disposition": "noted", "rationale": "Removed.", "commit": None},
            {"id": "c4", "principle": "P05", "member": "Secret Org", "quote": None,
             "new_quote": None, "fate": "unanchored", "stance": "neutral", "text": None,
             "disposition": None, "rationale": None, "commit": None},
            {"id": "c5", "principle": "P05", "member": "Conseil " + UNICODE, "quote": None,
             "new_quote": None, "fate": "unanchored", "stance": "support",
             "text": FRENCH + " \x00\x1b[31m", "disposition": None, "rationale": None,
             "commit": None},
        ],
    }


# ------------------------------------------------------------------ helpers


def _kind(op: dict) -> str:
    if op["op"] == "move":
        return "delete" if op["role"] == "from" else "insert"
    return op["op"]


def expected_revision_counts(data: dict) -> tuple[int, int]:
    """How many w:ins and w:del elements the docx must hold.

    The mapping: each insert op (and the "to" side of a move) gives one w:ins
    per paragraph it puts text in, plus one inserted paragraph mark per
    paragraph break inside it; deletions likewise with w:del. An added
    principle also has an inserted heading (run + mark) and an inserted mark
    on its last paragraph; a removed one the same with w:del; a changed title
    is one w:del (old) and one w:ins (new).
    """
    ins = dels = 0
    for p in data["principles"]:
        for op in p["ops"]:
            kind = _kind(op)
            if kind == "equal":
                continue
            pieces = op["text"].split("\n\n")
            n = sum(1 for piece in pieces if piece) + len(pieces) - 1
            if kind == "insert":
                ins += n
            else:
                dels += n
        if p["status"] == "added":
            ins += 3
        elif p["status"] == "removed":
            dels += 3
        elif p.get("old_title") and p["old_title"] != p["title"]:
            ins += 1
            dels += 1
    return ins, dels


def expected_text(data: dict, new: bool) -> str:
    """The whole principles part of one version, whitespace-normalised."""
    out = []
    for p in data["principles"]:
        if p["status"] == ("removed" if new else "added"):
            continue
        title = p["title"] if new or not p.get("old_title") else p["old_title"]
        out.append(f"{p['id']} — {title}")
        keep = "insert" if new else "delete"
        out.append("".join(op["text"] for op in p["ops"] if _kind(op) in ("equal", keep)))
    return " ".join(" ".join(out).split())


def expected_paragraphs(data: dict, new: bool) -> list[str]:
    """One version as a list of whitespace-normalised paragraphs, headings included."""
    out = []
    for p in data["principles"]:
        if p["status"] == ("removed" if new else "added"):
            continue
        title = p["title"] if new or not p.get("old_title") else p["old_title"]
        out.append(f"{p['id']} — {title}")
        keep = "insert" if new else "delete"
        text = "".join(op["text"] for op in p["ops"] if _kind(op) in ("equal", keep))
        out.extend(_norm(part) for part in text.split("\n\n") if part.strip())
    return out


def docx_parts(blob: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(blob)) as z:
        return {name: z.read(name) for name in z.namelist()}


def change_groups(document_xml: bytes) -> list[str]:
    """Tracked changes as a reader sees them: maximal runs of adjacent
    revisions of one kind (run-level ins/del and paragraph marks, in document
    order) with no untracked text or paragraph mark between them."""
    root = etree.fromstring(document_xml)
    tokens: list[str] = []
    for p in root.iter(f"{{{W}}}p"):
        for child in p:
            tag = etree.QName(child).localname
            if tag in ("ins", "del"):
                tokens.append(tag)
            elif tag == "r" and "".join(child.xpath(".//w:t/text()", namespaces=NS)):
                tokens.append("text")
        mark = p.xpath("./w:pPr/w:rPr/w:ins | ./w:pPr/w:rPr/w:del", namespaces=NS)
        tokens.append(etree.QName(mark[0]).localname if mark else "text")
    groups: list[str] = []
    prev = "text"
    for t in tokens:
        if t != "text" and t != prev:
            groups.append(t)
        prev = t
    return groups


def _norm(text: str) -> str:
    return " ".join(text.split())


# ------------------------------------------------------------------ dispatch and json


def test_unknown_format_is_a_usage_error():
    with pytest.raises(UsageError) as err:
        render_changes(sample(), "csv")
    assert err.value.exit_code == 2
    assert "format 'csv' is not available for this report" in err.value.message
    assert "docx" in err.value.hint


def test_json_round_trips_exactly():
    data = sample()
    out = render_changes(data, "json")
    assert isinstance(out, str)
    assert json.loads(out) == data
    assert UNICODE in out and FRENCH in out


def test_renderers_do_not_mutate_their_input():
    data = sample()
    before = copy.deepcopy(data)
    for fmt in ("terminal", "md", "html", "json", "docx"):
        render_changes(data, fmt)
    assert data == before


def test_version_text_rebuilds_both_versions():
    data = sample()
    for p in data["principles"]:
        new = _norm("".join(op["text"] for op in p["ops"] if _kind(op) in ("equal", "insert")))
        old = _norm("".join(op["text"] for op in p["ops"] if _kind(op) in ("equal", "delete")))
        assert _norm(version_text(p["ops"], new=True)) == new
        assert _norm(version_text(p["ops"], new=False)) == old


# ------------------------------------------------------------------ terminal


def test_terminal_redline_reads_without_colour():
    out = render_changes(sample(), "terminal", width=100)
    assert "\x1b" not in out
    assert "The report [-annual-]{+quarterly+} public reporting." in out
    assert "[moved from here: Moved paragraph.]" in out
    assert "[moved here: Moved paragraph.]" in out
    assert "{+A new paragraph with <b>tags</b> & [a](http://x) | pipes.+}" in out
    assert "[-An old paragraph goes.-]" in out
    assert "title: [-Consent-] {+Consent first+}" in out
    assert "{+¶+}" in out and "[-¶-]" in out  # P06: split and join
    for part in ("P03 — A new principle  [added]", "P04 — An old principle  [removed]",
                 "c1 Northern Data Trust (amend) — modified", "disposition: accepted — Done.",
                 "c3 Advocacy Org (oppose) — orphaned", "c2 Anonymous (support) — anchored",
                 "words inserted", "principles modified"):
        assert part in out, part
    assert UNICODE in out


def test_terminal_colour():
    out = render_changes(sample(), "terminal", color=True)
    assert "\x1b[" in out
    assert "\x00" not in out


def test_terminal_strips_escapes_from_comments():
    out = render_changes(sample(), "terminal")
    assert "\x1b" not in out and "\x00" not in out
    assert FRENCH in out


# ------------------------------------------------------------------ markdown


def _md_html(text: str) -> str:
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark").enable("table").enable("strikethrough").render(text)


def test_md_redline_and_escaping():
    out = render_changes(sample(), "md")
    assert "The report ~~annual~~**quarterly** public reporting." in out
    assert "<b>" not in out and "[a](" not in out
    rendered = _md_html(out)
    assert "<s>annual</s><strong>quarterly</strong>" in rendered
    assert "<a " not in rendered and "<b>" not in rendered and "<script" not in rendered
    assert "<img" not in rendered and "<svg" not in rendered
    assert "[moved from here]" in rendered and "[moved here]" in rendered
    assert "<s>Moved paragraph.</s>" in rendered and "<strong>Moved paragraph.</strong>" in rendered
    text = html.unescape(re.sub(r"<[^>]+>", "", rendered))
    assert "A new paragraph with <b>tags</b> & [a](http://x) | pipes." in text
    assert XSS in text
    for s in (FRENCH, UNICODE):
        assert s in out


def test_md_fates_table():
    out = render_changes(sample(), "md")
    lines = out[out.index("| Comment | Principle |"):].strip().splitlines()
    assert len(lines) == 2 + len(sample()["comments"])
    counts = {len(re.findall(r"(?<!\\)\|", ln)) for ln in lines}
    assert counts == {8}
    assert any("`c3`" in ln and "**orphaned**" in ln and "noted: Removed." in ln for ln in lines)
    assert any("`c1`" in ln and "(in `2222222222`)" in ln for ln in lines)


# ------------------------------------------------------------------ html


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags, self.text = [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))

    handle_startendtag = handle_starttag

    def handle_data(self, data):
        self.text.append(data)


def test_html_redline_is_inert_and_standalone():
    out = render_changes(sample(), "html")
    parser = _Tags()
    parser.feed(out)
    tags = [t for t, _ in parser.tags]
    assert "script" not in tags and "img" not in tags and "svg" not in tags
    for tag, attrs in parser.tags:
        for name, value in attrs:
            assert not name.startswith("on")
            assert "javascript:" not in (value or "")
            if name in ("href", "src"):
                assert not (value or "").startswith(("http:", "https:", "//"))
    assert '<html lang="en">' in out and "@media print" in out
    assert "<del>annual</del><ins>quarterly</ins>" in out
    assert 'class="move"' in out and "moved from here" in out
    text = html.unescape("".join(parser.text))
    assert XSS in text and UNICODE in text and FRENCH in text
    import lxml.html

    doc = lxml.html.document_fromstring(out)
    fates = doc.get_element_by_id("fates")
    assert fates.xpath("./caption") and fates.xpath(".//th[@scope='col']")
    assert len(fates.xpath("./tbody/tr")) == len(sample()["comments"])


# ------------------------------------------------------------------ docx: structure


@pytest.fixture(scope="module")
def docx_blob() -> bytes:
    out = render_changes(sample(), "docx")
    assert isinstance(out, bytes)
    return out


def test_docx_is_reproducible(docx_blob):
    assert render_changes(sample(), "docx") == docx_blob


def test_docx_tracked_changes(docx_blob):
    parts = docx_parts(docx_blob)
    root = etree.fromstring(parts["word/document.xml"])
    ins = root.xpath("//w:ins", namespaces=NS)
    dels = root.xpath("//w:del", namespaces=NS)
    assert (len(ins), len(dels)) == expected_revision_counts(sample())
    for el in ins + dels:
        assert el.get(f"{{{W}}}author") == "Bea Facilitator"
        assert el.get(f"{{{W}}}date") == "2026-11-20T15:30:00Z"
    # deleted text only in w:delText, inserted only in w:t
    assert not root.xpath("//w:del//w:t", namespaces=NS)
    assert not root.xpath("//w:ins//w:delText", namespaces=NS)
    assert root.xpath("//w:del/w:r/w:delText[@xml:space='preserve']", namespaces=NS)
    assert root.xpath("//w:ins/w:r/w:t[@xml:space='preserve']", namespaces=NS)
    assert root.xpath("//w:p/w:pPr/w:rPr/w:ins", namespaces=NS)  # inserted paragraph marks
    assert root.xpath("//w:p/w:pPr/w:rPr/w:del", namespaces=NS)  # deleted paragraph marks
    deleted = "".join(root.xpath("//w:del//w:delText/text()", namespaces=NS))
    assert "annual" in deleted and "An old paragraph goes." in deleted and "Consent" in deleted


def test_docx_ids_unique(docx_blob):
    parts = docx_parts(docx_blob)
    doc = etree.fromstring(parts["word/document.xml"])
    comments = etree.fromstring(parts["word/comments.xml"])
    rev_ids = [e.get(f"{{{W}}}id") for e in doc.xpath("//w:ins | //w:del", namespaces=NS)]
    comment_ids = [e.get(f"{{{W}}}id") for e in comments.xpath("//w:comment", namespaces=NS)]
    assert len(set(rev_ids)) == len(rev_ids)
    assert len(set(comment_ids)) == len(comment_ids)
    assert not set(rev_ids) & set(comment_ids)
    # every range marker and reference points at an existing comment
    for tag in ("commentRangeStart", "commentRangeEnd", "commentReference"):
        refs = [e.get(f"{{{W}}}id") for e in doc.xpath(f"//w:{tag}", namespaces=NS)]
        assert sorted(refs) == sorted(comment_ids), tag


def test_docx_track_revisions_setting_in_schema_order(docx_blob):
    settings = etree.fromstring(docx_parts(docx_blob)["word/settings.xml"])
    names = [etree.QName(c).localname for c in settings]
    assert "trackRevisions" in names
    i = names.index("trackRevisions")
    assert names.index("proofState") < i < names.index("defaultTabStop")


def test_docx_comments(docx_blob):
    parts = docx_parts(docx_blob)
    comments = etree.fromstring(parts["word/comments.xml"])
    doc = etree.fromstring(parts["word/document.xml"])
    by_author = {}
    for c in comments.xpath("//w:comment", namespaces=NS):
        text = "\n".join("".join(p.xpath(".//w:t/text()", namespaces=NS))
                         for p in c.xpath("./w:p", namespaces=NS))
        by_author[c.get(f"{{{W}}}author")] = (c.get(f"{{{W}}}id"), text)
    # the confidential comment (text None) is left out
    assert set(by_author) == {"Northern Data Trust", "Anonymous", "Advocacy Org",
                              "Conseil " + UNICODE}
    assert by_author["Advocacy Org"][1].startswith("[orphaned] This was bad.")
    assert XSS in by_author["Anonymous"][1]
    assert "Disposition: accepted — Done." in by_author["Northern Data Trust"][1]
    assert FRENCH in by_author["Conseil " + UNICODE][1]

    def anchored_text(cid: str) -> str:
        """Text between a comment's range markers, in the new version."""
        body = doc.find(f"{{{W}}}body")
        inside, out = False, []
        for el in body.iter():
            tag = etree.QName(el).localname
            if tag == "commentRangeStart" and el.get(f"{{{W}}}id") == cid:
                inside = True
            elif tag == "commentRangeEnd" and el.get(f"{{{W}}}id") == cid:
                break
            elif inside and tag == "t":
                out.append(el.text or "")
            elif inside and tag == "p":
                out.append(" ")
        return _norm("".join(out))

    assert anchored_text(by_author["Northern Data Trust"][0]) == "quarterly public reporting"
    assert anchored_text(by_author["Anonymous"][0]) == "free, prior and informed"
    assert anchored_text(by_author["Advocacy Org"][0]) == "P01 — Public reporting"  # heading
    assert anchored_text(by_author["Conseil " + UNICODE][0]) == "P05 — Steady"


def test_docx_survives_hostile_and_empty_input():
    data = sample()
    data["principles"][0]["ops"][2]["text"] = "quar\x00ter\x1bly\ud800 <w:t>"
    data["comments"].append({"id": "c9", "principle": "P99", "member": None, "quote": None,
                             "new_quote": None, "fate": "unanchored", "stance": "support",
                             "text": "on a principle not in this report", "disposition": None,
                             "rationale": None, "commit": None})
    blob = render_changes(data, "docx")
    parts = docx_parts(blob)
    assert "&lt;w:t&gt;" in parts["word/document.xml"].decode()
    assert "[P99] on a principle not in this report" in parts["word/comments.xml"].decode()
    empty = dict(data, principles=[], comments=[])
    empty["to"] = dict(empty["to"], commit=None, date=None, author=None)
    assert docx_parts(render_changes(empty, "docx"))["word/document.xml"]


# ------------------------------------------------------------------ docx: real clients


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice not installed")
def test_docx_in_libreoffice(docx_blob, tmp_path):
    src = tmp_path / "changes.docx"
    src.write_bytes(docx_blob)
    home = tmp_path / "home"
    home.mkdir()
    env = dict(os.environ, HOME=str(home))
    proc = subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{tmp_path / 'lo'}", "--headless",
         "--convert-to", "odt", "--outdir", str(tmp_path), str(src)],
        capture_output=True, text=True, timeout=120, env=env, check=False,
    )
    odt = tmp_path / "changes.odt"
    assert odt.exists(), proc.stdout + proc.stderr
    with zipfile.ZipFile(odt) as z:
        content = etree.fromstring(z.read("content.xml"))
    ns = {"text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
          "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0"}
    regions = content.xpath("//text:tracked-changes/text:changed-region", namespaces=ns)
    groups = change_groups(docx_parts(docx_blob)["word/document.xml"])
    assert len(regions) == len(groups)
    kinds = [("ins" if r.xpath("./text:insertion", namespaces=ns) else "del") for r in regions]
    assert sorted(kinds) == sorted(groups)
    annotations = content.xpath("//office:annotation", namespaces=ns)
    assert len(annotations) == sum(1 for c in sample()["comments"] if c["text"] is not None)


def _pandoc(blob: bytes, mode: str, tmp_path) -> str:
    src = tmp_path / f"{mode}.docx"
    src.write_bytes(blob)
    return subprocess.run(
        ["pandoc", f"--track-changes={mode}", "-f", "docx", "-t", "plain", "--wrap=none",
         str(src)],
        capture_output=True, text=True, timeout=120, check=True,
    ).stdout


@pytest.mark.skipif(shutil.which("pandoc") is None, reason="pandoc not installed")
@pytest.mark.parametrize("mode,new", [("accept", True), ("reject", False)])
def test_docx_in_pandoc(docx_blob, tmp_path, mode, new):
    out = _pandoc(docx_blob, mode, tmp_path)
    body = out[out.index("P01 —"):]
    assert _norm(body) == expected_text(sample(), new)
    paragraphs = [_norm(p) for p in body.split("\n\n") if p.strip()]
    assert paragraphs == expected_paragraphs(sample(), new)


# Small redlines with paragraph splits, joins, whole added and removed
# paragraphs next to each other: the cases where the paragraph marks matter.
PARAGRAPH_CASES = {
    "move-then-delete-then-insert": [("equal", "A a."), ("from", "\n\nB b."),
                                     ("delete", "\n\nC c."), ("insert", "\n\nD d.")],
    "move-then-delete": [("equal", "A a."), ("from", "\n\nB b."), ("delete", "\n\nC c."),
                         ("equal", "\n\nD d.")],
    "replace-last-paragraph": [("equal", "A a."), ("delete", "\n\nC c."), ("insert", "\n\nD d.")],
    "replace-middle-paragraph": [("equal", "A a.\n\n"), ("delete", "C c.\n\n"),
                                 ("insert", "D d.\n\n"), ("equal", "E e.")],
    "delete-two-paragraphs": [("equal", "A a."), ("delete", "\n\nB b.\n\nC c."),
                              ("insert", "\n\nD d.")],
    "word-change": [("equal", "A "), ("delete", "old"), ("insert", "new"), ("equal", " words.")],
    "new-first-paragraph": [("insert", "New first.\n\n"), ("equal", "A a.")],
    "insert-then-delete": [("equal", "A a."), ("insert", "\n\nD d."), ("delete", "\n\nC c.")],
    "split-and-join": [("equal", "One."), ("delete", " "), ("insert", "\n\n"),
                       ("equal", "Two.\n\nThree"), ("delete", "\n\n"), ("insert", " "),
                       ("equal", "four.")],
}


def _case(ops: list[tuple[str, str]]) -> dict:
    data = sample()
    built = []
    for kind, text in ops:
        if kind in ("from", "to"):
            built.append({"op": "move", "role": kind, "pair": 0, "text": text})
        else:
            built.append({"op": kind, "text": text})
    data["principles"] = [{"id": "P01", "title": "T", "old_title": None,
                           "status": "modified", "ops": built}]
    data["comments"] = []
    return data


@pytest.mark.skipif(shutil.which("soffice") is None or shutil.which("pandoc") is None,
                    reason="LibreOffice or pandoc not installed")
def test_docx_paragraph_marks_in_real_clients(tmp_path):
    names = list(PARAGRAPH_CASES)
    for name in names:
        (tmp_path / f"{name}.docx").write_bytes(render_changes(_case(PARAGRAPH_CASES[name]), "docx"))
    home = tmp_path / "home"
    home.mkdir()
    subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{tmp_path / 'lo'}", "--headless",
         "--convert-to", "odt", "--outdir", str(tmp_path),
         *[str(tmp_path / f"{n}.docx") for n in names]],
        capture_output=True, timeout=180, env=dict(os.environ, HOME=str(home)), check=False,
    )
    ns = {"text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0"}
    for name in names:
        data = _case(PARAGRAPH_CASES[name])
        blob = (tmp_path / f"{name}.docx").read_bytes()
        with zipfile.ZipFile(tmp_path / f"{name}.odt") as z:
            content = etree.fromstring(z.read("content.xml"))
        regions = content.xpath("//text:tracked-changes/text:changed-region", namespaces=ns)
        kinds = ["ins" if r.xpath("./text:insertion", namespaces=ns) else "del" for r in regions]
        assert kinds == change_groups(docx_parts(blob)["word/document.xml"]), name
        for mode, new in (("accept", True), ("reject", False)):
            out = _pandoc(blob, mode, tmp_path)
            assert _norm(out[out.index("P01 —"):]) == expected_text(data, new), (name, mode)
            # paragraph by paragraph: splits, joins and whole paragraphs land right
            got = [_norm(p) for p in out[out.index("P01 —"):].split("\n\n") if p.strip()]
            assert got == expected_paragraphs(data, new), (name, mode)
