"""The complete summary and the "what we heard / what we did" report, on a real round.

The round is built once for this module through the library: public, anonymous and
confidential comments, an endorsement, a block, a maintained objection, a comment with no
text, a bidirectional override in a comment, an extension, answers with a commit, and one
record that fails verification. The report data is built once and rendered by every format;
each format is then checked for what it must show and for what it must never show.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest

from coalition_cli import actions
from coalition_cli.model import now
from coalition_cli.render import render_report, render_summary
from coalition_cli.reports import build_report, build_summary
from coalition_cli.signing import PrivateKey, generate_key
from coalition_cli.verify import verify

from conftest import Cli

ANON_TEXT = "Anonymous voices matter. Small agencies cannot say this in public. Please hear it."
ANON_PROPOSAL = "Data reuse must serve the community first and foremost."
SECRET = "Our clients in the diversion program fear being identified"
SECRET_PROPOSAL = "never shared with police"
BIDI = "We block this \u202eworded passage\u202c until it changes. Indigenous governance first."
PUBLIC_TEXT = ("Data reuse must serve the community. We support this principle as drafted, "
               "and we will apply it to our own projects.")
ANON_P03 = "This principle reads well but lacks teeth for small members."
MEMBERS = {  # id -> (name, sector)
    "health": ("Health Org", "service-provider"),
    "youth": ("Youth Voices Collective", "advocacy"),
    "fund": ("Fund Org", "funder"),
    "kin": ("Kin Circle", "indigenous-led"),
    "uni": ("Quiet University Centre", "research"),
}
PRIVATE = ("youth", "uni")  # their comments are anonymous or confidential


class _Clock:
    """A clock that moves a minute at every reading: submission times never tie, so the
    order of comments (and the golden files) does not depend on random record ids."""

    def __init__(self) -> None:
        self.t = now().replace(microsecond=0)

    def __call__(self):  # noqa: ANN204
        self.t += timedelta(minutes=1)
        return self.t


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> dict:
    home = tmp_path_factory.mktemp("report-home")
    gitconfig = home / ".gitconfig"
    gitconfig.write_text("[user]\n\tname = Test Runner\n\temail = runner@example.invalid\n"
                         "[init]\n\tdefaultBranch = main\n[commit]\n\tgpgsign = false\n",
                         encoding="utf-8")
    with pytest.MonkeyPatch.context() as mp:
        for name in list(os.environ):
            if name.startswith(("COALITION_", "GIT_")):
                mp.delenv(name, raising=False)
        mp.setenv("HOME", str(home))
        mp.setenv("GIT_CONFIG_GLOBAL", str(gitconfig))
        mp.setenv("GIT_CONFIG_NOSYSTEM", "1")
        mp.setattr(actions._write, "now", _Clock())
        return _build(tmp_path_factory.mktemp("report"))


def _build(tmp: Path) -> dict:
    from coalition_cli.identity import Identity

    keys = tmp / "keys"
    keys.mkdir()

    def key(name: str) -> PrivateKey:
        generate_key(keys / name, None, comment=name)
        return PrivateKey.load(keys / name)

    sec_key = key("sec")
    agenda, _ = actions.init(tmp / "repo", name="Test Coalition", facilitator="sec",
                             facilitator_name="Secretariat", key=sec_key, person="Maya")
    private: dict[str, PrivateKey] = {"sec": sec_key}

    def who(member: str) -> Identity:
        m = agenda.snapshot().member(member)
        k = private[member]
        return Identity(m, k, next(e for e in m.keys if e.key == k.public.openssh))

    sec = who("sec")
    for mid, (name, sector) in MEMBERS.items():
        private[mid] = key(mid)
        actions.member_add(agenda, sec, mid, name=name, sector=sector, roles=["member"],
                           keys=[(private[mid].public, None)])
    for title, body in (
        ("Community benefit", "Data reuse must serve the community.\n\nThe coalition commits "
                              "to annual public reporting on every agreement."),
        ("Indigenous data", "Indigenous peoples govern data about them.\n\nThe data steward "
                            "may approve a project after consultation."),
        ("Capacity", "Small organisations get support."),
    ):
        actions.principle_add(agenda, sec, title, body)
    closes = now() + timedelta(days=30)
    actions.round_open(agenda, sec, "r1", title="Round one", closes=closes)
    actions.round_extend(agenda, sec, "r1", closes + timedelta(days=7))
    add = lambda m, **kw: actions.comment_add(agenda, who(m), round_id="r1", **kw).id  # noqa: E731
    ids = {
        "public": add("health", principle="P01", stance="support", text=PUBLIC_TEXT,
                      quote="Data reuse must serve the community."),
        "anon": add("youth", principle="P01", stance="amend", text=ANON_TEXT,
                    propose=ANON_PROPOSAL, attribution="anonymous"),
        "block": add("kin", principle="P02", stance="block", text=BIDI,
                     quote="The data steward may approve a project after consultation.",
                     propose="The project waits for Indigenous governance."),
        "secret": add("uni", principle="P02", stance="amend", text=SECRET,
                      propose=SECRET_PROPOSAL, attribution="confidential"),
        "silent": add("fund", principle="P03", stance="support", text=None),
        "anon3": add("youth", principle="P03", stance="oppose", text=ANON_P03,
                     attribution="anonymous"),
    }
    actions.comment_endorse(agenda, who("fund"), ids["public"])
    actions.round_close(agenda, sec, "r1")
    revised = actions.principle_edit(
        agenda, sec, "P02", body="Indigenous peoples govern data about them.\n\nThe project "
                                 "waits until Indigenous governance has decided.").commit
    answers = {"public": ("noted", "Thank you."), "anon": ("not-accepted", "Kept as drafted."),
               "block": ("accepted", "The steward paragraph is replaced."),
               "secret": ("noted", "Discussed with the member in confidence."),
               "silent": ("noted", "Recorded."), "anon3": ("out-of-scope", "For round two.")}
    for ref, (disp, why) in answers.items():
        actions.respond(agenda, sec, ids[ref], disposition=disp, rationale=why,
                        commit=revised if disp == "accepted" else None)
    actions.comment_ack(agenda, who("health"), ids["public"], "satisfied")
    actions.comment_ack(agenda, who("youth"), ids["anon"], "maintains-objection")
    # a record that fails verification, in a private member's folder
    bogus = agenda.path / "rounds" / "r1" / "comments" / "youth" / "0123456789abcdef.yaml"
    bogus.write_text('v: 1\ntype: "comment"\nid: "0123456789abcdef"\n', encoding="utf-8")
    agenda.git.run("add", str(bogus))
    agenda.git.run("commit", "-qm", "an unsigned record")
    verified = verify(agenda)
    summary = build_summary(agenda, verified, "r1")
    report = build_report(agenda, verified, "r1")
    coalition = build_report(agenda, verified, "r1", audience="coalition")
    return {"agenda": agenda, "ids": ids, "verified": verified, "summary": summary,
            "report": report, "coalition_report": coalition, "revised": revised,
            "root": tmp / "repo"}


# ------------------------------------------------------------------ text of each format


def docx_text(blob: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(blob)) as z:
        xml = z.read("word/document.xml").decode("utf-8")
    paras = re.findall(r"<w:p[ >].*?</w:p>", xml, flags=re.S)
    return "\n".join("".join(re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>", p)) for p in paras) \
        .replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&amp;", "&")


def html_text(page: str) -> str:
    import lxml.html

    return lxml.html.document_fromstring(page).text_content()


def md_text(page: str) -> str:
    from markdown_it import MarkdownIt

    return html_text(MarkdownIt("commonmark").enable("table").enable("strikethrough").render(page))


def outputs(data: dict, render) -> dict[str, str]:  # noqa: ANN001
    out = {}
    for fmt in ("md", "html", "docx", "csv", "json"):
        got = render(data, fmt)
        out[fmt] = docx_text(got) if fmt == "docx" else got
    out["md-text"] = md_text(out["md"])
    out["html-text"] = html_text(out["html"])
    return out


@pytest.fixture(scope="module")
def report_out(world: dict) -> dict[str, str]:
    return outputs(world["report"], render_report)


@pytest.fixture(scope="module")
def summary_out(world: dict) -> dict[str, str]:
    out = outputs(world["summary"], render_summary)
    out["terminal"] = render_summary(world["summary"], "terminal", width=200)
    return out


def _norm(text: str) -> str:
    return " ".join(text.split())


# ------------------------------------------------------------------ the summary


def test_summary_data_has_answers_acks_endorsers_and_the_real_dates(world: dict) -> None:
    s, ids = world["summary"], world["ids"]
    quotes = {q["comment"]: q for p in s["principles"] for q in p["quotes"]}
    public = quotes[ids["public"]]
    assert public["disposition"] == "noted" and public["rationale"] == "Thank you."
    assert public["ack"] == "satisfied"
    assert public["endorsed_by"] == ["Fund Org"]
    block = quotes[ids["block"]]
    assert block["disposition"] == "accepted" and block["commit"] == world["revised"]
    assert quotes[ids["anon"]]["ack"] == "maintains-objection"
    assert quotes[ids["anon"]]["member"] is None and quotes[ids["secret"]]["text"] is None
    p01 = next(p for p in s["principles"] if p["id"] == "P01")
    assert p01["voices"] == 3 and p01["endorsements"] == 1 and p01["comments"] == 2
    assert p01["text"].startswith("Data reuse must serve the community.")
    rnd = s["round"]
    assert rnd["closed_at"] and rnd["closed_at"] < rnd["closes_at"]
    assert len(rnd["extensions"]) == 1 and rnd["extensions"][0]["to"] == rnd["closes_at"]
    assert rnd["extensions"][0]["from"] == rnd["planned_closes_at"] != rnd["closes_at"]
    why = {(u["comment"], u["why"]) for u in s["unresolved"]}
    assert why == {(ids["block"], "block"), (ids["anon"], "maintains-objection")}
    assert s["rule"]["quorum_members"] == 3 and s["rule"]["voting_members"] == 5


def test_summary_can_leave_the_principle_text_out(world: dict) -> None:
    data = build_summary(world["agenda"], world["verified"], "r1", principle_text=False)
    assert all(p["text"] is None for p in data["principles"])
    assert "Data reuse must serve the community." not in render_summary(data, "md").split(
        "### P01")[1].split("#### Comments")[0]


@pytest.mark.parametrize("fmt", ["md-text", "html-text", "docx"])
def test_every_summary_format_shows_answers_acks_endorsements_and_labels(
        world: dict, summary_out: dict, fmt: str) -> None:
    text = _norm(summary_out[fmt])
    for part in ("Accepted", "The steward paragraph is replaced.", "Not accepted",
                 "Kept as drafted.", "is satisfied with the answer", "maintains the objection",
                 "Endorsed by", "Fund Org", "Unresolved", "Confidential comment",
                 "its text is shared with the facilitators only",
                 "No text: the member gave a stance only.", "How to read the statuses",
                 "at least 3 of the 5 voting members", "Planned close", "Closed",
                 "Indigenous peoples govern data about them."):
        assert part in text, (fmt, part)
    assert "Text not published" not in text and "not published" not in text
    secret = world["ids"]["secret"]
    assert f"Anonymous · comment {secret}" not in text and f"Anonymous (comment {secret}" not in text
    assert f"Confidential comment · amend · comment {secret}" in text or \
        f"Confidential comment (comment {secret})" in text
    assert "1 comments" not in text and "1 member voices" not in text
    assert re.search(r"\b2 comments\b", text)


def test_summary_lists_excluded_comment_records_by_round_and_kind_only(
        world: dict, summary_out: dict) -> None:
    excluded = world["summary"]["excluded"]
    assert excluded and all(e["path"] is None for e in excluded if e["record"] != "file")
    assert {e["round"] for e in excluded} == {"r1"}
    for fmt in ("md", "html", "docx", "csv", "json", "terminal"):
        assert "comments/youth" not in summary_out[fmt], fmt
        assert "0123456789abcdef" not in summary_out[fmt], fmt
    assert "1 comment record in round r1" in _norm(summary_out["md-text"])


def test_summary_csv_opens_in_excel_with_labels(summary_out: dict) -> None:
    raw = summary_out["csv"]
    assert raw.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(raw[1:])))
    labels = {r["type_of_comment"]: r["type_of_comment_label"] for r in rows}
    assert labels["te"] == "technical (substantive)"
    assert {r["disposition_label"] for r in rows} >= {"Accepted", "Not accepted", "Noted"}
    assert any(r["acknowledgement"] == "maintains the objection" for r in rows)


def test_summary_docx_has_real_word_structure(world: dict) -> None:
    blob = render_summary(world["summary"], "docx")
    with zipfile.ZipFile(io.BytesIO(blob)) as z:
        xml = z.read("word/document.xml").decode("utf-8")
    styles = set(re.findall(r'<w:pStyle w:val="([^"]+)"', xml))
    assert {"Title", "Heading1", "Heading2", "Heading3", "ListBullet", "Quote"} <= styles
    assert "<w:tblHeader" in xml and "<w:tblStyle " in xml
    assert render_summary(world["summary"], "docx") == blob  # same data, same bytes


# ------------------------------------------------------------------ the report: data


def test_report_data_numbers_comments_and_hides_private_ones(world: dict) -> None:
    r, ids = world["report"], world["ids"]
    items = {i["ref"]: i for p in r["principles"] for i in p["heard"]}
    assert sorted(items, key=lambda x: int(x[1:])) == [f"C{n}" for n in range(1, 7)]
    by_attr: dict[str, list] = {}
    for i in items.values():
        by_attr.setdefault(i["attribution"], []).append(i)
    for i in by_attr["anonymous"] + by_attr["confidential"]:
        assert i["who"] is None and i["comment"] is None and i["path"] is None and i["sector"] is None
    (secret,) = by_attr["confidential"]
    assert secret["quotes"] == [] and secret["proposal"] is None and secret["rationale"] is None
    assert secret["disposition"] == "noted"
    public = next(i for i in by_attr["public"] if i["comment"] == ids["public"])
    assert public["who"] == "Health Org" and public["path"].endswith(f"/health/{ids['public']}.yaml")
    assert public["endorsed_by"] == ["Fund Org"] and public["ack"] == "satisfied"
    p02 = next(p for p in r["principles"] if p["id"] == "P02")
    assert p02["change"]["status"] == "modified" and p02["confidential"] == 1
    assert [d["why"] for d in p02["dissent"]] == ["block"]
    assert r["participation"]["organisations"] == ["Fund Org", "Health Org", "Kin Circle"]
    assert r["participation"]["unnamed"] == 2
    assert r["method"]["received"] == 6
    # the unsigned record: unsigned, and nothing more (it is never parsed, so never malformed)
    assert r["method"]["excluded_count"] == 1
    assert r["verification"]["closing"]["sha256"] and r["round"]["extensions"]
    assert {row["attribution"] for row in r["dataset"]} == {"public", "anonymous"}


def test_coalition_audience_shows_ids_but_never_a_private_member(world: dict) -> None:
    r, ids = world["coalition_report"], world["ids"]
    shown = {i["comment"] for p in r["principles"] for i in p["heard"]}
    assert ids["anon"] in shown and ids["secret"] in shown
    page = render_report(r, "md")
    assert ids["anon"] in page
    for mid in PRIVATE:
        assert MEMBERS[mid][0] not in page and f"comments/{mid}/" not in page


def test_every_quote_is_verbatim_from_a_verified_comment(world: dict, report_out: dict) -> None:
    comments = [rec for _p, rec in world["verified"].records["r1"] if rec.type == "comment"]
    sources = [_norm(s) for rec in comments
               for s in (rec.text, rec.proposed_text, (rec.anchor or {}).get("quote")) if s]
    data_quotes = [q for p in world["report"]["principles"] for i in p["heard"]
                   for q in i["quotes"] + [i["proposal"] or "", i["on"] or ""] if q]
    assert len(data_quotes) >= 8
    for q in data_quotes:
        assert any(_norm(q) in s for s in sources), q

    def escaped(s: str) -> str:  # how plain formats show bidirectional controls
        return re.sub("[\u202a-\u202e\u2066-\u2069]", lambda m: f"\\u{ord(m.group()):04x}", s)

    for fmt in ("md-text", "html-text", "docx"):
        found = re.findall(r"“(.*?)”", report_out[fmt], flags=re.S)
        assert len(found) >= len(data_quotes), fmt
        plain = fmt != "html-text"
        for q in found:
            assert any(_norm(q) in (escaped(s) if plain else s) for s in sources), (fmt, q)


@pytest.mark.parametrize("fmt", ["md", "html", "docx", "csv", "json"])
def test_outside_report_never_names_a_private_comment(world: dict, report_out: dict,
                                                      fmt: str) -> None:
    text = report_out[fmt]
    for ref in ("anon", "secret", "anon3"):
        assert world["ids"][ref] not in text, (fmt, ref)
    for mid in PRIVATE:
        assert MEMBERS[mid][0] not in text, fmt  # the organisation's name
        assert f"comments/{mid}" not in text and f'"{mid}"' not in text, fmt
    assert "0123456789abcdef" not in text
    assert SECRET not in text and SECRET_PROPOSAL not in text
    assert "Discussed with the member in confidence." not in text


@pytest.mark.parametrize("fmt", ["md-text", "html-text", "docx"])
def test_every_report_format_has_every_section(report_out: dict, fmt: str) -> None:
    text = _norm(report_out[fmt])
    for part in ("How to read this report", "Executive summary", "The process", "Extension 1",
                 "Facilitated by", "Who took part", "service-provider", "Method",
                 "Jaccard", "at least 3 of the 5 voting members", "What members told us",
                 "What the coalition did", "Dissent that remains", "C5",
                 "A member who asked to stay anonymous", "1 confidential comment",
                 "maintains the objection", "Endorsed by Fund Org", "Change to the text",
                 "Appendix: check this report yourself", "ssh-keygen -Y verify",
                 "coalition verify", "git grep -F", "SHA-256"):
        assert part in text, (fmt, part)
    assert world_sha(report_out) in text


def world_sha(report_out: dict) -> str:
    return json.loads(report_out["json"])["verification"]["closing"]["sha256"]


def test_report_csv_is_the_coded_data_set_of_published_comments(world: dict,
                                                                report_out: dict) -> None:
    raw = report_out["csv"]
    assert raw.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(raw[1:])))
    assert len(rows) == 5  # six comments, one confidential
    anon = next(r for r in rows if r["comment"] == ANON_TEXT)
    assert anon["organisation"] == "" and anon["comment_id"] == "" and anon["record"] == ""
    assert anon["acknowledgement"] == "maintains the objection"
    assert anon["disposition_label"] == "Not accepted"
    public = next(r for r in rows if r["comment_id"] == world["ids"]["public"])
    assert public["organisation"] == "Health Org" and public["themes"] == ""


def test_report_docx_has_real_word_structure(world: dict) -> None:
    blob = render_report(world["report"], "docx")
    with zipfile.ZipFile(io.BytesIO(blob)) as z:
        xml = z.read("word/document.xml").decode("utf-8")
    styles = set(re.findall(r'<w:pStyle w:val="([^"]+)"', xml))
    assert {"Title", "Heading1", "Heading2", "Heading3", "ListBullet", "ListNumber",
            "Quote"} <= styles
    assert "<w:tblHeader" in xml and 'w:type="page"' in xml
    assert "<w:strike/>" in xml and '<w:u w:val="single"/>' in xml  # redline not by colour


# ------------------------------------------------------------------ bidirectional overrides


def test_bidi_overrides_are_neutralised_in_plain_formats(summary_out: dict, report_out: dict) -> None:
    bidi = re.compile("[\u202a-\u202e\u2066-\u2069]")
    for name, out in (("summary", summary_out), ("report", report_out)):
        for fmt in ("md", "csv", "docx", "json") + (("terminal",) if name == "summary" else ()):
            if fmt == "json":
                continue  # JSON carries the data as it is (escaped by any consumer's parser)
            assert not bidi.search(out[fmt]), (name, fmt)
            assert "\\u202e" in out[fmt], (name, fmt)  # shown, not silently dropped


def test_bidi_overrides_cannot_leave_their_element_in_html(summary_out: dict,
                                                           report_out: dict) -> None:
    import lxml.html

    bidi = re.compile("[\u202a-\u202e\u2066-\u2069]")
    for page in (summary_out["html"], report_out["html"]):
        doc = lxml.html.document_fromstring(page)
        holders = [el for el in doc.iter() if isinstance(el.tag, str)
                   and (bidi.search(el.text or "") or bidi.search(el.tail or ""))]
        assert holders
        for el in holders:
            if bidi.search(el.tail or ""):
                el = el.getparent()  # a tail belongs to the parent's content
            isolated = [a for a in [el, *el.iterancestors()]
                        if a.tag == "bdi" or a.get("dir") in ("auto", "ltr", "rtl")]
            assert isolated, lxml.html.tostring(el)[:200]


def test_terminal_output_neutralises_bidi_through_the_cli(world: dict) -> None:
    result = Cli(world["root"])("summary", "r1", code=None)
    assert "\u202e" not in result.stdout and "\\u202e" in result.stdout


# ------------------------------------------------------------------ the command


def test_report_command_writes_every_format(world: dict, tmp_path: Path) -> None:
    cli = Cli(world["root"])
    for fmt, name in (("md", "r.md"), ("html", "r.html"), ("docx", "r.docx"), ("csv", "r.csv")):
        cli("report", "r1", "--format", fmt, "--output", str(tmp_path / name))
        assert (tmp_path / name).stat().st_size > 500
    out = cli("report", "r1", "--audience", "coalition").stdout
    assert world["ids"]["anon"] in out
    bad = cli("report", "r1", "--audience", "everyone", code=2)
    assert bad.stderr.startswith("error: ")
    missing = cli("report", "nope", code=3)
    assert "no valid round 'nope'" in missing.stderr
    cli("summary", "r1", "--format", "docx", "--output", str(tmp_path / "s.docx"))
    assert zipfile.is_zipfile(tmp_path / "s.docx")


# ------------------------------------------------------------------ golden files

GOLDEN = Path(__file__).parent / "golden"
UPDATE_GOLDEN = os.environ.get("COALITION_UPDATE_GOLDEN") == "1"  # read before the hermetic fixture
_HEX = re.compile(r"\b[0-9a-f]{7,64}\b")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(?::\d{2})?(?: UTC|Z)?")


def normalise(text: str) -> str:
    """Markdown with what changes from run to run — record ids, commits, hashes, dates —
    replaced by placeholders; the order of comments is fixed by the module's clock."""
    return _DATE.sub("<date>", _HEX.sub("<hex>", text))


