"""The ledger: the trusted state of the agenda at every commit, walked over the whole DAG.

What decides an outcome — the registry (``members/``), the settings
(``coalition.yaml``), the principles and their translations, and each round's
``round.yaml`` and ``closing.yaml`` — is *governed*: only a facilitator may change it, and it only
moves forward. The walk visits every commit reachable from the head, parents before
children, and keeps for each commit the **trusted version** of every governed file.
A commit's new version of a file (or its ``.sig``) becomes trusted only if, against
**every** parent it differs from:

1. it is signed (``unsigned``), and the signature verifies (``bad-signature``);
2. the signer had the authority at that parent — an unrevoked key of an active
   facilitator there, or a founder's key (``not-permitted``, ``revoked-key``); the
   first registry can only be signed by a founder;
3. only then is it parsed (``malformed``), and its fields agree with its path
   (``wrong-place``);
4. it does not go back (``rollback``, ``trust.forward``): it is not older than that
   parent's trusted version; a revoked key stays revoked, a removed member removed, a
   seal never shrinks; a closed round reopens only beside a signed reopening; a closing
   manifest never changes, and is set aside only by a reopening;
5. a change of ``trust.founders`` is signed by a founder.

A version that fails leaves the parent's trusted version in place (for a merge, the
newest of its parents'), so an unauthorised change can never become the ground for
the next one. What the head's tree holds is then compared with the head's trusted
state: every difference is a problem, named by the commit that made it.

Deletions and in-place changes of other signed records under ``rounds/`` (comments,
responses, access grants, redactions, reopenings), against any parent, are kept as
*events*; verify judges them at the head (``removed``, ``rollback``).

The walk is incremental: the head's state is remembered, authenticated
(``cache.save_value``), and a new head that descends from it only costs the new
commits (a merge of an older branch walks again from the start). What the trusted
registry and settings versions parsed into (plain fields, keyed by their blob ids and
kind) is remembered with it (``trust.resume``), so that resuming rebuilds the head's
members from their checked values and its config through ``config_from_fields``, without
reading or parsing 200 files again.
A shallow or grafted clone cannot be walked: ``incomplete``.
"""

from __future__ import annotations

import hashlib
import marshal
from pathlib import PurePosixPath

from .. import records
from ..errors import GitError, InputError
from ..model import Config, closing_from_fields, config_from_fields, principle_from_fields, round_from_fields
from ..plainclass import dataclass, field
from ..store import askable
from . import forward, resume
from .history import changes as _changes
from .history import commits as _commits
from .history import incomplete_history
from .nearby import nearby
from .roots import Roots
from .state import CONFIG, State, Version, is_record, kind_of

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


@dataclass
class Ledger:
    head: str
    roots: Roots
    state: State = field(default_factory=State)
    # (rel path, blob or "") -> (problem kind, detail): why that version is not trusted
    rejected: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)
    # deletions / in-place changes of records: (rel path, old blob, new blob or "", commit,
    # parent)
    events: list[tuple[str, str, str, str, str]] = field(default_factory=list)
    incomplete: str = ""  # why history cannot be walked (shallow, grafted)
    walked: int = 0  # commits walked in this run
    # "<kind>\0<blob>" -> marshal of the fields that version of a member file or of the
    # settings parsed into (what ``_Walk.parsed`` rebuilds them from when resuming)
    fields: dict[str, bytes] = field(default_factory=dict)

    @property
    def founders(self) -> frozenset[str]:
        return self.state.founders or frozenset()

    def problems_at(self, tree: dict[str, str], base: str) -> list[dict[str, str]]:
        """Every governed file of ``tree`` (rel path -> blob) that is not the trusted version,
        and every trusted file the tree lost."""
        out = []
        for rel in sorted(set(self.state.files) | {p for p in tree if kind_of(p)}):
            trusted = self.state.files.get(rel)
            blob = tree.get(rel)
            if trusted is not None and blob == trusted.blob:
                continue
            kind, detail = self.rejected.get((rel, blob or ""), ("", ""))
            if not kind:
                if blob is None:
                    kind, detail = "removed", "deleted; a signed file of this kind is never deleted"
                else:
                    kind, detail = "not-permitted", ("this version was never signed by a "
                                                     "facilitator trusted at its commit")
            out.append({"path": base + rel, "problem": kind, "detail": detail})
        return out


