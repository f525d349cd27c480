"""Signing through ssh-agent (draft-miller-ssh-agent), over the unix socket ``SSH_AUTH_SOCK``.

Each message is uint32 length · byte type · contents (``string`` = uint32 length + bytes):

* ``SSH_AGENTC_REQUEST_IDENTITIES`` (11) → ``SSH_AGENT_IDENTITIES_ANSWER`` (12):
  uint32 count, then per key string key blob · string comment;
* ``SSH_AGENTC_SIGN_REQUEST`` (13): string key blob · string data · uint32 flags (0)
  → ``SSH_AGENT_SIGN_RESPONSE`` (14): string signature, the very field an SSHSIG file
  carries (``ssh-ed25519`` · sig, or ``sk-ssh-ed25519@openssh.com`` · sig · flags · counter);
* ``SSH_AGENT_FAILURE`` (5) for a refusal (key not held, confirmation denied, token
  not touched in time).

The data signed is the SSHSIG signed-data blob (``signing.signed_data``), and the
answer is armored by ``signing.armor``: the same bytes ``ssh-keygen -Y sign`` writes
when it signs through the agent. Every signature the agent returns is checked here
before it is used — a wrong or touch-less one is refused, nothing written.
"""

from __future__ import annotations

import os
import struct
from collections.abc import Callable
from pathlib import Path

from ..errors import KeyProblem, SignatureInvalid

TYPE_CHECKING = False
if TYPE_CHECKING:  # imported where a connection is made
    import socket

FAILURE = 5
REQUEST_IDENTITIES = 11
IDENTITIES_ANSWER = 12
SIGN_REQUEST = 13
SIGN_RESPONSE = 14
MAX_MESSAGE = 256 * 1024  # OpenSSH's AGENT_MAX_LEN
LIST_TIMEOUT = 10.0
SIGN_TIMEOUT = 120.0  # a hardware token waits for a touch, a confirm (-c) key for a click


def _s(b: bytes) -> bytes:
    return struct.pack(">I", len(b)) + b


def socket_path() -> str | None:
    """The agent's socket from ``SSH_AUTH_SOCK``, or None when no agent is set up."""
    return os.environ.get("SSH_AUTH_SOCK") or None


class Agent:
    """One ssh-agent, reached at ``path``; each request opens its own connection."""

    def __init__(self, path: str) -> None:
        self.path = path

    def _request(self, kind: int, body: bytes, timeout: float) -> tuple[int, bytes]:
        import socket  # only when an agent is asked: a key file signs without it

        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
                conn.settimeout(timeout)
                conn.connect(self.path)
                conn.sendall(struct.pack(">IB", len(body) + 1, kind) + body)
                size = int.from_bytes(_read(conn, 4), "big")
                if not 1 <= size <= MAX_MESSAGE:
                    raise KeyProblem(f"ssh-agent at {self.path} sent a malformed answer")
                answer = _read(conn, size)
        except TimeoutError:
            raise KeyProblem(f"ssh-agent at {self.path} did not answer in {timeout:.0f} s",
                             hint="a hardware key waits for a touch; a key added with "
                                  "ssh-add -c for a confirmation") from None
        except OSError as exc:
            raise KeyProblem(f"cannot reach ssh-agent at {self.path}: "
                             f"{exc.strerror or type(exc).__name__}",
                             hint="start one (eval $(ssh-agent)) or unset SSH_AUTH_SOCK") from None
        return answer[0], answer[1:]

    def identities(self) -> list[tuple[bytes, str]]:
        """(key blob, comment) of every key the agent holds."""
        kind, body = self._request(REQUEST_IDENTITIES, b"", LIST_TIMEOUT)
        if kind != IDENTITIES_ANSWER or len(body) < 4:
            raise KeyProblem(f"ssh-agent at {self.path} would not list its keys")
        count, pos, found = int.from_bytes(body[:4], "big"), 4, []
        for _ in range(count):
            blob, pos = _string(body, pos)
            comment, pos = _string(body, pos)
            if blob is None or comment is None:
                raise KeyProblem(f"ssh-agent at {self.path} sent a malformed key list")
            found.append((blob, comment.decode("utf-8", "replace")))
        return found

    def sign(self, key_blob: bytes, data: bytes, what: str) -> bytes:
        """The agent's signature field over ``data`` by the key ``key_blob`` (``what`` names it)."""
        kind, body = self._request(SIGN_REQUEST, _s(key_blob) + _s(data) + b"\0\0\0\0",
                                   SIGN_TIMEOUT)
        if kind == FAILURE:
            raise KeyProblem(f"ssh-agent refused to sign with key {what}",
                             hint="a hardware key must be touched (and its PIN given); a key "
                                  "added with ssh-add -c must be confirmed")
        signature, end = _string(body, 0) if kind == SIGN_RESPONSE else (None, 0)
        if signature is None or end != len(body):
            raise KeyProblem(f"ssh-agent at {self.path} sent a malformed signature")
        return signature


