"""SSHSIG signing and verification, checked against stock ``ssh-keygen`` in both directions."""

from __future__ import annotations

import base64
import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization as ser
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coalition_cli.errors import KeyProblem, SignatureInvalid
from coalition_cli.signing import (
    NAMESPACE, PrivateKey, PublicKey, allowed_signers_line, generate_key, parse_signature, verify,
    verify_detached_fast,
)

SSH_KEYGEN = shutil.which("ssh-keygen")
needs_ssh = pytest.mark.skipif(SSH_KEYGEN is None, reason="ssh-keygen is not installed")
PASSPHRASE = b"correct horse battery"
DATA = [b"", b"hello\n", bytes(range(256)) * 3, "comment: ünïcode ✓\n".encode() * 500]
NO_ENCRYPTION = ser.NoEncryption()
FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture(autouse=True)
def _hermetic_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    monkeypatch.setenv("HOME", str(home))


def keygen(*args: str, cwd: Path, stdin: bytes = b"", askpass: bool = False) -> subprocess.CompletedProcess[bytes]:
    """Run ssh-keygen with a private HOME; ``askpass`` feeds PASSPHRASE through SSH_ASKPASS."""
    env = {"HOME": str(cwd), "PATH": os.environ.get("PATH", "/usr/bin:/bin")}
    if askpass:
        script = cwd / "askpass.sh"
        script.write_text(f"#!/bin/sh\necho '{PASSPHRASE.decode()}'\n")
        script.chmod(0o700)
        env.update(SSH_ASKPASS=str(script), SSH_ASKPASS_REQUIRE="force")
    assert SSH_KEYGEN is not None
    return subprocess.run([SSH_KEYGEN, *args], input=stdin, cwd=cwd, env=env, capture_output=True)


