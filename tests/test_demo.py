"""`coalition demo`, the main job: it builds a real, verifiable consultation and every report."""

from __future__ import annotations

import csv
import io
import json
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
                                       "summary.csv", "changes.md", "changes.html",
                                       "changes.json", "changes.docx"}
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
