"""The write path of ``comment add`` at the floor: which git processes one signed write runs,
which modules it loads, HEAD read through the running ``cat-file --batch``, and the ledger
resumed from remembered parsed fields — each equal to what the slower way gives."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coalition_cli import actions
from coalition_cli.store import Git
from coalition_cli.trust import ledger as ledger_mod
from coalition_cli.trust.roots import roots as find_roots
from coalition_cli.verify import verify

REPO = Path(__file__).resolve().parent.parent

# What one ``comment add`` runs, in order: find the work tree (one rev-parse) and read the
# configuration once — both started before the imports (``store.start_early``) — the batch
# reader (HEAD, the ledger's remembered files, the commits since it last ran and their
# trees), then the write itself: the commit object written here (``Git._write_commit``), the
# branch moved, the index told. A merge since the ledger last ran is listed by git instead
# (rev-list, diff-tree), as is any history longer than ``nearby.NEAR`` commits.
WRITE_PROCESSES = ["rev-parse", "config", "cat-file", "update-ref", "update-index"]
LISTED = ["rev-parse", "config", "cat-file", "rev-list", "diff-tree", "update-ref",
          "update-index"]

_REPORT = ("import sys, json, os\n"
           "sys.modules.pop('typing', None)  # (a site hook may have imported it)\n"
           "sys.argv = ['coalition', *json.loads(sys.argv[1])]\n"
           "real_exit = os._exit\n"
           "def leave(code):\n"
           "    sys.stderr.write('\\nMODULES ' + json.dumps(sorted(sys.modules)) + '\\n')\n"
           "    sys.stderr.flush()\n"
           "    real_exit(code)\n"
           "os._exit = leave\n"
           "from coalition_cli.cli import main\n"
           "main()\n")


def _open_round(coalition) -> None:  # noqa: ANN001
    actions.round_open(coalition.agenda, coalition.who("sec"), "r1", title="First",
                       closes=datetime(2099, 1, 1, tzinfo=timezone.utc))


def _add(coalition, text: str, trace: Path | None = None) -> subprocess.CompletedProcess:  # noqa: ANN001
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    if trace is not None:
        env["GIT_TRACE"] = str(trace)
    args = ["comment", "add", "--principle", "P01", "--stance", "amend", "--as", "health",
            "--key", str(coalition.key("health")), "--text", text]
    proc = subprocess.run([sys.executable, "-c", _REPORT, json.dumps(args)], cwd=coalition.root,
                          capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return proc


def _git_commands(trace: Path) -> list[str]:
    """The git command of every git process in a GIT_TRACE log (its ``built-in:`` line)."""
    out = []
    for line in trace.read_text(encoding="utf-8", errors="replace").splitlines():
        if "trace: built-in: git " in line:
            out.append(line.split("trace: built-in: git ", 1)[1].split()[0])
    return out


def test_one_comment_add_runs_five_git_processes(coalition, tmp_path: Path) -> None:  # noqa: ANN001
    """Counted with GIT_TRACE: no ``rev-parse HEAD`` per question (HEAD comes through the
    batch reader), one ``config --list``, no ``commit-tree``, and the commits since the
    ledger last ran read through the batch reader too — a write after a write, and after a
    plain commit of somebody's; after a merge, git lists the history (seven). A process
    more is a regression."""
    _open_round(coalition)
    traces = [tmp_path / f"{n}.trace" for n in ("first", "second", "merged")]
    _add(coalition, "The first comment.", traces[0])
    git = ["git", "-C", str(coalition.root)]
    (coalition.root / "NOTES.md").write_text("A note outside the agenda.\n", encoding="utf-8")
    subprocess.run([*git, "add", "NOTES.md"], check=True)
    subprocess.run([*git, "commit", "-qm", "a plain commit"], check=True)
    _add(coalition, "The second comment.", traces[1])
    subprocess.run([*git, "checkout", "-qb", "side", "HEAD~1"], check=True)
    (coalition.root / "SIDE.md").write_text("On a side branch.\n", encoding="utf-8")
    subprocess.run([*git, "add", "SIDE.md"], check=True)
    subprocess.run([*git, "commit", "-qm", "on the side"], check=True)
    subprocess.run([*git, "checkout", "-q", "main"], check=True)
    subprocess.run([*git, "merge", "-q", "--no-ff", "-m", "merge the side", "side"], check=True)
    _add(coalition, "The third comment.", traces[2])
    for trace, expected in zip(traces, (WRITE_PROCESSES, WRITE_PROCESSES, LISTED)):
        ran = _git_commands(trace)  # the two started early run side by side: either first
        assert sorted(ran[:2]) == sorted(expected[:2]) and ran[2:] == expected[2:], trace.name
    result = verify(coalition.agenda, use_cache=False)
    assert result.ok, result.problems
    texts = sorted(rec.text for items in result.records.values() for _p, rec in items)
    assert texts == ["The first comment.", "The second comment.", "The third comment."]


def test_comment_add_loads_only_what_it_needs(coalition) -> None:  # noqa: ANN001
    """The other nouns' actions, the quote anchoring (no --quote), the ssh-agent socket (a key
    file signs), cryptography, ruamel, GitPython and typer (the direct path parses the command
    line) are never imported by a plain comment — nor ``typing`` (3 ms of the start: a module
    names the types of its annotations under ``if TYPE_CHECKING:``)."""
    _open_round(coalition)
    proc = _add(coalition, "Lean write.")
    line = [x for x in proc.stderr.splitlines() if x.startswith("MODULES ")][-1]
    loaded = set(json.loads(line[len("MODULES "):]))
    never = {"coalition_cli.actions.members", "coalition_cli.actions.setup",
             "coalition_cli.actions.rounds", "coalition_cli.actions.principles",
             "coalition_cli.actions.responses", "coalition_cli.actions.governance",
             "coalition_cli.actions.translations", "coalition_cli.anchoring",
             "coalition_cli.redline", "diff_match_patch", "socket", "cryptography", "ruamel",
             "ruamel.yaml", "git", "coalition_cli.join", "coalition_cli.sync",
             "typer", "click", "typer._click", "coalition_cli.cli.comments", "typing"}
    assert not (never & loaded), sorted(never & loaded)
    assert "coalition_cli.actions.comments" in loaded and "coalition_cli.keys.sodium" in loaded
    assert "nacl.bindings" not in loaded  # PyNaCl's compiled module alone: 1 ms, not 20


def test_lazy_actions_answer_every_name() -> None:
    """Every name ``actions`` exports resolves (imported on first use) to its module's own."""
    import importlib

    for name in actions.__all__:
        value = getattr(actions, name)
        module = actions._LAZY.get(name)
        if module is not None:
            assert value is getattr(importlib.import_module(f"coalition_cli.actions.{module}"), name)
    assert set(actions._LAZY) <= set(dir(actions))


