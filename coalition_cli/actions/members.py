"""The member registry: registering organisations and keys, revoking keys, removing
members. A key that loses its authority is sealed with what it had signed (trust.seals)."""

from __future__ import annotations

from dataclasses import replace

from .. import records
from ..agenda import Agenda, Snapshot
from ..errors import InputError, NotFound, NotPermitted
from ..identity import Identity
from ..ids import check_slug
from ..model import (
    ROLES,
    KeyEntry,
    Member,
)
from ._write import (
    Written,
    _commit,
    _later,
    _signed,
    require_role,
    verified,
)


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
    from ..trust.seals import digest, from_sha256
    from ..verify import verify

    checked = verify(agenda, snap.commit)
    out = {from_sha256(sha) for signer, sha in checked.accepted.values() if signer == key}
    state = snap.trusted.ledger.state  # type: ignore[attr-defined]
    mine = [v.blob for v in state.files.values() if v.signer == key]
    out.update(digest(data or b"") for data in agenda.git.read_objects(mine))
    return tuple(sorted(out))
