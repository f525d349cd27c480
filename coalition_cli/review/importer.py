"""``coalition review import``: from a reviewed Word file to signed, anchored comments.

:func:`plan_import` reads the file (``ooxml``), checks it was exported from the round's
draft (round id, draft commit and draft digest in its custom properties; a file made from
another round or draft names both), maps every comment and tracked change (``mapping``),
and leaves out what this member already imported from the same file: each record keeps
``provenance`` — the SHA-256 of the file's bytes and which of its comments it is — so a
second import of the same file submits nothing twice (and an import cut short resumes).
A confidential comment keeps its provenance sealed with its text, so the member's own key
opens it for this check and nobody else learns which file it came from.

:func:`submit` checks every comment before signing the first (so bad input writes
nothing), then signs and commits each through ``actions.comment_add`` — the one comment
path, so re-anchoring, summaries, reports and redlines treat them like any other.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .. import records
from ..errors import InputError, NotPermitted
from .layout import FORMAT, Draft, draft_of
from .mapping import Item, Skipped, map_review
from .ooxml import Package, open_package

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

SOURCE = "word-review"


@dataclass
class Plan:
    name: str
    package: Package
    draft: Draft
    round_id: str
    items: list[Item]  # to submit, in the document's order
    skipped: list[Skipped]
    already: list[tuple[Item, str]] = field(default_factory=list)  # (item, record id)
    warnings: list[str] = field(default_factory=list)

    @property
    def sha256(self) -> str:
        return self.package.sha256


def _round_for(snap: Any, props: dict[str, str], name: str, round_id: str | None) -> Any:
    if props.get("coalition-format") != FORMAT or not props.get("coalition-round"):
        raise InputError(f"{name} was not exported by coalition review export (its document "
                         "properties name no round and draft)",
                         hint="export the draft with: coalition review export, review that file")
    named = props["coalition-round"]
    draft = props.get("coalition-draft", "")[:12] or "?"
    if round_id and round_id != named:
        raise InputError(f"{name} was exported for round '{named}' (draft {draft}), not for "
                         f"round '{round_id}'",
                         hint=f"export round {round_id}'s draft with: coalition review export "
                              f"{round_id}")
    round_ = snap.rounds.get(named)
    if round_ is None:
        raise InputError(f"{name} was exported for round '{named}' (draft {draft}), which this "
                         "agenda does not have",
                         hint="import it into the agenda it was exported from")
    if round_.status != "open":
        current = snap.open_round()
        now_open = (f"; the open round is '{current.id}' (draft {current.draft[:12]})"
                    if current else "")
        raise NotPermitted(f"{name} was exported for round '{named}' (draft {draft}), which is "
                           f"closed{now_open}",
                           hint=(f"export the open round's draft with: coalition review export "
                                 f"{current.id}") if current else "comments are accepted only "
                                                                  "while a round is open")
    return round_


def plan_import(agenda: Any, data: bytes, name: str, *, identity: Any = None,
                round_id: str | None = None) -> Plan:
    """Everything the import would submit, skip or refuse; nothing is signed."""
    from ..actions import verified

    snap = verified(agenda)
    package = open_package(data, name)
    round_ = _round_for(snap, package.properties, name, round_id)
    draft = draft_of(snap, round_)
    props = package.properties
    if props.get("coalition-draft") != draft.draft_commit or \
            props.get("coalition-draft-sha256") != draft.digest:
        raise InputError(
            f"{name} was made from another draft of round '{round_.id}' (draft "
            f"{props.get('coalition-draft', '?')[:12]}, text "
            f"{props.get('coalition-draft-sha256', '?')[:12]}) than this agenda's (draft "
            f"{draft.draft_commit[:12]}, text {draft.digest[:12]})",
            hint=f"export the draft again with: coalition review export {round_.id}")
    mapping = map_review(package, draft, snap.config.stances)
    plan = Plan(name, package, draft, round_.id, mapping.items, mapping.skipped)
    if identity is not None:
        done = already_imported(agenda, snap, round_, identity, package.sha256)
        plan.already = [(it, done[it.key]) for it in plan.items if it.key in done]
        plan.items = [it for it in plan.items if it.key not in done]
        plan.warnings = _voices(agenda, snap, round_, identity, plan)
    return plan


def already_imported(agenda: Any, snap: Any, round_: Any, identity: Any,
                     sha256: str) -> dict[str, str]:
    """item key -> record id of this member's comments imported from the file ``sha256``,
    each signed by a key of this member (a record planted in the member's folder does not
    count)."""
    from ..actions import _member_records
    from ..signing import verify_detached_fast

    member = identity.member
    out: dict[str, str] = {}
    for rec in _member_records(agenda, snap, round_, member.id).values():
        if rec.type != "comment":
            continue
        provenance = rec.provenance
        if provenance is None and rec.encrypted:
            provenance = _sealed_provenance(rec, identity)
        if not isinstance(provenance, dict) or provenance.get("sha256") != sha256:
            continue
        rel = f"rounds/{rec.round}/comments/{rec.member}/{rec.id}.yaml"
        data, sig = snap.read(rel), snap.read(rel + ".sig")
        key = verify_detached_fast(data, sig) if data is not None and sig is not None else None
        if key is not None and any(e.key == key.openssh for e in member.keys):
            out[str(provenance.get("item"))] = rec.id
    return out


def _sealed_provenance(rec: Any, identity: Any) -> Any:
    from ..confidential import decrypt

    try:
        return decrypt(rec.encrypted, identity.key).get("provenance")
    except InputError:  # another person's key of the same member: not ours to open
        return None


def _voices(agenda: Any, snap: Any, round_: Any, identity: Any, plan: Plan) -> list[str]:
    """One voice per member per principle: say what will count before anything is signed."""
    from collections import Counter

    from ..actions import _member_records
    from ..consensus import fold

    member = identity.member.id
    state = fold(_member_records(agenda, snap, round_, member).values())
    earlier = Counter(rec.principle for rec in state.effective.values())
    out: list[str] = []
    by_principle: dict[str, list[Item]] = {}
    for item in plan.items:
        by_principle.setdefault(item.principle, []).append(item)
    for pid, items in by_principle.items():
        mine = f"{len(items)} comments of this review are" if len(items) > 1 else "this review's comment is"
        before = f"; '{member}' already has {earlier[pid]} comment(s) there" if earlier[pid] else ""
        if len(items) > 1 or earlier[pid]:
            out.append(f"{mine} on {pid}{before}: all stand, and the last signed "
                       f"({items[-1].label}) gives '{member}''s stance (one voice per member)")
    return out


def occurrence_of(body: str, item: Item) -> int | None:
    """The ``--occurrence`` that picks exactly the item's span (None when it is the only)."""
    from ..anchoring import quote_spans

    spans = quote_spans(body, item.quote or "")
    if (item.start, item.end) not in spans:
        raise InputError(f"{item.label} on {item.principle}: its passage cannot be quoted "
                         "exactly; this is a bug in coalition")
    return None if len(spans) == 1 else spans.index((item.start, item.end)) + 1


