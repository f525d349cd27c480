"""OpenSSH SSHSIG signatures (``ssh-keygen -Y sign/verify``) with Ed25519 keys, in process.

Two key types verify: ``ssh-ed25519`` and the hardware-token ``sk-ssh-ed25519@openssh.com``
(wire format and the user-presence rule in :mod:`coalition_cli.keys.sk`); signing in
process is Ed25519 only — a token's key signs through ssh-agent (:mod:`coalition_cli.keys.agent`).

Wire format (OpenSSH ``PROTOCOL.sshsig``; ``string`` = uint32 big-endian length + bytes):

* signature blob: ``"SSHSIG"`` · uint32 version 1 · string public key blob ·
  string namespace · string reserved · string hash algorithm · string signature,
  where an Ed25519 public key blob is string ``"ssh-ed25519"`` · string key[32]
  and the signature is string ``"ssh-ed25519"`` · string sig[64];
* what Ed25519 signs: ``"SSHSIG"`` · string namespace · string "" (reserved) ·
  string hash algorithm · string H(message);
* armor: ``-----BEGIN SSH SIGNATURE-----``, the blob in base64 wrapped at 70
  columns, ``-----END SSH SIGNATURE-----``, each line ending in ``\\n``.

Ed25519 is deterministic, so :meth:`PrivateKey.sign` writes files byte-identical
to ``ssh-keygen -Y sign``. Parsing mirrors ``ssh-keygen``: the header must start
the file, anything after the footer is ignored, trailing data inside the blob is
rejected. Error messages never contain key material or passphrases.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import struct
from pathlib import Path

from coalition_cli.errors import InputError, KeyProblem, SignatureInvalid
from coalition_cli.keys import sk
from coalition_cli.plainclass import dataclass, field

TYPE_CHECKING = False
if TYPE_CHECKING:  # cryptography is imported only where libsodium (PyNaCl) cannot serve
    from typing import Any
    from collections.abc import Callable

    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

NAMESPACE = "coalition-cli"

_MAGIC = b"SSHSIG"
_BEGIN = b"-----BEGIN SSH SIGNATURE-----\n"
_END = b"-----END SSH SIGNATURE-----"
_WHITESPACE = b" \t\n\r\v\f"
_HASHES = {b"sha512": hashlib.sha512, b"sha256": hashlib.sha256}
_ONLY_ED25519 = "only Ed25519 keys are supported (ssh-ed25519, sk-ssh-ed25519@openssh.com)"
SK_TYPE = "sk-ssh-ed25519@openssh.com"
_PASSPHRASE_HINT = "set COALITION_PASSPHRASE_FILE or pass --passphrase-file"
PathLike = str | os.PathLike[str]


def _s(b: bytes) -> bytes:
    """Encode an SSH ``string``: uint32 big-endian length, then the bytes."""
    return struct.pack(">I", len(b)) + b


_KEY_PREFIX = _s(b"ssh-ed25519") + struct.pack(">I", 32)  # public key blob minus its 32 raw bytes
_SIG_PREFIX = _s(b"ssh-ed25519") + struct.pack(">I", 64)  # signature field minus its 64 raw bytes
_SK_PREFIX = _s(sk.SK_ED25519)


def _strings(buf: bytes, pos: int, count: int) -> list[bytes] | None:
    """Read exactly ``count`` SSH strings filling ``buf[pos:]``; None if short or trailing data."""
    out: list[bytes] = []
    for _ in range(count):
        n = int.from_bytes(buf[pos : pos + 4], "big")
        if pos + 4 + n > len(buf):
            return None
        out.append(buf[pos + 4 : pos + 4 + n])
        pos += 4 + n
    return out if pos == len(buf) else None


@dataclass(frozen=True, repr=False)
class PublicKey:
    """An Ed25519 public key; equal and hashed by its 32 raw bytes and, for a hardware
    token's key (``sk-ssh-ed25519@openssh.com``), its FIDO application — not by the comment."""

    raw: bytes
    comment: str = field(default="", compare=False)
    application: bytes | None = None  # set for sk-ssh-ed25519@openssh.com keys only

    def __post_init__(self) -> None:
        if not isinstance(self.raw, bytes) or len(self.raw) != 32:
            raise KeyProblem("an Ed25519 public key is 32 bytes")
        if self.application is not None and sk.split_public_blob(
                sk.public_blob(self.raw, self.application)) is None:
            raise KeyProblem("malformed sk-ssh-ed25519 application")

    @property
    def _key(self) -> Ed25519PublicKey:
        """The key as cryptography's object, made on first use (importing cryptography)."""
        key = self.__dict__.get("_ed25519")
        if key is None:
            from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

            try:
                key = Ed25519PublicKey.from_public_bytes(self.raw)
            except ValueError:
                raise KeyProblem("not a valid Ed25519 public key") from None
            object.__setattr__(self, "_ed25519", key)
        return key

    def __repr__(self) -> str:
        return f"PublicKey({self.fingerprint}{' ' + self.comment if self.comment else ''})"

    @classmethod
    def from_openssh(cls, line: str) -> PublicKey:
        """Parse ``ssh-ed25519 AAAA... [comment]`` (one line of a ``.pub`` file)."""
        parts = line.strip().split(None, 2)
        if len(parts) < 2 or "\n" in line.strip():
            raise KeyProblem("not an OpenSSH public key line (expected 'ssh-ed25519 AAAA... [comment]')")
        if parts[0] not in ("ssh-ed25519", SK_TYPE):
            raise KeyProblem(f"{_ONLY_ED25519}, not {parts[0][:40]!r}")
        try:
            blob = base64.b64decode(parts[1], validate=True)
        except (binascii.Error, ValueError):
            raise KeyProblem("the public key is not valid base64") from None
        comment = parts[2].strip() if len(parts) > 2 else ""
        if parts[0] == SK_TYPE:
            split = sk.split_public_blob(blob)
            if split is None:
                raise KeyProblem(f"malformed {SK_TYPE} public key")
            return cls(split[0], comment, split[1])
        if len(blob) != 51 or not blob.startswith(_KEY_PREFIX):
            raise KeyProblem("malformed ssh-ed25519 public key")
        return cls(blob[19:], comment)

    @classmethod
    def from_blob(cls, blob: bytes, comment: str = "") -> PublicKey:
        """A key from its SSH wire encoding (what ssh-agent lists); KeyProblem if neither type."""
        if len(blob) == 51 and blob.startswith(_KEY_PREFIX):
            return cls(blob[19:], comment)
        split = sk.split_public_blob(blob)
        if split is None:
            raise KeyProblem(_ONLY_ED25519)
        return cls(split[0], comment, split[1])

    @classmethod
    def from_file(cls, path: PathLike) -> PublicKey:
        """Read a ``.pub`` file; KeyProblem names the path."""
        try:
            text = Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            reason = getattr(exc, "strerror", None) or "not a text file"
            raise KeyProblem(f"cannot read public key {path}: {reason}") from None
        if "PRIVATE KEY" in text:  # never echo a private key back
            raise KeyProblem(f"{path} is a private key; give the .pub file")
        try:
            return cls.from_openssh(text)
        except KeyProblem as exc:
            raise KeyProblem(f"{path}: {exc.message}") from None

    @property
    def kind(self) -> str:
        """``ssh-ed25519`` or ``sk-ssh-ed25519@openssh.com``."""
        return "ssh-ed25519" if self.application is None else SK_TYPE

    @property
    def blob(self) -> bytes:
        """SSH wire encoding: string "ssh-ed25519" · string raw (or the sk key's blob)."""
        if self.application is not None:
            return sk.public_blob(self.raw, self.application)
        return _KEY_PREFIX + self.raw

    @property
    def openssh(self) -> str:
        """``ssh-ed25519 AAAA...`` (or ``sk-ssh-ed25519@openssh.com AAAA...``) without the comment."""
        return f"{self.kind} " + base64.b64encode(self.blob).decode()

    @property
    def fingerprint(self) -> str:
        """``SHA256:...`` exactly as ``ssh-keygen -lf`` prints it."""
        return "SHA256:" + base64.b64encode(hashlib.sha256(self.blob).digest()).decode().rstrip("=")

    def verify_raw(self, message: bytes, sig64: bytes) -> bool:
        """Plain Ed25519 verification of ``sig64`` over ``message``."""
        check = _SODIUM[0] if _SODIUM else _load_sodium()
        if check is not None:
            return check(sig64, message, self.raw)
        from cryptography.exceptions import InvalidSignature

        try:
            self._key.verify(sig64, message)
            return True
        except InvalidSignature:
            return False

    def verify_token(self, message: bytes, sig64: bytes, flags: int, counter: int) -> bool:
        """An sk key's signature over the SSHSIG ``message``, made with user presence."""
        if self.application is None or not flags & sk.USER_PRESENCE:
            return False
        return self.verify_raw(sk.token_message(self.application, flags, counter, message), sig64)