@pytest.fixture(scope="module")
def keydir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Keys made once by ssh-keygen: ``alice`` (plain), ``locked`` (passphrase), ``mallory``."""
    if SSH_KEYGEN is None:
        pytest.skip("ssh-keygen is not installed")
    d = tmp_path_factory.mktemp("keys")
    for name, pw in (("alice", b""), ("locked", PASSPHRASE), ("mallory", b"")):
        keygen("-q", "-t", "ed25519", "-N", pw.decode(), "-C", f"{name}@example", "-f", name, cwd=d)
    alice = PublicKey.from_file(d / "alice.pub")
    lines = [allowed_signers_line("alice", alice), allowed_signers_line("alice", alice, "ab")]
    (d / "allowed").write_text("\n".join(lines) + "\n")
    return d


@pytest.fixture(scope="module")
def tool_key(tmp_path_factory: pytest.TempPathFactory) -> PrivateKey:
    return generate_key(tmp_path_factory.mktemp("tool") / "id_ed25519", comment="tool")


def ssh_verify(d: Path, data: bytes, sig: bytes, principal: str = "alice", namespace: str = NAMESPACE) -> bool:
    (d / "x.sig").write_bytes(sig)
    r = keygen("-Y", "verify", "-f", "allowed", "-I", principal, "-n", namespace, "-s", "x.sig", cwd=d, stdin=data)
    return r.returncode == 0


def ssh_sign(d: Path, key: str, data: bytes, *opts: str, askpass: bool = False) -> bytes:
    (d / "m").write_bytes(data)
    (d / "m.sig").unlink(missing_ok=True)
    r = keygen("-Y", "sign", "-f", key, "-n", NAMESPACE, *opts, "m", cwd=d, askpass=askpass)
    assert r.returncode == 0, r.stderr
    return (d / "m.sig").read_bytes()


# --- interoperability with ssh-keygen ---------------------------------------------------------


@needs_ssh
@pytest.mark.parametrize("data", DATA, ids=["empty", "line", "binary", "long"])
def test_tool_signature_is_byte_identical_and_ssh_keygen_accepts_it(keydir: Path, data: bytes) -> None:
    sig = PrivateKey.load(keydir / "alice").sign(data)
    assert sig == ssh_sign(keydir, "alice", data)
    assert ssh_verify(keydir, data, sig)
    assert verify(data, sig) == PublicKey.from_file(keydir / "alice.pub")


@needs_ssh
def test_passphrase_key_loads_signs_identically(keydir: Path) -> None:
    with pytest.raises(KeyProblem, match="protected by a passphrase") as exc:
        PrivateKey.load(keydir / "locked")
    assert exc.value.hint and "COALITION_PASSPHRASE_FILE" in exc.value.hint
    with pytest.raises(KeyProblem, match="wrong passphrase") as exc:
        PrivateKey.load(keydir / "locked", b"hunter2")
    assert "hunter2" not in str(exc.value) + str(exc.value.hint)
    assert PrivateKey.is_encrypted(keydir / "locked") and not PrivateKey.is_encrypted(keydir / "alice")
    key = PrivateKey.load(keydir / "locked", PASSPHRASE)
    assert key.public == PublicKey.from_file(keydir / "locked.pub")
    assert key.sign(b"data\n") == ssh_sign(keydir, "locked", b"data\n", askpass=True)


@needs_ssh
@pytest.mark.parametrize("hashalg", ["sha512", "sha256"])
def test_ssh_keygen_signatures_verify_with_tool(keydir: Path, hashalg: str) -> None:
    data = b"signed by hand\n"
    sig = ssh_sign(keydir, "alice", data, "-O", f"hashalg={hashalg}")
    parsed = parse_signature(sig)
    assert (parsed.namespace, parsed.hash_algorithm, len(parsed.signature)) == (NAMESPACE, hashalg, 64)
    alice = PublicKey.from_file(keydir / "alice.pub")
    assert verify(data, sig) == alice
    assert verify_detached_fast(data, sig) is verify_detached_fast(data, sig) == alice


@needs_ssh
def test_fingerprint_matches_ssh_keygen(keydir: Path) -> None:
    for name in ("alice", "locked"):
        out = keygen("-lf", f"{name}.pub", cwd=keydir).stdout.decode().split()
        key = PublicKey.from_file(keydir / f"{name}.pub")
        assert (key.fingerprint, key.comment) == (out[1], f"{name}@example")


def _armor(blob: bytes, width: int = 70) -> bytes:
    b64 = base64.b64encode(blob)
    body = b"\n".join(b64[i : i + width] for i in range(0, len(b64), width))
    return b"-----BEGIN SSH SIGNATURE-----\n" + body + b"\n-----END SSH SIGNATURE-----\n"


def _cases(keydir: Path) -> dict[str, tuple[bytes, bytes]]:
    """Variants of one signed record: ``ok ...`` cases ssh-keygen accepts, the rest it rejects."""
    data = b"title: x\nbody: |\n  hello\n"
    alice, mallory = PrivateKey.load(keydir / "alice"), PrivateKey.load(keydir / "mallory")
    sig = alice.sign(data)
    blob, lines = parse_signature(sig).blob, sig.split(b"\n")
    spaced = [lines[0], *(b" " + x + b"\t\r" for x in lines[1:-2]), *lines[-2:]]
    tail = 4 + 6 + 4 + 83  # string "sha512" · string signature, after the reserved field
    forged = parse_signature(mallory.sign(data)).blob.replace(mallory.public.raw, alice.public.raw)
    return {
        "ok wrapped at 64": (data, _armor(blob, 64)),
        "ok one line": (data, _armor(blob, 1000)),
        "ok whitespace in body": (data, b"\n".join(spaced)),
        "ok junk after END": (data, sig + b"junk\n"),
        "ok no final newline": (data, sig[:-1]),
        "ok reserved field set": (data, _armor(blob[: -tail - 4] + b"\0\0\0\1x" + blob[-tail:])),
        "wrong namespace": (data, alice.sign(data, "other-namespace")),
        "flipped byte": (data[:3] + bytes([data[3] ^ 1]) + data[4:], sig),
        "crlf data": (data.replace(b"\n", b"\r\n"), sig),
        "key swapped in": (data, _armor(forged)),
        "truncated sig": (data, sig[: len(sig) // 2]),
        "cut blob": (data, sig[:100] + sig[-29:]),
        "garbage sig": (data, b"not a signature at all\n"),
        "crlf sig": (data, sig.replace(b"\n", b"\r\n")),
        "trailing blob data": (data, _armor(blob + b"\0")),
        "leading newline": (data, b"\n" + sig),
    }


@needs_ssh
@pytest.mark.parametrize("case", [
    "ok wrapped at 64", "ok one line", "ok whitespace in body", "ok junk after END", "ok no final newline",
    "ok reserved field set", "wrong namespace", "flipped byte", "crlf data", "key swapped in", "truncated sig",
    "cut blob", "garbage sig", "crlf sig", "trailing blob data", "leading newline",
])
def test_tool_and_ssh_keygen_agree(keydir: Path, case: str) -> None:
    data, sig = _cases(keydir)[case]
    accepted = case.startswith("ok ")
    assert ssh_verify(keydir, data, sig) is accepted
    if accepted:
        assert verify(data, sig) == fast_both(data, sig) == PublicKey.from_file(keydir / "alice.pub")
    else:
        with pytest.raises(SignatureInvalid):
            verify(data, sig)
        assert fast_both(data, sig) is None


def fast_both(data: bytes, sig: bytes):  # noqa: ANN201
    """``verify_detached_fast`` with libsodium (PyNaCl) and with OpenSSL (cryptography): the
    bulk path's two Ed25519 checks must give the same answer."""
    from coalition_cli import signing

    assert signing._load_sodium() is not None  # PyNaCl is a dependency
    sodium = verify_detached_fast(data, sig)
    signing._SODIUM[:] = [None]
    try:
        openssl = verify_detached_fast(data, sig)
    finally:
        signing._SODIUM[:] = []
    assert sodium == openssl
    return sodium


