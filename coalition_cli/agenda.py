"""The agenda: finding it, and reading it at any revision.

``Agenda`` is where commands start: it finds the agenda folder (``--agenda``,
``COALITION_AGENDA``, or ``agenda/`` at the root of the current repository) and
hands out ``Snapshot``s — the agenda as committed at one revision. Everything
is read from what git stores (never from the working tree, whose bytes an
editor or ``core.autocrlf`` may have changed), except ``working_principles``
which reads the draft being edited.
"""

from __future__ import annotations

import os
from functools import cached_property
from pathlib import Path, PurePosixPath

from . import records
from .errors import MalformedData, NotFound
from .ids import check_principle, check_slug
from .model import (
    Config,
    Member,
    Principle,
    Round,
    config_from_fields,
    member_from_fields,
    principle_from_fields,
    round_from_fields,
)
from .plainclass import dataclass
from .store import Entry, Git
from .translations import is_translation

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

AGENDA_DIR = "agenda"
CONFIG = "coalition.yaml"


@dataclass(frozen=True)
class RecordFile:
    """A signed file as stored: its path, blob ids and (when read) its bytes."""

    path: str
    sha: str
    sig_sha: str | None
    data: bytes | None = None
    sig: bytes | None = None


class Agenda:
    def __init__(self, git: Git, rel: str) -> None:
        self.git = git
        self.rel = rel.strip("/") or "."

    @property
    def path(self) -> Path:
        return self.git.root / self.rel

    def p(self, *parts: str) -> str:
        """A repository-relative path inside the agenda."""
        return str(PurePosixPath(self.rel, *parts)) if self.rel != "." else "/".join(parts)

    @classmethod
    def open(cls, path: str | os.PathLike[str] | None = None) -> Agenda:
        given = path if path is not None else os.environ.get("COALITION_AGENDA") or None
        if given is not None:
            folder = Path(given).expanduser().resolve()
            if not folder.is_dir():
                raise NotFound(f"agenda folder {given} does not exist",
                               hint="create one with: coalition init PATH")
            git = Git.discover(folder)
            if git is None:
                raise NotFound(f"{given} is not inside a git repository",
                               hint="create one with: coalition init PATH")
            rel = folder.relative_to(git.root.resolve()).as_posix()
        else:
            git = Git.discover(Path.cwd())
            if git is None:
                raise NotFound("not inside a git repository with an agenda",
                               hint="run this inside the agenda's repository, pass --agenda "
                                    "PATH, or create one with: coalition init PATH")
            rel = AGENDA_DIR
        agenda = cls(git, rel)
        if not (agenda.path / CONFIG).is_file():
            from .branches import elsewhere_hint

            found = elsewhere_hint(git, rel)
            if found is not None:
                raise NotFound(found[0], hint=found[1])
            raise NotFound(f"no agenda at {agenda.path} (no {CONFIG})",
                           hint="pass --agenda PATH or create one with: coalition init PATH")
        return agenda

    def head(self) -> str:
        sha = self.git.head()
        if sha is None:
            raise NotFound("the repository has no commits yet",
                           hint="create the agenda with: coalition init PATH")
        return sha

    def snapshot(self, rev: str | None = None) -> Snapshot:
        commit = self.head() if rev in (None, "HEAD") else self.resolve_rev(rev)
        return Snapshot(self, commit)

    def resolve_rev(self, rev: str) -> str:
        """A commit from a round id (meaning that round's draft) or a git revision."""
        from .ids import SLUG_ID

        if SLUG_ID.fullmatch(rev):
            rounds = Snapshot(self, self.head()).rounds
            if rev in rounds:
                return rounds[rev].draft
        sha = self.git.rev_parse(rev) if not rev.startswith("-") else None
        if sha is not None:
            return sha
        raise NotFound(f"unknown revision or round '{rev}'",
                       hint="name a commit, a tag, or a round id (coalition round list)")

    def working_principles(self) -> dict[str, Principle]:
        """The principles as they are in the working tree (the draft being edited)."""
        folder = self.path / "principles"
        out: dict[str, Principle] = {}
        if folder.is_dir():
            for file in sorted(folder.glob("*.md")):
                if is_translation(file.name):
                    continue  # a text in another language (coalition_cli.translations)
                rel = self.p("principles", file.name)
                if file.is_symlink():
                    raise MalformedData(rel, "a symlink where a principle file should be")
                principle = _principle(rel, file.read_bytes())
                out[principle.id] = principle
        return out


def _principle(path: str, data: bytes) -> Principle:
    fields, body = records.split_front_matter(data, path)
    principle = principle_from_fields(fields, body, path)
    name = PurePosixPath(path).name
    if not (name == f"{principle.id}.md" or name.startswith(f"{principle.id}-")):
        raise MalformedData(path, f"file name does not match its id {principle.id}")
    return principle


