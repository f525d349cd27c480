"""Everything that writes to an agenda: one function per user action.

Each action reads the agenda at HEAD, checks who may do it, builds the record
through ``model`` (so it always reads back), signs the exact bytes and commits
record and signature together in one commit (``store.Git.commit_files``).
Nothing is written when a check fails.
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from . import records
from .agenda import CONFIG, Agenda, Snapshot
from .errors import GitError, InputError, NotFound, NotPermitted
from .identity import Identity
from .ids import check_principle, check_slug, new_record_id, resolve_prefix, slugify
from .model import (
    ANSWERS,
    ATTRIBUTIONS,
    DEFAULT_SECTORS,
    DEFAULT_STANCES,
    DISPOSITIONS,
    KINDS,
    ROLES,
    KeyEntry,
    Member,
    Record,
    member_from_fields,
    Response,
    Round,
    now,
    parse_stamp,
    stamp,
)
from .store import Git

GITATTRIBUTES = (
    "# Keep record and signature bytes exactly as signed (no line-end conversion).\n"
    "*.yaml -text\n*.sig -text\n*.md -text\n"
)


@dataclass(frozen=True)
class Written:
    id: str
    path: str
    commit: str


ANONYMOUS_AUTHOR = ("Coalition member", "member@members.coalition.invalid")


def _author(identity: Identity) -> tuple[str, str]:
    name = identity.person or identity.member.name
    return name, f"{identity.member.id}@members.coalition.invalid"


def _ensure_committer(git: Git, author: tuple[str, str]) -> None:
    """Let commits work on a machine with no git identity: commit as the author."""
    code, _ = git.run_status("config", "user.email")
    if code != 0:
        git._env.setdefault("GIT_COMMITTER_NAME", author[0])
        git._env.setdefault("GIT_COMMITTER_EMAIL", author[1])


def _commit(agenda: Agenda, identity: Identity, files: dict[str, bytes | None], message: str,
            *, anonymous: bool = False) -> str:
    """Commit ``files``; an anonymous or confidential record's commit names neither the member
    nor the person, as author or as committer (the signature still names the key)."""
    if anonymous:
        env = {"GIT_COMMITTER_NAME": ANONYMOUS_AUTHOR[0],
               "GIT_COMMITTER_EMAIL": ANONYMOUS_AUTHOR[1]}
        saved = {k: agenda.git._env.get(k) for k in env}
        agenda.git._env.update(env)
        try:
            return agenda.git.commit_files(files, message, author=ANONYMOUS_AUTHOR)
        finally:
            for k, v in saved.items():
                if v is None:
                    agenda.git._env.pop(k, None)
                else:
                    agenda.git._env[k] = v
    author = _author(identity)
    _ensure_committer(agenda.git, author)
    return agenda.git.commit_files(files, message, author=author)


def verified(agenda: Agenda) -> Snapshot:
    """The head with trusted data only (``trust.verified_snapshot``): every write starts
    here, and refuses (exit 4) when the registry, the settings or the rounds do not verify.
    Remembered for the head it was made for, so one command walks the ledger once."""
    from .trust import verified_snapshot

    head = agenda.head()
    known = _VERIFIED.get(id(agenda))
    if known is not None and known[0] == head and known[1].agenda is agenda:
        return known[1]
    snap = verified_snapshot(agenda)
    _VERIFIED.clear()
    _VERIFIED[id(agenda)] = (head, snap)
    return snap


_VERIFIED: dict[int, tuple[str, Snapshot]] = {}


def _signed(agenda: Agenda, identity: Identity, rel: str, fields: dict[str, Any]) -> dict[str, bytes]:
    data = records.dump_record(fields)
    limit = (records.MAX_MANIFEST_BYTES if rel.endswith("closing.yaml") or rel.startswith("members/")
             else records.MAX_RECORD_BYTES)
    if len(data) > limit:
        raise InputError(f"the record would be {len(data)} bytes, more than the limit of {limit}")
    return _signed_bytes(agenda, identity, rel, data)


def _rel(agenda: Agenda, path: str) -> str:
    """A repository path as a path inside the agenda folder."""
    return path[len(agenda.rel) + 1:] if agenda.rel != "." else path


def _signed_bytes(agenda: Agenda, identity: Identity, rel: str, data: bytes) -> dict[str, bytes]:
    """A file and its detached signature (``X`` and ``X.sig``), ready to commit."""
    path = agenda.p(rel)
    return {path: data, path + ".sig": identity.sign(data)}


def require_role(identity: Identity, role: str, action: str) -> None:
    if not identity.member.has_role(role):
        raise NotPermitted(f"only a {role} may {action}; '{identity.member.id}' is not one",
                           hint=f"ask a {role} of the coalition to do it")


# --- init --------------------------------------------------------------------------------


def init(path: Path, *, name: str, facilitator: str, facilitator_name: str | None = None,
         key: object, sector: str = "network", person: str | None = None,
         base_config: dict[str, Any] | None = None) -> tuple[Agenda, str]:
    """Create (or reuse) a git repository at ``path`` and a new agenda in it."""
    from .signing import PrivateKey

    assert isinstance(key, PrivateKey)
    check_slug(facilitator, "member")
    name = records.clean_text(name, "the coalition name", limit=200, required=True,
                              multiline=False) or ""
    path = Path(path).expanduser()
    folder = path / "agenda"
    if (folder / CONFIG).exists():
        raise InputError(f"{folder} already holds an agenda", hint="use it, or choose another PATH")
    path.mkdir(parents=True, exist_ok=True)
    git = Git.discover(path)
    if git is None or git.root.resolve() != path.resolve():
        if git is None:
            subprocess.run(["git", "init", "-q", "-b", "main", str(path)], check=True,
                           capture_output=True)
        git = Git(path.resolve())
    agenda = Agenda(git, folder.resolve().relative_to(git.root.resolve()).as_posix())
    base = dict(base_config or {})
    config = {
        "name": name,
        "description": base.get("description", ""),
        "languages": base.get("languages", ["en"]),
        "stances": base.get("stances", list(DEFAULT_STANCES)),
        "consensus": base.get("consensus", {"quorum": 0.5, "threshold": 0.75, "max_blocks": 0}),
        "sectors": base.get("sectors", list(DEFAULT_SECTORS)),
        "themes": base.get("themes", []),
        "trust": {"founders": [key.public.fingerprint]},
        "updated_at": stamp(now()),
    }
    config_text = _config_yaml(config)
    member = Member(id=facilitator, name=facilitator_name or name, sector=sector,
                    roles=("facilitator", "staff"),
                    keys=(KeyEntry(key.public.openssh, person, stamp(now())),),
                    updated_at=stamp(now()), updated_by=facilitator)
    identity = Identity(member, key, member.keys[0])
    files: dict[str, bytes | None] = {agenda.p(".gitattributes"): GITATTRIBUTES.encode()}
    files.update(_signed_bytes(agenda, identity, CONFIG, config_text.encode("utf-8")))
    files.update(_signed(agenda, identity, f"members/{facilitator}.yaml", member.fields()))
    commit = _commit(agenda, identity, files, f"Create the agenda of {name}\n\n"
                     f"Founding facilitator: {facilitator} ({key.public.fingerprint})")
    from .trust.roots import pin

    pin(git, [key.public.fingerprint])  # the founder's own clone trusts the founder's key
    return agenda, commit


def _config_yaml(config: dict[str, Any]) -> str:
    dumps = lambda v: json.dumps(v, ensure_ascii=False)  # noqa: E731
    consensus = config["consensus"]
    lines = [
        "# The coalition's settings, signed by a facilitator (coalition.yaml.sig): change them",
        "# with coalition config set/edit, never by hand.",
        f"name: {dumps(config['name'])}",
        f"description: {dumps(config['description'])}",
        f"languages: {dumps(config['languages'])}",
        f"stances: {dumps(config['stances'])}",
        "# quorum: share of voting members who must take a stance; threshold: support share",
        "# needed for consensus; max_blocks: blocks a principle may carry and still pass.",
        "consensus: " + dumps({"quorum": consensus.get("quorum", 0.5),
                               "threshold": consensus.get("threshold", 0.75),
                               "max_blocks": consensus.get("max_blocks", 0)}),
        f"sectors: {dumps(config['sectors'])}",
        f"themes: {dumps(config['themes'])}",
        "# Fingerprints of the founding facilitators' keys: the root of trust of the registry.",
        "trust: " + dumps({"founders": config["trust"]["founders"]}),
        f"updated_at: {dumps(config['updated_at'])}",
    ]
    return "\n".join(lines) + "\n"


# --- members -----------------------------------------------------------------------------


def member_add(agenda: Agenda, identity: Identity, member_id: str, *, name: str, sector: str,
               roles: list[str], keys: list[tuple[object, str | None]]) -> Written:
    snap = verified(agenda)
    require_role(identity, "facilitator", "change the member registry")
    check_slug(member_id, "member")
    name = records.clean_text(name, "--name", limit=200, required=True, multiline=False) or ""
    if sector not in snap.config.sectors:
        raise InputError(f"unknown sector '{sector}'",
                         hint=f"use one of: {', '.join(snap.config.sectors)}")
    for role in roles:
        if role not in ROLES:
            raise InputError(f"unknown role '{role}'", hint=f"use one of: {', '.join(ROLES)}")
    if not roles:
        raise InputError("a member needs at least one --role")
    existing = snap.members.get(member_id)
    if existing is not None and not existing.active:
        raise NotPermitted(f"member '{member_id}' was removed, and a removal is permanent",
                           hint="register the organisation again under a new member id")
    when = _later(existing.updated_at if existing else None)
    entries = list(existing.keys) if existing else []
    for public, person in keys:
        openssh = public.openssh  # type: ignore[attr-defined]
        owner = snap.member_by_key(openssh)
        if owner is not None and owner.id != member_id:
            raise InputError(f"key {public.fingerprint} already belongs to member '{owner.id}'")  # type: ignore[attr-defined]
        if any(e.key == openssh for e in entries):
            continue
        person = records.clean_text(person, "--person", limit=200, multiline=False)
        entries.append(KeyEntry(openssh, person, when))
    if existing is None and not entries:
        raise InputError("a new member needs at least one --key PUBKEY_FILE")
    roles = list(dict.fromkeys(roles))
    if existing is not None and existing.has_role("facilitator") and "facilitator" not in roles:
        # the facilitator role ends: its keys keep vouching only for what they signed so far
        entries = [replace(e, sealed=_seal(agenda, snap, e.key)) if not e.revoked else e
                   for e in entries]
    member = Member(id=member_id, name=name, sector=sector, roles=tuple(roles),
                    keys=tuple(entries), status="active", updated_at=when,
                    updated_by=identity.member.id)
    verb = "update" if existing else "add"
    return _write_member(agenda, identity, member, f"member {member_id}: {verb} ({name})")


def _write_member(agenda: Agenda, identity: Identity, member: Member, message: str) -> Written:
    files = _signed(agenda, identity, f"members/{member.id}.yaml", member.fields())
    path = agenda.p(f"members/{member.id}.yaml")
    commit = _commit(agenda, identity, files, f"{message}\n\nSigned by facilitator "
                     f"{identity.member.id}.")
    return Written(member.id, path, commit)


def member_revoke_key(agenda: Agenda, identity: Identity, member_id: str, public: object) -> Written:
    snap = verified(agenda)
    require_role(identity, "facilitator", "change the member registry")
    member = snap.member(member_id)
    openssh = public.openssh  # type: ignore[attr-defined]
    when = _later(member.updated_at)
    found = False
    entries = []
    for entry in member.keys:
        if entry.key == openssh:
            if entry.revoked:
                raise InputError(f"that key of '{member_id}' was already revoked on {entry.revoked}")
            entry = replace(entry, revoked=when, sealed=_seal(agenda, snap, entry.key))
            found = True
        entries.append(entry)
    if not found:
        raise NotFound(f"member '{member_id}' has no key {public.fingerprint}")  # type: ignore[attr-defined]
    updated = replace(member, keys=tuple(entries), updated_at=when, updated_by=identity.member.id)
    return _write_member(agenda, identity, updated,
                         f"member {member_id}: revoke key {public.fingerprint}")  # type: ignore[attr-defined]


def member_remove(agenda: Agenda, identity: Identity, member_id: str) -> Written:
    snap = verified(agenda)
    require_role(identity, "facilitator", "change the member registry")
    member = snap.member(member_id)
    if not member.active:
        raise InputError(f"member '{member_id}' was already removed")
    if member.id == identity.member.id:
        raise NotPermitted("a facilitator cannot remove themself",
                           hint="ask another facilitator to do it")
    when = _later(member.updated_at)
    keys = tuple(e if e.revoked else replace(e, sealed=_seal(agenda, snap, e.key))
                 for e in member.keys)
    updated = replace(member, status="removed", keys=keys, updated_at=when,
                      updated_by=identity.member.id)
    return _write_member(agenda, identity, updated, f"member {member_id}: remove")


def _seal(agenda: Agenda, snap: Snapshot, key: str) -> tuple[str, ...]:
    """What ``key`` had signed in the verified tree: the files that stay valid once it loses
    its authority (trust.seals). The whole head is verified for it."""
    from .trust.seals import digest, from_sha256
    from .verify import verify

    checked = verify(agenda, snap.commit)
    out = {from_sha256(sha) for signer, sha in checked.accepted.values() if signer == key}
    state = snap.trusted.ledger.state  # type: ignore[attr-defined]
    mine = [v.blob for v in state.files.values() if v.signer == key]
    out.update(digest(data or b"") for data in agenda.git.read_objects(mine))
    return tuple(sorted(out))


# --- principles --------------------------------------------------------------------------


def _principle_file(fields: dict[str, Any], body: str, previous: str | None = None) -> bytes:
    return records.dump_principle({**fields, "updated_at": _later(previous)}, body)


def principle_add(agenda: Agenda, identity: Identity, title: str, body: str) -> Written:
    snap = verified(agenda)
    require_role(identity, "facilitator", "draft principles")
    title = records.clean_text(title, "the title", limit=records.MAX_TITLE, required=True,
                               multiline=False) or ""
    body = records.clean_text(body, "the body", limit=records.MAX_BODY, required=True) or ""
    used = [int(p[1:]) for p in snap.principles]
    for entry in snap.entries("principles"):  # retired and odd files keep their numbers
        stem = Path(entry.path).name.split("-", 1)[0].removesuffix(".md")
        if stem[:1] == "P" and stem[1:].isdigit():
            used.append(int(stem[1:]))
    pid = f"P{max(used, default=0) + 1:02d}"
    path = agenda.p(f"principles/{pid}-{slugify(title)}.md")
    data = _principle_file({"id": pid, "title": title, "status": "active"}, body)
    rel = _rel(agenda, path)
    commit = _commit(agenda, identity, _signed_bytes(agenda, identity, rel, data),
                     f"principle {pid}: add \"{title}\" ({_who(identity)})")
    return Written(pid, path, commit)


def _who(identity: Identity) -> str:
    person = f", {identity.person}" if identity.person else ""
    return f"by {identity.member.id}{person}"


def principle_edit(agenda: Agenda, identity: Identity, principle_id: str, *,
                   title: str | None = None, body: str | None = None,
                   status: str | None = None) -> Written:
    snap = verified(agenda)
    require_role(identity, "facilitator", "draft principles")
    principle = snap.principle(principle_id)
    new_title = principle.title if title is None else (
        records.clean_text(title, "the title", limit=records.MAX_TITLE, required=True,
                           multiline=False) or "")
    new_body = principle.body if body is None else (
        records.clean_text(body, "the body", limit=records.MAX_BODY, required=True) or "")
    new_status = status or principle.status
    if (new_title, new_body.strip(), new_status) == (principle.title, principle.body.strip(),
                                                     principle.status):
        raise InputError(f"{principle.id} is unchanged: nothing to commit")
    data = _principle_file({"id": principle.id, "title": new_title, "status": new_status},
                           new_body, principle.updated_at)
    verb = "retire" if status == "retired" else "edit"
    rel = _rel(agenda, principle.path)
    commit = _commit(agenda, identity, _signed_bytes(agenda, identity, rel, data),
                     f"principle {principle.id}: {verb} \"{new_title}\" ({_who(identity)})")
    return Written(principle.id, principle.path, commit)


# --- rounds -------------------------------------------------------------------------------


def round_open(agenda: Agenda, identity: Identity, round_id: str, *, title: str,
               closes: datetime, principles: list[str] | None = None) -> Written:
    snap = verified(agenda)
    require_role(identity, "facilitator", "open a round")
    check_slug(round_id, "round")
    title = records.clean_text(title, "--title", limit=200, required=True, multiline=False) or ""
    current = snap.open_round()
    if current is not None:
        raise NotPermitted(f"round '{current.id}' is still open; one round at a time",
                           hint=f"close it first: coalition round close {current.id}")
    if round_id in snap.rounds or snap.entries(f"rounds/{round_id}"):
        raise InputError(f"round '{round_id}' already exists")
    moment = now()
    if closes <= moment:
        raise InputError(f"--closes {stamp(closes)} is in the past")
    active = [p.id for p in snap.principles.values() if p.active]
    scope = [check_principle(p) for p in principles] if principles else active
    for pid in scope:
        if pid not in active:
            raise NotFound(f"no active principle {pid} to consult on")
    if not scope:
        raise InputError("there are no principles to consult on",
                         hint="draft one first: coalition principle add TITLE --body ...")
    round_ = Round(id=round_id, title=title, status="open", opened_at=stamp(moment),
                   closes_at=stamp(closes), draft=snap.commit, principles=tuple(scope),
                   opened_by=identity.member.id, updated_at=stamp(moment))
    files = _signed(agenda, identity, f"rounds/{round_id}/round.yaml", round_.fields())
    commit = _commit(agenda, identity, files,
                     f"round {round_id}: open \"{title}\" until {stamp(closes)}\n\n"
                     f"Draft: {snap.commit}\nPrinciples: {', '.join(scope)}")
    agenda.git.tag(f"coalition/{round_id}/draft", snap.commit)
    return Written(round_id, agenda.p(f"rounds/{round_id}/round.yaml"), commit)


def round_extend(agenda: Agenda, identity: Identity, round_id: str, closes: datetime) -> Written:
    snap = verified(agenda)
    require_role(identity, "facilitator", "extend a round")
    round_ = snap.round(round_id)
    if round_.status != "open":
        raise NotPermitted(f"round '{round_id}' is closed")
    if closes <= now():
        raise InputError(f"--closes {stamp(closes)} is in the past")
    updated = replace(round_, closes_at=stamp(closes), updated_at=_later(round_.updated_at))
    files = _signed(agenda, identity, f"rounds/{round_id}/round.yaml", updated.fields())
    commit = _commit(agenda, identity, files,
                     f"round {round_id}: closes {stamp(closes)} (was {round_.closes_at})")
    return Written(round_id, agenda.p(f"rounds/{round_id}/round.yaml"), commit)


def round_close(agenda: Agenda, identity: Identity, round_id: str | None = None) -> Written:
    import hashlib

    snap = verified(agenda)
    require_role(identity, "facilitator", "close a round")
    round_ = snap.round(round_id) if round_id else snap.open_round()
    if round_ is None:
        raise NotFound("no round is open", hint="list rounds with: coalition round list")
    if round_.status != "open":
        raise NotPermitted(f"round '{round_.id}' is already closed")
    base = agenda.p(f"rounds/{round_.id}") + "/"
    files = [f for f in snap.round_files(round_.id) if "/comments/" in f.path]
    blobs = agenda.git.read_objects([f.sha for f in files])
    manifest = sorted([f.path[len(base):], hashlib.sha256(data or b"").hexdigest()]
                      for f, data in zip(files, blobs))
    when = stamp(now())
    closing = {"v": 1, "type": "closing", "round": round_.id, "closed_at": when,
               "closed_by": identity.member.id, "count": len(manifest), "records": manifest}
    closed = replace(round_, status="closed", closed_at=when, closed_by=identity.member.id,
                     updated_at=when)
    out = _signed(agenda, identity, f"rounds/{round_.id}/closing.yaml", closing)
    out.update(_signed(agenda, identity, f"rounds/{round_.id}/round.yaml", closed.fields()))
    commit = _commit(agenda, identity, out,
                     f"round {round_.id}: close with {len(manifest)} records")
    agenda.git.tag(f"coalition/{round_.id}/closed", commit)
    return Written(round_.id, agenda.p(f"rounds/{round_.id}/closing.yaml"), commit)


# --- comments -----------------------------------------------------------------------------


def _writable_round(snap: Snapshot, round_id: str | None) -> Round:
    round_ = snap.round(round_id) if round_id else snap.open_round()
    if round_ is None:
        raise NotPermitted("no consultation round is open",
                           hint="list rounds with: coalition round list")
    if round_.status != "open":
        raise NotPermitted(f"round '{round_.id}' is closed",
                           hint="comments are accepted only while a round is open")
    if now() > round_.closes:
        raise NotPermitted(f"round '{round_.id}' closed for comments at {round_.closes_at}",
                           hint="a facilitator may extend it: coalition round extend")
    return round_


def _member_records(agenda: Agenda, snap: Snapshot, round_: Round, member_id: str) -> dict[str, Record]:
    from .model import record_from_fields

    entries = [e for e in snap.entries(f"rounds/{round_.id}/comments/{member_id}")
               if e.path.endswith(".yaml")]
    out = {}
    for entry, data in zip(entries, agenda.git.read_objects([e.sha for e in entries])):
        try:
            rec = record_from_fields(records.parse_record(data or b"", entry.path), entry.path,
                                     snap.config.stances)
        except InputError:
            continue
        out[rec.id] = rec
    return out


def _write_record(agenda: Agenda, identity: Identity, record: Record, message: str, *,
                  anonymous: bool = False) -> Written:
    rel = f"rounds/{record.round}/comments/{record.member}/{record.id}.yaml"
    files = _signed(agenda, identity, rel, record.fields())
    commit = _commit(agenda, identity, files, message, anonymous=anonymous)
    return Written(record.id, agenda.p(rel), commit)


def comment_add(agenda: Agenda, identity: Identity, *, principle: str, stance: str,
                text: str | None = None, quote: str | None = None,
                occurrence: int | None = None, propose: str | None = None,
                kind: str = "substantive", themes: list[str] | None = None,
                attribution: str = "public", supersedes: str | None = None,
                round_id: str | None = None) -> Written:
    from .anchoring import make_anchor

    snap = verified(agenda)
    round_ = _writable_round(snap, round_id)
    config = snap.config
    pid = check_principle(principle)
    if pid not in round_.principles:
        raise InputError(f"{pid} is not under consultation in round '{round_.id}'",
                         hint=f"this round covers {', '.join(round_.principles)}")
    if stance not in config.stances:
        raise InputError(f"unknown stance '{stance}'", hint=f"use one of: {', '.join(config.stances)}")
    if kind not in KINDS:
        raise InputError(f"unknown kind '{kind}'", hint=f"use one of: {', '.join(KINDS)}")
    if attribution not in ATTRIBUTIONS:
        raise InputError(f"unknown attribution '{attribution}'",
                         hint=f"use one of: {', '.join(ATTRIBUTIONS)}")
    tags = []
    for theme in themes or []:
        check_slug(theme, "theme")
        if config.themes and theme not in config.themes:
            raise InputError(f"unknown theme '{theme}'", hint=f"use one of: {', '.join(config.themes)}")
        tags.append(theme)
    text = records.clean_text(text, "the comment text")
    propose = records.clean_text(propose, "the proposed text")
    if stance == "block" and not (text or "").strip():
        raise InputError("a block needs a reason: give the comment text",
                         hint="say why with --text, --text-file or stdin")
    if not (text or "").strip() and not (propose or "").strip() and stance != "support":
        raise InputError("the comment has no text", hint="give --text, --text-file or stdin")
    anchor = None
    if quote is not None:
        quote = records.clean_text(quote, "--quote", limit=records.MAX_QUOTE, required=True)
        draft = snap.draft_principles(round_).get(pid)
        if draft is None:
            raise NotFound(f"{pid} is not in the round's draft")
        from .anchoring import QuoteNotFound

        variants = records.nfc_variants(quote or "")  # typed, then NFC, then NFD
        for number, form in enumerate(variants, 1):
            try:
                anchor = make_anchor(draft.body, form, occurrence)
                break
            except QuoteNotFound:
                if number == len(variants):
                    raise
    previous = None
    if supersedes:
        own = _member_records(agenda, snap, round_, identity.member.id)
        comments = {i: r for i, r in own.items() if r.type == "comment"}
        previous = resolve_prefix(supersedes, comments, "comment")
        if comments[previous].principle != pid:
            raise InputError(f"comment {previous[:8]} is on {comments[previous].principle}, not {pid}")
    encrypted = None
    author = identity.person
    if attribution == "confidential":
        from .confidential import SEALED_FIELDS, encrypt_for_facilitators

        # only what counting and verifying need stays in the clear; the person, the anchor,
        # the themes and the words go to the verified facilitators and to the author's key
        payload = {"text": text, "proposed_text": propose, "author": author, "anchor": anchor,
                   "themes": list(tags)}
        assert set(payload) == set(SEALED_FIELDS)
        encrypted = encrypt_for_facilitators(snap, payload, also=[identity.entry.key])
        text, propose, author, anchor, tags = None, None, None, None, []
    record = Record(type="comment", id=new_record_id(), round=round_.id, member=identity.member.id,
                    submitted_at=stamp(now()), principle=pid, author=author,
                    stance=stance, kind=kind, attribution=attribution, themes=tuple(tags),
                    anchor=anchor, text=text if text is not None else ("" if not encrypted else None),
                    proposed_text=propose, supersedes=previous, encrypted=encrypted)
    if attribution == "public":
        message = f"comment {record.id[:8]}: {identity.member.id} on {pid} ({stance}) in {round_.id}"
    else:  # the commit must not say whose it is
        message = f"comment {record.id[:8]}: an {attribution} comment on {pid} in {round_.id}"
    return _write_record(agenda, identity, record, message, anonymous=attribution != "public")


def find_record(agenda: Agenda, snap: Snapshot, record_id: str,
                round_id: str | None = None) -> tuple[Record, str]:
    """A record of any member by id or unambiguous prefix, with its path."""
    from .model import record_from_fields

    sub = f"rounds/{round_id}" if round_id else "rounds"
    candidates = {}
    for entry in snap.entries(sub):
        if "/comments/" in entry.path and entry.path.endswith(".yaml"):
            candidates.setdefault(Path(entry.path).stem, entry)
    found = resolve_prefix(record_id, candidates, "comment")
    entry = candidates[found]
    data = agenda.git.read_objects([entry.sha])[0] or b""
    rec = record_from_fields(records.parse_record(data, entry.path), entry.path,
                             snap.config.stances)
    return rec, entry.path


def comment_withdraw(agenda: Agenda, identity: Identity, comment_id: str) -> Written:
    snap = verified(agenda)
    target, _ = find_record(agenda, snap, comment_id)
    if target.type != "comment":
        raise InputError(f"{target.id[:8]} is a {target.type}, not a comment")
    if target.member != identity.member.id:
        raise NotPermitted(f"comment {target.id[:8]} belongs to '{target.member}'; "
                           "only its member may withdraw it")
    round_ = _writable_round(snap, target.round)
    done = next((r for r in _member_records(agenda, snap, round_, identity.member.id).values()
                 if r.type == "withdrawal" and r.target == target.id), None)
    if done is not None:
        raise InputError(f"comment {target.id[:8]} was already withdrawn on {done.submitted_at} "
                         f"(withdrawal {done.id[:8]}); nothing was written")
    record = Record(type="withdrawal", id=new_record_id(), round=round_.id,
                    member=identity.member.id, submitted_at=stamp(now()),
                    principle=target.principle, author=identity.person, target=target.id)
    if target.attribution != "public":  # the commit must not say whose it was
        return _write_record(agenda, identity, record, f"comment {target.id[:8]}: withdrawn",
                             anonymous=True)
    return _write_record(agenda, identity, record,
                         f"comment {target.id[:8]}: withdrawn by {identity.member.id}")


def comment_endorse(agenda: Agenda, identity: Identity, comment_id: str,
                    text: str | None = None) -> Written:
    snap = verified(agenda)
    target, _ = find_record(agenda, snap, comment_id)
    if target.type != "comment":
        raise InputError(f"{target.id[:8]} is a {target.type}, not a comment")
    if target.member == identity.member.id:
        raise InputError("you cannot endorse your own comment")
    if target.attribution == "confidential":
        raise InputError("a confidential comment cannot be endorsed")
    round_ = _writable_round(snap, target.round)
    text = records.clean_text(text, "the endorsement text")
    record = Record(type="endorsement", id=new_record_id(), round=round_.id,
                    member=identity.member.id, submitted_at=stamp(now()),
                    principle=target.principle, author=identity.person, target=target.id,
                    text=text)
    return _write_record(agenda, identity, record,
                         f"comment {target.id[:8]}: endorsed by {identity.member.id}")


def comment_ack(agenda: Agenda, identity: Identity, comment_id: str, answer: str,
                text: str | None = None) -> Written:
    snap = verified(agenda)
    if answer not in ANSWERS:
        raise InputError(f"unknown answer '{answer}'", hint=f"use one of: {', '.join(ANSWERS)}")
    target, _ = find_record(agenda, snap, comment_id)
    if target.member != identity.member.id or target.type != "comment":
        raise NotPermitted(f"comment {target.id[:8]} is not yours to acknowledge")
    response = snap.read(f"rounds/{target.round}/responses/{target.id}.yaml")
    if response is None:
        raise InputError(f"comment {target.id[:8]} has no response yet",
                         hint="acknowledge it after a facilitator responds")
    text = records.clean_text(text, "the acknowledgement text")
    record = Record(type="acknowledgement", id=new_record_id(), round=target.round,
                    member=identity.member.id, submitted_at=stamp(now()),
                    principle=target.principle, author=identity.person, target=target.id,
                    answer=answer, text=text)
    if target.attribution != "public":
        return _write_record(agenda, identity, record, f"comment {target.id[:8]}: {answer}",
                             anonymous=True)
    return _write_record(agenda, identity, record,
                         f"comment {target.id[:8]}: {identity.member.id} is {answer}")


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
                        rationale=rationale, responded_at=stamp(now()),
                        responder=identity.member.id, commit=implemented)
    rel = f"rounds/{target.round}/responses/{target.id}.yaml"
    files = _signed(agenda, identity, rel, response.fields())
    sha = _commit(agenda, identity, files,
                  f"response to {target.id[:8]}: {disposition} ({identity.member.id})")
    return Written(target.id, agenda.p(rel), sha)


def _later(previous: str | None) -> str:
    """Now, or a second after ``previous`` if the clock says otherwise: a signed file's
    versions are ordered by ``updated_at`` and never go back."""
    moment = now()
    if previous:
        from datetime import timedelta

        floor = parse_stamp(previous, "updated_at") + timedelta(seconds=1)
        moment = max(moment, floor)
    return stamp(moment)


def parse_closes(value: str) -> datetime:
    from .model import parse_user_date

    return parse_user_date(value)


__all__ = [
    "Written", "init", "member_add", "member_revoke_key", "member_remove", "principle_add",
    "principle_edit", "round_open", "round_extend", "round_close", "comment_add",
    "comment_withdraw", "comment_endorse", "comment_ack", "respond", "find_record",
    "parse_stamp", "GitError",
]


def comment_reencrypt(agenda: Agenda, identity: Identity, comment_id: str) -> Written:
    """Give today's facilitators access to a confidential comment (e.g. one added later).

    A facilitator who can open the comment re-encrypts its payload to every current
    facilitator key and signs the result as ``rounds/<round>/access/<comment-id>.yaml``;
    the member's signed comment is left exactly as submitted.
    """
    from .confidential import Access, encrypt, facilitator_keys, open_comment
    from .signing import PublicKey

    snap = verified(agenda)
    require_role(identity, "facilitator", "give access to confidential comments")
    target, _ = find_record(agenda, snap, comment_id)
    if target.type != "comment" or not target.encrypted:
        raise InputError(f"{target.id[:8]} is not a confidential comment")
    payload, _grant = open_comment(snap, target, identity.key)
    recipients = facilitator_keys(snap)
    grant = Access(round=target.round, comment=target.id, encrypted=encrypt(payload, recipients),
                   recipients=tuple(PublicKey.from_openssh(k).fingerprint for k in recipients),
                   granted_by=identity.member.id, granted_at=stamp(now()))
    rel = f"rounds/{target.round}/access/{target.id}.yaml"
    files = _signed(agenda, identity, rel, grant.fields())
    sha = _commit(agenda, identity, files,
                  f"access to {target.id[:8]}: re-encrypted for {len(recipients)} facilitator "
                  f"key(s) ({identity.member.id})")
    return Written(target.id, agenda.p(rel), sha)


# --- settings -----------------------------------------------------------------------------

CONFIG_KEYS = ("name", "description", "languages", "stances", "sectors", "themes",
               "consensus.quorum", "consensus.threshold", "consensus.max_blocks",
               "trust.founders")


def _config_dict(config: Any) -> dict[str, Any]:
    return {"name": config.name, "description": config.description,
            "languages": list(config.languages), "stances": list(config.stances),
            "consensus": {"quorum": config.quorum, "threshold": config.threshold,
                          "max_blocks": config.max_blocks},
            "sectors": list(config.sectors), "themes": list(config.themes),
            "trust": {"founders": list(config.founders)}, "updated_at": config.updated_at}


def _setting(key: str, value: str) -> Any:
    if key.startswith("consensus."):
        try:
            number = float(value)
        except ValueError:
            raise InputError(f"{key} must be a number, not '{value}'") from None
        return int(number) if key.endswith("max_blocks") and number.is_integer() else number
    if key == "trust.founders":
        from .trust.roots import check_fingerprint

        return [check_fingerprint(v) for v in value.split(",") if v.strip()]
    if key in ("languages", "stances", "sectors", "themes"):
        return [v.strip() for v in value.split(",") if v.strip()]
    return value


def config_set(agenda: Agenda, identity: Identity, key: str, value: str) -> Written:
    """Change one setting of ``coalition.yaml``: validated, signed, committed."""
    snap = verified(agenda)
    require_role(identity, "facilitator", "change the coalition's settings")
    if key not in CONFIG_KEYS:
        raise InputError(f"unknown setting '{key}'", hint=f"settings: {', '.join(CONFIG_KEYS)}")
    config = _config_dict(snap.config)
    head, _dot, sub = key.partition(".")
    if sub:
        config[head] = {**config[head], sub: _setting(key, value)}
    else:
        config[key] = _setting(key, value)
    return _write_config(agenda, identity, snap, _config_yaml(
        {**config, "updated_at": _later(snap.config.updated_at)}), f"settings: {key} = {value}")


def config_replace(agenda: Agenda, identity: Identity, text: str) -> Written:
    """Replace ``coalition.yaml`` by ``text`` (``coalition config edit``): validated, signed."""
    snap = verified(agenda)
    require_role(identity, "facilitator", "change the coalition's settings")
    return _write_config(agenda, identity, snap, _stamped(text, snap.config.updated_at),
                         "settings: edited")


def _stamped(text: str, previous: str | None) -> str:
    """``text`` with its ``updated_at:`` line set to a time after ``previous``."""
    import re

    line = f"updated_at: {json.dumps(_later(previous))}"
    if re.search(r"(?m)^updated_at:.*$", text):
        return re.sub(r"(?m)^updated_at:.*$", line, text, count=1)
    return text.rstrip("\n") + "\n" + line + "\n"


def _write_config(agenda: Agenda, identity: Identity, snap: Snapshot, text: str,
                  message: str) -> Written:
    from .model import config_from_fields

    data = text.encode("utf-8")
    path = agenda.p(CONFIG)
    new = config_from_fields(records.load_yaml_bytes(data, path), path)  # refuses what is invalid
    if set(new.founders) != set(snap.config.founders):
        from .signing import PrivateKey

        assert isinstance(identity.key, PrivateKey)
        if identity.key.public.fingerprint not in snap.trusted.ledger.founders:  # type: ignore[attr-defined]
            raise NotPermitted("only a founder may change trust.founders",
                               hint="ask a founding facilitator to sign this change")
    if (snap.read(CONFIG) or b"") == data:
        raise InputError("coalition.yaml is unchanged: nothing to commit")
    commit = _commit(agenda, identity, _signed_bytes(agenda, identity, CONFIG, data),
                     f"{message} ({_who(identity)})")
    return Written("coalition.yaml", path, commit)


# --- redaction and reopening ----------------------------------------------------------------


def redact(agenda: Agenda, identity: Identity, record_id: str, reason: str) -> Written:
    """Take a member's record out of the tree, visibly: the file and its signature are
    removed and a signed ``rounds/<round>/redactions/<record-id>.yaml`` says which bytes and
    why. Git history keeps the bytes in every clone that has them (docs/SECURITY.md)."""
    import hashlib

    from .model import Redaction

    snap = verified(agenda)
    require_role(identity, "facilitator", "redact a record")
    reason = records.clean_text(reason, "--reason", limit=2000, required=True) or ""
    target, path = find_record(agenda, snap, record_id)
    data = snap.git.read_file(snap.commit, path) or b""
    base = agenda.p(f"rounds/{target.round}") + "/"
    rel = f"rounds/{target.round}/redactions/{target.id}.yaml"
    grant = Redaction(round=target.round, record=target.id, path=path[len(base):],
                      digest=hashlib.sha256(data).hexdigest(), reason=reason,
                      redacted_at=stamp(now()), redacted_by=identity.member.id)
    files: dict[str, bytes | None] = {path: None, path + ".sig": None}
    files.update(_signed(agenda, identity, rel, grant.fields()))
    commit = _commit(agenda, identity, files,
                     f"redact {target.id[:8]} in {target.round} ({_who(identity)})\n\n"
                     f"Reason: {reason}")
    return Written(target.id, agenda.p(rel), commit)


def round_reopen(agenda: Agenda, identity: Identity, round_id: str, closes: datetime,
                 reason: str = "closed by mistake") -> Written:
    """Reopen a closed round before any response was written: a signed reopening sets its
    closing manifest aside (the only way verify accepts a closed round reading open)."""
    import hashlib

    from .model import Reopening

    snap = verified(agenda)
    require_role(identity, "facilitator", "reopen a round")
    round_ = snap.round(round_id)
    if round_.status != "closed":
        raise InputError(f"round '{round_id}' is not closed")
    if snap.open_round() is not None:
        raise NotPermitted("another round is open; one round at a time")
    if snap.entries(f"rounds/{round_id}/responses"):
        raise NotPermitted(f"round '{round_id}' already has responses; it cannot be reopened",
                           hint="open a new round instead")
    if closes <= now():
        raise InputError(f"--closes {stamp(closes)} is in the past")
    reason = records.clean_text(reason, "--reason", limit=2000, required=True) or ""
    closing = snap.read(f"rounds/{round_id}/closing.yaml") or b""
    digest = hashlib.sha256(closing).hexdigest()
    when = _later(round_.updated_at or round_.closed_at)
    record = Reopening(round=round_id, closing=digest, closes_at=stamp(closes), reason=reason,
                       reopened_at=when, reopened_by=identity.member.id)
    reopened = replace(round_, status="open", closes_at=stamp(closes), closed_at=None,
                       closed_by=None, updated_at=when)
    base = f"rounds/{round_id}/"
    files: dict[str, bytes | None] = {agenda.p(base + "closing.yaml"): None,
                                      agenda.p(base + "closing.yaml.sig"): None}
    files.update(_signed(agenda, identity, f"{base}reopenings/{digest[:16]}.yaml",
                         record.fields()))
    files.update(_signed(agenda, identity, base + "round.yaml", reopened.fields()))
    commit = _commit(agenda, identity, files,
                     f"round {round_id}: reopen until {stamp(closes)} ({_who(identity)})\n\n"
                     f"Reason: {reason}")
    return Written(round_id, agenda.p(base + "round.yaml"), commit)


# --- migration: bringing an agenda from before signed settings up to date --------------------


def migrate(agenda: Agenda, identity: Identity) -> Written | None:
    """Sign ``coalition.yaml`` and every principle that has no trusted version, as the
    facilitator running it, and seal the keys revoked before seals existed (with what the
    revoking commit's tree held that the key had signed). None when nothing is left to do."""
    from .trust.view import migration_snapshot

    snap = migration_snapshot(agenda)
    require_role(identity, "facilitator", "migrate the agenda")
    state = snap.trusted.ledger.state  # type: ignore[attr-defined]
    if CONFIG in state.files:
        # migrated already: signing whatever is unsigned now would launder a member's plain
        # git edit into a facilitator's text
        raise NotPermitted("this agenda's settings were signed already: it is migrated",
                           hint="see what changed with: coalition verify; a facilitator "
                                "signs a principle with: coalition principle edit")
    files: dict[str, bytes | None] = {}
    done = []
    config_data = snap.read(CONFIG) or b""
    trusted_config = state.files.get(CONFIG)
    if trusted_config is None or snap.git.object_id(
            f"{snap.commit}:{agenda.p(CONFIG)}") != trusted_config.blob:
        text = _stamped(config_data.decode("utf-8"), snap.config.updated_at)
        files.update(_signed_bytes(agenda, identity, CONFIG, text.encode("utf-8")))
        done.append("coalition.yaml")
    for principle in snap.principles.values():
        rel = _rel(agenda, principle.path)
        version = state.files.get(rel)
        blob = snap.git.object_id(f"{snap.commit}:{principle.path}")
        if version is not None and version.blob == blob:
            continue
        data = _principle_file({"id": principle.id, "title": principle.title,
                                "status": principle.status}, principle.body, principle.updated_at)
        files.update(_signed_bytes(agenda, identity, rel, data))
        done.append(principle.id)
    for member in snap.members.values():
        if any(e.revoked and e.sealed is None for e in member.keys):
            keys = tuple(replace(e, sealed=_legacy_seal(agenda, snap, member.id, e.key))
                         if e.revoked and e.sealed is None else e for e in member.keys)
            updated = replace(member, keys=keys, updated_at=_later(member.updated_at),
                              updated_by=identity.member.id)
            files.update(_signed(agenda, identity, f"members/{member.id}.yaml", updated.fields()))
            done.append(f"seals of {member.id}")
    if not files:
        return None
    commit = _commit(agenda, identity, files,
                     f"migrate: sign {', '.join(done)} ({_who(identity)})")
    return Written(", ".join(done), agenda.p(CONFIG), commit)


def _legacy_seal(agenda: Agenda, snap: Snapshot, member_id: str, key: str) -> tuple[str, ...]:
    """A seal for a key revoked before seals existed: the files signed by it that were in
    the tree of the first commit (along first parents) storing it revoked."""
    from .records import parse_record
    from .signing import verify_detached_fast
    from .trust.seals import digest

    path = agenda.p(f"members/{member_id}.yaml")
    log = agenda.git.run("log", "--format=%H", "--reverse", "--first-parent", snap.commit,
                         "--", path).decode().split()
    revoking = None
    for commit, data in zip(log, agenda.git.read_objects([f"{c}:{path}" for c in log])):
        try:
            member = member_from_fields(parse_record(data or b"", path), path)
        except InputError:
            continue
        if any(e.key == key and e.revoked for e in member.keys):
            revoking = commit
            break
    if revoking is None:
        return ()
    entries = [e for e in agenda.git.ls_tree(revoking, agenda.p("rounds")) + agenda.git.ls_tree(
        revoking, agenda.p("members")) if not e.path.endswith(".sig")]
    names = [e.sha for e in entries]
    sig_names = [f"{revoking}:{e.path}.sig" for e in entries]
    out = set()
    blobs = agenda.git.read_objects(names + sig_names)
    for i, _entry in enumerate(entries):
        data, sig = blobs[i], blobs[len(entries) + i]
        found = verify_detached_fast(data or b"", sig) if sig else None
        if found is not None and found.openssh == key:
            out.add(digest(data or b""))
    return tuple(sorted(out))
