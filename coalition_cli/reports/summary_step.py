"""The summary of a head that only adds comments to a head summarised before, made as a step.

A summary is a function of the verified records of its head (``build_summary``). When the
last head summarised in this clone (``C0``) verified clean, and the new head ``C1``

* verifies clean too, known without a full pass (``incremental.known_clean``: the verdict
  ``verify`` remembered, or its increment from the last clean head),
* has the ledger of ``C0`` (``incremental.governed_digest``: the same registry, settings,
  principles, rounds, rejected versions and history events), and
* differs from ``C0``'s tree only by added member records (``incremental.added_records``,
  each read only after its signature verified), reached from ``C0`` by a chain of
  single-parent commits none of which touched the round's file (so the round's dates and
  extensions, read from that file's history, are ``C0``'s),

then ``C1``'s verified records are ``C0``'s plus the added ones, and its summary is ``C0``'s
with their effect folded in. The step takes only the cases whose effect it can fold in
exactly — in the summarised round, new comments (no ``supersedes``, no chosen holders, no
Local Contexts Labels), endorsements and acknowledgements, each later in the round's order
(``submitted_at``, id) than every record it had; anything in other rounds. Anything else (a withdrawal, a
supersession, an earlier stamp, a response, anything governed) is left to the full build,
which gives the same data by definition.

What the step starts from is remembered after every summary of a clean head (``facts``:
each member's latest stance per principle and the comment it comes from, the authors of
the comments that are not public, the ids of the texts clustered, in order (the names of
their stored segments), the round's latest stamp), in ``cache.ResultMemo`` — authenticated
by this user's cache key and the package's code, keyed by the agenda folder, the roots,
the round asked for and whether principle texts are shown — beside the summary of ``C0`` itself (whose memo key
names ``C0``). A fact file or summary copied from elsewhere, or made by other code, fails
authentication or its key, and the full build runs.
"""

from __future__ import annotations

from bisect import bisect_right
from types import SimpleNamespace

from ..consensus import RoundState, in_order, stance_counts, tally, voting_members
from ..governance.report import governance_fields
from ..store import literal
from ._attribution import member_label, visible_text

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

STEPPED: list[str] = []  # heads summarised by a step in this process (for tests)
STEP_TYPES = frozenset({"comment", "endorsement", "acknowledgement"})


def _memo(agenda: Any) -> Any:
    from ..cache import ResultMemo

    # as many as the summaries they go with (``summary._at_head``), written just before each
    return ResultMemo(agenda.git.git_dir / "coalition", "stepfacts", keep=2)


def _key(agenda: Any, commit: str, roots: tuple, round_arg: str | None,
         principle_text: bool) -> tuple:
    return (agenda.rel, commit, *roots, round_arg or "", principle_text)


def facts(verified: Any, round_id: str, state: RoundState, texts: list[list[Any]],
          no_consent: dict[str, Any], responses: dict[str, Any]) -> dict[str, Any]:
    """What a step from this summary needs that the summary's data does not hold (``texts``:
    the names of the stored segments of the ids clustered, ``campaign_memo.ids_stored``)."""
    latest = ("", "")
    for _path, rec in verified.records.get(round_id, []):
        stamp = (rec.submitted_at, rec.id)
        if stamp > latest:
            latest = stamp
    return {"round": round_id, "latest": list(latest),
            "voices": dict(state.voices),
            "private": {cid: rec.member for cid, rec in state.effective.items()
                        if rec.attribution != "public"},
            "texts": texts, "answered": sorted(responses), "no_consent": sorted(no_consent)}


def remember(agenda: Any, commit: str, view: Any, round_arg: str | None, principle_text: bool,
             known: dict[str, Any]) -> None:
    """After the summary of ``commit``, which verified clean: the facts a step starts from."""
    from ..incremental import governed_digest

    if not known or view.problems or view.ledger.incomplete:
        return
    head = {"commit": commit, "digest": governed_digest(view)}
    _memo(agenda).put(_key(agenda, commit, view.roots.key(), round_arg, principle_text),
                      [head, known])


def step(agenda: Any, commit: str, view: Any, round_arg: str | None, principle_text: bool,
         memo: Any, key_of: Any, chunks: Any, *, rows: bool = True) -> dict[str, Any] | None:
    """``_step`` with the cyclic garbage collector paused: the summary read back is millions
    of objects, and the collector's passes over them would cost more than the step."""
    import gc

    enabled = gc.isenabled()
    gc.disable()
    try:
        return _step(agenda, commit, view, round_arg, principle_text, memo, key_of, chunks, rows)
    finally:
        if enabled:
            gc.enable()


