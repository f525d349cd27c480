"""Text in any script round-trips byte for byte: comment, signature, verify, every report.

French (with its no-break spaces), Inuktitut syllabics, Arabic (right to left),
emoji (ZWJ sequences, skin tones, flags, variation selectors) and combining
accents (NFD, never normalised to NFC) go in through `coalition comment add`
and come out identical in the stored record, under `ssh-keygen -Y verify`, in
`verify`, and in the summary (terminal, md, html, json, csv) and changes
(terminal, md, html, json, docx) reports. And an HTML report built from
comments holding ``<script>`` and ``<img onerror>`` contains no live markup.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import unicodedata
import zipfile
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest

from coalition_cli import actions, records
from coalition_cli.model import now
from coalition_cli.render import render_changes, render_summary
from coalition_cli.reports import build_changes, build_summary
from coalition_cli.signing import PrivateKey
from coalition_cli.verify import verify

from conftest import Cli, Coalition, make_key

NFD_ACCENTS = unicodedata.normalize("NFD", "Été à Montréal : « déjà » réglé, naïve Zoë")
TEXTS = {
    "french": "Les données administratives doivent servir l’intérêt public\u00a0: "
              "«\u00a0rien sur nous sans nous\u00a0»\u202f!",
    "inuktitut": "ᐃᓄᐃᑦ ᓄᓇᖓᓐᓂ ᑎᑎᕋᐅᓯᖅ ᐱᔾᔪᑎᒋᔭᐅᔪᖅ ᓄᓇᕗᑦ",
    "arabic": "يجب أن تخدم البيانات الإدارية المجتمع أولاً ‏(المادة ٣)‏",
    "emoji": "👩🏽\u200d⚕️ 🏳️\u200d🌈 🇨🇦 ❤️ 🧑🏿\u200d🤝\u200d🧑🏻 data ✊🏾",
    "combining": NFD_ACCENTS + " — Ḁ̴̛ q̣̇ 각",
}
BODY = ("Les données servent le bien commun. ᐃᓄᐃᑦ ᓄᓇᖓᓐᓂ ᑎᑎᕋᐅᓯᖅ decide. "
        "يجب أن تخدم البيانات المجتمع. Consent 🤝 first. " + NFD_ACCENTS + ".")
HOSTILE = {
    "script": "<script>alert('xss')</script>",
    "img": '<img src=x onerror="alert(1)">',
    "md": "[click me](javascript:alert(1)) ![x](https://evil.invalid/x.png)",
    "attr": "\" onmouseover=\"alert(1)\" data-x=\"",
    "raw-html": "<iframe src=//evil.invalid></iframe><svg onload=alert(1)>",
}


def proposal(text: str) -> str:
    return f"{text} (bis)"


def assert_not_normalised() -> None:
    assert not unicodedata.is_normalized("NFC", TEXTS["combining"])


@pytest.fixture
def consulted(coalition: Coalition, tmp_path: Path) -> dict:
    """A round on a principle written in five scripts, and a comment in each of them."""
    assert_not_normalised()
    c = coalition
    sec = c.who("sec")
    key = make_key(tmp_path / "keys", "nunavut")
    c.keys["nunavut"] = key
    actions.member_add(c.agenda, sec, "nunavut", name="ᓄᓇᕗᑦ Ilinniarvik — Société d’Inuit",
                       sector="indigenous-led", roles=["member"],
                       keys=[(PrivateKey.load(key).public, "Aalasi ᐋᓚᓯ")])
    pid = actions.principle_add(c.agenda, sec, "Données — ᓄᓇᕗᑦ — البيانات 🤝", BODY).id
    actions.round_open(c.agenda, sec, "r1", title="Ronde ᐊᑕᐅᓯᖅ", closes=now() + timedelta(days=9))
    run = Cli(c.root)
    ids = {}
    quotes = {"french": "Les données servent", "inuktitut": "ᓄᓇᖓᓐᓂ ᑎᑎᕋᐅᓯᖅ",
              "arabic": "تخدم البيانات", "emoji": "Consent 🤝 first", "combining": NFD_ACCENTS}
    members = {"french": "health", "inuktitut": "nunavut", "arabic": "youth", "emoji": "fund",
               "combining": "sec"}
    for name, text in TEXTS.items():
        out = run("comment", "add", "-p", pid, "-s", "amend", "--text", text, "--quote", quotes[name],
                  "--propose", proposal(text),
                  "--key", c.key(members[name]), "--format", "json").stdout
        ids[name] = json.loads(out)
    return {"c": c, "pid": pid, "ids": ids, "quotes": quotes, "run": run}


def test_stored_bytes_are_the_typed_bytes(consulted: dict) -> None:
    c = consulted["c"]
    for name, text in TEXTS.items():
        written = consulted["ids"][name]
        data = (c.root / written["path"]).read_bytes()
        assert text.encode("utf-8") in data, name  # UTF-8 as typed, not \u escapes
        fields = records.parse_record(data, written["path"])
        assert fields["text"] == text
        assert fields["anchor"]["quote"] == consulted["quotes"][name]
        # and the blob git stores is the same
        blob = subprocess.run(["git", "show", f"HEAD:{written['path']}"], cwd=c.root,
                              capture_output=True, check=True).stdout
        assert blob == data


@pytest.mark.skipif(shutil.which("ssh-keygen") is None, reason="needs OpenSSH ssh-keygen")
def test_ssh_keygen_verifies_every_record(consulted: dict, tmp_path: Path) -> None:
    c, run = consulted["c"], consulted["run"]
    allowed = tmp_path / "allowed"
    allowed.write_text(run("member", "allowed-signers").stdout)
    for name, written in consulted["ids"].items():
        member = written["path"].split("/")[-2]
        proc = subprocess.run(["ssh-keygen", "-Y", "verify", "-f", str(allowed), "-I", member,
                               "-n", "coalition-cli", "-s", str(c.root / f"{written['path']}.sig")],
                              input=(c.root / written["path"]).read_bytes(), capture_output=True,
                              timeout=30)
        assert proc.returncode == 0, (name, proc.stderr)


def test_verify_and_comment_show_give_the_same_text(consulted: dict) -> None:
    c, run = consulted["c"], consulted["run"]
    run("verify")
    verified = verify(c.agenda)
    by_id = {rec.id: rec for _p, rec in verified.records["r1"]}
    for name, text in TEXTS.items():
        record_id = consulted["ids"][name]["id"]
        assert by_id[record_id].text == text
        shown = json.loads(run("comment", "show", record_id, "--format", "json").stdout)
        assert shown["text"] == text
        assert f"text: {text}" in run("comment", "show", record_id).stdout


def _html_text(html: str) -> str:
    class Text(HTMLParser):
        def __init__(self) -> None:
            super().__init__(convert_charrefs=True)
            self.parts: list[str] = []
            self.skip = 0

        def handle_starttag(self, tag: str, attrs: list) -> None:
            self.skip += tag in ("style", "script")

        def handle_endtag(self, tag: str) -> None:
            self.skip -= tag in ("style", "script") and self.skip > 0

        def handle_data(self, data: str) -> None:
            if not self.skip:
                self.parts.append(data)

    parser = Text()
    parser.feed(html)
    return "".join(parser.parts)


def _md_text(md: str) -> str:
    from markdown_it import MarkdownIt

    return _html_text(MarkdownIt("commonmark").enable("table").render(md))


def test_every_summary_format_round_trips(consulted: dict) -> None:
    c = consulted["c"]
    data = build_summary(c.agenda, verify(c.agenda), "r1")
    outputs = {fmt: render_summary(data, fmt) for fmt in ("json", "csv", "html", "md")}
    outputs["terminal"] = render_summary(data, "terminal", width=1000)

    rows = {r["id"]: r for r in json.loads(outputs["json"])["comments"]}
    table = {r["comment_id"]: r for r in csv.DictReader(io.StringIO(outputs["csv"].removeprefix("\ufeff")))}
    html_text, md_text = _html_text(outputs["html"]), _md_text(outputs["md"])
    for name, text in TEXTS.items():
        record_id = consulted["ids"][name]["id"]
        assert rows[record_id]["text"] == text, name
        assert table[record_id]["comment"] == text, name
        assert text in outputs["html"], name  # nothing to escape: the bytes themselves
        assert text in html_text, name
        assert text in md_text, name
        assert rows[record_id]["proposed_text"] == proposal(text), name
        assert table[record_id]["proposed_change"] == proposal(text), name
        for fmt in ("html", "md", "terminal"):  # the terminal shows amendments, not every text
            assert proposal(text) in {"html": html_text, "md": md_text}.get(fmt, outputs[fmt]), fmt
    # the member's name and the principle's title too
    for fmt in ("json", "csv", "html", "md", "terminal"):
        assert "ᓄᓇᕗᑦ Ilinniarvik — Société d’Inuit" in outputs[fmt], fmt
    assert "Données — ᓄᓇᕗᑦ — البيانات 🤝" in outputs["html"]


def test_every_changes_format_round_trips(consulted: dict) -> None:
    c = consulted["c"]
    new_body = BODY.replace("decide.", "ᓄᓇᕗᑦ decide 🇨🇦.").replace(
        "المجتمع", "المجتمع كله") + " " + TEXTS["combining"]
    actions.principle_edit(c.agenda, c.who("sec"), consulted["pid"], body=new_body)
    data = build_changes(c.agenda, "r1", "HEAD")
    [principle] = [p for p in data["principles"] if p["id"] == consulted["pid"]]
    old_side = "".join(op["text"] for op in principle["ops"] if op["op"] in ("equal", "delete"))
    new_side = "".join(op["text"] for op in principle["ops"] if op["op"] in ("equal", "insert"))
    assert old_side == BODY and new_side == new_body
    for op in principle["ops"]:  # no change starts inside a grapheme
        assert not unicodedata.combining(op["text"][0]), op
        assert op["text"][0] not in "\u200d\ufe0f\U0001f3fb\U0001f3fc\U0001f3fd\U0001f3fe\U0001f3ff", op

    outputs = {fmt: render_changes(data, fmt) for fmt in ("json", "html", "md")}
    outputs["terminal"] = render_changes(data, "terminal", width=1000)
    comments = {x["id"]: x for x in json.loads(outputs["json"])["comments"]}
    html_text, md_text = _html_text(outputs["html"]), _md_text(outputs["md"])
    for name, text in TEXTS.items():
        record_id = consulted["ids"][name]["id"]
        assert comments[record_id]["text"] == text, name
        assert text in html_text and text in md_text, name
        assert text in outputs["terminal"], name
    for piece in ("ᓄᓇᕗᑦ decide 🇨🇦", "كله"):
        assert piece in html_text and piece in outputs["terminal"]
    docx = render_changes(data, "docx")
    with zipfile.ZipFile(io.BytesIO(docx)) as z:
        xml = "".join(z.read(n).decode("utf-8") for n in z.namelist() if n.startswith("word/")
                      and n.endswith(".xml"))
    for name, text in TEXTS.items():
        assert _xml_text_contains(xml, text), name


def _xml_text_contains(xml: str, text: str) -> bool:
    """Word splits text into runs; join every w:t / w:delText and look for the text."""
    import re
    from html import unescape

    runs = re.findall(r"<w:(?:t|delText)(?: [^>]*)?>([^<]*)</w:(?:t|delText)>", xml)
    return text in unescape("".join(runs))


# --- an HTML report from hostile comments has no live markup ------------------------------------


class LiveMarkup(HTMLParser):
    """Collects everything in a page that a browser would run or load."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.scripts: list[str] = []
        self.handlers: list[tuple[str, str]] = []
        self.urls: list[str] = []
        self.tags: set[str] = set()
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        if tag == "script":
            self._in_script = True
        for name, value in attrs:
            if name.startswith("on"):
                self.handlers.append((tag, name))
            if name in ("href", "src", "action", "formaction", "xlink:href") and value:
                self.urls.append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.scripts.append(data)


