"""What facilitators write about members' records: responses (dispositions) and redactions."""

from __future__ import annotations

from .. import records
from ..agenda import Agenda, Snapshot
from ..errors import InputError
from ..identity import Identity
from ..model import (
    DISPOSITIONS,
    Record,
    Response,
    stamp,
)
from . import _write
from ._write import (
    Written,
    _commit,
    _signed,
    _who,
    require_role,
    verified,
)
from .comments import _member_records, find_record


def _unanswerable(agenda: Agenda, snap: Snapshot, target: Record, path: str) -> str | None:
    """Why a response to ``target`` would answer nothing that counts: it was withdrawn,
    or it is late (not in its round's closing manifest, or submitted after the round
    closed). None when it counts."""
    import hashlib

    round_ = snap.rounds.get(target.round)
    mine = _member_records(agenda, snap, round_, target.member) if round_ else {}
    gone = next((r for r in mine.values() if r.type == "withdrawal" and r.target == target.id),
                None)
    if gone is not None:
        return f"was withdrawn by '{target.member}' on {gone.submitted_at}"
    raw = snap.read(f"rounds/{target.round}/closing.yaml")
    if raw is not None:  # listed with the digest of these bytes? (a search, not a parse:
        # a manifest of 100,000 records is megabytes of YAML)
        digest = hashlib.sha256(agenda.git.read_file(snap.commit, path) or b"").hexdigest()
        listed = f"comments/{target.member}/{target.id}.yaml".encode() in raw
        if not (listed and digest.encode() in raw):
            return (f"is late: it is not in the closing manifest of round '{target.round}' "
                    "(verify reports it as late)")
    if round_ is not None and target.submitted_at > round_.closes_at:
        return f"is late: it was submitted {target.submitted_at}, after the round closed"
    return None


def respond(agenda: Agenda, identity: Identity, comment_id: str, *, disposition: str,
            rationale: str, commit: str | None = None, force: bool = False) -> Written:
    snap = verified(agenda)
    require_role(identity, "facilitator", "respond to comments")
    if disposition not in DISPOSITIONS:
        raise InputError(f"unknown disposition '{disposition}'",
                         hint=f"use one of: {', '.join(DISPOSITIONS)}")
    rationale = records.clean_text(rationale, "--rationale", required=True) or ""
    target, path = find_record(agenda, snap, comment_id)
    if target.type != "comment":
        raise InputError(f"{target.id[:8]} is a {target.type}, not a comment")
    why = None if force else _unanswerable(agenda, snap, target, path)
    if why is not None:
        raise InputError(f"comment {target.id[:8]} {why}; nothing was written",
                         hint="to answer it all the same, add --force")
    implemented = agenda.git.resolve(commit) if commit else None
    response = Response(comment=target.id, round=target.round, disposition=disposition,
                        rationale=rationale, responded_at=stamp(_write.now()),
                        responder=identity.member.id, commit=implemented)
    rel = f"rounds/{target.round}/responses/{target.id}.yaml"
    files = _signed(agenda, identity, rel, response.fields())
    sha = _commit(agenda, identity, files,
                  f"response to {target.id[:8]}: {disposition} ({identity.member.id})")
    return Written(target.id, agenda.p(rel), sha)


def redact(agenda: Agenda, identity: Identity, record_id: str, reason: str) -> Written:
    """Take a member's record out of the tree, visibly: the file and its signature are
    removed and a signed ``rounds/<round>/redactions/<record-id>.yaml`` says which bytes and
    why. Git history keeps the bytes in every clone that has them (docs/SECURITY.md)."""
    import hashlib

    from ..model import Redaction

    snap = verified(agenda)
    require_role(identity, "facilitator", "redact a record")
    reason = records.clean_text(reason, "--reason", limit=2000, required=True) or ""
    target, path = find_record(agenda, snap, record_id)
    data = snap.git.read_file(snap.commit, path) or b""
    base = agenda.p(f"rounds/{target.round}") + "/"
    rel = f"rounds/{target.round}/redactions/{target.id}.yaml"
    grant = Redaction(round=target.round, record=target.id, path=path[len(base):],
                      digest=hashlib.sha256(data).hexdigest(), reason=reason,
                      redacted_at=stamp(_write.now()), redacted_by=identity.member.id)
    files: dict[str, bytes | None] = {path: None, path + ".sig": None}
    files.update(_signed(agenda, identity, rel, grant.fields()))
    commit = _commit(agenda, identity, files,
                     f"redact {target.id[:8]} in {target.round} ({_who(identity)})\n\n"
                     f"Reason: {reason}")
    return Written(target.id, agenda.p(rel), commit)