@needs_ssh
def test_non_canonical_base64_rejected_like_ssh_keygen(keydir: Path) -> None:
    sig = PrivateKey.load(keydir / "alice").sign(b"x", "ab")  # this blob's base64 ends in "=="
    i = sig.index(b"==") - 1
    alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    bad = sig[:i] + bytes([alphabet[alphabet.index(sig[i]) ^ 1]]) + sig[i + 1 :]  # sets an unused pad bit
    assert ssh_verify(keydir, b"x", sig, namespace="ab") and not ssh_verify(keydir, b"x", bad, namespace="ab")
    with pytest.raises(SignatureInvalid, match="base64"):
        verify(b"x", bad, "ab")


@needs_ssh
def test_wrong_principal_or_signer(keydir: Path) -> None:
    data = b"x\n"
    sig, by_mallory = (PrivateKey.load(keydir / name).sign(data) for name in ("alice", "mallory"))
    assert ssh_verify(keydir, data, sig) and not ssh_verify(keydir, data, sig, principal="bob")
    with pytest.raises(SignatureInvalid, match="namespace"):
        verify(data, sig, "other-namespace")
    # A valid signature by another key names that key; callers compare it with the member's key.
    assert not ssh_verify(keydir, data, by_mallory)
    assert verify(data, by_mallory) == PublicKey.from_file(keydir / "mallory.pub") != verify(data, sig)


