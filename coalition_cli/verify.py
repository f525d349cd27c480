"""Verification: every signature, who may sign what, paths, manifests and windows.

``verify(agenda)`` reads the agenda as committed, checks each signed file and
returns a ``Verified``: the problems found (``path``, ``problem``, ``detail``)
and the records that passed, which the reports then use — a report never
counts a record that verification rejected.

Order of work: list the tree once (``git ls-tree -r``) while the cache loads; when many
record files are new to the cache, two worker processes (``checkers``) start reading their
bytes (each through a ``git cat-file --batch`` of its own) and checking signatures, while
this process walks the ledger (``trust.ledger``: the trusted registry, settings, principles
and rounds, judged over the whole history). Only then are the registry's keys known: they
go to the workers, which parse a record only if its signature verifies with one of them.
Last, every record at the head is judged by the rules of ``trust.rules``.
"""

from __future__ import annotations

import gc
import hashlib
import re
from collections.abc import Callable

from . import records
from .agenda import CONFIG, Agenda, Snapshot
from .cache import VerdictCache
from .errors import GitError, InputError, MalformedData
from .model import RECORD_FIELDS, Closing, Config, Member, Record, Response, Round, record_values
from .plainclass import MISSING, dataclass, field, field_names
from .signed_files import UNPARSED as _UNPARSED
from .signed_files import Lookup, Scan, look_up, scan_listing
from .trust.problems import PROBLEMS

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any
CHUNK = 4000
PARALLEL_AT = 3000  # below this many unseen files, one process is faster
# below this many records (a listing of this many bytes), what a verify frees is a few MB:
# not worth ``ctypes``' import (5 ms) in each process to give it back (``_release_free_memory``)
TRIM_AT = 30_000
TRIM_LISTING = 6 << 20


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
    trust: Any = None  # trust.Trusted: the ledger (roots, trusted state) this was judged by
    access: dict[str, dict[str, Any]] = field(default_factory=dict)  # round -> comment -> Access
    redactions: dict[str, Any] = field(default_factory=dict)  # removed record path -> Redaction
    accepted: dict[str, tuple[str, str]] = field(default_factory=dict)  # path -> (key, sha256)
    # round -> comment id -> consent-withdrawal record (governance.withdrawals)
    consent_withdrawn: dict[str, dict[str, Any]] = field(default_factory=dict)
    # round -> scope (agenda, round, principle id) -> Local Contexts NoticeRecord
    notices: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems

    def release_paths(self) -> None:
        """Forget which key signed each file and its digest (``accepted``): a report made
        from the records does not need them (at 1,000,000 records, 250 MB)."""
        self.accepted = {}

    def problem(self, path: str, kind: str, detail: str) -> None:
        self.problems.append({"path": shown(path), "problem": kind, "detail": shown(detail)})

    def require_config(self) -> Config:
        """The agenda's settings, or the one-line reason they cannot be read (exit 3)."""
        if self.config is None:
            why = next((p["detail"] for p in self.problems if p["problem"] == "malformed"),
                       "coalition.yaml cannot be read")
            raise InputError(why, hint="fix coalition.yaml, then run: coalition verify")
        return self.config

    @property
    def trust_source(self) -> str:
        return self.trust.roots.source if self.trust is not None else "first-use"

    @property
    def founders(self) -> frozenset[str]:
        return self.trust.ledger.founders if self.trust is not None else frozenset()

    def as_json(self) -> dict[str, Any]:
        return {"ok": self.ok, "checked": self.checked, "problems": self.problems,
                "trust": "first-use" if self.trust_source == "first-use" else "pinned",
                "founders": sorted(self.founders)}


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
    return _judged(path, data, _signature(data, sig), _KNOWN_KEYS)


def _signature(data: bytes, sig: bytes | None) -> tuple[str, str, str]:
    """(signer key or "", signature problem, sha256): all that can be known of a file before
    the trusted registry's keys are."""
    digest = _sha256(data).hexdigest()
    signer, sig_problem = "", ""
    if sig is not None:
        key = (_CHECK or _check_loaded())[0](data, sig)
        if key is None:
            sig_problem = _why_bad(data, sig)
        else:
            signer = _SIGNERS.get(key.blob) or _openssh(key)
    return signer, sig_problem, digest