def test_head_follows_every_move_of_the_branch(tmp_path: Path, hermetic) -> None:  # noqa: ANN001
    """HEAD through the long-lived batch reader is resolved afresh on every ask: commits and
    ``pack-refs`` by other processes, an unborn branch and a detached HEAD, as rev-parse says."""
    repo = tmp_path / "r"
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    git = Git.discover(repo)
    assert git is not None and git.head() is None  # no commit yet

    def commit(message: str) -> str:
        subprocess.run(["git", "commit", "-q", "--allow-empty", "-m", message], cwd=repo, check=True)
        return subprocess.run(["git", "rev-parse", "HEAD"], cwd=repo, capture_output=True,
                              text=True, check=True).stdout.strip()

    first = commit("a")
    assert git.head() == first
    second = commit("b")
    assert git.head() == second  # the same cat-file process, a moved branch
    subprocess.run(["git", "pack-refs", "--all"], cwd=repo, check=True)
    third = commit("c")
    subprocess.run(["git", "pack-refs", "--all"], cwd=repo, check=True)
    assert git.head() == third
    subprocess.run(["git", "checkout", "-q", "--detach", first], cwd=repo, check=True)
    assert git.head() == first
    subprocess.run(["git", "checkout", "-q", "--orphan", "empty"], cwd=repo, check=True)
    assert git.head() is None
    git.close()


def _state(led: ledger_mod.Ledger) -> tuple:
    s = led.state
    return (s.files, s.founders, s.members, s.config, s.facilitator_keys, s.owner)


