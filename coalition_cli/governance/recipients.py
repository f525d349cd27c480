"""Who holds a confidential comment (OCAP's *possession*), checkable without decrypting it.

By default a confidential comment is encrypted to the verified facilitators and its author.
With ``comment add --share-with fac1,member2`` its author chooses the holders instead:
verified members (facilitators or not) whose unrevoked keys receive it, and no one else.
The record says so in the clear (``shared_with``; ``holders_named: true`` when the author
lets reports name them), and anyone can check it: an age file names each recipient by a
4-byte tag of its SSH key (``-> ssh-ed25519 TAG …``), so ``verify`` compares the tags with
the registry's keys — a list that does not match is ``malformed``, and an access grant
(``comment reencrypt``) that adds a key of anyone else is ``not-permitted``.

What this does not hide: a member with the repository can compute the same tags, so who
holds a comment is as visible to the coalition's members as the comment's existence.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable

from ..errors import InputError, NotPermitted

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


def key_tag(openssh: str) -> str:
    """age's recipient tag of an ``ssh-ed25519`` key: the first 4 bytes of the SHA-256 of its
    wire form, base64 without padding."""
    wire = base64.b64decode(openssh.split()[1])
    return base64.b64encode(hashlib.sha256(wire).digest()[:4]).decode().rstrip("=")


def age_tags(armored: str) -> list[str]:
    """The recipient tags in an armored age file's header (no key needed): an ssh-ed25519
    stanza's tag, or ``?TYPE`` for any other recipient stanza, which no member's key has."""
    from ..confidential import _unarmor

    try:
        raw = _unarmor(armored)
    except InputError:
        return []
    head, _sep, _rest = raw.partition(b"\n--- ")
    tags = []
    for line in head.split(b"\n"):
        parts = line.split(b" ")
        if len(parts) >= 2 and parts[0] == b"->":
            if parts[1] == b"ssh-ed25519" and len(parts) >= 3:
                tags.append(parts[2].decode("ascii", "replace"))
            elif not parts[1].endswith(b"-grease"):  # age's random padding stanzas open
                # for no identity; X25519, scrypt, ssh-rsa or a plugin: a recipient no
                # registry key names
                tags.append("?" + parts[1].decode("ascii", "replace"))
    return tags


def keys_of(members: dict[str, Any], ids: Iterable[str], *, current: bool = True) -> list[str]:
    """The keys of the members ``ids`` (unrevoked ones only when ``current``)."""
    out = []
    for mid in ids:
        member = members.get(mid)
        if member is None:
            continue
        out.extend(e.key for e in member.keys if not (current and e.revoked))
    return out


def chosen_recipients(snapshot: Any, share_with: list[str], author: str) -> tuple[list[str], tuple[str, ...]]:
    """(keys, member ids) of ``--share-with``: each a verified, active member with a key."""
    from ..ids import check_slug

    if getattr(snapshot, "trusted", None) is None:
        raise NotPermitted("recipients are chosen only among verified members",
                           hint="check the agenda with: coalition verify")
    ids: list[str] = []
    for raw in share_with:
        for mid in (v.strip() for v in raw.split(",")):
            if not mid:
                continue
            check_slug(mid, "member")
            member = snapshot.members.get(mid)
            if member is None or not member.active:
                raise InputError(f"--share-with: '{mid}' is not a member of the verified registry",
                                 hint="list members with: coalition member list")
            if mid != author and mid not in ids:
                ids.append(mid)
    if not ids:
        raise InputError("--share-with names no one besides you",
                         hint="name facilitators or members, e.g. --share-with secretariat,kinship-circle")
    keys = keys_of(snapshot.members, ids)
    missing = [m for m in ids if not keys_of(snapshot.members, [m])]
    if missing:
        raise InputError(f"--share-with: '{missing[0]}' has no current key to encrypt to")
    return keys, tuple(ids)


def holders_of(armored: str, members: dict[str, Any]) -> tuple[set[str], int]:
    """(member ids, number of tags no member's key has) an encrypted payload is held by."""
    by_tag: dict[str, set[str]] = {}
    for mid, member in members.items():
        for entry in member.keys:
            try:
                by_tag.setdefault(key_tag(entry.key), set()).add(mid)
            except (IndexError, ValueError):
                continue
    held: set[str] = set()
    unknown = 0
    for tag in age_tags(armored):
        found = by_tag.get(tag)
        if found:
            held |= found
        else:
            unknown += 1
    return held, unknown


def check_comment(rec: Any, members: dict[str, Any]) -> tuple[str, str] | None:
    """A chosen-recipients comment is encrypted to exactly its ``shared_with`` and author."""
    if rec.shared_with is None or not rec.encrypted:
        return None
    for mid in rec.shared_with:
        if mid not in members:
            return "malformed", f"shared_with names '{mid}', who is not a registered member"
    held, unknown = holders_of(rec.encrypted, members)
    allowed = set(rec.shared_with) | {rec.member}
    if unknown or held - allowed:
        return "malformed", "encrypted to keys beyond the members its shared_with names"
    if set(rec.shared_with) - held:
        return "malformed", "shared_with names members it is not encrypted to"
    return None


def check_grant(grant: Any, comment: Any, members: dict[str, Any]) -> tuple[str, str] | None:
    """An access grant never widens the holders an author chose: the chosen holders, or
    for a comment to the facilitators, the members who hold or held the facilitator role
    (a removed facilitator keeps it in its entry; a demoted one's keys are sealed, not
    revoked); the author always. (Not told apart: a facilitator demoted *and then*
    removed — an earlier grant to them reads as one beyond the facilitators.)"""
    if comment.shared_with is None:
        allowed = {mid for mid, m in members.items()
                   if "facilitator" in m.roles
                   or (m.active and any(e.sealed is not None and not e.revoked for e in m.keys))}
    else:
        allowed = set(comment.shared_with)
    held, unknown = holders_of(grant.encrypted, members)
    if unknown or held - (allowed | {comment.member}):
        if comment.shared_with is None:
            return "not-permitted", ("re-encrypted to someone who is not a facilitator "
                                     "(a confidential comment is held by the facilitators)")
        return "not-permitted", ("re-encrypted to someone beyond the holders its author chose "
                                 "(shared_with)")
    return None


def regrant_keys(snapshot: Any, comment: Any, payload: dict[str, Any]) -> list[str] | None:
    """The keys ``comment reencrypt`` may use for a chosen-recipients comment: today's keys of
    the holders its author chose, and of the author; None for a facilitators' comment."""
    chosen = comment.shared_with if comment.shared_with is not None else payload.get("shared_with")
    if chosen is None:
        return None
    return list(dict.fromkeys(keys_of(snapshot.members, [*chosen, comment.member])))


def may_open(rec: Any, member_id: str, verified: Any) -> bool:
    """Whether ``comment show --decrypt`` lets ``member_id`` try without the facilitator role:
    its author, or a holder the author chose — never anyone once consent was withdrawn, the
    author excepted (``verified``: the verify result of the head)."""
    if member_id == rec.member:
        return True
    if rec.id in verified.consent_withdrawn.get(rec.round, {}):
        raise NotPermitted(f"the author of {rec.id[:8]} withdrew consent to use it",
                           hint="only its author may still open it")
    return rec.shared_with is not None and member_id in rec.shared_with
