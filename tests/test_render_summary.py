"""Renderers of the consultation summary: terminal, md, html, json, csv.

Comment text is hostile input: every format must show it as text and never
let it become markup, links, script, table cells or spreadsheet formulas.
"""

from __future__ import annotations

import marshal

import copy
import csv
import html
import io
import json
import os
import re
import shutil
import subprocess
from html.parser import HTMLParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coalition_cli.errors import UsageError
from coalition_cli.render import render_summary
from coalition_cli.render._common import md_inline, one_line
from coalition_cli.render.summary_csv import COLUMNS

FRENCH = "Les données autochtones appartiennent à leurs communautés — « OCAP » !"
INUKTITUT = "ᐃᓄᒃᑎᑐᑦ ᐊᑐᐃᓐᓇᕆᐊᖃᖅᑐᖅ"
ARABIC = "مرحبا بالعالم"
EMOJI = "🌍🤝🏽"
COMBINING = "de\u0301cision"  # e + combining acute, not the precomposed é
UNICODE_SAMPLES = [FRENCH, INUKTITUT, ARABIC, EMOJI, COMBINING]

XSS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '"><svg onload=alert(1)>',
    "<a href=\"javascript:alert(1)\">click</a>",
    "<style>body{background:url(https://evil.example/x.png)}</style>",
]
MD_ATTACK = "| x | [link](http://evil) <b>"


def sample(**over) -> dict:
    """A summary as the report builder hands it over."""
    data = {
        "coalition": "Admin Data Coalition",
        "round": {"id": "r1", "title": "First draft", "status": "closed",
                  "opened_at": "2026-11-01T10:00:00Z", "closes_at": "2026-11-20T17:00:00Z",
                  "draft": "a" * 40},
        "stances": ["support", "amend", "neutral", "oppose", "block"],
        "participation": {"members": 10, "responded": 7, "by_sector": {
            "funder": {"members": 2, "responded": 1},
            "indigenous-led": {"members": 3, "responded": 3},
            "advocacy": {"members": 5, "responded": 3}}},
        "principles": [
            {"id": "P01", "title": "Public reporting", "comments": 4,
             "stances": {"support": 3, "amend": 1, "neutral": 0, "oppose": 0, "block": 0},
             "support_share": 1.0, "status": "consensus",
             "amendments": [{"comment": "c1", "member": "Northern Data Trust",
                             "quote": "annual public reporting",
                             "proposed_text": "quarterly public reporting"}],
             "blocks": [],
             "quotes": [{"comment": "c2", "member": None, "stance": "support", "quote": None,
                         "text": XSS[0], "attribution": "anonymous"},
                        {"comment": "c5", "member": "Conseil", "stance": "support",
                         "quote": None, "text": " ".join(UNICODE_SAMPLES),
                         "attribution": "public"}]},
            {"id": "P02", "title": "Consent", "comments": 3,
             "stances": {"support": 1, "amend": 0, "neutral": 1, "oppose": 0, "block": 1},
             "support_share": 0.5, "status": "blocked", "amendments": [],
             "blocks": [{"comment": "c3", "member": "First Nations Data Centre",
                         "text": XSS[1]},
                        {"comment": "c6", "member": None, "text": None}],
             "quotes": [{"comment": "c4", "member": "Advocacy Org", "stance": "neutral",
                         "quote": XSS[2], "text": XSS[3], "attribution": "public"},
                        {"comment": "c7", "member": None, "stance": "oppose", "quote": None,
                         "text": None, "attribution": "confidential"}]},
            {"id": "P03", "title": "Silence", "comments": 0,
             "stances": {"support": 0, "amend": 0, "neutral": 0, "oppose": 0, "block": 0},
             "support_share": None, "status": "no-quorum",
             "amendments": [], "blocks": [], "quotes": []},
        ],
        "comments": [
            {"id": "c1", "member": "Northern Data Trust", "sector": "funder", "principle": "P01",
             "quote": "annual public reporting", "kind": "substantive", "stance": "amend",
             "text": "=HYPERLINK(\"http://evil\",\"x\")", "proposed_text": "+1 quarterly",
             "attribution": "public", "disposition": "accepted", "rationale": "-done",
             "endorsed_by": 2},
            {"id": "c2", "member": None, "sector": "advocacy", "principle": "P01", "quote": None,
             "kind": "general", "stance": "support", "text": XSS[0], "proposed_text": None,
             "attribution": "anonymous", "disposition": None, "rationale": None,
             "endorsed_by": 0},
            {"id": "c3", "member": "First Nations Data Centre", "sector": "indigenous-led",
             "principle": "P02", "quote": "@consent", "kind": "editorial", "stance": "block",
             "text": "line one\nline two, \"quoted\"", "proposed_text": None,
             "attribution": "public", "disposition": "noted", "rationale": "\t=cmd",
             "endorsed_by": 1},
            {"id": "c5", "member": "Conseil", "sector": "network", "principle": "P01",
             "quote": None, "kind": "general", "stance": "support",
             "text": " ".join(UNICODE_SAMPLES), "proposed_text": None,
             "attribution": "public", "disposition": None, "rationale": None, "endorsed_by": 0},
            {"id": "c7", "member": None, "sector": "funder", "principle": "P02", "quote": None,
             "kind": "general", "stance": "oppose", "text": None, "proposed_text": None,
             "attribution": "confidential", "disposition": None, "rationale": None,
             "endorsed_by": 0},
        ],
        "dispositions": {"answered": 2, "awaiting": 3, "awaiting_ids": ["c2", "c5", "c7"]},
        "clusters": [{"size": 3, "comments": ["c8", "c9", "c10"], "sample": MD_ATTACK}],
        "integrity": {"verified": 120, "excluded": 1},
        "excluded": [{"path": "agenda/rounds/r1/comments/x/y.yaml", "problem": "bad-signature",
                      "detail": "signature does not verify"}],
        "generated_from": "b" * 40,
        "generated_at": "2026-11-25T12:00:00Z",
    }
    data.update(over)
    return data