@needs_ssh
@pytest.mark.parametrize("passphrase", [None, PASSPHRASE])
def test_generate_key_is_readable_by_ssh_keygen(tmp_path: Path, passphrase: bytes | None) -> None:
    path = tmp_path / "keys" / "id_ed25519"
    key = generate_key(path, passphrase, comment="carol@example")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(Path(f"{path}.pub").stat().st_mode) == 0o644
    assert Path(f"{path}.pub").read_text() == f"{key.public.openssh} carol@example\n"
    r = keygen("-y", "-P", (passphrase or b"").decode(), "-f", str(path), cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert r.stdout.decode().split()[:2] == key.public.openssh.split()
    assert keygen("-lf", f"{path}.pub", cwd=tmp_path).stdout.decode().split()[1] == key.public.fingerprint
    assert PrivateKey.is_encrypted(path) is (passphrase is not None)
    assert PrivateKey.load(path, passphrase).public == key.public
    Path(f"{path}.pub").unlink()
    with pytest.raises(KeyProblem, match="already exists"):
        generate_key(path)  # the private half alone is enough to refuse
    assert PrivateKey.load(path, passphrase).public == key.public


@needs_ssh
def test_unsupported_key_type_and_hash(keydir: Path) -> None:
    keygen("-q", "-t", "ecdsa", "-N", "", "-f", "ecdsa", cwd=keydir)
    with pytest.raises(SignatureInvalid, match="'ecdsa-sha2-nistp256': only Ed25519"):
        verify(b"x\n", ssh_sign(keydir, "ecdsa", b"x\n"))
    with pytest.raises(KeyProblem, match="only Ed25519"):
        PrivateKey.load(keydir / "ecdsa")
    blob = parse_signature(PrivateKey.load(keydir / "alice").sign(b"x")).blob
    with pytest.raises(SignatureInvalid, match="unsupported hash algorithm 'sha1'"):
        verify(b"x", _armor(blob.replace(b"\0\0\0\6sha512", b"\0\0\0\4sha1")))


# --- keys, errors and formats without ssh-keygen -----------------------------------------------


def test_generate_refuses_existing_files(tmp_path: Path) -> None:
    (tmp_path / "k.pub").write_text("keep me\n")
    with pytest.raises(KeyProblem, match="already exists"):
        generate_key(tmp_path / "k")
    assert not (tmp_path / "k").exists() and (tmp_path / "k.pub").read_text() == "keep me\n"
    generate_key(tmp_path / "j")
    with pytest.raises(KeyProblem, match="already exists"):
        generate_key(tmp_path / "j")
    with pytest.raises(ValueError, match="namespace"):
        PrivateKey.load(tmp_path / "j").sign(b"x", "")


def test_public_key_parsing(tmp_path: Path, tool_key: PrivateKey) -> None:
    pub = tool_key.public
    again = PublicKey.from_openssh(pub.openssh + "  some comment ")
    assert again == pub and hash(again) == hash(pub) and again.comment == "some comment"
    assert {pub, again} == {pub} and len(pub.raw) == 32 and "AAAA" not in repr(pub)
    for other in ("ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC7 me@host", "ecdsa-sha2-nistp256 AAAAE2VjZHNh me@host"):
        with pytest.raises(KeyProblem, match="only Ed25519"):
            PublicKey.from_openssh(other)
    for bad in ("", "ssh-ed25519", "ssh-ed25519 !!!!", "ssh-ed25519 " + base64.b64encode(b"short").decode()):
        with pytest.raises(KeyProblem):
            PublicKey.from_openssh(bad)
    with pytest.raises(KeyProblem, match="missing.pub"):
        PublicKey.from_file(tmp_path / "missing.pub")


def test_private_key_errors_name_path_and_hide_secrets(tmp_path: Path) -> None:
    with pytest.raises(KeyProblem, match="nothing-here"):
        PrivateKey.load(tmp_path / "nothing-here")
    secret = Ed25519PrivateKey.generate().private_bytes(ser.Encoding.PEM, ser.PrivateFormat.OpenSSH, NO_ENCRYPTION)
    (tmp_path / "id").write_bytes(secret)
    with pytest.raises(KeyProblem) as exc:
        PublicKey.from_file(tmp_path / "id")
    body = secret.decode().splitlines()[1]
    assert body not in str(exc.value) and "private key" in str(exc.value)
    (tmp_path / "junk").write_bytes(b"-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n" b"-----END OPENSSH PRIVATE KEY-----\n")
    with pytest.raises(KeyProblem, match="junk"):
        PrivateKey.load(tmp_path / "junk")


@pytest.mark.parametrize("passphrase", [None, b"pkcs8 pass"])
def test_pem_pkcs8_keys_load(tmp_path: Path, passphrase: bytes | None) -> None:
    raw = Ed25519PrivateKey.generate()
    enc = ser.BestAvailableEncryption(passphrase) if passphrase else ser.NoEncryption()
    (tmp_path / "k.pem").write_bytes(raw.private_bytes(ser.Encoding.PEM, ser.PrivateFormat.PKCS8, enc))
    assert PrivateKey.is_encrypted(tmp_path / "k.pem") is (passphrase is not None)
    key = PrivateKey.load(tmp_path / "k.pem", passphrase)
    assert key.public.raw == raw.public_key().public_bytes_raw()
    if passphrase:
        with pytest.raises(KeyProblem, match="wrong passphrase"):
            PrivateKey.load(tmp_path / "k.pem", b"wrong")


def test_allowed_signers_line(tool_key: PrivateKey) -> None:
    line = allowed_signers_line("m-alice", tool_key.public)
    assert line == f'm-alice namespaces="coalition-cli" {tool_key.public.openssh}'
    for bad in ("", "two words", 'q"uote', "a,b", "#x", "wild*"):
        with pytest.raises(Exception, match="principal"):
            allowed_signers_line(bad, tool_key.public)


# --- property tests ------------------------------------------------------------------------------


@FUZZ
@given(data=st.binary(max_size=2048), namespace=st.text(min_size=1, max_size=30).filter(lambda s: "\0" not in s))
def test_sign_verify_round_trip(tmp_path: Path, tool_key: PrivateKey, data: bytes, namespace: str) -> None:
    sig = tool_key.sign(data, namespace)
    assert verify(data, sig, namespace) == tool_key.public
    assert verify_detached_fast(data, sig, namespace) == tool_key.public
    assert parse_signature(sig).namespace == namespace
    if namespace != NAMESPACE:
        assert verify_detached_fast(data, sig) is None


@FUZZ
@given(blob=st.binary(max_size=400))
def test_parse_signature_only_raises_signature_invalid(tmp_path: Path, blob: bytes) -> None:
    for candidate in (blob, _armor(b"SSHSIG" + blob)):
        try:
            parse_signature(candidate)  # may parse: the structure is checked, not the signature
        except SignatureInvalid as exc:
            assert exc.exit_code == 3 and len(exc.message) < 120
        assert verify_detached_fast(b"x", candidate) is None


@FUZZ
@given(position=st.integers(min_value=0), value=st.integers(0, 255), data=st.binary(max_size=64))
def test_mutated_signatures_never_crash(
    tmp_path: Path, tool_key: PrivateKey, position: int, value: int, data: bytes
) -> None:
    sig = bytearray(tool_key.sign(data))
    sig[position % len(sig)] = value
    try:
        signer = verify(data, bytes(sig))
    except SignatureInvalid:
        assert fast_both(data, bytes(sig)) is None
    else:
        assert signer == tool_key.public == fast_both(data, bytes(sig))


def _general_decode(armored: bytes):  # noqa: ANN202
    """``_decode`` with its fixed-layout reading of the commonest signature turned off."""
    from coalition_cli import signing

    size, signing._PLAIN_SIZE = signing._PLAIN_SIZE, -1  # noqa: SLF001
    try:
        return signing._decode(armored)  # noqa: SLF001
    finally:
        signing._PLAIN_SIZE = size  # noqa: SLF001


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=64), namespace=st.sampled_from([NAMESPACE, "other", "coalition-clj"]),
       hashalg=st.sampled_from(["sha512", "sha256"]))
