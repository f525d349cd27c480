"""Seals: what a key had signed at the moment it lost its authority.

There is no trusted clock, so "signed before the revocation" can only be proven by the
revocation itself: when a facilitator revokes a key, removes a member or drops a
member's facilitator role, the signed registry file records, on that key's entry, the
digest of every file the key had signed in the verified tree at that moment. Any other
file signed by that key, wherever it appears in history, is ``revoked-key``.
"""

from __future__ import annotations

import hashlib

DIGEST_HEX = 32  # 128 bits of SHA-256: a second preimage costs 2^128


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:DIGEST_HEX]


def from_sha256(sha256_hex: str) -> str:
    """The seal digest of a file whose full SHA-256 (hex) is known."""
    return sha256_hex[:DIGEST_HEX]


__all__ = ["digest", "from_sha256", "DIGEST_HEX"]
