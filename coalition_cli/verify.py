"""Verification: every signature, who may sign what, paths, manifests and windows.

``verify(agenda)`` reads the agenda as committed, checks each signed file and
returns a ``Verified``: the problems found (``path``, ``problem``, ``detail``)
and the records that passed, which the reports then use — a report never
counts a record that verification rejected.

Order of work: list the tree once (``git ls-tree -r``); for files the cache has
not seen, read their bytes through one ``git cat-file --batch`` and check
signatures in worker processes (both cores); then decide trust in memory:

* the registry is trusted from the root: member files signed by a key whose
  fingerprint ``coalition.yaml`` pins as a founder, then, repeatedly, files
  signed by a key of a facilitator whose own file is trusted;
* a record signed with a revoked key stands only if it was already in the tree
  of the commit that revoked the key (history is the only clock we can trust).
"""

from __future__ import annotations

import gc
import hashlib
import sys
import re
from collections import defaultdict
from collections.abc import Callable
from itertools import chain
from dataclasses import dataclass, field
from dataclasses import fields as dataclass_fields
from pathlib import PurePosixPath
from typing import Any

from . import records
from .agenda import CONFIG, Agenda, Snapshot
from .cache import VerdictCache, code_fingerprint
from .errors import InputError, MalformedData
from .model import (
    RECORD_FIELDS,
    Closing,
    Config,
    Member,
    Record,
    Response,
    Round,
    closing_from_fields,
    member_from_fields,
    record_from_fields,
    response_from_fields,
    round_from_fields,
)

PROBLEMS = ("bad-signature", "unsigned", "unknown-member", "revoked-key", "not-permitted",
            "wrong-place", "late", "malformed", "duplicate-id", "out-of-window", "missing")
CHUNK = 4000
PARALLEL_AT = 3000  # below this many unseen files, one process is faster


@dataclass
class Verified:
    commit: str
    config: Config | None = None
    checked: int = 0
    problems: list[dict[str, str]] = field(default_factory=list)
    members: dict[str, Member] = field(default_factory=dict)
    rounds: dict[str, Round] = field(default_factory=dict)
    closings: dict[str, Closing] = field(default_factory=dict)
    records: dict[str, list[tuple[str, Record]]] = field(default_factory=dict)  # round -> [(path, rec)]
    responses: dict[str, dict[str, Response]] = field(default_factory=dict)  # round -> comment -> r
    signer: dict[str, str] = field(default_factory=dict)  # path -> member id of the signer
    history: Any = None  # history.RegistryHistory: who changed the registry, founders chain
    access: dict[str, dict[str, Any]] = field(default_factory=dict)  # round -> comment -> Access

    @property
    def ok(self) -> bool:
        return not self.problems

    def problem(self, path: str, kind: str, detail: str) -> None:
        self.problems.append({"path": shown(path), "problem": kind, "detail": shown(detail)})

    def require_config(self) -> Config:
        """The agenda's settings, or the one-line reason they cannot be read (exit 3)."""
        if self.config is None:
            why = next((p["detail"] for p in self.problems if p["problem"] == "malformed"),
                       "coalition.yaml cannot be read")
            raise InputError(why, hint="fix coalition.yaml, then run: coalition verify")
        return self.config

    def as_json(self) -> dict[str, Any]:
        return {"ok": self.ok, "checked": self.checked, "problems": self.problems}


_UNSHOWABLE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\u2028\u2029]")


def shown(text: str) -> str:
    """``text`` safe to print: undecodable bytes and control characters as escapes."""
    if not _UNSHOWABLE.search(text):
        return text
    return _UNSHOWABLE.sub(lambda m: f"\\x{ord(m.group()) & 0xFF:02x}" if "\ud800" <= m.group()
                           <= "\udfff" else m.group().encode("unicode_escape").decode(), text)


# --- the expensive part: parse and check signatures (cacheable, parallel) --------------------


