"""The trusted state at one commit: which version of each governed file is trusted.

Governed files are those only a facilitator may change and that only move forward: the
registry (``members/``), the settings (``coalition.yaml``), the principles and their
translations (``P03-slug.fr.md``, see ``coalition_cli.translations``), and each
round's ``round.yaml`` and ``closing.yaml``. Everything else under ``rounds/`` is a
record (``is_record``), judged at the head (``trust.rules``).
"""

from __future__ import annotations

from ..model import Config, Member
from ..plainclass import dataclass, field

CONFIG = "coalition.yaml"


def kind_of(rel: str) -> str | None:
    """The governed kind of a path inside the agenda, or None."""
    if rel.count("/") > 2:  # a record (rounds/r1/comments/m/x.yaml): nothing governed is deeper
        return None
    parts = rel.split("/")
    if rel == CONFIG:
        return "config"
    if len(parts) == 2 and parts[0] == "members" and parts[1].endswith(".yaml"):
        return "member"
    if len(parts) == 2 and parts[0] == "principles" and parts[1].endswith(".md"):
        from ..translations import is_translation

        # a principle's text in another language of the agenda (P03-slug.fr.md)
        return "translation" if is_translation(parts[1]) else "principle"
    if len(parts) == 3 and parts[0] == "rounds" and parts[2] in ("round.yaml", "closing.yaml"):
        return parts[2][:-5]
    return None


def is_record(rel: str) -> bool:
    """A signed record under ``rounds/`` that is not governed (comments, responses, …)."""
    parts = rel.split("/")
    return len(parts) >= 4 and parts[0] == "rounds" and rel.endswith(".yaml")


@dataclass(frozen=True)
class Version:
    """A trusted version of a governed file."""

    blob: str
    sig: str
    signer: str  # "ssh-ed25519 …"
    order: str  # updated_at (or the like): versions of one file never go back


@dataclass
class State:
    """The trusted state at one commit. Shared (never changed) by every commit that changes
    nothing governed; a commit that does gets a new one."""

    files: dict[str, Version] = field(default_factory=dict)  # rel path -> trusted version
    founders: frozenset[str] | None = None  # None: trust on first use, not yet seen
    members: dict[str, Member] = field(default_factory=dict)
    config: Config | None = None

    def derive(self) -> State:
        self.facilitator_keys = frozenset(
            e.key for m in self.members.values() if m.has_role("facilitator")
            for e in m.keys if not e.revoked)
        self.owner = {e.key: (m, e) for m in self.members.values() for e in m.keys}
        return self

    def lost(self, key: str) -> bool:
        """Has ``key`` lost its authority (revoked, or its member removed)?"""
        owner = self.owner.get(key)
        return owner is not None and (bool(owner[1].revoked) or not owner[0].active)


__all__ = ["State", "Version", "kind_of", "is_record", "CONFIG"]
