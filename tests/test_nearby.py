"""The few commits since the ledger's remembered head, read through the batch reader
(``trust.nearby``): what it answers is exactly what ``git rev-list`` and ``git diff-tree``
answer (``trust.history``), on generated trees and chains of commits; where it cannot be
sure (a merge, a longer stretch, a head not descended from the remembered one, trees and
commits git does not write) it declines, and git is asked."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from coalition_cli.store import Git
from coalition_cli.trust import history, nearby

# few paths, so that a path comes back in a later commit: changed, retyped, turned into a
# folder or back; names that sort unlike their folders ("a.b" < "a/" < "a0"); files one,
# two, three and four folders deep (records added that deep are left out)
PATHS = ["a", "a.b", "a0", "é", "a/a", "a/a.b", "a/b/c", "a/b/c/d", "a/b/c/e", "é/a",
         "rounds/r1", "rounds/r1/x.yaml", "rounds/r1/c/m1", "rounds/r1/c/m1/x.yaml",
         "rounds/r1/c/m1/y.yaml"]
MODES = ["100644", "100755", "120000", "160000"]
FOLDER = "agenda"
# every commit declares each of those paths a submodule that diffs ignore: git diff-tree,
# left to read that, would leave their changes out (what ``history.changes`` asks it not to)
IGNORED = "".join(f'[submodule "s{i}"]\n\tpath = {FOLDER}/{p}\n\turl = ./none\n'
                  f'\tignore = all\n' for i, p in enumerate([*PATHS, "b", "c", "d"]))

_path = st.sampled_from(PATHS)
_file = st.tuples(st.sampled_from(MODES), st.sampled_from(["one", "two"]))
# a commit: files under the agenda folder changed or deleted (None) from the commit before,
# the folder itself (rarely: not there, a file, a submodule), and a file outside it
_edit = st.tuples(
    st.dictionaries(_path, st.none() | _file, min_size=1, max_size=6),
    st.sampled_from(["tree"] * 8 + ["absent", "100644", "160000"]),
    st.sampled_from(["note one", "note two"]),
)


def _states(edits: list) -> list[tuple[dict, str, str]]:
    files: dict = {}
    out = []
    for changed, top, note in edits:
        for path, now in changed.items():
            if now is None:
                files.pop(path, None)
            else:
                files[path] = now
        out.append((dict(files), top, note))
    return out


class Repo:
    """A bare-bones repository whose commits are written from an index made by hand, so
    any mode (a submodule, a link, an executable) and any file/folder swap can be had."""

    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir()
        self.git("init", "-q")
        self.env = {**os.environ, "GIT_INDEX_FILE": str(root / ".git" / "hand-index")}

    def git(self, *args: str, data: bytes | None = None, env: dict | None = None) -> str:
        proc = subprocess.run(["git", *args], cwd=self.root, input=data, capture_output=True,
                              env=env, timeout=60)
        assert proc.returncode == 0, proc.stderr.decode()
        return proc.stdout.decode().strip()

    def blob(self, data: bytes) -> str:
        return self.git("hash-object", "-w", "--stdin", data=data)

    def commit(self, state: tuple, parents: list[str]) -> str:
        files, top, note = state
        entries = {"notes/n": ("100644", self.blob(note.encode())),
                   ".gitmodules": ("100644", self.blob(IGNORED.encode()))}
        if top == "tree":
            kept = sorted(files)
            for path in kept:  # a file that is also a folder of another path is left out
                if any(other.startswith(path + "/") for other in kept):
                    continue
                mode, text = files[path]
                sha = (hashlib.sha1(text.encode()).hexdigest() if mode == "160000"  # (a
                       else self.blob(f"{path} {text}".encode()))  # commit not stored here)
                entries[f"{FOLDER}/{path}"] = (mode, sha)
        elif top != "absent":
            entries[FOLDER] = (top, "2" * 40 if top == "160000" else self.blob(b"a file"))
        self.git("read-tree", "--empty", env=self.env)
        info = "".join(f"{m} {s}\t{p}\n" for p, (m, s) in entries.items())
        self.git("update-index", "--add", "--index-info", data=info.encode(), env=self.env)
        tree = self.git("write-tree", env=self.env)
        args = [a for p in parents for a in ("-p", p)]
        made = self.git("commit-tree", tree, *args, "-m", "step")
        self.git("update-ref", "HEAD", made)  # (git reads .gitmodules from HEAD's tree)
        return made


def _by_git(git: Git, head: str, since: str) -> tuple[list, list]:
    commits = history.commits(git, head, since)
    pairs = [(c, p) for c, ps in commits for p in (ps or [""])]
    return commits, history.changes(git, pairs, FOLDER)


@pytest.fixture
def repo(tmp_path: Path, hermetic) -> Repo:  # noqa: ANN001
    return Repo(tmp_path / "repo")


@settings(max_examples=80, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(edits=st.lists(_edit, min_size=2, max_size=5))
def test_a_short_chain_reads_as_git_lists_it(repo: Repo, edits: list) -> None:
    """Commit after commit of generated trees: the commits since the first, and every
    change under the folder (status, path, old and new blob, in git's order, the records
    added deep left out), equal git's — and it answers whenever the folder is a folder or
    is not there at all (a test of a reader that always declined would pass otherwise)."""
    states = _states(edits)
    first = repo.commit(states[0], [])
    head = first
    for state in states[1:]:
        head = repo.commit(state, [head])
    git = Git(repo.root)
    try:
        near = nearby.nearby(git, head, first, FOLDER)
        plain = all(s[1] in ("tree", "absent") for s in states)
        assert (near is not None) == plain, states
        if near is not None:
            assert near == _by_git(git, head, first)
    finally:
        git.close()


def test_every_kind_of_change_reads_as_git_lists_it(repo: Repo) -> None:
    """One chain through each kind of change git tells apart — a mode changed on the same
    blob (M), a file turned into a link or a submodule (T), a submodule moved (M), a file
    turned into a folder and back (D and A), a record added deep (left out), changed and
    deleted deep (kept), a whole folder deleted, the agenda folder gone and back."""
    steps = [
        {"a": ("100644", "one"), "b": ("100644", "one"), "c": ("100644", "one"),
         "d": ("160000", "one"), "f/x": ("100644", "one"), "r/r1/c/m1/x.yaml": ("100644", "one")},
        {"a": ("100755", "one"), "b": ("120000", "one"), "c": ("160000", "one"),
         "d": ("160000", "two"), "f/x": ("100644", "one"), "r/r1/c/m1/x.yaml": ("100644", "two"),
         "r/r1/c/m1/y.yaml": ("100644", "one"), "r/r1/z.yaml": ("100644", "one")},
        {"a/now": ("100644", "one"), "f": ("100644", "one"), "r/r1/c/m1/y.yaml": ("100644", "one")},
        {"a": ("100644", "two"), "f": ("100644", "one")},
    ]
    heads = [repo.commit((files, "tree", "note one"), []) if i == 0 else None
             for i, files in enumerate(steps[:1])]
    for files in steps[1:]:
        heads.append(repo.commit((files, "tree", "note one"), [heads[-1]]))
    heads.append(repo.commit(({}, "absent", "note two"), [heads[-1]]))
    heads.append(repo.commit((steps[0], "tree", "note one"), [heads[-1]]))
    git = Git(repo.root)
    try:
        near = nearby.nearby(git, heads[-1], heads[0], FOLDER)
        assert near is not None and near == _by_git(git, heads[-1], heads[0])
        kinds = {(status, path) for changes in near[1] for status, path, _o, _n in changes}
        assert {("M", "a"), ("T", "b"), ("T", "c"), ("M", "d"), ("D", "f/x"), ("A", "f"),
                ("M", "r/r1/c/m1/x.yaml"), ("D", "r/r1/c/m1/x.yaml"), ("D", "a/now"),
                ("A", "r/r1/z.yaml"), ("A", "a/now")} <= kinds, sorted(kinds)
        assert ("A", "r/r1/c/m1/y.yaml") not in kinds  # a record added deep: left out
        assert ("A", "r/r1/c/m1/x.yaml") not in kinds  # (back with the folder: deep too)
        mode_only = [c for changes in near[1] for c in changes if c[:2] == ("M", "a")][0]
        assert mode_only[2] == mode_only[3]  # the same blob, another mode
    finally:
        git.close()


def test_it_declines_a_merge_a_long_stretch_and_a_head_from_elsewhere(repo: Repo) -> None:
    state = ({"P01.md": ("100644", "one")}, "tree", "note one")
    other = ({"P01.md": ("100644", "two")}, "tree", "note two")
    base = repo.commit(state, [])
    left, right = repo.commit(other, [base]), repo.commit(state, [base])
    merge = repo.commit(other, [left, right])
    git = Git(repo.root)
    try:
        assert nearby.nearby(git, merge, base, FOLDER) is None  # a merge on the way
        assert nearby.nearby(git, left, right, FOLDER) is None  # not descended from it
        head = base
        for i in range(nearby.NEAR + 1):
            head = repo.commit(state if i % 2 else other, [head])
        assert nearby.nearby(git, head, base, FOLDER) is None  # too far back
        near = nearby.nearby(git, head, repo.git("rev-parse", f"{head}~{nearby.NEAR}"), FOLDER)
        assert near is not None and len(near[0]) == nearby.NEAR
    finally:
        git.close()


def test_it_declines_trees_and_commits_git_would_not_write(repo: Repo) -> None:
    """A tree out of order, with a name twice (a file and a folder of one name sort apart,
    at the top too), with an old mode, and a commit whose parent line names no commit or is
    written after its author: git is asked, and git's own answer stands."""
    state = ({"P01.md": ("100644", "one")}, "tree", "note one")
    base = repo.commit(state, [])
    blob = repo.blob(b"x")
    git = Git(repo.root)

    def literally(kind: str, data: bytes) -> str:
        return repo.git("hash-object", "-t", kind, "--literally", "-w", "--stdin", data=data)

    def tree(*entries: tuple[str, str, str]) -> str:
        return literally("tree", b"".join(f"{m} {n}\0".encode() + bytes.fromhex(s)
                                          for m, n, s in entries))

    def commit_on(top: str, parent_lines: str, *, root: str | None = None) -> str:
        root = root or tree(("40000", FOLDER, top))
        person = "A <a@example.invalid> 0 +0000"
        return literally("commit", f"tree {root}\n{parent_lines}author {person}\n"
                                   f"committer {person}\n\nhand made\n".encode())

    try:
        for top in (tree(("100644", "b", blob), ("100644", "a", blob)),  # out of order
                    tree(("100644", "a", blob), ("100644", "a", blob)),  # twice
                    tree(("100664", "a", blob)),  # a mode git no longer writes
                    tree(("100644", "a", blob), ("40000", "a", tree(("100644", "b", blob))))):
            assert nearby.nearby(git, commit_on(top, f"parent {base}\n"), base, FOLDER) is None
        good = tree(("100644", "a", blob))
        twice = tree(("100644", FOLDER, blob), ("40000", FOLDER, good))  # (sorted as git does)
        assert nearby.nearby(git, commit_on(good, f"parent {base}\n", root=twice), base,
                             FOLDER) is None
        assert nearby.nearby(git, commit_on(good, f"parent {base}\n"), base, FOLDER) is not None
        assert nearby.nearby(git, commit_on(good, f"parent {blob}\n"), base, FOLDER) is None
        late = literally("commit", (f"tree {tree(('40000', FOLDER, good))}\nauthor A <a@x> 0 "
                                    f"+0000\nparent {base}\ncommitter A <a@x> 0 +0000\n\nm\n"
                                    ).encode())
        assert nearby.nearby(git, late, base, FOLDER) is None  # git reads it as a root
    finally:
        git.close()


