"""What only history can prove: who changed the registry, the founders, and rewrites.

A signature proves who signed some bytes, never *when*; git history is the only
clock the tool can trust. This module walks it.

* **Registry changes.** Every version of ``members/<id>.yaml`` that a commit
  introduces must be signed by a key that was an unrevoked key of an active
  facilitator in the registry *at the parent commit* (at every parent, for a
  merge that changes the file itself). The very first registry is signed by a
  founder: a key whose fingerprint ``coalition.yaml`` pins in
  ``trust.founders`` (or, in an agenda that pins none, by a key the member file
  itself lists). The registry at a parent counts only the versions already
  proven this way, so one unauthorised change cannot bootstrap further ones.
  A member file is never deleted by the tool, and a version never goes back in
  time (``updated_at``): both are reported too.
* **Founders.** A commit that changes ``trust.founders`` must carry
  ``coalition.yaml.sig``: a signature over that commit's ``coalition.yaml`` by a
  key pinned as founder before the change. ``founders`` collects every
  fingerprint pinned along that unbroken chain, which ``verify --trust FP``
  checks against a fingerprint the user got out of band.
* **Rewrites.** The last head a clone verified is remembered in
  ``.git/coalition/``; a later head that does not descend from it means the
  branch was rewritten (a force-push), which is reported until accepted.

Problems use verify's shape (``path``, ``problem``, ``detail``) and always name
the commit. The walk is incremental: its result is cached in
``.git/coalition/`` by head, and a new head that descends from the cached one
only costs the new commits.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import records
from .errors import InputError
from .model import Member, member_from_fields, now, stamp

FORMAT = 1
CONFIG = "coalition.yaml"
REWRITTEN = "history-rewritten"


@dataclass
class RegistryHistory:
    """The verdict of the walk over every commit that touched the registry."""

    head: str
    problems: list[dict[str, str]] = field(default_factory=list)
    authorized: set[tuple[str, str]] = field(default_factory=set)  # (path, blob) proven versions
    founders: set[str] = field(default_factory=set)  # every founder pinned along the chain
    root_founders: tuple[str, ...] | None = None  # None until the first coalition.yaml
    commits: int = 0  # registry commits walked (this run)

    def problem(self, path: str, kind: str, detail: str) -> None:
        self.problems.append({"path": path, "problem": kind, "detail": detail})

    def as_cache(self) -> dict[str, Any]:
        return {"format": FORMAT, "head": self.head, "problems": self.problems,
                "authorized": sorted(self.authorized), "founders": sorted(self.founders),
                "root_founders": None if self.root_founders is None else list(self.root_founders)}


def _tree(raw: bytes | None) -> dict[str, str]:
    """name -> object id of a raw git tree object (one level)."""
    out: dict[str, str] = {}
    if not raw:
        return out
    pos = 0
    while pos < len(raw):
        space = raw.index(b" ", pos)
        nul = raw.index(b"\0", space)
        out[raw[space + 1 : nul].decode("utf-8", "surrogateescape")] = raw[nul + 1 : nul + 21].hex()
        pos = nul + 21
    return out


def _short(commit: str) -> str:
    return commit[:8]


class _Walker:
    """One walk over registry commits, with the blobs and parses it needs cached."""

    def __init__(self, agenda: Any, result: RegistryHistory) -> None:
        self.agenda = agenda
        self.git = agenda.git
        self.result = result
        self.members_dir = agenda.p("members")
        self.config_path = agenda.p(CONFIG)
        self._blobs: dict[str, bytes | None] = {}
        self._members: dict[str, Member | None] = {}
        self._signer: dict[tuple[str, str], str | None] = {}
        self._registry: dict[str, dict[str, str]] = {}  # commit -> members tree (name -> blob)
        self._config: dict[str, tuple[bytes | None, bytes | None]] = {}
        self._keys: dict[tuple[str, ...], frozenset[str]] = {}
        self._founders: dict[bytes, tuple[str, ...] | None] = {}

    # --- reading, in batches ----------------------------------------------------------

    def preload(self, commits: list[str]) -> None:
        todo = [c for c in dict.fromkeys(commits) if c not in self._registry]
        if not todo:
            return
        names = []
        for commit in todo:
            names += [f"{commit}:{self.members_dir}", f"{commit}:{self.config_path}",
                      f"{commit}:{self.config_path}.sig"]
        blobs = iter(self.git.read_objects(names))
        for commit in todo:
            self._registry[commit] = _tree(next(blobs))
            self._config[commit] = (next(blobs), next(blobs))

    def blobs(self, shas: list[str]) -> None:
        todo = [s for s in dict.fromkeys(shas) if s not in self._blobs]
        if not todo:
            return
        for sha, data in zip(todo, self.git.read_objects(todo)):
            self._blobs[sha] = data

    def tree(self, commit: str) -> dict[str, str]:
        self.preload([commit])
        return self._registry[commit]

    def member(self, name: str, sha: str) -> Member | None:
        if sha not in self._members:
            self.blobs([sha])
            path = f"{self.members_dir}/{name}"
            try:
                self._members[sha] = member_from_fields(
                    records.parse_record(self._blobs[sha] or b"", path), path)
            except InputError:
                self._members[sha] = None
        return self._members[sha]

    def signer(self, sha: str, sig_sha: str | None) -> str | None:
        """The key ("ssh-ed25519 ...") whose valid signature ``sig_sha`` is over blob ``sha``."""
        if sig_sha is None:
            return None
        key = (sha, sig_sha)
        if key not in self._signer:
            from .signing import verify_detached_fast

            self.blobs([sha, sig_sha])
            found = verify_detached_fast(self._blobs[sha] or b"", self._blobs[sig_sha] or b"")
            self._signer[key] = found.openssh if found else None
        return self._signer[key]

    def founders_at(self, commit: str) -> tuple[str, ...] | None:
        """trust.founders pinned at ``commit``; None without a readable coalition.yaml."""
        self.preload([commit])
        data = self._config[commit][0]
        if data is None:
            return None
        if data not in self._founders:
            from .model import config_from_fields

            try:
                config = config_from_fields(records.load_yaml_bytes(data, self.config_path),
                                            self.config_path)
                self._founders[data] = tuple(config.founders)
            except InputError:
                self._founders[data] = None
        return self._founders[data]

    def facilitator_keys(self, commit: str) -> frozenset[str] | None:
        """Unrevoked keys of active facilitators among the proven member files at ``commit``.

        None when no member file at ``commit`` is proven: the registry has to start again
        from the founders.
        """
        tree = self.tree(commit)
        proven = tuple(sorted(
            (name, sha) for name, sha in tree.items()
            if name.endswith(".yaml") and (f"{self.members_dir}/{name}", sha) in self.result.authorized
        ))
        if not proven:
            return None
        if proven not in self._keys:
            keys: set[str] = set()
            for name, sha in proven:
                member = self.member(name, sha)
                if member is not None and member.has_role("facilitator"):
                    keys.update(e.key for e in member.keys if not e.revoked)
            self._keys[proven] = frozenset(keys)
        return self._keys[proven]


def _fingerprint(openssh: str) -> str:
    from .signing import PublicKey

    try:
        return PublicKey.from_openssh(openssh).fingerprint
    except InputError:
        return "an unreadable key"


def _registry_commits(agenda: Any, head: str, since: str | None) -> list[tuple[str, list[str]]]:
    """(commit, parents) of every commit touching the registry or coalition.yaml, oldest first."""
    spec = f"{since}..{head}" if since else head
    out = agenda.git.run("log", "--format=%H %P", "--full-history", "--topo-order", "--reverse",
                         spec, "--", agenda.p("members"), agenda.p(CONFIG),
                         agenda.p(CONFIG) + ".sig").decode()
    commits = []
    for line in out.splitlines():
        parts = line.split()
        if parts:
            commits.append((parts[0], parts[1:]))
    return commits


def _load_cache(agenda: Any) -> dict[str, Any] | None:
    path = agenda.git.git_dir / "coalition" / f"history-v{FORMAT}.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        return None
    entry = data.get("agendas", {}).get(agenda.rel)
    return entry if isinstance(entry, dict) and entry.get("format") == FORMAT else None


def _save_cache(agenda: Any, result: RegistryHistory) -> None:
    folder = agenda.git.git_dir / "coalition"
    path = folder / f"history-v{FORMAT}.json"
    try:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(data, dict) or data.get("format") != FORMAT:
                data = {}
        except (OSError, ValueError):
            data = {}
        data["format"] = FORMAT
        data.setdefault("agendas", {})[agenda.rel] = result.as_cache()
        _write_atomic(path, json.dumps(data).encode("utf-8"))
    except OSError:
        pass  # a cache that cannot be written only makes the next run slower


def _write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}-")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def is_ancestor(git: Any, old: str, new: str) -> bool:
    """Is ``old`` an ancestor of (or equal to) ``new``? False when ``old`` is unknown."""
    if old == new:
        return True
    code, _ = git.run_status("merge-base", "--is-ancestor", old, new)
    return code == 0


def registry_history(agenda: Any, head: str, *, use_cache: bool = True) -> RegistryHistory | None:
    """Walk the history up to ``head`` and judge every registry and founders change
    (None in a shallow clone, whose history starts in the middle)."""
    if (agenda.git.git_dir / "shallow").exists():
        return None  # a shallow clone cannot show where its registry came from
    result = RegistryHistory(head=head)
    since = None
    cached = _load_cache(agenda) if use_cache else None
    if cached and isinstance(cached.get("head"), str):
        if cached["head"] == head or is_ancestor(agenda.git, cached["head"], head):
            try:
                result.problems = [dict(p) for p in cached["problems"]]
                result.authorized = {(str(p), str(s)) for p, s in cached["authorized"]}
                result.founders = set(cached["founders"])
                roots = cached["root_founders"]
                result.root_founders = None if roots is None else tuple(roots)
                since = cached["head"]
            except (KeyError, TypeError, ValueError):
                result = RegistryHistory(head=head)
                since = None
    if since != head:
        walker = _Walker(agenda, result)
        commits = _registry_commits(agenda, head, since)
        result.commits = len(commits)
        walker.preload([c for commit, parents in commits for c in (commit, *parents)])
        for commit, parents in commits:
            _check_commit(walker, commit, parents)
    if use_cache and since != head:
        _save_cache(agenda, result)
    return result


def _check_commit(w: _Walker, commit: str, parents: list[str]) -> None:
    _check_founders(w, commit, parents)
    _check_members(w, commit, parents)


def _changed(w: _Walker, commit: str, parents: list[str]) -> set[str]:
    """Member yaml names whose file or signature this commit itself changed."""
    tree = w.tree(commit)
    before = [w.tree(p) for p in parents] or [{}]
    names = set(tree) | {n for t in before for n in t}
    changed = {n for n in names if all(t.get(n) != tree.get(n) for t in before)}
    return {n[:-4] if n.endswith(".sig") else n for n in changed
            if n.endswith((".yaml", ".yaml.sig"))}


def _check_members(w: _Walker, commit: str, parents: list[str]) -> None:
    result = w.result
    tree = w.tree(commit)
    changed = sorted(_changed(w, commit, parents))
    if not changed:
        return
    w.blobs([s for n in changed for s in (tree.get(n), tree.get(n + ".sig")) if s])
    allowed_at = [(p, w.facilitator_keys(p)) for p in parents]
    for name in changed:
        path = f"{w.members_dir}/{name}"
        sha = tree.get(name)
        if sha is None:
            if any(name in w.tree(p) for p in parents):
                result.problem(path, "not-permitted",
                               f"deleted in commit {_short(commit)}; the registry never deletes a "
                               "member (coalition member remove marks one removed)")
            continue
        signer = w.signer(sha, tree.get(name + ".sig"))
        if signer is None:
            result.problem(path, "not-permitted",
                           f"changed in commit {_short(commit)} without a valid signature")
            continue
        member = w.member(name, sha)
        refused: list[tuple[str, str]] = []  # (parent, whose key it had to be)
        for parent, keys in allowed_at or [("", None)]:
            if keys is None:  # no proven registry there: it starts from the founders
                # those of the chain (checked just before), not whatever this commit pins
                founders = result.founders or set(w.founders_at(commit) or ())
                if founders:
                    ok, need = _fingerprint(signer) in founders, "a founder's key"
                else:  # nothing pinned: a member file may only vouch for itself
                    ok = member is not None and any(e.key == signer for e in member.keys)
                    need = "a key of the member it registers"
            else:
                ok, need = signer in keys, "an active facilitator's unrevoked key"
            if not ok:
                refused.append((parent, need))
        if refused:
            parent, need = refused[0]
            at = f"its parent commit {_short(parent)}" if parent else "the start of the registry"
            result.problem(path, "not-permitted",
                           f"changed in commit {_short(commit)} with the key {_fingerprint(signer)}"
                           f"{_owner(w, parent or commit, signer)}, which was not {need} at {at}")
            continue
        backwards = _backwards(w, name, member, parents) if member is not None else None
        if backwards:
            result.problem(path, "not-permitted",
                           f"commit {_short(commit)} brings back an older version ({backwards}); "
                           "registry changes never go back")
            continue
        result.authorized.add((path, sha))


def _owner(w: _Walker, commit: str, key: str) -> str:
    for name, sha in w.tree(commit).items():
        if name.endswith(".yaml"):
            member = w.member(name, sha)
            if member is not None and any(e.key == key for e in member.keys):
                return f" of '{member.id}'"
    return ""


def _backwards(w: _Walker, name: str, member: Member, parents: list[str]) -> str | None:
    """Why the new version replays an older one, if it does: a key revoked at the parent is
    no longer revoked, or ``updated_at`` goes back in time."""
    for parent in parents:
        old_sha = w.tree(parent).get(name)
        old = w.member(name, old_sha) if old_sha else None
        if old is None:
            continue
        now_revoked = {e.key for e in member.keys if e.revoked}
        for entry in old.keys:
            if entry.revoked and entry.key not in now_revoked:
                return f"a key revoked on {entry.revoked} is valid again"
        if old.updated_at and member.updated_at and member.updated_at < old.updated_at:
            return f"updated_at {member.updated_at} is before {old.updated_at}"
    return None


def _check_founders(w: _Walker, commit: str, parents: list[str]) -> None:
    result = w.result
    current = w.founders_at(commit)
    if current is None:
        return
    if result.root_founders is None:
        if not any(w.founders_at(p) is not None for p in parents):
            result.root_founders = current  # the root of trust: the first coalition.yaml
            result.founders.update(current)
            return
    before = []
    for parent in parents:
        pinned = w.founders_at(parent)
        before.append(pinned if pinned is not None else result.root_founders or ())
    changed = [b for b in before if set(b) != set(current)]
    if not changed:
        return
    data, sig = w._config[commit]
    signer = None
    if data is not None and sig is not None:
        from .signing import verify_detached_fast

        key = verify_detached_fast(data, sig)
        signer = key.fingerprint if key else None
    if signer is not None and all(signer in b for b in changed):
        result.founders.update(current)
        return
    why = (f"without a founder's signature (a founder signs it with: ssh-keygen -Y sign "
           f"-n coalition-cli -f KEY {w.config_path})" if signer is None
           else f"signed by {signer}, not by a founder pinned before the change")
    result.problem(w.config_path, "not-permitted",
                   f"trust.founders changed in commit {_short(commit)} {why}")


# --- rewrites: the head this clone last verified ------------------------------------------


def _pin_path(agenda: Any) -> Path:
    return agenda.git.git_dir / "coalition" / "verified-head.json"


def _pins(agenda: Any) -> dict[str, Any]:
    try:
        data = json.loads(_pin_path(agenda).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def check_rewrite(agenda: Any, head: str) -> dict[str, str] | None:
    """A ``history-rewritten`` problem when ``head`` no longer descends from the pinned one."""
    pin = _pins(agenda).get(agenda.rel)
    if not isinstance(pin, dict) or not isinstance(pin.get("commit"), str):
        return None
    old = pin["commit"]
    if is_ancestor(agenda.git, old, head):
        return None
    return {"path": agenda.p(CONFIG), "problem": REWRITTEN,
            "detail": f"the branch was rewritten: commit {_short(old)}, verified here on "
                      f"{pin.get('at', '?')}, is no longer in the history of {_short(head)} "
                      "(a force-push?); compare with git reflog, and if the rewrite was "
                      "intended accept it with: coalition verify --accept-rewrite"}


def _shared(git: Any, head: str) -> str:
    """The part of ``head`` that others have: its merge base with the branch's remote-tracking
    refs. Local commits not pushed yet may still be rebased (``coalition sync`` does it)."""
    code, branch = git.run_status("symbolic-ref", "--short", "-q", "HEAD")
    if code != 0 or not branch.strip():
        return head
    refs = git.run("for-each-ref", "--format=%(objectname)",
                   f"refs/remotes/*/{branch.strip()}").decode().split()
    if not refs:
        return head
    code, base = git.run_status("merge-base", head, *refs[:1])
    return base.strip() if code == 0 and base.strip() else head


def pin_head(agenda: Any, head: str) -> None:
    """Remember ``head`` (its published part) as last verified in this clone."""
    pins = _pins(agenda)
    pins[agenda.rel] = {"commit": _shared(agenda.git, head), "at": stamp(now())}
    try:
        _write_atomic(_pin_path(agenda), json.dumps(pins, indent=1).encode("utf-8"))
    except OSError:
        pass


def remote_rewritten(git: Any, old: str | None, new: str | None) -> bool:
    """Did a remote-tracking branch move from ``old`` to ``new`` other than fast-forward?"""
    return bool(old and new and old != new and not is_ancestor(git, old, new))


__all__ = ["RegistryHistory", "registry_history", "check_rewrite", "pin_head", "is_ancestor",
           "remote_rewritten", "REWRITTEN"]
