"""Reports in French: every word from the gettext catalog, dates and numbers in fr_CA.

The round of ``test_report`` (public, anonymous and confidential comments, an endorsement, a
block, a maintained objection, an extension, answers, an excluded record) is rendered in
every format of every report in French under one ``Translator``, which records each message
its catalog lacked: a miss is English in a French report, and fails here. To list what a new
string still needs: ``python -m coalition_cli.i18n.catalog`` (``--update`` adds it to the .po).
"""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import datetime, timezone

import pytest

from coalition_cli import i18n
from coalition_cli.i18n import Translator, catalog
from coalition_cli.render import render_changes, render_report, render_summary

from test_report import docx_text, html_text, md_text, world  # noqa: F401  (the fixture)

NBSP = "\u00a0"
REPORTS = {
    "summary": (render_summary, ("terminal", "md", "html", "csv", "docx")),
    "report": (render_report, ("md", "html", "docx", "csv")),
    "changes": (render_changes, ("terminal", "md", "html", "docx")),
}


def _words(text: str) -> set[str]:
    return {w.lower() for w in re.findall(r"[A-Za-zÀ-ÿ’']+", text) if len(w) > 2}


def _values(data: object):  # noqa: ANN202
    if isinstance(data, dict):
        for v in data.values():
            yield from _values(v)
    elif isinstance(data, (list, tuple)):
        for v in data:
            yield from _values(v)
    elif isinstance(data, str):
        yield data


@pytest.fixture(scope="module")
def french(world: dict) -> dict:  # noqa: F811
    from coalition_cli.reports import build_changes

    data = {"summary": world["summary"], "report": world["report"],
            "changes": build_changes(world["agenda"], "r1", "HEAD", verified=world["verified"])}
    out, misses = {}, {}
    for name, (render, formats) in REPORTS.items():
        for fmt in formats:
            tr = Translator("fr")
            got = render(data[name], fmt, lang=tr)
            text = docx_text(got) if fmt == "docx" else got
            if fmt == "html":
                text = html_text(re.sub(r"<style>.*?</style>", "", got, flags=re.S))
                out[f"{name}-html-source"] = got
            elif fmt == "md":
                text = md_text(got)
            elif fmt == "csv":  # its header row is column keys, which stay English like JSON's
                text = got.split("\r\n", 1)[1]
            out[f"{name}-{fmt}"] = text
            misses[f"{name}-{fmt}"] = tr.misses
    return {"data": data, "out": out, "misses": misses}


def test_a_french_report_has_no_catalog_miss_in_any_format(french: dict) -> None:
    missed = {k: sorted(set(v)) for k, v in french["misses"].items() if v}
    assert not missed, f"untranslated in French reports: {missed}"


def test_a_french_report_has_no_english_word_of_the_tool(french: dict) -> None:
    """Words of the English messages that are neither French nor in the agenda's own content
    (titles, comments, member names, paths) must not appear in a French report."""
    po = catalog.read_po("fr")
    english = set()
    french_words = set()
    for message in po:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strs = message.string if isinstance(message.string, tuple) else (message.string,)
        for m in ids:
            english |= _words(re.sub(r"\{[^}]*\}", " ", m))
        for s in strs:
            french_words |= _words(s)
    content = set()
    for value in _values(french["data"]):  # the agenda's own words (not the data's keys)
        content |= _words(value)
    tool_english = english - french_words - content - {"coalition", "git", "openssh", "commit",
                                                       "phrase", "sha", "jaccard", "html",
                                                       "csv", "format", "verify", "blob"}
    assert {"unresolved", "endorsed", "dispositions", "amendments", "statuses"} <= tool_english
    for name, text in french["out"].items():
        if name.endswith("-source"):
            continue
        leaked = _words(text) & tool_english
        assert not leaked, f"{name}: English words in a French report: {sorted(leaked)}"


