"""Confidential comments: what only facilitators (and the author) may read.

The encrypted payload is an age file (pyrage, SSH Ed25519 recipients) holding
``SEALED_FIELDS`` — the text, the proposal, the person who wrote it, the anchor (the
quoted passage), the themes and the language it was written in (in a small coalition the
language alone can name a member) — as JSON, stored base64-armored in the record's
``encrypted`` field. Only what counting and verifying need stays in the clear
(member, principle, stance, kind, round, ids, times). It is encrypted to the
facilitators of the *verified* registry and to the author's own key, so members can
read their own confidential comment. The signature covers the stored record, so
anyone can verify who submitted what and when without being able to read it.
"""

from __future__ import annotations

import base64
import json

from .errors import InputError, KeyProblem, NotPermitted
from .plainclass import dataclass

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

ARMOR_BEGIN = "-----BEGIN AGE ENCRYPTED FILE-----"
ARMOR_END = "-----END AGE ENCRYPTED FILE-----"


def _armor(data: bytes) -> str:
    body = base64.b64encode(data).decode()
    lines = [body[i : i + 64] for i in range(0, len(body), 64)]
    return "\n".join([ARMOR_BEGIN, *lines, ARMOR_END])


def _unarmor(text: str) -> bytes:
    lines = text.strip().splitlines()
    if len(lines) < 2 or lines[0] != ARMOR_BEGIN or lines[-1] != ARMOR_END:
        raise InputError("the encrypted text is not an armored age file")
    try:
        return base64.b64decode("".join(lines[1:-1]), validate=True)
    except ValueError:
        raise InputError("the encrypted text is not valid base64") from None


SEALED_FIELDS = ("text", "proposed_text", "author", "anchor", "themes", "lang")


def facilitator_keys(snapshot: Any) -> list[str]:
    """Unrevoked keys of the active facilitators of the *verified* registry: ``snapshot``
    must be a verified one (``trust.verified_snapshot``), never the tree as committed."""
    if getattr(snapshot, "trusted", None) is None:
        raise NotPermitted("confidential comments are encrypted only to verified facilitators",
                           hint="check the agenda with: coalition verify")
    keys = []
    for member in snapshot.members.values():
        if member.has_role("facilitator"):
            keys.extend(e.key for e in member.keys if not e.revoked and _sealable(e.key))
    return keys


def _sealable(key: str) -> bool:
    """age encrypts to ssh-ed25519 keys; a hardware token's key signs but cannot decrypt."""
    return key.startswith("ssh-ed25519 ")


def encrypt(payload: dict[str, Any], recipients: list[str]) -> str:
    import pyrage

    if not recipients:
        raise NotPermitted("there is no facilitator key to encrypt a confidential comment to")
    try:
        parsed = [pyrage.ssh.Recipient.from_str(key) for key in recipients]
        data = pyrage.encrypt(json.dumps(payload, ensure_ascii=False).encode("utf-8"), parsed)
    except Exception as exc:  # noqa: BLE001 - pyrage raises its own types
        raise InputError(f"could not encrypt the confidential comment: {type(exc).__name__}") from None
    return _armor(data)


def encrypt_for_facilitators(snapshot: Any, payload: dict[str, Any],
                             also: list[str] | None = None) -> str:
    """Encrypt to the verified facilitators, and to ``also`` (the author's own key)."""
    keys = facilitator_keys(snapshot)
    if not keys:
        raise NotPermitted("there is no verified facilitator key to encrypt a confidential "
                           "comment to")
    return encrypt(payload, list(dict.fromkeys([*keys, *(k for k in also or [] if _sealable(k))])))


