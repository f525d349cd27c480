"""The rules every record must pass at the head, one function each.

The ledger (``trust.ledger``) has already settled the registry, the settings, the
principles and the rounds. What is left are the records — members' comments,
withdrawals, endorsements and acknowledgements, and facilitators' responses, access
grants, redactions and reopenings — judged here against that trusted state:

* ``facilitator_signed``: a facilitator's record is signed by an unrevoked key of an
  active facilitator of the trusted registry, or by a key whose seal lists it;
* ``member_signed``: a member's record is signed by a key of the member it names, and a
  key that lost its authority vouches only for what its seal lists;
* ``in_its_place``: the record's fields agree with its path;
* ``in_its_round``: inside its round's window, and in its closing manifest once the
  round is closed (``late`` otherwise);
* ``removed_records``: a signed record that an earlier commit had and the head lost (or
  changed in place) is ``removed``, unless a facilitator-signed redaction names those
  bytes; a response put back to a version it replaced is ``rollback``.

A record is parsed only after its signature verified (see ``verify._check_one``), and a
facilitator's record only after its signer proved to be one.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from pathlib import PurePosixPath

from .. import records
from ..errors import InputError
from ..model import (
    Record,
    closing_from_fields,
    redaction_from_fields,
    reopening_from_fields,
    response_from_fields,
    round_from_fields,
)
from .ledger import Ledger, State, kind_of
from .seals import from_sha256

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

Problem = tuple[str, str]


def head_blobs(ledger: Ledger, entries: list[tuple[str, str, str]], base: str) -> dict[str, str]:
    """path -> blob at the head, for the paths the ledger's events name."""
    wanted = {base + e[0] for e in ledger.events}
    if not wanted:
        return {}
    return {path: sha for _mode, sha, path in entries if path in wanted}


# --- who signed it ---------------------------------------------------------------------------


def facilitator_signed(state: State, signer: str, sha256: str) -> Problem | None:
    if signer in state.facilitator_keys:
        return None
    owner = state.owner.get(signer)
    if owner is None:
        return "unknown-member", "signed by a key no member of the verified registry holds"
    member, entry = owner
    if entry.sealed and from_sha256(sha256) in entry.sealed:
        return None  # signed while its signer had the authority: the seal says so
    if entry.revoked or not member.active:
        return "revoked-key", (f"signed with a key of '{member.id}' that lost its authority "
                               f"({'revoked on ' + entry.revoked if entry.revoked else 'member removed'}"
                               "), and not among the files its seal keeps")
    return "not-permitted", f"signed by '{member.id}', who is not a facilitator"


def member_signed(state: State, rec: Record, signer: str, sha256: str) -> Problem | None:
    owner = state.owner.get(signer)
    if rec.member not in state.members:
        return "unknown-member", f"'{rec.member}' is not a registered member"
    if owner is None:
        return "unknown-member", "signed by a key no member of the verified registry holds"
    member, entry = owner
    if member.id != rec.member:
        return "not-permitted", f"signed with a key of '{member.id}', not of '{rec.member}'"
    if entry.revoked or not member.active:
        if entry.sealed and from_sha256(sha256) in entry.sealed:
            return None
        why = f"revoked on {entry.revoked}" if entry.revoked else "whose member was removed"
        return "revoked-key", (f"signed with a key of '{rec.member}' {why}, after the "
                               "revocation: it is not among the records the key's seal keeps")
    return None


# --- where it is, and when ---------------------------------------------------------------


def in_its_place(rec: Record, parts: list[str]) -> Problem | None:
    round_id, member_id, name = parts[1], parts[3], parts[4]
    if rec.round != round_id or rec.member != member_id or f"{rec.id}.yaml" != name:
        return "wrong-place", (f"record says round '{rec.round}', member '{rec.member}', id "
                               f"'{rec.id}' but is stored at {round_id}/{member_id}/{name}")
    return None


