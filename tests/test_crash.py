"""Crash safety: `comment add` and `round close` killed at any moment leave a valid repository.

Each iteration starts the real command (`python -m coalition_cli ...`) in its own
process group and SIGKILLs the whole group — the command and the git processes
it runs — either after a random delay or at the worst moments we can see from
outside: as soon as the branch moves, as soon as git takes the index lock or a
ref lock, as soon as a temporary file appears in the working tree. Then:

* `git fsck` is clean and `verify` finds nothing: the record (and its
  signature) is fully committed or absent;
* a rerun succeeds (for a round already closed, it says so with exit 4), and
  after it no git lock, no temporary file and no difference between HEAD, the
  index and the working tree survives.

``CRASH_ITERATIONS`` (default 1) multiplies the number of iterations.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest

from coalition_cli import actions
from coalition_cli.agenda import Agenda
from coalition_cli.model import now
from coalition_cli.store import Git
from coalition_cli.verify import verify

from conftest import Coalition

pytestmark = pytest.mark.slow
SCALE = max(1, int(os.environ.get("CRASH_ITERATIONS", "1") or 1))


def git(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, timeout=60)


def head(root: Path) -> str:
    return git(root, "rev-parse", "HEAD").stdout.strip()


class Killer:
    """Start a command in its own process group; kill the group when told to."""

    def __init__(self, root: Path, argv: list[str]) -> None:
        self.root = root
        self.argv = [sys.executable, "-m", "coalition_cli", *argv]

    def run(self) -> subprocess.CompletedProcess[str]:
        return subprocess.run(self.argv, cwd=self.root, capture_output=True, text=True,
                              timeout=120)

    def kill(self, when: Callable[[], bool], *, timeout: float = 20.0) -> bool:
        """Run until ``when()`` holds (or the command ends), then SIGKILL the group.
        True when the command was still running at the kill."""
        proc = subprocess.Popen(self.argv, cwd=self.root, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + timeout
        while proc.poll() is None and not when() and time.monotonic() < deadline:
            time.sleep(0.0005)
        alive = proc.poll() is None
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait()
        return alive


def after(seconds: float) -> Callable[[], bool]:
    end = time.monotonic() + seconds
    return lambda: time.monotonic() >= end


def triggers(root: Path) -> dict[str, Callable[[], Callable[[], bool]]]:
    """The moments a kill hurts most, seen from outside the process."""
    gitdir = root / ".git"
    branch = gitdir / "refs/heads/main"

    def ref_moved() -> Callable[[], bool]:
        before = branch.read_bytes()
        return lambda: branch.read_bytes() != before

    def exists(*paths: Path) -> Callable[[], Callable[[], bool]]:
        return lambda: (lambda: any(p.exists() for p in paths))

    def temp_file() -> Callable[[], bool]:
        folder = root / "agenda/rounds"
        return lambda: any(folder.rglob(".coalition-tmp-*"))

    return {"the branch moves": ref_moved,
            "git holds index.lock": exists(gitdir / "index.lock"),
            "git holds a ref lock": exists(gitdir / "HEAD.lock", gitdir / "refs/heads/main.lock"),
            "a temporary file appears": temp_file}


def assert_valid(root: Path, where: str) -> None:
    fsck = git(root, "fsck", "--no-dangling", "--no-progress")
    assert fsck.returncode == 0, f"{where}: git fsck: {fsck.stdout}{fsck.stderr}"
    result = verify(Agenda(Git(root), "agenda"), use_cache=False)
    assert result.problems == [], f"{where}: {result.problems}"


def assert_tidy(root: Path, where: str) -> None:
    gitdir = root / ".git"
    locks = [p for p in (gitdir / "index.lock", gitdir / "HEAD.lock",
                         gitdir / "refs/heads/main.lock") if p.exists()]
    assert locks == [], f"{where}: stray locks {locks}"
    temps = list((root / "agenda").rglob(".coalition-tmp-*"))
    assert temps == [], f"{where}: stray temporary files {temps}"
    status = git(root, "status", "--porcelain", "--untracked-files=all").stdout
    assert status == "", f"{where}: HEAD, index and working tree differ:\n{status}"


def assert_whole_or_absent(root: Path, before: str, where: str) -> None:
    """The kill left either the old head or one new commit with record and signature."""
    now_head = head(root)
    if now_head == before:
        return
    assert git(root, "rev-parse", f"{now_head}^").stdout.strip() == before, where
    names = git(root, "diff-tree", "-r", "--no-commit-id", "--name-only", before,
                now_head).stdout.split()
    yamls = [n for n in names if n.endswith(".yaml")]
    assert yamls and all(f"{n}.sig" in names for n in yamls), (where, names)


@pytest.fixture
def open_round(coalition: Coalition) -> Coalition:
    actions.round_open(coalition.agenda, coalition.who("sec"), "r1", title="Crash round",
                       closes=now() + timedelta(days=10))
    return coalition


def test_comment_add_killed_at_any_moment(open_round: Coalition) -> None:
    c = open_round
    root = c.root
    killer = Killer(root, ["comment", "add", "-p", "P01", "-s", "support", "--text",
                           "Killed or not, all or nothing.", "--key", str(c.key("health"))])
    started = time.monotonic()
    assert killer.run().returncode == 0
    full = time.monotonic() - started
    plan = [("random", None)] * (10 * SCALE) + [(name, t) for name, t in triggers(root).items()
                                                 for _ in range(2 * SCALE)]
    rng = random.Random(20261125)
    landed = 0
    for number, (name, trigger) in enumerate(plan):
        where = f"iteration {number} ({name})"
        before = head(root)
        when = after(rng.uniform(0.0, full * 1.1)) if trigger is None else trigger()
        killer.kill(when)
        assert_whole_or_absent(root, before, where)
        landed += head(root) != before
        assert_valid(root, where)
        rerun = killer.run()
        assert rerun.returncode == 0, f"{where}: rerun: {rerun.stderr}"
        assert_tidy(root, f"{where}, after the rerun")
        assert_valid(root, f"{where}, after the rerun")
    assert 0 < landed < len(plan) or SCALE > 1  # some kills came before the commit, some after


def test_round_close_killed_at_any_moment(coalition: Coalition) -> None:
    c = coalition
    root = c.root
    sec = c.who("sec")
    rng = random.Random(7)
    modes: list[tuple[str, Callable[[], Callable[[], bool]] | None]] = \
        [("random", None)] * (4 * SCALE) + [(n, t) for n, t in triggers(root).items()] * SCALE
    full = 1.5
    for number, (name, trigger) in enumerate(modes):
        round_id = f"r{number + 1}"
        actions.round_open(c.agenda, sec, round_id, title="Round",
                           closes=now() + timedelta(days=10))
        actions.comment_add(c.agenda, c.who("youth"), principle="P02", stance="oppose",
                            text=f"Comment in {round_id}.")
        killer = Killer(root, ["round", "close", round_id, "--key", str(c.key("sec"))])
        where = f"round {round_id} ({name})"
        before = head(root)
        killer.kill(after(rng.uniform(0.2, full)) if trigger is None else trigger())
        assert_whole_or_absent(root, before, where)
        assert_valid(root, where)
        closed = head(root) != before
        rerun = killer.run()
        if closed:
            assert rerun.returncode == 4, rerun.stderr
            assert rerun.stderr.startswith(f"error: round '{round_id}' is already closed")
        else:
            assert rerun.returncode == 0, f"{where}: rerun: {rerun.stderr}"
        assert_tidy(root, f"{where}, after the rerun")
        assert_valid(root, f"{where}, after the rerun")
        result = verify(Agenda(Git(root), "agenda"), use_cache=False)
        assert result.rounds[round_id].status == "closed"
        assert round_id in result.closings
        if number == 0:
            full = 1.5  # random delays up to a typical close


def test_a_stale_lock_of_a_live_git_is_left_alone(open_round: Coalition) -> None:
    """The cleanup removes only locks no git process holds: a running git keeps its lock."""
    c = open_round
    root = c.root
    lock = root / ".git/index.lock"
    # a git process that works in this repository for a while (holding nothing but busy)
    busy = subprocess.Popen(["git", "hash-object", "--stdin"], cwd=root, stdin=subprocess.PIPE)
    try:
        lock.write_bytes(b"")
        assert Git(root).clear_stale_locks() == []
        assert lock.exists()
    finally:
        busy.stdin.close()  # type: ignore[union-attr]
        busy.wait()
    assert Git(root).clear_stale_locks() == [lock]
    assert not lock.exists()
