"""The few commits since the ledger last walked, read without a git process of their own.

Most commands start a commit or two after the head the ledger remembers: the command's own
last write, a plain commit of somebody's. ``history.commits`` and ``history.changes`` answer
for any history through ``git rev-list`` and ``git diff-tree`` (6 ms of a 75 ms
``comment add``); here the same answers come through the ``cat-file --batch`` the command
already runs — when the commits are a short chain of single-parent commits down to the
remembered head, and their trees are ones git writes. Anything else (a merge, a root, a
longer stretch, an odd mode, entries out of order, a parent line git would refuse, more
than ``TREE_BYTES`` of trees to read) answers None, and git is asked: this module never
decides what git would decide differently, it only declines (``tests/test_nearby.py``
holds it to git on generated trees and histories, every submodule change listed:
``history.changes`` asks diff-tree not to take a pushed .gitmodules' word that some are
to be ignored). One difference is left: a folder added three levels deep (only records
lie there, and their additions are left out) is not read, so in a repository missing that
tree object this answers where diff-tree fails.
"""

from __future__ import annotations

import re

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    Change = tuple[str, str, str, str]

NEAR = 16  # commits since the remembered head: past that, rev-list lists them
# the bytes of tree objects read at most (some 5,000 entries; a member's folder of 5,000
# records is 10,000): past that, diff-tree's C reads the rest faster than this (at 100,000
# records, 10 commits in members' folders took 19-25 ms here, git's two processes 9 ms)
TREE_BYTES = 256 * 1024
ZERO = "0" * 40
_HEX = b"0123456789abcdef"
# the modes git writes in a tree, and what each is for a change of type (diff's status T)
_MODES = {b"100644": ("100644", "file"), b"100755": ("100755", "file"),
          b"120000": ("120000", "link"), b"160000": ("160000", "module"),
          b"40000": ("040000", "tree")}
_MODE_TEXT = {mode: text for mode, (text, _kind) in _MODES.items()}
_KIND = {mode: kind for mode, (_text, kind) in _MODES.items()}
# the reader of a tree's entries (``_compiled``): each a mode of those, a name (neither
# empty nor holding a slash) and an id; its expressions compiled when first needed (0.2 ms
# of a start that may read no tree)
_ENTRY: list = []


def nearby(git: Any, head: str, since: str, folder: str
           ) -> tuple[list[tuple[str, list[str]]], list[list[Change]]] | None:
    """What ``history.commits(git, head, since)`` and ``history.changes`` of its (commit,
    parent) pairs under ``folder`` answer, or None when this cannot say."""
    if not _is_id(head.encode()) or not _is_id(since.encode()) or "/" in folder:
        return None  # (a folder inside a folder: git is asked)
    git = _Budget(git)
    chain: list[tuple[str, list[str]]] = []
    roots: list[str] = []  # the root tree of each commit, head first
    at = head
    while True:
        obj = git.read_typed([at])[0]
        header = _header(obj[1]) if obj is not None and obj[0] == "commit" else None
        if header is None:
            return None
        roots.append(header[0])
        if at == since:
            break
        if len(chain) == NEAR or len(header[1]) != 1:
            return None
        chain.append((at, header[1]))
        at = header[1][0]
    chain.reverse()
    roots.reverse()  # since's first
    folders = _folders(git, roots, folder)
    if folders is None:
        return None
    changes = []
    for old, new in zip(folders, folders[1:]):
        out: list[Change] = []
        if old[0] != new[0] and not _diff(git, old[1], new[1], "", out):
            return None  # (the same folder, by id: nothing in it changed)
        changes.append(out)
    return chain, changes


def _folders(git: Any, roots: list[str], folder: str) -> list[tuple[str, list]] | None:
    """(object id, entries) of ``folder`` in each root tree ("", [] where it is not there);
    None where a root tree, or a folder that differs from the one before it, is not a tree
    git writes, or the folder is not a folder."""
    distinct = list(dict.fromkeys(roots))
    tops = dict(zip(distinct, (_subtree(obj) for obj in git.read_typed(distinct))))
    if any(entries is None for entries in tops.values()):
        return None
    if folder in ("", "."):
        return [(r, tops[r]) for r in roots]
    name = folder.encode("utf-8", "surrogateescape")
    ids = []
    for root in roots:
        found = [e for e in tops[root] if e[1] == name]
        if found and found[0][4] != "tree":
            return None  # a file, a link or a submodule where the folder is: git is asked
        ids.append(found[0][3].hex() if found else "")
    wanted = list(dict.fromkeys(i for a, b in zip(ids, ids[1:]) if a != b for i in (a, b) if i))
    trees = dict(zip(wanted, (_subtree(obj) for obj in git.read_typed(wanted))))
    if any(entries is None for entries in trees.values()):
        return None
    return [(i, trees.get(i, [])) for i in ids]


class _Budget:
    """``git.read_typed`` that reads nothing more once ``TREE_BYTES`` of objects are read:
    each object asked for then is None, which no caller takes for a tree git writes."""

    def __init__(self, git: Any) -> None:
        self.git, self.left = git, TREE_BYTES

    def read_typed(self, names: list[str]) -> list[tuple[str, bytes] | None]:
        if self.left < 0:
            return [None] * len(names)
        objs = self.git.read_typed(names)
        self.left -= sum(len(obj[1]) for obj in objs if obj is not None)
        return objs if self.left >= 0 else [None] * len(objs)