def hostile_sample() -> dict:
    """Every free-text field carries an attack."""
    data = sample()
    p1, p2 = data["principles"][0], data["principles"][1]
    p1["title"] = XSS[1]
    p1["amendments"][0]["quote"] = XSS[2]
    p1["amendments"][0]["proposed_text"] = XSS[3]
    p1["amendments"][0]["member"] = XSS[0]
    p2["blocks"][0]["text"] = XSS[4]
    data["round"]["title"] = XSS[2]
    data["coalition"] = XSS[0]
    data["clusters"][0]["sample"] = XSS[1]
    data["excluded"][0]["detail"] = XSS[0]
    data["stances"] = data["stances"]  # stance names come from coalition.yaml
    return data


# ------------------------------------------------------------------ dispatch


def test_unknown_format_is_a_usage_error():
    with pytest.raises(UsageError) as err:
        render_summary(sample(), "pdf")
    assert err.value.exit_code == 2
    assert "format 'pdf' is not available for this report" in err.value.message
    assert "terminal" in err.value.hint and "csv" in err.value.hint


@pytest.mark.parametrize("fmt", ["terminal", "md", "html", "json", "csv"])
def test_every_format_returns_text(fmt):
    out = render_summary(sample(), fmt)
    assert isinstance(out, str) and out


def test_renderers_do_not_mutate_their_input():
    data = sample()
    before = copy.deepcopy(data)
    for fmt in ("terminal", "md", "html", "json", "csv"):
        render_summary(data, fmt)
    assert data == before


# ------------------------------------------------------------------ json


def test_json_round_trips_exactly():
    data = sample()
    out = render_summary(data, "json")
    assert json.loads(out) == data
    assert list(json.loads(out)) == list(data)  # key order kept
    for text in UNICODE_SAMPLES:
        assert text in out  # ensure_ascii=False: characters, not \\u escapes


# ------------------------------------------------------------------ csv


def _csv_rows(out: str) -> list[list[str]]:
    assert out.startswith("\ufeff")  # UTF-8 byte-order mark: Excel reads the accents right
    return list(csv.reader(io.StringIO(out[1:], newline="")))


def test_csv_columns_and_rows():
    out = render_summary(sample(), "csv")
    rows = _csv_rows(out)
    assert rows[0] == COLUMNS == [
        "comment_id", "member", "sector", "principle", "quote", "type_of_comment",
        "type_of_comment_label", "stance", "comment", "proposed_change", "attribution",
        "disposition", "disposition_label", "observations", "implemented_in", "acknowledgement",
        "endorsements"]
    assert len(rows) == 1 + len(sample()["comments"])
    assert all(len(r) == len(COLUMNS) for r in rows)
    by_id = {r[0]: dict(zip(COLUMNS, r)) for r in rows[1:]}
    assert by_id["c1"]["type_of_comment"] == "te"
    assert by_id["c1"]["type_of_comment_label"] == "technical (substantive)"
    assert by_id["c3"]["type_of_comment_label"] == "editorial"
    assert by_id["c2"]["type_of_comment"] == "ge"
    assert by_id["c3"]["type_of_comment"] == "ed"
    assert by_id["c2"]["member"] == ""  # anonymous
    assert by_id["c7"]["comment"] == ""  # confidential: no text
    assert by_id["c3"]["comment"] == 'line one\nline two, "quoted"'  # newlines survive quoting
    assert by_id["c1"]["disposition"] == "accepted"
    assert by_id["c1"]["disposition_label"] == "Accepted"


