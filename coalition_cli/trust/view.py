"""The trusted view: what reads and writes may act on.

``trusted(agenda)`` walks the ledger to the head and compares the head's governed
files with their trusted versions. ``verified_snapshot(agenda)`` is the head as a
``Snapshot`` whose registry, settings, principles and rounds are the trusted ones — what
every signing command starts from; it refuses (exit 4, hint ``coalition verify``) when
the registry, the settings or the rounds at the head are not exactly the trusted ones,
or when history is incomplete.
"""

from __future__ import annotations

from pathlib import PurePosixPath

from ..errors import InputError, NotPermitted
from ..plainclass import dataclass, field
from .ledger import Ledger, kind_of, walk
from .roots import Roots, roots as find_roots

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


@dataclass
class Trusted:
    commit: str
    ledger: Ledger
    problems: list[dict[str, str]] = field(default_factory=list)

    @property
    def roots(self) -> Roots:
        return self.ledger.roots

    @property
    def members(self) -> dict[str, Any]:
        return self.ledger.state.members

    @property
    def config(self) -> Any:
        return self.ledger.state.config

    @property
    def facilitator_keys(self) -> frozenset[str]:
        return self.ledger.state.facilitator_keys

    def owner(self, key: str) -> tuple[Any, Any] | None:
        return self.ledger.state.owner.get(key)

    def unverified_members(self) -> set[str]:
        """Members whose file at the head is not its trusted version."""
        return {PurePosixPath(p["path"]).stem for p in self.problems
                if "/members/" in f"/{p['path']}"}

    def refuse_if_untrusted(self) -> None:
        if self.ledger.incomplete:
            raise NotPermitted(self.ledger.incomplete.split(";")[0],
                               hint="git fetch --unshallow, then: coalition verify")
        settings = [p for p in self.problems if p["path"].endswith("coalition.yaml")]
        malformed = [p for p in self.problems if p["problem"] == "malformed"]
        if malformed:  # malformed agenda data: bad input (exit 3), named by file and line
            raise InputError(malformed[0]["detail"],
                             hint="fix the file (or git revert the change), then: coalition verify")
        if settings:  # a hostile coalition.yaml: bad input too (exit 3)
            why = f"{settings[0]['problem']}: {settings[0]['detail']}"
            raise InputError(f"coalition.yaml cannot be used: {why}",
                             hint="a facilitator changes it with: coalition config set/edit (or "
                                  "git revert the change); see: coalition verify")
        if self.problems:
            first = self.problems[0]
            raise NotPermitted(
                f"the agenda does not verify: {first['problem']}: {first['path']}"
                + (f" (and {len(self.problems) - 1} more)" if len(self.problems) > 1 else ""),
                hint="see what is wrong with: coalition verify")


def head_tree(agenda: Any, commit: str) -> dict[str, str]:
    """rel path -> blob of the governed files at ``commit`` (and their .sig files)."""
    git = agenda.git
    base = agenda.rel + "/" if agenda.rel != "." else ""
    # the tree objects themselves, through the running cat-file (as ls-tree lists them)
    members, principles, top, rounds = git.list_folders(commit, [
        (agenda.p("members"), True), (agenda.p("principles"), True),
        (agenda.rel if agenda.rel != "." else ".", False), (agenda.p("rounds"), False)])
    out: dict[str, str] = {}
    for entry in members + principles:
        out[entry.path[len(base):]] = entry.sha
    for entry in top:
        name = entry.path[len(base):]
        if name in ("coalition.yaml", "coalition.yaml.sig"):
            out[name] = entry.sha
    for listing in git.list_folders(commit, [(folder.path, False) for folder in rounds]):
        for entry in listing:
            rel = entry.path[len(base):]
            if kind_of(rel[:-4] if rel.endswith(".sig") else rel):
                out[rel] = entry.sha
    return out


def trusted(agenda: Any, commit: str | None = None, *, given: list[str] | None = None,
            use_cache: bool = True) -> Trusted:
    head = commit or agenda.head()
    roots = find_roots(agenda.git, given)
    ledger = walk(agenda, head, roots, use_cache=use_cache)
    view = Trusted(commit=head, ledger=ledger)
    if not ledger.incomplete:
        base = agenda.rel + "/" if agenda.rel != "." else ""
        view.problems = ledger.problems_at(head_tree(agenda, head), base)
    return view


def verified_snapshot(agenda: Any, view: Trusted | None = None) -> Any:
    """The head as a Snapshot of trusted data only; refuses (NotPermitted, exit 4) when the
    governed files at the head are not exactly their trusted versions."""
    from ..agenda import Snapshot

    view = view or trusted(agenda)
    view.refuse_if_untrusted()
    snap = Snapshot(agenda, view.commit)
    if view.config is None:
        raise NotPermitted("coalition.yaml has no facilitator-signed version",
                           hint="a facilitator signs it with: coalition migrate")
    snap.__dict__["config"] = view.config
    snap.__dict__["members"] = dict(view.members)
    snap.trusted = view  # type: ignore[attr-defined]
    return snap