def _is_id(text: bytes) -> bool:
    return len(text) == 40 and not text.strip(_HEX)


def _header(raw: bytes) -> tuple[str, list[str]] | None:
    """A commit's tree and parents as git's commit parser reads them: the ``tree`` line,
    then the ``parent`` lines right after it; None where that parser would refuse the
    commit (or has more than 62 parents to read)."""
    lines = raw.split(b"\n", 64)
    if not lines[0].startswith(b"tree ") or not _is_id(lines[0][5:]):
        return None
    parents = []
    for line in lines[1:-1]:
        if not line.startswith(b"parent "):
            return lines[0][5:].decode(), parents
        if not _is_id(line[7:]):
            return None
        parents.append(line[7:].decode())
    return None  # no line after the parents: let git read it


def _entries(raw: bytes) -> list[tuple[bytes, bytes, str, bytes, str]] | None:
    """(sort key, name, mode, object id, kind) of each entry of a tree object, in the tree's
    order, name and id as stored (decoded only where they changed); None unless the tree
    is one git writes (known modes, names sorted as git sorts them — a folder as its
    name with a slash — each once).

    The entries are found by regular expressions and checked as whole lists (a member's
    folder of 5,000 records is a tree of 10,000 entries, read twice for each commit that adds
    one). The bytes are first matched as entries end to end, from the first byte — searched
    for anywhere, an entry's start could be tried at every byte of a crafted tree, each try
    reading on to the next NUL: 2.7 s for 64 KB of ``40000 `` repeated."""
    found = (_ENTRY or _compiled())[0](raw)
    if not found:
        return found  # (None: the bytes are not entries end to end; []: an empty tree)
    modes, names, ids = zip(*found)
    keys = [name + b"/" if mode == b"40000" else name for mode, name, _id in found]
    if len(set(names)) != len(names) or len(set(keys)) != len(keys) or keys != sorted(keys):
        return None  # a name twice (a file and a folder of one name sort apart), out of order
    return list(zip(keys, names, map(_MODE_TEXT.__getitem__, modes), ids,
                    map(_KIND.__getitem__, modes)))


def _compiled() -> list:
    modes = b"|".join(_MODES)
    whole = re.compile(rb"(?:(?:%s) [^\0/]+\0.{20})*" % modes, re.S).fullmatch
    every = re.compile(rb"(%s) ([^\0/]+)\0(.{20})" % modes, re.S).findall
    _ENTRY[:] = [lambda raw: every(raw) if whole(raw) else None]
    return _ENTRY


def _path(prefix: str, name: bytes) -> str:
    return prefix + name.decode("utf-8", "surrogateescape")


def _diff(git: Any, old: list, new: list, prefix: str, out: list[Change]) -> bool:
    """Append what ``git diff-tree -r --no-renames`` lists between two trees' entries, in
    its order, to ``out`` (a record added three folders deep or more left out, as
    ``history.changes`` leaves it); False where a tree read is not one git writes.

    An entry the same on both sides (name, mode and id) is no change, so only the others
    are walked: each key is in a side once, so sorted they are in the trees' order."""
    old, new = sorted(set(old).difference(new)), sorted(set(new).difference(old))
    i = j = 0
    while i < len(old) or j < len(new):
        o = old[i] if i < len(old) else None
        n = new[j] if j < len(new) else None
        if n is None or (o is not None and o[0] < n[0]):
            i += 1
            if not _whole(git, o, prefix, "D", out):
                return False
        elif o is None or n[0] < o[0]:
            j += 1
            if not _whole(git, n, prefix, "A", out):
                return False
        else:
            i, j = i + 1, j + 1
            if o[2] == n[2] and o[3] == n[3]:
                continue
            if o[4] == "tree":  # (the same key: a folder on both sides)
                both = [_subtree(obj) for obj in git.read_typed([o[3].hex(), n[3].hex()])]
                if None in both or not _diff(git, both[0], both[1], _path(prefix, o[1]) + "/",
                                             out):
                    return False
            else:
                out.append(("M" if o[4] == n[4] else "T", _path(prefix, o[1]), o[3].hex(),
                            n[3].hex()))
    return True


def _whole(git: Any, entry: tuple, prefix: str, status: str, out: list[Change]) -> bool:
    """A file or a whole folder on one side only: every file in it added or deleted."""
    path = _path(prefix, entry[1])
    if entry[4] != "tree":
        if status == "D":
            out.append(("D", path, entry[3].hex(), ZERO))
        elif path.count("/") <= 2:
            out.append(("A", path, ZERO, entry[3].hex()))
        return True
    if status == "A" and path.count("/") >= 2:
        return True  # only records lie that deep, and their additions are left out
    entries = _subtree(git.read_typed([entry[3].hex()])[0])
    if entries is None:
        return False
    return all(_whole(git, e, f"{path}/", status, out) for e in entries)


def _subtree(obj: tuple[str, bytes] | None) -> list | None:
    return _entries(obj[1]) if obj is not None and obj[0] == "tree" else None


__all__ = ["NEAR", "nearby"]