def test_csv_neutralises_formulas():
    rows = {r[0]: dict(zip(COLUMNS, r)) for r in _csv_rows(render_summary(sample(), "csv"))[1:]}
    assert rows["c1"]["comment"] == "'=HYPERLINK(\"http://evil\",\"x\")"
    assert rows["c1"]["proposed_change"] == "'+1 quarterly"
    assert rows["c1"]["observations"] == "'-done"
    assert rows["c3"]["quote"] == "'@consent"
    assert rows["c3"]["observations"] == "'\t=cmd"
    for row in rows.values():
        for cell in row.values():
            assert not cell.lstrip().startswith(("=", "+", "-", "@")), cell


def test_csv_unicode_byte_for_byte():
    out = render_summary(sample(), "csv")
    row = {r[0]: dict(zip(COLUMNS, r)) for r in _csv_rows(out)[1:]}["c5"]
    assert row["comment"] == " ".join(UNICODE_SAMPLES)
    assert row["comment"].encode("utf-8") == " ".join(UNICODE_SAMPLES).encode("utf-8")


# ------------------------------------------------------------------ markdown


def _md_html(text: str) -> str:
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark").enable("table").enable("strikethrough").render(text)


def test_md_escapes_table_cells_links_and_html():
    data = sample()
    data["principles"][0]["title"] = MD_ATTACK
    data["principles"][0]["quotes"][0]["text"] = MD_ATTACK
    out = render_summary(data, "md")
    assert "<b>" not in out
    assert "](http://evil)" not in out.replace("\\]", "")  # no live [text](url)
    assert "[link](" not in out
    rendered = _md_html(out)
    assert "<a " not in rendered and "<b>" not in rendered and "<script" not in rendered
    assert "<img" not in rendered and "<svg" not in rendered
    # the principles table keeps its column count in every row
    table = [ln for ln in out.splitlines() if ln.startswith("| ID |")][0]
    block = out[out.index(table):].split("\n\n")[0].splitlines()
    cells = [len(re.findall(r"(?<!\\)\|", ln)) for ln in block]
    assert len(set(cells)) == 1, block
    # and the user text is still there, as text
    assert html.unescape(re.sub(r"<[^>]+>", "", rendered)).count("| x | [link](http://evil) <b>") >= 2


def test_md_hostile_everywhere():
    out = render_summary(hostile_sample(), "md")
    rendered = _md_html(out)
    for tag in ("<script", "<img", "<svg", "<style", "<a "):
        assert tag not in rendered
    assert "<script>alert(1)</script>" in html.unescape(re.sub(r"<[^>]+>", "", rendered))


def test_md_structure():
    out = render_summary(sample(), "md")
    assert out.startswith("# Consultation summary")
    for heading in ("## Participation", "## Principles", "### P01", "#### Proposed amendments",
                    "#### Blocks", "## Dispositions", "## Near-identical comments",
                    "## Integrity"):
        assert heading in out
    assert "> *Replace:* annual public reporting" in out
    assert "> *With:* quarterly public reporting" in out
    # a block with no text is a stance only, not something hidden; a confidential one says so
    assert "*No text: the member gave a stance only.*" in out
    assert "Confidential comment (comment `c7`)" in out
    assert "*Confidential: counted in the figures; its text is shared with the facilitators only.*" in out
    assert "not published" not in out
    assert "| P03 | Silence | 0 | 0 | 0 | 0 | 0 | 0 | — | no-quorum |" in out
    assert "b" * 40 in out


def test_md_unicode_byte_for_byte():
    out = render_summary(sample(), "md")
    for text in UNICODE_SAMPLES:
        assert text in out
    assert "e\u0301" in out and "\u00e9cision" not in out  # not normalised to NFC


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_md_inline_is_inert_and_lossless(text):
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark").enable("table").enable("strikethrough")
    out = md.renderInline(md_inline(text))
    assert not re.search(r"<[A-Za-z/]", out), out
    assert html.unescape(out) == one_line(text)