def _step(agenda: Any, commit: str, view: Any, round_arg: str | None, principle_text: bool,
          memo: Any, key_of: Any, chunks: Any, rows: bool) -> dict[str, Any] | None:
    """The summary data of ``commit`` stepped from the last one and remembered (``memo``:
    the summaries', ``key_of(c)``: the key of commit ``c``'s, ``chunks``: their rows), or
    None (build it in full). ``rows=False``: the caller needs only the summary's head."""
    from .. import incremental
    from .summary_parts import from_parts, head_of, in_parts, prune

    config = view.config
    if config is None or view.problems:
        return None
    facts_memo = _memo(agenda)
    roots = view.roots.key()
    old = _last_summarised(agenda, commit, facts_memo,
                           lambda c: _key(agenda, c, roots, round_arg, principle_text))
    if old is None:
        return None
    stored = facts_memo.get(_key(agenda, old, roots, round_arg, principle_text))
    if not stored or len(stored) != 2 or not all(isinstance(x, dict) for x in stored):
        return None
    head, known = stored
    if head.get("commit") != old or head.get("digest") != incremental.governed_digest(view):
        return None
    parts = memo.get(key_of(old))
    data = head_of(parts)
    if data is None or data.get("generated_from") != old \
            or data["round"]["id"] != known.get("round") or data.get("excluded"):
        return None
    if not _chain_untouched(agenda, old, commit, known["round"]):
        return None
    if not incremental.known_clean(agenda, commit, view):
        return None
    added = incremental.added_records(agenda, old, commit, view)
    if added is None:
        return None
    mine = _mine(agenda, added, known)
    if mine is None:
        return None
    from .summary_append import append

    made = append(agenda, commit, old, parts, known, mine, len(added), view, config, chunks)
    if made is not None:
        data = made[2] if not rows else data  # the terminal report's: the brief
    else:  # a case appending does not take: the whole summary, folded
        data = from_parts(parts, chunks)
        if data is None or _fold_in(agenda, commit, data, known, mine, len(added), view,
                                    config) is None:
            return None
        made = in_parts(data, chunks)
    memo.put(key_of(commit), made)
    prune(memo, chunks)
    facts_memo.put(_key(agenda, commit, roots, round_arg, principle_text),
                   [{"commit": commit, "digest": head["digest"]}, known])
    STEPPED.append(commit)
    if rows and data.get("comments") is None:  # the rows too: read back from their chunks
        return from_parts(made, chunks)
    return data


NEAR = 64  # first-parent ancestors asked for first: a summary is usually a few commits back


def _last_summarised(agenda: Any, commit: str, memo: Any, key: Any) -> str | None:
    """The nearest first-parent ancestor of ``commit`` (of the ``MAX_NEW`` nearest) whose
    summary facts are remembered here (only a file's presence is asked: ``step`` then reads
    and authenticates it). The nearest ``NEAR`` are listed first: git walks no further."""
    from ..incremental import MAX_NEW

    asked = 0
    for count in (NEAR, MAX_NEW):
        code, out = agenda.git.run_status("rev-list", "--first-parent", f"--max-count={count}",
                                          commit)
        if code != 0:
            return None
        listed = out.split()
        for ancestor in listed[max(asked, 1):]:
            path = memo._file(key(ancestor))  # noqa: SLF001 - the name of the file, not its bytes
            if path is not None and path.is_file():
                return ancestor
        if len(listed) < count:  # the whole history listed
            return None
        asked = count
    return None


def _chain_untouched(agenda: Any, old: str, new: str, round_id: str) -> bool:
    """``new`` descends from ``old`` by single-parent commits, none touching the round file."""
    code, out = agenda.git.run_status("rev-list", "--parents", f"{old}..{new}")
    if code != 0:
        return False
    parents = {}
    for line in out.splitlines():
        commit, *up = line.split()
        parents[commit] = up
    at, walked = new, 0
    while at != old:
        up = parents.get(at)
        if up is None or len(up) != 1:
            return False
        at, walked = up[0], walked + 1
    if walked != len(parents):
        return False
    path = agenda.p(f"rounds/{round_id}/round.yaml")
    code, out = agenda.git.run_status("rev-list", "-n", "1", f"{old}..{new}", "--",
                                      literal(path), literal(path + ".sig"))
    return code == 0 and not out.strip()


def _mine(agenda: Any, added: list[tuple[str, Any]], known: dict[str, Any]) -> list[Any] | None:
    """The added records of the summarised round, in the round's order, or None when one of
    them is not a case a step takes (records of other rounds are only counted)."""
    round_id = known["round"]
    base = agenda.rel + "/" if agenda.rel != "." else ""
    latest = tuple(known["latest"])
    answered, no_consent = set(known["answered"]), set(known["no_consent"])
    mine = []
    for path, rec in added:
        if path[len(base):].split("/")[1] != round_id:
            continue  # another round's: only counted
        if rec.type not in STEP_TYPES or rec.shared_with is not None or rec.local_contexts \
                or (rec.type == "comment" and rec.supersedes) \
                or (rec.submitted_at, rec.id) <= latest \
                or rec.id in answered or rec.id in no_consent:
            return None
        mine.append(rec)
    return in_order(mine)


