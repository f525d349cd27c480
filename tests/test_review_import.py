"""review import: a Word-style review (Word's own markup) becomes signed, anchored
comments; bad files are refused with one line and nothing written."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from pathlib import Path

import pytest
from conftest import Cli, Coalition, repo_state
from review_support import comments_of, exported, open_round

from coalition_cli import actions
from coalition_cli.review import default_stances, plan_import, submit
from coalition_cli.review.wordmarkup import WordReview


@pytest.fixture
def draft(coalition: Coalition) -> bytes:
    open_round(coalition)
    return exported(coalition)


def word_review(data: bytes) -> bytes:
    """Every kind of thing a reviewer does in Word, on the fixture's three principles."""
    r = WordReview(data, author="Amara Osei")
    # A: a comment across runs and paragraphs, with a threaded reply
    k9, at9 = r.find("serve the community.", after="P01 ")
    k10, at10 = r.find("The coalition commits", after="P01 ")
    r.comment((k9, at9), (k10, at10 + len("The coalition commits")),
              "[support] Strong start.\nKeep it.", replies=("Agreed \u2014 and say it first.",))
    # B: a replacement outside any comment
    r.replace("annual", "quarterly", after="P01 ")
    # C: a comment holding a tracked insertion, tagged in French
    k, at = r.find("on every agreement", after="P01 ")
    r.comment((k, at), (k, at + len("on every agreement")),
              "[Amendement] Préciser \u00ab chaque accord \u00bb.")
    r.change(k, at + len("on every"), at + len("on every"), " signed")
    # D: a pure insertion holding a field (DATE), glued to the word before it
    k, at = r.find("protected", after="P02 ")
    r.change(k, at + len("protected"), at + len("protected"), " by law, as of ",
             field=("DATE \\@ \"d MMMM yyyy\"", "1 December 2026"))
    # E: a comment on text the reviewer also changed, smart quotes on both sides
    k, at = r.find("De-identification is not anonymity", after="P02 ")
    r.comment((k, at), (k, at + len("De-identification is not anonymity")),
              "[oppose] Don\u2019t weaken this.")
    start = at + len("De-identification is ")
    r.change(k, start, start + len("not anonymity"), "never \u201canonymity\u201d")
    # L: a comment on a principle's heading: the principle as a whole
    r.comment_on("P02 Privacy", "[neutral] No view on this one.")
    # F: a move inside P03 (w:moveFrom / w:moveTo)
    k, at = r.find("peoples ", after="P03 ")
    k2, at2 = r.find("data about", after="P03 ")
    r.move((k, at, at + len("peoples ")), (k2, at2))
    # H: an inserted paragraph before P03's first paragraph
    r.insert_paragraph(k, "Nothing about us without us.")
    # skipped: resolved, on the note, across two principles
    r.comment_on("about them", "[block] old thought", after="P03 ", done=True)
    r.comment_on("How to comment", "[support] nice note")
    kp, ap = r.find("anonymity", after="P02 ")
    kq, aq = r.find("Indigenous peoples", after="P03 ")
    r.comment((kp, ap), (kq, aq + 10), "[oppose] across")
    return r.save()


EXPECTED = [  # principle, quote, proposal, stance, text
    ("P01", "serve the community.\n\nThe coalition commits", None, "support",
     "Strong start.\nKeep it.\n\nAgreed \u2014 and say it first."),
    ("P01", "annual", "quarterly", "amend", None),
    ("P01", "on every agreement", "on every signed agreement", "amend",
     "Préciser \u00ab chaque accord \u00bb."),
    ("P02", None, None, "neutral", "No view on this one."),
    ("P02", "protected", "protected by law, as of 1 December 2026", "amend", None),
    ("P02", "De-identification is not anonymity", "De-identification is never \u201canonymity\u201d",
     "oppose", "Don\u2019t weaken this."),
    ("P03", "Indigenous", "Nothing about us without us.\n\nIndigenous", "amend", None),
    ("P03", "peoples govern data", "govern peoples data", "amend", None),
]


def test_word_markup_maps_every_comment_and_change(coalition: Coalition, draft: bytes) -> None:
    data = word_review(draft)
    plan = plan_import(coalition.agenda, data, "review.docx", identity=coalition.who("health"))
    stances, missing = default_stances(plan)
    assert not missing
    got = [(it.principle, it.quote, it.proposal, stances[it.key], it.text) for it in plan.items]
    assert got == EXPECTED
    assert sorted((s.label, s.reason.split(",")[0].split(":")[0]) for s in plan.skipped) == sorted([
        ("comment 1", "is on the how-to-comment note"),
        (plan.skipped[[s.reason for s in plan.skipped].index("resolved in Word")].label,
         "resolved in Word"),
        (next(s.label for s in plan.skipped if s.reason.startswith("spans")), "spans P02 and P03"),
    ])
    assert plan.items[0].replies == 1