def in_its_round(result: Any, rec: Record, parts: list[str], sha256: str) -> Problem | None:
    round_id = parts[1]
    rnd = result.rounds.get(round_id)
    if rnd is None:
        return "wrong-place", f"round '{round_id}' does not exist or is not valid"
    if rec.type == "comment" and rec.principle not in rnd.principles:
        return "malformed", f"{rec.principle} is not in round '{round_id}'"
    if rec.type == "label" and rec.principle not in rnd.principles:
        return "malformed", f"{rec.principle} is not in round '{round_id}'"
    if rec.type in ("acknowledgement", "consent-withdrawal", "label", "approval"):
        # acknowledgements answer responses, after the close; consent to use a comment is
        # its author's to withdraw at any time (governance.withdrawals), a community's Label
        # and a section's approval may come at any time: none changes a count
        return None
    closing = result.closings.get(round_id)
    if closing is not None:
        if closing.records.get("/".join(parts[2:])) != sha256:
            return "late", (f"added to round '{round_id}' after its closing manifest of "
                            f"{closing.closed_at}")
        return None
    # stamps were checked to be UTC of the one form YYYY-MM-DDTHH:MM:SSZ when parsed, so as
    # text they sort as times
    if not (rnd.opened_at <= rec.submitted_at <= rnd.closes_at):
        return "out-of-window", (f"submitted {rec.submitted_at}, outside the round's window "
                                 f"{rnd.opened_at} – {rnd.closes_at}")
    return None


# --- the whole pass --------------------------------------------------------------------------


def judge(agenda: Any, result: Any, signed: list[tuple[str, str, str | None]],
          verdicts: dict[str, tuple], base: str, blobs_at_head: dict[str, str]) -> None:
    """Judge every record of ``signed`` (path, blob, sig blob) against the trusted state;
    ``verdicts``: path -> (signer, signature problem, sha256, record tuple, parse problem).
    Both are emptied as they are judged: at 1,000,000 records, the blob ids and the
    records' fields as tuples are 480 MB that the records would otherwise be made beside."""
    state = result.trust.ledger.state
    signer_of: dict[str, str] = {}
    others: list[tuple[str, str, tuple]] = []
    comments: list[tuple[str, tuple]] = []
    for path, sha, sig_sha in signed:
        verdict = verdicts[path]
        if sig_sha is None:
            result.problem(path, "unsigned", "no .sig file beside the record")
        elif verdict[1]:
            result.problem(path, "bad-signature", verdict[1])
        else:
            signer_of[path] = verdict[0]
        if "/comments/" in path:
            comments.append((path, verdict))  # (its blob id is not needed any more)
        else:
            others.append((path, sha, verdict))
    signed.clear()
    trusted_rounds(agenda, result, state, base)
    facilitator_records(agenda, result, state, others, signer_of, base)
    missing = [f"{base}rounds/{round_id}/{rel}" for round_id, closing in result.closings.items()
               for rel in closing.records if f"{base}rounds/{round_id}/{rel}" not in verdicts]
    verdicts.clear()  # each verdict is let go of once its record is made (member_records)
    by_round = member_records(result, state, comments, signer_of, base)
    for path in missing:
        result.problem(path, "missing", "listed in the closing manifest but no longer in the tree")
    check_targets(result, by_round)
    from ..governance.checks import judge_governance

    judge_governance(result, state, by_round, agenda)
    result.records = dict(by_round)
    access_grants(result, by_round)
    removed_records(agenda, result, state, blobs_at_head, base)


def trusted_rounds(agenda: Any, result: Any, state: State, base: str) -> None:
    """The rounds and closing manifests as the ledger trusts them (never the head's copy)."""
    items = [(rel, v) for rel, v in state.files.items() if kind_of(rel) in ("round", "closing")]
    for (rel, _version), data in zip(items, agenda.git.read_objects([v.blob for _r, v in items])):
        path = base + rel
        try:
            if kind_of(rel) == "round":
                rnd = round_from_fields(records.parse_record(data or b"", path), path)
                result.rounds[rnd.id] = rnd
            else:
                closing = closing_from_fields(records.parse_record(
                    data or b"", path, limit=records.MAX_MANIFEST_BYTES), path)
                result.closings[closing.round] = closing
        except InputError as exc:  # pragma: no cover - the ledger parsed it before trusting it
            result.problem(path, "malformed", exc.message)