def _check_one(path: str, data: bytes, sig: bytes | None) -> tuple:
    """(signer key "ssh-ed25519 ..." or "", signature problem, sha256, record tuple, parse problem)."""
    from .signing import verify_detached_fast

    digest = hashlib.sha256(data).hexdigest()
    signer, sig_problem = "", ""
    if sig is not None:
        key = verify_detached_fast(data, sig)
        if key is None:
            sig_problem = _why_bad(data, sig)
        else:
            signer = key.openssh
    payload, parse_problem = None, ""
    if "/comments/" in path:
        try:
            rec = record_from_fields(records.parse_record(data, path), path, None)
            payload = tuple(_share(getattr(rec, name)) if name in _SHARED_FIELDS
                            else getattr(rec, name) for name in RECORD_FIELDS)
        except InputError as exc:
            parse_problem = exc.message
            if isinstance(exc, MalformedData) and parse_problem.startswith(exc.path):
                # cached by the bytes, which ``git mv`` may move: _decide puts the path back
                parse_problem = "\0" + parse_problem[len(exc.path):]
    return _share(signer), sig_problem, digest, payload, parse_problem


# Values repeated across records (signer key, type, round, member, ...) are stored once: marshal
# writes a shared object once and the loaded cache shares it again — a smaller file, less memory.
_SHARED_FIELDS = frozenset({"type", "round", "member", "principle", "author", "stance", "kind",
                            "attribution", "answer"})
_SHARED: dict[Any, Any] = {}


def _record(payload: tuple) -> Record:
    """``Record(*payload)`` without the frozen dataclass's 18 ``object.__setattr__`` calls:
    the same object, its instance dict filled in one update — 1.7× faster, which counts at
    100,000 records (and the dict keeps sharing its keys with the class: no more memory)."""
    rec = _new_object(Record)
    rec.__dict__.update(zip(RECORD_FIELDS, payload))
    return rec


_new_object = object.__new__
assert RECORD_FIELDS == tuple(f.name for f in dataclass_fields(Record))
assert not hasattr(Record, "__post_init__")


def _share(value: Any) -> Any:
    if value is None or len(_SHARED) > 100_000:
        return value
    return _SHARED.setdefault(value, value)




def _why_bad(data: bytes, sig: bytes) -> str:
    from .signing import verify

    try:
        verify(data, sig)
    except InputError as exc:
        return exc.message
    return "signature does not verify"


def _check_chunk(items: list[tuple[str, str, bytes, bytes | None]]) -> list[tuple[str, tuple]]:
    return [(key, _check_one(path, data, sig)) for key, path, data, sig in items]


def _check_files(agenda: Agenda, todo: list[tuple[str, str, str, str | None]],
                 progress: Callable[[int], None] | None) -> dict[str, tuple]:
    """Read and check files not in the cache. ``todo``: (key, path, sha, sig_sha)."""
    out: dict[str, tuple] = {}
    chunks = [todo[i : i + CHUNK] for i in range(0, len(todo), CHUNK)]

    def load(chunk: list[tuple[str, str, str, str | None]]) -> list:
        names = []
        for _key, _path, sha, sig_sha in chunk:
            names.append(sha)
            if sig_sha:
                names.append(sig_sha)
        blobs = iter(agenda.git.read_objects(names))
        items = []
        for key, path, _sha, sig_sha in chunk:
            data = next(blobs) or b""
            items.append((key, path, data, next(blobs) if sig_sha else None))
        return items

    if len(todo) < PARALLEL_AT:
        for chunk in chunks:
            out.update(_check_chunk(load(chunk)))
            if progress:
                progress(len(chunk))
        return out
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=2, mp_context=context) as pool:
        pending = []
        for chunk in chunks:  # read the next chunk while the workers check the last
            pending.append((len(chunk), pool.submit(_check_chunk, load(chunk))))
            while len(pending) > 3:
                size, future = pending.pop(0)
                out.update(future.result())
                if progress:
                    progress(size)
        for size, future in pending:
            out.update(future.result())
            if progress:
                progress(size)
    return out


# --- the policy part: trust, permissions, places, windows (always recomputed) ------------------


def verify(agenda: Agenda, rev: str | None = None, *, round_id: str | None = None,
           progress: Callable[[int, int], None] | None = None, use_cache: bool = True) -> Verified:
    snap = agenda.snapshot(rev)
    result = Verified(commit=snap.commit)
    base = agenda.rel + "/" if agenda.rel != "." else ""
    paused = _pause_gc()
    try:
        # git lists the tree (200,000 entries at 100,000 records) while the cache loads here
        listing = agenda.git.ls_tree_start(snap.commit, agenda.rel) if agenda.rel != "." else None
        try:
            cache = VerdictCache(agenda.git.git_dir / "coalition" if use_cache else None,
                                 _code())
        finally:
            entries = agenda.git.ls_tree_finish(listing) if listing is not None else []
        return _verify(agenda, snap, result, base, entries, cache, round_id, progress, use_cache)
    finally:
        if paused:
            gc.enable()


