"""Where the agenda is when the checked-out branch has none.

A plain ``git clone`` checks out the branch the remote's HEAD names; a bare repository
made by ``git init --bare`` names git's default branch there, which need not be the
branch the agenda was pushed on. Rather than advising ``coalition init`` (wrong for a
member), commands name the branch that holds an agenda and how to check it out.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


def branches_with_agenda(git: Any, rel: str) -> list[str]:
    """Short names of the local and remote-tracking branches whose tip holds ``rel``/coalition.yaml,
    local ones first."""
    code, out = git.run_status("for-each-ref", "--format=%(refname)", "refs/heads",
                               "refs/remotes")
    if code != 0:
        return []
    refs = [r for r in out.split() if not r.endswith("/HEAD")]
    if not refs:
        return []
    target = f"{rel}/coalition.yaml" if rel not in (".", "") else "coalition.yaml"
    found = []
    for ref, blob in zip(refs, git.read_objects([f"{r}:{target}" for r in refs])):
        if blob is not None:
            found.append(ref)
    return [r.removeprefix("refs/heads/").removeprefix("refs/remotes/") for r in found]


def checkout_hint(branch: str) -> str:
    """How to check out ``branch`` (a local name or ``remote/name``)."""
    name = branch.split("/", 1)[1] if "/" in branch else branch
    return f"git switch {name}"


def elsewhere_hint(git: Any, rel: str) -> tuple[str, str] | None:
    """(message, hint) when the checked-out branch has no agenda but another branch has."""
    found = branches_with_agenda(git, rel)
    if not found:
        return None
    current = git.run("symbolic-ref", "--short", "-q", "HEAD", check=False).decode().strip()
    others = [b for b in found if b != current]
    if not others:
        return None
    branch = others[0]
    where = f"branch '{current}'" if current else "the checked-out commit"
    return (f"{where} has no agenda, but branch '{branch}' has one",
            f"check it out with: {checkout_hint(branch)}")
