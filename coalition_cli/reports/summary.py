"""Summary data, round status and comment rows, as plain dicts (the JSON of SPEC.md)."""

from __future__ import annotations

import functools
import gc
from collections.abc import Callable, Iterable
from operator import attrgetter

from ..agenda import Agenda
from ..consensus import RoundState, fold, in_order, stance_counts, tally, voting_members
from ..errors import NotFound
from ..model import Record, Round, now, parse_stamp, stamp
from ..verify import Verified
from ..governance.report import applies_to, governance_fields, held_note, holdings
from ._attribution import excluded_records, member_label, visible_text
from .facts import round_facts

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, TypeVar

    F = TypeVar("F", bound=Callable[..., Any])


def pick_round(verified: Verified, round_id: str | None) -> Round:
    if round_id:
        if round_id not in verified.rounds:
            raise NotFound(f"no valid round '{round_id}'", hint="list them with: coalition round list")
        return verified.rounds[round_id]
    if not verified.rounds:
        raise NotFound("there is no consultation round yet",
                       hint="a facilitator opens one with: coalition round open")
    opened = [r for r in verified.rounds.values() if r.status == "open"]
    return opened[0] if opened else max(verified.rounds.values(), key=lambda r: r.opened_at)


def round_state(verified: Verified, round_id: str) -> RoundState:
    return fold(rec for _p, rec in verified.records.get(round_id, []))


def _by_principle(comments: Iterable[Record]) -> list[Record]:
    """``sorted(comments, key=lambda r: (r.principle or "", r.submitted_at))``, 3× faster
    (two stable sorts, as in ``consensus.in_order``)."""
    items = sorted(comments, key=attrgetter("submitted_at"))
    return sorted(items, key=lambda r: r.principle or "")


def _gc_paused(fn: F) -> F:
    """Run ``fn`` with the cyclic garbage collector paused: a summary of 100,000 comments
    makes 200,000 dicts, no cycles, and the collector's passes over them cost 15 %."""
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        enabled = gc.isenabled()
        gc.disable()
        try:
            return fn(*args, **kwargs)
        finally:
            if enabled:
                gc.enable()

    return wrapper  # type: ignore[return-value]


def consensus_rule(config: Any, voting: int) -> dict[str, Any]:
    """The consensus rule of ``coalition.yaml`` and what it means for this many voting members."""
    import math

    from ..governance.report import rule_fields

    return {"quorum": config.quorum, "threshold": config.threshold,
            "max_blocks": config.max_blocks, "voting_members": voting,
            "quorum_members": math.ceil(config.quorum * voting - 1e-9) if voting else 0,
            **rule_fields(config)}


def _answer(rec: Record, responses: dict[str, Any], state: RoundState,
            members: dict[str, Any]) -> dict[str, Any]:
    """A comment's answer: the disposition, its rationale and commit, the commenter's
    acknowledgement, and who endorsed it (an endorsement is shown as its own attribution)."""
    resp = responses.get(rec.id)
    ack = state.acks.get(rec.id)
    endorsers = [member_label(e, members) for e in state.endorsements.get(rec.id, [])]
    return {"disposition": resp.disposition if resp else None,
            "rationale": resp.rationale if resp else None,
            "commit": resp.commit if resp else None,
            "ack": ack.answer if ack else None, "endorsed_by": endorsers}


def _unresolved(rec: Record, state: RoundState) -> bool:
    """Whether a comment is an unresolved objection: a block, or its author maintains it."""
    ack = state.acks.get(rec.id)
    return rec.stance == "block" or (ack is not None and ack.answer == "maintains-objection")


def _participation(voting: dict[str, Any], voices: dict[tuple[str, str], Any]) -> dict[str, Any]:
    """How many voting members took a stance on some principle of the round, per sector."""
    responded = {m for (m, _p) in voices if m in voting}
    by_sector: dict[str, dict[str, int]] = {}
    for member in voting.values():
        row = by_sector.setdefault(member.sector, {"members": 0, "responded": 0})
        row["members"] += 1
        row["responded"] += member.id in responded
    return {"members": len(voting), "responded": len(responded),
            "by_sector": dict(sorted(by_sector.items()))}