def test_import_signs_anchors_and_keeps_provenance(cli: Cli, coalition: Coalition, draft: bytes,
                                                   tmp_path: Path) -> None:
    file = tmp_path / "review.docx"
    file.write_bytes(word_review(draft))
    digest = hashlib.sha256(file.read_bytes()).hexdigest()
    key = coalition.key("health")
    listed = cli("--agenda", coalition.root / "agenda", "review", "import", file, "--key", key,
                 "--dry-run")
    assert "8 comment(s) for round r1" in listed.stdout
    assert "skipped: comment 1 is on the how-to-comment note" in listed.stdout
    assert comments_of(coalition, "health") == []  # a dry run writes nothing
    done = cli("--agenda", coalition.root / "agenda", "review", "import", file, "--key", key,
               "--yes", "--format", "json")
    submitted = json.loads(done.stdout)["submitted"]
    assert len(submitted) == 8
    recs = {rec.id: (rec, raw) for rec, raw in comments_of(coalition, "health")}
    assert set(recs) == {s["id"] for s in submitted}
    bodies = {p.id: p.body for p in coalition.agenda.snapshot().principles.values()}
    seen = []
    for rec, raw in recs.values():
        assert rec.provenance["sha256"] == digest and rec.provenance["source"] == "word-review"
        if rec.anchor:  # the anchor is the draft's own text at its offsets
            assert bodies[rec.principle][rec.anchor["start"]:rec.anchor["end"]] == rec.anchor["quote"]
        seen.append((rec.principle, rec.anchor["quote"] if rec.anchor else None,
                     rec.proposed_text, rec.stance, rec.text or None))
    assert sorted(seen, key=str) == sorted(EXPECTED, key=str)
    assert cli("--agenda", coalition.root / "agenda", "verify", code=None).exit_code == 0
    # the same file again: nothing is submitted twice
    before = repo_state(coalition.root)
    again = cli("--agenda", coalition.root / "agenda", "review", "import", file, "--key", key,
                "--yes")
    assert "already imported" in again.stdout and "nothing to submit" in again.stderr
    assert repo_state(coalition.root) == before


def test_confidential_import_seals_its_provenance(coalition: Coalition, draft: bytes) -> None:
    r = WordReview(draft)
    r.comment_on("annual public reporting", "[block] Never annual.", after="P01 ")
    data = r.save()
    who = coalition.who("youth")
    plan = plan_import(coalition.agenda, data, "r.docx", identity=who)
    submit(coalition.agenda, who, plan, default_stances(plan)[0], attribution="confidential")
    [(rec, raw)] = comments_of(coalition, "youth")
    digest = hashlib.sha256(data).hexdigest()
    assert rec.provenance is None and digest.encode() not in raw and b"provenance" not in raw
    again = plan_import(coalition.agenda, data, "r.docx", identity=who)  # opened with own key
    assert again.items == [] and [rid for _it, rid in again.already] == [rec.id]


def test_plain_comment_without_tag_or_terminal_is_refused(cli: Cli, coalition: Coalition,
                                                          draft: bytes, tmp_path: Path) -> None:
    r = WordReview(draft)
    r.comment_on("Personal data is protected", "Needs more.", after="P02 ")
    file = tmp_path / "plain.docx"
    file.write_bytes(r.save())
    before = repo_state(coalition.root)
    out = cli("--agenda", coalition.root / "agenda", "review", "import", file,
              "--key", coalition.key("fund"), "--yes", code=3)
    assert out.stderr.startswith("error: 1 comment(s) have no stance tag: comment 1 on P02")
    assert "[appui]" in out.stderr
    assert repo_state(coalition.root) == before


def test_without_yes_off_a_terminal_nothing_is_signed(cli: Cli, coalition: Coalition,
                                                      draft: bytes, tmp_path: Path) -> None:
    r = WordReview(draft)
    r.replace("annual", "yearly", after="P01 ")
    file = tmp_path / "r.docx"
    file.write_bytes(r.save())
    out = cli("--agenda", coalition.root / "agenda", "review", "import", file,
              "--key", coalition.key("fund"), code=2)
    assert "1 comment(s) are ready to sign" in out.stderr and "--yes" in out.stderr
    assert comments_of(coalition, "fund") == []