def facilitator_records(agenda: Any, result: Any, state: State, files: list[tuple[str, str, tuple]],
                        signer_of: dict[str, str], base: str) -> None:
    from ..confidential import access_from_fields

    allowed = [(path, sha, v) for path, sha, v in files if path in signer_of]
    from ..governance.local_contexts import notice_from_fields

    shapes = {"responses": response_from_fields, "access": access_from_fields,
              "redactions": redaction_from_fields, "reopenings": reopening_from_fields,
              "notices": notice_from_fields}
    for path, sha, verdict in files:
        parts = PurePosixPath(path[len(base):]).parts
        if parts[0] == "members":
            result.problem(path, "wrong-place", "member files live directly in members/")
        elif not (len(parts) == 4 and parts[0] == "rounds" and parts[2] in shapes):
            result.problem(path, "wrong-place", "not a place for a record")
    blobs = agenda.git.read_objects([sha for _p, sha, _v in allowed])
    for (path, _sha, verdict), data in zip(allowed, blobs):
        parts = PurePosixPath(path[len(base):]).parts
        if not (len(parts) == 4 and parts[0] == "rounds" and parts[2] in shapes):
            continue
        refused = facilitator_signed(state, signer_of[path], verdict[2])
        if refused:
            result.problem(path, *refused)
            continue
        try:  # parsed only now that its signer proved to be a facilitator
            limit = records.MAX_RECORD_BYTES
            rec = shapes[parts[2]](records.parse_record(data or b"", path, limit=limit), path)
        except InputError as exc:
            result.problem(path, "malformed", exc.message)
            continue
        name, round_id = parts[3], parts[1]
        if rec.round != round_id or not _named_right(parts[2], rec, name):
            result.problem(path, "wrong-place", f"{parts[2][:-1]} fields do not match its path")
            continue
        result.accepted[path] = (signer_of[path], verdict[2])
        if parts[2] == "responses":
            result.responses.setdefault(round_id, {})[rec.comment] = rec
        elif parts[2] == "access":
            result.access.setdefault(round_id, {})[rec.comment] = (path, rec)
        elif parts[2] == "redactions":
            result.redactions[f"{base}rounds/{round_id}/{rec.path}"] = rec
        elif parts[2] == "notices":
            result.notices.setdefault(round_id, {})[rec.scope] = rec


def _named_right(kind: str, rec: Any, name: str) -> bool:
    if kind == "notices":
        return name == f"{rec.scope}.yaml"
    if kind in ("responses", "access"):
        return name == f"{rec.comment}.yaml"
    if kind == "redactions":
        return name == f"{rec.record}.yaml"
    return name == f"{rec.closing[:16]}.yaml"


def member_records(result: Any, state: State, files: list[tuple[str, tuple]],
                   signer_of: dict[str, str], base: str) -> dict[str, list[tuple[str, Record]]]:
    """The records of ``files`` (path, verdict; emptied) that stand, by round."""
    from ..verify import _UNPARSED, record_of

    seen_ids: dict[str, dict[str, str]] = defaultdict(dict)  # round -> record id -> path
    stances = set(result.config.stances)
    cut = len(base)
    by_round: dict[str, list[tuple[str, Record]]] = defaultdict(list)
    files.reverse()  # taken from the end, in their order: each freed once judged
    while files:
        path, (signer, _sp, digest, payload, parse_problem) = files.pop()
        parts = path[cut:].split("/")  # git paths: no empty, "." or ".." parts
        if len(parts) != 5 or parts[2] != "comments":
            result.problem(path, "wrong-place", "not a place for a record")
            continue
        if path not in signer_of:
            continue
        if parse_problem == _UNPARSED:
            result.problem(path, "unknown-member",
                           "signed by a key no member of the verified registry holds")
            continue
        if parse_problem:
            if parse_problem[0] == "\0":  # stored without the path (see verify._check_one)
                parse_problem = path + parse_problem[1:]
            result.problem(path, "malformed", parse_problem)
            continue
        rec = record_of(payload)
        refused = (in_its_place(rec, parts) or member_signed(state, rec, signer, digest))
        if not refused and rec.type == "comment" and rec.stance not in stances:
            refused = ("malformed", f"stance '{rec.stance}' is not one of coalition.yaml's")
        if not refused:
            dup = seen_ids[parts[1]].get(rec.id)
            refused = ("duplicate-id", f"id {rec.id} is also used by {dup}") if dup else None
        if not refused:
            seen_ids[parts[1]][rec.id] = path
            refused = in_its_round(result, rec, parts, digest)
        if refused:
            result.problem(path, *refused)
            continue
        by_round[parts[1]].append((path, rec))
        result.accepted[path] = (signer, digest)
    return by_round


