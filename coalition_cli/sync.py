"""``coalition sync``: pull with rebase, push, and try again when someone pushed first.

Every writer only adds new files, so rebasing one member's commits on top of
another's never conflicts; a race on the remote branch is simply retried.
Local commits are never dropped: a failed rebase is aborted, leaving the
branch exactly as it was, and the error names what git said. Before pushing, what
would be pushed is verified against what was pulled (``outbox.check``): a record the
shared remote would reject (late, signed with a key revoked meanwhile, …) stops the
push, and the member is told how to take it back (``coalition comment discard``).
"""

from __future__ import annotations

import random
import subprocess
import time

from .agenda import Agenda
from .errors import GitError
from .store import Git
from .trust.rewrites import remote_rewritten

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

ATTEMPTS = 30  # with jittered backoff capped at 2 s: ~40 s of racing before giving up


def sync(agenda: Agenda, remote: str = "origin", *, accept_rewrite: bool = False,
         progress: Any = None) -> dict[str, object]:
    """``progress``: a ``git.RemoteProgress`` to show the fetches and the push (the CLI
    draws one on a terminal), or None."""
    git = agenda.git
    git.require_branch()  # never rebase or push from the middle of an unfinished rebase
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
    upstream = f"refs/remotes/{remote}/{branch}"
    seen = git.rev_parse(upstream)
    for attempt in range(ATTEMPTS):
        code, text = _fetch(git, remote, progress)
        if code != 0:
            raise GitError(f"git fetch from '{remote}' failed: {_last_line(text)}")
        fetched = git.rev_parse(upstream)
        if not accept_rewrite and remote_rewritten(git, seen, fetched):
            assert seen is not None and fetched is not None
            git.run_status("update-ref", upstream, seen)  # keep reporting it until accepted
            raise GitError(f"{remote}/{branch} was rewritten (a force-push): {seen[:8]} is no "
                           f"longer in its history (now {fetched[:8]}); nothing was pulled or pushed",
                           hint=f"inspect it with: git log {fetched[:8]}; if the rewrite is "
                                "intended, run: coalition sync --accept-rewrite")
        seen = fetched
        if git.rev_parse(upstream):
            incoming = git.run("rev-list", "--count", f"HEAD..{upstream}").decode().strip()
            pulled += int(incoming or 0)
            if incoming != "0":
                # rebased with a neutral committer (no git identity is needed, and rebasing
                # an anonymous or confidential comment's commit puts no name on it), then
                # each commit's committer is made its author: the member, or neutral
                code, text = _rebase(git, upstream)
                if code != 0:
                    git.run_status("rebase", "--abort")
                    raise GitError(f"could not rebase onto {remote}/{branch}: {_last_line(text)}",
                                   hint="your commits are untouched; resolve with git, then sync")
                _committer_is_author(git, upstream)
        ahead = "0"
        if git.rev_parse(upstream):
            ahead = git.run("rev-list", "--count", f"{upstream}..HEAD").decode().strip()
        else:
            ahead = git.run("rev-list", "--count", "HEAD").decode().strip()
        if ahead != "0":  # what would be pushed is checked against what was pulled
            from .outbox import OutgoingRejected, check

            rejected = check(agenda, git.rev_parse(upstream))
            if rejected:
                raise OutgoingRejected(rejected, f"{remote}/{branch}")
        # only the coalition tags on the pushed history: a tag left on a commit that was
        # set aside (a discarded or reset close) never carries it to the remote
        tags = git.run("for-each-ref", "--merged", "HEAD", "--format=%(refname)",
                       "refs/tags/coalition/").decode().split()
        code, text = _push(git, remote, [f"HEAD:refs/heads/{branch}", *[f"{t}:{t}" for t in tags]],
                           progress)
        if code == 0:
            _fetch(git, remote, progress, tags=True)
            return {"remote": remote, "branch": branch, "pulled": pulled, "pushed": int(ahead),
                    "head": git.head() or "", "attempts": attempt + 1, "before": before or ""}
        last = _last_line(text)
        # A race shows as fetch first / non-fast-forward / a ref lock; any other rejection
        # (a hook, a protected branch, a tag that exists) is a refusal: retrying cannot help.
        if not any(word in text for word in ("fetch first", "non-fast-forward",
                                             "cannot lock ref", "failed to update ref")):
            raise GitError(f"the remote refused the push: {_refusal(text) or last}")
        time.sleep(min(2.0, 0.05 * (2 ** attempt)) * random.uniform(0.5, 1.5))
    raise GitError(f"gave up after {ATTEMPTS} attempts: the remote kept moving ({last})",
                   hint="run coalition sync again")


