"""What this clone would push, checked before it is pushed; and taking a local record back.

``check(agenda, upstream)`` verifies the head as it would reach the shared remote (the
pulled commits with this clone's own commits on top) with the same trust rules as
``coalition verify``, and compares it with what was pulled: every problem the pushed
head would have that the pulled one does not is this clone's doing — a comment that
became ``late`` because the round closed meanwhile, a record signed with a key revoked
meanwhile, anything verify would reject. ``coalition sync`` pushes nothing while there
is one, so the shared remote stays clean and every other member's ``verify`` with it.

``discard(agenda, record_id)`` removes a record that has not left this clone: the
commits that are on no remote-tracking branch are rewritten without its two files (the
record and its signature), a commit left empty is dropped, and the branch moves only
if nobody moved it meanwhile. A record already on the remote is refused: it is shared,
and only a facilitator's signed redaction removes a shared record.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .agenda import Agenda
from .errors import GitError, InputError, NotFound, NotPermitted
from .ids import resolve_prefix

_RECORD = re.compile(r"rounds/(?P<round>[^/]+)/comments/(?P<member>[^/]+)/(?P<id>[^/]+)\.yaml$")


@dataclass(frozen=True)
class Rejected:
    """One file the shared remote would reject, and why (verify's problem kind and detail)."""

    path: str
    problem: str
    detail: str
    record: str | None  # the record id when the file is a member's record, else None
    ours: bool = True  # added by this clone's own commits (else already shared)

    def line(self) -> str:
        what = f"record {self.record}" if self.record else self.path
        if not self.ours:
            what += " (already shared; your commits would change its verdict)"
        return f"{what}: {self.problem}: {self.detail}"


class OutgoingRejected(NotPermitted):
    """Sync refused to push: some of this clone's own records would not verify (exit 4)."""

    def __init__(self, rejected: list[Rejected], upstream: str = "@{upstream}") -> None:
        if all(r.record and r.ours for r in rejected):
            hint = ("drop each with: coalition comment discard ID (it never left this clone), "
                    "then run: coalition sync")
        else:  # e.g. a round closed in a clone that had not pulled every comment yet
            hint = (f"your local commits (git log {upstream}..HEAD) must not reach the remote "
                    f"as they are: set them aside with git reset --keep {upstream}, run "
                    "coalition sync, then make them again")
        count = len(rejected)
        super().__init__(f"nothing was pushed: {count} of your changes "
                         "would not verify on the shared remote", hint=hint)
        self.rejected = rejected


def record_of(agenda: Agenda, path: str) -> str | None:
    """The record id of a repository path (``….yaml`` or its ``.sig``) of a member's record."""
    base = agenda.rel + "/" if agenda.rel != "." else ""
    rel = path[len(base):] if path.startswith(base) else path
    if rel.endswith(".sig"):
        rel = rel[:-4]
    found = _RECORD.fullmatch(rel)
    return found.group("id") if found else None


def check(agenda: Agenda, upstream: str | None, head: str | None = None) -> list[Rejected]:
    """What the shared remote would reject of this clone's own commits (empty: push away)."""
    from .verify import verify_outcome

    head = head or agenda.head()
    if upstream == head:
        return []
    ours = verify_outcome(agenda, head)
    if ours.ok:
        return []
    known: set[tuple[str, str]] = set()
    if upstream is not None:
        theirs = verify_outcome(agenda, upstream)
        known = {(p["path"], p["problem"]) for p in theirs.problems}
    mine = set(_added_records(agenda, agenda.git.run(
        "rev-list", head, *([f"^{upstream}"] if upstream else [])).decode().split()))
    out = []
    for p in ours.problems:
        if (p["path"], p["problem"]) in known:
            continue
        rid = record_of(agenda, p["path"])
        out.append(Rejected(p["path"], p["problem"], p["detail"], rid, rid in mine if rid
                            else True))
    return out


# --- taking back a record that never left this clone ----------------------------------------


def local_commits(agenda: Agenda) -> list[str]:
    """This clone's commits that no remote-tracking branch holds, oldest first."""
    out = agenda.git.run("rev-list", "--reverse", "--topo-order", "HEAD", "--not",
                         "--remotes").decode().split()
    return out


def _added_records(agenda: Agenda, commits: list[str]) -> dict[str, str]:
    """record id -> repository path of each member's record the ``commits`` add."""
    found: dict[str, str] = {}
    for commit in commits:
        out = agenda.git.run("diff-tree", "-r", "--root", "--no-commit-id", "--no-renames",
                             "--name-only", "--diff-filter=A", "-z", commit).decode(
            "utf-8", "surrogateescape")
        for path in out.split("\0"):
            rid = record_of(agenda, path)
            if rid and path.endswith(".yaml"):
                found[rid] = path
    return found


def _shared_records(agenda: Agenda) -> set[str]:
    """Ids of the member records the head holds (shared or not)."""
    entries = agenda.git.ls_tree_raw("HEAD", agenda.p("rounds"))
    return {rid for _m, _s, path in entries
            if path.endswith(".yaml") and (rid := record_of(agenda, path))}


@dataclass(frozen=True)
class Discarded:
    id: str
    path: str
    head: str  # the branch's new head
    dropped: int  # commits left empty and dropped


def discard(agenda: Agenda, record_id: str) -> Discarded:
    git = agenda.git
    git.require_branch()
    local = local_commits(agenda)
    mine = _added_records(agenda, local)
    try:
        rid = resolve_prefix(record_id, mine, "comment")
    except NotFound:
        shared = _shared_records(agenda)
        try:
            rid = resolve_prefix(record_id, shared, "comment")
        except NotFound:
            raise NotFound(f"no comment with id '{record_id}' in this clone",
                           hint="list them with: coalition comment list") from None
        raise NotPermitted(f"comment {rid} is already on the shared remote: it cannot be "
                           "discarded", hint=f"withdraw it with: coalition comment withdraw {rid} "
                                             "(or ask a facilitator to redact it)") from None
    path = mine[rid]
    new_head, dropped = _rewrite_without(agenda, local, {path, path + ".sig"})
    git._checkout_paths({path: None, path + ".sig": None})
    return Discarded(rid, path, new_head, dropped)


def _rewrite_without(agenda: Agenda, local: list[str], paths: set[str]) -> tuple[str, int]:
    """Rewrite the ``local`` commits (a line of single-parent commits on HEAD) without
    ``paths``; return the new head and how many commits were dropped as empty."""
    git = agenda.git
    old_head = git.head()
    assert old_head is not None
    first = next(i for i, c in enumerate(local) if _touches(agenda, c, paths))
    chain = local[first:]
    parent: str | None = None
    parent_tree: str | None = None
    start = chain[0]
    raw = git.read_objects([start])[0] or b""
    parents = _parents(raw)
    if len(parents) > 1:
        raise GitError("the commit that added this record is a merge: discard it with git",
                       hint="see: git log --graph @{upstream}..HEAD")
    parent = parents[0] if parents else None
    if parent:
        parent_tree = git.run("rev-parse", f"{parent}^{{tree}}").decode().strip()
    dropped = 0
    for commit in chain:
        raw = git.read_objects([commit])[0] or b""
        if len(_parents(raw)) > 1:
            raise GitError("your local commits include a merge: discard the record with git",
                           hint="see: git log --graph @{upstream}..HEAD")
        tree = _tree_of(raw)
        new_tree = git._build_tree(tree, {p: None for p in paths})
        if new_tree == parent_tree:
            dropped += 1
            continue
        parent = git._write_object("commit", _recommit(raw, new_tree, parent))
        parent_tree = new_tree
    new_head = parent
    if new_head is None:
        raise InputError("this record is in the repository's first commit: nothing to keep")
    code, text = git.run_status("update-ref", "-m", "coalition: discard a local record", "HEAD",
                                new_head, old_head)
    if code != 0:
        raise GitError("the branch moved while discarding; nothing was changed",
                       hint="run the command again")
    return new_head, dropped


def _touches(agenda: Agenda, commit: str, paths: set[str]) -> bool:
    out = agenda.git.run("diff-tree", "-r", "--root", "--no-commit-id", "--name-only", "-z",
                         commit).decode("utf-8", "surrogateescape")
    return bool(paths & set(out.split("\0")))


def _parents(raw: bytes) -> list[str]:
    head = raw.split(b"\n\n", 1)[0]
    return [line[7:].decode() for line in head.split(b"\n") if line.startswith(b"parent ")]


def _tree_of(raw: bytes) -> str:
    return raw.split(b"\n", 1)[0][5:].decode()


def _recommit(raw: bytes, tree: str, parent: str | None) -> bytes:
    """The commit object ``raw`` with a new tree and parent; author, committer and message
    kept byte for byte (a commit signature would no longer hold, so it is left out)."""
    head, _sep, message = raw.partition(b"\n\n")
    lines = head.split(b"\n")
    kept: list[bytes] = [b"tree " + tree.encode()]
    if parent:
        kept.append(b"parent " + parent.encode())
    skipping = False
    for line in lines:
        if line.startswith(b" ") and skipping:  # continuation of a dropped header
            continue
        skipping = False
        if line.startswith((b"tree ", b"parent ")):
            continue
        if line.startswith((b"gpgsig ", b"gpgsig-sha256 ")):
            skipping = True
            continue
        kept.append(line)
    return b"\n".join(kept) + b"\n\n" + message


__all__ = ["Rejected", "OutgoingRejected", "check", "discard", "Discarded", "local_commits",
           "record_of"]
