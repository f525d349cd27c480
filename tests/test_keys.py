"""Keys the way people have them: the key ``init`` makes is the one the next command finds;
hardware-token keys (``sk-ssh-ed25519@openssh.com``) verify; passphrases are asked again on
a terminal; new key folders are private.

No token is plugged in here, so a token's signatures are made in this file from an Ed25519
seed (:class:`TokenKey` — the math a FIDO token does), and stock ``ssh-keygen -Y verify``
checks first that what the test builds is a real sk signature.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import stat
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from conftest import Coalition, git, make_key, repo_state
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st

from coalition_cli import actions, signing
from coalition_cli.errors import SignatureInvalid
from coalition_cli.identity import Identity
from coalition_cli.keys import sk
from coalition_cli.model import now

SSH_KEYGEN = shutil.which("ssh-keygen")
needs_ssh_keygen = pytest.mark.skipif(SSH_KEYGEN is None, reason="ssh-keygen is not installed")
ROOT = Path(__file__).resolve().parents[1]


class TokenKey:
    """What a FIDO token does for ``sk-ssh-ed25519@openssh.com``, from a seed: sign
    SHA256(application) · flags · counter · SHA256(SSHSIG signed data) with Ed25519."""

    def __init__(self, seed: bytes, application: bytes = b"ssh:", flags: int = sk.USER_PRESENCE):
        self._key = Ed25519PrivateKey.from_private_bytes(seed)
        self.application, self.flags, self.counter = application, flags, 0
        self.public = signing.PublicKey(self._key.public_key().public_bytes_raw(), "token",
                                        application)

    def field(self, message: bytes) -> bytes:
        """The signature field a token returns for the SSHSIG ``message`` (counter moves on)."""
        self.counter += 1
        sig = self._key.sign(sk.token_message(self.application, self.flags, self.counter, message))
        return sk.signature_field(sig, self.flags, self.counter)

    def sign(self, data: bytes, namespace: str = signing.NAMESPACE) -> bytes:
        return signing.armor(self.public.blob, namespace,
                             self.field(signing.signed_data(data, namespace)))

    def write_public(self, path: Path) -> Path:
        path.write_text(f"{self.public.openssh} token@example\n", encoding="utf-8")
        return path


def ssh_verify(folder: Path, key: signing.PublicKey, data: bytes, armored: bytes) -> bool:
    """Stock ``ssh-keygen -Y verify`` of ``armored`` over ``data`` by ``key``."""
    (folder / "allowed").write_text(signing.allowed_signers_line("signer", key) + "\n")
    (folder / "msg.sig").write_bytes(armored)
    proc = subprocess.run([SSH_KEYGEN, "-Y", "verify", "-f", str(folder / "allowed"), "-I",
                           "signer", "-n", signing.NAMESPACE, "-s", str(folder / "msg.sig")],
                          input=data, capture_output=True, timeout=60)
    return proc.returncode == 0


def _with_field(armored: bytes, edit) -> bytes:
    """``armored`` with its sk signature field's (sig, flags, counter) changed by ``edit``."""
    parsed = signing.parse_signature(armored)
    sig, flags, counter = edit(parsed.signature, parsed.flags, parsed.counter)
    return signing.armor(parsed.public_key.blob, parsed.namespace,
                         sk.signature_field(sig, flags, counter))


# --- hardware-token keys ----------------------------------------------------------------------


@needs_ssh_keygen
def test_token_signatures_verify_as_ssh_keygen_verifies_them(tmp_path: Path) -> None:
    token = TokenKey(bytes(range(32)))
    data = b"v: 1\ntype: comment\ntext: a token signed this\n"
    armored = token.sign(data)
    assert ssh_verify(tmp_path, token.public, data, armored)  # the test's token is a real one
    assert signing.verify(data, armored) == token.public
    assert signing.verify_detached_fast(data, armored) == token.public
    parsed = signing.parse_signature(armored)
    assert (parsed.flags, parsed.counter, parsed.public_key.application) == (1, 1, b"ssh:")
    # the fingerprint is ssh-keygen's
    pub = token.write_public(tmp_path / "token.pub")
    lf = subprocess.run([SSH_KEYGEN, "-lf", str(pub)], capture_output=True, text=True, check=True)
    assert lf.stdout.split()[1] == token.public.fingerprint
    assert "(ED25519-SK)" in lf.stdout
    assert signing.PublicKey.from_file(pub) == token.public
    assert signing.PublicKey.from_file(pub).openssh == token.public.openssh