def _repo(git: Git) -> Any:
    """GitPython's view of the same repository, with the environment our plumbing uses
    (English messages, no prompts, no replace objects), its log kept off the terminal."""
    import logging

    import git as gitpython  # lazily: only sync and join pay for GitPython

    logging.getLogger("git").addHandler(logging.NullHandler())
    repo = gitpython.Repo(str(git.root))
    repo.git.update_environment(**{k: git._env[k] for k in ("LC_ALL", "GIT_TERMINAL_PROMPT",
                                                            "GIT_NO_REPLACE_OBJECTS")
                                   if k in git._env})
    return repo


def _fetch(git: Git, remote: str, progress: Any, *, tags: bool = False) -> tuple[int, str]:
    """``git fetch`` through GitPython: (exit code, git's messages)."""
    import git as gitpython

    repo = _repo(git)
    try:
        repo.remote(remote).fetch(progress=progress, **({"tags": True} if tags else {}))
    except gitpython.GitCommandError as exc:
        return int(exc.status or 1) if isinstance(exc.status, int) else 1, str(exc.stderr or exc)
    finally:
        repo.close()
    return 0, ""


def _push(git: Git, remote: str, refspecs: list[str], progress: Any) -> tuple[int, str]:
    """``git push`` through GitPython: (0 or 1, the refused refs and the remote's messages,
    one a line, as git prints them)."""
    import git as gitpython

    repo = _repo(git)
    seen = progress if progress is not None else gitpython.RemoteProgress()
    start = len(seen.other_lines), len(seen.error_lines)  # what earlier fetches said is not ours
    try:
        infos = repo.remote(remote).push(refspecs, progress=seen)
    except gitpython.GitCommandError as exc:
        return int(exc.status or 1) if isinstance(exc.status, int) else 1, str(exc.stderr or exc)
    finally:
        repo.close()
    bad = gitpython.PushInfo.ERROR | gitpython.PushInfo.REJECTED | \
        gitpython.PushInfo.REMOTE_REJECTED | gitpython.PushInfo.REMOTE_FAILURE
    refused = [f"! {info.summary.strip()} {info.remote_ref_string}" for info in infos
               if info.flags & bad]
    if not refused and not getattr(infos, "error", None):
        return 0, ""
    lines = refused + seen.other_lines[start[0]:] + seen.error_lines[start[1]:]
    return 1, "\n".join(lines)


def _refusal(text: str) -> str:
    """git's reasons for a refused push: the rejected refs and the remote's own messages."""
    lines = [line.strip() for line in text.splitlines()]
    picked = [line for line in lines if "rejected]" in line or
              (line.startswith("remote:") and line[7:].strip())]
    return "; ".join(dict.fromkeys(picked))


def _rebase(git: Git, upstream: str) -> tuple[int, str]:
    from .actions import ANONYMOUS_AUTHOR

    proc = subprocess.run(
        ["git", "rebase", "--quiet", "--autostash", upstream], cwd=git.root,
        capture_output=True, env={**git._env, "GIT_COMMITTER_NAME": ANONYMOUS_AUTHOR[0],
                                  "GIT_COMMITTER_EMAIL": ANONYMOUS_AUTHOR[1]}, check=False)
    return proc.returncode, (proc.stdout + proc.stderr).decode("utf-8", "replace")


def _committer_is_author(git: Git, upstream: str) -> None:
    """Give each rebased commit its author as committer: the member for the member's own
    records, the neutral name for anonymous and confidential ones — who signed it, never
    whoever ran the sync, and no git identity needed. Trees, authors, dates and messages
    stay as they are; the branch moves only if nobody moved it meanwhile."""
    head = git.head()
    commits = git.run("rev-list", "--reverse", "--topo-order", f"{upstream}..HEAD").decode().split()
    if not commits or head is None:
        return
    renamed: dict[str, str] = {}
    for commit, raw in zip(commits, git.read_objects(commits)):
        header, sep, message = (raw or b"").partition(b"\n\n")
        lines = header.split(b"\n")
        author = next((line[7:] for line in lines if line.startswith(b"author ")), None)
        if author is None or b">" not in author or any(
                line.startswith((b"gpgsig ", b"gpgsig-sha256 ")) for line in lines):
            return  # unreadable, or signed by git itself: leave the branch as git made it
        who = author[: author.rindex(b">") + 1]
        out = []
        for line in lines:
            if line.startswith(b"parent ") and line[7:].decode() in renamed:
                line = b"parent " + renamed[line[7:].decode()].encode()
            elif line.startswith(b"committer ") and b">" in line:
                line = b"committer " + who + line[line.rindex(b">") + 1:]
            out.append(line)
        new = b"\n".join(out) + sep + message
        if new != raw:
            renamed[commit] = git._write_object("commit", new)
    if head in renamed:
        git.run_status("update-ref", "-m", "coalition sync: committers are the authors", "HEAD",
                       renamed[head], head)


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else "no message"
