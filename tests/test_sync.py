"""`coalition sync` through real remotes: a git daemon raced by many clones, a refusing remote."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from coalition_cli import actions
from coalition_cli.agenda import Agenda
from coalition_cli.identity import Identity
from coalition_cli.model import now
from coalition_cli.signing import PrivateKey
from coalition_cli.verify import verify

from conftest import Cli, Coalition, make_key

CLONES = 8
PER_CLONE = 5
TIMEOUT = 180  # seconds for any one `coalition sync` process


def git(repo: Path, *args: str, timeout: float = 60) -> str:
    proc = subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, timeout=timeout)
    assert proc.returncode == 0, f"git {' '.join(args)}: {proc.stderr}"
    return proc.stdout


def coalition_process(cwd: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "coalition_cli", *args], cwd=cwd,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=dict(os.environ))


def finish(proc: subprocess.Popen[str], timeout: float = TIMEOUT) -> tuple[int, str, str]:
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        pytest.fail(f"coalition {proc.args[3:]} did not finish in {timeout}s\n{out}\n{err}")
    return proc.returncode, out, err


def comment_files(repo: Path, rev: str = "HEAD") -> list[str]:
    listing = git(repo, "ls-tree", "-r", "--name-only", rev, "--", "agenda/rounds/r1/comments/")
    return [p for p in listing.splitlines() if p.endswith(".yaml")]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def git_daemon_available() -> bool:
    if shutil.which("git") is None:
        return False
    exec_path = subprocess.run(["git", "--exec-path"], capture_output=True, text=True,
                               timeout=30).stdout.strip()
    return bool(exec_path) and os.access(Path(exec_path) / "git-daemon", os.X_OK)


@pytest.fixture
def daemon(tmp_path: Path) -> Iterator[str]:
    """A bare repository served read-write by `git daemon` on localhost; yields its URL."""
    if not git_daemon_available():
        pytest.skip("git daemon is not available")
    base = tmp_path / "served"
    base.mkdir()
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(base / "agenda.git")],
                   check=True, capture_output=True, timeout=30)
    proc = None
    for _attempt in range(5):  # the port may be taken between choosing and binding it
        port = free_port()
        proc = subprocess.Popen(
            ["git", "daemon", "--export-all", "--enable=receive-pack", f"--base-path={base}",
             f"--port={port}", "--listen=127.0.0.1", "--reuseaddr", "--informative-errors"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.05)
        if proc.poll() is None:
            break
        proc.communicate(timeout=10)
        proc = None
    if proc is None:
        pytest.skip("git daemon would not start")
    try:
        yield f"git://127.0.0.1:{port}/agenda.git"
    finally:
        proc.terminate()
        try:
            proc.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate(timeout=10)


def identity(agenda: Agenda, member: str, key: Path) -> Identity:
    m = agenda.snapshot().member(member)
    private = PrivateKey.load(key)
    return Identity(m, private, next(e for e in m.keys if e.key == private.public.openssh))


@pytest.mark.slow
def test_eight_clones_sync_at_the_same_time(coalition: Coalition, daemon: str,
                                            tmp_path: Path) -> None:
    c = coalition
    sec = c.who("sec")
    members = [f"org{i}" for i in range(1, CLONES + 1)]
    for member in members:
        key = make_key(tmp_path / "member-keys", member)
        c.keys[member] = key
        actions.member_add(c.agenda, sec, member, name=f"Organisation {member}", sector="advocacy",
                           roles=["member"], keys=[(PrivateKey.load(key).public, None)])
    actions.round_open(c.agenda, sec, "r1", title="Concurrent round",
                       closes=now() + timedelta(days=10))

    # the facilitator publishes the agenda with its open round
    git(c.root, "remote", "add", "origin", daemon)
    code, out, err = finish(coalition_process(c.root, "sync"))
    assert code == 0, err
    served = tmp_path / "served" / "agenda.git"
    assert git(served, "rev-parse", "main") == git(c.root, "rev-parse", "HEAD")
    assert git(served, "rev-parse", "refs/tags/coalition/r1/draft").strip()

    # every member clones it and writes five comments offline
    clones = {}
    for n, member in enumerate(members):
        where = tmp_path / "clones" / member
        git(tmp_path, "clone", "-q", daemon, str(where))
        agenda = Agenda.open(where / "agenda")
        who = identity(agenda, member, c.key(member))
        for j in range(PER_CLONE):
            actions.comment_add(agenda, who, principle=f"P0{(n + j) % 3 + 1}", stance="support",
                                text=f"{member} comment {j}: the coalition should say more.")
        agenda.git.close()
        assert len(comment_files(where)) == PER_CLONE
        clones[member] = where
    before = {m: git(w, "rev-parse", "HEAD") for m, w in clones.items()}

    # ... and they all sync at the same moment
    procs = {m: coalition_process(w, "sync", "--format", "json") for m, w in clones.items()}
    results = {m: finish(p) for m, p in procs.items()}
    attempts = {}
    for member, (code, out, err) in results.items():
        assert code == 0, f"{member}: exit {code}\n{out}\n{err}"
        report = json.loads(out)
        assert report["pushed"] == PER_CLONE, f"{member}: {report}"
        attempts[member] = report["attempts"]
        # local commits survived the rebase: the member's five records are still there
        assert sum(f"/comments/{member}/" in p for p in comment_files(clones[member])) == PER_CLONE
    # all but the first to push had to take the others' commits first
    assert sum(before[m] != git(w, "rev-parse", "HEAD") for m, w in clones.items()) >= CLONES - 1
    print("sync attempts per clone:", attempts)

    total = CLONES * PER_CLONE
    assert len(comment_files(served, "main")) == total

    # one more sync each, and everyone has everything, verified
    head = git(served, "rev-parse", "main")
    for member, where in [*clones.items(), ("sec", c.root)]:
        code, out, err = finish(coalition_process(where, "sync"))
        assert code == 0, f"{member}: {err}"
        assert git(where, "rev-parse", "HEAD") == head, member
        assert len(comment_files(where)) == total, member
        assert git(where, "status", "--porcelain") == "", member
        agenda = Agenda.open(where / "agenda")
        result = verify(agenda)
        agenda.git.close()
        assert result.ok, f"{member}: {result.problems}"
        assert len(result.records["r1"]) == total
        assert {rec.member for _p, rec in result.records["r1"]} == set(members)
    assert git(served, "rev-parse", "main") == head
    # the history is linear: every member's commits rebased, none merged
    assert git(served, "rev-list", "--merges", "--count", "main").strip() == "0"
    code, out, err = finish(coalition_process(c.root, "verify"))
    assert code == 0, out + err


@pytest.mark.slow
def test_three_writers_race_through_the_library_in_threads(coalition: Coalition,
                                                         tmp_path: Path) -> None:
    """The same race with `sync` called in threads against a plain bare repository."""
    from concurrent.futures import ThreadPoolExecutor

    from coalition_cli.sync import sync

    c = coalition
    bare = tmp_path / "hub.git"
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(bare))
    actions.round_open(c.agenda, c.who("sec"), "r1", title="Threads",
                       closes=now() + timedelta(days=10))
    git(c.root, "remote", "add", "origin", str(bare))
    sync(c.agenda)
    agendas = {}
    for member in ("health", "youth", "fund"):
        where = tmp_path / "clones" / member
        git(tmp_path, "clone", "-q", str(bare), str(where))
        agendas[member] = agenda = Agenda.open(where / "agenda")
        who = identity(agenda, member, c.key(member))
        for j in range(3):
            actions.comment_add(agenda, who, principle="P01", stance="support",
                                text=f"{member} {j}")
    with ThreadPoolExecutor(max_workers=3) as pool:
        results = list(pool.map(sync, agendas.values()))
    assert [r["pushed"] for r in results] == [3, 3, 3]
    for agenda in agendas.values():
        sync(agenda)
        assert verify(agenda).ok
        assert len(comment_files(agenda.git.root)) == 9
        agenda.git.close()


def test_a_refusing_remote_is_exit_5_and_keeps_local_commits(coalition: Coalition,
                                                               tmp_path: Path) -> None:
    c = coalition
    bare = tmp_path / "hub.git"
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(bare))
    hook = bare / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho 'pushes are frozen until the AGM' >&2\nexit 1\n",
                    encoding="utf-8")
    hook.chmod(0o755)
    actions.round_open(c.agenda, c.who("sec"), "r1", title="Frozen",
                       closes=now() + timedelta(days=10))
    written = actions.comment_add(c.agenda, c.who("health"), principle="P01", stance="support",
                                  text="Mine, not yet shared.")
    git(c.root, "remote", "add", "origin", str(bare))
    head = git(c.root, "rev-parse", "HEAD")
    count = git(c.root, "rev-list", "--count", "HEAD")
    started = time.monotonic()
    result = Cli(c.root)("sync", code=5)
    assert time.monotonic() - started < 10  # a refusal is not a race: no retrying
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines[0].startswith("error: ")
    assert lines[0].startswith("error: the remote refused the push: "), result.stderr
    assert "pre-receive hook declined" in lines[0]  # git's own words
    assert "pushes are frozen until the AGM" in lines[0]  # and the remote's message
    assert "Traceback" not in result.stderr
    assert git(c.root, "rev-parse", "HEAD") == head
    assert git(c.root, "rev-list", "--count", "HEAD") == count
    assert git(c.root, "status", "--porcelain") == ""
    assert (c.root / written.path).is_file()
    assert git(bare, "for-each-ref") == ""  # nothing reached the remote
    Cli(c.root)("verify")


def test_sync_without_a_remote_is_exit_5(coalition: Coalition) -> None:
    c = coalition
    head = git(c.root, "rev-parse", "HEAD")
    result = Cli(c.root)("sync", code=5)
    assert result.stderr.startswith("error: ") and "no git remote named 'origin'" in result.stderr
    assert "hint: " in result.stderr
    result = Cli(c.root)("sync", "--remote", "upstream", code=5)
    assert "'upstream'" in result.stderr
    assert git(c.root, "rev-parse", "HEAD") == head


def test_sync_with_an_unreachable_remote_is_exit_5(coalition: Coalition, tmp_path: Path) -> None:
    c = coalition
    git(c.root, "remote", "add", "origin", str(tmp_path / "nowhere.git"))
    result = Cli(c.root)("sync", code=5)
    assert result.stderr.startswith("error: git fetch from 'origin' failed")