def signed_principles(agenda: Any, commit: str | None, view: Trusted
                      ) -> tuple[dict[str, Any], str | None]:
    """The principles at ``commit`` (None: the working tree), each checked to be signed by a
    facilitator of the verified registry (or sealed by one) before it is parsed, and the
    name of who signed the newest of them (whom a redline credits). Refuses (exit 4) to use
    any unsigned text."""
    import hashlib

    from ..agenda import _principle
    from ..signing import verify_detached_fast
    from ..translations import is_translation
    from .rules import facilitator_signed

    if commit is None:
        folder = agenda.path / "principles"
        files = sorted(f for f in folder.glob("*.md") if not is_translation(f.name)) \
            if folder.is_dir() else []
        pairs = []
        for file in files:
            if file.is_symlink():
                raise NotPermitted(f"{agenda.p('principles', file.name)} is a symlink")
            sig = file.with_name(file.name + ".sig")
            pairs.append((agenda.p("principles", file.name), file.read_bytes(),
                          sig.read_bytes() if sig.is_file() else None))
    else:
        entries = [e for e in agenda.git.ls_tree(commit, agenda.p("principles"))
                   if e.path.endswith(".md") and not is_translation(e.path)]
        blobs = agenda.git.read_objects(
            [e.sha for e in entries] + [f"{commit}:{e.path}.sig" for e in entries])
        pairs = [(e.path, blobs[i] or b"", blobs[len(entries) + i])
                 for i, e in enumerate(entries)]
    out: dict[str, Any] = {}
    newest: tuple[str, str] = ("", "")
    where = "the working tree" if commit is None else f"commit {commit[:8]}"
    for path, data, sig in pairs:
        key = verify_detached_fast(data, sig) if sig is not None else None
        refused = ("unsigned", "") if key is None else facilitator_signed(
            view.ledger.state, key.openssh, hashlib.sha256(data).hexdigest())
        if refused:
            raise NotPermitted(f"{path} in {where} is not signed by a verified facilitator; "
                               "its text is not used",
                               hint="a facilitator signs it with: coalition principle edit "
                                    "(or coalition migrate); check with: coalition verify")
        principle = _principle(path, data)
        out[principle.id] = principle
        owner = view.owner(key.openssh)
        if owner and (principle.updated_at or "") >= newest[0]:
            newest = (principle.updated_at or "", owner[0].name)
    return dict(sorted(out.items(), key=lambda kv: int(kv[0][1:]))), newest[1] or None


def signed_translations(agenda: Any, commit: str, view: Trusted) -> dict[tuple[str, str], Any]:
    """(principle id, language) -> its translation at ``commit``, each checked to be signed
    by a facilitator of the verified registry (or sealed by one) before it is parsed; a
    translation that is not is left out (reports show the reference text instead)."""
    import hashlib

    from ..signing import verify_detached_fast
    from ..translations import is_translation, parse
    from .rules import facilitator_signed

    entries = [e for e in agenda.git.ls_tree(commit, agenda.p("principles"))
               if is_translation(e.path)]
    blobs = agenda.git.read_objects(
        [e.sha for e in entries] + [f"{commit}:{e.path}.sig" for e in entries])
    out: dict[tuple[str, str], Any] = {}
    for i, entry in enumerate(entries):
        data, sig = blobs[i] or b"", blobs[len(entries) + i]
        key = verify_detached_fast(data, sig) if sig is not None else None
        if key is None or facilitator_signed(view.ledger.state, key.openssh,
                                             hashlib.sha256(data).hexdigest()):
            continue
        t = parse(entry.path, data)
        out[(t.id, t.lang)] = t
    return out


def principle_verdicts(agenda: Any, commit: str, view: Trusted) -> dict[str, bool]:
    """path -> is this principle file at ``commit`` signed by a facilitator of the verified
    registry (or sealed by one)? For listings, which show the draft as committed and say
    which text is not the facilitators'."""
    import hashlib

    from ..signing import verify_detached_fast
    from .rules import facilitator_signed

    entries = [e for e in agenda.git.ls_tree(commit, agenda.p("principles"))
               if e.path.endswith(".md")]
    blobs = agenda.git.read_objects(
        [e.sha for e in entries] + [f"{commit}:{e.path}.sig" for e in entries])
    out = {}
    for i, entry in enumerate(entries):
        data, sig = blobs[i] or b"", blobs[len(entries) + i]
        key = verify_detached_fast(data, sig) if sig is not None else None
        out[entry.path] = key is not None and facilitator_signed(
            view.ledger.state, key.openssh, hashlib.sha256(data).hexdigest()) is None
    return out


def migration_snapshot(agenda: Any) -> Any:
    """The head for ``coalition migrate``: the registry must verify, but the settings and the
    principles may still be unsigned (that is what migrating signs)."""
    from ..agenda import Snapshot

    view = trusted(agenda)
    if view.ledger.incomplete:
        view.refuse_if_untrusted()
    blocking = [p for p in view.problems if not _settings_or_principle(p["path"])]
    if blocking:
        Trusted(view.commit, view.ledger, blocking).refuse_if_untrusted()
    snap = Snapshot(agenda, view.commit)
    if view.config is not None:
        snap.__dict__["config"] = view.config
    snap.__dict__["members"] = dict(view.members)
    snap.trusted = view  # type: ignore[attr-defined]
    return snap


def _settings_or_principle(path: str) -> bool:
    return path.endswith("/coalition.yaml") or path == "coalition.yaml" or "principles/" in path


__all__ = ["Trusted", "trusted", "verified_snapshot", "migration_snapshot", "head_tree",
           "signed_principles", "signed_translations", "principle_verdicts"]