@pytest.mark.parametrize("name", ["summary.md", "report.md"])
def test_markdown_matches_its_golden_file(summary_out: dict, report_out: dict, name: str) -> None:
    """Refresh after an intended change with: COALITION_UPDATE_GOLDEN=1 pytest tests/test_report.py"""
    got = normalise((summary_out if name == "summary.md" else report_out)["md"])
    path = GOLDEN / name
    if UPDATE_GOLDEN:
        GOLDEN.mkdir(exist_ok=True)
        path.write_text(got, encoding="utf-8")
    assert path.is_file(), f"no golden file {path}: run with COALITION_UPDATE_GOLDEN=1"
    want = path.read_text(encoding="utf-8")
    assert got == want, (f"{name} differs from {path} (if the change is intended: "
                         "COALITION_UPDATE_GOLDEN=1 pytest tests/test_report.py)")


# ------------------------------------------------------------------ one data set, every format


def test_report_data_is_built_once_and_every_format_draws_all_of_it(world: dict,
                                                                    report_out: dict) -> None:
    import copy

    data = world["report"]
    before = copy.deepcopy(data)
    for fmt in ("md", "html", "docx", "csv", "json"):
        render_report(data, fmt)
    assert data == before  # renderers only draw what they get
    assert json.loads(report_out["json"]) == json.loads(json.dumps(data))
    refs = [i["ref"] for p in data["principles"] for i in p["heard"]]
    for fmt in ("md-text", "html-text", "docx"):
        text = report_out[fmt]
        for ref in refs:
            assert re.search(rf"\b{ref}\b", text), (fmt, ref)  # every comment answered there
        for p in data["principles"]:
            assert p["id"] in text and p["status"] in text
    csv_refs = {r["ref"] for r in csv.DictReader(io.StringIO(report_out["csv"][1:]))}
    assert csv_refs == {row["ref"] for row in data["dataset"]}


