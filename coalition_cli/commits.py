"""How a write makes its commit without git's index (``store.Git`` is one of these).

The new blobs and the trees along the changed paths are written as loose objects
(``_build_tree``), the commit object is written here exactly as ``git commit-tree`` would
write it — or by ``git commit-tree`` itself when configuration signs or re-encodes commits,
a date is set, or an identity is unusual (``_write_commit``) — and the branch moves with
``git update-ref`` against the old head, the one atomic step (``commit_files``). Only then
are the files written into the working tree and index (``worktree.WorkTree``).
"""

from __future__ import annotations

import hashlib
import os
import zlib
from pathlib import Path

from .errors import GitError
from .scratch import scratch_file

EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"


def _plain_ident(value: str | None) -> bool:
    """A name or address git writes into a commit as it is: not empty, no ``<``, ``>`` or
    line break, and nothing git strips from its ends (``ident.c``'s "crud": spaces,
    controls and ``.,:;<>"\\'``)."""
    if not value or "<" in value or ">" in value or not value.isprintable():
        return False  # (a line break, a control, an undecodable byte: git decides)
    crud = '.,:;<>"\\\''
    return not any(c <= " " or c in crud for c in (value[0], value[-1]))


class CommitWriter:
    """The writing half of ``store.Git``: it reads through the Git it is part of
    (``read_objects``, ``run``, ``config_values``) and its working tree (``WorkTree``)."""

    def _write_object(self, kind: str, content: bytes) -> str:
        data = f"{kind} {len(content)}\0".encode() + content
        sha = hashlib.sha1(data).hexdigest()
        target = self.objects_dir / sha[:2] / sha[2:]
        if not target.exists():
            target.parent.mkdir(exist_ok=True)
            fd, tmp = scratch_file(target.parent, "tmp_obj_")
            try:
                with os.fdopen(fd, "wb") as fh:
                    fh.write(zlib.compress(data, 1))
                os.chmod(tmp, 0o444)
                os.replace(tmp, target)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        return sha

    def _tree_entries(self, sha: str) -> dict[bytes, tuple[bytes, bytes]]:
        """name -> (mode, 20-byte id) of a tree object."""
        if sha == EMPTY_TREE:
            return {}
        raw = self.read_objects([sha])[0]
        if raw is None:
            raise GitError(f"tree {sha} is missing from the repository")
        entries: dict[bytes, tuple[bytes, bytes]] = {}
        pos = 0
        while pos < len(raw):
            space = raw.index(b" ", pos)
            nul = raw.index(b"\0", space)
            entries[raw[space + 1 : nul]] = (raw[pos:space], raw[nul + 1 : nul + 21])
            pos = nul + 21
        return entries

    @staticmethod
    def _tree_bytes(entries: dict[bytes, tuple[bytes, bytes]]) -> bytes:
        def key(name: bytes) -> bytes:
            return name + b"/" if entries[name][0] == b"40000" else name

        return b"".join(
            entries[n][0] + b" " + n + b"\0" + entries[n][1] for n in sorted(entries, key=key)
        )

    def _build_tree(self, base: str, changes: dict[str, bytes | None]) -> str:
        """Write the tree ``base`` with files set (bytes) or removed (None)."""
        here: dict[str, bytes | None] = {}
        below: dict[str, dict[str, bytes | None]] = {}
        for path, content in changes.items():
            head, sep, rest = path.partition("/")
            if sep:
                below.setdefault(head, {})[rest] = content
            else:
                here[head] = content
        entries = self._tree_entries(base)
        for name, sub in below.items():
            key = name.encode("utf-8")
            old = entries.get(key)
            old_sha = old[1].hex() if old and old[0] == b"40000" else EMPTY_TREE
            new_sha = self._build_tree(old_sha, sub)
            if new_sha == EMPTY_TREE:
                entries.pop(key, None)
            else:
                entries[key] = (b"40000", bytes.fromhex(new_sha))
        for name, content in here.items():
            key = name.encode("utf-8")
            if content is None:
                entries.pop(key, None)
            else:
                entries[key] = (b"100644", bytes.fromhex(self._write_object("blob", content)))
        if not entries:
            return EMPTY_TREE
        return self._write_object("tree", self._tree_bytes(entries))

    def _tree_of(self, commit: str) -> str:
        """The tree of ``commit``: its first header line, read through the running
        ``cat-file --batch`` (no process of its own)."""
        raw = self.read_objects([commit])[0] or b""
        if raw.startswith(b"tree ") and raw[45:46] == b"\n":
            return raw[5:45].decode()
        return self.run("rev-parse", f"{commit}^{{tree}}").decode().strip()

    def commit_files(self, changes: dict[str, bytes | None], message: str, *,
                     author: tuple[str, str] | None = None, attempts: int = 5) -> str:
        """Commit files (repository-relative paths) on top of HEAD; return the commit.

        The working tree and index are updated for these paths only, after the
        commit is in place; other uncommitted work is left alone.
        """
        env = {}
        if author:
            env = {"GIT_AUTHOR_NAME": author[0], "GIT_AUTHOR_EMAIL": author[1]}
        self.require_branch()
        self.recover()
        for attempt in range(attempts):
            if attempt:
                self.clear_stale_locks()
            parent = self.head()
            base_tree = EMPTY_TREE
            if parent:
                base_tree = self._tree_of(parent)
            tree = self._build_tree(base_tree, changes)
            commit = self._write_commit(tree, parent, message, env)
            if commit is None:  # git decides (a signed commit, a set date, an unusual name)
                args = ["commit-tree", tree, "-F", "-"]
                if parent:
                    args[2:2] = ["-p", parent]
                commit = self.run(*args, input=message.encode("utf-8"), env=env).decode().strip()
            # Intent first: should we be killed after the branch moves, the next write
            # finishes bringing these paths into the working tree and index (recover).
            self._write_journal(commit, list(changes))
            code, _ = self.run_status(
                "update-ref", "-m", f"coalition: {message.splitlines()[0]}", "HEAD", commit,
                parent or "0" * 40,
            )
            if code == 0:
                if self._checkout_paths(changes):
                    self._journal.unlink(missing_ok=True)
                return commit
            self._journal.unlink(missing_ok=True)
        raise GitError("the branch kept moving while writing; try again")

    def _write_commit(self, tree: str, parent: str | None, message: str,
                      env: dict[str, str]) -> str | None:
        """The commit ``git commit-tree TREE [-p PARENT] -F -`` would write now, written as
        a loose object here (one process fewer); None when git must decide: commits signed
        or re-encoded by configuration, a date set in the environment, an identity taken
        from anywhere but the environment and ``user.*`` / ``author.*`` / ``committer.*``
        settings, or one git would clean up (a name or address with ``<``, ``>``, a line
        break, or odd characters at its ends; a message with a NUL or a noncharacter)."""
        where = {**self._env, **env}
        if "GIT_AUTHOR_DATE" in where or "GIT_COMMITTER_DATE" in where:
            return None
        if "\0" in message or not message.isascii() and any(
                (ord(c) & 0xFFFE) == 0xFFFE or 0xFDD0 <= ord(c) <= 0xFDEF for c in message):
            return None  # git refuses a NUL, and rewrites noncharacters (commit.c)
        signing = self.config_values("commit.gpgsign")
        if signing is None or self.config_values("i18n.commitencoding") != []:
            return None  # (None: the configuration is unreadable)
        if signing and signing[-1].lower() not in ("false", "no", "off", "0"):
            return None  # (a bare "gpgsign" reads as "" here, and means true: git decides)
        idents = []
        for who in ("author", "committer"):
            name, email = (where[key] if key in where else self._setting(f"{who}.{part}",
                                                                          f"user.{part}")
                           for part, key in (("name", f"GIT_{who.upper()}_NAME"),
                                             ("email", f"GIT_{who.upper()}_EMAIL")))
            if not (_plain_ident(name) and _plain_ident(email)):
                return None
            idents.append(f"{name} <{email}>")
        import time

        now = int(time.time())
        offset = int(time.localtime(now).tm_gmtoff / 60)  # (truncated, as git's C does)
        stamp = f"{now} {'-' if offset < 0 else '+'}{abs(offset) // 60:02d}{abs(offset) % 60:02d}"
        lines = [f"tree {tree}"] + ([f"parent {parent}"] if parent else []) + [
            f"author {idents[0]} {stamp}", f"committer {idents[1]} {stamp}", "", ""]
        return self._write_object("commit", "\n".join(lines).encode("utf-8")
                                  + message.encode("utf-8"))

    def _setting(self, *names: str) -> str | None:
        """The first of the settings ``names`` that is set (its last value), else None."""
        for name in names:
            values = self.config_values(name)
            if values:
                return values[-1]
        return None


__all__ = ["CommitWriter", "EMPTY_TREE"]