@needs_ssh_keygen
@pytest.mark.parametrize("what", ["flags", "counter", "data", "application", "plain-key"])
def test_a_tampered_token_signature_is_refused(tmp_path: Path, what: str) -> None:
    token = TokenKey(bytes(range(1, 33)), flags=sk.USER_PRESENCE | sk.USER_VERIFIED)
    data = b"the words as signed\n"
    armored = token.sign(data)
    if what == "flags":
        bad = _with_field(armored, lambda s, f, c: (s, f ^ sk.USER_VERIFIED, c))
    elif what == "counter":
        bad = _with_field(armored, lambda s, f, c: (s, f, c + 1))
    elif what == "application":  # the same Ed25519 key registered for another application
        other = signing.PublicKey(token.public.raw, "", b"ssh:other")
        parsed = signing.parse_signature(armored)
        bad = signing.armor(other.blob, parsed.namespace,
                            sk.signature_field(parsed.signature, parsed.flags, parsed.counter))
    elif what == "plain-key":  # the token's raw signature passed off as a plain Ed25519 one
        parsed = signing.parse_signature(armored)
        plain = signing.PublicKey(token.public.raw)
        bad = signing.armor(plain.blob, parsed.namespace,
                            signing._SIG_PREFIX + parsed.signature)
    else:
        bad, data = armored, data + b"!"
    assert not ssh_verify(tmp_path, signing.parse_signature(bad).public_key, data, bad)
    assert signing.verify_detached_fast(data, bad) is None
    with pytest.raises(SignatureInvalid):
        signing.verify(data, bad)


@needs_ssh_keygen
def test_a_signature_made_without_a_touch_is_refused(tmp_path: Path) -> None:
    """OpenSSH 9.2's ``ssh-keygen -Y verify`` takes a signature without the user-presence
    flag; coalition does not (keys/sk.py says why)."""
    token = TokenKey(bytes(range(2, 34)), flags=0)
    data = b"signed by malware while the token was plugged in\n"
    armored = token.sign(data)
    assert ssh_verify(tmp_path, token.public, data, armored)
    assert signing.verify_detached_fast(data, armored) is None
    with pytest.raises(SignatureInvalid, match="without being touched"):
        signing.verify(data, armored)


def test_malformed_token_keys_and_signatures_are_refused() -> None:
    token = TokenKey(bytes(range(3, 35)))
    blob = token.public.blob
    assert sk.split_public_blob(blob) == (token.public.raw, b"ssh:")
    for bad in (blob + b"x", blob[:-1], blob[:-8] + b"\0\0\0\x04ss\0:",
                sk.public_blob(token.public.raw, b"")):
        assert sk.split_public_blob(bad) is None
    armored = token.sign(b"x")
    parsed = signing.parse_signature(armored)
    field = sk.signature_field(parsed.signature, parsed.flags, parsed.counter)
    for bad_field in (field[:-1], field + b"\0"):
        forged = signing.armor(blob, signing.NAMESPACE, bad_field)
        with pytest.raises(SignatureInvalid, match="malformed"):
            signing.parse_signature(forged)
        assert signing.verify_detached_fast(b"x", forged) is None


