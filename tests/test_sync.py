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


# --- members on machines with no git identity; what sync refuses to push ----------------------


def bare_env(home: Path, **extra: str) -> dict[str, str]:
    """A machine where git was never configured: an empty HOME, no GIT_* nor COALITION_*."""
    home.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("GIT_", "COALITION_")) and k not in ("EDITOR", "VISUAL")}
    env.update(HOME=str(home), NO_COLOR="1", **extra)
    return env


def run(cwd: Path, env: dict[str, str], *args: str, code: int | None = 0
        ) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run([sys.executable, "-m", "coalition_cli", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=TIMEOUT)
    if code is not None:
        assert proc.returncode == code, f"coalition {args}: exit {proc.returncode}\n" \
                                        f"{proc.stdout}\n{proc.stderr}"
    return proc


def plain_git(cwd: Path, env: dict[str, str], *args: str) -> str:
    proc = subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 0, f"git {args}: {proc.stderr}"
    return proc.stdout


@pytest.fixture
def hub(coalition: Coalition, tmp_path: Path) -> Path:
    """The coalition published on a bare remote with round r1 open."""
    c = coalition
    bare = tmp_path / "hub.git"
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(bare))
    actions.round_open(c.agenda, c.who("sec"), "r1", title="Stale clones",
                       closes=now() + timedelta(days=10))
    git(c.root, "remote", "add", "origin", str(bare))
    from coalition_cli.sync import sync

    sync(c.agenda)
    return bare


def member_clone(tmp_path: Path, bare: Path, member: str, key: Path) -> tuple[Path, dict[str, str]]:
    """A member's clone made with plain git on a machine with no git identity; the member's
    key recorded in the clone's git config."""
    env = bare_env(tmp_path / f"home-{member}")
    where = tmp_path / f"clone-{member}"
    plain_git(tmp_path, env, "clone", "-q", str(bare), str(where))
    plain_git(where, env, "config", "coalition.key", str(key))
    return where, env


def refs(bare: Path) -> str:
    return git(bare, "for-each-ref", "--format=%(refname) %(objectname)")


def test_sync_needs_no_git_identity(coalition: Coalition, hub: Path, tmp_path: Path) -> None:
    c = coalition
    where, env = member_clone(tmp_path, hub, "health", c.key("health"))
    named = run(where, env, "comment", "add", "--principle", "P01", "--stance", "support",
                "--text", "Ours, signed.").stdout.strip()
    hidden = run(where, env, "comment", "add", "--principle", "P02", "--stance", "amend",
                 "--attribution", "anonymous", "--text", "Unnamed.").stdout.strip()
    # the facilitator pushed meanwhile: the member's commits must be rebased
    actions.round_extend(c.agenda, c.who("sec"), "r1", now() + timedelta(days=20))
    from coalition_cli.sync import sync

    sync(c.agenda)
    (where / "notes.txt").write_text("a file of the member's own\n", encoding="utf-8")
    with (where / "agenda" / ".gitattributes").open("a", encoding="utf-8") as fh:
        fh.write("# an edit not committed: rebased over with --autostash\n")
    result = json.loads(run(where, env, "sync", "--format", "json").stdout)
    assert result["pulled"] == 1 and result["pushed"] == 2
    assert "an edit not committed" in (where / "agenda" / ".gitattributes").read_text()
    served = comment_files(hub, "main")
    assert any(named in p for p in served) and any(hidden in p for p in served)
    # the rebased commits name nobody who did not sign them: never the member on the
    # anonymous comment's commit
    anon = plain_git(where, env, "log", "--format=%an|%ae|%cn|%ce", "-1", "--",
                     f"agenda/rounds/r1/comments/health/{hidden}.yaml")
    assert "health" not in anon.lower() and "Health" not in anon, anon
    assert anon == "Coalition member|member@members.coalition.invalid|Coalition member|" \
                   "member@members.coalition.invalid\n"
    # ... and the member's own named comment is committed in the member's name
    own = plain_git(where, env, "log", "--format=%an|%ae|%cn|%ce", "-1", "--",
                    f"agenda/rounds/r1/comments/health/{named}.yaml")
    assert own == "Health Org|health@members.coalition.invalid|Health Org|" \
                  "health@members.coalition.invalid\n", own
    run(where, env, "verify")