_KEY_CACHE: dict[bytes, PublicKey] = {}


def _cached_key(raw: bytes) -> PublicKey:
    """One PublicKey (and one parsed cryptography key) per raw key (an sk key: per blob); bounded."""
    key = _KEY_CACHE.get(raw)
    if key is None:
        if len(_KEY_CACHE) >= 4096:
            _KEY_CACHE.clear()
        key = _KEY_CACHE[raw] = PublicKey(raw) if len(raw) == 32 else PublicKey.from_blob(raw)
    return key


def _signed_message(namespace: bytes, hash_algorithm: bytes, data: bytes) -> bytes:
    """The exact bytes Ed25519 signs for ``data`` (reserved is always empty, as in ssh-keygen)."""
    hashed = _HASHES[hash_algorithm](data)
    head = _MESSAGE_HEADS.get((namespace, hash_algorithm))
    if head is None:
        head = _MAGIC + _s(namespace) + b"\0\0\0\0" + _s(hash_algorithm) + struct.pack(
            ">I", hashed.digest_size)
        if len(_MESSAGE_HEADS) < 16:  # (the namespaces and hashes met: one or two)
            _MESSAGE_HEADS[namespace, hash_algorithm] = head
    return head + hashed.digest()


# (namespace, hash) -> what a signed message holds before the digest
_MESSAGE_HEADS: dict[tuple[bytes, bytes], bytes] = {}