def add_entries(amendments: list[Any], blocks: list[Any], quotes: list[Any], rec: Record,
                shown: tuple, answer: dict[str, Any], members: dict[str, Any]) -> None:
    """A comment's entries in its principle's amendments, blocks and quotes; ``shown``: its
    (text, proposed text, quote, member label) as a report for everyone may show them."""
    text, proposal, quote, who = shown
    if rec.proposed_text or (rec.encrypted and rec.stance == "amend"):
        amendments.append({"comment": rec.id, "member": who, "quote": quote,
                           "proposed_text": proposal, "attribution": rec.attribution,
                           "lang": rec.lang, **held_note(rec, members)})
    if rec.stance == "block":
        blocks.append({"comment": rec.id, "member": who, "text": text,
                       "attribution": rec.attribution, "lang": rec.lang,
                       **held_note(rec, members)})
    quotes.append({"comment": rec.id, "member": who, "stance": rec.stance, "quote": quote,
                   "text": text, "attribution": rec.attribution, "kind": rec.kind,
                   "lang": rec.lang, **answer, **held_note(rec, members)})


def comment_row(rec: Record, shown: tuple, resp: Any, state: RoundState,
                members: dict[str, Any]) -> dict[str, Any]:
    """A comment's row of the summary's ``comments``."""
    text, proposal, quote, who = shown
    member = members.get(rec.member)
    return {
        "id": rec.id, "member": who,
        "sector": member.sector if member and rec.attribution == "public" else None,
        "principle": rec.principle, "quote": quote, "kind": rec.kind, "stance": rec.stance,
        "text": text, "proposed_text": proposal, "attribution": rec.attribution,
        "lang": rec.lang,
        "disposition": resp.disposition if resp else None,
        "rationale": resp.rationale if resp else None,
        "commit": resp.commit if resp else None,
        "endorsed_by": len(state.endorsements.get(rec.id, [])),
        "ack": state.acks[rec.id].answer if rec.id in state.acks else None,
    }


def unresolved_entry(principle: str | None, cid: str, who: str | None, attribution: str | None,
                     stance: str | None, text: str | None, lang: str | None,
                     answer: dict[str, Any]) -> dict[str, Any]:
    """An unresolved objection: a block, or a comment whose author maintains its objection."""
    return {"principle": principle, "comment": cid, "member": who, "attribution": attribution,
            "stance": stance, "why": "block" if stance == "block" else "maintains-objection",
            "text": text, "lang": lang, **answer}


