"""How every action writes: sign the exact bytes, commit record and signature together,
from a verified head, with an author that says no more than the record may."""

from __future__ import annotations

from datetime import datetime

from .. import records
from ..agenda import Agenda, Snapshot
from ..errors import InputError, NotPermitted
from ..identity import Identity
from ..model import (
    now,
    parse_stamp,
    stamp,
)
from ..plainclass import dataclass
from ..store import Git

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

GITATTRIBUTES = (
    "# Keep record and signature bytes exactly as signed (no line-end conversion).\n"
    "*.yaml -text\n*.sig -text\n*.md -text\n"
)


@dataclass(frozen=True)
class Written:
    id: str
    path: str
    commit: str


ANONYMOUS_AUTHOR = ("Coalition member", "member@members.coalition.invalid")


def _author(identity: Identity) -> tuple[str, str]:
    name = identity.person or identity.member.name
    return name, f"{identity.member.id}@members.coalition.invalid"


def _ensure_committer(git: Git, author: tuple[str, str]) -> None:
    """Let commits work on a machine with no git identity: commit as the author."""
    if git.config_get("user.email") is None:
        git._env.setdefault("GIT_COMMITTER_NAME", author[0])
        git._env.setdefault("GIT_COMMITTER_EMAIL", author[1])


def _commit(agenda: Agenda, identity: Identity, files: dict[str, bytes | None], message: str,
            *, anonymous: bool = False) -> str:
    """Commit ``files``; an anonymous or confidential record's commit names neither the member
    nor the person, as author or as committer (the signature still names the key)."""
    if anonymous:
        env = {"GIT_COMMITTER_NAME": ANONYMOUS_AUTHOR[0],
               "GIT_COMMITTER_EMAIL": ANONYMOUS_AUTHOR[1]}
        saved = {k: agenda.git._env.get(k) for k in env}
        agenda.git._env.update(env)
        try:
            return agenda.git.commit_files(files, message, author=ANONYMOUS_AUTHOR)
        finally:
            for k, v in saved.items():
                if v is None:
                    agenda.git._env.pop(k, None)
                else:
                    agenda.git._env[k] = v
    author = _author(identity)
    _ensure_committer(agenda.git, author)
    return agenda.git.commit_files(files, message, author=author)


def verified(agenda: Agenda) -> Snapshot:
    """The head with trusted data only (``trust.verified_snapshot``): every write starts
    here, and refuses (exit 4) when the registry, the settings or the rounds do not verify.
    Remembered for the head it was made for, so one command walks the ledger once."""
    from ..trust import verified_snapshot

    head = agenda.head()
    known = _VERIFIED.get(id(agenda))
    if known is not None and known[0] == head and known[1].agenda is agenda:
        return known[1]
    snap = verified_snapshot(agenda)
    _VERIFIED.clear()
    _VERIFIED[id(agenda)] = (head, snap)
    return snap


_VERIFIED: dict[int, tuple[str, Snapshot]] = {}


def _signed(agenda: Agenda, identity: Identity, rel: str, fields: dict[str, Any]) -> dict[str, bytes]:
    data = records.dump_record(fields)
    limit = (records.MAX_MANIFEST_BYTES if rel.endswith("closing.yaml") or rel.startswith("members/")
             else records.MAX_RECORD_BYTES)
    if len(data) > limit:
        raise InputError(f"the record would be {len(data)} bytes, more than the limit of {limit}")
    return _signed_bytes(agenda, identity, rel, data)


def _rel(agenda: Agenda, path: str) -> str:
    """A repository path as a path inside the agenda folder."""
    return path[len(agenda.rel) + 1:] if agenda.rel != "." else path


def _signed_bytes(agenda: Agenda, identity: Identity, rel: str, data: bytes) -> dict[str, bytes]:
    """A file and its detached signature (``X`` and ``X.sig``), ready to commit."""
    path = agenda.p(rel)
    return {path: data, path + ".sig": identity.sign(data)}


def require_role(identity: Identity, role: str, action: str) -> None:
    if not identity.member.has_role(role):
        raise NotPermitted(f"only a {role} may {action}; '{identity.member.id}' is not one",
                           hint=f"ask a {role} of the coalition to do it")


def _who(identity: Identity) -> str:
    person = f", {identity.person}" if identity.person else ""
    return f"by {identity.member.id}{person}"


def _later(previous: str | None) -> str:
    """Now, or a second after ``previous`` if the clock says otherwise: a signed file's
    versions are ordered by ``updated_at`` and never go back."""
    moment = now()
    if previous:
        from datetime import timedelta

        floor = parse_stamp(previous, "updated_at") + timedelta(seconds=1)
        moment = max(moment, floor)
    return stamp(moment)


def parse_closes(value: str) -> datetime:
    from ..model import parse_user_date

    return parse_user_date(value)