def _entries_one_by_one(raw: bytes) -> list | None:
    """A tree's entries read one at a time, every rule checked as it is met: the reader
    ``nearby._entries`` (one expression, then whole lists) must answer exactly as this."""
    out, pos, last, names = [], 0, b"", set()
    while pos < len(raw):
        space = raw.find(b" ", pos)
        nul = raw.find(b"\0", space + 1) if space >= 0 else -1
        if nul < 0 or nul + 21 > len(raw):
            return None
        known = nearby._MODES.get(raw[pos:space])
        name = raw[space + 1:nul]
        if known is None or not name or b"/" in name:
            return None
        key = name + b"/" if known[1] == "tree" else name
        if key <= last or name in names:
            return None
        last = key
        names.add(name)
        pos = nul + 21
        out.append((key, name, known[0], raw[nul + 1:pos], known[1]))
    return out


_tree_mode = st.sampled_from([*nearby._MODES, b"100664", b"040000", b"1", b""])
_tree_name = st.sampled_from([b"a", b"a.b", b"a0", b"b", "é".encode(), b"x.yaml",
                              b"x.yaml.sig", b"a/b", b"", b"a b", b"\xff"])
_entry = st.tuples(_tree_mode, _tree_name, st.binary(min_size=20, max_size=20))


_ID = bytes(range(32, 52))