def test_inserted_paragraph_before_a_heading_ends_the_principle_before_it(
        coalition: Coalition, draft: bytes) -> None:
    r = WordReview(draft)
    k, _ = r.find("P02 Privacy")
    r.insert_paragraph(k, "Reports are bilingual.")
    plan = plan_import(coalition.agenda, r.save(), "r.docx")
    [item] = plan.items
    assert (item.principle, item.quote, item.proposal) == (
        "P01", "agreement.", "agreement.\n\nReports are bilingual.")


def test_pure_deletion_takes_in_the_word_before(coalition: Coalition, draft: bytes) -> None:
    r = WordReview(draft)
    k, at = r.find(" public", after="P01 ")
    r.change(k, at, at + len(" public"), "")
    [item] = plan_import(coalition.agenda, r.save(), "r.docx").items
    assert (item.quote, item.proposal) == ("annual public", "annual")


# --- bad input: one line, nothing written ---------------------------------------------------


def _refused(cli: Cli, coalition: Coalition, tmp_path: Path, data: bytes, code: int = 3,
             key: str = "health") -> str:
    file = tmp_path / "bad.docx"
    file.write_bytes(data)
    before = repo_state(coalition.root)
    out = cli("--agenda", coalition.root / "agenda", "review", "import", file,
              "--key", coalition.key(key), "--yes", code=code)
    assert repo_state(coalition.root) == before
    lines = out.stderr.strip().splitlines()
    assert lines[0].startswith("error: ") and len(lines) <= 2 and "Traceback" not in out.stderr
    return lines[0]


def _rezip(data: bytes, change) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        parts = {n: zf.read(n) for n in zf.namelist()}
    change(parts)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, blob in parts.items():
            zf.writestr(name, blob)
    return out.getvalue()