# --- judging one version --------------------------------------------------------------------

class _Walk:
    def __init__(self, agenda: Any, ledger: Ledger) -> None:
        self.agenda = agenda
        self.git = agenda.git
        self.ledger = ledger
        self.base = agenda.rel + "/" if agenda.rel != "." else ""
        self._bytes: dict[str, bytes | None] = {}
        self._fp: dict[str, str] = {}
        self.tofu_root = ""  # the commit whose coalition.yaml names the founders (first use)
        self._parsed: dict[tuple[str, bytes], Any] = {}
        self._rebuilt: dict[tuple[str, str], Any] = {}  # (rel, blob) -> from remembered fields

    def read(self, names: list[str]) -> None:
        todo = [n for n in dict.fromkeys(names) if n not in self._bytes]
        for name, data in zip(todo, self.git.read_objects(todo)):
            self._bytes[name] = data

    def prefetch(self, commits: list[tuple[str, list[str]]],
                 changes: list[list[tuple[str, str, str, str]]]) -> None:
        """The governed files each commit adds or changes from its first parent, read by
        blob id in one batch, under the names ``step`` reads them by (``commit:path``, a
        walk down the commit's trees for each: at 24 commits, 75 ms of git's time against
        25 ms by id). The diff against the first parent names the blob the commit's tree
        has at each path it adds or changes."""
        wanted: dict[str, list[str]] = {}
        at = 0
        for commit, parents in commits:
            for status, rel, _old, new in changes[at]:
                if rel.count("/") > 2 or not kind_of(rel[:-4] if rel.endswith(".sig") else rel):
                    continue  # (a record: nothing governed is that deep)
                name = f"{commit}:{self.base}{rel}"
                if status in ("A", "M") and askable(name):  # (a deletion is read by path:
                    # a file turned into a folder is "deleted" for diff-tree -r, not for
                    # commit:path; a name git cannot be asked is answered as missing there)
                    wanted.setdefault(new, []).append(name)
            at += len(parents) or 1
        blobs = list(wanted)
        for blob, data in zip(blobs, self.git.read_objects(blobs)):
            for name in wanted[blob]:
                self._bytes[name] = data

    def data(self, name: str) -> bytes | None:
        if name not in self._bytes:
            self.read([name])
        return self._bytes[name]

    def blob_at(self, commit: str, rel: str) -> tuple[str | None, str | None]:
        """(blob id, sig blob id) of ``rel`` at ``commit``."""
        out = self.git.run("ls-tree", "--full-tree", "-z", commit, "--", self.base + rel,
                           self.base + rel + ".sig").split(b"\0")
        found: dict[str, str] = {}
        for item in out:
            if item:
                meta, _tab, path = item.partition(b"\t")
                found[path.decode("utf-8", "surrogateescape")] = meta.split()[2].decode()
        return found.get(self.base + rel), found.get(self.base + rel + ".sig")

    def fingerprint(self, key: str) -> str:
        if key not in self._fp:
            from ..signing import PublicKey

            try:
                self._fp[key] = PublicKey.from_openssh(key).fingerprint
            except InputError:
                self._fp[key] = ""
        return self._fp[key]

    def signer(self, blob: str, sig: str | None) -> str | None:
        from ..signing import verify_detached_fast

        data, armored = self.data(blob), self.data(sig) if sig else None
        if data is None or armored is None:
            return None
        key = verify_detached_fast(data, armored)
        return key.openssh if key else None

    def who(self, state: State, key: str) -> str:
        owner = state.owner.get(key)
        name = f" of '{owner[0].id}'" if owner else ""
        return f"{self.fingerprint(key) or 'an unreadable key'}{name}"

    # one version against one parent's state -------------------------------------------

    def judge(self, rel: str, blob: str, sig: str | None, state: State, before: Version | None,
              commit: str, parent: str, founders_now: frozenset[str],
              held: Version | None = None) -> tuple[str, str] | Version:
        """``blob`` as the next version after ``before`` at a parent with ``state``. ``held``:
        the trusted version of another parent of a merge that the merge keeps — its signer's
        authority was proven where it was made, so here it must only not have been taken
        away (a revocation, a removal or a seal on this side) and the file not go back."""
        at = f"in commit {commit[:8]}"
        if held is not None:
            signer = held.signer
        else:
            if sig is None:
                return "unsigned", f"changed {at} without a .sig beside it"
            signer = self.signer(blob, sig)
            if signer is None:
                return "bad-signature", f"the signature made {at} does not verify"
        kind = kind_of(rel)
        founder = self.fingerprint(signer) in founders_now and not state.lost(signer)
        if held is not None:
            taken = self._taken_away(state, signer, blob)
            if taken:
                return "revoked-key", (f"merged {at} from a branch where the key "
                                       f"{self.who(state, signer)} still had the authority it "
                                       f"had lost at {parent[:8]} ({taken})")
        elif not (founder or signer in state.facilitator_keys):
            where = f"its parent commit {parent[:8]}" if parent else "the start of the history"
            if state.lost(signer):
                return "revoked-key", (f"signed {at} with the key {self.who(state, signer)}, "
                                       f"which had lost its authority at {where}")
            if not state.members or not state.facilitator_keys:
                pinned = " pinned" if self.ledger.roots.pinned else ""
                return "not-permitted", (
                    f"signed {at} with the key {self.who(state, signer)}, not by a{pinned} "
                    f"founder's key ({', '.join(sorted(founders_now)) or 'none'}), which the "
                    f"first registry needs, at {where}")
            return "not-permitted", (f"signed {at} with the key {self.who(state, signer)}, "
                                     f"not by a facilitator trusted at {where}")
        data = self.data(blob) or b""
        path = self.base + rel
        try:
            fields, order = self._parse(kind, rel, path, data)
        except InputError as exc:
            return "malformed", exc.message
        if kind == "principle":  # one file per id: an old signed version at a new path is
            for other_rel, other in state.files.items():  # not a second text of it
                if other_rel == rel or kind_of(other_rel) != "principle":
                    continue
                try:
                    taken = self.parsed(other_rel, other).id == fields.id
                except InputError:
                    continue
                if taken:
                    return "duplicate-id", (f"principle id {fields.id} is also used by "
                                            f"{self.base}{other_rel} ({at})")
        if kind == "translation":  # one text per principle and language
            for other_rel, other in state.files.items():
                if other_rel == rel or kind_of(other_rel) != "translation":
                    continue
                try:
                    theirs = self.parsed(other_rel, other)
                except InputError:
                    continue
                if (theirs.id, theirs.lang) == (fields.id, fields.lang):
                    return "duplicate-id", (f"the {fields.lang} text of {fields.id} is also "
                                            f"{self.base}{other_rel} ({at})")
        if before is not None:
            backwards = forward.backwards(self, kind, rel, fields, before, commit)
            if backwards:
                return "rollback", f"commit {commit[:8]} {backwards}"
        if kind == "config" and before is not None:
            old = self._config(before)
            if old is not None and set(old.founders) != set(fields.founders) and not founder:
                return "not-permitted", (f"trust.founders changed {at}, signed by "
                                         f"{self.who(state, signer)}, not by a founder")
        return Version(blob, sig, signer, order)

    def _taken_away(self, state: State, signer: str, blob: str) -> str:
        """Why ``signer`` may no longer vouch for ``blob`` at ``state`` ("" if it may)."""
        from .seals import digest

        owner = state.owner.get(signer)
        if owner is None:
            return ""
        member, entry = owner
        lost = entry.revoked or not member.active or (
            entry.sealed is not None and signer not in state.facilitator_keys)
        if not lost:
            return ""
        if entry.sealed and digest(self.data(blob) or b"") in entry.sealed:
            return ""
        return f"revoked on {entry.revoked}" if entry.revoked else (
            "member removed" if not member.active else "facilitator role ended")

    def _parse(self, kind: str | None, rel: str, path: str, data: bytes) -> tuple[Any, str]:
        """(the parsed file, its order), remembered by path and bytes (the walk asks again)."""
        key = (rel, data)
        if key not in self._parsed:
            try:
                self._parsed[key] = self._parse_new(kind, rel, path, data)
            except InputError as exc:
                self._parsed[key] = exc
        found = self._parsed[key]
        if isinstance(found, InputError):
            raise found
        return found

    def _parse_new(self, kind: str | None, rel: str, path: str, data: bytes) -> tuple[Any, str]:
        name = PurePosixPath(rel).name
        if kind in resume.REMEMBERED:
            blob = hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()
            key = f"{kind}\0{blob}"
            if kind == "member":  # remembered as the checked values: rebuilt without checks
                found = resume.from_fields(kind, rel, path, records.parse_record(
                    data, path, limit=records.MAX_MANIFEST_BYTES))
                values = resume.member_values(found[0])
                if resume.plain(values):
                    self.ledger.fields[key] = marshal.dumps(values)
                return found
            fields = records.load_yaml_bytes(data, path)
            if resume.plain(fields):  # before config_from_fields sees (and might change) them
                self.ledger.fields[key] = marshal.dumps(fields)
            return resume.from_fields(kind, rel, path, fields)
        if kind == "principle":
            head, body = records.split_front_matter(data, path)
            principle = principle_from_fields(head, body, path)
            if not (name == f"{principle.id}.md" or name.startswith(f"{principle.id}-")):
                raise InputError(f"{path}: file name does not match its id {principle.id}")
            return principle, principle.updated_at or ""
        if kind == "translation":
            from ..translations import parse as parse_translation

            translation = parse_translation(path, data)
            return translation, translation.updated_at or ""
        folder = rel.split("/")[1]
        if kind == "round":
            rnd = round_from_fields(records.parse_record(data, path), path)
            if rnd.id != folder:
                raise InputError(f"{path}: round '{rnd.id}' stored in {folder}/")
            return rnd, max(rnd.updated_at or "", rnd.closed_at or "", rnd.opened_at)
        closing = closing_from_fields(
            records.parse_record(data, path, limit=records.MAX_MANIFEST_BYTES), path)
        if closing.round != folder:
            raise InputError(f"{path}: closing of '{closing.round}' stored in {folder}/")
        return closing, closing.closed_at

    def parsed(self, rel: str, version: Version) -> Any:
        kind = kind_of(rel)
        raw = self.ledger.fields.get(f"{kind}\0{version.blob}") if kind in resume.REMEMBERED else None
        if raw is not None and version.blob not in self._bytes:  # remembered: not read again
            key = (rel, version.blob)
            if key not in self._rebuilt:
                try:
                    value = marshal.loads(raw)
                    self._rebuilt[key] = resume.from_fields(
                        kind, rel, self.base + rel,
                        resume.member_of(value) if kind == "member" else value)
                except InputError as exc:
                    self._rebuilt[key] = exc
            found = self._rebuilt[key]
            if isinstance(found, InputError):
                raise found
            return found[0]
        data = self.data(version.blob) or b""
        return self._parse(kind, rel, self.base + rel, data)[0]

    def _config(self, version: Version) -> Config | None:
        try:
            return self.parsed(CONFIG, version)
        except InputError:
            return None

    judged_at: State = State().derive()  # the parent state a version is judged against

    # one commit -----------------------------------------------------------------------

    def step(self, commit: str, parents: list[str], states: list[State],
             changes: list[list[tuple[str, str, str, str]]]) -> State:
        """The trusted state at ``commit`` from its parents' states and its changes."""
        candidates: set[str] = set()
        for per_parent, parent in zip(changes, parents or [""]):
            for status, rel, old, new in per_parent:
                if status == "A" and rel.count("/") > 2:
                    continue  # a record added (nothing governed is that deep): no event
                name = rel[:-4] if rel.endswith(".sig") else rel
                if kind_of(name):
                    candidates.add(name)
                elif status in ("D", "M") and (is_record(rel) or (
                        rel.endswith(".yaml.sig") and is_record(rel[:-4]))):
                    # a record's signature replaced first and the record deleted after must
                    # still be known as signed: its old signatures are kept as events too
                    self.ledger.events.append((rel, old, "" if status == "D" else new,
                                               commit, parent))
        if len({id(s) for s in states}) > 1:  # a merge of different trusted states
            for s in states:
                candidates.update(p for p in s.files
                                  if any(o.files.get(p) != s.files.get(p) for o in states))
        if not candidates:
            return states[0]
        names = []
        for rel in candidates:
            names += [f"{commit}:{self.base}{rel}", f"{commit}:{self.base}{rel}.sig"]
        self.read(names)
        founders_now = self._founders(commit, states)
        new_files = dict(states[0].files)
        changed = False
        ordered = sorted(candidates, key=lambda r: (kind_of(r) != "member", r))
        for rel in ordered:
            blob, sig = self._tree_version(commit, rel)
            befores = [s.files.get(rel) for s in states]
            if blob is not None and all(b is not None and b.blob == blob for b in befores):
                version: Version | None = befores[0]
            else:
                version = self._decide(rel, blob, sig, commit, parents, states, befores,
                                       founders_now)
            if version is None:
                changed |= rel in new_files
                new_files.pop(rel, None)
            elif new_files.get(rel) != version:
                new_files[rel] = version
                changed = True
        if not changed and founders_now == states[0].founders:
            return states[0]
        return self._state(new_files, founders_now, like=states[0], changed=ordered)

    def _tree_version(self, commit: str, rel: str) -> tuple[str | None, str | None]:
        data = self._bytes.get(f"{commit}:{self.base}{rel}")
        if data is None:
            return None, None
        import hashlib

        def oid(raw: bytes) -> str:
            return hashlib.sha1(b"blob %d\0" % len(raw) + raw).hexdigest()

        blob = oid(data)
        self._bytes.setdefault(blob, data)
        sig_data = self._bytes.get(f"{commit}:{self.base}{rel}.sig")
        sig = None
        if sig_data is not None:
            sig = oid(sig_data)
            self._bytes.setdefault(sig, sig_data)
        return blob, sig

    def _decide(self, rel: str, blob: str | None, sig: str | None, commit: str,
                parents: list[str], states: list[State], befores: list[Version | None],
                founders_now: frozenset[str]) -> Version | None:
        kept = max((b for b in befores if b is not None), key=lambda v: v.order, default=None)
        if blob is None:
            if kept is None:
                return None
            if kind_of(rel) == "closing":
                round_id = rel.split("/")[1]
                if all(b is None or forward.reopened(self, commit, round_id, b.blob, s)
                       for b, s in zip(befores, states)):
                    return None  # set aside by a signed reopening
            self.ledger.rejected[(rel, "")] = (
                "removed", f"deleted in commit {commit[:8]}; a signed "
                           f"{kind_of(rel)} file is never deleted")
            return kept
        verdict = self._against_all(rel, blob, sig, commit, parents, states, befores,
                                    founders_now)
        if isinstance(verdict, Version):
            self.ledger.rejected.pop((rel, blob), None)
            return verdict
        self.ledger.rejected[(rel, blob)] = verdict
        if len(states) == 1:
            return kept
        # a merge whose own version fails: of its parents' trusted versions, the newest that
        # every other parent would have accepted as the next one (else the first parent's)
        for candidate in sorted({b for b in befores if b is not None}, key=lambda v: v.order,
                                reverse=True):
            if isinstance(self._against_all(rel, candidate.blob, candidate.sig, commit, parents,
                                            states, befores, founders_now), Version):
                return candidate
        return befores[0]

    def _against_all(self, rel: str, blob: str, sig: str | None, commit: str,
                     parents: list[str], states: list[State], befores: list[Version | None],
                     founders_now: frozenset[str]) -> Version | tuple[str, str]:
        """``blob`` judged against every parent whose trusted version differs from it (a
        version one parent already trusts is judged by ``judge(held=…)`` at the others)."""
        result: Version | None = None
        held = next((b for b in befores if b is not None and b.blob == blob), None)
        for state, before, parent in zip(states, befores, parents or [""]):
            if before is not None and before.blob == blob:
                continue
            self.judged_at = state
            verdict = self.judge(rel, blob, sig, state, before, commit, parent, founders_now,
                                 held=held)
            if isinstance(verdict, tuple):
                return verdict
            result = verdict
        if result is None:  # equal to a trusted version of every parent it differs from
            result = next(b for b in befores if b is not None and b.blob == blob)
        return result

    def _founders(self, commit: str, states: list[State]) -> frozenset[str]:
        roots = self.ledger.roots
        if roots.pinned:
            return roots.founders
        known = [s.founders for s in states if s.founders is not None]
        if known:  # those of the trusted configuration (a change of them is a founder's)
            return known[0]
        if commit != self.tofu_root:
            return frozenset()  # another root than the first-parent one: it founds nothing
        data = self._bytes.get(f"{commit}:{self.base}{CONFIG}")
        if data is None:
            return frozenset()
        try:  # trust on first use: the first coalition.yaml names the founders
            config = config_from_fields(records.load_yaml_bytes(data, CONFIG), CONFIG)
        except InputError:
            return frozenset()
        return frozenset(config.founders)

    def _state(self, files: dict[str, Version], founders: frozenset[str],
               like: State | None = None, changed: list[str] | None = None) -> State:
        """The state of ``files``. ``like``: a state whose files differ from these only at
        ``changed`` (in the order they were set) — its registry and settings are kept, and
        only the changed files read again: every file at each commit that changed one
        came to 4,600 lookups in an agenda of 200 members."""
        state = State(files=files, founders=founders if founders else None)
        rels: Any = files
        if like is not None and changed is not None:
            state.members, state.config, rels = dict(like.members), like.config, changed
        for rel in rels:
            kind = kind_of(rel)
            version = files.get(rel)
            if kind == "member":
                name = _stem(rel[len("members/"):])
                if version is None:
                    state.members.pop(name, None)
                else:
                    state.members[name] = self.parsed(rel, version)
            elif kind == "config":
                state.config = None if version is None else self.parsed(rel, version)
        if not self.ledger.roots.pinned and state.config is not None and state.config.founders:
            state.founders = frozenset(state.config.founders)
        return state.derive()


