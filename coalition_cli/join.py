"""``coalition join``: a new member's clone, verified against the founder they were told of.

One step for what a member otherwise does by hand: clone the shared remote (GitPython's
``Repo.clone_from``, whose progress the CLI draws), check out the branch that holds the
agenda, verify it against the founder's fingerprint the facilitators sent out of band,
pin that fingerprint (``trust.roots.pin``, as ``coalition trust`` does), and record the
member's key and id in the clone's git config (``coalition.key``, ``coalition.member``:
what ``identity.resolve`` reads). A clone that does not verify against that fingerprint
— or whose founders do not include it — is refused and removed: nothing is left behind
that a later command could act on.

GitPython is imported here only, when a clone is made: ``coalition --help`` never pays
for it.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

from .agenda import AGENDA_DIR, CONFIG, Agenda
from .errors import CoalitionError, GitError, InputError, NotPermitted
from .store import Git
from .trust.roots import check_fingerprint, pin

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


@dataclass
class Joined:
    path: Path  # the clone's root
    branch: str
    founders: list[str]
    key: Path | None
    member: str | None
    registered: bool  # the key is an active key of that member in the verified registry
    open_round: dict[str, Any] | None
    checked: int = 0
    notes: list[str] = field(default_factory=list)


def default_folder(url: str) -> Path:
    """The folder ``git clone URL`` would make."""
    tail = url.rstrip("/").rsplit("/", 1)[-1].rsplit(":", 1)[-1]
    tail = tail[:-4] if tail.endswith(".git") else tail
    return Path(tail or "agenda")


def join(url: str, folder: Path | None, fingerprint: str, *, key: Path | None = None,
         member: str | None = None, progress: Any = None) -> Joined:
    fp = check_fingerprint(fingerprint)
    target = Path(folder) if folder is not None else default_folder(url)
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise InputError(f"{target} already exists and is not an empty folder",
                         hint="give another folder: coalition join URL DIR --trust …")
    made = not target.exists()
    try:
        _clone(url, target, progress)
        return _settle(target.resolve(), fp, key, member)
    except BaseException:
        _remove(target, made)
        raise


def _clone(url: str, target: Path, progress: Any) -> None:
    import git as gitpython  # lazily: GitPython costs 0.1 s to import
    from git.exc import UnsafeOptionError, UnsafeProtocolError

    if url.startswith("-"):
        raise InputError(f"'{url[:60]}' is not an address (it starts with '-')")
    try:
        gitpython.Repo.clone_from(url, str(target), progress=progress,
                                  env={"GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"})
    except (UnsafeProtocolError, UnsafeOptionError):
        raise InputError(f"refusing the address '{url[:60]}': its transport can run commands "
                         "on this machine", hint="use an ssh://, https://, git:// or file "
                                                 "address") from None
    except gitpython.GitCommandError as exc:
        lines = [line.strip().removeprefix("stderr:").strip().strip("'").strip()
                 for line in str(exc.stderr or "").splitlines()]
        lines = [line for line in lines if line]
        why = lines[-1] if lines else f"git exited {exc.status}"
        raise GitError(f"could not clone {url}: {why}",
                       hint="check the address with the facilitators (and your access to it)") \
            from None


def _settle(root: Path, fp: str, key: Path | None, member: str | None) -> Joined:
    from . import actions
    from .verify import verify

    git = Git(root)
    try:
        branch = _agenda_branch(git)
        agenda = Agenda(git, AGENDA_DIR)
        result = verify(agenda, trust=[fp])
        if not result.ok:
            _not_a_founder(agenda, fp)
            first = result.problems[0]
            more = f" (and {len(result.problems) - 1} more)" if len(result.problems) > 1 else ""
            raise NotPermitted(f"the agenda does not verify against {fp}: {first['problem']}: "
                               f"{first['path']}{more}; the clone was removed",
                               hint="check the fingerprint with the facilitators, out of band")
        if result.config is None or fp not in result.config.founders:
            raise NotPermitted(f"{fp} is not a founder of this agenda; the clone was removed",
                               hint="ask the facilitators for their founding key's fingerprint, "
                                    "out of band")
        pin(git, [fp])
        snap = actions.verified(agenda)
        key_file, member_id, registered, notes = _who(snap, key, member)
        _record_identity(root, key_file, member_id)
        round_ = snap.open_round()
        info = None
        if round_ is not None:
            info = {"id": round_.id, "title": round_.title, "closes_at": round_.closes_at,
                    "principles": list(round_.principles)}
        return Joined(root, branch, [fp], key_file, member_id, registered, info,
                      result.checked, notes)
    finally:
        git.close()


def _not_a_founder(agenda: Agenda, fp: str) -> None:
    """Refuse, saying so, when ``fp`` is not among the founders the agenda names at first
    use (only to choose the words of the refusal: nothing is trusted from it)."""
    from .verify import verify_outcome

    named = verify_outcome(agenda).config
    if named is None or fp not in named.founders:
        raise NotPermitted(f"{fp} is not a founder of this agenda; the clone was removed",
                           hint="ask the facilitators for their founding key's fingerprint, "
                                "out of band")


def _agenda_branch(git: Git) -> str:
    """Check out the branch holding the agenda (the cloned HEAD's, or the one remote branch
    that has one); its name."""
    from .branches import branches_with_agenda

    current = git.run("symbolic-ref", "--short", "-q", "HEAD", check=False).decode().strip()
    if (git.root / AGENDA_DIR / CONFIG).is_file():
        return current
    found = [b for b in branches_with_agenda(git, AGENDA_DIR) if "/" in b]
    if not found:
        raise InputError("this repository holds no agenda (no agenda/coalition.yaml on any "
                         "branch); the clone was removed",
                         hint="check the address with the facilitators")
    preferred = [b for b in found if b.split("/", 1)[1] in ("main", "master")]
    remote_branch = (preferred or found)[0]
    remote, name = remote_branch.split("/", 1)
    import git as gitpython

    repo = gitpython.Repo(str(git.root))
    try:
        head = repo.create_head(name, repo.remotes[remote].refs[name])
        head.set_tracking_branch(repo.remotes[remote].refs[name])
        head.checkout()
    finally:
        repo.close()
    return name


def _who(snap: Any, key: Path | None, member: str | None) -> tuple[Path | None, str | None, bool,
                                                                 list[str]]:
    """The key file and member id to record, whether the verified registry knows them as a
    pair, and what to tell the member about it."""
    from .identity import key_path
    from .ids import check_slug
    from .signing import PublicKey

    notes: list[str] = []
    path = Path(key).expanduser().resolve() if key is not None else key_path(None, None)
    if key is not None and not path.is_file():
        raise InputError(f"no private key at {path}",
                         hint="pass the private key file (its .pub beside it) with --key")
    public = None
    if path.is_file():
        pub = path.with_name(path.name + ".pub")
        try:
            public = PublicKey.from_file(pub) if pub.is_file() else None
        except CoalitionError:
            public = None
        if public is None:
            notes.append(f"no public key beside {path} ({pub.name}): could not check whose "
                         "key it is")
    else:
        path = None
        notes.append("no key given and none at ~/.ssh/id_ed25519; make one with: coalition key "
                     "generate --out ~/.ssh/coalition_ed25519, then: git config coalition.key PATH")
    owner = snap.member_by_key(public.openssh) if public is not None else None
    member_id = check_slug(member, "member") if member else (owner.id if owner else None)
    registered = False
    if member_id is not None:
        found = snap.members.get(member_id)
        if found is None:
            raise InputError(f"no member '{member_id}' in this agenda's registry; the clone was "
                             "removed", hint="check your member id with the facilitators")
        registered = public is not None and found.active and any(
            e.key == public.openssh and not e.revoked for e in found.keys)
    if public is not None and not registered:
        notes.append(f"your key {public.fingerprint} is not registered"
                     + (f" to '{member_id}'" if member_id else "")
                     + f" yet: send {path}.pub to a facilitator")
    return path, member_id, registered, notes


def _record_identity(root: Path, key: Path | None, member: str | None) -> None:
    """``coalition.key`` / ``coalition.member`` in the clone's own git config."""
    if key is None and member is None:
        return
    import git as gitpython

    repo = gitpython.Repo(str(root))
    try:
        with repo.config_writer("repository") as config:
            if key is not None:
                config.set_value("coalition", "key", str(key))
            if member is not None:
                config.set_value("coalition", "member", member)
    finally:
        repo.close()


def _remove(target: Path, made: bool) -> None:
    """Take away what this command cloned: the folder it made, or what it put in an empty
    folder it was given."""
    if not target.exists():
        return
    if made:
        shutil.rmtree(target, ignore_errors=True)
        return
    for child in target.iterdir():
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child, ignore_errors=True)
        else:
            child.unlink(missing_ok=True)


__all__ = ["join", "Joined", "default_folder"]