def verify_outcome(agenda: Agenda, rev: str | None = None, *, round_id: str | None = None,
                   progress: Callable[[int, int], None] | None = None) -> Verified:
    """``verify`` for callers that need only its verdict (``ok``, ``checked``, ``problems``,
    ``config``, ``history``), not the records: the verdict of a commit already verified in
    this clone is remembered (``cache.ResultMemo``), so asking again costs a file read.

    Everything verify decides follows from the commit — its tree and, through the registry
    history, its ancestry — and the code; the registry history is still walked (it is
    cached incrementally) and its problems added afresh.
    """
    snap = agenda.snapshot(rev)
    remembered = (_outcomes(agenda).get(_outcome_key(agenda, snap.commit, round_id)) or [None])[0]
    if not (isinstance(remembered, dict) and isinstance(remembered.get("checked"), int)
            and isinstance(remembered.get("problems"), list)):
        return verify(agenda, snap.commit, round_id=round_id, progress=progress)
    from .history import registry_history

    result = Verified(commit=snap.commit, checked=remembered["checked"],
                      problems=remembered["problems"])
    try:
        result.config = snap.config
    except InputError:  # a verdict was remembered only for a readable coalition.yaml
        return verify(agenda, snap.commit, round_id=round_id, progress=progress)
    result.history = registry_history(agenda, snap.commit)
    if result.history is None:  # the clone became shallow since
        return verify(agenda, snap.commit, round_id=round_id, progress=progress)
    result.problems.extend(result.history.problems)
    return result


def _outcomes(agenda: Agenda) -> Any:
    from .cache import ResultMemo

    return ResultMemo(agenda.git.git_dir / "coalition", "verify")


def _outcome_key(agenda: Agenda, commit: str, round_id: str | None) -> tuple:
    return (agenda.rel, commit, round_id or "")


def _code() -> str:
    """The fingerprint of the code whose verdicts the cache holds (parsing, validation, signatures)."""
    global _CODE
    if _CODE is None:
        from . import errors, ids, model, signing

        _CODE = code_fingerprint(records, model, ids, errors, signing, sys.modules[__name__])
    return _CODE


_CODE: str | None = None


def _pause_gc() -> bool:
    """Pause the cyclic garbage collector: the records make no cycles, and at 100,000 records
    its repeated passes over millions of new objects cost more than all the rest."""
    enabled = gc.isenabled()
    gc.disable()
    return enabled


