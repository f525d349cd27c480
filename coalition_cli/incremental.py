"""Incremental verify: a new head that only adds member records to a clean, verified one.

A full ``verify`` is a function of two things: the tree at the head, and the ledger of the
head (its trusted registry, settings, principles and rounds; the versions it rejected;
the deletions and in-place changes of records anywhere in history). When the last head
verified clean in this clone (``C0``) and the new head ``C1``

* has a ledger whose trusted files, founders, rejected versions and events are exactly
  those of ``C0``'s (same digest) — the registry, the config, no round file and no history
  shape (a rewrite, a deletion, a revert) changed anything the ledger keeps — and no
  problem of its own, and
* differs from ``C0``'s tree only by *added* regular files, each a member record
  ``rounds/<round>/comments/<member>/<id>.yaml`` with its ``.sig``, none at a path the
  ledger's events name,

then the records of ``C0`` keep their verdicts (nothing they are judged by changed), and
only the new ones need checking: signature, parse (only after the signature verifies with
a key of the registry), place, signer, stance, window, duplicate ids and targets against
the remembered policy state (per round: every record id, and each comment's member). If
every new record passes, ``C1`` verifies clean with ``checked`` grown by their number.
Anything else — a new record with any problem, a removed or changed file, a facilitator's
record, a stray file, more new records than a full pass would take longer for — returns
None, and the caller runs the full pass, which gives the exact problem list.

The policy state is kept beside the other caches, authenticated by this user's cache key
(``cache.ResultMemo``, its ids in segments of about ``SHARD`` by a CRC of the id,
``cache.Chunks``): a state copied from another clone or written by hand fails
authentication and is never read, so it can never make a record pass. An increment reads
only the segments its records' ids and targets fall in, and writes only those again: one
new record costs the same at N = 1,000,000 as at N = 1,000.
"""

from __future__ import annotations

import hashlib
import re
import zlib

from .store import literal

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

MAX_NEW = 3000  # beyond this many new records, the full pass (both cores) is as quick
USED: list[str] = []  # commits verified incrementally in this process (for tests)


SHARD = 2048  # record ids a segment of the policy state holds, about, when written whole


def _memo(agenda: Any) -> Any:
    from .cache import ResultMemo

    return ResultMemo(agenda.git.git_dir / "coalition", "policy", keep=2)


def _segments(agenda: Any) -> Any:
    from .cache import Chunks

    return Chunks(agenda.git.git_dir / "coalition", "chunk.policy")


def _key(agenda: Any, round_id: str | None, roots: tuple) -> tuple:
    return (agenda.rel, round_id or "", *roots)


def governed_digest(view: Any) -> str:
    """A digest of everything of the ledger that a record's verdict depends on."""
    ledger = view.ledger
    state = ledger.state
    parts = [
        sorted((p, v.blob, v.sig, v.signer, v.order) for p, v in state.files.items()),
        sorted(state.founders) if state.founders is not None else None,
        sorted((p, b, *v) for (p, b), v in ledger.rejected.items()),
        sorted(tuple(e) for e in ledger.events),
        ledger.incomplete,
    ]
    return hashlib.sha256(repr(parts).encode("utf-8", "surrogatepass")).hexdigest()


def remember(agenda: Any, result: Any, round_id: str | None) -> None:
    """After a full pass that found no problem: the state an increment starts from."""
    if not result.ok or result.trust is None or result.trust.problems:
        return
    segments = _segments(agenda)
    rounds: dict[str, list] = {}
    for rnd, items in result.records.items():
        ids = {rec.id: (rec.member if rec.type == "comment" else "") for _p, rec in items}
        rounds[rnd] = _written(segments, ids)
    _save(agenda, _key(agenda, round_id, result.trust.roots.key()), _head(result), rounds)


def _head(result: Any) -> dict[str, Any]:
    return {"commit": result.commit, "checked": result.checked,
            "digest": governed_digest(result.trust)}


def _save(agenda: Any, key: tuple, head: dict, rounds: dict[str, list]) -> None:
    """The state's head (the verified commit; per round, its id count and the names of its
    segments), and no segment kept that no remembered head names."""
    memo = _memo(agenda)
    memo.put(key, [head, rounds])
    named = {name for values in memo.each() if len(values) == 2 and isinstance(values[1], dict)
             for entry in values[1].values() if isinstance(entry, list) and len(entry) == 2
             for name in entry[1]}
    _segments(agenda).prune(named)


