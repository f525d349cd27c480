"""Who is signing: the member and the private key, from flags, environment or git config.

Order (SPEC.md): ``--as`` / ``--key``, then ``COALITION_MEMBER`` /
``COALITION_KEY``, then git config ``coalition.member`` / ``coalition.key``
(or ``user.signingkey`` when it names an SSH key file), then
``~/.ssh/id_ed25519`` (or ``~/.ssh/id_ed25519_sk``, a hardware key's). With a key but
no member, the member is the one whose registry entry holds that key. The passphrase of
a protected key comes from a callback, so this module never prompts and never sees a
terminal; a callback with ``tries`` > 1 (a person at a terminal) is asked again after a
wrong passphrase, and its ``wrong(path)`` told so.

The key may be a public key file (``KEY.pub``) or a private one: when ssh-agent
(``SSH_AUTH_SOCK``) holds the key, the agent signs — no private key bytes are read and no
passphrase is asked. A public key file, or a hardware token's key file, signs only
through the agent; a private key the agent does not hold is loaded from its file.
``init`` records the key it used in the clone's ``coalition.key``, so the next command
finds it.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from .agenda import Agenda, Snapshot
from .errors import KeyProblem, NotPermitted
from .ids import check_slug
from .model import KeyEntry, Member
from .plainclass import dataclass

PassphraseSource = Callable[[Path], "bytes | None"]


@dataclass(frozen=True)
class Identity:
    member: Member
    key: object  # signing.PrivateKey, or keys.agent.AgentKey
    entry: KeyEntry

    @property
    def person(self) -> str | None:
        return self.entry.person

    def sign(self, data: bytes) -> bytes:
        return self.key.sign(data)  # type: ignore[attr-defined]


def _git_config(agenda: Agenda | None, name: str) -> str | None:
    if agenda is None:
        return None
    value = (agenda.git.config_get(name) or "").strip()
    return value or None


def key_path(agenda: Agenda | None, given: str | None) -> Path:
    """The private key file to sign with."""
    for source in (lambda: given, lambda: os.environ.get("COALITION_KEY"),
                   lambda: _git_config(agenda, "coalition.key")):  # a flag answers first
        candidate = source()
        if candidate:
            return Path(candidate).expanduser()
    signing = _git_config(agenda, "user.signingkey")
    if signing and not signing.startswith(("key::", "ssh-")):
        path = Path(signing).expanduser()
        private = path.with_suffix("") if path.suffix == ".pub" else path
        if private.is_file():
            return private
        if path.is_file():  # only the public half: the agent signs
            return path
    ssh = Path(os.environ.get("HOME", "~")).expanduser() / ".ssh"
    for name in DEFAULT_KEYS:
        if (ssh / name).is_file() or (ssh / f"{name}.pub").is_file():
            return ssh / name
    return ssh / DEFAULT_KEYS[0]


DEFAULT_KEYS = ("id_ed25519", "id_ed25519_sk")


def remember_key(git: object, path: Path) -> None:
    """Record ``path`` as this clone's key (git config ``coalition.key``): what every later
    command of this clone signs with, unless told otherwise."""
    git.run("config", "--local", "coalition.key", str(Path(path).expanduser().absolute()))  # type: ignore[attr-defined]


def load_signer(path: Path, passphrase: PassphraseSource | None = None) -> object:
    """What signs for the key at ``path``: ssh-agent when it holds the key (see the module's
    docstring), else the private key file (a ``signing.PrivateKey``)."""
    from .keys import agent, files
    from .signing import PublicKey

    pub = Path(f"{path}.pub")
    if not path.is_file() and not pub.is_file():
        return load_private_key(path, passphrase)  # the one "no private key at" error
    public_only = not path.is_file() or files.is_public_file(path)
    line = files.public_line(path if path.is_file() else pub)
    public = None
    if line is not None:
        try:
            public = PublicKey.from_openssh(line)
        except KeyProblem as exc:
            if public_only:
                raise KeyProblem(f"{path}: {exc.message}") from None
    if public is None and public_only:
        raise KeyProblem(f"{path} is not an OpenSSH public key file")
    if public is not None:
        needs_agent = public_only or files.is_token_handle(path)
        found = agent.find(public, private_file=None if public_only else path,
                           load_file=lambda p: load_private_key(p, passphrase),
                           required=needs_agent)
        if found is not None:
            return found
    return load_private_key(path, passphrase)


def load_private_key(path: Path, passphrase: PassphraseSource | None = None) -> object:
    """The private key file at ``path``, its passphrase asked (up to ``passphrase.tries``)."""
    from .signing import PrivateKey, WrongPassphrase

    if not path.is_file():
        raise KeyProblem(f"no private key at {path}",
                         hint="pass --key PATH or set COALITION_KEY; to sign with it in this clone "
                              "from now on: git config coalition.key PATH")
    if not PrivateKey.is_encrypted(path):
        return PrivateKey.load(path)
    tries = max(1, int(getattr(passphrase, "tries", 1)))
    for attempt in range(1, tries + 1):
        secret = passphrase(path) if passphrase else None
        if secret is None:
            raise KeyProblem(f"key {path} is protected by a passphrase",
                             hint="pass --passphrase-file F or set COALITION_PASSPHRASE_FILE")
        try:
            return PrivateKey.load(path, secret)
        except WrongPassphrase as exc:
            if attempt == tries:
                if tries > 1:
                    raise WrongPassphrase(f"wrong passphrase for key {path} ({tries} tries)",
                                          hint=exc.hint) from None
                raise
            getattr(passphrase, "wrong", lambda _path: None)(path)
    raise AssertionError("unreachable")  # pragma: no cover


def resolve(agenda: Agenda, snapshot: Snapshot, *, member: str | None = None,
            key: str | None = None, passphrase: PassphraseSource | None = None) -> Identity:
    """The signing identity, checked against the registry at ``snapshot``."""
    private = load_signer(key_path(agenda, key), passphrase)
    public = private.public.openssh  # type: ignore[attr-defined]
    fingerprint = private.public.fingerprint  # type: ignore[attr-defined]
    member_id = member or os.environ.get("COALITION_MEMBER") or _git_config(agenda, "coalition.member")
    if member_id:
        found = snapshot.member(check_slug(member_id, "member"))
    else:
        owner = snapshot.member_by_key(public)
        if owner is None:
            raise NotPermitted(f"key {fingerprint} is not registered to any member",
                               hint="ask a facilitator to run: coalition member add ... --key "
                                    "YOUR_KEY.pub")
        found = owner
    if not found.active:
        raise NotPermitted(f"member '{found.id}' has been removed from the registry")
    for entry in found.keys:
        if entry.key == public:
            if entry.revoked:
                raise NotPermitted(f"key {fingerprint} of '{found.id}' was revoked on {entry.revoked}")
            return Identity(found, private, entry)
    raise NotPermitted(f"key {fingerprint} is not a key of member '{found.id}'",
                       hint="pass the right key with --key, or ask a facilitator to register it")