def _verify(agenda: Agenda, snap: Snapshot, result: Verified, base: str,
            entries: list[tuple[str, str, str]], cache: VerdictCache, round_id: str | None,
            progress: Callable[[int, int], None] | None, use_cache: bool) -> Verified:
    try:
        result.config = snap.config
    except InputError as exc:
        result.problem(base + CONFIG, "malformed", exc.message)
        return result

    # git lists a tree sorted by path, so X.yaml.sig almost always comes right after X.yaml:
    # look there first, and in a dict of every path (built only if needed) otherwise
    by_path: dict[str, str] = {}

    def sha_of(path: str) -> str | None:
        if not by_path:
            by_path.update((p, sha) for _mode, sha, p in entries)
        return by_path.get(path)

    signed: list[tuple[str, str, str | None]] = []  # path, sha, sig sha
    cut = len(base)
    previous = ""
    following = iter(entries)
    next(following, None)
    for (mode, sha, path), (_m, next_sha, next_path) in zip(entries, chain(following, [("", "", "")])):
        rel = path[cut:]
        before, previous = previous, path
        if mode == "120000":
            result.problem(path, "malformed", "a symlink where a file should be")
            continue
        if rel.endswith(".sig"):
            if path[:-4] != before and sha_of(path[:-4]) is None:
                result.problem(path, "malformed", "a signature with no record beside it")
            continue
        if rel.startswith(("members/", "rounds/")):
            if not rel.endswith(".yaml"):
                result.problem(path, "wrong-place", "not a record file")
                continue
            sig_path = path + ".sig"
            signed.append((path, sha, next_sha if next_path == sig_path else sha_of(sig_path)))
        elif rel.startswith("principles/"):
            try:
                data = agenda.git.read_objects([sha])[0] or b""
                fields, body = records.split_front_matter(data, path)
                from .model import principle_from_fields

                principle_from_fields(fields, body, path)
            except InputError as exc:
                result.problem(path, "malformed", exc.message)

    entries.clear()  # the listing (200,000 entries at 100,000 records) is not needed any more
    by_path.clear()
    if round_id is not None:
        keep = (f"{base}members/", f"{base}rounds/{round_id}/")
        signed = [s for s in signed if s[0].startswith(keep)]

    verdicts: dict[str, tuple] = {}  # path -> verdict
    todo = []
    cached = cache.entries.get
    in_use = set()
    for path, sha, sig_sha in signed:
        key = _cache_key(path, sha, sig_sha)
        in_use.add(key)
        hit = cached(key)
        if type(hit) is tuple and len(hit) == 5:  # anything else: a damaged cache, check again
            verdicts[path] = hit
        else:
            todo.append((key, path, sha, sig_sha))
    if todo:
        done = 0

        def step(n: int) -> None:
            nonlocal done
            done += n
            if progress:
                progress(done, len(todo))

        fresh = _check_files(agenda, todo, step)
        for key, value in fresh.items():
            cache.put(key, value)
        for key, path, _sha, _sig_sha in todo:
            verdicts[path] = fresh[key]
        del fresh, todo  # their 100,000 tuples are not needed for the policy pass
    result.checked = len(signed)
    save = use_cache and (cache.dirty or len(cache.entries) != len(verdicts))
    if not save:
        cache.entries = {}  # nothing to write or drop: free its keys before the policy pass
        in_use.clear()

    from .history import registry_history

    result.history = registry_history(agenda, snap.commit, use_cache=use_cache)
    _decide(agenda, snap, result, signed, verdicts, base)
    if use_cache and result.history is not None:
        _outcomes(agenda).put(_outcome_key(agenda, snap.commit, round_id),
                              [{"checked": result.checked, "problems": result.problems}])
    if result.history is not None:
        result.problems.extend(result.history.problems)
    if save:
        cache.save(keep=None if round_id else in_use)
    return result


def _cache_key(path: str, sha: str, sig_sha: str | None) -> str:
    """Record blob, signature blob, and whether it is read as a member's record."""
    return f"{sha}:{sig_sha or '-'}:{'c' if '/comments/' in path else 'f'}"