@_gc_paused
def build_summary(agenda: Agenda, verified: Verified, round_id: str | None = None, *,
                  principle_text: bool = True, step: dict[str, Any] | None = None,
                  rows_to: Callable[[str, list[Any], list[Any] | None], None] | None = None
                  ) -> dict[str, Any]:
    """The consultation summary of a round (default: the open or latest one): the JSON keys of
    SPEC.md, and per comment its answer (disposition, rationale, commit, acknowledgement,
    endorsers), the unresolved objections, the round's real dates, the consensus rule and —
    unless ``principle_text`` is False — each principle's text at the round's draft.
    ``step``: filled with what the next summary steps from (``summary_step.facts``).
    ``rows_to(principle, rows, quotes)``: each principle's comment rows and quotes (None for
    a principle outside the round) go to it as soon as they are made, one principle at a time
    and in no particular order, and the summary holds neither: ``comments`` is None, and so
    is the ``quotes`` of every principle that has rows. A cold summary of 1,000,000 comments
    then never holds them all (800 MB) beside the verified records."""
    config = verified.require_config()
    rnd = pick_round(verified, round_id)
    state = round_state(verified, rnd.id)
    members = verified.members
    voting = voting_members(members)
    responses = verified.responses.get(rnd.id, {})
    draft = agenda.snapshot(rnd.draft).principles
    titles = {p.id: p.title for p in draft.values()}

    participation = _participation(voting, state.voices)

    # the clusters first: their working memory is freed before the rows below are built
    no_consent = verified.consent_withdrawn.get(rnd.id, {})
    texts = {c.id: c.text for c in state.effective.values()
             if c.attribution != "confidential" and c.text and c.id not in no_consent}
    clustered, texts_stored = _cluster_entries(agenda, texts, rnd.id, verified.commit)
    per_principle: dict[str, list[Record]] = {pid: [] for pid in rnd.principles}
    for rec in state.effective.values():
        per_principle.setdefault(rec.principle or "", []).append(rec)
    rows_of: dict[str, list[Any]] = {}
    unresolved_of: dict[str, list[Any]] = {}
    principles = []
    counted = stance_counts(state, voting)
    for pid in rnd.principles:
        items = per_principle.get(pid, [])
        t = tally(state, pid, voting, config,
                  themes=draft[pid].themes if pid in draft else (), counted=counted)
        amendments, blocks, quotes = [], [], []
        made = _principle_rows(pid, items, responses, state, members,
                               (amendments, blocks, quotes))
        principles.append({
            "id": pid, "title": titles.get(pid, pid), "comments": len(items),
            "stances": t.stances, "support_share": None if t.support_share is None
            else round(t.support_share, 4), "status": t.status, "voices": t.voices,
            "endorsements": sum(len(state.endorsements.get(rec.id, [])) for rec in items),
            "text": draft[pid].body if pid in draft and principle_text else None,
            "amendments": amendments, "blocks": blocks,
            "quotes": None if rows_to is not None and made[0] else quotes,
            **governance_fields(t, members),
        })
        _made_rows(pid, made, quotes, rows_to, rows_of, unresolved_of)
    for key, items in per_principle.items():
        if key not in rows_of and items:  # comments on a principle outside the round
            made = _principle_rows(key, items, responses, state, members, None)
            _made_rows(key, made, None, rows_to, rows_of, unresolved_of)
    # the rows' order: by principle, then as submitted (``_by_principle``)
    rows = None if rows_to is not None else [row for key in sorted(rows_of) for row in rows_of[key]]
    rows_of.clear()
    awaiting = sorted(c for c in state.effective if c not in responses)
    excluded = excluded_records(agenda.p(f"rounds/{rnd.id}") + "/", verified.problems, rnd.id,
                                agenda.p("members") + "/")
    unresolved = [entry for key in sorted(unresolved_of) for entry in unresolved_of[key]]
    data = {
        "coalition": config.name,
        "round": {"id": rnd.id, "title": rnd.title, "status": rnd.status,
                  "opened_at": rnd.opened_at, "closes_at": rnd.closes_at, "draft": rnd.draft,
                  **round_facts(agenda, verified, rnd)},
        "stances": list(config.stances),
        "rule": {**consensus_rule(config, len(voting)), **applies_to(principles, verified, rnd.id)},
        "participation": participation,
        "principles": principles,
        "comments": rows,
        "dispositions": {"answered": len(state.effective) - len(awaiting),
                         "awaiting": len(awaiting), "awaiting_ids": awaiting},
        "unresolved": unresolved,
        "governance": holdings(verified, rnd.id, _by_principle(state.effective.values()), members),
        "clusters": clustered,
        "integrity": {"verified": sum(len(v) for v in verified.records.values()),
                      "excluded": sum(e["count"] for e in excluded)},
        "excluded": excluded,
        "generated_from": verified.commit,
        "generated_at": stamp(now()),
    }
    from .languages import add_translations

    if step is not None:
        from .summary_step import facts

        step.update(facts(verified, rnd.id, state, texts_stored, no_consent, responses))
    return add_translations(data, agenda, rnd.draft, draft, tuple(config.languages))


def _principle_rows(pid: str, items: list[Record], responses: dict[str, Any], state: RoundState,
                    members: dict[str, Any], lists: tuple[list[Any], list[Any], list[Any]] | None
                    ) -> tuple[list[Any], list[Any]]:
    """The comment rows and unresolved objections of one principle's comments ``items``, in
    the rows' order (as submitted); ``lists``: its amendments, blocks and quotes, filled in
    their order (``in_order``: as submitted, then by id) — None for a principle outside the
    round, which has none."""
    shown = {rec.id: (*visible_text(rec), member_label(rec, members)) for rec in items}
    kept: dict[str, dict[str, Any]] = {}  # the answers of the unresolved objections
    if lists is not None:
        amendments, blocks, quotes = lists
        for rec in in_order(items):
            answer = _answer(rec, responses, state, members)
            add_entries(amendments, blocks, quotes, rec, shown[rec.id], answer, members)
            if _unresolved(rec, state):
                kept[rec.id] = answer
    rows, unresolved = [], []
    for rec in sorted(items, key=attrgetter("submitted_at")):
        said = shown[rec.id]
        rows.append(comment_row(rec, said, responses.get(rec.id), state, members))
        if _unresolved(rec, state):
            unresolved.append(unresolved_entry(
                rec.principle, rec.id, said[3], rec.attribution, rec.stance, said[0], rec.lang,
                kept.get(rec.id) or _answer(rec, responses, state, members)))
    return rows, unresolved


