"""`coalition join`: a new member's clone from a real bare remote, verified against the
founder's fingerprint, on a machine where git was never configured."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from coalition_cli import actions
from coalition_cli.model import now
from coalition_cli.signing import PrivateKey
from coalition_cli.sync import sync

from conftest import Coalition, git, make_key

ROOT = Path(__file__).resolve().parents[1]


def bare_env(home: Path) -> dict[str, str]:
    """No git identity: an empty HOME, no GIT_* nor COALITION_* variables."""
    home.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("GIT_", "COALITION_")) and k not in ("EDITOR", "VISUAL")}
    env.update(HOME=str(home), NO_COLOR="1", PYTHONPATH=str(ROOT))
    return env


def run(cwd: Path, env: dict[str, str], *args: str | Path, code: int = 0
        ) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run([sys.executable, "-m", "coalition_cli", *map(str, args)], cwd=cwd,
                          env=env, capture_output=True, text=True, timeout=180)
    assert proc.returncode == code, f"coalition {args}: exit {proc.returncode}\n{proc.stdout}\n" \
                                    f"{proc.stderr}"
    return proc


def founder(c: Coalition) -> str:
    return PrivateKey.load(c.key("sec")).public.fingerprint


@pytest.fixture
def hub(coalition: Coalition, tmp_path: Path) -> Path:
    """The agenda pushed on branch main of a bare remote whose HEAD names git's default
    (master): a plain `git clone` of it checks out nothing."""
    c = coalition
    bare = tmp_path / "hub.git"
    subprocess.run(["git", "init", "-q", "--bare", "-b", "master", str(bare)], check=True)
    actions.round_open(c.agenda, c.who("sec"), "r1", title="First round",
                       closes=now() + timedelta(days=10))
    git(c.root, "remote", "add", "origin", str(bare))
    sync(c.agenda)
    return bare


def test_join_clones_verifies_pins_and_records_who_signs(coalition: Coalition, hub: Path,
                                                         tmp_path: Path) -> None:
    c = coalition
    env = bare_env(tmp_path / "home")
    fp = founder(c)
    done = run(tmp_path, env, "join", hub, "health-clone", "--trust", fp,
               "--key", c.key("health"))
    out = done.stdout
    assert out.startswith("Joined: health-clone (branch main)"), out
    assert "You sign as health with " in out and "(registered)" in out
    assert "Round r1 is open until " in out and "coalition comment add" in out
    assert "coalition sync" in out
    where = tmp_path / "health-clone"
    config = lambda key: git(where, "config", "--local", "--get-all", key).split()  # noqa: E731
    assert config("coalition.trust") == [fp]
    assert config("coalition.member") == ["health"]
    assert config("coalition.key") == [str(c.key("health").resolve())]
    assert git(where, "symbolic-ref", "--short", "HEAD").strip() == "main"
    assert git(where, "rev-parse", "--abbrev-ref", "@{upstream}").strip() == "origin/main"
    # the clone is ready: no --key, no --as, no git identity, and the comment is shared
    rid = run(where, env, "comment", "add", "--principle", "P01", "--stance", "support",
              "--text", "Joined and commenting.").stdout.strip()
    run(where, env, "sync")
    assert git(hub, "cat-file", "-e", f"main:agenda/rounds/r1/comments/health/{rid}.yaml") == ""
    assert json.loads(run(where, env, "verify", "--format", "json").stdout)["trust"] == "pinned"


def test_join_finds_the_member_from_the_key_and_says_when_it_is_not_registered(
        coalition: Coalition, hub: Path, tmp_path: Path) -> None:
    c = coalition
    env = bare_env(tmp_path / "home")
    ssh = tmp_path / "home" / ".ssh"
    make_key(ssh, "id_ed25519")  # the default key, registered to nobody
    done = run(tmp_path, env, "join", hub, "--trust", founder(c), "--format", "json")
    data = json.loads(done.stdout)
    assert data["path"] == str((tmp_path / "hub").resolve()) and data["member"] is None
    assert data["registered"] is False and data["open_round"]["id"] == "r1"
    assert "is not registered yet: send " in done.stderr and "id_ed25519.pub" in done.stderr
    assert git(tmp_path / "hub", "config", "--local", "coalition.key").strip() == \
        str(ssh / "id_ed25519")


@pytest.mark.parametrize("who", ["member", "stranger"])
def test_join_refuses_a_fingerprint_that_is_no_founder_and_leaves_nothing(
        coalition: Coalition, hub: Path, tmp_path: Path, who: str) -> None:
    c = coalition
    env = bare_env(tmp_path / "home")
    wrong = PrivateKey.load(c.key("health") if who == "member" else
                            make_key(tmp_path / "k", "x")).public.fingerprint
    refused = run(tmp_path, env, "join", hub, "mine", "--trust", wrong, code=4)
    assert refused.stderr.splitlines()[0] == \
        f"error: {wrong} is not a founder of this agenda; the clone was removed"
    assert refused.stderr.splitlines()[1].startswith("hint: ")
    assert not (tmp_path / "mine").exists()
    empty = tmp_path / "empty"
    empty.mkdir()
    run(tmp_path, env, "join", hub, empty, "--trust", wrong, code=4)
    assert empty.is_dir() and list(empty.iterdir()) == []  # given empty, left empty


def test_join_refuses_a_remote_an_insider_tampered_with(coalition: Coalition, hub: Path,
                                                         tmp_path: Path) -> None:
    """A member with push access rewrites another member's registry entry with plain git:
    the clone does not verify against the founder, and is removed."""
    c = coalition
    env = bare_env(tmp_path / "home")
    insider = tmp_path / "insider"
    git(tmp_path, "clone", "-q", "-b", "main", str(hub), str(insider))
    entry = insider / "agenda" / "members" / "youth.yaml"
    entry.write_text(entry.read_text(encoding="utf-8").replace("Youth Org", "Hijacked"),
                     encoding="utf-8")
    git(insider, "commit", "-qam", "rename")
    git(insider, "push", "-q", "origin", "main")
    refused = run(tmp_path, env, "join", hub, "mine", "--trust", founder(c), code=4)
    assert refused.stderr.startswith(f"error: the agenda does not verify against {founder(c)}: ")
    assert "members/youth.yaml" in refused.stderr and "the clone was removed" in refused.stderr
    assert not (tmp_path / "mine").exists()


def test_join_bad_input(coalition: Coalition, hub: Path, tmp_path: Path) -> None:
    c = coalition
    env = bare_env(tmp_path / "home")
    assert "needs --trust" in run(tmp_path, env, "join", hub, code=2).stderr
    bad = run(tmp_path, env, "join", hub, "--trust", "SHA256:short", code=3)
    assert bad.stderr.startswith("error: 'SHA256:short' is not a key fingerprint")
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "mine.txt").write_text("keep me", encoding="utf-8")
    taken = run(tmp_path, env, "join", hub, "taken", "--trust", founder(c), code=3)
    assert "already exists" in taken.stderr
    assert (tmp_path / "taken" / "mine.txt").read_text(encoding="utf-8") == "keep me"
    gone = run(tmp_path, env, "join", tmp_path / "nowhere.git", "x", "--trust", founder(c),
               code=5)
    assert gone.stderr.startswith("error: could not clone ") and not (tmp_path / "x").exists()
    assert "does not exist" in gone.stderr.splitlines()[0]  # git's own reason
    # addresses that would run commands are refused before git sees them
    trap = tmp_path / "ran"
    unsafe = run(tmp_path, env, "join", f"ext::sh -c touch% {trap}", "z", "--trust",
                 founder(c), code=3)
    assert "its transport can run commands" in unsafe.stderr
    option = run(tmp_path, env, "join", "--trust", founder(c), "--",
                 f"--upload-pack=touch {trap}", "z", code=3)
    assert "is not an address" in option.stderr
    assert not trap.exists() and not (tmp_path / "z").exists()
    nobody = run(tmp_path, env, "join", hub, "y", "--trust", founder(c), "--as", "nobody",
                 "--key", c.key("health"), code=3)
    assert "no member 'nobody'" in nobody.stderr and not (tmp_path / "y").exists()


def test_join_on_a_terminal_draws_the_clone_progress(coalition: Coalition, hub: Path,
                                                     tmp_path: Path) -> None:
    """Through a real transport (file://, not a local hard-link copy) git reports progress;
    on a pseudo-terminal it is drawn, and the clone is made as without it."""
    from test_editor import Terminal

    c = coalition
    env = bare_env(tmp_path / "home")
    term = Terminal(tmp_path, ["join", f"file://{hub}", "seen", "--trust", founder(c),
                               "--key", str(c.key("youth"))],
                    {**{k: None for k in os.environ if k.startswith(("GIT_", "COALITION_"))},
                     "HOME": env["HOME"]})
    code, out = term.finish()
    assert code == 0, out
    assert "cloning: receiving objects" in out
    assert "Joined: seen (branch main)" in out and "You sign as youth" in out
    quiet = run(tmp_path, env, "join", f"file://{hub}", "unseen", "--trust", founder(c))
    assert "cloning" not in quiet.stderr  # no terminal: no progress drawn


def test_help_does_not_import_gitpython() -> None:
    """GitPython is imported by join and sync only: `coalition --help` stays lean."""
    proc = subprocess.run([sys.executable, "-X", "importtime", "-m", "coalition_cli", "--help"],
                          capture_output=True, text=True, timeout=60,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert proc.returncode == 0
    modules = {line.rsplit("|", 1)[-1].strip() for line in proc.stderr.splitlines()
               if line.startswith("import time:")}
    assert "coalition_cli.cli" in modules and "git" not in modules
    assert not any(m.startswith(("git.", "gitdb")) for m in modules)