@settings(max_examples=150, deadline=None)
@given(st.text())
def test_md_inline_keeps_table_cells(text):
    out = _md_html(f"| a | b |\n| --- | --- |\n| {md_inline(text) or ' '} | z |\n")
    body = out.split("<tbody>")[1] if "<tbody>" in out else ""
    assert body.count("<td>") == 2, out


# ------------------------------------------------------------------ html


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, attrs))

    def handle_data(self, data):
        self.text.append(data)


def _parse(out: str) -> _Collector:
    c = _Collector()
    c.feed(out)
    c.close()
    return c


def _assert_inert(out: str) -> _Collector:
    parsed = _parse(out)
    tags = [t for t, _ in parsed.tags]
    assert "script" not in tags
    assert "img" not in tags and "iframe" not in tags and "object" not in tags
    assert tags.count("svg") == 1  # ours, not the injected one
    assert tags.count("style") == 1  # ours
    for tag, attrs in parsed.tags:
        for name, value in attrs:
            assert not name.lower().startswith("on"), (tag, name)
            assert "javascript:" not in (value or "").lower(), (tag, name, value)
            if name.lower() in ("href", "src", "xlink:href", "action", "formaction", "style"):
                assert "http:" not in (value or "") and "https:" not in (value or "")
                assert "url(" not in (value or "")
    # lxml agrees (a stricter, different parser)
    import lxml.html

    doc = lxml.html.document_fromstring(out)
    assert not doc.xpath("//script")
    assert not [el for el in doc.iter() if isinstance(el.tag, str)
                and any(a.lower().startswith("on") for a in el.attrib)]
    return parsed


def test_html_is_inert_with_hostile_comments():
    out = render_summary(hostile_sample(), "html")
    parsed = _assert_inert(out)
    text = "".join(parsed.text)
    for attack in XSS:
        assert attack in text  # shown as text, not dropped


def test_html_standalone_accessible_printable():
    data = sample()
    data["clusters"][0]["sample"] = "Please add a clause on data destruction."  # no URL in data
    out = render_summary(data, "html")
    _assert_inert(out)
    assert out.startswith("<!DOCTYPE html>")
    assert '<html lang="en">' in out
    assert "http://" not in out and "https://" not in out  # no external reference at all
    assert "<link" not in out and "@import" not in out
    assert "@media print" in out
    assert "Content-Security-Policy" in out
    import lxml.html

    doc = lxml.html.document_fromstring(out)
    table = doc.get_element_by_id("principles")
    assert table.tag == "table"
    assert table.xpath("./caption")
    assert table.xpath(".//th[@scope='col']") and table.xpath(".//th[@scope='row']")
    rows = table.xpath("./tbody/tr")
    assert [r.xpath("./th")[0].text_content() for r in rows] == ["P01", "P02", "P03"]
    headers = [th.text_content() for th in table.xpath("./thead/tr/th")]
    assert headers[3:8] == ["Support", "Amend", "Neutral", "Oppose", "Block"]
    assert rows[0].xpath("./td")[-2].text_content() == "100%"
    assert rows[2].xpath("./td")[-2].text_content() == "—"
    # the chart: inline svg with an accessible name and per-bar titles
    svg = doc.xpath("//svg")[0]
    assert svg.get("role") == "img"
    ids = svg.get("aria-labelledby").split()
    assert [doc.get_element_by_id(i).tag for i in ids] == ["title", "desc"]
    assert "P02: support 1, amend 0, neutral 1, oppose 0, block 1." in svg.xpath("./desc")[0].text
    assert len(svg.xpath(".//rect")) == 2 + 3  # one per non-zero stance: P01 two, P02 three
    assert all(r.xpath("./title") for r in svg.xpath(".//rect"))


def test_html_unicode_round_trip():
    out = render_summary(sample(), "html")
    text = html.unescape("".join(_parse(out).text))
    for sample_text in UNICODE_SAMPLES:
        assert sample_text in text
        assert sample_text in out  # as characters, not even entities


def test_html_detail_respects_attribution():
    out = render_summary(sample(), "html")
    text = " ".join("".join(_parse(out).text).split())
    assert "Anonymous" in text
    assert "No text: the member gave a stance only." in text
    assert "Confidential comment · oppose" in text and "shared with the facilitators only" in text
    assert "not published" not in text


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"]