def _made_rows(key: str, made: tuple[list[Any], list[Any]], quotes: list[Any] | None,
               rows_to: Callable[[str, list[Any], list[Any] | None], None] | None,
               rows_of: dict[str, list[Any]], unresolved_of: dict[str, list[Any]]) -> None:
    """Keep (or give ``rows_to``) a principle's rows ``made``, once: a round naming a
    principle twice lists it twice, its rows once."""
    rows, unresolved = made
    if key in rows_of:
        return
    unresolved_of[key] = unresolved
    if rows_to is not None and rows:
        rows_to(key, rows, quotes)
        rows = []  # given away: ``rows_of`` only says the key has had its rows
    rows_of[key] = rows


def _at_head(agenda: Agenda, kind: str, extra: tuple, build: Callable[[Verified], Any],
             verify: Callable[[], Verified] | None = None, *,
             parts: Callable[[Any], list[Any]] = lambda value: [value],
             whole: Callable[[list[Any] | None], Any] = lambda got: got[0] if got else None,
             keep: int = 2, commit: str | None = None, strict: bool = True,
             step: Callable[[Any, Any, Callable[[str], tuple]], Any] | None = None,
             first: int | None = None, stored: Callable[[Any], None] | None = None) -> Any:
    """``build(verify(agenda))`` for the agenda's head, remembered by commit
    (``cache.ResultMemo``, key: the agenda folder, the commit and ``extra``).

    Report data follows from the commit it is made from — its records, registry and
    history — and the code, so a head already reported on in this clone is read back;
    ``verify`` (default: ``verify.verify``) runs only for a new head. Large results are
    stored in ``parts`` and put back together by ``whole`` (None: not a result); ``first``:
    only that many parts are read back (what the caller shows needs no more); ``stored(memo)``
    runs after a result is remembered.
    ``step(view, memo, key_of)``: the result made from an earlier one (``key_of(commit)``:
    the memo key of that commit's), remembered by the step itself, without a full verify;
    or None.
    """
    from ..cache import ResultMemo
    from ..trust import trusted

    commit = commit or agenda.head()
    view = trusted(agenda, commit)
    if strict:  # a report for others is never made while the settings or registry are forged
        view.refuse_if_untrusted()
    elif view.problems or view.ledger.incomplete:
        import sys

        print("warning: the agenda does not verify (coalition verify); shown is only what "
              "does", file=sys.stderr)
    memo = ResultMemo(agenda.git.git_dir / "coalition", kind, keep=keep)

    def key_of(made_from: str) -> tuple:
        return (agenda.rel, made_from, *view.roots.key(), *extra)

    value = whole(memo.get(key_of(commit), first))
    if value is not None:
        return value
    value = step(view, memo, key_of) if step else None
    if value is not None:
        return value
    if verify is None:
        from ..verify import verify as verify_agenda

        verified = verify_agenda(agenda, commit)
    else:
        verified = verify()
    value = build(verified)
    remember = verified.trust is not None and verified.commit == commit
    del verified  # 100,000 records: freed before the memo is written (peak memory)
    if remember:
        memo.put(key_of(commit), parts(value))
        if stored is not None:
            stored(memo)
    return value


