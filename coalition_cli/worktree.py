"""What a write does in the working tree, and what a killed one leaves behind.

``store.Git`` writes a commit first and the files after it. Around that step this mixin
refuses to write in the middle of a rebase or a merge or on a detached HEAD, journals the
files a write is about to put in the working tree (``recover`` finishes or forgets a
journal a killed write left), and removes the locks a killed git left — only when no git
process is working in the tree or holds the lock open.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from .errors import GitError
from .scratch import scratch_file

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

_READ_ONLY_GIT = frozenset({"cat-file", "ls-tree", "ls-files", "rev-parse", "rev-list", "log",
                            "show", "merge-base", "diff-tree", "for-each-ref", "config",
                            "symbolic-ref", "var", "version"})


def _git_running_in(root: Path, lock: Path) -> bool:
    """Is a git process that may take locks working in ``root``, or holding ``lock`` open?
    (Linux /proc; readers such as the long-lived ``git cat-file --batch`` do not count.)"""
    root_text, lock_text = str(root.resolve()), str(lock)
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as fh:
                argv = fh.read().decode("utf-8", "replace").split("\0")
            is_git = bool(argv) and os.path.basename(argv[0]).startswith("git")
            command = next((a for a in argv[1:] if a and not a.startswith("-")), "")
            if is_git and command not in _READ_ONLY_GIT:
                cwd = os.readlink(f"/proc/{pid}/cwd")
                if cwd == root_text or cwd.startswith(root_text + os.sep):
                    return True
            for fd in os.listdir(f"/proc/{pid}/fd"):
                if os.readlink(f"/proc/{pid}/fd/{fd}") == lock_text:
                    return True
        except OSError:  # gone, or not ours to look at
            continue
    return False


class WorkTree:
    """The working-tree side of ``store.Git`` (its ``root``, ``git_dir``, ``run``... are
    ``Git``'s)."""

    root: Path
    git_dir: Any
    _markers: list[Path] | None
    _head_file: Path | None
    _locks: list[Path] | None

    def unfinished_operation(self) -> str | None:
        """``rebase`` or ``merge`` when git stopped (or was killed) in the middle of one in
        this working tree, ``detached`` when HEAD names no branch, else None."""
        if self._markers is not None:
            paths = self._markers
        else:
            out = self.run("rev-parse", "--git-path", "rebase-merge", "--git-path",
                           "rebase-apply", "--git-path", "MERGE_HEAD").decode().splitlines()
            paths = [self.root / line for line in out]
        if paths[0].exists() or paths[1].exists():
            return "rebase"
        if paths[2].exists():
            return "merge"
        if not self._on_branch():
            return "detached"
        return None

    def _on_branch(self) -> bool:
        """Does HEAD name a branch?"""
        return self.branch() is not None

    def branch(self) -> str | None:
        """The branch HEAD names (``main``), or None when it is detached. Read from this
        worktree's HEAD file when git said where it is and it holds a symbolic ref
        (``ref: refs/heads/…``); else ``git symbolic-ref``."""
        if self._head_file is not None:
            try:
                text = self._head_file.read_text(encoding="utf-8", errors="replace").strip()
            except OSError:
                text = ""
            if text.startswith("ref: refs/heads/") and ".invalid" not in text:
                return text[len("ref: refs/heads/"):]
        code, name = self.run_status("symbolic-ref", "--short", "-q", "HEAD")
        return name.strip() or None if code == 0 else None

    def require_branch(self) -> None:
        """Refuse to write anywhere but on top of a checked-out branch: a commit made
        in the middle of a rebase (a ``coalition sync`` killed mid-way, say) would land on
        a detached HEAD and be lost when the rebase is finished or aborted."""
        state = self.unfinished_operation()
        if state == "rebase":
            raise GitError("a git rebase is in progress in this repository (an interrupted "
                           "sync?)",
                           hint="finish it with: git rebase --continue, or undo it with: "
                                "git rebase --abort; then run the command again")
        if state == "merge":
            raise GitError("a git merge is in progress in this repository",
                           hint="finish it with: git merge --continue, or undo it with: "
                                "git merge --abort; then run the command again")
        if state == "detached":
            raise GitError("HEAD is detached: no branch is checked out",
                           hint="check out the agenda's branch first, e.g.: git switch main")

    @property
    def _journal(self) -> Path:  # one per working tree (linked worktrees share git_dir)
        tag = hashlib.sha1(str(self.root.resolve()).encode("utf-8", "surrogateescape")).hexdigest()
        return self.git_dir / "coalition" / f"checkout-pending-{tag[:12]}.json"

    def _write_journal(self, commit: str, paths: list[str]) -> None:
        import json

        self._journal.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = scratch_file(self._journal.parent, ".checkout-")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump({"commit": commit, "paths": paths}, fh)
        os.replace(tmp, self._journal)

    def recover(self) -> None:
        """Finish what a writer killed mid-way left: stale git locks, our temporary files,
        and committed paths not yet in the working tree and index. Never touches HEAD."""
        import json

        self.clear_stale_locks()
        try:
            pending = json.loads(self._journal.read_text(encoding="utf-8"))
            commit, paths = pending["commit"], [str(p) for p in pending["paths"]]
        except FileNotFoundError:
            return
        except (OSError, ValueError, KeyError, TypeError):
            self._journal.unlink(missing_ok=True)
            return
        if self.unfinished_operation() in ("rebase", "merge"):
            return  # never touch the index under a rebase or merge git is in the middle of
        for folder in {(self.root / p).parent for p in paths}:
            for stray in folder.glob(".coalition-tmp-*") if folder.is_dir() else ():
                stray.unlink(missing_ok=True)
        head = self.head()
        landed = head is not None and self.run_status("merge-base", "--is-ancestor", commit,
                                                      head)[0] == 0
        if not landed and head is not None and paths:
            # a sync may have rebased the commit since: it landed if HEAD holds its files
            ids = self.run("rev-parse", *[f"{rev}:{p}" for rev in (commit, head)
                                          for p in paths], check=False).decode().split()
            landed = len(ids) == 2 * len(paths) and ids[: len(paths)] == ids[len(paths):]
        if not landed and self.rev_parse(f"{commit}^") == head:
            return  # its writer may be about to move the branch: leave its journal alone
        if landed:  # the branch moved: bring the paths to what HEAD holds now
            blobs = self.read_objects([f"{head}:{p}" for p in paths])
            if not self._checkout_paths(dict(zip(paths, blobs))):
                return  # the index is busy: try again next time
        self._journal.unlink(missing_ok=True)

    def _lock_files(self) -> list[Path]:
        if self._locks is None:  # index.lock, HEAD.lock (of this worktree), the branch's lock
            dot_git = self.root / ".git"
            if dot_git.is_dir():  # the usual layout: no git process needed
                own = dot_git
                try:
                    branch = (dot_git / "HEAD").read_text(encoding="utf-8").strip()
                except OSError:
                    branch = ""
                branch = branch[5:].strip() if branch.startswith("ref: ") else ""
            else:  # a linked worktree or a submodule
                out = self.run("rev-parse", "--git-path", "HEAD").decode().strip()
                own = (self.root / out).parent
                code, branch = self.run_status("symbolic-ref", "-q", "HEAD")
                branch = branch.strip() if code == 0 else ""
            self._locks = [own / "index.lock", own / "HEAD.lock"]
            if branch.startswith("refs/"):
                self._locks.append(self.git_dir / f"{branch}.lock")
        return [lock for lock in self._locks if lock.exists()]

    def clear_stale_locks(self) -> list[Path]:
        """Remove the git lock files (index, HEAD, the branch) a killed process left.

        A lock is stale when no git process runs in this repository and none holds the
        file open (read from /proc); where /proc is missing, when it is a minute old.
        """
        import time

        removed = []
        for lock in self._lock_files():
            try:
                age = time.time() - lock.stat().st_mtime
            except OSError:
                continue
            busy = _git_running_in(self.root, lock) if Path("/proc/self/fd").is_dir() \
                else age < 60
            if not busy:
                lock.unlink(missing_ok=True)
                removed.append(lock)
        return removed

    def _checkout_paths(self, changes: dict[str, bytes | None]) -> bool:
        for path, content in changes.items():
            target = self.root / path
            if content is None:
                target.unlink(missing_ok=True)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = scratch_file(target.parent, ".coalition-tmp-")
            with os.fdopen(fd, "wb") as fh:
                fh.write(content)
            os.chmod(tmp, 0o644)
            os.replace(tmp, target)
        # Stage exactly what was committed (with fresh stat data). Another git
        # process may hold the index lock for a moment: wait for it.
        import time

        for attempt in range(100):
            code, _out = self.run_status("update-index", "--add", "--remove", "--", *changes)
            if code == 0:
                return True
            if attempt % 20 == 19:
                self.clear_stale_locks()
            time.sleep(0.05)
        return False


__all__ = ["WorkTree"]
