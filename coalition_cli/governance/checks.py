"""The governance rules ``verify`` applies to records at the head (called by
``trust.rules.judge`` once every record's signature, place and target checked out):

* a confidential comment with chosen holders is encrypted to exactly them and its author
  (``recipients.check_comment``; ``malformed`` otherwise: its holder list would mislead);
* an access grant never widens the holders an author chose (``not-permitted``);
* Local Contexts Labels come only from a member of the ``indigenous-led`` sector — on its
  own comments, or in a ``label`` record on a principle a community consent rule covers
  (``not-permitted`` otherwise); Notices only from facilitators (``notices/`` records are
  judged as facilitators' records, and a member's record holding one is ``malformed``);
* a comment whose author signed a ``consent-withdrawal`` is kept for counting — its stance,
  principle, kind and attribution — but from here on every report sees it without its
  text, proposal, quote, person, themes or encrypted payload (``withdrawals.redact``).
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


def judge_governance(result: Any, state: Any, by_round: dict[str, list[tuple[str, Any]]],
                     agenda: Any = None) -> None:
    from .recipients import check_comment, check_grant

    members = state.members
    themes: dict[str, tuple[str, ...]] | None = None  # read only if a label record exists
    for round_id, items in by_round.items():
        refused: set[str] = set()
        withdrawals = False
        for path, rec in items:  # one pass; most records need no check at all (100,000: ms)
            kind = rec.type
            if kind == "comment":
                if rec.shared_with is None and rec.local_contexts is None:
                    continue
                problem = check_comment(rec, members) or check_labels(rec, members,
                                                                      result.config, {})
            elif kind == "label":
                if themes is None:
                    themes = _principle_themes(agenda, state)
                problem = check_labels(rec, members, result.config, themes)
            elif kind == "approval":
                problem = check_approval(rec, members, result.config)
            else:
                withdrawals = withdrawals or kind == "consent-withdrawal"
                continue
            if problem:
                result.problem(path, *problem)
                result.accepted.pop(path, None)
                refused.add(path)
        kept = [item for item in items if item[0] not in refused] if refused else items
        grants = result.access.get(round_id)
        if grants:
            comments = {rec.id: rec for _p, rec in kept if rec.type == "comment"}
            for comment_id, (path, grant) in list(grants.items()):
                target = comments.get(comment_id)
                problem = check_grant(grant, target, members) if target is not None else None
                if problem:
                    result.problem(path, *problem)
                    result.accepted.pop(path, None)
                    del grants[comment_id]
        if withdrawals:  # (withdrawals' wording imports gettext: 3 ms, only when needed)
            from .withdrawals import redact

            kept, withdrawn = redact(kept)
            if withdrawn:
                result.consent_withdrawn[round_id] = withdrawn
        by_round[round_id] = kept


def check_labels(rec: Any, members: dict[str, Any], config: Any,
                 themes: dict[str, tuple[str, ...]]) -> tuple[str, str] | None:
    """Labels are applied only by the community: a member of the indigenous-led sector, on its
    own comment, or on a principle a community consent rule covers."""
    if rec.local_contexts is None:
        return None
    from .local_contexts import LABEL_SECTOR, labels_allowed_on

    member = members.get(rec.member)
    if member is None or member.sector != LABEL_SECTOR:
        return "not-permitted", (f"Local Contexts Labels are applied by members of the "
                                 f"{LABEL_SECTOR} sector, not by '{rec.member}'")
    if rec.type == "label" and not labels_allowed_on(rec.principle or "",
                                                     themes.get(rec.principle or "", ()), config):
        return "not-permitted", (f"no community consent rule of coalition.yaml covers "
                                 f"{rec.principle}: Labels go on such principles only")
    return None


def _principle_themes(agenda: Any, state: Any) -> dict[str, tuple[str, ...]]:
    """The themes of the trusted version of each principle (read only when labels exist)."""
    from .. import records
    from ..errors import InputError
    from ..model import principle_from_fields

    items = [(rel, v) for rel, v in state.files.items() if rel.startswith("principles/")]
    out: dict[str, tuple[str, ...]] = {}
    if agenda is None or not items:
        return out
    for (rel, _v), data in zip(items, agenda.git.read_objects([v.blob for _r, v in items])):
        try:
            fields, body = records.split_front_matter(data or b"", rel)
            principle = principle_from_fields(fields, body, rel)
        except InputError:
            continue
        out[principle.id] = principle.themes
    return out


def check_approval(rec: Any, members: dict[str, Any], config: Any) -> tuple[str, str] | None:
    """A report section is approved only by the members it presents."""
    if rec.type != "approval":
        return None
    section = next((d for d in getattr(config, "distinctions", ()) if d.id == rec.target), None)
    if section is None:
        return "malformed", f"approves '{rec.target}', not a section of coalition.yaml's distinctions"
    if rec.member not in section.group(members):
        return "not-permitted", (f"'{rec.member}' is not among the members of the section "
                                 f"'{rec.target}' it approves")
    return None
