"""Signing through ssh-agent: a real ``ssh-agent`` started by the test, a passphrase-protected
key loaded with a real ``ssh-add``, comments signed through the CLI by the agent (no
passphrase given, the key named by its ``.pub``), checked by stock ``ssh-keygen -Y verify``
and byte-identical to ``ssh-keygen -Y sign`` through the same agent.

A hardware token cannot be plugged in here: a small agent in this file holds a
:class:`test_keys.TokenKey` and answers the same protocol, as ssh-agent does for a token.
"""

from __future__ import annotations

import os
import shutil
import socket
import struct
import subprocess
import tempfile
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from conftest import Coalition, git, make_key, repo_state
from test_keys import TokenKey, ssh_verify

from coalition_cli import actions, signing
from coalition_cli.errors import KeyProblem
from coalition_cli.keys import agent as agent_mod
from coalition_cli.model import now

PASSPHRASE = "a long passphrase, typed never"
pytestmark = pytest.mark.skipif(not (shutil.which("ssh-agent") and shutil.which("ssh-add")),
                                reason="OpenSSH's ssh-agent and ssh-add are not installed")


@pytest.fixture
def agent(monkeypatch: pytest.MonkeyPatch):
    """A real ssh-agent on its own socket (short path: unix sockets allow ~100 bytes)."""
    folder = Path(tempfile.mkdtemp(prefix="agent-", dir="/tmp"))
    sock = folder / "s"
    proc = subprocess.Popen(["ssh-agent", "-D", "-a", str(sock)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 30
        while not sock.exists():
            assert proc.poll() is None and time.monotonic() < deadline, "ssh-agent did not start"
            time.sleep(0.02)
        monkeypatch.setenv("SSH_AUTH_SOCK", str(sock))
        yield sock
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        shutil.rmtree(folder, ignore_errors=True)


def ssh_add(sock: Path, key: Path, passphrase: str | None = None) -> None:
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "SSH_AUTH_SOCK": str(sock),
           "HOME": os.environ["HOME"]}
    if passphrase is not None:
        askpass = key.parent / "askpass.sh"
        askpass.write_text(f"#!/bin/sh\nprintf '%s\\n' '{passphrase}'\n", encoding="utf-8")
        askpass.chmod(0o700)
        env.update(SSH_ASKPASS=str(askpass), SSH_ASKPASS_REQUIRE="force", DISPLAY=":0")
    proc = subprocess.run(["ssh-add", str(key)], env=env, stdin=subprocess.DEVNULL,
                          capture_output=True, timeout=60, start_new_session=True)
    assert proc.returncode == 0, proc.stderr.decode()


@pytest.fixture
def protected(coalition: Coalition, tmp_path: Path) -> tuple[Coalition, Path]:
    """Member `ana` with a passphrase-protected key; round r1 open."""
    key = make_key(tmp_path / "ana-keys", "ana", passphrase=PASSPHRASE.encode())
    assert signing.PrivateKey.is_encrypted(key)
    public = signing.PublicKey.from_file(f"{key}.pub")
    actions.member_add(coalition.agenda, coalition.who("sec"), "ana", name="Ana Org",
                       sector="advocacy", roles=["member"], keys=[(public, "Ana")])
    actions.round_open(coalition.agenda, coalition.who("sec"), "r1", title="Round one",
                       closes=now() + timedelta(days=10))
    return coalition, key


def head_record(repo: Path) -> tuple[str, bytes, bytes]:
    names = git(repo, "diff-tree", "-r", "--no-commit-id", "--name-only", "HEAD").split()
    path = next(n for n in names if n.endswith(".yaml"))
    data = subprocess.run(["git", "show", f"HEAD:{path}"], cwd=repo, capture_output=True,
                          check=True).stdout
    sig = subprocess.run(["git", "show", f"HEAD:{path}.sig"], cwd=repo, capture_output=True,
                         check=True).stdout
    return path, data, sig


@pytest.mark.parametrize("named", ["public", "private"])
def test_a_comment_signed_by_the_agent_verifies_with_stock_ssh_keygen(
        agent: Path, protected, cli, tmp_path: Path, named: str) -> None:
    c, key = protected
    ssh_add(agent, key, PASSPHRASE)
    cli.cwd = c.root
    given = f"{key}.pub" if named == "public" else str(key)
    # no passphrase file, no terminal: only the agent can sign (the file would need one)
    cli("comment", "add", "-p", "P01", "-s", "support", "--text", "Signed by the agent.",
        "--key", given)
    path, data, sig = head_record(c.root)
    assert "/comments/ana/" in path
    public = signing.PublicKey.from_file(f"{key}.pub")
    assert ssh_verify(tmp_path, public, data, sig)
    # byte for byte what ssh-keygen -Y sign writes through the same agent
    (tmp_path / "m").write_bytes(data)
    proc = subprocess.run(["ssh-keygen", "-Y", "sign", "-f", f"{key}.pub", "-n",
                           signing.NAMESPACE, str(tmp_path / "m")], capture_output=True,
                          timeout=60, env={**os.environ, "SSH_AUTH_SOCK": str(agent)},
                          stdin=subprocess.DEVNULL)
    assert proc.returncode == 0, proc.stderr.decode()
    assert (tmp_path / "m.sig").read_bytes() == sig
    cli("verify")


def test_the_agent_signs_what_the_key_file_signs(agent: Path, tmp_path: Path) -> None:
    key = make_key(tmp_path / "k", "alice")
    ssh_add(agent, key)
    public = signing.PublicKey.from_file(f"{key}.pub")
    signer = agent_mod.find(public, required=True)
    assert signer is not None
    for data in (b"", b"x", "déjà vu\n".encode() * 500):
        assert signer.sign(data) == signing.PrivateKey.load(key).sign(data)


def test_an_agent_without_the_key_gives_one_clear_error(agent: Path, protected, cli,
                                                        tmp_path: Path) -> None:
    c, key = protected
    other = make_key(tmp_path / "other", "other")
    ssh_add(agent, other)  # the agent holds a key, not this one
    before = repo_state(c.root)
    cli.cwd = c.root
    result = cli("comment", "add", "-p", "P01", "-s", "support", "--text", "x",
                 "--key", f"{key}.pub", code=3)
    fp = signing.PublicKey.from_file(f"{key}.pub").fingerprint
    lines = result.stderr.strip().splitlines()
    assert lines[0] == f"error: ssh-agent does not hold key {fp} (1 key(s) loaded)"
    assert lines[1].startswith("hint: load it with: ssh-add")
    assert len(lines) == 2
    assert repo_state(c.root) == before


def test_a_private_key_the_agent_lacks_is_read_from_its_file(agent: Path, protected, cli,
                                                            tmp_path: Path) -> None:
    """A stale agent is no reason to refuse: the file signs, its passphrase from the file."""
    c, key = protected
    secret = tmp_path / "pass"
    secret.write_text(PASSPHRASE + "\n", encoding="utf-8")
    cli.cwd = c.root
    cli("comment", "add", "-p", "P01", "-s", "support", "--text", "From the file.",
        "--key", key, "--passphrase-file", secret)
    cli("verify")


def test_an_unreachable_agent_is_named(protected, cli, monkeypatch, tmp_path: Path) -> None:
    c, key = protected
    monkeypatch.setenv("SSH_AUTH_SOCK", str(tmp_path / "no-agent-here"))
    cli.cwd = c.root
    result = cli("comment", "add", "-p", "P01", "-s", "support", "--text", "x",
                 "--key", f"{key}.pub", code=3)
    assert result.stderr.startswith(f"error: cannot reach ssh-agent at {tmp_path}")


# --- a token behind the agent -----------------------------------------------------------------


class TokenAgent:
    """An agent holding one :class:`TokenKey` (as ssh-agent holds a token's key handle and
    the token signs): REQUEST_IDENTITIES and SIGN_REQUEST, FAILURE for anything else."""

    def __init__(self, token: TokenKey, folder: Path) -> None:
        self.token, self.path, self.lenient = token, str(folder / "t"), False
        self.server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.server.bind(self.path)
        self.server.listen(4)
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            with conn:
                size = int.from_bytes(conn.recv(4), "big")
                body = b""
                while len(body) < size:
                    body += conn.recv(size - len(body))
                conn.sendall(self._answer(body[0], body[1:]))

    def _answer(self, kind: int, body: bytes) -> bytes:
        s = lambda b: struct.pack(">I", len(b)) + b
        if kind == agent_mod.REQUEST_IDENTITIES:
            reply = bytes([agent_mod.IDENTITIES_ANSWER]) + struct.pack(">I", 1) + s(
                self.token.public.blob) + s(b"token")
        elif kind == agent_mod.SIGN_REQUEST:
            n = int.from_bytes(body[:4], "big")
            blob, rest = body[4 : 4 + n], body[4 + n :]
            m = int.from_bytes(rest[:4], "big")
            if blob != self.token.public.blob and not self.lenient:
                reply = bytes([agent_mod.FAILURE])
            else:
                reply = bytes([agent_mod.SIGN_RESPONSE]) + s(self.token.field(rest[4 : 4 + m]))
        else:
            reply = bytes([agent_mod.FAILURE])
        return s(reply)

    def close(self) -> None:
        # wake the thread blocked in accept() and wait for it before the descriptor is
        # freed: else it may accept, on the same number reused by the next test's agent,
        # the next test's requests and answer them with this token (a flaky pass)
        try:
            self.server.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.thread.join(timeout=10)
        self.server.close()


@pytest.fixture
def token_member(coalition: Coalition, cli, tmp_path: Path, monkeypatch):
    token = TokenKey(bytes(range(9, 41)))
    folder = Path(tempfile.mkdtemp(prefix="tok-", dir="/tmp"))
    served = TokenAgent(token, folder)
    monkeypatch.setenv("SSH_AUTH_SOCK", served.path)
    pub = token.write_public(tmp_path / "id_ed25519_sk.pub")
    cli.cwd = coalition.root
    cli("member", "add", "tok", "--name", "Token Org", "--sector", "advocacy", "--role",
        "member", "--key", pub, "--signing-key", coalition.key("sec"))
    actions.round_open(coalition.agenda, coalition.who("sec"), "r1", title="Round one",
                       closes=now() + timedelta(days=10))
    yield coalition, token, pub
    served.close()
    shutil.rmtree(folder, ignore_errors=True)


def test_a_token_signs_a_comment_through_the_agent(token_member, cli, tmp_path: Path) -> None:
    c, token, pub = token_member
    cli("comment", "add", "-p", "P02", "-s", "amend", "--text", "Touched.", "--key", pub)
    _path, data, sig = head_record(c.root)
    assert ssh_verify(tmp_path, token.public, data, sig)
    assert signing.parse_signature(sig).counter == token.counter
    cli("verify")


def test_a_token_signature_without_a_touch_is_refused_before_writing(token_member, cli) -> None:
    c, token, pub = token_member
    token.flags = 0  # a key made with -O no-touch-required
    before = repo_state(c.root)
    result = cli("comment", "add", "-p", "P02", "-s", "amend", "--text", "x", "--key", pub,
                 code=3)
    assert result.stderr.startswith(f"error: ssh-agent's signature with key "
                                    f"{token.public.fingerprint} is not usable")
    assert "touch" in result.stderr
    assert repo_state(c.root) == before


def test_an_agent_refusing_or_signing_with_another_key_is_refused(tmp_path: Path) -> None:
    token, impostor = TokenKey(bytes(range(10, 42))), TokenKey(bytes(range(11, 43)))
    folder = Path(tempfile.mkdtemp(prefix="tok-", dir="/tmp"))
    served = TokenAgent(impostor, folder)
    try:
        signer = agent_mod.AgentKey(agent_mod.Agent(served.path), token.public)
        with pytest.raises(KeyProblem, match="ssh-agent refused to sign with key SHA256:"):
            signer.sign(b"x")  # the agent does not hold it: SSH_AGENT_FAILURE
        served.lenient = True  # now it answers anyway, with its own key's signature
        with pytest.raises(KeyProblem, match="is not usable: signature does not match"):
            signer.sign(b"x")
    finally:
        served.close()
        shutil.rmtree(folder, ignore_errors=True)


def test_init_with_a_key_in_the_agent_founds_and_remembers_it(agent: Path, cli,
                                                              tmp_path: Path) -> None:
    key = make_key(tmp_path / "k", "founder", passphrase=PASSPHRASE.encode())
    ssh_add(agent, key, PASSPHRASE)
    fp = signing.PublicKey.from_file(f"{key}.pub").fingerprint
    out = cli("init", "repo", "--name", "C", "--facilitator", "sec", "--key", f"{key}.pub")
    assert fp in out.stdout
    repo = tmp_path / "repo"
    assert git(repo, "config", "coalition.key").strip() == f"{key}.pub"
    cli.cwd = repo
    cli("principle", "add", "First", "--body", "Signed by the agent.")  # the recorded .pub
    result = cli("verify", "--format", "json").stdout
    assert fp in result and '"pinned"' in result