def _live(html: str) -> LiveMarkup:
    parser = LiveMarkup()
    parser.feed(html)
    parser.close()
    return parser


def test_html_reports_from_hostile_comments_hold_no_live_markup(coalition: Coalition) -> None:
    c = coalition
    sec = c.who("sec")
    actions.round_open(c.agenda, sec, "r1", title="<b>Round</b>", closes=now() + timedelta(days=9))
    members = ["health", "youth", "fund", "sec", "health"]
    for (name, text), member in zip(HOSTILE.items(), members):
        actions.comment_add(c.agenda, c.who(member), principle="P01", stance="block",
                            text=f"{text} ({name})", propose=text,
                            quote="annual public reporting")
    actions.member_add(c.agenda, sec, "youth", name="<img src=x onerror=alert(2)>",
                       sector="advocacy", roles=["member"], keys=[])
    verified = verify(c.agenda)
    assert verified.ok
    summary = render_summary(build_summary(c.agenda, verified, "r1"), "html")
    actions.principle_edit(c.agenda, sec, "P01",
                           body="Data reuse <script>alert(3)</script> serves the community.")
    changes = render_changes(build_changes(c.agenda, "r1", "HEAD"), "html")
    for html in (summary, changes):
        live = _live(html)
        assert live.handlers == [], live.handlers
        assert not any(u.strip().lower().startswith(("javascript:", "data:", "//", "http"))
                       for u in live.urls), live.urls
        # the reports draw charts with inline SVG, and never use these
        assert not live.tags & {"img", "iframe", "object", "embed", "form", "base", "frame",
                                "link"}, live.tags
        assert all("alert" not in s for s in live.scripts), live.scripts
        # the text is there, shown as text
        text = _html_text(html)
        assert "<script>alert('xss')</script>" in text or "<script>alert(3)</script>" in text
    assert '<img src=x onerror="alert(1)">' in _html_text(summary)


def test_markdown_reports_escape_hostile_comments(coalition: Coalition) -> None:
    c = coalition
    actions.round_open(c.agenda, c.who("sec"), "r1", title="Round", closes=now() + timedelta(days=9))
    for (name, text), member in zip(HOSTILE.items(), ["health", "youth", "fund", "sec", "health"]):
        actions.comment_add(c.agenda, c.who(member), principle="P01", stance="block",
                            text=f"{text} ({name})")
    md = render_summary(build_summary(c.agenda, verify(c.agenda), "r1"), "md")
    from markdown_it import MarkdownIt

    html = MarkdownIt("commonmark").render(md)  # html option off: what GitHub-like viewers do
    html_on = MarkdownIt("commonmark", {"html": True}).render(md)  # and a viewer that passes HTML
    for rendered in (html, html_on):
        live = _live(rendered)
        assert live.handlers == [] and live.scripts == []
        assert not any(u.lower().startswith("javascript:") for u in live.urls), live.urls
        assert not live.tags & {"img", "iframe", "svg", "script"}, live.tags