def test_member_add_registers_a_hardware_key_and_its_records_verify(
        coalition: Coalition, cli, tmp_path: Path) -> None:
    """``member add --key token.pub``; a comment the token signed passes ``coalition verify``
    (the bulk path and the trust rules); the same comment with its counter changed by plain
    git does not."""
    token = TokenKey(bytes(range(4, 36)))
    pub = token.write_public(tmp_path / "id_ed25519_sk.pub")
    cli.cwd = coalition.root
    cli("member", "add", "tok", "--name", "Token Org", "--sector", "advocacy", "--role", "member",
        "--key", pub, "--person", "Ana", "--signing-key", coalition.key("sec"))
    shown = json.loads(cli("member", "show", "tok", "--format", "json").stdout)
    assert token.public.fingerprint in json.dumps(shown)
    actions.round_open(coalition.agenda, coalition.who("sec"), "r1", title="Round one",
                       closes=now() + timedelta(days=10))
    snap = actions.verified(coalition.agenda)
    member = snap.member("tok")
    assert member.keys[0].key == token.public.openssh
    written = actions.comment_add(coalition.agenda, Identity(member, token, member.keys[0]),
                                  principle="P01", stance="support", text="Signed by touch.")
    cli("verify")
    listed = json.loads(cli("comment", "list", "--format", "json").stdout)
    assert [c["member"] for c in listed] == ["tok"]
    # plain git: the signature's counter changed (a replayed or edited token signature)
    rel = Path(written.path)
    sig_file = coalition.root / f"{rel}.sig"
    sig_file.write_bytes(_with_field(sig_file.read_bytes(), lambda s, f, c: (s, f, c + 7)))
    git(coalition.root, "commit", "-qam", "edit the signature")
    bad = cli("verify", code=None)
    assert bad.exit_code != 0
    assert f"bad-signature: {rel}: signature does not match the data" in bad.stdout


def test_a_hardware_key_cannot_be_read_confidentially_but_can_sign(coalition: Coalition) -> None:
    """age has no recipient type for sk keys: a facilitator's token key is left out of the
    recipients (the comment still encrypts to the others), never an error."""
    from coalition_cli.confidential import facilitator_keys

    token = TokenKey(bytes(range(5, 37)))
    sec = coalition.who("sec")
    actions.member_add(coalition.agenda, sec, "sec", name="Secretariat", sector="network",
                       roles=["facilitator", "staff"], keys=[(token.public, "Token")])
    keys = facilitator_keys(actions.verified(coalition.agenda))
    assert sec.key.public.openssh in keys and token.public.openssh not in keys


# --- init records its key ---------------------------------------------------------------------


def test_init_without_key_makes_one_the_next_command_finds(cli, tmp_path: Path,
                                                           hermetic: Path) -> None:
    ssh = hermetic / ".ssh"
    assert not ssh.exists()
    made = json.loads(cli("init", "repo", "--name", "C", "--facilitator", "sec",
                          "--format", "json").stdout)
    key = ssh / "coalition_sec_ed25519"
    assert made["generated"] and made["key"] == str(key)
    assert stat.S_IMODE(ssh.stat().st_mode) == 0o700
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    repo = tmp_path / "repo"
    assert git(repo, "config", "--local", "coalition.key").strip() == str(key)
    cli.cwd = repo
    assert cli("principle", "add", "First", "--body", "Words.").stdout.strip() == "P01"
    # in a real process too, and the next init in another folder reuses nothing by accident
    proc = subprocess.run([sys.executable, "-m", "coalition_cli", "principle", "add", "Second",
                           "--body", "More words."], cwd=repo, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=120)
    assert (proc.returncode, proc.stdout.strip()) == (0, "P02"), proc.stderr


def test_init_records_the_key_it_was_given(cli, tmp_path: Path) -> None:
    key = make_key(tmp_path / "keys", "sec")
    text = cli("init", "repo", "--name", "C", "--facilitator", "sec", "--key", key).stdout
    assert "coalition.key" in text
    repo = tmp_path / "repo"
    assert git(repo, "config", "coalition.key").strip() == str(key)
    cli.cwd = repo
    cli("principle", "add", "First", "--body", "Words.")


def test_init_help_says_where_the_key_goes(cli) -> None:
    text = " ".join(cli("init", "--help").stdout.split())
    assert "coalition.key" in text and "ssh-agent" in text
    assert "generated if missing" not in text


def test_new_key_folders_are_private_whatever_the_umask(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        signing.generate_key(tmp_path / "a" / "b" / "key")
    finally:
        os.umask(old)
    for folder in (tmp_path / "a", tmp_path / "a" / "b"):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE((tmp_path / "a" / "b" / "key").stat().st_mode) == 0o600
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o755)
    os.chmod(shared, 0o755)
    signing.generate_key(shared / "key")
    assert stat.S_IMODE(shared.stat().st_mode) == 0o755