def _decode(armored: bytes) -> tuple[bytes, bytes, bytes, bytes, bytes] | str:
    """Dearmor and split a signature into (raw key, namespace, hash, sig64, blob), or a reason.

    For a hardware token's key, (key blob, namespace, hash, signature field, blob): the key
    is then longer than 32 bytes, and :mod:`.keys.sk` reads both."""
    if not isinstance(armored, bytes) or not armored.startswith(_BEGIN):
        return "not an SSH signature"
    end = armored.find(_END, len(_BEGIN))
    if end < 0:
        return "truncated SSH signature (no END line)"
    b64 = armored[len(_BEGIN) : end].translate(None, _WHITESPACE)
    try:
        blob = binascii.a2b_base64(b64)
    except (binascii.Error, ValueError):
        return "SSH signature is not valid base64"
    if binascii.b2a_base64(blob, newline=False) != b64:  # stray characters, non-canonical padding bits
        return "SSH signature is not valid base64"
    if len(blob) == _PLAIN_SIZE and blob.startswith(_PLAIN_HEAD) \
            and blob[_PLAIN_KEY_END:_PLAIN_SIG_AT] == _PLAIN_MIDDLE:
        # what ssh-keygen makes with an Ed25519 key for this tool: every field where the
        # reading below finds it, read at once (a 20th of a record's check)
        return blob[_PLAIN_KEY_AT:_PLAIN_KEY_END], _NAMESPACE, b"sha512", \
            blob[_PLAIN_SIG_AT:], blob
    if blob[:6] != _MAGIC:
        return "not an SSH signature"
    if blob[6:10] != b"\0\0\0\x01":
        return "unsupported SSH signature version"
    fields = _strings(blob, 10, 5)
    if fields is None:
        return "malformed SSH signature"
    key, namespace, _reserved, hash_alg, sig = fields
    if key.startswith(_SK_PREFIX):
        if sk.split_public_blob(key) is None or sk.split_signature(sig) is None:
            return "malformed SSH signature"
        if hash_alg not in _HASHES or b"\0" in namespace:
            return "malformed SSH signature" if hash_alg in _HASHES else (
                f"unsupported hash algorithm {hash_alg.decode('ascii', 'replace')[:20]!r}")
        return key, namespace, hash_alg, sig, blob
    if len(key) != 51 or not key.startswith(_KEY_PREFIX):
        kind = key[4 : 4 + int.from_bytes(key[:4], "big")].decode("ascii", "replace")[:40]
        if kind == "ssh-ed25519":
            return "malformed SSH signature"
        return f"unsupported key type {kind!r}: {_ONLY_ED25519}"
    if hash_alg not in _HASHES:
        return f"unsupported hash algorithm {hash_alg.decode('ascii', 'replace')[:20]!r}"
    if len(sig) != 83 or not sig.startswith(_SIG_PREFIX) or b"\0" in namespace:
        return "malformed SSH signature"
    return key[19:], namespace, hash_alg, sig[19:], blob


