"""What will count: the warnings a member should read before signing a comment.

One voice per member per principle (SPEC): the latest effective comment (or endorsement) of
a member organisation on a principle is its stance. So a second comment without
``--supersedes`` silently becomes the organisation's voice while the first still stands,
and two people of one organisation who disagree replace each other's stance. Nothing here
refuses — the member may mean it — it only says, before anything is signed, what will count.
"""

from __future__ import annotations

from .agenda import Agenda
from .errors import InputError
from .identity import Identity

__all__ = ["what_will_count"]


def what_will_count(agenda: Agenda, identity: Identity, *, principle: str, stance: str,
                    supersedes: str | None = None, round_id: str | None = None) -> list[str]:
    """One sentence per earlier voice of the member on ``principle`` that this comment
    will displace or stand beside; empty when it is the member's only voice there."""
    from .actions import _member_records
    from .consensus import fold
    from .ids import check_principle, resolve_prefix

    snap = agenda.snapshot()
    try:
        round_ = snap.round(round_id) if round_id else snap.open_round()
        pid = check_principle(principle)
    except InputError:
        return []  # comment add itself says what is wrong
    if round_ is None or round_.status != "open":
        return []
    member = identity.member.id
    own = _member_records(agenda, snap, round_, member)
    state = fold(own.values())
    replaced = None
    if supersedes:
        try:
            replaced = resolve_prefix(supersedes, {i: r for i, r in own.items()
                                                   if r.type == "comment"}, "comment")
        except InputError:
            return []
    out = []
    for prior in sorted(state.effective.values(), key=lambda r: (r.submitted_at, r.id)):
        if prior.principle != pid or prior.id == replaced:
            continue
        by = f"{prior.author} of '{member}'" if prior.author else f"'{member}'"
        if prior.author != identity.person and prior.stance != stance:
            out.append(f"{by} already said '{prior.stance}' on {pid} (comment {prior.id[:8]}); "
                       f"one voice per member: this '{stance}', the latest, will count as "
                       f"'{member}''s stance, not '{prior.stance}'")
        elif not replaced:
            out.append(f"{by} already has comment {prior.id[:8]} on {pid} ('{prior.stance}'); "
                       f"without --supersedes both stand and this '{stance}', the latest, will "
                       f"count as '{member}''s stance (to replace it: --supersedes "
                       f"{prior.id[:8]})")
    for rec in own.values():
        if rec.type == "endorsement" and rec.principle == pid and rec.id not in state.withdrawn:
            out.append(f"'{member}' endorsed comment {(rec.target or '')[:8]} on {pid}; this "
                       f"'{stance}', the latest, will count as '{member}''s stance instead")
    return out
