"""The governance rules ``verify`` applies to records at the head (called by
``trust.rules.judge`` once every record's signature, place and target checked out):

* a confidential comment with chosen holders is encrypted to exactly them and its author
  (``recipients.check_comment``; ``malformed`` otherwise: its holder list would mislead);
* an access grant never widens the holders an author chose (``not-permitted``);
* a comment whose author signed a ``consent-withdrawal`` is kept for counting — its stance,
  principle, kind and attribution — but from here on every report sees it without its
  text, proposal, quote, person, themes or encrypted payload (``withdrawals.redact``).
"""

from __future__ import annotations

from typing import Any


def judge_governance(result: Any, state: Any, by_round: dict[str, list[tuple[str, Any]]]) -> None:
    from .recipients import check_comment, check_grant
    from .withdrawals import redact

    members = state.members
    for round_id, items in by_round.items():
        kept = []
        for path, rec in items:
            problem = check_comment(rec, members) if rec.type == "comment" else None
            if problem:
                result.problem(path, *problem)
                result.accepted.pop(path, None)
                continue
            kept.append((path, rec))
        comments = {rec.id: rec for _p, rec in kept if rec.type == "comment"}
        for comment_id, (path, grant) in list(result.access.get(round_id, {}).items()):
            target = comments.get(comment_id)
            problem = check_grant(grant, target, members) if target is not None else None
            if problem:
                result.problem(path, *problem)
                result.accepted.pop(path, None)
                del result.access[round_id][comment_id]
        by_round[round_id], withdrawn = redact(kept)
        if withdrawn:
            result.consent_withdrawn[round_id] = withdrawn