# An Ed25519 SSHSIG of this tool's namespace over SHA-512, as bytes: magic, version 1, the
# public key blob (its 32 raw bytes at _PLAIN_KEY_AT), then namespace, an empty reserved
# field, "sha512", and the signature field (its 64 raw bytes at the end)
_NAMESPACE = NAMESPACE.encode()
_PLAIN_HEAD = _MAGIC + b"\0\0\0\x01" + struct.pack(">I", len(_KEY_PREFIX) + 32) + _KEY_PREFIX
_PLAIN_KEY_AT = len(_PLAIN_HEAD)
_PLAIN_KEY_END = _PLAIN_KEY_AT + 32
_PLAIN_MIDDLE = (_s(_NAMESPACE) + _s(b"") + _s(b"sha512") + struct.pack(">I", len(_SIG_PREFIX) + 64)
                 + _SIG_PREFIX)
_PLAIN_SIG_AT = _PLAIN_KEY_END + len(_PLAIN_MIDDLE)
_PLAIN_SIZE = _PLAIN_SIG_AT + 64


@dataclass(frozen=True)
class Signature:
    """A parsed SSHSIG; ``blob`` is the decoded binary signature blob."""

    public_key: PublicKey
    namespace: str
    hash_algorithm: str
    signature: bytes  # the 64-byte Ed25519 signature
    blob: bytes = field(repr=False)
    flags: int | None = None  # a hardware token's: user presence 0x01, user verified 0x04
    counter: int | None = None  # a hardware token's signature counter

    def covers(self, data: bytes) -> bool:
        """Whether the signature is good over ``data`` (a token's: made with user presence)."""
        message = self.signed_message(data)
        if self.flags is None:
            return self.public_key.verify_raw(message, self.signature)
        return self.public_key.verify_token(message, self.signature, self.flags, self.counter or 0)

    def signed_message(self, data: bytes) -> bytes:
        """The bytes Ed25519 must have signed if this signature covers ``data``."""
        return _signed_message(self.namespace.encode(), self.hash_algorithm.encode(), data)


