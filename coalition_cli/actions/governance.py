"""A member's governance records: withdrawing consent to use one of its comments
(``governance.withdrawals``)."""

from __future__ import annotations

from .. import records
from ..agenda import Agenda
from ..errors import InputError, NotPermitted
from ..identity import Identity
from ..ids import new_record_id
from ..model import Record, stamp
from . import _write
from ._write import Written, verified
from .comments import _member_records, _write_record, find_record


def comment_withdraw_consent(agenda: Agenda, identity: Identity, comment_id: str,
                             reason: str | None = None) -> Written:
    """Withdraw consent to use one of your comments: signed, accepted after the round closed
    too; from this commit on every report shows the comment without its words."""
    snap = verified(agenda)
    target, _ = find_record(agenda, snap, comment_id)
    if target.type != "comment":
        raise InputError(f"{target.id[:8]} is a {target.type}, not a comment")
    if target.member != identity.member.id:
        raise NotPermitted(f"comment {target.id[:8]} belongs to '{target.member}'; only its "
                           "member may withdraw consent to use it")
    round_ = snap.round(target.round)
    done = next((r for r in _member_records(agenda, snap, round_, identity.member.id).values()
                 if r.type == "consent-withdrawal" and r.target == target.id), None)
    if done is not None:
        raise InputError(f"consent to use comment {target.id[:8]} was already withdrawn on "
                         f"{done.submitted_at}; nothing was written")
    reason = records.clean_text(reason, "the reason")
    record = Record(type="consent-withdrawal", id=new_record_id(), round=target.round,
                    member=identity.member.id, submitted_at=stamp(_write.now()),
                    principle=target.principle, author=identity.person, target=target.id,
                    text=reason)
    # the commit names nobody: withdrawing consent says something about the comment
    return _write_record(agenda, identity, record,
                         f"comment {target.id[:8]}: consent to use withdrawn", anonymous=True)