@settings(max_examples=600, deadline=None)
@given(entries=st.lists(_entry, max_size=8), order=st.booleans(),
       cut=st.integers(-3, 3), junk=st.binary(max_size=2))
@example(entries=[(b"100644", b"a", _ID), (b"40000", b"a", _ID)], order=True, cut=0, junk=b"")
@example(entries=[(b"100644", b"a", _ID), (b"100644", b"a.b", _ID)], order=True, cut=0,
         junk=b"")
def test_tree_entries_are_read_as_one_by_one(entries: list, order: bool, cut: int,
                                             junk: bytes) -> None:
    """Trees git writes (sorted, each name once, known modes; ids holding any byte, a space
    or a NUL among them) and trees it does not — out of order, a name twice, a file and a
    folder of one name, an odd mode, an empty name or one with a slash, cut short, bytes
    after the last entry: the same entries, or the same refusal, as read one by one."""
    if order:
        entries = sorted(entries, key=lambda e: e[1] + b"/" if e[0] == b"40000" else e[1])
    raw = b"".join(mode + b" " + name + b"\0" + oid for mode, name, oid in entries)
    raw = (raw[:cut] if cut < 0 else raw) + junk
    assert nearby._entries(raw) == _entries_one_by_one(raw)


def test_past_its_budget_of_trees_read_git_is_asked(repo: Repo, monkeypatch) -> None:  # noqa: ANN001
    """A member's folder of thousands of records is a tree read twice for each commit that
    adds one: past ``TREE_BYTES`` read, nearby declines and the ledger asks git (whose
    diff-tree reads faster); under it, nearby's answer is git's."""
    files = {f"rounds/r1/c/m1/{i:04}.yaml": ("100644", "one") for i in range(40)}
    first = repo.commit((files, "tree", "note one"), [])
    files["rounds/r1/c/m1/0003.yaml"] = ("100644", "two")  # changed deep: kept
    files["rounds/r1/c/m1/9999.yaml"] = ("100644", "one")  # added deep: left out
    head = repo.commit((dict(files), "tree", "note two"), [first])
    git = Git(repo.root)
    try:
        near = nearby.nearby(git, head, first, FOLDER)
        assert near is not None and near == _by_git(git, head, first)
        assert [c[:2] for c in near[1][0]] == [("M", "rounds/r1/c/m1/0003.yaml")]
        monkeypatch.setattr(nearby, "TREE_BYTES", 40 * 50)  # less than the folder's two reads
        assert nearby.nearby(git, head, first, FOLDER) is None
    finally:
        git.close()


def test_a_crafted_tree_is_refused_without_reading_it_over_and_over() -> None:
    """``40000 `` over and over, then a slash: searched for anywhere, an entry would be tried
    at each of 40,000 places, each try reading on to the end — a quarter of a megabyte (the
    most nearby reads before it declines) took some 45 s read that way, against git's 10 ms
    for the same tree. Read from its first byte, it is refused at once; the subprocess's
    limit is there for a reader that would hang every ledger walk, not to measure speed."""
    code = ("from coalition_cli.trust import nearby\n"
            f"raw = b'100644 ' + b'40000 ' * {nearby.TREE_BYTES // 6} + b'/x\\0' + bytes(20)\n"
            "assert len(raw) > nearby.TREE_BYTES - 64 and nearby._entries(raw) is None\n"
            "assert nearby._entries(raw[7:]) is None\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=30)
    assert proc.returncode == 0, proc.stderr