_SIGNERS: dict[bytes, str] = {}  # key blob -> "ssh-ed25519 AAAA...": a few keys, every record
_sha256 = hashlib.sha256
# ``signing.verify_detached_fast``, imported on first use (a warm verify checks no signature):
# an import statement in ``_signature`` itself cost 2 µs a record
_CHECK: list[Callable[[bytes, bytes], Any]] = []


def _check_loaded() -> list[Callable[[bytes, bytes], Any]]:
    from .signing import verify_detached_fast

    _CHECK[:] = [verify_detached_fast]
    return _CHECK


def _load_checks() -> None:
    """Import what checking a record takes — the signature check with libsodium (cffi's
    load of it), the restricted YAML reader (its regular expressions) — while git lists
    the tree: the workers forked next have them, where each imported them for itself
    (6-11 ms a worker before its first record)."""
    from . import fastyaml  # noqa: F401 - imported for the workers
    from .signing import load_bulk_check

    _CHECK or _check_loaded()
    load_bulk_check()


def _openssh(key: Any) -> str:
    if len(_SIGNERS) >= 4096:
        _SIGNERS.clear()
    text = _SIGNERS[key.blob] = key.openssh
    return text


def _judged(path: str, data: bytes, signature: tuple[str, str, str], known: frozenset[str]) -> tuple:
    """``_check_one``'s verdict from ``_signature``'s answer: a member's record is parsed only
    if it is signed by one of ``known``, the keys of the trusted registry."""
    signer, sig_problem, digest = signature
    payload, parse_problem = None, ""
    if "/comments/" in path and signer and signer not in known:
        parse_problem = _UNPARSED  # signed, but by no key of the registry: never parsed
    elif "/comments/" in path and signer:
        try:
            values = record_values(records.parse_record(data, path), path, None)
            items = list(map(values.get, RECORD_FIELDS, _DEFAULTS))
            if len(_SHARED) <= _SHARED_MAX:
                share = _SHARED.setdefault
                for at in _SHARED_AT:
                    value = items[at]
                    if value is not None:
                        items[at] = share(value, value)
            payload = tuple(items)
        except InputError as exc:
            parse_problem = exc.message
            if isinstance(exc, MalformedData) and parse_problem.startswith(exc.path):
                # cached by the bytes, which ``git mv`` may move: _decide puts the path back
                parse_problem = "\0" + parse_problem[len(exc.path):]
    return _share(signer), sig_problem, digest, payload, parse_problem


# the keys of the trusted registry (set before the workers fork): a record is parsed only
# once its signature verifies with one of them
_KNOWN_KEYS: frozenset[str] = frozenset()


# Values repeated across records (signer key, type, round, member, ...) are stored once: marshal
# writes a shared object once and the loaded cache shares it again — a smaller file, less memory.
_SHARED_FIELDS = frozenset({"type", "round", "member", "principle", "author", "stance", "kind",
                            "attribution", "answer"})
_SHARED_AT = tuple(at for at, name in enumerate(RECORD_FIELDS) if name in _SHARED_FIELDS)
_SHARED: dict[Any, Any] = {}
_SHARED_MAX = 100_000


def _record(payload: tuple) -> Record:
    """``Record(*payload)`` without the frozen dataclass's 18 ``object.__setattr__`` calls:
    the same object, its instance dict filled in one update — 1.7× faster, which counts at
    100,000 records (and the dict keeps sharing its keys with the class: no more memory)."""
    rec = _new_object(Record)
    rec.__dict__.update(zip(RECORD_FIELDS, payload))
    return rec


_new_object = object.__new__
assert RECORD_FIELDS == field_names(Record)
# each field's default: a record's payload is its checked values (``record_values``) in
# field order, as ``Record(**values)`` would hold them, without making the record
_DEFAULTS = tuple(None if f.default is MISSING else f.default for f in Record.__plain_fields__)
assert all(f.default_factory is MISSING for f in Record.__plain_fields__)
assert not hasattr(Record, "__post_init__")