def summary_at_head(agenda: Agenda, round_id: str | None = None,
                    verify: Callable[[], Verified] | None = None, *,
                    principle_text: bool = True, rows: bool = True) -> dict[str, Any]:
    """``build_summary`` of the agenda's head, remembered by commit (see ``_at_head``); a
    summary read back gets ``generated_at`` afresh. ``rows=False``: the caller is the
    terminal report, which shows neither the comment rows nor the principles' quotes (then
    None) and only the first entries of the other lists — a remembered summary is read as
    its brief (``summary_parts.brief``: those lists cut, their lengths under ``"brief"``)."""
    from . import summary_step
    from .summary_parts import BRIEF_PARTS, chunk_store, prune

    commit = agenda.head()
    chunks = chunk_store(agenda)

    def whole(got: list[Any] | None) -> dict[str, Any] | None:
        data = _from_parts(got, chunks if rows else None)
        return data if data is not None and data.get("generated_from") == commit else None

    # the terminal report shows no rows: a summary it builds puts each principle's rows
    # and quotes in their chunk as they are made (``build_summary``'s ``rows_to``)
    index: list[list[Any]] | None = None if rows else []

    def stored_rows(key: str, made: list[Any], quotes: list[Any] | None) -> None:
        index.append([key, len(made), chunks.put({"rows": made, "quotes": quotes})])  # type: ignore[union-attr]

    def build(verified: Verified) -> dict[str, Any]:
        known: dict[str, Any] = {}
        verified.release_paths()
        data = build_summary(agenda, verified, round_id, principle_text=principle_text,
                             step=known, rows_to=None if rows else stored_rows)
        if verified.ok and verified.trust is not None and verified.commit == commit:
            summary_step.remember(agenda, commit, verified.trust, round_id, principle_text, known)
        return data

    def step(view: Any, memo: Any, key_of: Callable[[str], tuple]) -> dict[str, Any] | None:
        return summary_step.step(agenda, commit, view, round_id, principle_text, memo, key_of,
                                 chunks, rows=rows)

    data = _at_head(agenda, "summary", (round_id or "", principle_text), build, verify,
                    parts=lambda value: _in_parts(value, chunks, index), whole=whole, commit=commit,
                    step=step, first=None if rows else BRIEF_PARTS,
                    stored=lambda memo: prune(memo, chunks))
    if data.get("generated_at") is None:
        data["generated_at"] = stamp(now())
    return data


def _in_parts(data: dict[str, Any], chunks: Any, index: list[list[Any]] | None = None
              ) -> list[Any]:
    """A summary as memo parts, its rows in ``chunks`` (``summary_parts``); ``index``: of
    the rows already there (``build_summary``'s ``rows_to``), or None."""
    from .summary_parts import in_parts

    return in_parts(data, chunks, index)


def _from_parts(parts: list[Any] | None, chunks: Any = None) -> dict[str, Any] | None:
    """The summary ``_in_parts`` stored (``chunks`` None: its head, without rows), or None."""
    from .summary_parts import from_parts, head_of

    return head_of(parts) if chunks is None else from_parts(parts, chunks)


def _cluster_entries(agenda: Agenda, texts: dict[str, str], round_id: str,
                     commit: str = "") -> tuple[list[dict[str, Any]], list[list[Any]]]:
    """The summary's ``clusters``: the near-duplicate groups of ``texts`` (comment id -> text,
    in the order of the round's fold) of round ``round_id``, each with its size and a sample
    text; ``commit``: the head summarised. With them, the names of the stored segments of
    their ids (``campaign_memo.ids_stored``: what the summary's facts keep of them). The full
    build and the step (``summary_step``) both come here."""
    from .campaign_memo import ids_stored

    state = _clustered(agenda, texts, round_id, made_at=f"summary {commit}" if commit else "")
    return ([{"size": len(g), "comments": g, "sample": texts[g[0]]} for g in state.groups()],
            ids_stored(state))


def _clusters(agenda: Agenda, texts: dict[str, str], round_id: str = "", *,
              made_at: str = "") -> list[list[str]]:
    """The near-duplicate groups of ``texts`` (id -> text, in submission order): those of
    ``_clustered``'s state."""
    return _clustered(agenda, texts, round_id, made_at=made_at).groups()


def _clustered(agenda: Agenda, texts: dict[str, str], round_id: str, *,
               made_at: str = "") -> Any:
    """The near-duplicate state (``near_duplicates.Campaigns``) of ``texts`` (id -> text, in
    submission order), taking in only the texts that came after those of the state
    remembered for this round in .git/coalition (``near_duplicates``, ``campaign_memo``),
    and remembered again: at 100,000 comments a full pass takes seconds, and a summary is
    asked for again and again between new comments. ``made_at``: what the texts are (the
    summary of a commit; "" for anything else), kept with the state."""
    from . import campaign_memo
    from .near_duplicates import Campaigns, extend

    known = campaign_memo.load(agenda, round_id) or Campaigns()
    before = (known.count, known.made_at)
    state = extend(known, texts)
    state.made_at = made_at
    if state is not known or (state.count, state.made_at) != before:
        campaign_memo.save(agenda, round_id, state)
    return state