def test_not_a_docx(cli: Cli, coalition: Coalition, draft: bytes, tmp_path: Path) -> None:
    assert "is not a Word document" in _refused(cli, coalition, tmp_path, b"just some text\n")
    assert "Word 97-2003 .doc" in _refused(cli, coalition, tmp_path,
                                            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    odt = io.BytesIO()
    with zipfile.ZipFile(odt, "w") as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        zf.writestr("content.xml", "<x/>")
    assert "OpenDocument file (.odt)" in _refused(cli, coalition, tmp_path, odt.getvalue())
    assert "damaged zip" in _refused(cli, coalition, tmp_path, draft[: len(draft) // 2])


def test_zip_bomb(cli: Cli, coalition: Coalition, draft: bytes, tmp_path: Path) -> None:
    bomb = _rezip(draft, lambda p: p.__setitem__("word/media/filler.bin", b"\0" * (40 << 20)))
    assert "zip bomb" in _refused(cli, coalition, tmp_path, bomb)


def test_macro_enabled(cli: Cli, coalition: Coalition, draft: bytes, tmp_path: Path) -> None:
    def add_macros(parts: dict) -> None:
        parts["word/vbaProject.bin"] = b"\0" * 64
        parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
            b"wordprocessingml.document.main+xml", b"ms-word.document.macroEnabled.main+xml")

    assert "macro-enabled" in _refused(cli, coalition, tmp_path, _rezip(draft, add_macros))


def test_entities_are_refused(cli: Cli, coalition: Coalition, draft: bytes, tmp_path: Path) -> None:
    def entity(parts: dict) -> None:
        doc = parts["word/document.xml"]
        head, _, rest = doc.partition(b"?>")
        parts["word/document.xml"] = (head + b'?><!DOCTYPE d [<!ENTITY x "xx">]>' + rest)

    assert "DOCTYPE" in _refused(cli, coalition, tmp_path, _rezip(draft, entity))


def test_another_round_names_both(cli: Cli, coalition: Coalition, draft: bytes,
                                  tmp_path: Path) -> None:
    sec = coalition.who("sec")
    actions.round_close(coalition.agenda, sec, "r1")
    open_round(coalition, "r2")
    line = _refused(cli, coalition, tmp_path, word_review(draft), code=4)
    assert "round 'r1'" in line and "closed" in line and "'r2'" in line


def test_another_draft_names_both(cli: Cli, coalition: Coalition, draft: bytes,
                                  tmp_path: Path) -> None:
    forged = _rezip(word_review(draft), lambda p: p.__setitem__(
        "docProps/custom.xml", p["docProps/custom.xml"].replace(
            b"coalition-draft-sha256\"><vt:lpwstr>", b"coalition-draft-sha256\"><vt:lpwstr>0")))
    line = _refused(cli, coalition, tmp_path, forged)
    assert "another draft of round 'r1'" in line and line.count("text ") == 2


def test_quote_that_no_longer_maps(cli: Cli, coalition: Coalition, draft: bytes,
                                   tmp_path: Path) -> None:
    r = WordReview(draft)
    k, _ = r.find("Personal data is protected", after="P02 ")
    r.texts[k] = r.texts[k].replace("protected", "shielded")  # edited without tracking
    r.comment_on("shielded", "[oppose] no", after="P02 ")
    line = _refused(cli, coalition, tmp_path, r.save())
    assert "comment 1 on P02 quotes \"shielded\", which is no longer in the round's draft" in line


def test_an_untracked_edit_is_listed_not_imported(coalition: Coalition, draft: bytes) -> None:
    r = WordReview(draft)
    k, _ = r.find("Personal data is protected", after="P02 ")
    r.texts[k] = r.texts[k].replace("protected", "shielded")
    r.change(k, 0, 0, "")  # (an empty change: the paragraph is rewritten as it now reads)
    r.replace("annual", "yearly", after="P01 ")
    plan = plan_import(coalition.agenda, r.save(), "r.docx")
    assert [(it.quote, it.proposal) for it in plan.items] == [("annual", "yearly")]
    assert [s.label for s in plan.skipped] == ["an untracked edit in P02"]


# --- property: every import anchors to exactly what was commented or changed --------------

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coalition_cli.review.export import export_docx
from coalition_cli.review.layout import Draft
from coalition_cli.review.mapping import map_review
from coalition_cli.review.ooxml import open_package

WORDS = ["data", "community", "rights,", "l\u2019accord", "\u201ctrust\u201d", "Indigenous",
         "élèves", "governance.", "open", "the", "a", "public", "reporting;", "co-design",
         "benefit", "nations", "(consent)", "risk"]
TAGS = [("[support] ", "support"), ("[Appui] ", "support"), ("[oppose]", "oppose"),
        ("[neutre] ", "neutral"), ("[block] ", "block"), ("[amend] ", "amend")]


@st.composite
def reviews(draw):
    principles = []
    for n in range(1, draw(st.integers(1, 3)) + 1):
        paras = []
        for _ in range(draw(st.integers(1, 3))):
            words = draw(st.lists(st.sampled_from(WORDS), min_size=6, max_size=16))
            gaps = [draw(st.sampled_from([" ", " ", " ", "\n"])) for _ in words[1:]]
            paras.append((words, gaps))
        principles.append((f"P{n:02d}", paras))
    ops = []  # (principle index, paragraph index, kind, first word, last word + 1, payload)
    for pi, (_pid, paras) in enumerate(principles):
        for qi, (words, _gaps) in enumerate(paras):
            at = draw(st.integers(0, 2))
            while at < len(words):
                kind = draw(st.sampled_from(["comment", "replace", "insert", "delete", "none"]))
                size = draw(st.integers(1, 3))
                if kind == "insert":
                    size = 0
                end = min(len(words), at + size)
                if kind in ("delete", "replace", "comment") and end <= at:
                    break
                if kind == "delete" and end - at >= len(words) - 1:
                    break
                if kind != "none":
                    payload = (draw(st.sampled_from(TAGS)) if kind == "comment" else
                               " ".join(draw(st.lists(st.sampled_from(WORDS), min_size=1,
                                                      max_size=3))))
                    ops.append((pi, qi, kind, at, end, payload))
                at = end + draw(st.integers(3, 5))
    return principles, ops


def _occurrences(text: str, part: str) -> int:
    """How often ``part`` is in ``text``, overlaps counted (as ``WordReview.find`` counts)."""
    found, at = 0, text.find(part)
    while at != -1:
        found, at = found + 1, text.find(part, at + 1)
    return found


def _body(paras) -> tuple[str, list[list[tuple[int, int]]]]:
    """The body text and, per paragraph, each word's (start, end) in it."""
    text, spans = "", []
    for k, (words, gaps) in enumerate(paras):
        if k:
            text += "\n\n"
        mine = []
        for w, word in enumerate(words):
            if w:
                text += gaps[w - 1]
            mine.append((len(text), len(text) + len(word)))
            text += word
        spans.append(mine)
    return text, spans


@settings(max_examples=40, suppress_health_check=[HealthCheck.too_slow])
@given(reviews())
def test_every_import_anchors_exactly_what_was_commented_or_changed(case) -> None:
    principles, ops = case
    bodies = {pid: _body(paras) for pid, paras in principles}
    draft = Draft("C", "r1", "Round", "2030-01-01T00:00:00Z", "a" * 40,
                  tuple((pid, f"Title {pid}", bodies[pid][0]) for pid, _ in principles))
    r = WordReview(export_docx(draft), fragment=True)
    expected = []
    for pi, qi, kind, a, b, payload in ops:
        pid, paras = principles[pi]
        body, spans = bodies[pid]
        words = paras[qi][0]
        said = " ".join(words)  # the qi-th paragraph after the heading, though an earlier
        start = next(i for i, t in enumerate(r.texts) if t.startswith(f"{pid} ")) + 1
        earlier = sum(_occurrences(t, said) for t in r.texts[start:start + qi])  # the same
        k, _ = r.find(said, after=f"{pid} ", nth=earlier + 1)
        assert k == start + qi
        offs = [sum(len(w) + 1 for w in words[:i]) for i in range(len(words))]  # in the paragraph
        here = spans[qi]

        def word(i: int, b: str = body, h: list = here) -> str:
            return b[h[i][0]:h[i][1]]

        def span(i: int, j: int, b: str = body, h: list = here) -> str:
            return b[h[i][0]:h[j - 1][1]]

        if kind == "comment":
            tag, stance = payload
            r.comment((k, offs[a]), (k, offs[b - 1] + len(words[b - 1])), tag + "why " + pid)
            expected.append((pid, span(a, b), None, stance, "why " + pid))
        elif kind == "replace":
            r.change(k, offs[a], offs[b - 1] + len(words[b - 1]), payload)
            expected.append((pid, span(a, b), payload, None, None))
        elif kind == "insert" and a > 0:
            at = offs[a - 1] + len(words[a - 1])
            r.change(k, at, at, " " + payload)
            expected.append((pid, word(a - 1), word(a - 1) + " " + payload, None, None))
        elif kind == "insert":
            r.change(k, 0, 0, payload + " ")
            expected.append((pid, word(0), payload + " " + word(0), None, None))
        elif kind == "delete" and a > 0:
            r.change(k, offs[a] - 1, offs[b - 1] + len(words[b - 1]), "")
            expected.append((pid, span(a - 1, b), word(a - 1), None, None))
        else:
            r.change(k, 0, offs[b], "")
            expected.append((pid, span(0, b + 1), word(b), None, None))
    mapping = map_review(open_package(r.save()), draft, ("support", "amend", "neutral",
                                                         "oppose", "block"))
    got = [(it.principle, it.quote, it.proposal, it.tag, it.text) for it in mapping.items]
    assert sorted(got, key=repr) == sorted(expected, key=repr)
    assert mapping.skipped == []
    for item in mapping.items:  # the anchor is the draft's own text at its offsets
        body = bodies[item.principle][0]
        assert body[item.start:item.end] == item.quote


def test_on_a_terminal_the_stance_is_asked_and_the_listing_confirmed(
        coalition: Coalition, draft: bytes, tmp_path: Path) -> None:
    from test_editor import Terminal

    r = WordReview(draft)
    r.replace("annual", "quarterly", after="P01 ")
    r.comment_on("De-identification is not anonymity", "This needs a stronger test.",
                 after="P02 ")
    file = tmp_path / "r.docx"
    file.write_bytes(r.save())
    term = Terminal(coalition.root, ["review", "import", str(file), "--key",
                                     str(coalition.key("health"))], {})
    term.expect(b"Stance of tracked change 1 on P01 on \"annual\"")
    term.expect(b"[amend]")
    term.send("\r")  # the default for a tracked change
    term.expect(b"Stance of comment 1 on P02")
    term.send("maybe\r")
    term.expect(b"one of: support")
    term.send("oppose\r")
    term.expect(b"Sign and submit 2 comment(s) as health?")
    assert b"quote:    \"De-identification is not anonymity\"" in term.output
    term.send("y\r")
    code, output = term.finish()
    assert code == 0, output
    stances = sorted((rec.principle, rec.stance) for rec, _raw in comments_of(coalition, "health"))
    assert stances == [("P01", "amend"), ("P02", "oppose")]