def _read(conn: socket.socket, n: int) -> bytes:
    chunks, left = [], n
    while left:
        chunk = conn.recv(min(left, 65536))
        if not chunk:
            raise ConnectionResetError(0, "the agent closed the connection")
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def _string(buf: bytes, pos: int) -> tuple[bytes | None, int]:
    n = int.from_bytes(buf[pos : pos + 4], "big")
    if pos + 4 > len(buf) or pos + 4 + n > len(buf):
        return None, pos
    return buf[pos + 4 : pos + 4 + n], pos + 4 + n


class AgentKey:
    """A signer whose private half ssh-agent holds (a file's key loaded with ``ssh-add``, or a
    hardware token's): ``public`` and ``sign`` as ``signing.PrivateKey`` has them."""

    __slots__ = ("_load_file", "agent", "private_file", "public")

    def __init__(self, agent: Agent, public: object, private_file: Path | None = None,
                 load_file: Callable[[Path], object] | None = None) -> None:
        self.agent = agent
        self.public = public  # signing.PublicKey
        self.private_file = private_file
        self._load_file = load_file

    def __repr__(self) -> str:
        return f"AgentKey({self.public.fingerprint})"  # type: ignore[attr-defined]

    def sign(self, data: bytes, namespace: str | None = None) -> bytes:
        """The armored SSHSIG over ``data``, byte-identical to ``ssh-keygen -Y sign`` through
        the agent; checked before it is returned."""
        from .. import signing

        ns = namespace or signing.NAMESPACE
        fp = self.public.fingerprint  # type: ignore[attr-defined]
        field = self.agent.sign(self.public.blob, signing.signed_data(data, ns), fp)  # type: ignore[attr-defined]
        armored = signing.armor(self.public.blob, ns, field)  # type: ignore[attr-defined]
        try:
            good = signing.verify(data, armored, ns) == self.public
        except SignatureInvalid as exc:  # the agent's answer is not a good signature
            raise KeyProblem(f"ssh-agent's signature with key {fp} is not usable: {exc.message}",
                             hint="coalition requires a touch of the security key for every "
                                  "signature (a key made with -O no-touch-required cannot sign)"
                             if "touch" in exc.message else None) from None
        if not good:
            raise KeyProblem(f"ssh-agent signed with another key than {fp}")
        return armored

    def file_key(self) -> object:
        """The private key file behind this agent key, loaded (for what only a file can do:
        opening a confidential comment); KeyProblem when there is none."""
        if self.private_file is None or self._load_file is None:
            raise KeyProblem(f"key {self.public.fingerprint} is only in ssh-agent: opening a "  # type: ignore[attr-defined]
                             "confidential comment needs its private key file",
                             hint="pass --key PRIVATE_KEY_FILE")
        return self._load_file(self.private_file)


def find(public: object, *, private_file: Path | None = None,
         load_file: Callable[[Path], object] | None = None, required: bool = False) -> AgentKey | None:
    """The agent's signer for ``public`` (a signing.PublicKey), or None when there is no agent,
    it cannot be reached, or it does not hold the key — KeyProblem instead when ``required``
    (the key is only a public key: the agent is the only way to sign)."""
    path = socket_path()
    fp = public.fingerprint  # type: ignore[attr-defined]
    if path is None:
        if required:
            raise KeyProblem(f"key {fp} is a public key and no ssh-agent is running "
                             "(SSH_AUTH_SOCK is not set)",
                             hint="start ssh-agent and load the key with ssh-add, or pass the "
                                  "private key file with --key")
        return None
    agent = Agent(path)
    try:
        held = agent.identities()
    except KeyProblem:
        if required:
            raise
        return None
    if any(blob == public.blob for blob, _comment in held):  # type: ignore[attr-defined]
        return AgentKey(agent, public, private_file, load_file)
    if required:
        raise KeyProblem(f"ssh-agent does not hold key {fp} ({len(held)} key(s) loaded)",
                         hint="load it with: ssh-add PRIVATE_KEY_FILE (a hardware key: ssh-add -K)")
    return None
