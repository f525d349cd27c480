"""Principles in each language of the agenda: one signed text per language, governed by the
trust ledger like the reference text, out of date when the reference changes.

Every test builds its own bilingual agenda (``coalition`` fixture, then ``languages: [en, fr]``)
and drives the command surface through ``CliRunner``; the attacks use plain git and stock
``ssh-keygen``, which is all a member with push access has.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from conftest import Cli, Coalition, git, repo_state
from test_attacks import caught, commit, edit, refused, ssh_sign, verify

A = "agenda"
FR_TITLE = "L’avantage collectif d’abord"
FR_BODY = ("La réutilisation des données doit servir la collectivité.\n\n"
           "La coalition s’engage à « rendre compte » chaque année, en public, de chaque entente.")


def run(c: Coalition, *args: str, who: str = "sec", code: int | None = 0):
    return Cli(c.root)(*args, env={"COALITION_KEY": str(c.key(who))}, code=code)


def data(c: Coalition, *args: str, who: str = "sec"):  # noqa: ANN201
    return json.loads(run(c, *args, "--format", "json", who=who).stdout)


@pytest.fixture
def bilingual(coalition: Coalition) -> Coalition:
    run(coalition, "config", "set", "languages", "en,fr")
    run(coalition, "principle", "edit", "P01", "--lang", "fr", "--title", FR_TITLE,
        "--body", FR_BODY)
    return coalition


def fr_path(c: Coalition, pid: str = "P01") -> str:
    [path] = (c.root / A / "principles").glob(f"{pid}-*.fr.md")
    return path.relative_to(c.root).as_posix()


def test_a_translation_is_its_own_signed_file_beside_the_reference(bilingual: Coalition) -> None:
    c = bilingual
    rel = fr_path(c)
    assert rel.endswith(".fr.md") and (c.root / f"{rel}.sig").is_file()
    shown = data(c, "principle", "show", "P01", "--lang", "fr")
    assert (shown["title"], shown["body"].strip()) == (FR_TITLE, FR_BODY)
    assert shown["verified"] is True and shown["status"] == "up to date"
    english = data(c, "principle", "show", "P01")
    assert english["title"] == "Community benefit"  # the reference is untouched
    assert len(data(c, "principle", "list")) == 3  # a translation is not a fourth principle
    verify(c.root, code=0)


def test_out_of_date_when_the_reference_changes(bilingual: Coalition) -> None:
    c = bilingual
    row = data(c, "principle", "list")[0]
    assert (row["id"], row["fr"]) == ("P01", "up to date")
    assert data(c, "principle", "list")[1]["fr"] == "missing"
    run(c, "principle", "edit", "P01", "--body", "Data reuse must serve the community first.")
    assert data(c, "principle", "list")[0]["fr"] == "out of date"
    assert data(c, "principle", "show", "P01", "--lang", "fr")["status"] == "out of date"
    shown = run(c, "principle", "show", "P01", "--lang", "fr")
    assert "out of date" in shown.stderr
    # round open warns about every language version that is not up to date, then opens
    opened = run(c, "round", "open", "r1", "--title", "First", "--closes", "2099-01-01")
    assert "warning: the fr text of P01 is out of date" in opened.stderr
    assert "warning: the fr text of P02 is missing" in opened.stderr
    # revising the translation brings it up to date
    run(c, "principle", "edit", "P01", "--lang", "fr", "--body", FR_BODY + "\n\nD’abord.")
    assert data(c, "principle", "list")[0]["fr"] == "up to date"
    verify(c.root, code=0)


def test_history_and_show_at_per_language(bilingual: Coalition) -> None:
    c = bilingual
    run(c, "round", "open", "r1", "--title", "First", "--closes", "2099-01-01")
    run(c, "principle", "edit", "P01", "--lang", "fr", "--title", "Le bien commun d’abord")
    assert data(c, "principle", "show", "P01", "--lang", "fr")["title"] == "Le bien commun d’abord"
    # the round's draft covers every language version
    at_draft = data(c, "principle", "show", "P01", "--lang", "fr", "--at", "r1")
    assert at_draft["title"] == FR_TITLE
    assert data(c, "principle", "show", "P01", "--lang", "fr", "--at", "HEAD~1")["title"] == FR_TITLE
    log = data(c, "principle", "log", "P01", "--lang", "fr")
    assert [r["message"].split(":")[0] for r in log] == ["principle P01 (fr)"] * 2
    assert "revise" in log[0]["message"] and "add" in log[1]["message"]
    english_log = data(c, "principle", "log", "P01")
    assert all("(fr)" not in r["message"] for r in english_log)


@pytest.mark.parametrize("args, words", [
    (("principle", "edit", "P01", "--lang", "de", "--title", "x", "--body", "y"),
     "not a language of this agenda (en, fr)"),
    (("principle", "edit", "P01", "--lang", "xx", "--title", "x", "--body", "y"),
     "'xx' is not a language code"),
    (("principle", "edit", "P01", "--lang", "français", "--body", "y"), "not a language code"),
    (("principle", "show", "P02", "--lang", "de"), "not a language of this agenda"),
    (("principle", "add", "Nouveau", "--lang", "fr", "--body", "y"), "reference language"),
    (("config", "set", "languages", "en,klingon"), "not a language code"),
    (("config", "set", "languages", "en,fr,en"), "listed twice"),
])
def test_bad_language_input_is_one_line_and_writes_nothing(bilingual: Coalition, args: tuple,
                                                           words: str) -> None:
    c = bilingual
    before = repo_state(c.root)
    result = run(c, *args, code=None)
    assert result.exit_code in (2, 3), (result.exit_code, result.stderr)
    first, *rest = result.stderr.splitlines()
    assert first.startswith("error: ") and words in first, result.stderr
    assert all(line.startswith("hint: ") for line in rest)
    assert repo_state(c.root) == before


def test_a_new_translation_needs_a_title_and_a_missing_one_is_named(bilingual: Coalition) -> None:
    c = bilingual
    before = repo_state(c.root)
    result = run(c, "principle", "edit", "P02", "--lang", "fr", "--body", "x", code=3)
    assert "no fr text yet" in result.stderr and repo_state(c.root) == before
    result = run(c, "principle", "show", "P02", "--lang", "fr", code=3)
    assert "P02 has no fr text yet" in result.stderr


def test_init_with_languages(cli: Cli, tmp_path: Path) -> None:
    from conftest import make_key

    key = make_key(tmp_path / "keys", "sec")
    cli("init", tmp_path / "new", "--name", "Coalition bilingue", "--facilitator", "sec",
        "--key", key, "--languages", "en,fr")
    cli.cwd = tmp_path / "new"
    shown = json.loads(cli("config", "show", "--format", "json").stdout)
    assert shown["languages"] == ["en", "fr"]
    bad = cli("init", tmp_path / "other", "--name", "X", "--facilitator", "sec", "--key", key,
              "--languages", "en,zz", code=None)
    assert bad.exit_code == 2 and "'zz' is not a language code" in bad.stderr
    assert not (tmp_path / "other").exists()


# --- the attacker: a member with push access and plain git ------------------------------------

needs_ssh = pytest.mark.skipif(shutil.which("ssh-keygen") is None, reason="needs OpenSSH")


@needs_ssh
@pytest.mark.parametrize("how, kind", [("edited", "bad-signature"), ("sig-deleted", "unsigned"),
                                       ("member-signed", "not-permitted")])
def test_a_members_plain_git_edit_of_a_translation_is_rejected(bilingual: Coalition, how: str,
                                                               kind: str) -> None:
    c = bilingual
    rel = fr_path(c)
    edit(c.root, rel, "doit servir la collectivité", "doit servir les bailleurs de fonds")
    if how == "sig-deleted":
        (c.root / f"{rel}.sig").unlink()
    elif how == "member-signed":
        ssh_sign(c.key("health"), c.root / rel)
    commit(c.root, "petite correction")
    caught(c.root, rel, kind)
    # writes refuse, nothing written; listings say the text is not the facilitators'
    refused(c.root, "principle", "edit", "P02", "--body", "x", key=c.key("sec"))
    row = data(c, "principle", "list")[0] if how != "sig-deleted" else None
    if row is not None:
        assert row["fr"].endswith("not verified")


@needs_ssh
def test_a_member_cannot_plant_a_translation(bilingual: Coalition) -> None:
    c = bilingual
    planted = c.root / A / "principles" / "P02-privacy.fr.md"
    planted.write_text("---\nid: P02\nlang: fr\ntitle: Vie privée\nsource: " + "0" * 64
                       + "\n---\n\nLes données appartiennent aux bailleurs.\n", encoding="utf-8")
    ssh_sign(c.key("health"), planted)
    commit(c.root, "traduction")
    caught(c.root, planted.relative_to(c.root).as_posix(), "not-permitted")


@needs_ssh
def test_an_older_signed_translation_cannot_come_back(bilingual: Coalition) -> None:
    c = bilingual
    rel = fr_path(c)
    old = (c.root / rel).read_bytes(), (c.root / f"{rel}.sig").read_bytes()
    run(c, "principle", "edit", "P01", "--lang", "fr", "--title", "Le bien commun d’abord")
    (c.root / rel).write_bytes(old[0])
    (c.root / f"{rel}.sig").write_bytes(old[1])
    commit(c.root, "revert to the better title")
    caught(c.root, rel, "rollback")


@needs_ssh
def test_a_second_french_text_of_one_principle_is_a_duplicate(bilingual: Coalition) -> None:
    c = bilingual
    rel = fr_path(c)
    copy = rel.replace("P01-", "P01-autre-")
    shutil.copy(c.root / rel, c.root / copy)
    shutil.copy(c.root / f"{rel}.sig", c.root / f"{copy}.sig")
    commit(c.root, "copie")
    caught(c.root, copy, "duplicate-id")


def test_the_translation_file_format(bilingual: Coalition) -> None:
    from coalition_cli.translations import source_digest

    c = bilingual
    text = (c.root / fr_path(c)).read_text(encoding="utf-8")
    head = text.split("\n---\n", 1)[0]
    assert "lang: fr" in head or '"lang": "fr"' in head or "lang: \"fr\"" in head
    digest = source_digest("Community benefit", "Data reuse must serve the community.\n\nThe "
                           "coalition commits to annual public reporting on every agreement.")
    assert digest in head
    assert FR_BODY in text
    git(c.root, "status")  # the repository is still sound


def test_reports_show_each_principle_in_the_reports_language(bilingual: Coalition) -> None:
    c = bilingual
    run(c, "principle", "edit", "P02", "--lang", "fr", "--title", "Vie privée",
        "--body", "Les données personnelles sont protégées.")
    run(c, "principle", "edit", "P02", "--body", "Personal data is protected, always.")
    run(c, "round", "open", "r1", "--title", "First", "--closes", "2099-01-01")
    fr = run(c, "summary", "--lang", "fr", "--format", "md").stdout
    assert FR_TITLE in fr and "La réutilisation des données doit servir" in fr
    assert "Vie privée" in fr and "Cette traduction n’est plus à jour" in fr  # P02: stale
    assert "Ce principe n’est pas encore traduit" in fr  # P03: English, said so
    en = run(c, "summary", "--format", "md").stdout
    assert FR_TITLE not in en and "Community benefit" in en and "traduction" not in en
    page = run(c, "summary", "--lang", "fr", "--format", "html").stdout
    assert '<html lang="fr">' in page
    assert 'lang="en">Indigenous data sovereignty</span>' in page  # the English fallback
    report = run(c, "report", "r1", "--lang", "fr", "--format", "md").stdout
    assert FR_TITLE in report and "Cette traduction n’est plus à jour" in report
    data_json = json.loads(run(c, "summary", "--format", "json").stdout)
    assert data_json["languages"] == ["en", "fr"]
    p2 = data_json["principles"][1]["translations"]["fr"]
    assert p2["out_of_date"] is True and p2["title"] == "Vie privée"


# --- comments keep their language ---------------------------------------------------------------

FR_COMMENT = ("« Chaque année », c’est trop lent : les collectivités doivent réagir à temps.\n\n"
              "Œuvrons ensemble — ça dépend de nous ; déjà vu ? Ç’a été dit.")


@pytest.fixture
def consulting(bilingual: Coalition) -> Coalition:
    run(bilingual, "round", "open", "r1", "--title", "Premier", "--closes", "2099-01-01")
    return bilingual


def _record(c: Coalition, member: str, cid: str) -> Path:
    [path] = (c.root / A / "rounds" / "r1" / "comments" / member).glob(f"{cid}*.yaml")
    return path


@needs_ssh
def test_a_french_comment_round_trips_byte_exact_through_signing(consulting: Coalition,
                                                                 tmp_path: Path) -> None:
    import subprocess

    c = consulting
    cid = run(c, "comment", "add", "-p", "P01", "-s", "amend", "--lang", "fr",
              "--quote", "« rendre compte »", "--propose", "rendre compte chaque trimestre",
              "--text", FR_COMMENT, who="health").stdout.strip().split()[-1]
    path = _record(c, "health", cid[:8])
    raw = path.read_bytes()
    assert FR_COMMENT.encode("utf-8") in raw or json.dumps(FR_COMMENT, ensure_ascii=False
                                                            ).encode() in raw
    shown = data(c, "comment", "show", cid[:8])
    assert shown["text"] == FR_COMMENT and shown["lang"] == "fr"
    assert shown["anchor"]["quote"] == "« rendre compte »"
    # stock OpenSSH agrees with the signature over those exact bytes
    signers = tmp_path / "allowed_signers"
    signers.write_text(run(c, "member", "allowed-signers").stdout, encoding="utf-8")
    proc = subprocess.run(["ssh-keygen", "-Y", "verify", "-f", str(signers), "-I", "health",
                           "-n", "coalition-cli", "-s", f"{path}.sig"], input=raw,
                          capture_output=True, timeout=30)
    assert proc.returncode == 0, proc.stderr
    verify(c.root, code=0)


def test_a_quote_must_be_in_the_language_version_it_claims(consulting: Coalition) -> None:
    c = consulting
    before = repo_state(c.root)
    english_quote = "annual public reporting"
    bad = run(c, "comment", "add", "-p", "P01", "-s", "amend", "--lang", "fr", "--quote",
              english_quote, "--text", "Trop lent.", who="health", code=3)
    first = bad.stderr.splitlines()[0]
    assert first.startswith("error: ") and "in the fr text of P01" in first
    assert repo_state(c.root) == before
    none = run(c, "comment", "add", "-p", "P02", "-s", "amend", "--lang", "fr", "--quote",
               "Personal data", "--text", "x", who="health", code=3)
    assert "P02 has no fr text in round 'r1'" in none.stderr
    wrong = run(c, "comment", "add", "-p", "P01", "-s", "support", "--lang", "de", who="health",
                code=2)
    assert "not a language of this agenda (en, fr)" in wrong.stderr
    assert repo_state(c.root) == before
    # the English version still takes English quotes
    run(c, "comment", "add", "-p", "P01", "-s", "amend", "--lang", "en", "--quote",
        english_quote, "--text", "Too slow.", who="fund")


def test_the_language_defaults_from_the_members_setting_or_locale(consulting: Coalition) -> None:
    c = consulting
    env = {"COALITION_KEY": str(c.key("health")), "COALITION_LANG": "fr"}
    cid = Cli(c.root)("comment", "add", "-p", "P03", "-s", "support", "--text", "Oui.",
                      env=env).stdout.strip().split()[-1]
    assert data(c, "comment", "show", cid[:8])["lang"] == "fr"
    env = {"COALITION_KEY": str(c.key("fund")), "LC_ALL": "fr_CA.UTF-8"}
    cid = Cli(c.root)("comment", "add", "-p", "P03", "-s", "support", "--text", "Oui.",
                      env=env).stdout.strip().split()[-1]
    assert data(c, "comment", "show", cid[:8], who="fund")["lang"] == "fr"
    env = {"COALITION_KEY": str(c.key("youth")), "LC_ALL": "de_DE.UTF-8"}
    cid = Cli(c.root)("comment", "add", "-p", "P03", "-s", "support", "--text", "Yes.",
                      env=env).stdout.strip().split()[-1]
    assert data(c, "comment", "show", cid[:8], who="youth")["lang"] == "en"  # the reference


def test_reports_show_comments_in_their_own_language_with_lang_attributes(
        consulting: Coalition) -> None:
    c = consulting
    run(c, "comment", "add", "-p", "P01", "-s", "amend", "--lang", "fr", "--quote",
        "« rendre compte »", "--text", FR_COMMENT, who="health")
    run(c, "comment", "add", "-p", "P01", "-s", "support", "--lang", "en",
        "--text", "We agree with this.", who="fund")
    for lang in ("en", "fr"):
        page = run(c, "summary", "--lang", lang, "--format", "html").stdout
        assert f'<html lang="{lang}">' in page
        assert 'lang="fr">« Chaque année »' in page.replace("&#34;", '"') or \
            'lang="fr">&laquo;' in page or 'lang="fr">« Chaque' in page
        assert 'lang="en">We agree with this.' in page
        md = run(c, "summary", "--lang", lang, "--format", "md").stdout
        assert "c’est trop lent" in md and "We agree with this." in md  # never translated
    report = run(c, "report", "r1", "--lang", "en", "--format", "html").stdout
    assert 'lang="fr"><p>“« Chaque année »' in report


def test_changes_per_language_reanchor_each_comment_in_its_own_text(
        consulting: Coalition) -> None:
    c = consulting
    run(c, "comment", "add", "-p", "P01", "-s", "amend", "--lang", "fr", "--quote",
        "« rendre compte »", "--text", "Trop vague.", who="health")
    run(c, "comment", "add", "-p", "P01", "-s", "amend", "--lang", "en", "--quote",
        "annual public reporting", "--text", "Too slow.", who="fund")
    run(c, "principle", "edit", "P01", "--lang", "fr", "--body",
        FR_BODY.replace("« rendre compte »", "publier un bilan"))
    fr = json.loads(run(c, "changes", "--from", "r1", "--lang", "fr", "--format", "json").stdout)
    assert fr["lang"] == "fr"
    [p1] = [p for p in fr["principles"] if p["id"] == "P01"]
    assert p1["status"] == "modified" and p1["title"] == FR_TITLE
    deleted = " ".join(op["text"] for op in p1["ops"] if op["op"] == "delete")
    assert "rendre compte" in deleted
    fates = {c_["lang"]: c_["fate"] for c_ in fr["comments"]}
    assert fates == {"fr": "orphaned", "en": "anchored"}  # each in its own language's text
    en = json.loads(run(c, "changes", "--from", "r1", "--format", "json").stdout)
    [p1en] = [p for p in en["principles"] if p["id"] == "P01"]
    assert p1en["status"] == "unchanged"
    assert {c_["lang"]: c_["fate"] for c_ in en["comments"]} == fates
    text = run(c, "changes", "--from", "r1", "--lang", "fr").stdout
    assert "[-" in text and "rendre compte" in text and "Suivi des modifications" in text


def test_word_tracked_changes_of_the_french_text(consulting: Coalition, tmp_path: Path) -> None:
    """`changes --lang fr --format docx`: real w:del/w:ins of the French text, the French
    comment as a Word comment at its anchor; the English redline shows none of it."""
    import zipfile

    c = consulting
    run(c, "comment", "add", "-p", "P01", "-s", "amend", "--lang", "fr", "--quote",
        "« rendre compte »", "--text", "Trop vague.", who="health")
    run(c, "principle", "edit", "P01", "--lang", "fr", "--body",
        FR_BODY.replace("« rendre compte »", "publier un bilan"))
    out = tmp_path / "changes-fr.docx"
    run(c, "changes", "--from", "r1", "--lang", "fr", "--format", "docx", "--output", str(out))
    with zipfile.ZipFile(out) as z:
        xml = z.read("word/document.xml").decode()
        comments = z.read("word/comments.xml").decode()
    deleted = "".join(re.findall(r"<w:del\b.*?</w:del>", xml, flags=re.S))
    inserted = "".join(re.findall(r"<w:ins\b.*?</w:ins>", xml, flags=re.S))
    assert "rendre" in deleted and "compte" in deleted
    assert "publier" in inserted and "bilan" in inserted
    assert "Trop vague." in comments
    en = tmp_path / "changes-en.docx"
    run(c, "changes", "--from", "r1", "--format", "docx", "--output", str(en))
    en_xml = zipfile.ZipFile(en).read("word/document.xml").decode()
    assert "publier" not in "".join(re.findall(r"<w:ins\b.*?</w:ins>", en_xml, flags=re.S))


# --- the bilingual layout: the two versions side by side ---------------------------------------


@pytest.fixture
def answered(consulting: Coalition) -> Coalition:
    c = consulting
    run(c, "comment", "add", "-p", "P01", "-s", "amend", "--lang", "fr", "--quote",
        "« rendre compte »", "--text", FR_COMMENT, who="health")
    run(c, "comment", "add", "-p", "P01", "-s", "support", "--lang", "en",
        "--text", "We agree with this.", who="fund")
    return c


def test_side_by_side_html_and_docx(answered: Coalition, tmp_path: Path) -> None:
    import zipfile

    c = answered
    page = run(c, "summary", "--lang", "en,fr", "--format", "html").stdout
    assert '<html lang="en">' in page and 'class="side-by-side"' in page
    assert f'<div lang="fr"><h4 lang="en">French</h4><p dir="auto"><strong>{FR_TITLE}' in page
    assert '<div lang="en"><h4 lang="en">English</h4>' in page
    fr_first = run(c, "report", "r1", "--lang", "fr,en", "--format", "html").stdout
    assert '<html lang="fr">' in fr_first and '<h4 lang="fr">anglais</h4>' in fr_first
    out = tmp_path / "summary.docx"
    run(c, "summary", "--lang", "en,fr", "--format", "docx", "--output", str(out))
    xml = zipfile.ZipFile(out).read("word/document.xml").decode()
    assert 'w:val="fr-CA"' in xml and "La réutilisation des données" in xml
    bad = run(c, "summary", "--lang", "en,fr", "--format", "md", code=2)
    assert "html or docx" in bad.stderr
    assert run(c, "changes", "--lang", "en,fr", code=2).stderr.startswith("error: ")


def test_bilingual_pages_pass_axe_core_in_chromium(answered: Coalition, tmp_path: Path) -> None:
    from test_demo import _axe

    c = answered
    pages = []
    for name, args in (("summary-en-fr", ("summary", "--lang", "en,fr")),
                       ("summary-fr", ("summary", "--lang", "fr")),
                       ("report-fr-en", ("report", "r1", "--lang", "fr,en")),
                       ("report-fr", ("report", "r1", "--lang", "fr")),
                       ("changes-fr", ("changes", "--from", "r1", "--lang", "fr"))):
        page = tmp_path / f"{name}.html"
        run(c, *args, "--format", "html", "--output", str(page))
        pages.append(page)
    code, results = _axe(pages)
    for result in results:
        assert result["passes"] > 10, result["file"]
        assert result["violations"] == [], (result["file"], result["violations"])
    assert code == 0


def test_side_by_side_docx_opens_in_libreoffice(answered: Coalition, tmp_path: Path) -> None:
    import os
    import subprocess

    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice not installed")
    c = answered
    doc = tmp_path / "report.docx"
    run(c, "report", "r1", "--lang", "fr,en", "--format", "docx", "--output", str(doc))
    proc = subprocess.run([soffice, f"-env:UserInstallation={(tmp_path / 'lo').as_uri()}",
                           "--headless", "--convert-to", "txt:Text (encoded):UTF8",
                           "--outdir", str(tmp_path), str(doc)], capture_output=True, text=True,
                          timeout=300, env={**os.environ, "HOME": str(tmp_path)})
    assert proc.returncode == 0, proc.stderr
    text = (tmp_path / "report.txt").read_text(encoding="utf-8-sig")
    assert "Le principe dans chaque langue" in text
    assert FR_TITLE in text and "Community benefit" in text
    assert "La réutilisation des données doit servir la collectivité." in text