def test_the_fixed_layout_reading_is_the_general_one(
        tool_key: PrivateKey, data: bytes, namespace: str, hashalg: str) -> None:
    """A signature of this tool's own layout (Ed25519, its namespace, SHA-512) is read at
    fixed offsets; every signature — that layout, others, each byte of either changed in
    the decoded blob, the blob a byte longer or shorter — reads as the general reader
    reads it."""
    from coalition_cli import signing

    blob = parse_signature(tool_key.sign(data, namespace)).blob
    if hashalg == "sha256":  # the same fields with another hash's name: not the fixed layout
        blob = blob.replace(b"\0\0\0\x06sha512", b"\0\0\0\x06sha256")
    candidates = [blob, blob + b"\0", blob[:-1]]
    for at in range(len(blob)):
        for flip in (0x01, 0x80):
            candidates.append(blob[:at] + bytes([blob[at] ^ flip]) + blob[at + 1:])
    for candidate in candidates:
        armored = _armor(candidate)
        assert signing._decode(armored) == _general_decode(armored)  # noqa: SLF001
    assert (signing._decode(_armor(blob))[1] == NAMESPACE.encode()) == (namespace == NAMESPACE)  # noqa: SLF001


def test_the_fixed_layout_is_what_this_tool_signs(tool_key: PrivateKey) -> None:
    """The offsets are those of the signatures this tool makes (else the reading above
    would never be taken, and prove nothing)."""
    from coalition_cli import signing

    blob = parse_signature(tool_key.sign(b"x")).blob
    assert len(blob) == signing._PLAIN_SIZE and blob.startswith(signing._PLAIN_HEAD)  # noqa: SLF001
    assert blob[signing._PLAIN_KEY_AT:signing._PLAIN_KEY_END] == tool_key.public.raw  # noqa: SLF001