def _decide(agenda: Agenda, snap: Snapshot, result: Verified,
            signed: list[tuple[str, str, str | None]], verdicts: dict[str, tuple],
            base: str) -> None:
    """``verdicts``: path -> (signer, signature problem, sha256, record tuple, parse problem),
    for every path of ``signed``."""
    config = result.config
    assert config is not None
    signer_of: dict[str, str] = {}
    other: dict[str, tuple[str, str]] = {}  # path -> (sha, sig_sha) for the few non-comment files
    comment_files: list[tuple[str, str, tuple]] = []  # (path, sha, verdict), in `signed` order
    for path, sha, sig_sha in signed:
        verdict = verdicts[path]
        if sig_sha is None:
            result.problem(path, "unsigned", "no .sig file beside the record")
        elif verdict[1]:
            result.problem(path, "bad-signature", verdict[1])
        else:
            signer_of[path] = verdict[0]
        if "/comments/" not in path:
            other[path] = (sha, sig_sha or "")
        else:
            comment_files.append((path, sha, verdict))

    # 1. the registry, trusted from the pinned founders outward
    members: dict[str, tuple[str, Member]] = {}
    other_blobs = dict(zip(other, agenda.git.read_objects([v[0] for v in other.values()])))
    for path in other:
        rel = path[len(base):]
        if not rel.startswith("members/"):
            continue
        parts = PurePosixPath(rel).parts
        try:
            if len(parts) != 2:
                raise InputError("member files live directly in members/")
            member = member_from_fields(records.parse_record(other_blobs[path] or b"", path), path)
        except InputError as exc:
            result.problem(path, "malformed", exc.message)
            continue
        if member.id != PurePosixPath(rel).stem:
            result.problem(path, "wrong-place", f"member '{member.id}' is stored as {parts[-1]}")
            continue
        if path in signer_of:
            members[member.id] = (path, member)
    from .signing import PublicKey

    def fingerprint(openssh: str) -> str:
        try:
            return PublicKey.from_openssh(openssh).fingerprint
        except InputError:
            return ""

    founders = set(config.founders)
    trusted_keys: set[str] = set()
    trusted: dict[str, Member] = {}
    revocations = _Revocations(agenda, snap.commit, base)
    proven = result.history.authorized if result.history is not None else set()
    lost: dict[str, str] = {}  # key -> member: revoked, or its member no active facilitator
    for _path, member in members.values():
        for e in member.keys:
            if e.revoked or not member.has_role("facilitator"):
                lost.setdefault(e.key, member.id)

    def registry_ok(path: str, member: Member, signer: str) -> bool:
        """Signed with authority (now, by the founders, or proven by history), and not by a
        key that had lost it before this version entered the tree."""
        own_root = not founders and any(e.key == signer for e in member.keys)
        if not (signer in trusted_keys or own_root or (path, other[path][0]) in proven
                or (founders and fingerprint(signer) in founders)):
            return False
        owner = lost.get(signer)
        return owner is None or revocations.before(owner, signer, path, other[path][0],
                                                   role="facilitator")

    changed = True
    while changed:
        changed = False
        for member_id, (path, member) in members.items():
            if member_id in trusted:
                continue
            signer = signer_of[path]
            if registry_ok(path, member, signer):
                trusted[member_id] = member
                if member.has_role("facilitator"):
                    trusted_keys.update(e.key for e in member.keys if not e.revoked)
                changed = True
    key_owner: dict[str, tuple[Member, Any]] = {}
    for member in trusted.values():
        for entry in member.keys:
            key_owner[entry.key] = (member, entry)
    for member_id, (path, member) in members.items():
        if member_id not in trusted:
            owner = key_owner.get(signer_of[path])
            who = f"'{owner[0].id}'" if owner else "a key no trusted member holds"
            result.problem(path, "not-permitted",
                           f"registry file signed by {who}, not by a facilitator")
    result.members = trusted

    def facilitator_signed(path: str) -> bool:
        signer = signer_of.get(path)
        if signer is None:
            return False
        owner = key_owner.get(signer)
        if owner is None:
            result.problem(path, "unknown-member", "signed by a key no registered member holds")
            return False
        member, entry = owner
        current = member.has_role("facilitator") and not entry.revoked
        if not current and not revocations.before(member.id, entry.key, path, other[path][0],
                                                  role="facilitator"):
            if not entry.revoked:
                result.problem(path, "not-permitted",
                               f"signed by '{member.id}', who is not a facilitator")
            else:
                result.problem(path, "revoked-key", f"signed with a key of '{member.id}' revoked "
                                                    f"on {entry.revoked}")
            return False
        result.signer[path] = member.id
        return True

    # 2. rounds, closings and responses (facilitators' files)
    for path in other:
        rel = path[len(base):]
        parts = PurePosixPath(rel).parts
        if parts[0] != "rounds":
            continue
        data = other_blobs[path] or b""
        try:
            if len(parts) == 3 and parts[2] == "round.yaml":
                rnd = round_from_fields(records.parse_record(data, path), path)
                if rnd.id != parts[1]:
                    result.problem(path, "wrong-place", f"round '{rnd.id}' stored in {parts[1]}/")
                elif facilitator_signed(path):
                    result.rounds[rnd.id] = rnd
            elif len(parts) == 3 and parts[2] == "closing.yaml":
                closing = closing_from_fields(
                    records.parse_record(data, path, limit=records.MAX_MANIFEST_BYTES), path)
                if closing.round != parts[1]:
                    result.problem(path, "wrong-place", f"closing of '{closing.round}' in {parts[1]}/")
                elif facilitator_signed(path):
                    result.closings[closing.round] = closing
            elif len(parts) == 4 and parts[2] == "responses":
                resp = response_from_fields(records.parse_record(data, path), path)
                if resp.round != parts[1] or f"{resp.comment}.yaml" != parts[3]:
                    result.problem(path, "wrong-place", "response fields do not match its path")
                elif facilitator_signed(path):
                    result.responses.setdefault(resp.round, {})[resp.comment] = resp
            elif len(parts) == 4 and parts[2] == "access":
                from .confidential import access_from_fields

                grant = access_from_fields(records.parse_record(data, path), path)
                if grant.round != parts[1] or f"{grant.comment}.yaml" != parts[3]:
                    result.problem(path, "wrong-place", "access fields do not match its path")
                elif facilitator_signed(path):
                    result.access.setdefault(grant.round, {})[grant.comment] = (path, grant)
            elif not (len(parts) == 5 and parts[2] == "comments"):
                result.problem(path, "wrong-place", "not a place for a record")
        except InputError as exc:
            result.problem(path, "malformed", exc.message)

    # 3. members' records
    seen_ids: dict[str, dict[str, str]] = defaultdict(dict)  # round -> record id -> path
    stances = set(config.stances)
    cut = len(base)
    by_round: dict[str, list[tuple[str, Record]]] = defaultdict(list)
    for path, sha, (signer, _sp, digest, payload, parse_problem) in comment_files:
        parts = path[cut:].split("/")  # git paths: no empty, "." or ".." parts
        if len(parts) != 5 or parts[2] != "comments":
            result.problem(path, "wrong-place", "not a place for a record")
            continue
        if parse_problem:
            if parse_problem[0] == "\0":  # stored without the path (see _check_one)
                parse_problem = path + parse_problem[1:]
            result.problem(path, "malformed", parse_problem)
            continue
        if path not in signer_of:
            continue
        rec = _record(payload)
        round_id, member_id, name = parts[1], parts[3], parts[4]
        if rec.round != round_id or rec.member != member_id or f"{rec.id}.yaml" != name:
            result.problem(path, "wrong-place",
                           f"record says round '{rec.round}', member '{rec.member}', id "
                           f"'{rec.id}' but is stored at {round_id}/{member_id}/{name}")
            continue
        owner = key_owner.get(signer)
        if rec.member not in trusted:
            result.problem(path, "unknown-member", f"'{rec.member}' is not a registered member")
            continue
        if owner is None:
            result.problem(path, "unknown-member", "signed by a key no registered member holds")
            continue
        if owner[0].id != rec.member:
            result.problem(path, "not-permitted",
                           f"signed with a key of '{owner[0].id}', not of '{rec.member}'")
            continue
        if owner[1].revoked and not revocations.before(rec.member, signer, path, sha):
            result.problem(path, "revoked-key",
                           f"signed with a key of '{rec.member}' revoked on {owner[1].revoked}, "
                           "after the revocation")
            continue
        if rec.type == "comment" and rec.stance not in stances:
            result.problem(path, "malformed", f"stance '{rec.stance}' is not one of coalition.yaml's")
            continue
        seen = seen_ids[round_id]
        dup = seen.get(rec.id)
        if dup is not None:
            result.problem(path, "duplicate-id", f"id {rec.id} is also used by {dup}")
            continue
        seen[rec.id] = path
        rnd = result.rounds.get(round_id)
        if rnd is None:
            result.problem(path, "wrong-place", f"round '{round_id}' does not exist or is not valid")
            continue
        if rec.type == "comment" and rec.principle not in rnd.principles:
            result.problem(path, "malformed", f"{rec.principle} is not in round '{round_id}'")
            continue
        if rec.type != "acknowledgement":
            closing = result.closings.get(round_id)
            if closing is not None and closing.records.get("/".join(parts[2:])) != digest:
                result.problem(path, "late", f"added to round '{round_id}' after its closing "
                                             f"manifest of {closing.closed_at}")
                continue
            # stamps were checked to be UTC of the one fixed form YYYY-MM-DDTHH:MM:SSZ when
            # parsed (record_from_fields, round_from_fields), so as text they sort as times
            if closing is None:
                if not (rnd.opened_at <= rec.submitted_at <= rnd.closes_at):
                    result.problem(path, "out-of-window",
                                   f"submitted {rec.submitted_at}, outside the round's window "
                                   f"{rnd.opened_at} – {rnd.closes_at}")
                    continue
        by_round[round_id].append((path, rec))
        result.signer[path] = rec.member
    for round_id, closing in result.closings.items():
        prefix = f"{base}rounds/{round_id}/"
        for rel in closing.records:
            if prefix + rel not in verdicts:
                result.problem(prefix + rel, "missing",
                               "listed in the closing manifest but no longer in the tree")
    _check_targets(result, by_round)
    result.records = dict(by_round)
    for round_id, grants in list(result.access.items()):
        secret = {rec.id for _p, rec in by_round.get(round_id, []) if rec.encrypted}
        for comment_id, (path, _grant) in list(grants.items()):
            if comment_id not in secret:
                result.problem(path, "malformed",
                               f"grants access to {comment_id}, not a confidential comment of "
                               f"round '{round_id}'")
                del grants[comment_id]