def decrypt(armored: str, private_key: Any) -> dict[str, Any]:
    """Open a confidential payload with a facilitator's private key (a signing.PrivateKey)."""
    import pyrage
    from cryptography.hazmat.primitives import serialization

    if hasattr(private_key, "file_key"):  # a key ssh-agent holds: its file decrypts, if any
        private_key = private_key.file_key()
    raw = private_key._key.private_bytes(  # noqa: SLF001 - unencrypted copy in memory only
        serialization.Encoding.PEM, serialization.PrivateFormat.OpenSSH,
        serialization.NoEncryption(),
    )
    try:
        identity = pyrage.ssh.Identity.from_buffer(raw)
        data = pyrage.decrypt(_unarmor(armored), [identity])
    except InputError:
        raise
    except Exception:  # noqa: BLE001
        raise KeyProblem("this key cannot open the confidential comment",
                         hint="only the facilitators it was encrypted to can read it") from None
    try:
        value = json.loads(data.decode("utf-8"))
    except ValueError:  # also UnicodeDecodeError: whatever a member encrypted, no traceback
        value = None
    if not isinstance(value, dict):
        raise InputError("the confidential payload is malformed")
    return value


def reencrypt(armored: str, private_key: Any, recipients: list[str]) -> str:
    """Give access to a new set of facilitators (e.g. one added after the comment)."""
    return encrypt(decrypt(armored, private_key), recipients)


# --- access records: re-encryption for facilitators added after the comment -------------------
#
# ``rounds/<round>/access/<comment-id>.yaml`` (+ ``.sig``), written and signed by a
# facilitator who could open the comment: the same payload encrypted to the
# facilitators of the day. The comment itself is never touched, so its member's
# signature still covers the bytes they submitted. A later grant replaces the file.


@dataclass(frozen=True)
class Access:
    round: str
    comment: str
    encrypted: str
    recipients: tuple[str, ...]  # fingerprints the payload is encrypted to
    granted_by: str
    granted_at: str

    def fields(self) -> dict[str, Any]:
        return {"v": 1, "type": "access", "round": self.round, "comment": self.comment,
                "recipients": list(self.recipients), "encrypted": self.encrypted,
                "granted_by": self.granted_by, "granted_at": self.granted_at}


def access_from_fields(fields: dict[str, Any], path: str) -> Access:
    from .ids import SLUG_ID
    from .field_rules import Fields
    from .model import parse_stamp

    f = Fields(fields, path)
    f.version("access")
    grant = Access(round=f.req("round", pattern=SLUG_ID), comment=f.req("comment", pattern=SLUG_ID),
                   encrypted=f.req("encrypted", limit=200_000), recipients=f.strs("recipients"),
                   granted_by=f.req("granted_by", pattern=SLUG_ID),
                   granted_at=f.req("granted_at", limit=40))
    parse_stamp(grant.granted_at, "granted_at", path)
    return grant


def read_access(snapshot: Any, round_id: str, comment_id: str) -> Access | None:
    """The access record of a comment, if one is committed and signed by a facilitator now."""
    from . import records
    from .signing import verify_detached_fast

    rel = f"rounds/{round_id}/access/{comment_id}.yaml"
    data, sig = snapshot.read(rel), snapshot.read(rel + ".sig")
    if data is None:
        return None
    path = snapshot.agenda.p(rel)
    key = verify_detached_fast(data, sig) if sig is not None else None
    if key is None or key.openssh not in facilitator_keys(snapshot):  # verified facilitators
        raise InputError(f"{path} is not signed by a current facilitator; not opening it",
                         hint="check the agenda with: coalition verify")
    grant = access_from_fields(records.parse_record(data, path), path)
    if grant.round != round_id or grant.comment != comment_id:
        raise InputError(f"{path} does not match its place")
    return grant


def open_comment(snapshot: Any, record: Any, private_key: Any) -> tuple[dict[str, Any], Access | None]:
    """Decrypt a confidential comment: its own payload, else its access record's."""
    try:
        return decrypt(record.encrypted, private_key), None
    except KeyProblem:
        grant = read_access(snapshot, record.round, record.id)
        if grant is None:
            raise KeyProblem("this key cannot open the confidential comment",
                             hint="a facilitator who can may give you access with: "
                                  f"coalition comment reencrypt {record.id[:8]}") from None
        try:
            return decrypt(grant.encrypted, private_key), grant
        except KeyProblem:
            raise KeyProblem("this key cannot open the confidential comment",
                             hint="a facilitator who can may give you access with: "
                                  f"coalition comment reencrypt {record.id[:8]}") from None