# --- libsodium called directly (keys.sodium) -------------------------------------------------


@FUZZ
@given(seed=st.binary(min_size=32, max_size=32), message=st.binary(max_size=300),
       flip=st.integers(0, 10_000))
def test_direct_libsodium_is_pynacls_ed25519(seed: bytes, message: bytes, flip: int) -> None:
    """``keys.sodium`` — libsodium through PyNaCl's compiled module, no ``nacl.bindings`` —
    makes PyNaCl's keys and signatures byte for byte, accepts what PyNaCl accepts and refuses
    what it refuses: a flipped bit of the signature, the message or the key."""
    from nacl.bindings import crypto_sign, crypto_sign_open, crypto_sign_seed_keypair
    from nacl.exceptions import BadSignatureError

    from coalition_cli.keys import sodium

    assert sodium.LOADED
    public, secret = sodium.seed_keypair(seed)
    assert (public, secret) == crypto_sign_seed_keypair(seed)
    sig = sodium.sign(message, secret)
    assert sig == crypto_sign(message, secret)[:64]
    assert sodium.verify(sig, message, public)
    parts = [bytearray(sig), bytearray(message), bytearray(public)]
    which = parts[flip % 3] if (flip % 3 != 1 or message) else parts[0]
    which[flip // 3 % len(which)] ^= 1 << (flip % 8)
    bad_sig, bad_message, bad_public = (bytes(p) for p in parts)
    try:
        crypto_sign_open(bad_sig + bad_message, bad_public)
        pynacl = True
    except BadSignatureError:
        pynacl = False
    assert sodium.verify(bad_sig, bad_message, bad_public) is pynacl is False


def test_direct_libsodium_checks_every_length() -> None:
    """libsodium reads fixed lengths past the pointer it is given: a short or long key,
    signature, secret or seed is refused here, before the call."""
    from coalition_cli.keys import sodium

    public, secret = sodium.seed_keypair(bytes(32))
    sig = sodium.sign(b"m", secret)
    for bad in (sig[:63], sig + b"\0"):
        assert sodium.verify(bad, b"m", public) is False
    for bad in (public[:31], public + b"\0", b""):
        assert sodium.verify(sig, b"m", bad) is False
    for call, bad in ((sodium.sign, secret[:63]), (sodium.seed_keypair, bytes(31))):
        with pytest.raises(ValueError):
            call(b"m", bad) if call is sodium.sign else call(bad)