class Snapshot:
    """The agenda as committed at one commit."""

    def __init__(self, agenda: Agenda, commit: str) -> None:
        self.agenda = agenda
        self.commit = commit
        self.git = agenda.git

    def entries(self, sub: str = "") -> list[Entry]:
        base = self.agenda.p(sub) if sub else self.agenda.rel
        return self.git.ls_tree(self.commit, base)

    def read(self, rel: str) -> bytes | None:
        return self.git.read_file(self.commit, self.agenda.p(rel))

    @cached_property
    def config(self) -> Config:
        path = self.agenda.p(CONFIG)
        data = self.git.read_file(self.commit, path)
        if data is None:
            raise NotFound(f"{path} is missing at {self.commit[:8]}")
        return config_from_fields(records.load_yaml_bytes(data, path), path)

    # --- members ---------------------------------------------------------------

    def member_files(self) -> dict[str, RecordFile]:
        """member id -> its registry file (bytes included)."""
        entries = {e.path: e for e in self.entries("members")}
        yamls = [e for p, e in entries.items() if p.endswith(".yaml")]
        blobs = self.git.read_objects([e.sha for e in yamls])
        sig_entries = [entries.get(e.path + ".sig") for e in yamls]
        sigs = self.git.read_objects([s.sha for s in sig_entries if s])
        sig_iter = iter(sigs)
        out = {}
        for entry, data, sig_entry in zip(yamls, blobs, sig_entries):
            if entry.mode == "120000":
                raise MalformedData(entry.path, "a symlink where a member file should be")
            member_id = PurePosixPath(entry.path).stem
            out[member_id] = RecordFile(entry.path, entry.sha, sig_entry.sha if sig_entry else None,
                                        data, next(sig_iter) if sig_entry else None)
        return out

    @cached_property
    def members(self) -> dict[str, Member]:
        out = {}
        for member_id, file in self.member_files().items():
            assert file.data is not None
            member = member_from_fields(records.parse_record(file.data, file.path), file.path)
            if member.id != member_id:
                raise MalformedData(file.path, f"id '{member.id}' does not match the file name")
            out[member_id] = member
        return out

    def member(self, member_id: str) -> Member:
        check_slug(member_id, "member")
        try:
            return self.members[member_id]
        except KeyError:
            raise NotFound(f"no member '{member_id}'",
                           hint="list them with: coalition member list") from None

    def member_by_key(self, key_openssh: str) -> Member | None:
        for member in self.members.values():
            if any(entry.key == key_openssh for entry in member.keys):
                return member
        return None

    # --- principles -------------------------------------------------------------

    @cached_property
    def principles(self) -> dict[str, Principle]:
        entries = [e for e in self.entries("principles")
                   if e.path.endswith(".md") and not is_translation(e.path)]
        blobs = self.git.read_objects([e.sha for e in entries])
        out: dict[str, Principle] = {}
        for entry, data in zip(entries, blobs):
            if entry.mode == "120000":
                raise MalformedData(entry.path, "a symlink where a principle file should be")
            assert data is not None
            principle = _principle(entry.path, data)
            if principle.id in out:
                raise MalformedData(entry.path, f"principle id {principle.id} is used twice")
            out[principle.id] = principle
        return dict(sorted(out.items(), key=lambda kv: int(kv[0][1:])))

    @cached_property
    def translations(self) -> dict[tuple[str, str], Any]:
        """(principle id, language) -> its text in that language (``translations``)."""
        from .translations import read_all

        return read_all(self.agenda, self.commit)

    def principle(self, principle_id: str) -> Principle:
        pid = check_principle(principle_id)
        try:
            return self.principles[pid]
        except KeyError:
            raise NotFound(f"no principle {pid}",
                           hint="list them with: coalition principle list") from None

    # --- rounds -----------------------------------------------------------------

    @cached_property
    def rounds(self) -> dict[str, Round]:
        entries = self.git.list_folders(self.commit, [(self.agenda.p("rounds"), False)])[0]
        names = [PurePosixPath(e.path).name for e in entries]
        blobs = self.git.read_objects([f"{self.commit}:{e.path}/round.yaml" for e in entries])
        out = {}
        for name, data in zip(names, blobs):
            path = self.agenda.p("rounds", name, "round.yaml")
            if data is None:
                continue
            round_ = round_from_fields(records.parse_record(data, path), path)
            if round_.id != name:
                raise MalformedData(path, f"round id '{round_.id}' does not match its folder")
            out[name] = round_
        return dict(sorted(out.items(), key=lambda kv: kv[1].opened_at))

    def round(self, round_id: str) -> Round:
        check_slug(round_id, "round")
        try:
            return self.rounds[round_id]
        except KeyError:
            raise NotFound(f"no round '{round_id}'",
                           hint="list them with: coalition round list") from None

    def open_round(self) -> Round | None:
        for round_ in self.rounds.values():
            if round_.status == "open":
                return round_
        return None

    def round_or_open(self, round_id: str | None) -> Round:
        if round_id:
            return self.round(round_id)
        current = self.open_round()
        if current is not None:
            return current
        if self.rounds:
            return list(self.rounds.values())[-1]
        raise NotFound("there is no consultation round yet",
                       hint="a facilitator opens one with: coalition round open ID --title T "
                            "--closes YYYY-MM-DD")

    def draft_principles(self, round_: Round) -> dict[str, Principle]:
        """The principles as they were at the round's draft commit."""
        return Snapshot(self.agenda, round_.draft).principles

    def round_files(self, round_id: str | None = None) -> list[RecordFile]:
        """Every signed file under rounds/ (or one round), without reading bytes."""
        sub = f"rounds/{round_id}" if round_id else "rounds"
        entries = self.entries(sub)
        shas = {e.path: e.sha for e in entries}
        out = []
        for entry in entries:
            if entry.path.endswith(".sig"):
                continue
            out.append(RecordFile(entry.path, entry.sha, shas.get(entry.path + ".sig")))
        return out