def _fold_in(agenda: Any, commit: str, data: dict[str, Any], known: dict[str, Any],
             mine: list[Any], verified: int, view: Any, config: Any) -> dict[str, Any] | None:
    """Fold the round's new records ``mine`` (``_mine``; ``verified``: all records added) into
    the whole summary ``data`` (in place) and ``known``; None (``data`` left as it was) when
    one of them is not a case the step takes, or the ids the last summary clustered are no
    longer stored."""
    from .campaign_memo import ids_named

    clustered = ids_named(agenda, known["texts"])
    if clustered is None:
        return None
    round_id = known["round"]
    no_consent = set(known["no_consent"])
    rows = data["comments"]
    # where each shown comment's row is: only needed when an endorsement or an
    # acknowledgement names one
    row_at = {row["id"]: i for i, row in enumerate(rows)} \
        if any(rec.type != "comment" for rec in mine) else {}
    new: dict[str, Any] = {}  # comment id -> record
    voices = known["voices"]
    fresh = RoundState()  # the new records' endorsements and acknowledgements
    for rec in mine:
        if rec.type == "comment":
            new[rec.id] = rec
            if rec.attribution != "public":
                known["private"][rec.id] = rec.member
            voices[(rec.member, rec.principle or "")] = (rec.stance or "", rec.id)
        elif rec.type == "endorsement":
            if rec.target in new:
                principle, stance = new[rec.target].principle, new[rec.target].stance
            elif rec.target in row_at:
                principle, stance = (rows[row_at[rec.target]][k] for k in ("principle", "stance"))
            else:
                continue  # endorses a withdrawn or superseded comment: counts for nothing
            fresh.endorsements.setdefault(rec.target, []).append(rec)
            voices[(rec.member, principle or "")] = (stance or "", rec.target)
        elif rec.target:
            fresh.acks[rec.target] = rec
    members = view.members
    principles = data["principles"]
    at_principle = {p["id"]: p for p in principles}
    if any(rec.principle not in at_principle for rec in new.values()):
        return None
    _update_old(rows, row_at, at_principle, fresh, new, members)
    from .summary import add_entries, comment_row

    for rec in new.values():  # in the round's order: after every comment of its principle
        p = at_principle[rec.principle]
        shown = (*visible_text(rec), member_label(rec, members))
        answer = _answer(rec, fresh, members)
        add_entries(p["amendments"], p["blocks"], p["quotes"], rec, shown, answer, members)
        p["comments"] += 1
        p["endorsements"] += len(fresh.endorsements.get(rec.id, []))
        # rows are by principle, then in the round's order: after the principle's last row
        rows.insert(bisect_right(rows, rec.principle or "", key=_principle_of),
                    comment_row(rec, shown, None, fresh, members))
    _recount(agenda, data, known, view, config)
    _unresolved(data, new, fresh)
    texts = {cid: text for cid, text in _texts(rows, clustered)}
    for rec in new.values():
        if rec.attribution != "confidential" and rec.text and rec.id not in no_consent:
            texts[rec.id] = rec.text
    from .summary import _cluster_entries

    data["clusters"], texts_stored = _cluster_entries(agenda, texts, round_id, commit)
    _close(data, known, mine, new, verified, commit)
    known.update(voices=voices, texts=texts_stored)
    return known


def _close(data: dict[str, Any], known: dict[str, Any], mine: list[Any], new: dict[str, Any],
           verified: int, commit: str) -> None:
    """What every step changes last: the comments awaiting an answer, the count of records
    verified, what the summary was made from, and the round's latest record."""
    awaiting = sorted([*data["dispositions"]["awaiting_ids"], *new])
    data["dispositions"]["awaiting"], data["dispositions"]["awaiting_ids"] = len(awaiting), awaiting
    close_step(data, known, mine, verified, commit)


def close_step(data: dict[str, Any], known: dict[str, Any], mine: list[Any], verified: int,
               commit: str) -> None:
    """What every step changes last but the comments awaiting an answer (``_close``)."""
    data["integrity"]["verified"] += verified
    data["generated_from"], data["generated_at"] = commit, None
    latest = tuple(known["latest"])
    for rec in mine:
        latest = max(latest, (rec.submitted_at, rec.id))
    known["latest"] = list(latest)


