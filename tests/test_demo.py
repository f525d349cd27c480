"""`coalition demo`, the main job: it builds a real, verifiable consultation and every report."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import pytest

from conftest import Cli

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    import os

    home = tmp_path_factory.mktemp("demo-home")
    folder = tmp_path_factory.mktemp("demo") / "out"
    env = {**os.environ, "HOME": str(home), "GIT_CONFIG_GLOBAL": str(home / "none"),
           "GIT_CONFIG_NOSYSTEM": "1", "NO_COLOR": "1"}
    result = subprocess.run(["python", "-m", "coalition_cli", "demo", str(folder)], env=env,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    return folder, result.stdout


def test_readme_first_command_runs_the_demo() -> None:
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    commands = [line for line in readme.splitlines() if line.startswith("pip install")][:2]
    assert "coalition demo" in commands[0]
    assert "pytest" in commands[1]
    ci = (Path(__file__).parent.parent / ".ci" / "run").read_text(encoding="utf-8")
    assert commands[1].split("#")[0].strip().replace("pip install", "python -m pip install -q") in ci


def test_every_named_report_exists_and_opens(demo: tuple[Path, str]) -> None:
    folder, stdout = demo
    named = [Path(line.strip()) for line in stdout.splitlines() if line.strip().startswith("/")]
    assert {p.name for p in named} >= {"summary.md", "summary.html", "summary.json",
                                       "summary.csv", "summary.docx", "report.md",
                                       "report.html", "report.docx", "report-data.csv",
                                       "changes.md", "changes.html", "changes.json",
                                       "changes.docx"}
    for path in named:
        assert path.is_file() and path.stat().st_size > 200, path
    summary = json.loads((folder / "reports" / "summary.json").read_text(encoding="utf-8"))
    statuses = {p["status"] for p in summary["principles"]}
    assert statuses == {"consensus", "contested", "blocked", "no-quorum"}
    assert summary["clusters"] and summary["clusters"][0]["size"] >= 4  # the template campaign
    assert summary["dispositions"]["awaiting"] == 0
    rows = list(csv.DictReader(io.StringIO((folder / "reports" / "summary.csv").read_text(encoding="utf-8-sig"))))
    assert len(rows) == len(summary["comments"])
    HTMLParser().feed((folder / "reports" / "summary.html").read_text(encoding="utf-8"))
    with zipfile.ZipFile(folder / "reports" / "changes.docx") as docx:
        body = docx.read("word/document.xml").decode("utf-8")
        assert "<w:ins " in body and "<w:del " in body
        assert "word/comments.xml" in docx.namelist()
    changes = json.loads((folder / "reports" / "changes.json").read_text(encoding="utf-8"))
    fates = {c["fate"] for c in changes["comments"]}
    assert {"anchored", "modified", "orphaned"} <= fates
    assert changes["stats"]["paragraphs_moved"] >= 1


def test_demo_repository_verifies_and_is_untouched_by_the_user(demo: tuple[Path, str]) -> None:
    folder, _ = demo
    repo = folder / "repository"
    cli = Cli(repo)
    result = cli("verify", "--format", "json")
    data = json.loads(result.stdout)
    assert data["ok"] is True and data["checked"] > 50
    tags = subprocess.run(["git", "-C", str(repo), "tag"], capture_output=True, text=True).stdout
    assert "coalition/r1-first-draft/draft" in tags and "coalition/r1-first-draft/closed" in tags
    assert (folder / "keys").is_dir()
    # private keys stay outside the repository
    tracked = subprocess.run(["git", "-C", str(repo), "ls-files"], capture_output=True, text=True).stdout
    assert "PRIVATE KEY" not in tracked and "keys/" not in tracked


def test_demo_refuses_a_folder_that_is_not_empty(tmp_path: Path) -> None:
    (tmp_path / "x").write_text("mine", encoding="utf-8")
    result = Cli(tmp_path)("demo", str(tmp_path), code=3)
    assert result.stderr.startswith("error: ") and "not empty" in result.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["x"]


A11Y = Path(__file__).parent / "a11y"


def _axe(files: list[Path]) -> tuple[int, list[dict]]:
    """Run tests/a11y/axe-check.js (axe-core in Debian's Chromium) over ``files``."""
    import shutil

    node, chromium = shutil.which("node"), shutil.which("chromium")
    ready = node and chromium and (A11Y / "node_modules" / "axe-core").is_dir() \
        and (A11Y / "node_modules" / "puppeteer-core").is_dir()
    if not ready:
        if os.environ.get("CI"):
            pytest.fail("the accessibility check needs node, chromium and `npm ci` in tests/a11y "
                        "(.ci/run installs them)")
        pytest.skip("node, chromium or tests/a11y/node_modules missing (npm ci --prefix tests/a11y)")
    env = {**os.environ, "CHROMIUM": chromium}
    proc = subprocess.run([node, str(A11Y / "axe-check.js"), *map(str, files)], env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode in (0, 1), proc.stderr
    return proc.returncode, json.loads(proc.stdout)


def test_every_html_report_of_the_demo_passes_axe_core(demo: tuple[Path, str], tmp_path: Path) -> None:
    folder, _ = demo
    pages = sorted((folder / "reports").glob("*.html"))
    assert {p.name for p in pages} == {"summary.html", "changes.html", "report.html"}
    # a control page with a contrast failure and an unlabelled image: the check must see them
    bad = tmp_path / "bad.html"
    bad.write_text('<!DOCTYPE html><html lang="en"><head><title>x</title></head><body><main>'
                   '<p style="color:#bbb;background:#fff">faint text</p>'
                   '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw="></main></body></html>',
                   encoding="utf-8")
    code, results = _axe([*pages, bad])
    by_file = {Path(r["file"]).name: r for r in results}
    assert {v["id"] for v in by_file["bad.html"]["violations"]} >= {"color-contrast", "image-alt"}
    for page in pages:
        result = by_file[page.name]
        assert result["passes"] > 10, page.name  # axe really ran its rules there
        assert result["violations"] == [], (page.name, result["violations"])
    assert code == 1  # only because of the control page


def _pdf_outline(pdf: bytes) -> list[str]:
    """The titles of a PDF's bookmarks (LibreOffice writes one per heading)."""
    import re

    titles = []
    for raw in re.findall(rb"/Title\s*(<[0-9A-Fa-f]+>|\((?:[^()\\]|\\.)*\))", pdf):
        if raw.startswith(b"<"):
            data = bytes.fromhex(raw[1:-1].decode())
            titles.append(data.decode("utf-16") if data[:2] == b"\xfe\xff" else data.decode("latin-1"))
        else:
            titles.append(raw[1:-1].decode("latin-1"))
    return titles


def test_summary_and_report_docx_open_in_libreoffice(demo: tuple[Path, str], tmp_path: Path) -> None:
    import shutil

    soffice = shutil.which("soffice")
    if soffice is None:
        if os.environ.get("CI"):
            pytest.fail("LibreOffice is needed (.ci/run installs it)")
        pytest.skip("LibreOffice not installed")
    folder, _ = demo
    docs = [folder / "reports" / "summary.docx", folder / "reports" / "report.docx"]
    env = {**os.environ, "HOME": str(tmp_path)}
    proc = subprocess.run([soffice, f"-env:UserInstallation={(tmp_path / 'lo').as_uri()}",
                           "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path),
                           *map(str, docs)], capture_output=True, text=True, timeout=300, env=env)
    assert proc.returncode == 0, proc.stderr
    summary = _pdf_outline((tmp_path / "summary.pdf").read_bytes())
    report = _pdf_outline((tmp_path / "report.pdf").read_bytes())
    for heading in ("Participation", "Principles", "How to read the statuses", "Unresolved",
                    "Integrity"):
        assert heading in summary, (heading, summary)
    assert any(t.startswith("P01 — ") for t in summary)
    for heading in ("How to read this report", "Executive summary", "The process", "Who took part",
                    "Method", "Principle by principle", "What members told us",
                    "What the coalition did", "Appendix: check this report yourself"):
        assert heading in report, (heading, report)


def test_the_report_appendix_commands_check_every_quote(demo: tuple[Path, str], tmp_path: Path) -> None:
    """Run the appendix's own commands in the demo repository, as a sceptical reader would."""
    import hashlib
    import shutil

    from coalition_cli.agenda import Agenda
    from coalition_cli.reports import build_report
    from coalition_cli.verify import verify

    if shutil.which("ssh-keygen") is None:
        pytest.skip("ssh-keygen not installed")
    folder, _ = demo
    repo = folder / "repository"
    data = build_report(Agenda.open(repo / "agenda"), verify(Agenda.open(repo / "agenda")),
                        "r1-first-draft")
    v = data["verification"]
    commands = {c["what"]: c["command"] for c in v["commands"]}
    allowed = Cli(repo)("member", "allowed-signers", "--at", v["commit"]).stdout
    (repo / "allowed_signers").write_text(allowed, encoding="utf-8")
    try:
        def sh(command: str) -> subprocess.CompletedProcess:
            return subprocess.run(["bash", "-c", command], cwd=repo, capture_output=True, text=True,
                                  timeout=120)

        closing = v["closing"]
        assert hashlib.sha256((repo / closing["path"]).read_bytes()).hexdigest() == closing["sha256"]
        hashes = sh(next(c for w, c in commands.items() if w.startswith("The closing manifest's hashes")))
        assert closing["sha256"] in hashes.stdout and closing["blob"] in hashes.stdout
        signed = sh(next(c for w, c in commands.items() if "closing manifest's signature" in w))
        assert signed.returncode == 0 and "Good" in signed.stderr + signed.stdout
        every = sh(next(c for w, c in commands.items() if w.startswith("Every comment record")))
        assert every.returncode == 0 and "FAILED" not in every.stdout
        grep = next(c for w, c in commands.items() if w.startswith("Find the signed comment"))
        assert v["phrases"]
        for row in v["phrases"]:
            found = sh(grep.replace("PHRASE", row["phrase"]))
            assert found.returncode == 0, row
            if row["path"]:  # a public comment: the very record named beside it
                assert row["path"] in found.stdout, row
    finally:
        (repo / "allowed_signers").unlink()


def test_the_demo_is_bilingual(demo: tuple[Path, str]) -> None:
    """Every sample principle in both languages, French comments kept in French, P06's French
    text left out of date on purpose, and the reports in French and side by side."""
    folder, stdout = demo
    assert "translated 10 principles into French" in stdout
    assert "French text left out of date on purpose: P06" in stdout
    repo = folder / "repository"
    listed = json.loads(Cli(repo)("principle", "list", "--format", "json").stdout)
    assert {p["id"]: p["fr"] for p in listed if p["fr"] != "up to date"} == {"P06": "out of date"}
    fr = folder / "reports" / "fr"
    assert {p.name for p in fr.iterdir()} == {f"{r}.{x}" for r in ("summary", "report", "changes")
                                              for x in ("md", "html", "docx")}
    report = (fr / "report.md").read_text(encoding="utf-8")
    assert report.startswith("# Ce que nous avons entendu, ce que nous avons fait")
    assert "Remarque de forme seulement." in report  # Geneviève Roy's comment, in French
    assert "Many of our patients have no provincial health coverage" in report  # and in English
    changes = (fr / "changes.md").read_text(encoding="utf-8")
    assert "Cette traduction n’est plus à jour" in changes  # P06
    page = (fr / "summary.html").read_text(encoding="utf-8")
    assert '<html lang="fr">' in page and 'lang="fr">Remarque de forme' in page
    both = (folder / "reports" / "en-fr" / "summary.html").read_text(encoding="utf-8")
    assert both.count('class="side-by-side"') == 10


def test_the_demos_french_and_bilingual_pages_pass_axe_core(demo: tuple[Path, str]) -> None:
    folder, _ = demo
    pages = sorted((folder / "reports" / "fr").glob("*.html")) + sorted(
        (folder / "reports" / "en-fr").glob("*.html"))
    assert len(pages) == 5
    code, results = _axe(pages)
    for result in results:
        assert result["passes"] > 10, result["file"]
        assert result["violations"] == [], (result["file"], result["violations"])
    assert code == 0


def test_the_demos_governance_pages_pass_axe_core(demo: tuple[Path, str]) -> None:
    """The second round's reports (community consent, holders, Local Contexts, distinctions
    sections and approvals) are as accessible as the first round's."""
    folder, _ = demo
    pages = sorted((folder / "reports" / "governance").glob("*.html"))
    assert [p.name for p in pages] == ["report.html"], pages
    code, results = _axe(pages)
    for result in results:
        assert result["passes"] > 10, result["file"]
        assert result["violations"] == [], (result["file"], result["violations"])
    assert code == 0
