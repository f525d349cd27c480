"""FIDO security-key Ed25519 keys as OpenSSH encodes them (``PROTOCOL.u2f``).

``string`` = uint32 big-endian length + bytes:

* public key blob: string ``"sk-ssh-ed25519@openssh.com"`` · string key[32] ·
  string application (``"ssh:"`` unless chosen otherwise at ``ssh-keygen -O application=``);
* signature: string ``"sk-ssh-ed25519@openssh.com"`` · string sig[64] · byte flags ·
  uint32 counter;
* what the token's Ed25519 key signs: SHA256(application) · flags · uint32 counter ·
  SHA256(message), the message being the SSHSIG signed data.

**User presence is required.** A token sets flag 0x01 when a person touched it for this
signature; without it, software on a machine with the token plugged in could sign
unnoticed. ``sshd`` refuses such signatures unless ``no-touch-required`` is set for the
key; ``ssh-keygen -Y verify`` (OpenSSH 9.2) accepts them. Coalition refuses them
everywhere — at signing (before anything is written) and at verification — so a key made
with ``ssh-keygen -O no-touch-required`` cannot sign records. User verification (PIN,
flag 0x04) is not required: it is the token's own policy.
"""

from __future__ import annotations

import hashlib
import struct

SK_ED25519 = b"sk-ssh-ed25519@openssh.com"
USER_PRESENCE = 0x01
USER_VERIFIED = 0x04
_TYPE = struct.pack(">I", len(SK_ED25519)) + SK_ED25519
_SIG_HEAD = _TYPE + struct.pack(">I", 64)
SIGNATURE_SIZE = len(_SIG_HEAD) + 64 + 1 + 4


def _s(b: bytes) -> bytes:
    return struct.pack(">I", len(b)) + b


def public_blob(raw: bytes, application: bytes) -> bytes:
    """The SSH wire encoding of an sk-ssh-ed25519 public key."""
    return _TYPE + _s(raw) + _s(application)


def split_public_blob(blob: bytes) -> tuple[bytes, bytes] | None:
    """(key[32], application) of an sk-ssh-ed25519 public key blob, or None if malformed.

    As OpenSSH reads it: the application is a C string (no NUL), nothing may follow it."""
    if not blob.startswith(_TYPE + b"\0\0\0\x20") or len(blob) < len(_TYPE) + 40:
        return None
    raw = blob[len(_TYPE) + 4 : len(_TYPE) + 36]
    rest = blob[len(_TYPE) + 36 :]
    n = int.from_bytes(rest[:4], "big")
    application = rest[4:]
    if len(application) != n or not application or b"\0" in application or n > 1024:
        return None
    return raw, application


def split_signature(field: bytes) -> tuple[bytes, int, int] | None:
    """(sig[64], flags, counter) of an sk-ssh-ed25519 signature field, or None."""
    if len(field) != SIGNATURE_SIZE or not field.startswith(_SIG_HEAD):
        return None
    sig = field[len(_SIG_HEAD) : len(_SIG_HEAD) + 64]
    flags = field[len(_SIG_HEAD) + 64]
    counter = int.from_bytes(field[-4:], "big")
    return sig, flags, counter


def signature_field(sig64: bytes, flags: int, counter: int) -> bytes:
    """The signature field for a token's raw Ed25519 signature (tests, and the agent's reply)."""
    return _SIG_HEAD + sig64 + bytes([flags]) + struct.pack(">I", counter)


def token_message(application: bytes, flags: int, counter: int, message: bytes) -> bytes:
    """The bytes the token's Ed25519 key signed for ``message``."""
    return (hashlib.sha256(application).digest() + bytes([flags]) + struct.pack(">I", counter)
            + hashlib.sha256(message).digest())