def _stem(name: str) -> str:
    """``PurePosixPath(name).stem`` of a ``*.yaml`` name, without building a path."""
    return name[:-5] if name != ".yaml" else name


def _listed(agenda: Any, w: _Walk, head: str, since: str | None, states: dict[str, State]
            ) -> tuple[list[tuple[str, list[str]]], list[list[tuple[str, str, str, str]]]]:
    """The commits of ``head ^since`` and their changes, as git lists them — from the first
    commit (``states`` and what the ledger resumed emptied) when ``since`` turns out not to
    be where the history since can start."""
    ledger, roots = w.ledger, w.ledger.roots
    try:
        commits = _commits(agenda.git, head, since)
    except GitError:  # the remembered head is gone from the repository (a rewrite, a gc)
        commits = []
    known = {c for c, _ in commits} | set(states)
    # the remembered head is an ancestor of the new one exactly when some commit of
    # ``head ^old`` has it as a parent (every listed commit is reachable from head): one
    # rev-list answers both questions
    descends = any(since in ps for _c, ps in commits) if since else True
    if since and (not descends or any(p not in known for _c, ps in commits for p in ps)):
        # a merge of a branch from before the remembered head: walk from the start
        states.clear()
        since = None
        ledger.rejected, ledger.events = {}, []
        commits = _commits(agenda.git, head, None)
    if not roots.pinned and since is None:
        # trust on first use names the founders once: from the root that first parents lead
        # back to, so a second root merged in later (--allow-unrelated-histories) names none
        parents_of = dict(commits)
        root = head
        while parents_of.get(root):
            root = parents_of[root][0]
        w.tofu_root = root
    pairs = [(c, p) for c, ps in commits for p in (ps or [""])]
    return commits, _changes(agenda.git, pairs, agenda.rel)


