"""Reading history for the ledger: every commit and its parents, and what each changed
against each parent — through two git processes whatever the history's size."""

from __future__ import annotations

from itertools import chain

from ..errors import InputError
from ..store import literal, nul_separated

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


def incomplete_history(git: Any) -> str:
    """Why the clone's history cannot be walked, or ""."""
    if (git.git_dir / "shallow").exists():
        return ("this clone is shallow: its history starts in the middle, so nothing can be "
                "traced to the founders; fetch it whole with: git fetch --unshallow")
    grafts = git.git_dir / "info" / "grafts"
    if grafts.exists() and grafts.stat().st_size:
        return ("this clone has grafts (.git/info/grafts), which rewrite its history; remove "
                "them, then: git fetch --unshallow")
    out = _replace_refs(git)
    if out.strip():
        # the tool itself reads around them (GIT_NO_REPLACE_OBJECTS), but git log and every
        # other tool here show a history that is not the one that was verified
        return (f"this clone has replace refs ({out.strip()}: git replace), which make git show "
                "another history than the one committed; remove them with git replace -d, "
                "then: git fetch --unshallow")
    return ""


def _replace_refs(git: Any) -> str:
    """The first replace ref, or "": read from the refs folder and packed-refs when git keeps
    its refs in files (no process), else from ``git for-each-ref``."""
    folder = git.git_dir
    if not (folder / "reftable").exists():
        replace = folder / "refs" / "replace"
        if replace.is_dir():
            for path in sorted(replace.rglob("*")):
                if path.is_file():
                    return "refs/replace/" + path.relative_to(replace).as_posix()
        try:
            packed = (folder / "packed-refs").read_bytes()
        except FileNotFoundError:
            return ""
        except OSError:
            packed = b" refs/replace/"  # unreadable: ask git
        if b" refs/replace/" not in packed:
            return ""
    code, out = git.run_status("for-each-ref", "--count=1", "--format=%(refname)", "refs/replace/")
    return out if code == 0 else ""


def commits(git: Any, head: str, since: str | None) -> list[tuple[str, list[str]]]:
    args = ["rev-list", "--topo-order", "--reverse", "--parents", head]
    if since:
        args.append(f"^{since}")
    out = []
    for line in git.run(*args).decode().splitlines():
        parts = line.split()
        if parts:
            out.append((parts[0], parts[1:]))
    return out


def changes(git: Any, pairs: list[tuple[str, str]], folder: str
            ) -> list[list[tuple[str, str, str, str]]]:
    """For each (commit, parent) — parent "" for a root — the changes under ``folder``:
    (status, rel path, old blob, new blob); not the records it adds (status ``A`` three
    folders deep or more, where nothing governed is), which the ledger has nothing to judge
    of (``_Walk.step``) — 2,000,000 of them in a history of 1,000,000 records, 700 MB as
    tuples."""
    if not pairs:
        return []
    feed = "".join(f"{c} {p}\n" if p else f"{c}\n" for c, p in pairs).encode()
    # the folder by its name, not as a pattern: "agenda*" would also list "agendaz/..."
    spec = [literal(folder)] if folder != "." else []
    # every submodule change listed: diff-tree otherwise leaves out a submodule the pushed
    # .gitmodules says to ignore (ignore = all) — its addition, change and deletion alike
    raw = git.run("diff-tree", "--stdin", "--always", "-r", "--root", "--raw", "--no-renames",
                  "--no-abbrev", "--ignore-submodules=none", "-z", "--", *spec, input=feed)
    cut = len(folder) + 1 if folder != "." else 0
    out: list[list[tuple[str, str, str, str]]] = []
    change = ""  # ":old-mode new-mode old-blob new-blob status"; its path is the next token
    for token in chain.from_iterable(nul_separated(raw)):
        if change:
            rel = token[cut:]
            if not change.endswith(" A") or rel.count("/") <= 2:  # split only what is kept
                fields = change[1:].split(" ")
                out[-1].append((fields[4][:1], rel, fields[2], fields[3]))
            change = ""
            continue
        if not token:
            continue
        if token[0] != ":":
            out.append([])  # a commit header: --always prints one for every input line
            continue
        change = token
    if len(out) != len(pairs):
        raise InputError("git diff-tree answered for other commits than asked")
    return out


__all__ = ["incomplete_history", "commits", "changes"]