def check(plan: Plan, stances: dict[str, str], allowed: tuple[str, ...]) -> None:
    """Every comment would be accepted by ``comment add``: checked before the first is
    signed."""
    for item in plan.items:
        stance = stances.get(item.key)
        where = f"{item.label} on {item.principle}"
        if stance not in allowed:
            raise InputError(f"{where}: unknown stance '{stance}'",
                             hint=f"use one of: {', '.join(allowed)}")
        if item.quote is not None and len(item.quote) > records.MAX_QUOTE:
            raise InputError(f"{where} quotes {len(item.quote)} characters; the limit is "
                             f"{records.MAX_QUOTE}", hint="comment on a shorter passage")
        text = records.clean_text(item.text, f"the text of {where}")
        records.clean_text(item.proposal, f"the proposal of {where}")
        if stance == "block" and not (text or "").strip():
            raise InputError(f"{where} is a block with no reason: a block needs one",
                             hint="write the reason in the comment after [block]")
        if stance != "support" and not (text or "").strip() and not (item.proposal or "").strip():
            raise InputError(f"{where} has a stance and no text",
                             hint="write the comment's text after its tag")
        if item.quote is not None:
            occurrence_of(plan.draft.body(item.principle), item)


def submit(agenda: Any, identity: Any, plan: Plan, stances: dict[str, str], *,
           attribution: str = "public", kind: str = "substantive") -> list[Any]:
    """Sign and commit every planned comment (one commit each); returns what was written."""
    from .. import actions

    snap = actions.verified(agenda)
    check(plan, stances, snap.config.stances)
    written = []
    for item in plan.items:
        body = plan.draft.body(item.principle)
        written.append(actions.comment_add(
            agenda, identity, principle=item.principle, stance=stances[item.key],
            text=item.text, quote=item.quote,
            occurrence=occurrence_of(body, item) if item.quote is not None else None,
            propose=item.proposal, kind=kind, attribution=attribution,
            round_id=plan.round_id,
            provenance={"source": SOURCE, "sha256": plan.sha256, "item": item.key}))
    return written


def default_stances(plan: Plan) -> tuple[dict[str, str], list[Item]]:
    """Stances from tags, ``amend`` for tracked changes; and the items still without one."""
    out, missing = {}, []
    for item in plan.items:
        stance = item.tag or ("amend" if item.changed else None)
        if stance is None:
            missing.append(item)
        else:
            out[item.key] = stance
    return out, missing