def test_key_generate_without_a_terminal_asks_nothing(cli, tmp_path: Path) -> None:
    cli("key", "generate", "--out", tmp_path / "k")
    assert not signing.PrivateKey.is_encrypted(tmp_path / "k")


def test_a_refused_agent_key_writes_nothing(coalition: Coalition, cli, tmp_path: Path) -> None:
    """A public key file with no agent: one error line, the repository untouched."""
    actions.round_open(coalition.agenda, coalition.who("sec"), "r1", title="Round one",
                       closes=now() + timedelta(days=10))
    before = repo_state(coalition.root)
    cli.cwd = coalition.root
    result = cli("comment", "add", "-p", "P01", "-s", "support", "--text", "x",
                 "--key", f"{coalition.key('health')}.pub", code=3)
    lines = result.stderr.strip().splitlines()
    assert lines[0].startswith("error: key SHA256:") and "no ssh-agent" in lines[0]
    assert [line for line in lines if line.startswith("error:")] == lines[:1]
    assert repo_state(coalition.root) == before


# --- passphrases at a terminal ----------------------------------------------------------------


@pytest.fixture
def protected_member(coalition: Coalition, tmp_path: Path) -> tuple[Coalition, Path]:
    key = make_key(tmp_path / "ana-keys", "ana", passphrase=b"right one")
    actions.member_add(coalition.agenda, coalition.who("sec"), "ana", name="Ana Org",
                       sector="advocacy", roles=["member"],
                       keys=[(signing.PublicKey.from_file(f"{key}.pub"), "Ana")])
    actions.round_open(coalition.agenda, coalition.who("sec"), "r1", title="Round one",
                       closes=now() + timedelta(days=10))
    return coalition, key


def _comment(key: Path) -> list[str]:
    return ["comment", "add", "-p", "P01", "-s", "support", "--text", "Typed at a terminal.",
            "--key", str(key)]


def test_a_wrong_passphrase_is_asked_again_three_times(protected_member) -> None:
    from test_editor import Terminal

    c, key = protected_member
    before = repo_state(c.root)
    term = Terminal(c.root, _comment(key), {})
    for _attempt in range(3):
        _answer(term, f"Passphrase for {key}: ".encode(), "hunter2x\r")
    code, text = term.finish()
    assert code == 3, text
    assert text.count(f"Passphrase for {key}: ") == 3
    assert text.count("Wrong passphrase, try again.") == 2
    errors = [line for line in text.splitlines() if line.startswith("error:")]
    assert errors == [f"error: wrong passphrase for key {key} (3 tries)"]
    assert "hunter2x" not in text  # never echoed
    assert repo_state(c.root) == before


def test_the_right_passphrase_after_a_wrong_one_signs(protected_member) -> None:
    from test_editor import Terminal

    c, key = protected_member
    term = Terminal(c.root, _comment(key), {})
    _answer(term, b"Passphrase for", "wrong\r")
    _answer(term, b"Passphrase for", "right one\r")
    code, text = term.finish()
    assert code == 0, text
    assert "/comments/ana/" in git(c.root, "show", "--stat", "HEAD")


def _answer(term, prompt: bytes, keys: str) -> None:
    """Wait for one more ``prompt`` than answered so far, then type ``keys`` (getpass drops
    what was typed before its prompt)."""
    import time

    seen = getattr(term, "answered", {})
    want = seen.get(prompt, 0) + 1
    deadline = time.monotonic() + 60
    while term.output.count(prompt) < want:
        assert time.monotonic() < deadline, f"never saw {prompt!r} #{want}: {term.output!r}"
        assert term._read(0.2) or term.output.count(prompt) >= want, term.output
    seen[prompt] = want
    term.answered = seen
    term.send(keys)