def test_french_typography_dates_and_numbers(french: dict) -> None:
    out = french["out"]
    summary = out["summary-md"]
    assert "Sommaire de la consultation" in summary
    assert f"État{NBSP}:" in out["summary-docx"]  # a non-breaking space before the colon
    assert " :" not in out["report-docx"].replace(f"{NBSP}:", "")  # never a breaking one
    assert f"«{NBSP}" in out["report-docx"] and f"{NBSP}»" in out["report-docx"]
    assert "“" not in out["report-docx"]
    # dates like « 1 déc. 2026, 14 h 05 UTC », shares like « 75 % »
    assert re.search(r"\d{1,2} [a-zéû]{3,4}\.? 20\d\d, \d\d h \d\d UTC", out["report-md"])
    assert re.search(rf"\d+{NBSP}%", summary)
    tr = Translator("fr")
    assert tr.number(1234.5) == f"1{NBSP}234,5"
    assert tr.date(datetime(2026, 12, 1, tzinfo=timezone.utc)) == "1 déc. 2026"
    with i18n.translating(tr):
        assert i18n.n_("{n} comment", "{n} comments", 1) == "1 commentaire"
        assert i18n.n_("{n} comment", "{n} comments", 2) == "2 commentaires"
        assert i18n.n_("{n} comment", "{n} comments", 1234) == f"1{NBSP}234 commentaires"
    assert tr.misses == []


def test_html_in_french_says_so_and_keeps_english_ids(french: dict) -> None:
    page = french["out"]["summary-html-source"]
    assert '<html lang="fr">' in page
    assert 'id="h-participation"' in page  # anchors, classes: codes, not words
    assert "début de l’insertion" in french["out"]["changes-html-source"] if "<ins" in \
        french["out"]["changes-html-source"] else True


def test_json_stays_english_whatever_the_language(world: dict) -> None:  # noqa: F811
    en = render_summary(world["summary"], "json", lang="en")
    fr = render_summary(world["summary"], "json", lang="fr")
    assert en == fr
    assert '"principles"' in fr and '"status"' in fr


def test_english_is_what_it_was(world: dict) -> None:  # noqa: F811
    """The English translator is the identity: output equals rendering with no language."""
    for name, (render, formats) in REPORTS.items():
        if name == "changes":
            continue
        for fmt in formats:
            tr = Translator("en")
            assert render(world[name], fmt, lang=tr) == render(world[name], fmt)
            assert tr.misses == []


def test_a_translator_is_per_report_not_per_process(world: dict) -> None:  # noqa: F811
    """Two reports rendered at once in two threads keep their own language."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(2) as pool:
        fr, en = pool.map(lambda lang: render_summary(world["summary"], "md", lang=lang),
                          ["fr", "en"])
    assert "Sommaire de la consultation" in fr and "Consultation summary" in en
    assert "Sommaire" not in en
    assert i18n.current().lang == "en"


def test_the_committed_mo_is_what_the_po_compiles_to() -> None:
    assert catalog.mo_path("fr").read_bytes() == catalog.compiled("fr"), (
        "the .mo is stale: python -m coalition_cli.i18n.catalog --update")


def test_every_message_the_code_writes_is_in_the_catalog() -> None:
    """The static half of the miss check: messages no test report happens to reach."""
    assert catalog.untranslated("fr") == []
    assert len(catalog.messages()) > 300


def test_catalog_tool_lists_what_is_untranslated() -> None:
    run = subprocess.run([sys.executable, "-m", "coalition_cli.i18n.catalog"],
                         capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "every message is translated" in run.stdout


def test_lang_option_of_the_commands(cli, coalition) -> None:  # noqa: ANN001
    cli.cwd = coalition.root
    for command in (["summary"], ["changes"], ["report", "r1"]):
        bad = cli(*command, "--lang", "de", code=2)
        assert bad.stderr.startswith("error:") and "'de'" in bad.stderr
    out = cli("changes", "--lang", "fr").stdout
    assert "Suivi des modifications" in out and "Tracked changes" not in out
