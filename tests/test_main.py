"""The real entry point: usage errors are one `error:` line and a `hint:`, exit 2."""

from __future__ import annotations

import subprocess
import sys

import pytest


def run(*args: str, cwd=None) -> subprocess.CompletedProcess[str]:  # noqa: ANN001
    return subprocess.run([sys.executable, "-m", "coalition_cli", *args], capture_output=True,
                          text=True, timeout=60, cwd=cwd)


@pytest.mark.parametrize("args", [("comment", "add", "--bogus"), ("nope",),
                                  ("comment", "add"), ("round", "open")])
def test_usage_errors_are_one_line_and_exit_2(args: tuple[str, ...]) -> None:
    result = run(*args)
    assert result.returncode == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 2 and lines[0].startswith("error: ") and lines[1].startswith("hint: ")
    assert "Traceback" not in result.stderr and result.stdout == ""


def test_no_arguments_shows_the_help() -> None:
    result = run()
    assert result.returncode == 0
    assert "Usage: " in result.stdout and "comment" in result.stdout


def test_library_errors_keep_their_exit_codes(tmp_path) -> None:  # noqa: ANN001
    result = run("principle", "list", cwd=tmp_path)
    assert result.returncode == 3
    assert result.stderr.startswith("error: ") and "hint: " in result.stderr
