"""The summary after new comments, made by appending to the last one (``summary_parts``).

``summary_step`` has established that the new head's verified records are the last
summarised head's plus ``mine`` (new records of the round, each later in the round's order
than all it had). When every one of them is a new comment on a principle that already has
comments, nothing the last summary shows about its old comments changes: their rows and
quotes stay as they are (in the chunks the last summary names), and what changes
— the tallies, participation, amendments and blocks, unresolved objections, near-duplicate
groups, dispositions — lives in the summary's head. So the new summary is the old head with
the new comments folded in, naming the old chunks and one new chunk per principle
commented on.

The near-duplicate groups are extended from the state remembered for the last summary's
texts (``near_duplicates.extend_by``): only when that state was made for the summary of
the commit stepped from, with exactly the texts that summary clustered. Anything else —
an endorsement or acknowledgement (it changes an old row), a principle's first comment, a
state made for other texts — is left to the whole fold (``summary_step._fold_in``), which
gives the same summary.
"""

from __future__ import annotations

from typing import Any

from ..consensus import RoundState
from ._attribution import member_label, visible_text
from .summary_parts import appended, compact_enough, principle_order
from .summary_step import _answer, _close, _recount

_ANSWER = ("disposition", "rationale", "commit", "ack", "endorsed_by")
APPENDED: list[str] = []  # heads summarised by appending in this process (for tests)


def append(agenda: Any, commit: str, old: str, head: dict[str, Any], index: list[Any],
           known: dict[str, Any], mine: list[Any], verified: int, view: Any, config: Any,
           chunks: Any) -> list[Any] | None:
    """The parts of the summary of ``commit``: ``head`` and ``index`` (the summary of
    ``old``'s; the head changed in place), its new rows put in ``chunks``; or None —
    nothing changed — when ``mine`` holds a case appending does not take (the module)."""
    from . import campaign_memo
    from .near_duplicates import extend_by
    from .summary import add_entries, comment_row, unresolved_entry

    order = principle_order(index)
    at_principle = {p["id"]: p for p in head["principles"]}
    if not compact_enough(index) or any(
            rec.type != "comment" or rec.principle not in at_principle
            or rec.principle not in order for rec in mine) \
            or any(u["principle"] not in order for u in head["unresolved"]):
        return None
    no_consent = set(known["no_consent"])
    state = campaign_memo.load(agenda, known["round"], lazy=True)
    if state is None or state.made_at != f"summary {old}" or state.ids != known["texts"]:
        return None
    try:  # before anything is changed: a segment of texts missing or damaged, the whole fold
        state = extend_by(state, {rec.id: rec.text for rec in mine
                                  if rec.attribution != "confidential" and rec.text
                                  and rec.id not in no_consent})
        state.made_at = f"summary {commit}"
        clusters = _clusters(state, head["clusters"])
        campaign_memo.save(agenda, known["round"], state)
    except KeyError:
        return None

    members, voices, fresh = view.members, known["voices"], RoundState()
    new: dict[str, Any] = {}
    rows: dict[str, list[dict[str, Any]]] = {}
    quotes: dict[str, list[dict[str, Any]]] = {}
    for rec in mine:
        new[rec.id] = rec
        if rec.attribution != "public":
            known["private"][rec.id] = rec.member
        voices[(rec.member, rec.principle or "")] = (rec.stance or "", rec.id)
        p = at_principle[rec.principle]
        shown = (*visible_text(rec), member_label(rec, members))
        add_entries(p["amendments"], p["blocks"], quotes.setdefault(rec.principle, []), rec,
                    shown, _answer(rec, fresh, members), members)
        p["comments"] += 1
        rows.setdefault(rec.principle, []).append(comment_row(rec, shown, None, fresh, members))
    _recount(agenda, head, known, view, config)

    said = {q["comment"]: q for group in quotes.values() for q in group}
    objections = [unresolved_entry(row["principle"], row["id"], q["member"], q["attribution"],
                                   q["stance"], q["text"], q["lang"], {k: q[k] for k in _ANSWER})
                  for group in rows.values() for row in group if row["stance"] == "block"
                  for q in (said[row["id"]],)]
    # in the rows' order: each principle's old objections, then its new ones
    head["unresolved"] = sorted([*head["unresolved"], *objections],
                                key=lambda u: order[u["principle"]])

    head["clusters"] = clusters
    _close(head, known, mine, new, verified, commit)
    known.update(voices=voices, texts=state.ids)
    APPENDED.append(commit)
    return appended(index, head, rows, quotes, chunks)


def _clusters(state: Any, before: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The summary's near-duplicate groups, each with its first comment's text: the texts
    of the groups the last summary showed from it, only the others read."""
    sample = {c["comments"][0]: c["sample"] for c in before}
    groups = state.groups()
    wanted = {g[0] for g in groups} - sample.keys()
    if wanted:
        for pos, cid in enumerate(state.ids):
            if cid in wanted:
                sample[cid] = state.texts[pos]
    return [{"size": len(g), "comments": g, "sample": sample[g[0]]} for g in groups]


__all__ = ["append", "APPENDED"]
