"""The public half of a key file, without reading any private key bytes.

A member may name either file of a pair: ``KEY.pub`` (one OpenSSH public key line) or
``KEY`` (an OpenSSH private key, whose ``openssh-key-v1`` container keeps the public key
in the clear even when the private part is encrypted — as ``ssh-keygen -y`` shows it
without a passphrase). A hardware token's "private key" file is only a handle the token
needs: it signs through ssh-agent.
"""

from __future__ import annotations

import base64
import binascii
from pathlib import Path

_BEGIN = b"-----BEGIN OPENSSH PRIVATE KEY-----"
_END = b"-----END OPENSSH PRIVATE KEY-----"
_MAGIC = b"openssh-key-v1\0"
PUBLIC_PREFIXES = ("ssh-", "sk-", "ecdsa-")


def is_public_file(path: Path) -> bool:
    """Whether ``path`` holds a public key line (not a private key)."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(64)
    except OSError:
        return False
    return head.lstrip().decode("ascii", "replace").startswith(PUBLIC_PREFIXES)


def public_line(path: Path) -> str | None:
    """The public key of the key file at ``path`` as an OpenSSH line (``TYPE BASE64``), or
    None when it cannot be told without the private part (PEM files, unreadable files).

    Reads ``path`` when it is a public key, else ``path.pub`` when it exists, else the clear
    public section of an OpenSSH private key file."""
    if is_public_file(path):
        return _first_line(path)
    pub = Path(f"{path}.pub")
    if pub.is_file() and is_public_file(pub):
        return _first_line(pub)
    try:
        data = path.read_bytes()
    except OSError:
        return None
    blob = _container_public_blob(data)
    if blob is None:
        return None
    kind = blob[4 : 4 + int.from_bytes(blob[:4], "big")].decode("ascii", "replace")
    return f"{kind} {base64.b64encode(blob).decode()}"


def is_token_handle(path: Path) -> bool:
    """Whether ``path`` is the private key file of a hardware token's key (sk-…)."""
    try:
        blob = _container_public_blob(path.read_bytes())
    except OSError:
        return False
    return blob is not None and blob[4:7] == b"sk-"


def _first_line(path: Path) -> str | None:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    lines = text.strip().splitlines()
    return lines[0] if lines else None


def _container_public_blob(data: bytes) -> bytes | None:
    """The first public key blob of an ``openssh-key-v1`` container (never its private part)."""
    start, end = data.find(_BEGIN), data.find(_END)
    if start < 0 or end < start:
        return None
    try:
        blob = base64.b64decode(b"".join(data[start + len(_BEGIN) : end].split()), validate=True)
    except (binascii.Error, ValueError):
        return None
    if not blob.startswith(_MAGIC):
        return None
    pos = len(_MAGIC)
    for _ in range(3):  # ciphername, kdfname, kdfoptions
        pos += 4 + int.from_bytes(blob[pos : pos + 4], "big")
    if blob[pos : pos + 4] == b"":
        return None
    pos += 4  # number of keys
    n = int.from_bytes(blob[pos : pos + 4], "big")
    key = blob[pos + 4 : pos + 4 + n]
    return key if len(key) == n and n > 4 else None
