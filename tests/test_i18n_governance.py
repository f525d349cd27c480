"""Issue 13 on the governance rules: a French summary or report where they apply has no
untranslated English — not in the legend, the per-principle notes, the confidential notes,
the "Consent and possession" section, the distinctions-based sections, nor the words shown in
place of a comment whose author withdrew consent.

The agenda is the demo's second round (``coalition_cli.demo_governance``), which applies every
rule: community consent awaited then given, silence as consent, a confidential comment held by
the organisations its author chose, a withdrawal of consent, a Local Contexts Notice and
Labels, a First Nations section its member approved.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from coalition_cli import demo_governance
from coalition_cli.demo import run_demo
from coalition_cli.governance import wording
from coalition_cli.i18n import Translator, catalog
from coalition_cli.render import render_report, render_summary

from test_report import docx_text, html_text, md_text

NBSP = "\u00a0"
SUMMARY_FORMATS = ("terminal", "md", "html", "csv", "docx")
REPORT_FORMATS = ("md", "html", "docx", "csv")


@pytest.fixture(scope="module")
def states(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    """The data of each report the demo's governance step writes, as it stood then: the
    summary before the community consented, and the summary and report after the round."""
    from coalition_cli.reports import build_report, build_summary
    from coalition_cli.verify import verify

    seen: dict[str, dict] = {}
    original = demo_governance._write

    def keep(path: Path, agenda, round_id: str, kind: str, fmt: str = "md") -> None:  # noqa: ANN001
        verified = verify(agenda)
        if path.stem == "summary-before-community-consent":
            seen["summary-before"] = build_summary(agenda, verified, round_id)
        elif kind == "summary":
            seen["summary"] = build_summary(agenda, verified, round_id)
        else:
            seen["report"] = build_report(agenda, verified, round_id)
        original(path, agenda, round_id, kind, fmt)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(demo_governance, "_write", keep)
        run_demo(tmp_path_factory.mktemp("i18n-gov") / "demo", echo=lambda _line: None)
    return seen


def _text(got: str | bytes, fmt: str) -> str:
    if fmt == "docx":
        return docx_text(got)
    if fmt == "html":
        return html_text(re.sub(r"<style>.*?</style>", "", got, flags=re.S))
    if fmt == "md":
        return md_text(got)
    if fmt == "csv":  # the header row is column keys, which stay English like JSON's
        return got.split("\r\n", 1)[1]
    return got


@pytest.fixture(scope="module")
def french(states: dict[str, dict]) -> dict[str, dict]:
    out, misses = {}, {}
    jobs = [(name, render_summary, fmt, {}) for name in ("summary-before", "summary")
            for fmt in SUMMARY_FORMATS]
    jobs += [(name, render_summary, "terminal", {"width": 60})  # the stacked principles table
             for name in ("summary-before", "summary")]
    jobs += [("report", render_report, fmt, {}) for fmt in REPORT_FORMATS]
    for name, render, fmt, extra in jobs:
        key = f"{name}-{fmt}" + (f"-{extra['width']}" if extra else "")
        tr = Translator("fr")
        out[key] = _text(render(states[name], fmt, lang=tr, **extra), fmt)
        misses[key] = sorted(set(tr.misses))
    return {"out": out, "misses": misses}


def test_the_demo_applies_every_rule(states: dict[str, dict]) -> None:
    """What the French test covers really is in the data (else it would pass on nothing)."""
    before = {p["id"]: p for p in states["summary-before"]["principles"]}
    assert before["P02"]["status"] == wording.AWAITING
    assert any(p.get("accepted_by_silence") for p in states["summary"]["principles"])
    gov = states["report"]["governance"]
    assert gov["consent_withdrawn"] == 1 and gov["held"]
    assert gov["local_contexts"]["notices"] and gov["local_contexts"]["labels"]
    assert any(d.get("approved_by") for d in states["report"]["distinctions"])
    assert any(a.get("held_by") for p in states["summary"]["principles"]
               for a in p.get("amendments", []) + p.get("blocks", []) + p.get("quotes", []))


def _flat(text: str) -> str:
    """Runs of spaces and line breaks as one space (a non-breaking space stays)."""
    return re.sub(r"[ \t\r\n]+", " ", text)


def test_no_catalog_miss_in_any_format(french: dict) -> None:
    missed = {k: v for k, v in french["misses"].items() if v}
    assert not missed, f"untranslated in French governance reports: {missed}"


def _fragments() -> set[str]:
    """The literal English stretches (between placeholders) of the governance messages."""
    out = set()
    for key, where in catalog.messages().items():
        if "wording.py" not in where:
            continue
        for message in key if isinstance(key, tuple) else (key,):
            for part in re.split(r"\{[^}]*\}", message):
                part = part.strip(" .,;:()")
                if len(part) >= 14:
                    out.add(part)
    return out


def test_no_english_governance_sentence_in_a_french_report(french: dict) -> None:
    fragments = _fragments()
    assert "Its author withdrew consent to use this comment: its words are not shown" in fragments
    for name, text in french["out"].items():
        flat = " ".join(text.split())
        leaked = sorted(f for f in fragments if f in flat)
        assert not leaked, f"{name}: English governance wording in a French report: {leaked}"
        assert "awaiting-community-consent" not in flat, name


def test_the_french_says_it_in_french(french: dict) -> None:
    out = french["out"]
    before = _flat(out["summary-before-md"])
    assert "en attente du consentement de la communauté" in before
    assert f"Consentement attendu de{NBSP}: Kinship Circle" in before
    summary = _flat(out["summary-md"])
    assert f"Accepté par silence{NBSP}: 5 membres ayant participé" in summary
    assert "organisations choisies par son auteur ou son autrice" in summary
    report = _flat(out["report-md"])
    assert f"Gouvernance autochtone des données{NBSP}: avis" in report
    assert f"Approuvée par{NBSP}: Kinship Circle" in report
    assert "Étiquette Local Contexts" in report and "Avis Local Contexts" in report
    assert "Consentement retiré" in report
    assert f"P02 — Les peuples autochtones gouvernent leurs données{NBSP}: 1 appui." in report
    summary_after = _flat(out["summary-md"])
    assert ("Son auteur ou son autrice a retiré son consentement à l’utilisation de ce "
            "commentaire") in summary_after
    narrow = out["summary-terminal-60"]
    assert "Titre, puis commentaires, positions, taux, état" in _flat(narrow)


def test_english_is_what_the_demo_wrote(states: dict[str, dict]) -> None:
    """English goes through the same messages, counts and shares as it did before."""
    summary = _flat(render_summary(states["summary"], "md"))
    assert ("Accepted by silence: 5 members that took part in the round raised no objection "
            "to this principle and are counted as accepting it.") in summary
    assert wording.CONSENT_WITHDRAWN_TEXT in summary
    before = _flat(render_summary(states["summary-before"], "md"))
    assert ("principles on the theme indigenous-data-governance need the consent of the voting "
            "members of the indigenous-led sector (at least 50% of them take a stance, 75% of "
            "those support it, no block). Their silence never counts as consent. In this round: "
            "P02.") in before
    report = _flat(render_report(states["report"], "md"))
    assert "P02 — Indigenous peoples govern their data: 1 support." in report


def _every_branch() -> list[str]:
    """Each sentence of ``wording`` in each of its forms (what the demo does not reach too)."""
    rules = [{"theme": "t", "principles": ["P01"], "quorum": 0.5, "threshold": 0.75,
              "max_blocks": n, "sector": sector} for n in (0, 1, 2) for sector in ("s", None)]
    out: list[str] = []
    for silence in ("consent", "abstain"):
        for where in (["P01"], []):
            rule = {"community": rules, "silence": silence, "local_contexts": True,
                    **({"community_principles": where} if where else {})}
            for status, meaning in wording.legend(rule):
                out += [status, meaning]
    groups = [{"rule": r, "members": m, "consented": 1, "met": met, "why": why,
               "awaiting": a, "awaiting_unnamed": u}
              for r in rules[:2] for m in (["A", "B"], []) for met in (True, False)
              for why in ("empty", "block", "quorum", "threshold")
              for a in (["A"], []) for u in (0, 1, 2)]
    for silent in (0, 1, 2):
        out += wording.principle_notes({"accepted_by_silence": silent, "community": groups})
    for held in ({"named": ["A", "B"]}, {"holders": 1}, {"holders": 2}):
        out.append(wording.confidential_note(held) or "")
    for n, chosen in ((1, 1), (2, 1), (3, 2)):
        out.append(wording.confidential_line({"confidential": n, "confidential_chosen": chosen})
                   or "")
    item = {"name": "Attribution", "kind": "tk", "community": "C", "url": "https://x.invalid"}
    lc = {"notices": [{"on": on, "by": "F", "title": "T", "url": u, "notices": [item]}
                      for on in ("agenda", "round", "P01") for u in ("https://x.invalid", None)],
          "labels": [{"on": on, "by": by, "title": "T", "labels": [item, {"name": "BC x"}]}
                     for on in ("P01", "comment C1", "a comment") for by in ("K", None)]}
    for k in (1, 2):
        out += wording.section({"governance": {
            "consent_withdrawn": k, "withdrawn": [{"comment": "C1", "principle": "P01"}] * k,
            "held": [{"comment": "C2", "principle": "P01", "named": ["A"]},
                     {"principle": "P01", "holders": k}], "local_contexts": lc}})
    for d in ({"title": "x", "members": ["A"], "approved_by": ["A"], "awaiting": ["B"],
               "stale": ["C"], "principles": [{"id": "P01", "title": "t",
                                               "stances": {"support": 2, "block": 1},
                                               "items": [{"ref": "C1", "who": "A",
                                                          "stance": "amend", "text": ""}]}]},
              {"title": "y", "members": ["A"]}, {"title": "z"}):
        for _title, paras in wording.distinction_sections({"distinctions": [d]}):
            out += paras
    out.append(wording.withdrawn_text_translated({"t": [wording.CONSENT_WITHDRAWN_TEXT]})["t"][0])
    return out


def test_every_form_of_every_governance_sentence_is_in_the_catalog() -> None:
    from coalition_cli.i18n import translating

    with translating(Translator("fr")) as tr:
        french = _every_branch()
    assert tr.misses == [], sorted(set(tr.misses))
    english = _every_branch()
    assert french != english and len(french) == len(english) > 100
    assert "Its author withdrew consent to use this comment: its words are not shown." in english
    assert "C1 (A, amend)" in english and "C1 (A, modification)" in french
