"""libsodium's Ed25519 through PyNaCl's compiled module alone.

``nacl.bindings`` imports every binding PyNaCl has — 20 ms, which a cold verify paid three
times: in itself and in each of its two workers. The three functions a signature needs are
in PyNaCl's compiled module, ``nacl._sodium`` (1 ms to import), and are called here as
libsodium declares them, each length checked first: libsodium reads exactly 32 bytes of a
public key, 64 of a secret key, 32 of a seed.

``LOADED`` is False when that module is missing, lacks one of them, or libsodium would not
start; the callers then use ``nacl.bindings`` (``signing``).
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


_NEEDED = ("sodium_init", "crypto_sign_open", "crypto_sign", "crypto_sign_seed_keypair")


def _load() -> tuple[Any, Any] | None:
    try:
        from nacl._sodium import ffi, lib
    except ImportError:
        return None
    if any(not hasattr(lib, name) for name in _NEEDED) or lib.sodium_init() < 0:
        return None
    return ffi, lib


_FOUND = _load()
LOADED = _FOUND is not None
_ffi, _lib = _FOUND if _FOUND is not None else (None, None)
# where crypto_sign_open copies a checked message, and its length: (buffer, size)
_OUT: list[Any] = [_ffi.new("unsigned char[]", 4096), 4096] if LOADED else [None, 0]
_OUT_LEN = _ffi.new("unsigned long long *") if LOADED else None


def verify(sig64: bytes, message: bytes, public: bytes) -> bool:
    """Whether ``sig64`` is a valid Ed25519 signature of ``message`` by ``public``.

    libsodium's ``crypto_sign_open``, which copies the message out once it has checked it:
    into one buffer kept for every call, never read (``nacl.bindings.crypto_sign_open``
    made two buffers per call and a copy of the message). libsodium 1.0 would take no
    buffer at all, but a PyNaCl built against an older system libsodium might not."""
    if len(sig64) != 64 or len(public) != 32:
        return False
    signed = sig64 + message
    if len(signed) > _OUT[1]:
        _OUT[:] = [_ffi.new("unsigned char[]", 2 * len(signed)), 2 * len(signed)]
    return _lib.crypto_sign_open(_OUT[0], _OUT_LEN, signed, len(signed), public) == 0


def sign(message: bytes, secret: bytes) -> bytes:
    """The 64-byte Ed25519 signature of ``message`` by ``secret`` (seed · public key)."""
    if len(secret) != 64:
        raise ValueError("an Ed25519 secret key is 64 bytes")
    out = _ffi.new("unsigned char[]", 64 + len(message))
    if _lib.crypto_sign(out, _ffi.new("unsigned long long *"), message, len(message),
                        secret) != 0:
        raise ValueError("libsodium could not sign")
    return _ffi.buffer(out, 64)[:]


def seed_keypair(seed: bytes) -> tuple[bytes, bytes]:
    """(public key, secret key) of the Ed25519 key made from the 32-byte ``seed``."""
    if len(seed) != 32:
        raise ValueError("an Ed25519 seed is 32 bytes")
    public, secret = _ffi.new("unsigned char[]", 32), _ffi.new("unsigned char[]", 64)
    if _lib.crypto_sign_seed_keypair(public, secret, seed) != 0:
        raise ValueError("libsodium could not make the key pair")
    return _ffi.buffer(public, 32)[:], _ffi.buffer(secret, 64)[:]


__all__ = ["LOADED", "verify", "sign", "seed_keypair"]