def test_resumed_ledger_rebuilds_the_state_a_full_walk_gives(coalition) -> None:  # noqa: ANN001
    """Resuming from the remembered parsed fields gives exactly the state a walk from scratch
    gives (members, settings, keys, owners), reads no member or settings file to do it, and
    still judges a new registry version afresh."""
    agenda = coalition.agenda
    _open_round(coalition)
    actions.config_set(agenda, coalition.who("sec"), "themes", "health,housing")
    roots = find_roots(agenda.git)
    full = ledger_mod.walk(agenda, agenda.head(), roots, use_cache=False)
    ledger_mod.walk(agenda, agenda.head(), roots)  # remembered, with the parsed fields
    actions.comment_add(agenda, coalition.who("health"), principle="P01", stance="support",
                        text="Resume me.")
    reads: list[list[str]] = []
    real = agenda.git.read_objects

    def counted(names: list[str]) -> list[bytes | None]:
        reads.append(list(names))
        return real(names)

    agenda.git.read_objects = counted  # type: ignore[method-assign]
    try:
        resumed = ledger_mod.walk(agenda, agenda.head(), roots)
    finally:
        del agenda.git.read_objects
    assert resumed.walked == 1
    assert _state(resumed) == _state(ledger_mod.walk(agenda, agenda.head(), roots,
                                                     use_cache=False))
    assert _state(resumed)[:4] == _state(full)[:4]
    trusted_blobs = {v.blob for rel, v in resumed.state.files.items()
                     if ledger_mod.kind_of(rel) in ("member", "config")}
    assert trusted_blobs and {k.partition("\0")[2] for k in resumed.fields} >= trusted_blobs
    asked = {name for batch in reads for name in batch}
    assert not asked & trusted_blobs, "resuming read a remembered file again"
    # a registry change after the remembered head is parsed and judged as ever
    actions.member_revoke_key(agenda, coalition.who("sec"), "youth",
                              coalition.who("youth").key.public)
    again = ledger_mod.walk(agenda, agenda.head(), roots)
    assert _state(again)[:4] == _state(ledger_mod.walk(agenda, agenda.head(), roots,
                                                       use_cache=False))[:4]
    assert any(e.revoked for e in again.state.members["youth"].keys)


def test_package_fingerprint_is_the_digest_rglob_order_gives(tmp_path: Path) -> None:
    """The walk without pathlib digests the same files in the same order as sorting
    ``rglob`` Paths does — where sorting by parts and sorting strings differ (``a-b.py``
    against ``a/…``), in hidden folders, not inside a symlinked folder."""
    import hashlib

    from coalition_cli import cache

    files = {"a/b.py": "1", "a-b.py": "2", "a/c/d.py": "3", ".hidden/x.py": "4",
             "z.py": "5", "a/readme.txt": "no", "A.py": "6", "a/é.py": "7"}
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text, encoding="utf-8")
    (tmp_path / "linked").symlink_to(tmp_path / "a", target_is_directory=True)
    digest = hashlib.sha256(str(cache.FORMAT).encode())
    for path in sorted(tmp_path.rglob("*.py")):
        digest.update(path.relative_to(tmp_path).as_posix().encode() + b"\0")
        digest.update(path.read_bytes())
    assert cache.source_digest(str(tmp_path)) == digest.hexdigest()[:16]
    root = str(Path(cache.__file__).parent)
    assert cache.package_fingerprint() == cache.source_digest(root)


