"""``coalition sync``: pull with rebase, push, and try again when someone pushed first.

Every writer only adds new files, so rebasing one member's commits on top of
another's never conflicts; a race on the remote branch is simply retried.
Local commits are never dropped: a failed rebase is aborted, leaving the
branch exactly as it was, and the error names what git said.
"""

from __future__ import annotations

import random
import time

from .agenda import Agenda
from .errors import GitError

ATTEMPTS = 12


def sync(agenda: Agenda, remote: str = "origin") -> dict[str, object]:
    git = agenda.git
    code, out = git.run_status("remote", "get-url", remote)
    if code != 0:
        raise GitError(f"no git remote named '{remote}'",
                       hint="add one with: git remote add origin URL")
    branch = git.run("symbolic-ref", "--short", "-q", "HEAD", check=False).decode().strip()
    if not branch:
        raise GitError("HEAD is detached; check out a branch before syncing")
    before = git.head()
    pulled = 0
    last = ""
    for attempt in range(ATTEMPTS):
        code, text = git.run_status("fetch", "--quiet", remote)
        if code != 0:
            raise GitError(f"git fetch from '{remote}' failed: {_last_line(text)}")
        upstream = f"refs/remotes/{remote}/{branch}"
        if git.rev_parse(upstream):
            incoming = git.run("rev-list", "--count", f"HEAD..{upstream}").decode().strip()
            pulled += int(incoming or 0)
            if incoming != "0":
                code, text = git.run_status("rebase", "--quiet", "--autostash", upstream)
                if code != 0:
                    git.run_status("rebase", "--abort")
                    raise GitError(f"could not rebase onto {remote}/{branch}: {_last_line(text)}",
                                   hint="your commits are untouched; resolve with git, then sync")
        ahead = "0"
        if git.rev_parse(upstream):
            ahead = git.run("rev-list", "--count", f"{upstream}..HEAD").decode().strip()
        else:
            ahead = git.run("rev-list", "--count", "HEAD").decode().strip()
        code, text = git.run_status("push", "--quiet", remote, f"HEAD:refs/heads/{branch}",
                                    "refs/tags/coalition/*:refs/tags/coalition/*")
        if code == 0:
            git.run_status("fetch", "--quiet", "--tags", remote)
            return {"remote": remote, "branch": branch, "pulled": pulled, "pushed": int(ahead),
                    "head": git.head() or "", "attempts": attempt + 1, "before": before or ""}
        last = _last_line(text)
        if not any(word in text for word in ("fetch first", "non-fast-forward", "rejected",
                                             "cannot lock ref", "failed to update ref")):
            raise GitError(f"the remote refused the push: {last}")
        time.sleep(min(2.0, 0.05 * (2 ** attempt)) * random.uniform(0.5, 1.5))
    raise GitError(f"gave up after {ATTEMPTS} attempts: the remote kept moving ({last})",
                   hint="run coalition sync again")


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else "no message"
