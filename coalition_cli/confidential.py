"""Confidential comments: text and proposal encrypted to the facilitators' SSH keys.

The encrypted payload is an age file (pyrage, SSH Ed25519 recipients) holding
``{"text": ..., "proposed_text": ...}`` as JSON, stored base64-armored in the
record's ``encrypted`` field. The signature covers the stored record, so anyone
can verify who submitted what and when without being able to read it.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from .errors import InputError, KeyProblem, NotPermitted

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


def facilitator_keys(snapshot: Any) -> list[str]:
    keys = []
    for member in snapshot.members.values():
        if member.has_role("facilitator"):
            keys.extend(e.key for e in member.keys if not e.revoked)
    return keys


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


def encrypt_for_facilitators(snapshot: Any, payload: dict[str, Any]) -> str:
    return encrypt(payload, facilitator_keys(snapshot))


def decrypt(armored: str, private_key: Any) -> dict[str, Any]:
    """Open a confidential payload with a facilitator's private key (a signing.PrivateKey)."""
    import pyrage
    from cryptography.hazmat.primitives import serialization

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
    value = json.loads(data.decode("utf-8"))
    if not isinstance(value, dict):
        raise InputError("the confidential payload is malformed")
    return value


def reencrypt(armored: str, private_key: Any, recipients: list[str]) -> str:
    """Give access to a new set of facilitators (e.g. one added after the comment)."""
    return encrypt(decrypt(armored, private_key), recipients)