def test_the_code_digest_is_remembered_until_a_file_of_the_code_changes(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``code_digest``: the sources read once, then only their metadata, until a file is
    rewritten (even to as many bytes), added or removed; never remembered while a file is
    fresh enough that a second write could keep its times; a remembered digest written
    under another user's key is not read."""
    import shutil

    from coalition_cli import cache

    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    cache._SECRETS.clear()
    root = tmp_path / "pkg"
    (root / "sub").mkdir(parents=True)
    (root / "a.py").write_text("x = 1\n", encoding="utf-8")
    (root / "sub" / "b.py").write_text("y = 2\n", encoding="utf-8")
    read: list[str] = []
    real = cache.source_digest
    monkeypatch.setattr(cache, "source_digest", lambda r: read.append(r) or real(r))
    monkeypatch.setattr(cache, "_RACY", -60.0)  # every file old enough
    first = cache.code_digest(str(root))
    assert first == real(str(root)) and len(read) == 1
    assert cache.code_digest(str(root)) == first and len(read) == 1  # metadata only
    (root / "a.py").write_text("x = 3\n", encoding="utf-8")  # the same size, in place
    changed = cache.code_digest(str(root))
    assert changed == real(str(root)) != first and len(read) == 2
    (root / "sub" / "c.py").write_text("", encoding="utf-8")
    assert cache.code_digest(str(root)) == real(str(root)) and len(read) == 3
    (root / "sub" / "c.py").unlink()
    assert cache.code_digest(str(root)) == changed and len(read) == 4
    assert cache.code_digest(str(root)) == changed and len(read) == 4
    monkeypatch.setattr(cache, "_RACY", 2.0)
    (root / "a.py").write_text("x = 4\n", encoding="utf-8")  # just now: not remembered
    fresh = cache.code_digest(str(root))
    assert cache.code_digest(str(root)) == fresh and len(read) == 6
    monkeypatch.setattr(cache, "_RACY", -60.0)
    cache.code_digest(str(root))
    assert len(read) == 7
    other = tmp_path / "other-state"
    (other / "coalition").mkdir(parents=True)
    shutil.copy(tmp_path / "state" / "coalition" / "code.marshal", other / "coalition")
    monkeypatch.setenv("XDG_STATE_HOME", str(other))
    cache._SECRETS.clear()
    assert cache.code_digest(str(root)) == fresh and len(read) == 8  # read again


def test_git_started_early_answers_as_asked_then(tmp_path: Path, hermetic) -> None:  # noqa: ANN001
    """``start_early``'s rev-parse and ``config --list`` give ``discover`` and
    ``config_values`` exactly what asking them then gives; started for another folder, they
    are waited for and not used; a config write asks afresh."""
    from coalition_cli import store

    repo = tmp_path / "r"
    (repo / "sub").mkdir(parents=True)
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    subprocess.run(["git", "-C", str(repo), "config", "coalition.lang", "fr"], check=True)
    plain = Git.discover(repo / "sub")
    assert plain is not None
    store.start_early(repo / "sub")
    early = Git.discover(repo / "sub")
    assert early is not None and not store._EARLY and early._early_config is not None
    assert (early.root, early._git_dir, early._objects, early._markers, early._head_file) == (
        plain.root, plain._git_dir, plain._objects, plain._markers, plain._head_file)
    assert early.config_values("coalition.lang") == plain.config_values("coalition.lang") == ["fr"]
    assert early._config == plain._config and early._early_config is None
    store.start_early(tmp_path)  # not the folder discovered next: unused
    other = Git.discover(repo)
    assert other is not None and other._early_config is None and not store._EARLY
    store.start_early(repo)
    again = Git.discover(repo)
    assert again is not None and again._early_config is not None
    again.run("config", "coalition.lang", "de")  # a change: the early answer is dropped
    assert again._early_config is None and again.config_values("coalition.lang") == ["de"]
    for git in (plain, early, other, again):
        git.close()


def _commit_both_ways(repo: Path, git: Git, env: dict[str, str], message: str) -> tuple:
    """(our commit's id or None, the id ``git commit-tree`` gives at our commit's time)."""
    tree = subprocess.run(["git", "mktree"], cwd=repo, input=b"", capture_output=True,
                          check=True).stdout.decode().strip()
    parent = git.head()
    ours = git._write_commit(tree, parent, message, env)
    if ours is None:
        return None, None
    raw = git.read_objects([ours])[0].decode()
    stamp = raw.split("\ncommitter ", 1)[1].split("\n", 1)[0].rsplit(" ", 2)[1:]
    when = " ".join(stamp)
    args = ["git", "commit-tree", tree, "-F", "-"] + (["-p", parent] if parent else [])
    theirs = subprocess.run(args, cwd=repo, input=message.encode(), capture_output=True,
                            check=True, env={**git._env, **env, "GIT_AUTHOR_DATE": when,
                                             "GIT_COMMITTER_DATE": when}).stdout.decode().strip()
    return ours, theirs


_NAMES = st.text(st.characters(blacklist_categories=("Cs",)), min_size=0, max_size=12)


@given(_NAMES, _NAMES, st.text(max_size=30))
def test_a_commit_written_here_is_the_one_git_commit_tree_writes(name: str, person: str,
                                                                 message: str) -> None:
    """For any author, committer and message: the commit object written without
    ``commit-tree`` has the id git's would have at the same second — or git writes it."""
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        repo = Path(folder)
        subprocess.run(["git", "init", "-q", str(repo)], check=True)
        subprocess.run(["git", "-C", str(repo), "commit", "-q", "--allow-empty", "-m", "a"],
                       check=True)
        if person.strip() and "\0" not in person:
            subprocess.run(["git", "-C", str(repo), "config", "committer.name", person],
                           check=True)
        git = Git.discover(repo)
        assert git is not None
        env = {"GIT_AUTHOR_NAME": name.replace("\0", ""), "GIT_AUTHOR_EMAIL": "m@x.invalid"}
        ours, theirs = _commit_both_ways(repo, git, env, message)
        assert ours == theirs
        git.close()


def test_git_writes_the_commits_it_must_decide(tmp_path: Path, hermetic) -> None:  # noqa: ANN001
    """Signed or re-encoded by configuration, a date in the environment, a name git would
    clean up: ``commit-tree`` writes those; an ordinary one is written here."""
    repo = tmp_path / "r"
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    subprocess.run(["git", "-C", str(repo), "commit", "-q", "--allow-empty", "-m", "a"], check=True)
    git = Git.discover(repo)
    assert git is not None
    tree = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"
    author = {"GIT_AUTHOR_NAME": "Health Org", "GIT_AUTHOR_EMAIL": "health@members.invalid"}
    assert git._write_commit(tree, git.head(), "m", author) is not None
    for message in ("a\0b", "a\ufffeb", "\U0001ffff", "\ufdd0"):  # git refuses or rewrites these
        assert git._write_commit(tree, git.head(), message, author) is None, message
    for env in ({**author, "GIT_AUTHOR_NAME": "Health Org "}, {**author, "GIT_AUTHOR_NAME": "<x>"},
                {**author, "GIT_AUTHOR_NAME": "a\tb"}, {**author, "GIT_COMMITTER_DATE": "1 +0000"},
                {**author, "GIT_AUTHOR_EMAIL": ""}):
        assert git._write_commit(tree, git.head(), "m", env) is None, env
    for setting, value in (("commit.gpgSign", "true"), ("commit.gpgSign", "1"),
                           ("i18n.commitEncoding", "ISO-8859-1")):
        git.run("config", setting, value)
        assert git._write_commit(tree, git.head(), "m", author) is None, setting
        git.run("config", "--unset", setting)
    (repo / ".git" / "config").write_text((repo / ".git" / "config").read_text()
                                          + "[commit]\n\tgpgsign\n")  # bare: true
    git.run("config", "--get", "core.bare")  # (re-read)
    assert git._write_commit(tree, git.head(), "m", author) is None
    git.run("config", "commit.gpgsign", "off")
    assert git._write_commit(tree, git.head(), "m", author) is not None
    git.close()


def test_a_scratch_file_is_new_private_and_never_a_link(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """``scratch_file`` (what ``tempfile.mkstemp`` made, without its imports): a new file of
    mode 0600 in the folder, each name fresh; a name already taken — a file or a link an
    attacker planted — is never opened, another is drawn."""
    import os

    from coalition_cli import scratch

    fd, path = scratch.scratch_file(tmp_path, ".x-")
    os.close(fd)
    assert Path(path).parent == tmp_path and Path(path).name.startswith(".x-")
    assert os.stat(path).st_mode & 0o777 == 0o600
    planted = tmp_path / f".y-{b'taken'.hex()}"
    planted.write_text("theirs")
    (tmp_path / f".y-{b'link'.hex()}").symlink_to(tmp_path / "elsewhere")
    draws = iter([b"taken", b"link", b"free"])
    monkeypatch.setattr(scratch.os, "urandom", lambda _n: next(draws))
    fd, path = scratch.scratch_file(tmp_path, ".y-")
    monkeypatch.undo()
    os.write(fd, b"ours")
    os.close(fd)
    assert Path(path).name == f".y-{b'free'.hex()}" and Path(path).read_bytes() == b"ours"
    assert planted.read_text() == "theirs" and not (tmp_path / "elsewhere").exists()
