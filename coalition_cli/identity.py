"""Who is signing: the member and the private key, from flags, environment or git config.

Order (SPEC.md): ``--as`` / ``--key``, then ``COALITION_MEMBER`` /
``COALITION_KEY``, then git config ``coalition.member`` / ``coalition.key``
(or ``user.signingkey`` when it names an SSH key file), then
``~/.ssh/id_ed25519``. With a key but no member, the member is the one whose
registry entry holds that key. The passphrase of a protected key comes from a
callback, so this module never prompts and never sees a terminal.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .agenda import Agenda, Snapshot
from .errors import KeyProblem, NotPermitted
from .ids import check_slug
from .model import KeyEntry, Member

PassphraseSource = Callable[[Path], "bytes | None"]


@dataclass(frozen=True)
class Identity:
    member: Member
    key: object  # signing.PrivateKey
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
    return Path(os.environ.get("HOME", "~")).expanduser() / ".ssh" / "id_ed25519"


def load_private_key(path: Path, passphrase: PassphraseSource | None = None) -> object:
    from .signing import PrivateKey

    if not path.is_file():
        raise KeyProblem(f"no private key at {path}",
                         hint="pass --key PATH, set COALITION_KEY, or make one with: "
                              "coalition key generate --out PATH")
    secret = None
    if PrivateKey.is_encrypted(path):
        secret = passphrase(path) if passphrase else None
        if secret is None:
            raise KeyProblem(f"key {path} is protected by a passphrase",
                             hint="pass --passphrase-file F or set COALITION_PASSPHRASE_FILE")
    return PrivateKey.load(path, secret)


def resolve(agenda: Agenda, snapshot: Snapshot, *, member: str | None = None,
            key: str | None = None, passphrase: PassphraseSource | None = None) -> Identity:
    """The signing identity, checked against the registry at ``snapshot``."""
    private = load_private_key(key_path(agenda, key), passphrase)
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