def test_key_generate_offers_a_passphrase_typed_twice(tmp_path: Path) -> None:
    from test_editor import Terminal

    out = tmp_path / "new" / "id"
    term = Terminal(tmp_path, ["key", "generate", "--out", str(out)], {})
    _answer(term, b"(empty for none): ", "first try\r")
    _answer(term, b"The same passphrase again: ", "first tyr\r")
    _answer(term, b"(empty for none): ", "second try\r")
    _answer(term, b"The same passphrase again: ", "second try\r")
    code, text = term.finish()
    assert code == 0, text
    assert text.count("The two passphrases differ, try again.") == 1
    assert signing.PrivateKey.is_encrypted(out)
    loaded = signing.PrivateKey.load(out, b"second try")
    assert loaded.public == signing.PublicKey.from_file(f"{out}.pub")
    assert stat.S_IMODE(out.parent.stat().st_mode) == 0o700
    assert "second try" not in text  # never echoed


def test_an_empty_passphrase_means_none_and_says_so(tmp_path: Path) -> None:
    from test_editor import Terminal

    out = tmp_path / "id"
    term = Terminal(tmp_path, ["key", "generate", "--out", str(out)], {})
    _answer(term, b"(empty for none): ", "\r")
    code, text = term.finish()
    assert code == 0, text
    assert "No passphrase: anyone who can read the key file can sign as you." in text
    assert not signing.PrivateKey.is_encrypted(out)


def test_init_at_a_terminal_protects_the_key_it_makes(tmp_path: Path, hermetic: Path) -> None:
    from test_editor import Terminal

    term = Terminal(tmp_path, ["init", "repo", "--name", "C", "--facilitator", "sec"], {})
    _answer(term, b"(empty for none): ", "founder secret\r")
    _answer(term, b"again: ", "founder secret\r")
    code, text = term.finish()
    assert code == 0, text
    key = hermetic / ".ssh" / "coalition_sec_ed25519"
    assert signing.PrivateKey.is_encrypted(key)
    assert git(tmp_path / "repo", "config", "coalition.key").strip() == str(key)


def test_a_facilitator_signing_with_a_hardware_key_keeps_the_registry_verified(
        coalition: Coalition, cli) -> None:
    """The trust rules (registry ledger, facilitator-signed principles) take sk signatures."""
    token = TokenKey(bytes(range(6, 38)))
    sec = coalition.who("sec")
    actions.member_add(coalition.agenda, sec, "sec", name="Secretariat", sector="network",
                       roles=["facilitator", "staff"], keys=[(token.public, "Token")])
    snap = actions.verified(coalition.agenda)
    member = snap.member("sec")
    entry = next(e for e in member.keys if e.key == token.public.openssh)
    by_token = Identity(member, token, entry)
    actions.principle_add(coalition.agenda, by_token, "Signed by touch", "Words a token signed.")
    actions.member_add(coalition.agenda, by_token, "newcomer", name="Newcomer Org",
                       sector="advocacy", roles=["member"],
                       keys=[(signing.PrivateKey.load(make_key(coalition.root.parent / "nk",
                                                               "n")).public, None)])
    cli.cwd = coalition.root
    cli("verify")
    titles = [p["title"] for p in json.loads(cli("principle", "list", "--format", "json").stdout)]
    assert titles[-1] == "Signed by touch"
    assert "newcomer" in actions.verified(coalition.agenda).members


@settings(max_examples=150)
@given(st.data())
def test_no_single_byte_change_of_a_token_signature_verifies(data) -> None:
    token = TokenKey(bytes(range(7, 39)))
    message = b"principle: P01\nstance: support\n"
    armored = token.sign(message)
    blob = signing.parse_signature(armored).blob
    at = data.draw(st.integers(0, len(blob) - 1))
    value = data.draw(st.integers(0, 255).filter(lambda v: v != blob[at]))
    changed = blob[:at] + bytes([value]) + blob[at + 1 :]
    b64 = base64.b64encode(changed)
    forged = (b"-----BEGIN SSH SIGNATURE-----\n" + b"\n".join(
        b64[i : i + 70] for i in range(0, len(b64), 70)) + b"\n-----END SSH SIGNATURE-----\n")
    assert signing.verify_detached_fast(message, forged) is None
    with pytest.raises(SignatureInvalid):
        signing.verify(message, forged)