def _slot(rid: str, width: int) -> int:
    """The segment, of ``width`` (a power of two), that holds ``rid``."""
    return zlib.crc32(rid.encode("utf-8", "surrogatepass")) & (width - 1)


def _written(segments: Any, ids: dict[str, str]) -> list:
    """[count, segment names] of a round's ids (id -> member, "" for other record types), in
    as many segments as keep each near ``SHARD``: an increment reads and writes again only
    the segments its records fall in, not every id of the round."""
    width = 1 << max(0, (len(ids) - 1) // SHARD).bit_length()
    parts: list[dict[str, str]] = [{} for _ in range(width)]
    for rid, member in ids.items():
        parts[_slot(rid, width)][rid] = member
    return [len(ids), [segments.put(part) for part in parts]]


class _RoundIds:
    """The remembered ids of one round (id -> member), each segment read when first asked
    about; KeyError from ``segments`` (a segment missing or not authenticated) ends the
    increment."""

    def __init__(self, segments: Any, entry: list | None) -> None:
        self.segments = segments
        self.count, self.names = (entry[0], list(entry[1])) if entry else (0, [""])
        self.read: dict[int, dict[str, str]] = {} if entry else {0: {}}

    def _part(self, rid: str) -> dict[str, str]:
        return self._part_at(_slot(rid, len(self.names)))

    def __contains__(self, rid: str) -> bool:
        return rid in self._part(rid)

    def get(self, rid: str, default: Any = None) -> Any:
        return self._part(rid).get(rid, default)

    def added(self, more: dict[str, str]) -> list:
        """[count, segment names] once ``more`` is added: only the segments it falls in are
        written again — the whole round, in segments near ``SHARD`` again, once it holds
        four times as many ids a segment."""
        for rid, member in more.items():
            self._part(rid)[rid] = member
        self.count += len(more)
        if self.count > 4 * SHARD * len(self.names):
            whole: dict[str, str] = {}
            for slot in range(len(self.names)):
                whole.update(self._part_at(slot))
            return _written(self.segments, whole)
        touched = {_slot(rid, len(self.names)) for rid in more}
        for slot in touched:
            self.names[slot] = self.segments.put(self.read[slot])
        return [self.count, self.names]

    def _part_at(self, slot: int) -> dict[str, str]:
        if slot not in self.read:
            part = self.segments.get(self.names[slot])
            if not isinstance(part, dict):
                raise KeyError(self.names[slot])
            self.read[slot] = part
        return self.read[slot]


class _State:
    """The remembered ids of every round, read segment by segment as the new records ask."""

    def __init__(self, segments: Any, rounds: dict[str, list]) -> None:
        self.segments, self.rounds = segments, rounds
        self.open: dict[str, _RoundIds] = {}

    def get(self, round_id: str, default: Any = None) -> _RoundIds:
        if round_id not in self.open:
            entry = self.rounds.get(round_id)
            ok = isinstance(entry, list) and len(entry) == 2 and type(entry[0]) is int \
                and isinstance(entry[1], list) and entry[1] \
                and len(entry[1]) & (len(entry[1]) - 1) == 0
            if entry is not None and not ok:
                raise KeyError(round_id)
            self.open[round_id] = _RoundIds(self.segments, entry)
        return self.open[round_id]


def _load(agenda: Any, key: tuple) -> tuple[dict, dict] | None:
    """(head, rounds) of the remembered state, or None."""
    stored = _memo(agenda).get(key)
    if not stored or len(stored) != 2:
        return None
    head, rounds = stored
    if not (isinstance(head, dict) and isinstance(rounds, dict)):
        return None
    return head, rounds


def may_step(agenda: Any, round_id: str | None, roots: tuple) -> bool:
    """Whether ``outcome`` might answer: a state is remembered for these roots (known
    without walking the ledger, so that a clone with none goes straight to the full pass)."""
    if round_id is not None:
        return False
    path = _memo(agenda)._file(_key(agenda, round_id, roots))
    return path is not None and path.is_file()


def outcome(agenda: Any, commit: str, view: Any, round_id: str | None) -> Any:
    """The verdict of ``commit`` from the remembered clean state, or None (run the full pass)."""
    if round_id is not None or view.ledger.incomplete or view.problems:
        return None
    key = _key(agenda, round_id, view.roots.key())
    loaded = _load(agenda, key)
    if loaded is None:
        return None
    head, rounds = loaded
    if head.get("commit") == commit:
        return None
    if head.get("digest") != governed_digest(view):
        return None
    added = _added_records(agenda, head["commit"], commit, view)
    if added is None:
        return None
    state = _State(_segments(agenda), dict(rounds))
    try:
        fresh = _check_new(agenda, commit, view, added, state)
        if fresh is None:
            return None
        grown = {rnd: state.get(rnd).added(more) for rnd, more in fresh.items()}
    except KeyError:
        return None  # a segment missing, damaged or not this user's: the full pass
    from .verify import Verified

    result = Verified(commit=commit, checked=head["checked"] + len(added), trust=view)
    result.config = view.config
    if result.config is None:
        return None
    _save(agenda, key, _head(result), {**rounds, **grown})
    USED.append(commit)
    return result


def known_clean(agenda: Any, commit: str, view: Any) -> bool:
    """Whether ``commit`` verifies clean (the whole agenda, ``view``'s roots), known without a
    full pass: the verdict ``verify_outcome`` remembered for it, or an increment from the
    last clean head (which then is remembered the same way). False: not known — only a full
    pass can say."""
    from .verify import _outcome_key, _outcomes

    if view.ledger.incomplete or view.problems:
        return False
    key = _outcome_key(agenda, commit, None, view.roots.key())
    remembered = (_outcomes(agenda).get(key) or [None])[0]
    if isinstance(remembered, dict) and isinstance(remembered.get("problems"), list):
        return not remembered["problems"]
    stepped = outcome(agenda, commit, view, None)
    if stepped is None:
        return False
    _outcomes(agenda).put(key, [{"checked": stepped.checked, "problems": []}])
    return True


def added_records(agenda: Any, old: str, new: str, view: Any) -> list[tuple[str, Any]] | None:
    """[(path, record)] of the member records ``new`` adds to ``old``'s tree, each read only
    once its signature verified with a key of ``view``'s registry; None if ``new`` changes
    anything else, or if a new record's signature or bytes do not check out. Whether the
    records are *allowed* (signer, place, window, targets) is not judged here: callers ask
    ``known_clean`` for that."""
    from . import verify as v

    added = _added_records(agenda, old, new, view)
    if added is None or len(added) > MAX_NEW:
        return None
    v._KNOWN_KEYS = frozenset(view.ledger.state.owner)
    verdicts = v._check_files(agenda, [(path, path, blob, sig) for path, blob, sig in added], None)
    out = []
    for path, _blob, _sig in added:
        signer, sig_problem, _digest, payload, parse_problem = verdicts[path]
        if sig_problem or not signer or parse_problem or payload is None:
            return None
        out.append((path, v.record_of(payload)))
    return out


def _added_records(agenda: Any, old: str, new: str, view: Any) -> list[tuple] | None:
    """[(path, blob, sig blob)] of the member records ``new`` adds to ``old``'s tree; None if
    it changes anything else."""
    base = agenda.rel + "/" if agenda.rel != "." else ""
    spec = [literal(agenda.rel)] if agenda.rel != "." else []
    code, raw = _diff(agenda, old, new, spec)
    if code != 0:
        return None
    events = {base + e[0] for e in view.ledger.events}
    blobs: dict[str, str] = {}
    tokens = raw.split(b"\0")
    i = 0
    while i < len(tokens) - 1:
        meta, path = tokens[i], tokens[i + 1].decode("utf-8", "surrogateescape")
        i += 2
        fields = meta[1:].split(b" ")
        if len(fields) != 5 or fields[4] != b"A" or fields[1] != b"100644":
            return None  # a change, a deletion, a symlink, an executable: the full pass
        parts = path[len(base):].split("/")
        if not path.startswith(base) or len(parts) != 5 or parts[0] != "rounds" \
                or parts[2] != "comments" or not parts[4].endswith((".yaml", ".yaml.sig")):
            return None
        if path in events or (path.endswith(".sig") and path[:-4] in events):
            return None
        blobs[path] = fields[3].decode()
        if len(blobs) > 2 * MAX_NEW:
            return None
    out = []
    for path, blob in blobs.items():
        if path.endswith(".sig"):
            if path[:-4] not in blobs:
                return None  # a signature added for a record that was there: not ours
            continue
        sig = blobs.get(path + ".sig")
        if sig is None:
            return None  # unsigned: a problem, which the full pass lists
        out.append((path, blob, sig))
    return out


_COMMIT = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")
_DIFFS: dict[tuple, tuple[int, bytes]] = {}  # (work tree, old, new, spec) -> git's answer


def _diff(agenda: Any, old: str, new: str, spec: list[str]) -> tuple[int, bytes]:
    """``git diff-tree`` of two commits, asked once a process: two commit ids name the same
    trees for ever, and the verify and the summary step after it both want it."""
    import subprocess

    key = (str(agenda.git.root), old, new, tuple(spec))
    if key in _DIFFS:
        return _DIFFS[key]
    proc = subprocess.run(["git", "diff-tree", "-r", "-z", "--raw", "--no-renames", "--no-abbrev",
                           "--ignore-submodules=none",  # (as history.changes: every gitlink)
                           old, new, "--", *spec], cwd=agenda.git.root, capture_output=True,
                          env=agenda.git.tree_diff_env(), check=False)
    if _COMMIT.fullmatch(old) and _COMMIT.fullmatch(new):
        _DIFFS[key] = (proc.returncode, proc.stdout)
    return proc.returncode, proc.stdout


def _check_new(agenda: Any, commit: str, view: Any, added: list[tuple],
               ids: Any) -> dict[str, dict[str, str]] | None:
    """Judge each new record exactly as ``trust.rules`` does, ``ids`` the remembered ids of
    each round (``_State``); when all pass, the ids they add per round, None at the first
    problem."""
    from . import verify as v
    from .trust import rules

    state = view.ledger.state
    v._KNOWN_KEYS = frozenset(state.owner)
    todo = [(path, path, blob, sig) for path, blob, sig in added]
    verdicts = v._check_files(agenda, todo, None)
    base = agenda.rel + "/" if agenda.rel != "." else ""
    scratch = v.Verified(commit=commit, trust=view)
    scratch.config = view.config
    if scratch.config is None:
        return None
    rules.trusted_rounds(agenda, scratch, state, base)
    if scratch.problems:
        return None
    stances = set(scratch.config.stances)
    new: dict[str, dict[str, Any]] = {}
    for path, _blob, _sig in added:
        signer, sig_problem, digest, payload, parse_problem = verdicts[path]
        if sig_problem or not signer or parse_problem:
            return None
        rec = v.record_of(payload)
        if rec.type in _GOVERNED or rec.shared_with is not None or rec.local_contexts:
            return None  # the governance rules (governance.checks) are the full pass's
        parts = path[len(base):].split("/")
        refused = rules.in_its_place(rec, parts) or rules.member_signed(state, rec, signer, digest)
        if refused or (rec.type == "comment" and rec.stance not in stances):
            return None
        known = ids.get(parts[1], {})
        if rec.id in known or rec.id in new.get(parts[1], {}):
            return None  # a duplicate id: which one wins is the full pass's to say
        if rules.in_its_round(scratch, rec, parts, digest):
            return None
        new.setdefault(parts[1], {})[rec.id] = rec
    for round_id, recs in new.items():
        known = ids.get(round_id, {})
        for rec in recs.values():
            if rec.type == "comment" and not rec.supersedes:
                continue
            if not _target_ok(rec, known, recs):
                return None
    return {round_id: {rid: (rec.member if rec.type == "comment" else "")
                       for rid, rec in recs.items()} for round_id, recs in new.items()}


# records whose rules (who may withdraw consent, apply Labels, approve a section; chosen
# holders) live in governance.checks, which only the full pass runs
_GOVERNED = frozenset({"consent-withdrawal", "label", "approval"})


def _target_ok(rec: Any, known: Any, new: dict[str, Any]) -> bool:
    """``rules.check_targets`` for one record, the round's comments being the remembered ones
    (id -> member; "" for other record types) and the new ones."""
    def comment_member(cid: str | None) -> str | None:
        if not cid:
            return None
        if cid in new:
            return new[cid].member if new[cid].type == "comment" else None
        member = known.get(cid)
        return member or None

    if rec.type == "comment":  # supersedes an earlier comment of the same member
        return comment_member(rec.supersedes) == rec.member
    target = comment_member(rec.target)
    if target is None:
        return False
    if rec.type in ("withdrawal", "acknowledgement"):
        return target == rec.member
    if rec.type == "endorsement":
        return target != rec.member
    return True


__all__ = ["outcome", "remember", "governed_digest", "known_clean", "added_records", "MAX_NEW",
           "USED"]