def _principle_of(row: dict[str, Any]) -> str:
    return row["principle"] or ""


def _answer(rec: Any, fresh: RoundState, members: dict[str, Any]) -> dict[str, Any]:
    """``summary._answer`` of a new comment: no response yet (its id has none)."""
    ack = fresh.acks.get(rec.id)
    return {"disposition": None, "rationale": None, "commit": None,
            "ack": ack.answer if ack else None,
            "endorsed_by": [member_label(e, members) for e in fresh.endorsements.get(rec.id, [])]}


def _update_old(rows: list[dict], row_at: dict[str, int], at_principle: dict[str, dict],
                fresh: RoundState, new: dict[str, Any], members: dict[str, Any]) -> None:
    """New endorsements and acknowledgements of comments the summary already shows."""
    quotes: dict[str, dict] = {}

    def quote(cid: str) -> dict:
        if not quotes.get(cid):
            pid = rows[row_at[cid]]["principle"]
            quotes.update((q["comment"], q) for q in at_principle[pid]["quotes"])
        return quotes[cid]

    for cid, endorsements in fresh.endorsements.items():
        if cid in new:
            continue
        row = rows[row_at[cid]]
        row["endorsed_by"] += len(endorsements)
        q = quote(cid)
        q["endorsed_by"] = [*q["endorsed_by"], *(member_label(e, members) for e in endorsements)]
        at_principle[row["principle"]]["endorsements"] += len(endorsements)
    for cid, ack in fresh.acks.items():
        if cid in new or cid not in row_at:
            continue  # a new comment's is in its answer; a withdrawn one's is never shown
        rows[row_at[cid]]["ack"] = ack.answer
        quote(cid)["ack"] = ack.answer


class _Sources:
    """``RoundState.comments`` as the community rules read it (``consent._group_tally``): of
    the comment a voice comes from, its author and whether it is public — all they ask."""

    _PUBLIC = SimpleNamespace(member=None, attribution="public")

    def __init__(self, private: dict[str, str]) -> None:
        self.private = private  # comment id -> member, for the comments that are not public

    def get(self, cid: str, default: Any = None) -> Any:
        member = self.private.get(cid)
        return self._PUBLIC if member is None else SimpleNamespace(member=member,
                                                                   attribution="not public")


def _recount(agenda: Any, data: dict[str, Any], known: dict[str, Any], view: Any,
             config: Any) -> None:
    """Each principle's tally, the participation and the rule's principles, from the voices."""
    voices = known["voices"]
    from .summary import _participation

    members = view.members
    voting = voting_members(members)
    state = RoundState(voices=voices, comments=_Sources(known["private"]))  # type: ignore[arg-type]
    draft = agenda.snapshot(data["round"]["draft"]).principles
    counted = stance_counts(state, voting)
    for p in data["principles"]:
        pid = p["id"]
        t = tally(state, pid, voting, config, themes=draft[pid].themes if pid in draft else (),
                  counted=counted)
        p.update(stances=t.stances, support_share=None if t.support_share is None
                 else round(t.support_share, 4), status=t.status, voices=t.voices,
                 **governance_fields(t, members))
    data["participation"] = _participation(voting, state.voices)
    data["rule"]["community_principles"] = [p["id"] for p in data["principles"]
                                            if p.get("community")]


def _unresolved(data: dict[str, Any], new: dict[str, Any], fresh: RoundState) -> None:
    """The unresolved objections again, in the rows' order: the ones not touched kept."""
    from .summary import unresolved_entry

    touched = set(new) | set(fresh.acks) | set(fresh.endorsements)
    kept = {u["comment"]: u for u in data["unresolved"] if u["comment"] not in touched}
    where = {row["principle"] for row in data["comments"] if row["id"] in touched}
    quotes = {q["comment"]: q for p in data["principles"] if p["id"] in where
              for q in p["quotes"] if q["comment"] in touched}
    out = []
    for row in data["comments"]:
        cid = row["id"]
        if row["stance"] != "block" and row["ack"] != "maintains-objection":
            continue
        if cid in kept:
            out.append(kept[cid])
            continue
        q = quotes[cid]
        answer = {k: q[k] for k in ("disposition", "rationale", "commit", "ack", "endorsed_by")}
        out.append(unresolved_entry(row["principle"], cid, q["member"], q["attribution"],
                                    q["stance"], q["text"], q["lang"], answer))
    data["unresolved"] = out


def _texts(rows: list[dict], ids: list[str]) -> list[tuple[str, str]]:
    """(id, text) of the texts the last summary clustered, in its order (texts of rows)."""
    text = {row["id"]: row["text"] for row in rows}
    return [(cid, text[cid]) for cid in ids]


__all__ = ["step", "facts", "remember", "STEPPED"]