def _check_targets(result: Verified, by_round: dict[str, list[tuple[str, Record]]]) -> None:
    """Withdrawals, endorsements and acknowledgements must point at the right comments."""
    for round_id, items in by_round.items():
        comments = {rec.id: rec for _p, rec in items if rec.type == "comment"}
        kept = []
        for item in items:
            path, rec = item
            if rec.type == "comment" and not rec.supersedes:  # most records: nothing to check
                kept.append(item)
                continue
            target = comments.get(rec.target) if rec.target else None
            problem = None
            if rec.type != "comment" and target is None:
                problem = ("malformed", f"refers to {rec.target}, not a comment of this round")
            elif rec.type in ("withdrawal", "acknowledgement") and target.member != rec.member:
                problem = ("not-permitted", f"'{rec.member}' cannot {rec.type[:-2] if rec.type == 'withdrawal' else 'acknowledge'} "
                                            f"a comment of '{target.member}'")
            elif rec.type == "endorsement" and target.member == rec.member:
                problem = ("malformed", "a member cannot endorse their own comment")
            elif rec.type == "comment" and rec.supersedes:
                old = comments.get(rec.supersedes)
                if old is None or old.member != rec.member:
                    problem = ("malformed", f"supersedes {rec.supersedes}, not an earlier comment "
                                            "of the same member")
            if problem:
                result.problem(path, *problem)
            else:
                kept.append(item)
        by_round[round_id] = kept