def test_a_comment_the_closed_round_makes_late_is_not_pushed(coalition: Coalition, hub: Path,
                                                             tmp_path: Path) -> None:
    c = coalition
    where, env = member_clone(tmp_path, hub, "health", c.key("health"))
    other, other_env = member_clone(tmp_path, hub, "youth", c.key("youth"))
    early = run(where, env, "comment", "add", "--principle", "P01", "--stance", "support",
                "--text", "In time.").stdout.strip()
    run(where, env, "sync")
    # the facilitator closes the round; this clone does not know yet
    from coalition_cli.sync import sync

    sync(c.agenda)
    actions.round_close(c.agenda, c.who("sec"), "r1")
    sync(c.agenda)
    before = refs(hub)
    late = run(where, env, "comment", "add", "--principle", "P02", "--stance", "oppose",
               "--text", "Too late, but I do not know it.").stdout.strip()
    refused = run(where, env, "sync", code=4)
    lines = refused.stderr.splitlines()
    assert lines[0] == "error: nothing was pushed: 1 of your changes would not verify on the " \
                       "shared remote", refused.stderr
    assert lines[1].startswith(f"  record {late}: late: "), refused.stderr
    assert lines[-1].startswith("hint: drop each with: coalition comment discard ID")
    assert "Traceback" not in refused.stderr
    assert refs(hub) == before  # the shared remote is untouched
    run(other, other_env, "sync")
    run(other, other_env, "verify")  # ... and every other member's verify stays clean
    # the member takes the late comment back; it never leaves the clone
    shared = run(where, env, "comment", "discard", early, code=4)
    assert "already on the shared remote" in shared.stderr and "withdraw" in shared.stderr
    run(where, env, "comment", "discard", "nothere", code=3)
    done = run(where, env, "comment", "discard", late[:8])
    assert done.stdout.startswith(f"discarded {late}")
    assert not list((where / "agenda" / "rounds" / "r1" / "comments").rglob(f"{late}*"))
    assert plain_git(where, env, "status", "--porcelain") == ""
    assert plain_git(where, env, "rev-list", "@{upstream}..HEAD") == ""
    assert late not in plain_git(where, env, "log", "--all", "--name-only", "--format=")
    result = json.loads(run(where, env, "sync", "--format", "json").stdout)
    assert result["pushed"] == 0
    assert refs(hub) == before
    run(where, env, "verify")


def test_a_record_signed_with_a_key_revoked_meanwhile_is_not_pushed(
        coalition: Coalition, hub: Path, tmp_path: Path) -> None:
    c = coalition
    where, env = member_clone(tmp_path, hub, "fund", c.key("fund"))
    actions.member_revoke_key(c.agenda, c.who("sec"), "fund", PrivateKey.load(c.key("fund")).public)
    from coalition_cli.sync import sync

    sync(c.agenda)
    before = refs(hub)
    rid = run(where, env, "comment", "add", "--principle", "P01", "--stance", "block",
              "--text", "Signed with a key that was revoked meanwhile.").stdout.strip()
    refused = run(where, env, "sync", code=4)
    assert f"  record {rid}: revoked-key: " in refused.stderr, refused.stderr
    assert refs(hub) == before
    # the rebase happened (the revocation is here now), only the push was held back
    assert "revoked" in (where / "agenda" / "members" / "fund.yaml").read_text(encoding="utf-8")
    run(where, env, "comment", "discard", rid)
    run(where, env, "sync")
    assert refs(hub) == before


def test_a_stale_clone_is_told_to_sync(coalition: Coalition, tmp_path: Path) -> None:
    c = coalition
    bare = tmp_path / "hub.git"
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(bare))
    git(c.root, "remote", "add", "origin", str(bare))
    from coalition_cli.sync import sync

    sync(c.agenda)
    where, env = member_clone(tmp_path, bare, "health", c.key("health"))
    actions.round_open(c.agenda, c.who("sec"), "r1", title="Opened after the clone",
                       closes=now() + timedelta(days=10))
    sync(c.agenda)
    stale = run(where, env, "comment", "add", "--principle", "P01", "--stance", "support",
                "--text", "Hello?", code=4)
    assert stale.stderr.startswith("error: no consultation round is open")
    assert "hint: " in stale.stderr and "coalition sync" in stale.stderr
    run(where, env, "sync")
    run(where, env, "comment", "add", "--principle", "P01", "--stance", "support",
        "--text", "Hello!")