def check_targets(result: Any, by_round: dict[str, list[tuple[str, Record]]]) -> None:
    """Withdrawals, endorsements and acknowledgements must point at the right comments."""
    for round_id, items in by_round.items():
        comments = {rec.id: rec for _p, rec in items if rec.type == "comment"}
        kept = []
        for item in items:
            path, rec = item
            if rec.type in ("label", "approval") or (rec.type == "comment" and not rec.supersedes):
                # most records: nothing to check (a label names a principle, not a comment)
                kept.append(item)
                continue
            target = comments.get(rec.target) if rec.target else None
            problem = None
            if rec.type != "comment" and target is None:
                problem = ("malformed", f"refers to {rec.target}, not a comment of this round")
            elif rec.type in ("withdrawal", "acknowledgement", "consent-withdrawal") and \
                    target.member != rec.member:
                verb = {"withdrawal": "withdraw", "acknowledgement": "acknowledge"}.get(
                    rec.type, "withdraw consent to use")
                problem = ("not-permitted", f"'{rec.member}' cannot {verb} a comment of "
                                            f"'{target.member}'")
            elif rec.type == "endorsement" and target.member == rec.member:
                problem = ("malformed", "a member cannot endorse their own comment")
            elif rec.type == "comment" and rec.supersedes:
                old = comments.get(rec.supersedes)
                if old is None or old.member != rec.member:
                    problem = ("malformed", f"supersedes {rec.supersedes}, not an earlier comment "
                                            "of the same member")
            if problem:
                result.problem(path, *problem)
                result.accepted.pop(path, None)
            else:
                kept.append(item)
        by_round[round_id] = kept


def access_grants(result: Any, by_round: dict[str, list[tuple[str, Record]]]) -> None:
    for round_id, grants in list(result.access.items()):
        secret = {rec.id for _p, rec in by_round.get(round_id, []) if rec.encrypted}
        for comment_id, (path, _grant) in list(grants.items()):
            if comment_id not in secret:
                result.problem(path, "malformed",
                               f"grants access to {comment_id}, not a confidential comment of "
                               f"round '{round_id}'")
                del grants[comment_id]


REPLACEABLE = ("responses", "access", "notices")  # a facilitator may answer again: a new version


def removed_records(agenda: Any, result: Any, state: State, at_head: dict[str, str],
                    base: str) -> None:
    """Signed records an ancestor had that the head lost, or changed in place."""
    all_events = result.trust.ledger.events
    if not all_events:
        return
    old_sigs: dict[str, list[str]] = defaultdict(list)  # record path -> signatures it had
    events = []
    for event in all_events:
        if event[0].endswith(".sig"):
            old_sigs[base + event[0][:-4]].append(event[1])
        else:
            events.append(event)
    replaced = {(rel, old) for rel, old, new, _c, _p in events if new}
    # a path whose head file is already reported (e.g. bad-signature) needs no second word
    seen: set[str] = {p["path"] for p in result.problems if p["problem"] != "missing"}
    todo = []
    for rel, old, new, commit, parent in events:
        path = base + rel
        head = at_head.get(path)
        if path in seen or head == old:
            continue
        kind = rel.split("/")[2]
        if kind in REPLACEABLE and head is not None:
            if (rel, head) in replaced:
                seen.add(path)
                result.problem(path, "rollback", f"put back to a version that commit "
                                                 f"{commit[:8]} had replaced")
            continue
        todo.append((path, old, commit, parent, head))
    if not todo:
        return
    names = []
    for path, old, _c, parent, _h in todo:
        names += [old, f"{parent}:{path}.sig", *old_sigs.get(path, ())]
    blobs = iter(agenda.git.read_objects(names))
    from ..signing import verify_detached_fast

    for path, _old, commit, _parent, head in todo:
        data = next(blobs)
        sigs = [next(blobs) for _ in range(1 + len(old_sigs.get(path, ())))]
        if path in seen or data is None:
            continue
        keys = [verify_detached_fast(data, sig) for sig in sigs if sig is not None]
        if not any(k is not None and k.openssh in state.owner for k in keys):
            continue  # it never was a signed record of the registry: nothing was lost
        redaction = result.redactions.get(path)
        if redaction is not None and redaction.digest == hashlib.sha256(data).hexdigest():
            continue
        seen.add(path)
        what = "deleted" if head is None else "changed in place"
        result.problem(path, "removed", f"{what} in commit {commit[:8]}; a signed record is "
                                        "never removed without a facilitator's redaction "
                                        "(coalition redact)")


__all__ = ["judge", "facilitator_signed", "member_signed", "in_its_place", "in_its_round",
           "removed_records", "head_blobs"]
