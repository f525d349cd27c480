"""Smaller holes of the audit (issue 10): an interrupted rebase, an interrupted write,
escape sequences in error lines, the editor's temporary file."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from datetime import timedelta
from pathlib import Path

import pytest

from coalition_cli import actions
from coalition_cli.model import now
from coalition_cli.store import Git

from conftest import Coalition, git, repo_state  # noqa: I001


@pytest.fixture
def open_round(cli, coalition: Coalition) -> Coalition:
    actions.round_open(coalition.agenda, coalition.who("sec"), "r1", title="Round one",
                       closes=now() + timedelta(days=10))
    cli.cwd = coalition.root
    return coalition


def comment_args(c: Coalition, member: str = "health", text: str = "A comment.") -> list:
    return ["comment", "add", "-p", "P01", "-s", "support", "--text", text,
            "--key", c.key(member)]


# --- a sync killed mid-rebase -----------------------------------------------------------


def interrupted_rebase(root: Path) -> None:
    """A real rebase, killed by SIGKILL after its first step (as a killed sync leaves it)."""
    proc = subprocess.run(["git", "rebase", "--no-ff", "-x", "kill -KILL $PPID", "HEAD~2"],
                          cwd=root, capture_output=True)
    assert proc.returncode != 0
    assert (root / ".git" / "rebase-merge").is_dir()
    assert git(root, "rev-parse", "--abbrev-ref", "HEAD").strip() == "HEAD"  # detached


def test_a_write_in_the_middle_of_a_rebase_is_refused(cli, open_round: Coalition) -> None:
    c = open_round
    interrupted_rebase(c.root)
    before = repo_state(c.root)
    for args in (comment_args(c), ["principle", "add", "Another", "--body", "Text.",
                                   "--key", c.key("sec")]):
        result = cli(*args, code=5)
        lines = result.stderr.splitlines()
        assert len(lines) == 2, result.stderr
        assert lines[0].startswith("error: a git rebase is in progress"), result.stderr
        assert "git rebase --continue" in lines[1] and "git rebase --abort" in lines[1]
        assert result.stdout == ""
    assert repo_state(c.root) == before  # nothing committed on the detached HEAD
    result = cli("sync", code=5)
    assert result.stderr.startswith("error: a git rebase is in progress")
    git(c.root, "rebase", "--abort")
    cli(*comment_args(c))  # back on the branch: the same command works
    assert git(c.root, "log", "-1", "--format=%s").startswith("comment ")


def test_a_write_on_a_detached_head_is_refused(cli, open_round: Coalition) -> None:
    c = open_round
    git(c.root, "checkout", "-q", "--detach", "HEAD")
    before = repo_state(c.root)
    result = cli(*comment_args(c), code=5)
    assert result.stderr.startswith("error: HEAD is detached"), result.stderr
    assert "git switch" in result.stderr
    assert repo_state(c.root) == before


def test_the_branch_is_read_from_the_head_file_as_git_names_it(open_round: Coalition) -> None:
    """``branch()`` (what ``verify`` pins against the remote-tracking refs of) reads the
    HEAD file, no git process; it is git's answer whatever the branch's name, None on a
    detached HEAD, and git's own when the file cannot be read."""
    c = open_round
    for name in ("feature/deep/name", "main"):
        git(c.root, "checkout", "-q", "-B", name)
        repo = Git.discover(c.root)
        assert repo.branch() == name == git(c.root, "symbolic-ref", "--short", "HEAD").strip()
    repo._head_file = c.root / "no-such-file"  # noqa: SLF001 - git asked instead
    assert repo.branch() == "main"
    git(c.root, "checkout", "-q", "--detach", "HEAD")
    assert Git.discover(c.root).branch() is None


# --- a write killed between moving the branch and updating the index ---------------------


KILLED_WRITE = textwrap.dedent("""
    import os, sys
    from coalition_cli import store
    store.Git._checkout_paths = lambda self, changes: os._exit(9)  # killed right after update-ref
    from coalition_cli.cli import main
    sys.argv = ["coalition", *sys.argv[1:]]
    main()
""")


def killed_after_update_ref(c: Coalition, *args: str | Path) -> str:
    """Run a write that dies right after the branch moved; return the new record's path."""
    before = git(c.root, "rev-parse", "HEAD").strip()
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    proc = subprocess.run([sys.executable, "-c", KILLED_WRITE, *map(str, args)], cwd=c.root,
                          env=env, capture_output=True, timeout=120)
    assert proc.returncode == 9, proc.stderr
    assert git(c.root, "rev-parse", "HEAD").strip() != before  # the commit landed...
    added = git(c.root, "diff-tree", "-r", "--no-commit-id", "--name-only", "HEAD").split()
    record = next(p for p in added if p.endswith(".yaml"))
    assert not (c.root / record).exists()  # ...but not in the working tree and index
    assert git(c.root, "status", "--porcelain").strip()
    return record