def parse_signature(armored: bytes) -> Signature:
    """Parse an armored SSHSIG; raises only :class:`SignatureInvalid` on bad input."""
    parsed = _decode(armored)
    if isinstance(parsed, str):
        raise SignatureInvalid(parsed)
    raw, namespace, hash_alg, sig, blob = parsed
    flags = counter = None
    if len(raw) != 32:
        sig, flags, counter = sk.split_signature(sig)  # type: ignore[misc] - _decode checked it
    try:
        return Signature(_cached_key(raw), namespace.decode("utf-8"), hash_alg.decode(), sig, blob,
                         flags, counter)
    except (UnicodeDecodeError, KeyProblem):
        raise SignatureInvalid("malformed SSH signature") from None


def verify(data: bytes, armored: bytes, namespace: str = NAMESPACE) -> PublicKey:
    """Return the signer's key if ``armored`` signs ``data`` under ``namespace``."""
    sig = parse_signature(armored)
    if sig.namespace != namespace:
        raise SignatureInvalid(f"signature namespace is {sig.namespace[:60]!r}, not {namespace!r}")
    if sig.flags is not None and not sig.flags & sk.USER_PRESENCE:
        raise SignatureInvalid("the security key signed without being touched (no user-presence "
                               "flag); coalition requires a touch for every signature")
    if not sig.covers(data):
        raise SignatureInvalid("signature does not match the data")
    return sig.public_key


def verify_detached_fast(data: bytes, armored: bytes, namespace: str = NAMESPACE) -> PublicKey | None:
    """Like :func:`verify` but returns None instead of raising (the bulk-verify path)."""
    parsed = _decode(armored)
    if isinstance(parsed, str) or parsed[1] != namespace.encode():
        return None
    raw, ns, hash_alg, sig, _ = parsed  # _decode checked: a 32-byte key, a 64-byte signature
    message = _signed_message(ns, hash_alg, data)
    if len(raw) != 32:  # a hardware token's key: its blob and signature field
        return _verify_token(raw, sig, message)
    check = _SODIUM[0] if _SODIUM else _load_sodium()
    try:
        if check is not None:
            return (_KEY_CACHE.get(raw) or _cached_key(raw)) if check(sig, message, raw) else None
        key = _KEY_CACHE.get(raw) or _cached_key(raw)
        return key if key.verify_raw(message, sig) else None
    except KeyProblem:
        return None


def _verify_token(key_blob: bytes, field: bytes, message: bytes) -> PublicKey | None:
    sig, flags, counter = sk.split_signature(field)  # type: ignore[misc] - _decode checked it
    try:
        key = _KEY_CACHE.get(key_blob) or _cached_key(key_blob)
    except KeyProblem:
        return None
    return key if key.verify_token(message, sig, flags, counter) else None


# libsodium's Ed25519 check (``keys.sodium``) takes 62 µs here against 130 µs for OpenSSL's
# through cryptography: the bulk path uses it when PyNaCl is installed (it is a dependency),
# cryptography's otherwise. Both accept every signature ssh-keygen makes; libsodium also
# refuses non-canonical encodings, which no honest signer produces.
_SODIUM: list = []  # [check(sig64, message, raw key) -> bool], or [None]: cryptography's


def load_bulk_check() -> None:
    """Load the bulk path's Ed25519 check now rather than at the first signature: a cold
    verify does it while git lists the tree, so that its workers, forked next, have it."""
    if not _SODIUM:
        _load_sodium()


def _load_sodium() -> Callable[[bytes, bytes, bytes], bool] | None:
    from .keys import sodium

    found = sodium.verify if sodium.LOADED else None
    _SODIUM[:] = [found]
    return found


def _read_key_file(path: PathLike) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise KeyProblem(f"cannot read key {path}: {exc.strerror or 'unreadable'}") from None


def _as_bytes(passphrase: bytes | str | None) -> bytes | None:
    return passphrase.encode() if isinstance(passphrase, str) else passphrase