def build_round_status(agenda: Agenda, verified: Verified, round_id: str | None) -> dict[str, Any]:
    """What a facilitator needs to chase people: time left, counts, who has not responded."""
    rnd = pick_round(verified, round_id)
    state = round_state(verified, rnd.id)
    voting = voting_members(verified.members)
    responded = sorted({m for (m, _p) in state.voices if m in voting})
    per = {pid: 0 for pid in rnd.principles}
    for rec in state.effective.values():
        per[rec.principle or ""] = per.get(rec.principle or "", 0) + 1
    responses = verified.responses.get(rnd.id, {})
    return _time_left({
        "round": rnd.id, "title": rnd.title, "status": rnd.status, "closes_at": rnd.closes_at,
        "seconds_left": None, "draft": rnd.draft,
        "comments": len(state.effective), "comments_per_principle": per,
        "voting_members": len(voting), "responded": responded,
        "not_responded": sorted(set(voting) - set(responded)),
        "awaiting_response": sorted(c for c in state.effective if c not in responses),
    })


def _time_left(data: dict[str, Any]) -> dict[str, Any]:
    """``seconds_left`` of a round status, from now: the one part that is not the commit's."""
    left = ((parse_stamp(data["closes_at"], "closes_at") - now()).total_seconds()
            if data["status"] == "open" else 0)
    data["seconds_left"] = max(0, int(left))
    return data


def round_status_at_head(agenda: Agenda, round_id: str | None = None) -> dict[str, Any]:
    """``build_round_status`` of the head, remembered by commit (see ``_at_head``)."""
    def whole(got: list[Any] | None) -> dict[str, Any] | None:
        data = got[0] if got else None
        return data if isinstance(data, dict) and "closes_at" in data else None

    data = _at_head(agenda, "round-status", (round_id or "",),
                    lambda verified: build_round_status(agenda, verified, round_id),
                    parts=lambda d: [{**d, "seconds_left": None}], whole=whole, strict=False)
    return _time_left(data)


def build_comment_rows(verified: Verified) -> list[dict[str, Any]]:
    """One row per verified comment of every round (in order of submission within a round):
    its state (active, withdrawn, superseded), endorsements and response."""
    from ..ids import SHORT

    verified.require_config()
    rows = []
    for rid, items in verified.records.items():
        state = fold(rec for _p, rec in items)
        responses = verified.responses.get(rid, {})
        for _path, rec in sorted(items, key=lambda i: (i[1].submitted_at, i[1].id)):
            if rec.type != "comment":
                continue
            resp = responses.get(rec.id)
            state_word = ("withdrawn" if rec.id in state.withdrawn else
                          "superseded" if rec.id in state.superseded else "active")
            text = "[confidential]" if rec.attribution == "confidential" else (rec.text or "")
            rows.append({
                "id": rec.id, "short": rec.id[:SHORT], "round": rid, "principle": rec.principle,
                "member": rec.member, "stance": rec.stance, "attribution": rec.attribution,
                "state": state_word, "endorsements": len(state.endorsements.get(rec.id, [])),
                "response": resp.disposition if resp else ("awaiting" if state_word == "active" else ""),
                "submitted_at": rec.submitted_at,
                "text": text if len(text) <= 60 else text[:57] + "...",
            })
    return rows


def comment_rows_at_head(agenda: Agenda) -> list[dict[str, Any]]:
    """``build_comment_rows`` of the head, remembered by commit (see ``_at_head``)."""
    def whole(got: list[Any] | None) -> list[dict[str, Any]] | None:
        if not got or not all(isinstance(part, list) for part in got):
            return None
        return [row for part in got for row in part]

    return _at_head(agenda, "comment-rows", (), build_comment_rows,
                    parts=lambda rows: [rows[i : i + 20_000] for i in range(0, len(rows), 20_000)],
                    whole=whole, strict=False)