@pytest.mark.parametrize("command", [["comment", "list"], ["verify"], ["summary"]])
def test_the_next_command_repairs_an_interrupted_write(cli, open_round: Coalition,
                                                       command: list[str]) -> None:
    c = open_round
    record = killed_after_update_ref(c, *comment_args(c))
    cli(*command)  # a read command, not only the next write
    assert git(c.root, "status", "--porcelain", "--untracked-files=all") == ""
    assert (c.root / record).read_bytes() == git(c.root, "show", f"HEAD:{record}").encode()
    assert not list((c.root / ".git" / "coalition").glob("checkout-pending-*"))


def test_an_interrupted_write_rebased_since_is_still_repaired(open_round: Coalition) -> None:
    """The commit a killed write made was since replaced by a copy (as a sync's rebase
    does): its files are in HEAD, so the next command still brings them into the index."""
    c = open_round
    record = killed_after_update_ref(c, *comment_args(c))
    head = git(c.root, "rev-parse", "HEAD").strip()
    copy = subprocess.run(["git", "commit-tree", f"{head}^{{tree}}", "-p", f"{head}^", "-m",
                           "the same files, rebased"], cwd=c.root, capture_output=True,
                          text=True, check=True).stdout.strip()
    git(c.root, "update-ref", "HEAD", copy)
    Git(c.root).recover()
    assert git(c.root, "status", "--porcelain", "--untracked-files=all") == ""
    assert (c.root / record).is_file()


def test_a_sync_after_an_interrupted_write_keeps_the_record(cli, open_round: Coalition,
                                                            tmp_path: Path) -> None:
    c = open_round
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(remote))
    git(c.root, "remote", "add", "origin", str(remote))
    git(c.root, "push", "-q", "origin", "main")
    other = tmp_path / "other"
    git(tmp_path, "clone", "-q", str(remote), str(other))
    other_cli = type(cli)(other)
    other_cli(*comment_args(c, "youth", "From another clone."))
    other_cli("sync")
    record = killed_after_update_ref(c, *comment_args(c))
    cli("sync")
    assert git(c.root, "status", "--porcelain", "--untracked-files=all") == ""
    assert (c.root / record).is_file()
    assert record in git(c.root, "ls-tree", "-r", "--name-only", "origin/main")


# --- error lines never drive the terminal ------------------------------------------------

ESCAPES = "\x1b]0;owned\x07\x1b[2J\x1b[31m\x9b1m\r\x08\u202e"


def assert_clean_error(stderr: str, shown: tuple[str, ...] = ("]0;owned", "[2J", "[31m")
                       ) -> list[str]:
    lines = stderr.splitlines()
    assert lines and lines[0].startswith("error: ") and len(lines) <= 2, stderr
    assert all(line.startswith(("error: ", "hint: ")) for line in lines), stderr
    for bad in ("\x1b", "\x07", "\x9b", "\r", "\x08", "\u202e", *shown):
        assert bad not in stderr, (bad, stderr)
    return lines


def test_error_lines_strip_escapes_from_ids_paths_and_git(cli, open_round: Coalition) -> None:
    c = open_round
    lines = assert_clean_error(cli("comment", "show", f"ab{ESCAPES}cd", code=3).stderr)
    assert "ab" in lines[0] and "cd" in lines[0]  # the id is still recognisable
    lines = assert_clean_error(cli("--agenda", f"/nowhere/{ESCAPES}x", "summary", code=3).stderr)
    assert "/nowhere/" in lines[0]
    git(c.root, "remote", "add", "origin", f"/nowhere/{ESCAPES}repo")
    lines = assert_clean_error(cli("sync", code=5).stderr)  # git's own message echoes the URL
    assert "git fetch" in lines[0]
    lines = assert_clean_error(cli("comment", "add", "-p", "P01", "-s", f"ok{ESCAPES}",
                                   "--text", "x", "--key", c.key("health"), code=3).stderr)
    assert lines[0].startswith("error: unknown stance")


def test_usage_errors_strip_escapes_too(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    proc = subprocess.run([sys.executable, "-m", "coalition_cli", f"--x{ESCAPES}"],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert_clean_error(proc.stderr, shown=())  # click may spell them out as text: harmless


def test_safe_line_leaves_one_printable_line() -> None:
    from hypothesis import given, strategies as st

    from coalition_cli.cli._common import safe_line

    @given(st.text())
    def check(text: str) -> None:
        line = safe_line(text)
        assert "\n" not in line and "\x1b" not in line
        assert not any(ord(ch) < 0x20 or 0x7f <= ord(ch) <= 0x9f for ch in line)
        assert not any(0x202a <= ord(ch) <= 0x202e or 0x2066 <= ord(ch) <= 0x2069 for ch in line)

    check()
    assert safe_line("P01 \x1b[1mbold\x1b[0m é 中") == "P01 bold é 中"


def test_hint_lines_are_cleaned_like_error_lines(capsys) -> None:
    from coalition_cli.cli._common import fail
    from coalition_cli.errors import InputError

    fail(InputError("bad id 'a\x1b[31mb'", hint="try: coalition show c\x1b]0;title\x07d\nnext"))
    err = capsys.readouterr().err
    assert err == "error: bad id 'ab'\nhint: try: coalition show cd next\n"
