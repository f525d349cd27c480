"""`coalition demo` exercises every governance rule on the sample agenda (second round)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from coalition_cli.demo import run_demo


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("govdemo") / "demo"
    run_demo(folder, echo=lambda _line: None)
    return folder


def test_the_demo_shows_each_rule(demo: Path) -> None:
    reports = demo / "reports" / "governance"
    before = " ".join((reports / "summary-before-community-consent.md").read_text().split())
    assert "| P02 | Indigenous peoples govern their data |" in before
    assert "awaiting-community-consent" in before
    assert "Awaiting the consent of: Kinship Circle" in before
    summary = " ".join((reports / "summary.md").read_text().split())
    assert "Accepted by silence: 5 members" in summary  # P03: lazy consensus
    assert "their consent is given" in summary
    assert "held only by 2 organisations its author chose" in summary
    assert "withdrew consent to use" in summary and "Our board" not in summary
    report = " ".join((reports / "report.md").read_text().split())
    assert "## First Nations organisations" in report
    assert "Approved by: Kinship Circle" in report
    assert "Local Contexts Label" in report and "Traditional Knowledge Notice" in report
    assert "https://localcontextshub.org/projects/" in report


def test_the_demo_repository_verifies_and_keeps_round_one(demo: Path) -> None:
    import subprocess
    import sys

    repo = demo / "repository"
    out = subprocess.run([sys.executable, "-m", "coalition_cli", "verify", "--format", "json"],
                         cwd=repo, capture_output=True, text=True)
    assert out.returncode == 0 and json.loads(out.stdout)["ok"]
    r1 = json.loads((demo / "reports" / "summary.json").read_text())
    assert r1["round"]["id"] == "r1-first-draft"
    p02 = next(p for p in r1["principles"] if p["id"] == "P02")
    assert p02["status"] == "blocked" and p02["community"][0]["why"] == "block"