def _encrypted(data: bytes) -> bool:
    """Whether key file bytes need a passphrase (OpenSSH cipher other than "none", or encrypted PEM)."""
    begin = b"-----BEGIN OPENSSH PRIVATE KEY-----"
    start = data.find(begin)
    if start < 0:
        return b"BEGIN ENCRYPTED PRIVATE KEY" in data or b"Proc-Type: 4,ENCRYPTED" in data
    body = data[start + len(begin) :].translate(None, _WHITESPACE)[:200]  # the header fits
    try:
        blob = base64.b64decode(body.split(b"-", 1)[0][: len(body) // 4 * 4])
    except (binascii.Error, ValueError):
        return False
    magic = b"openssh-key-v1\0"
    n = int.from_bytes(blob[15:19], "big")
    return blob.startswith(magic) and blob[19 : 19 + n] != b"none"


def _unencrypted_openssh_seed(data: bytes) -> tuple[bytes, bytes] | None:
    """(seed, public key) of an unencrypted OpenSSH Ed25519 key file, checked as strictly as
    cryptography checks it (check words, key pair, padding); None for anything else, which
    then goes through cryptography."""
    begin, end = b"-----BEGIN OPENSSH PRIVATE KEY-----", b"-----END OPENSSH PRIVATE KEY-----"
    start, stop = data.find(begin), data.find(end)
    if start < 0 or stop < start:
        return None
    try:
        blob = binascii.a2b_base64(data[start + len(begin):stop].translate(None, _WHITESPACE))
    except (binascii.Error, ValueError):
        return None
    magic = b"openssh-key-v1\0"
    if not blob.startswith(magic):
        return None
    pos, fields = len(magic), []
    for _ in range(3):  # cipher, kdf, kdf options
        n = int.from_bytes(blob[pos:pos + 4], "big")
        fields.append(blob[pos + 4:pos + 4 + n])
        pos += 4 + n
    if fields != [b"none", b"none", b""] or blob[pos:pos + 4] != b"\0\0\0\1":
        return None
    rest = _strings(blob, pos + 4, 2)
    if rest is None or len(rest[0]) != 51 or not rest[0].startswith(_KEY_PREFIX):
        return None
    section = rest[1]
    if len(section) % 8 or len(section) < 8 or section[:4] != section[4:8]:
        return None
    pos, parts = 8, []
    for _ in range(4):  # key type, public, private (seed + public), comment
        n = int.from_bytes(section[pos:pos + 4], "big")
        if pos + 4 + n > len(section):
            return None
        parts.append(section[pos + 4:pos + 4 + n])
        pos += 4 + n
    kind, public, private, _comment = parts
    padding = section[pos:]
    if kind != b"ssh-ed25519" or len(public) != 32 or len(private) != 64 \
            or private[32:] != public or public != rest[0][19:] \
            or padding != bytes(range(1, len(padding) + 1)):
        return None
    return private[:32], public


class _SodiumKey:
    """An Ed25519 private key signed with by libsodium; anything else asked of it (e.g.
    ``private_bytes``) goes to cryptography's key made from the same seed, on first use."""

    __slots__ = ("_secret", "public_raw", "_other")

    def __init__(self, seed: bytes, public: bytes) -> None:
        from .keys import sodium

        if not sodium.LOADED:
            raise ImportError("PyNaCl's libsodium is not installed")
        derived, secret = sodium.seed_keypair(seed)
        if derived != public:
            raise ValueError("the key pair does not match")
        self._secret, self.public_raw, self._other = secret, public, None

    def sign(self, message: bytes) -> bytes:
        from .keys import sodium

        return sodium.sign(message, self._secret)

    def __getattr__(self, name: str) -> Any:
        if self._other is None:
            from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

            self._other = Ed25519PrivateKey.from_private_bytes(self._secret[:32])
        return getattr(self._other, name)


class WrongPassphrase(KeyProblem):
    """The passphrase does not open the key (a terminal may ask again)."""


class PrivateKey:
    """An Ed25519 private key that makes SSHSIG signatures."""

    __slots__ = ("_key", "public")

    def __init__(self, key: Ed25519PrivateKey | _SodiumKey, comment: str = "") -> None:
        self._key = key
        raw = key.public_raw if isinstance(key, _SodiumKey) else key.public_key().public_bytes_raw()
        self.public = PublicKey(raw, comment)

    def __repr__(self) -> str:
        return f"PrivateKey({self.public.fingerprint})"

    @staticmethod
    def is_encrypted(path: PathLike) -> bool:
        """Whether the private key file at ``path`` needs a passphrase."""
        return _encrypted(_read_key_file(path))

    @classmethod
    def load(cls, path: PathLike, passphrase: bytes | None = None) -> PrivateKey:
        """Load an OpenSSH (or PEM PKCS#8) Ed25519 private key file."""
        data = _read_key_file(path)
        if data.lstrip().startswith((b"ssh-", b"ecdsa-", b"sk-")):
            raise KeyProblem(f"{path} is a public key; give the private key file")
        encrypted = _encrypted(data)
        if encrypted and passphrase is None:
            raise KeyProblem(f"key {path} is protected by a passphrase", hint=_PASSPHRASE_HINT)
        password = _as_bytes(passphrase) if encrypted else None
        plain = None if encrypted else _unencrypted_openssh_seed(data)
        if plain is not None:
            try:
                return cls(_SodiumKey(*plain))
            except (ImportError, ValueError):
                pass  # no PyNaCl, or an inconsistent pair: cryptography decides
        from cryptography.exceptions import UnsupportedAlgorithm
        from cryptography.hazmat.primitives import serialization as ser
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

        key: object
        try:
            if b"-----BEGIN OPENSSH PRIVATE KEY-----" in data:
                key = ser.load_ssh_private_key(data, password)
            elif b"-----BEGIN " in data and b"PRIVATE KEY-----" in data:
                key = ser.load_pem_private_key(data, password)
            else:
                raise KeyProblem(f"{path} is not an OpenSSH private key file")
        except UnsupportedAlgorithm:
            raise KeyProblem(f"key {path} uses an unsupported key type or cipher; {_ONLY_ED25519}") from None
        except (ValueError, TypeError):
            if encrypted:
                raise WrongPassphrase(f"wrong passphrase for key {path}", hint=_PASSPHRASE_HINT) from None
            raise KeyProblem(f"key {path} is not a valid private key file") from None
        if not isinstance(key, Ed25519PrivateKey):
            kind = type(key).__name__.replace("EllipticCurve", "ECDSA").replace("PrivateKey", "")
            raise KeyProblem(f"key {path} is not an Ed25519 key ({kind or 'other'}); {_ONLY_ED25519}")
        return cls(key)

    def sign(self, data: bytes, namespace: str = NAMESPACE) -> bytes:
        """Return the armored SSHSIG (sha512) exactly as ``ssh-keygen -Y sign -n namespace`` writes it."""
        if not namespace:
            raise ValueError("an SSH signature needs a namespace")
        sig = self._key.sign(signed_data(data, namespace))
        return armor(self.public.blob, namespace, _SIG_PREFIX + sig)


def signed_data(data: bytes, namespace: str = NAMESPACE) -> bytes:
    """What the key signs for ``data``: the SSHSIG signed-data blob, sha512 as ssh-keygen uses."""
    return _signed_message(namespace.encode(), b"sha512", data)


def armor(public_blob: bytes, namespace: str, signature_field: bytes) -> bytes:
    """The armored SSHSIG file (sha512) for a key's signature over :func:`signed_data`,
    exactly as ``ssh-keygen -Y sign -n namespace`` writes it."""
    blob = (_MAGIC + b"\0\0\0\x01" + _s(public_blob) + _s(namespace.encode()) + b"\0\0\0\0"
            + _s(b"sha512"))
    b64 = base64.b64encode(blob + _s(signature_field))
    return _BEGIN + b"\n".join(b64[i : i + 70] for i in range(0, len(b64), 70)) + b"\n" + _END + b"\n"


def _write_new(path: Path, content: bytes, mode: int) -> None:
    """Create ``path`` exclusively (never overwrite, never follow a link) with ``mode``, whatever the umask."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), mode)
    try:
        with os.fdopen(fd, "wb") as f:
            os.fchmod(f.fileno(), mode)
            f.write(content)
            f.flush()
            os.fsync(f.fileno())
    except OSError:
        os.unlink(path)
        raise


def _private_folders(folder: Path) -> None:
    """Create ``folder`` and its missing parents with mode 0700 (as ~/.ssh must be), whatever
    the umask; folders that exist are left as they are."""
    missing = []
    while not os.path.lexists(folder) and folder != folder.parent:
        missing.append(folder)
        folder = folder.parent
    for made in reversed(missing):
        try:
            os.mkdir(made, 0o700)
        except FileExistsError:
            continue
        os.chmod(made, 0o700)


def generate_key(path: PathLike, passphrase: bytes | None = None, comment: str = "") -> PrivateKey:
    """Write a new Ed25519 key: ``path`` (OpenSSH format, 0600) and ``path.pub`` (0644); the
    folders it creates for them are 0700."""
    if "\n" in comment or "\r" in comment:
        raise InputError("a key comment must be a single line")
    path, pub_path = Path(path), Path(f"{os.fspath(path)}.pub")
    for p in (path, pub_path):
        if os.path.lexists(p):
            raise KeyProblem(f"{p} already exists; refusing to overwrite it")
    from cryptography.hazmat.primitives import serialization as ser
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    key = Ed25519PrivateKey.generate()
    password = _as_bytes(passphrase)
    enc = ser.BestAvailableEncryption(password) if password else ser.NoEncryption()
    result = PrivateKey(key, comment)
    try:
        _private_folders(path.parent)
        _write_new(path, key.private_bytes(ser.Encoding.PEM, ser.PrivateFormat.OpenSSH, enc), 0o600)
    except FileExistsError:
        raise KeyProblem(f"{path} already exists; refusing to overwrite it") from None
    except OSError as exc:
        raise KeyProblem(f"cannot write key {path}: {exc.strerror}") from None
    try:
        line = result.public.openssh + (f" {comment}" if comment else "") + "\n"
        _write_new(pub_path, line.encode(), 0o644)
    except OSError as exc:
        path.unlink(missing_ok=True)  # ours: created with O_EXCL above
        raise KeyProblem(f"cannot write public key {pub_path}: {exc.strerror}") from None
    return result


def allowed_signers_line(principal: str, key: PublicKey, namespace: str = NAMESPACE, *,
                         valid_after: str | None = None, valid_before: str | None = None) -> str:
    """One ``allowed_signers`` line: ``principal namespaces="ns" ssh-ed25519 AAAA...``.

    ``valid_after`` / ``valid_before`` (``YYYYMMDDHHMMSSZ``, UTC) bound the key's validity
    as ssh-keygen sees it at ``-Overify-time``.
    """
    if not principal or principal.startswith("#") or any(c in principal for c in ' \t\r\n",*?!'):
        raise InputError(f"{principal!r} cannot be used as an allowed_signers principal")
    if not namespace or any(c in namespace for c in '"\r\n'):
        raise InputError(f"{namespace!r} cannot be used as a signature namespace")
    options = f'namespaces="{namespace}"'
    for name, value in (("valid-after", valid_after), ("valid-before", valid_before)):
        if value is not None:
            if not (len(value) == 15 and value[:14].isdigit() and value.endswith("Z")):
                raise InputError(f"{name} {value!r} must look like 20261125140000Z")
            options += f',{name}="{value}"'
    return f'{principal} {options} {key.openssh}'