def test_verbatim_quotes_are_slices_of_the_text() -> None:
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from coalition_cli.reports.heard import search_phrase, verbatim_quotes

    sentence = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=80)

    @settings(max_examples=60)
    @given(st.lists(sentence, min_size=1, max_size=12), st.sampled_from([". ", "! ", "\n\n", " "]),
           st.integers(min_value=20, max_value=400))
    def check(parts: list[str], sep: str, limit: int) -> None:
        text = sep.join(parts)
        quotes, cut = verbatim_quotes(text, limit)
        for q in quotes:
            assert q and q in text
            phrase = search_phrase(q)
            assert phrase == "" or " ".join(phrase.split()) in " ".join(q.split())
        if not cut:  # nothing left out: every paragraph is quoted whole
            paras = [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]
            assert quotes == paras

    check()
    long = "First sentence here. " * 50
    quotes, cut = verbatim_quotes(long.strip(), 100)
    assert cut and quotes[0].endswith("here.") and len(quotes[0]) <= 100


def test_excluded_records_name_no_commenter() -> None:
    from coalition_cli.reports._attribution import excluded_records

    problems = [
        {"path": "agenda/rounds/r1/comments/youth/0a.yaml", "problem": "late", "detail": "youth 0a"},
        {"path": "agenda/rounds/r1/comments/uni/0b.yaml", "problem": "late", "detail": "uni 0b"},
        {"path": "agenda/rounds/r1/responses/0c.yaml", "problem": "unsigned", "detail": "0c"},
        {"path": "agenda/rounds/r1/round.yaml", "problem": "bad-signature", "detail": "round"},
        {"path": "agenda/members/kin.yaml", "problem": "unsigned", "detail": "kin"},
        {"path": "agenda/rounds/r2/comments/x/0d.yaml", "problem": "late", "detail": "other round"},
    ]
    got = excluded_records("agenda/rounds/r1/", problems, "r1", "agenda/members/")
    text = json.dumps(got)
    for secret in ("youth", "uni", "0a", "0b", "0c", "r2", "0d"):
        assert secret not in text, secret
    by_kind = {(e["record"], e["problem"]): e for e in got}
    assert by_kind[("comment record", "late")]["count"] == 2
    assert by_kind[("response record", "unsigned")]["path"] is None
    assert {e["path"] for e in got if e["path"]} == {"agenda/rounds/r1/round.yaml",
                                                    "agenda/members/kin.yaml"}


def test_changes_report_labels_a_confidential_comment(world: dict) -> None:
    from coalition_cli.render import render_changes
    from coalition_cli.reports import build_changes

    data = build_changes(world["agenda"], "r1", "HEAD", verified=world["verified"])
    secret = next(c for c in data["comments"] if c["id"] == world["ids"]["secret"])
    assert secret["attribution"] == "confidential" and secret["text"] is None
    for fmt in ("md", "html"):
        out = render_changes(data, fmt)
        assert "Confidential comment" in out and SECRET not in out, fmt
