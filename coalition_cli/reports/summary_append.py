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
the commit stepped from, with exactly the texts that summary clustered (the names of its
segments of ids are the ones the summary's facts keep: ``campaign_memo.ids_stored``).
Anything else — an endorsement or acknowledgement (it changes an old row), a principle's
first comment, a state made for other texts — is left to the whole fold
(``summary_step._fold_in``), which gives the same summary.
"""

from __future__ import annotations

from ..consensus import RoundState
from ._attribution import member_label, visible_text
from .summary_parts import PER_PRINCIPLE, appended, compact_enough, principle_order
from .summary_step import _answer, _recount, close_step

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

_ANSWER = ("disposition", "rationale", "commit", "ack", "endorsed_by")
APPENDED: list[str] = []  # heads summarised by appending in this process (for tests)


def append(agenda: Any, commit: str, old: str, parts: list[Any], known: dict[str, Any],
           mine: list[Any], verified: int, view: Any, config: Any,
           chunks: Any) -> list[Any] | None:
    """The parts of the summary of ``commit`` made from ``parts``, the summary of ``old``'s
    (its head changed in place), its new rows and list entries put in ``chunks``; or None —
    nothing changed — when ``mine`` holds a case appending does not take (the module)."""
    from . import campaign_memo
    from .near_duplicates import extend_by
    from .summary import add_entries, comment_row, unresolved_entry

    index, lists, short, head = parts
    order = principle_order(index)
    at_principle = {p["id"]: p for p in head["principles"]}
    if not compact_enough(index, lists) or any(
            rec.type != "comment" or rec.principle not in at_principle
            or rec.principle not in order for rec in mine) \
            or any(u["principle"] not in order for u in short["unresolved"]):
        return None
    no_consent = set(known["no_consent"])
    state = campaign_memo.load(agenda, known["round"], lazy=True)
    if state is None or state.made_at != f"summary {old}" \
            or campaign_memo.ids_stored(state) != known["texts"]:
        return None
    try:  # before anything is changed: a segment of texts missing or damaged, the whole fold
        taken = {rec.id: rec.text for rec in mine
                 if rec.attribution != "confidential" and rec.text and rec.id not in no_consent}
        state = extend_by(state, taken)
        state.made_at = f"summary {commit}"
        clusters = _clusters(state, short["clusters"], lists, chunks, taken)
        campaign_memo.save(agenda, known["round"], state)
    except (KeyError, ValueError):  # a segment or the clusters' chunk missing or damaged
        return None

    members, voices, fresh = view.members, known["voices"], RoundState()
    new: dict[str, Any] = {}
    rows: dict[str, list[dict[str, Any]]] = {}
    quotes: dict[str, list[dict[str, Any]]] = {}
    added: dict[str, Any] = {name: {} for name in PER_PRINCIPLE}
    for rec in mine:
        new[rec.id] = rec
        if rec.attribution != "public":
            known["private"][rec.id] = rec.member
        voices[(rec.member, rec.principle or "")] = (rec.stance or "", rec.id)
        p = at_principle[rec.principle]
        shown = (*visible_text(rec), member_label(rec, members))
        add_entries(added["amendments"].setdefault(rec.principle, []),
                    added["blocks"].setdefault(rec.principle, []),
                    quotes.setdefault(rec.principle, []), rec, shown,
                    _answer(rec, fresh, members), members)
        p["comments"] += 1
        rows.setdefault(rec.principle, []).append(comment_row(rec, shown, None, fresh, members))
    _recount(agenda, head, known, view, config)

    said = {q["comment"]: q for group in quotes.values() for q in group}
    # in the rows' order: each principle's old objections (kept in their chunks), then its
    # new ones
    added["unresolved"] = sorted([
        unresolved_entry(row["principle"], row["id"], q["member"], q["attribution"],
                         q["stance"], q["text"], q["lang"], {k: q[k] for k in _ANSWER})
        for group in rows.values() for row in group if row["stance"] == "block"
        for q in (said[row["id"]],)], key=lambda u: order[u["principle"]])
    added["awaiting_ids"] = sorted(new)
    added["clusters"] = clusters
    disp = head["dispositions"]
    disp["awaiting"] = short["brief"]["awaiting_ids"] + len(new)
    close_step(head, known, mine, verified, commit)
    known.update(voices=voices, texts=campaign_memo.ids_stored(state))
    APPENDED.append(commit)
    return appended(index, lists, head, short, rows, quotes, added, chunks)


def _clusters(state: Any, shown: list[dict[str, Any]], lists: list[Any], chunks: Any,
              taken: dict[str, str]) -> list[dict[str, Any]]:
    """The summary's near-duplicate groups, each with its first comment's text: the texts
    of the groups the last summary had taken from it (the brief's first, then its stored
    groups' if more are needed), only the others read — a new comment's (``taken``), or its
    group's root's (a group that a new comment made of an older one: the older is the root),
    or, failing both, found by id among all."""
    sample = {c["comments"][0]: c["sample"] for c in shown}
    groups = state.groups()
    wanted = {g[0] for g in groups} - sample.keys()
    if wanted:
        for entry in lists:
            if entry[0] == "clusters":
                sample.update((c["comments"][0], c["sample"]) for c in chunks.get(entry[3])
                              if c["comments"][0] in wanted)
        wanted -= sample.keys()
    ids = state.ids
    if wanted:
        sample.update((cid, taken[cid]) for cid in wanted & taken.keys())
        wanted -= sample.keys()
        for root, group in state.members.items():
            if group[0] in wanted and ids[root] == group[0]:
                sample[group[0]] = state.texts[root]
        wanted -= sample.keys()
    if wanted:  # e.g. two older groups joined by a new comment (a few: found by id in C)
        at = ({cid: pos for pos, cid in enumerate(ids)} if len(wanted) > 16
              else {cid: ids.index(cid) for cid in wanted})
        sample.update((cid, state.texts[at[cid]]) for cid in wanted)
    return [{"size": len(g), "comments": g, "sample": sample[g[0]]} for g in groups]


__all__ = ["append", "APPENDED"]