def walk(agenda: Any, head: str, roots: Roots, *, use_cache: bool = True) -> Ledger:
    """The ledger of ``head``: its trusted state, and why the versions it rejected are not."""
    ledger = Ledger(head=head, roots=roots)
    ledger.incomplete = incomplete_history(agenda.git)
    if ledger.incomplete:
        return ledger
    w = _Walk(agenda, ledger)
    states: dict[str, State] = {}
    since = None
    if use_cache:
        loaded = resume.load(agenda, roots, w)
        if loaded is not None:
            old_head, state, old = loaded
            if old_head == head:
                old.head, old.fields = head, ledger.fields
                return old
            since, states[old_head] = old_head, state
            ledger.rejected, ledger.events = old.rejected, old.events
    near = nearby(agenda.git, head, since, agenda.rel) if since else None
    commits, listed = near if near is not None else _listed(agenda, w, head, since, states)
    w.prefetch(commits, listed)
    changes = iter(listed)
    empty = State(founders=roots.founders if roots.pinned else None).derive()
    for commit, parents in commits:
        per_parent = [next(changes) for _ in (parents or [""])]
        parent_states = [states[p] for p in parents] if parents else [empty]
        states[commit] = w.step(commit, parents, parent_states, per_parent)
    ledger.walked = len(commits)
    ledger.state = states.get(head, empty)
    if use_cache and ledger.walked:
        resume.save(agenda, ledger)
    return ledger


__all__ = ["Ledger", "State", "Version", "walk", "kind_of", "is_record", "incomplete_history"]
