"""What needs me: a member's own comments and their answers; for a facilitator, what awaits.

Built from verified records only (``verify.Verified``), like every report:

* ``mine`` — each comment of my organisation: its round, principle, stance, state
  (active / withdrawn / superseded), the disposition it received (or ``awaiting``), my
  acknowledgement of it, and ``todo: acknowledge`` when an active comment was answered and
  not yet acknowledged;
* for a facilitator, ``awaiting`` — every active comment without a response, and
  ``not_responded`` — the voting members with no stance in the open (else the latest)
  round.

Who "me" is comes from the same places as for signing (``--as``, ``COALITION_MEMBER``,
``coalition.member``, else the member owning the key), but only the public half of the
key is needed when ``KEY.pub`` lies beside it: listing never asks for a passphrase.
"""

from __future__ import annotations

import os
from pathlib import Path

from .agenda import Agenda, Snapshot
from .errors import NotPermitted
from .model import Member

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = ["whoami", "what_needs_me"]


def whoami(agenda: Agenda, snap: Snapshot, *, member: str | None = None,
           key: str | None = None, passphrase: Any = None) -> Member:
    """The member the user acts as, from the registry at ``snap``."""
    from .identity import _git_config, key_path, load_private_key
    from .ids import check_slug

    member_id = member or os.environ.get("COALITION_MEMBER") or _git_config(agenda,
                                                                            "coalition.member")
    if member_id:
        return snap.member(check_slug(member_id, "member"))
    from .keys.files import public_line

    path = key_path(agenda, key)
    line = public_line(path) if path.is_file() else public_line(Path(f"{path}.pub"))
    if line is not None:  # KEY.pub, the key itself, or an OpenSSH key's clear public part
        from .signing import PublicKey

        public = PublicKey.from_openssh(line)
    else:
        public = load_private_key(path, passphrase).public  # type: ignore[attr-defined]
    owner = snap.member_by_key(public.openssh)
    if owner is None:
        raise NotPermitted(f"key {public.fingerprint} is not registered to any member",
                           hint="say who you are with --as MEMBER")
    return owner


def what_needs_me(verified: Any, member: Member) -> dict[str, Any]:
    """The ``comment list --mine`` view of ``member`` (see the module's docstring)."""
    from .consensus import fold, voting_members

    verified.require_config()
    mine: list[dict[str, Any]] = []
    awaiting: list[dict[str, Any]] = []
    states = {}
    for rid, items in verified.records.items():
        state = states[rid] = fold(rec for _p, rec in items)
        responses = verified.responses.get(rid, {})
        for _path, rec in sorted(items, key=lambda i: (i[1].submitted_at, i[1].id)):
            if rec.type != "comment":
                continue
            word = ("withdrawn" if rec.id in state.withdrawn else
                    "superseded" if rec.id in state.superseded else "active")
            resp = responses.get(rec.id)
            row = {"id": rec.id, "short": rec.id[:8], "round": rid, "principle": rec.principle,
                   "member": rec.member, "stance": rec.stance, "state": word,
                   "response": resp.disposition if resp else ("awaiting" if word == "active"
                                                              else "")}
            if rec.member == member.id:
                ack = state.acks.get(rec.id)
                row["acknowledged"] = ack.answer if ack is not None else ""
                row["todo"] = ("acknowledge" if resp and word == "active" and ack is None
                               else "")
                mine.append(row)
            if word == "active" and resp is None:
                awaiting.append(row)
    out: dict[str, Any] = {"member": member.id,
                           "facilitator": member.has_role("facilitator"), "mine": mine}
    if out["facilitator"]:
        rounds = verified.rounds
        current = next((r for r in rounds.values() if r.status == "open"), None) or \
            max(rounds.values(), key=lambda r: r.opened_at, default=None)
        voters = voting_members({i: m for i, m in verified.members.items() if m.active})
        spoke = {m for (m, _p) in states[current.id].voices} if current and current.id in states \
            else set()
        out["round"] = current.id if current else None
        out["awaiting"] = [{k: row[k] for k in ("id", "short", "round", "principle", "member",
                                                "stance")} for row in awaiting]
        out["not_responded"] = sorted(m for m in voters if m not in spoke) if current else []
    return out