class _Revocations:
    """When was a key revoked? The commit that first stored it revoked, found in history."""

    def __init__(self, agenda: Agenda, commit: str, base: str) -> None:
        self.agenda = agenda
        self.commit = commit
        self.base = base
        self._trees: dict[tuple[str, str, str | None], set[tuple[str, str]]] = {}

    def _revoking_commit(self, member_id: str, key: str, role: str | None = None) -> str | None:
        """The first commit where ``key`` is revoked; with ``role``, the first where it stops
        being an unrevoked key of an active member with that role (None if it never was)."""
        path = f"{self.base}members/{member_id}.yaml"
        log = self.agenda.git.run("log", "--format=%H", "--reverse", "--first-parent",
                                  self.commit, "--", path).decode().split()
        blobs = self.agenda.git.read_objects([f"{c}:{path}" for c in log])
        held = False
        for commit, data in zip(log, blobs):
            if data is None:
                if role and held:
                    return commit
                continue
            try:
                member = member_from_fields(records.parse_record(data, path), path)
            except InputError:
                continue
            if role is None:
                if any(e.key == key and e.revoked for e in member.keys):
                    return commit
                continue
            valid = member.has_role(role) and any(e.key == key and not e.revoked
                                                  for e in member.keys)
            if held and not valid:
                return commit
            held = held or valid
        return None

    def before(self, member_id: str, key: str, path: str, sha: str,
               role: str | None = None) -> bool:
        """Was this exact file already in the tree of the commit that revoked ``key`` (with
        ``role``: the commit where the key stopped serving that role)?"""
        cache_key = (member_id, key, role)
        if cache_key not in self._trees:
            commit = self._revoking_commit(member_id, key, role)
            files: set[tuple[str, str]] = set()
            if commit is not None:
                for entry in self.agenda.git.ls_tree(commit, self.base + "rounds"):
                    files.add((entry.path, entry.sha))
                for entry in self.agenda.git.ls_tree(commit, self.base + "members"):
                    files.add((entry.path, entry.sha))
            self._trees[cache_key] = files
        return (path, sha) in self._trees[cache_key]