def _share(value: Any) -> Any:
    if value is None or len(_SHARED) > _SHARED_MAX:
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
    """Read and check files not in the cache, by the keys in ``_KNOWN_KEYS``. ``todo``:
    (key, path, sha, sig_sha)."""
    from .checkers import with_blobs

    out: dict[str, tuple] = {}
    if len(todo) < PARALLEL_AT:
        for i in range(0, len(todo), CHUNK):
            chunk = todo[i : i + CHUNK]
            out.update(_check_chunk(with_blobs(agenda.git.read_objects, chunk)))
            if progress:
                progress(len(chunk))
        return out
    return _start_checkers(agenda, todo).finish(_KNOWN_KEYS, progress)


def _start_checkers(agenda: Agenda, todo: list[tuple[str, str, str, str | None]]) -> Any:
    """Both cores checking ``todo``'s signatures (``checkers``): each worker reads the bytes
    of its own chunks through a ``cat-file --batch`` of its own, so that this process only
    hands out object ids; the chunks are small enough that neither worker waits for the
    other at the end."""
    from .checkers import Checkers

    return Checkers(agenda.git.root, _chunked(todo), _signature, _judged)


def _chunked(todo: list[tuple[str, str, str, str | None]]) -> list[list[tuple[str, str, str, str | None]]]:
    """``todo`` in chunks of ``_chunk_size``, the last ones smaller and smaller — a quarter
    of what is left for each worker's two, down to an eighth of the size — so that the
    workers end within a small chunk of each other: with whole chunks to the end, one of
    them sat idle for up to 60 ms (of 700) at 10,000 records, while the other finished."""
    from .checkers import AHEAD, WORKERS

    size = _chunk_size(len(todo))
    smallest = max(1, size // 8)
    chunks, at = [], 0
    while at < len(todo):
        left = len(todo) - at
        take = min(left, max(smallest, min(size, left // (WORKERS * AHEAD))))
        chunks.append(todo[at : at + take])
        at += take
    return chunks


def _fork_early(agenda: Agenda, cache: VerdictCache, listed: list[bytes]) -> Any:
    """The workers of a cold verify (a cache with no verdicts, a listing of at least
    ``PARALLEL_AT`` records), forked while this process holds little more than the
    listing's bytes — one object, which each worker lets go of (``listed.clear``) — or None.

    Forked once the listing is taken apart, scanned and looked up, they shared that with
    this process, which then changed and freed it: at 1,000,000 records the two workers
    kept 430 MB each of it. Their chunks reach them through shared memory (``Checkers``):
    ``3 ×`` the listing's size is room for all of them — a record's listing lines give its
    path once or twice and its blob ids once, its chunk entry the path once (up to three
    bytes a byte when the path is not UTF-8), the ids twice, and a few bytes more."""
    if cache.entries or not listed or listed[0].count(b".yaml\0") < PARALLEL_AT:
        return None
    from .checkers import Checkers

    def forget() -> None:
        large = len(listed[0]) >= TRIM_LISTING if listed else False
        listed.clear()
        if large:
            _release_free_memory()

    try:
        return Checkers.forked(agenda.git.root, _signature, _judged,
                               3 * len(listed[0]) + 4096, forget)
    except OSError:  # no shared memory that large (a strict overcommit limit): fork later
        return None


def _chunk_size(count: int) -> int:
    return max(WORKER_CHUNK_MIN, min(CHUNK, count // 16))


WORKER_CHUNK_MIN = 250


# --- the whole check -------------------------------------------------------------------------


def verify(agenda: Agenda, rev: str | None = None, *, round_id: str | None = None,
           progress: Callable[[int, int], None] | None = None, use_cache: bool = True,
           trust: list[str] | None = None) -> Verified:
    """Verify the agenda at ``rev`` (default HEAD) against the pinned roots (or ``trust``).

    The tree is listed first, and when there are many files the cache has not seen, both
    cores start checking their signatures (``checkers``) while this process walks the
    ledger; the records are parsed only once the ledger has named the registry's keys.
    """
    from .trust.view import trusted

    snap = agenda.snapshot(rev)
    result = Verified(commit=snap.commit)
    base = agenda.rel + "/" if agenda.rel != "." else ""
    paused = _pause_gc()
    checkers = None
    try:
        # git lists the tree (200,000 entries at 100,000 records) while the cache loads here
        listing = agenda.git.ls_tree_start(snap.commit, agenda.rel)
        unlisted: GitError | None = None  # raised only if the ledger finds history complete
        listed: list[bytes] = []  # the listing's bytes, held only here (see _fork_early)
        try:
            cache = VerdictCache(agenda.git.git_dir / "coalition" if use_cache else None,
                                 _code())
            if not cache.entries:  # every record is checked: by workers forked next
                _load_checks()
        finally:
            try:
                listed.append(agenda.git.ls_tree_bytes(listing))
            except GitError as exc:
                unlisted = exc
        checkers = _fork_early(agenda, cache, listed)
        entries = agenda.git.parse_ls_tree(listed.pop()) if listed else []
        scan = scan_listing(entries, base, round_id)
        lookup = look_up(scan.signed, cache)
        if checkers is not None:
            checkers.start(_chunked(lookup.todo))
        elif len(lookup.todo) >= PARALLEL_AT:
            checkers = _start_checkers(agenda, lookup.todo)
        result.trust = trusted(agenda, snap.commit, given=trust, use_cache=use_cache)
        ledger = result.trust.ledger
        if ledger.incomplete:
            result.problem(base + CONFIG, "incomplete-history", ledger.incomplete)
            return result
        if unlisted is not None:
            raise unlisted
        done = _verify(agenda, snap, result, base, entries, scan, lookup, checkers, cache,
                       round_id, progress, use_cache)
        if done.checked >= TRIM_AT:
            del cache, scan, lookup  # the verdicts (the records' fields, as tuples), then
            _release_free_memory()   # the free pages
        return done
    finally:
        if checkers is not None:
            checkers.abort()  # nothing was parsed: the keys were never sent
        if paused:
            gc.enable()


def verify_outcome(agenda: Agenda, rev: str | None = None, *, round_id: str | None = None,
                   progress: Callable[[int, int], None] | None = None,
                   trust: list[str] | None = None) -> Verified:
    """``verify`` for callers that need only its verdict (``ok``, ``checked``, ``problems``,
    ``config``, ``trust``), not the records: the verdict of a commit already verified in
    this clone, against the same roots, is remembered (``cache.ResultMemo``, authenticated),
    so asking again costs the ledger's check of the head and a file read.
    """
    from . import incremental
    from .trust.roots import roots
    from .trust.view import trusted

    snap = agenda.snapshot(rev)
    roots_key = roots(agenda.git, trust).key()
    key = _outcome_key(agenda, snap.commit, round_id, roots_key)
    remembered = (_outcomes(agenda).get(key) or [None])[0]
    if not _is_outcome(remembered) and not incremental.may_step(agenda, round_id, roots_key):
        # nothing remembered to answer from: the full pass (which walks the ledger while
        # both cores check signatures)
        return verify(agenda, snap.commit, round_id=round_id, progress=progress, trust=trust)
    view = trusted(agenda, snap.commit, given=trust)
    if view.ledger.incomplete or not _is_outcome(remembered):
        stepped = None if view.ledger.incomplete else incremental.outcome(
            agenda, snap.commit, view, round_id)
        if stepped is not None:  # only new records, all clean: see incremental
            _outcomes(agenda).put(key, [{"checked": stepped.checked, "problems": []}])
            return stepped
        return verify(agenda, snap.commit, round_id=round_id, progress=progress, trust=trust)
    result = Verified(commit=snap.commit, checked=remembered["checked"],
                      problems=remembered["problems"], trust=view)
    result.config = view.config
    if result.config is None:
        try:
            result.config = snap.config
        except InputError:
            return verify(agenda, snap.commit, round_id=round_id, progress=progress, trust=trust)
    return result


def _is_outcome(remembered: Any) -> bool:
    return isinstance(remembered, dict) and isinstance(remembered.get("checked"), int) \
        and isinstance(remembered.get("problems"), list)


def _outcomes(agenda: Agenda) -> Any:
    from .cache import ResultMemo

    return ResultMemo(agenda.git.git_dir / "coalition", "verify")


def _outcome_key(agenda: Agenda, commit: str, round_id: str | None, roots: tuple) -> tuple:
    return (agenda.rel, commit, round_id or "", *roots)


def _code() -> str:
    """The fingerprint of the code whose verdicts the cache holds: the whole package, since a
    verdict depends on more modules than parsing and signatures (sk keys, Local Contexts
    labels, the governance fields), and a fix to any of them must re-judge cached bytes."""
    global _CODE
    if _CODE is None:
        from .cache import package_fingerprint

        _CODE = package_fingerprint()
    return _CODE


_CODE: str | None = None


def _pause_gc() -> bool:
    """Pause the cyclic garbage collector: the records make no cycles, and at 100,000 records
    its repeated passes over millions of new objects cost more than all the rest."""
    enabled = gc.isenabled()
    gc.disable()
    return enabled


def _verify(agenda: Agenda, snap: Snapshot, result: Verified, base: str,
            entries: list[tuple[str, str, str]], scan: Scan, lookup: Lookup,
            checkers: Any, cache: VerdictCache, round_id: str | None,
            progress: Callable[[int, int], None] | None, use_cache: bool) -> Verified:
    global _KNOWN_KEYS
    from .trust import rules

    view = result.trust
    result.config = view.config
    if result.config is None:  # no signed settings yet (an agenda from before signing)
        try:
            result.config = snap.config
        except InputError as exc:
            result.problem(base + CONFIG, "malformed", exc.message)
            result.problems.extend(view.problems)
            return result
    result.problems.extend(view.problems)
    result.members = dict(view.members)
    for problem in scan.problems:
        result.problem(*problem)
    signed = scan.signed

    head_blobs = rules.head_blobs(view.ledger, entries, base)
    entries.clear()  # the listing (200,000 entries at 100,000 records) is not needed any more

    _KNOWN_KEYS = frozenset(view.ledger.state.owner)
    verdicts = lookup.verdicts  # path -> verdict
    more = []
    for item, hit in lookup.unparsed:  # a record left unparsed because no key of the
        if hit[0] in _KNOWN_KEYS:      # registry had signed it is parsed now if one has
            more.append(item)
        else:
            verdicts[item[1]] = hit
    todo = lookup.todo + more
    if todo:
        done = 0

        def step(n: int) -> None:
            nonlocal done
            done += n
            if progress:
                progress(done, len(todo))

        if checkers is not None:  # started on lookup.todo before the ledger was walked
            fresh = checkers.finish(_KNOWN_KEYS, step)
            if more:
                fresh.update(_check_files(agenda, more, step))
        else:
            fresh = _check_files(agenda, todo, step)
        for key, value in fresh.items():
            cache.put(key, value)
        for key, path, _sha, _sig_sha in todo:
            verdicts[path] = fresh[key]
        del fresh, todo  # their 100,000 tuples are not needed for the policy pass
        lookup.todo = more = []
        if len(verdicts) >= TRIM_AT:
            _release_free_memory()  # the workers' answers, unpickled: tens of MB now free
    result.checked = len(signed) + scan.governed
    in_use = lookup.in_use
    if use_cache and (cache.dirty or len(cache.entries) != len(verdicts)):
        # written before the records are made, not after: the verdicts are what the bytes
        # are, whatever the policy pass makes of them, and the cache's keys (135 MB at
        # 1,000,000 records) are freed before the records take their place
        cache.save(keep=None if round_id else in_use)
    cache.entries = {}
    in_use.clear()

    rules.judge(agenda, result, signed, verdicts, base, head_blobs)
    if use_cache:
        from . import incremental

        _outcomes(agenda).put(_outcome_key(agenda, snap.commit, round_id, view.roots.key()),
                              [{"checked": result.checked, "problems": result.problems}])
        incremental.remember(agenda, result, round_id)
    return result


def _release_free_memory() -> None:
    """Give the C heap's free pages back to the system (glibc's ``malloc_trim``; elsewhere
    nothing). Texts and the workers' answers are allocated there, not in Python's own
    arenas, and glibc keeps what they leave when freed: at 100,000 records, 50 MB that the
    report built next (the cold ``summary``) would have held on top of its own."""
    global _TRIM
    if _TRIM is None:
        try:
            import ctypes

            _TRIM = ctypes.CDLL(None).malloc_trim
        except (OSError, AttributeError, ImportError):
            _TRIM = False
    if _TRIM:
        _TRIM(0)


_TRIM: Any = None


def record_of(payload: tuple) -> Record:
    return _record(payload)


__all__ = ["verify", "verify_outcome", "Verified", "PROBLEMS", "shown", "record_of"]
