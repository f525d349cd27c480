"""Shared fixtures. Every test is hermetic: its own HOME, git identity, keys and repositories."""

from __future__ import annotations

import os
import shlex
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from hypothesis import settings
from typer.testing import CliRunner

from coalition_cli import actions
from coalition_cli.agenda import Agenda
from coalition_cli.identity import Identity
from coalition_cli.signing import PrivateKey, generate_key


def git(repo: Path, *args: str) -> str:
    """Plain git in ``repo``; a failure fails the test with git's own message."""
    proc = subprocess.run(["git", *args], cwd=repo, capture_output=True, timeout=60)
    assert proc.returncode == 0, f"git {' '.join(args)}: {proc.stderr.decode('utf-8', 'replace')}"
    return proc.stdout.decode("utf-8", "surrogateescape")


def repo_state(repo: Path) -> tuple[str, ...]:
    """Everything a refused command must leave alone: refs, HEAD, working tree, index."""
    return (git(repo, "for-each-ref", "--format=%(refname) %(objectname)"),
            git(repo, "rev-parse", "HEAD"),
            git(repo, "status", "--porcelain", "--untracked-files=all", "--ignored"),
            git(repo, "ls-files", "--stage"))


# Property tests: no per-example deadline (a loaded 2-core machine is slow, not wrong);
# in CI a fixed sequence of examples, so a green main stays green.
settings.register_profile("local", deadline=None)
settings.register_profile("ci", deadline=None, derandomize=True, print_blob=True)
settings.load_profile("ci" if os.environ.get("CI") else "local")


@pytest.fixture(autouse=True)
def hermetic(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh HOME and git identity; no COALITION_* variables from the outside."""
    home = tmp_path_factory.mktemp("home")
    gitconfig = home / ".gitconfig"
    gitconfig.write_text(
        "[user]\n\tname = Test Runner\n\temail = runner@example.invalid\n"
        "[init]\n\tdefaultBranch = main\n[commit]\n\tgpgsign = false\n"
        "[protocol \"file\"]\n\tallow = always\n",
        encoding="utf-8",
    )
    for name in list(os.environ):
        if name.startswith(("COALITION_", "GIT_")) or name in ("EDITOR", "VISUAL", "SSH_AUTH_SOCK"):
            monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(gitconfig))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "120")
    return home


class Cli:
    """Runs `coalition` in-process through Typer's CliRunner."""

    def __init__(self, cwd: Path) -> None:
        self.cwd = cwd
        self.runner = CliRunner()

    def __call__(self, *args: str | Path, input: str | bytes | None = None, code: int | None = 0,
                 env: dict[str, str] | None = None):
        from coalition_cli.cli import app

        argv = [str(a) for a in args]
        old = Path.cwd()
        os.chdir(self.cwd)
        try:
            result = self.runner.invoke(app, argv, input=input, env=env, catch_exceptions=False)
        finally:
            os.chdir(old)
        if code is not None:
            assert result.exit_code == code, (
                f"coalition {shlex.join(argv)} exited {result.exit_code}, wanted {code}\n"
                f"stdout: {result.stdout}\nstderr: {result.stderr}")
        return result


@dataclass
class Coalition:
    """A small agenda built through the library: a facilitator, members, principles."""

    root: Path
    agenda: Agenda
    keys: dict[str, Path] = field(default_factory=dict)  # person/member id -> private key path
    ids: dict[str, Identity] = field(default_factory=dict)

    def key(self, name: str) -> Path:
        return self.keys[name]

    def who(self, member: str) -> Identity:
        snap = self.agenda.snapshot()
        m = snap.member(member)
        key = PrivateKey.load(self.keys[member])
        entry = next(e for e in m.keys if e.key == key.public.openssh)
        return Identity(m, key, entry)


def make_key(folder: Path, name: str, passphrase: bytes | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    generate_key(path, passphrase, comment=name)
    return path


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    return Cli(tmp_path)


@pytest.fixture
def coalition(tmp_path: Path) -> Coalition:
    """An agenda with facilitator `sec`, members `health`, `youth`, `fund` and principles P01–P03."""
    keys = tmp_path / "keys"
    fac = make_key(keys, "sec")
    root = tmp_path / "repo"
    agenda, _ = actions.init(root, name="Test Coalition", facilitator="sec",
                             facilitator_name="Secretariat", key=PrivateKey.load(fac),
                             person="Maya")
    c = Coalition(root=root, agenda=agenda, keys={"sec": fac})
    sec = c.who("sec")
    for member, sector in (("health", "service-provider"), ("youth", "advocacy"),
                           ("fund", "funder")):
        path = make_key(keys, member)
        c.keys[member] = path
        actions.member_add(agenda, sec, member, name=member.title() + " Org", sector=sector,
                           roles=["member"], keys=[(PrivateKey.load(path).public, None)])
    bodies = [
        ("Community benefit", "Data reuse must serve the community.\n\nThe coalition commits "
                              "to annual public reporting on every agreement."),
        ("Privacy", "Personal data is protected. De-identification is not anonymity."),
        ("Indigenous data sovereignty", "Indigenous peoples govern data about them."),
    ]
    for title, body in bodies:
        actions.principle_add(agenda, sec, title, body)
    return c