@pytest.mark.skipif(_chromium() is None, reason="chromium not installed")
def test_html_in_headless_chromium(tmp_path):
    page = tmp_path / "summary.html"
    page.write_text(render_summary(hostile_sample(), "html"), encoding="utf-8")
    env = dict(os.environ, HOME=str(tmp_path))
    shot = tmp_path / "shot.png"
    subprocess.run(
        [_chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}",
         f"--screenshot={shot}", "--window-size=1200,1600", page.as_uri()],
        capture_output=True, timeout=120, env=env, check=False,
    )
    assert shot.exists() and shot.stat().st_size > 10_000
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    dom = subprocess.run(
        [_chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile2'}",
         "--dump-dom", page.as_uri()],
        capture_output=True, timeout=120, env=env, text=True, check=False,
    ).stdout
    assert 'id="principles"' in dom
    assert "<svg" in dom
    import lxml.html

    doc = lxml.html.document_fromstring(dom)  # the DOM as the browser built it
    assert not doc.xpath("//script | //img | //iframe")
    assert len(doc.xpath("//svg")) == 1
    assert not [el for el in doc.iter() if isinstance(el.tag, str)
                and any(a.lower().startswith("on") for a in el.attrib)]


# ------------------------------------------------------------------ terminal


def test_the_brief_a_summary_is_read_back_as_renders_as_the_whole_one():
    """A warm terminal summary reads only the summary's brief (``summary_parts.brief``):
    every list cut to what the terminal shows, with the lengths they had. Rendered, it is
    the whole summary's report, "… and N more" included, on either side of every cut."""
    from coalition_cli.reports.summary_parts import SHOWN, brief

    for many in (SHOWN - 1, SHOWN, SHOWN + 1, 3 * SHOWN):
        data = sample()
        p1, p2 = data["principles"][:2]
        p1["amendments"] = [dict(p1["amendments"][0], comment=f"a{i}") for i in range(many)]
        p2["blocks"] = [dict(p2["blocks"][0], comment=f"b{i}") for i in range(many // 2)]
        data["principles"][2]["blocks"] = [dict(p2["blocks"][0], comment=f"d{i}")
                                           for i in range(many)]
        data["unresolved"] = [{"principle": "P02", "comment": f"u{i}", "member": "M",
                               "attribution": "public", "why": "block", "disposition": None}
                              for i in range(many)]
        data["dispositions"] = {"answered": 1, "awaiting": many,
                                "awaiting_ids": [f"w{i}" for i in range(many)]}
        data["clusters"] = [{"size": 3 + i, "comments": [f"k{i}-{j}" for j in range(3 + i)],
                             "sample": f"text {i}"} for i in range(many)]
        whole = dict(data, comments=None)
        short = marshal.loads(marshal.dumps(brief(whole)))
        assert len(marshal.dumps(short)) < len(marshal.dumps(whole)) or many < SHOWN
        for width in (60, 100):
            assert render_summary(short, "terminal", width=width) \
                == render_summary(whole, "terminal", width=width), (many, width)


def test_terminal_plain_has_no_escapes_and_all_sections():
    out = render_summary(sample(), "terminal", width=100)
    assert "\x1b" not in out
    for part in ("Participation: 7 of 10 voting members responded (70%)", "Principles",
                 "P01", "Public reporting", "consensus", "blocked", "no-quorum",
                 "Dispositions: 2 answered, 3 awaiting", "awaiting: c2, c5, c7",
                 "Near-identical comments", "Integrity: 120 records verified, 1 excluded",
                 "bad-signature", "Generated from " + "b" * 40):
        assert part in out, part
    assert max(len(line) for line in out.splitlines()) <= 100


def test_terminal_shows_markup_literally_and_strips_terminal_escapes():
    data = sample()
    data["principles"][1]["blocks"][0]["text"] = "[bold red]x[/] \x1b]0;pwned\x07\x1b[31m red"
    out = render_summary(data, "terminal")
    assert "[bold red]x[/]" in out
    assert "\x1b" not in out and "\x07" not in out


def test_terminal_colour_uses_ansi():
    out = render_summary(sample(), "terminal", color=True)
    assert "\x1b[" in out


@pytest.mark.parametrize("width", [60, 80, 120])
def test_terminal_respects_width(width):
    out = render_summary(sample(), "terminal", width=width)
    assert max(len(line) for line in out.splitlines()) <= width


def test_empty_summary_renders_everywhere():
    data = sample(principles=[], comments=[], clusters=[], excluded=[],
                  participation={"members": 0, "responded": 0, "by_sector": {}})
    for fmt in ("terminal", "md", "html", "json", "csv"):
        assert render_summary(data, fmt)