def test_init_follows_gits_default_branch_and_a_clone_finds_the_agenda(tmp_path: Path) -> None:
    home = tmp_path / "home"
    env = bare_env(home)
    config = tmp_path / "gitconfig"
    config.write_text("[init]\n\tdefaultBranch = trunk\n", encoding="utf-8")
    key = make_key(tmp_path / "keys", "sec")
    # with the branch configured: init uses it, and a clone of a fresh bare remote is whole
    env_trunk = {**env, "GIT_CONFIG_GLOBAL": str(config)}
    run(tmp_path, env_trunk, "init", "fac", "--name", "Trunk", "--facilitator", "sec",
        "--key", str(key))
    fac = tmp_path / "fac"
    assert plain_git(fac, env_trunk, "symbolic-ref", "--short", "HEAD").strip() == "trunk"
    plain_git(tmp_path, env_trunk, "init", "-q", "--bare", "hub.git")
    plain_git(fac, env_trunk, "remote", "add", "origin", str(tmp_path / "hub.git"))
    run(fac, env_trunk, "sync")
    plain_git(tmp_path, env, "clone", "-q", str(tmp_path / "hub.git"), "m1")
    run(tmp_path / "m1", env_trunk, "member", "list")
    # without configuration: git's own default (master on git 2.39)
    run(tmp_path, env, "init", "fac2", "--name", "Default", "--facilitator", "sec",
        "--key", str(key))
    assert plain_git(tmp_path / "fac2", env, "symbolic-ref", "--short", "HEAD").strip() == \
        plain_git(tmp_path, env, "var", "GIT_DEFAULT_BRANCH").strip() if subprocess.run(
            ["git", "var", "GIT_DEFAULT_BRANCH"], env=env, capture_output=True).returncode == 0 \
        else "master"
    # a remote whose HEAD names another branch than the agenda's: the clone is told where
    plain_git(tmp_path, env, "init", "-q", "--bare", "hub2.git")
    plain_git(tmp_path / "hub2.git", env, "symbolic-ref", "HEAD", "refs/heads/elsewhere")
    plain_git(fac, env_trunk, "push", "-q", str(tmp_path / "hub2.git"), "trunk")
    plain_git(tmp_path, env, "clone", "-q", str(tmp_path / "hub2.git"), "m2")
    lost = run(tmp_path / "m2", env, "member", "list", code=3)
    assert lost.stderr.splitlines() == [
        "error: branch 'elsewhere' has no agenda, but branch 'origin/trunk' has one",
        "hint: check it out with: git switch trunk"], lost.stderr
    plain_git(tmp_path / "m2", env, "switch", "-q", "trunk")
    run(tmp_path / "m2", env, "member", "list")


def test_a_close_made_before_pulling_every_comment_is_not_pushed(
        coalition: Coalition, hub: Path, tmp_path: Path) -> None:
    """The facilitator closes a round in a clone that has not pulled a member's comment:
    pushed, the close would make that shared comment late for everyone."""
    c = coalition
    where, env = member_clone(tmp_path, hub, "health", c.key("health"))
    shared = run(where, env, "comment", "add", "--principle", "P01", "--stance", "support",
                 "--text", "Pushed before the close.").stdout.strip()
    run(where, env, "sync")
    actions.round_close(c.agenda, c.who("sec"), "r1")  # without syncing first
    before = refs(hub)
    refused = Cli(c.root)("sync", code=4)
    assert f"  record {shared} (already shared; your commits would change its verdict): late: " \
        in refused.stderr, refused.stderr
    assert "git reset --keep origin/main" in refused.stderr
    assert refs(hub) == before
    git(c.root, "reset", "-q", "--keep", "origin/main")
    Cli(c.root)("sync")
    Cli(c.root)("round", "close", "r1", "--as", "sec", "--key", str(c.key("sec")))
    Cli(c.root)("sync")
    git(hub, "merge-base", "--is-ancestor", "coalition/r1/closed", "main")  # no set-aside close
    run(where, env, "sync")
    run(where, env, "verify")


def test_sync_on_a_terminal_draws_progress(coalition: Coalition, hub: Path,
                                           tmp_path: Path) -> None:
    from test_editor import Terminal

    c = coalition
    where, env = member_clone(tmp_path, hub, "youth", c.key("youth"))
    plain_git(where, env, "remote", "set-url", "origin", f"file://{hub}")  # a real transport
    run(where, env, "comment", "add", "--principle", "P01", "--stance", "support",
        "--text", "Sent from a terminal.")
    term = Terminal(where, ["sync"], {**{k: None for k in os.environ
                                         if k.startswith(("GIT_", "COALITION_"))},
                                      "HOME": env["HOME"]})
    code, out = term.finish()
    assert code == 0, out
    assert "sync: writing objects" in out and "synced with origin: 0 commit(s) in, 1 out" in out
    assert git(hub, "rev-parse", "main") == git(where, "rev-parse", "HEAD")
