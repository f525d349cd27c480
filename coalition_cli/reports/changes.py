"""Tracked-change data between two versions of the draft, and each comment's fate."""

from __future__ import annotations

from ..agenda import Agenda
from ..errors import InputError
from ..model import Round, now, parse_stamp, stamp
from ..store import literal
from ..verify import Verified
from ._attribution import member_label, visible_text
from .summary import round_state

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

# --- tracked changes -------------------------------------------------------------------------


def _side(agenda: Agenda, rev: str | None, since: str | None = None) -> tuple[dict[str, Any], dict]:
    """(description, principles) of one side of a comparison; None = working tree.

    Every principle's text is used only once its facilitator signature checked out; the
    side is credited to the facilitator who signed its newest version, dated by the last
    commit that changed the principles (after ``since``).
    """
    from ..trust import trusted
    from ..trust.view import signed_principles

    view = trusted(agenda)
    view.refuse_if_untrusted()  # never a redline of forged settings, registry or rounds
    if rev is None:
        principles, signer = signed_principles(agenda, None, view)
        return ({"rev": "working tree", "commit": None, "label": "working tree",
                 "date": stamp(now()), "author": signer or "coalition"}, principles)
    commit = agenda.resolve_rev(rev)
    principles, signer = signed_principles(agenda, commit, view)  # signed text only
    span = f"{since}..{commit}" if since else commit
    code, last = agenda.git.run_status("log", "-1", "--format=%H", span, "--",
                                       literal(agenda.p("principles")))
    info = agenda.git.commit_info(last.strip() if code == 0 and last.strip() else commit)
    when = parse_stamp(stamp(_iso(info["date"])), "date")
    # a revision is credited to the facilitator who signed it, not to a commit's author
    return ({"rev": rev, "commit": commit, "label": rev, "date": stamp(when),
             "author": signer or info["author"]}, principles)


def _iso(text: str):  # noqa: ANN202 - datetime
    from datetime import datetime

    return datetime.fromisoformat(text)


def default_from(agenda: Agenda) -> str:
    snap = agenda.snapshot()
    if snap.rounds:
        return max(snap.rounds.values(), key=lambda r: r.opened_at).id
    return "HEAD"


def _in_language(agenda: Agenda, commit: str | None, reference: dict[str, Any],
                 lang: str) -> tuple[dict[str, Any], set[str]]:
    """The principles of one side in ``lang``: each signed translation at ``commit`` (the head
    for the working tree) as a principle with the reference's id and status; a principle
    with no ``lang`` text keeps its reference text; and which principles' ``lang`` text is
    out of date against that side's reference."""
    from dataclasses import replace

    from ..trust import trusted
    from ..trust.view import signed_translations

    found = signed_translations(agenda, commit or agenda.head(), trusted(agenda))
    out, stale = {}, set()
    for pid, principle in reference.items():
        t = found.get((pid, lang))
        out[pid] = replace(principle, title=t.title, body=t.body) if t else principle
        if t is not None and t.out_of_date(principle):
            stale.add(pid)
    return out, stale


def build_changes(agenda: Agenda, from_rev: str | None = None, to_rev: str | None = None,
                  verified: Verified | None = None, lang: str | None = None) -> dict[str, Any]:
    """The redline between two versions of the draft and each comment's fate. ``lang``: the
    redline of that language's versions (a language of the agenda); each comment is
    re-anchored in the version of the language it was written in."""
    from .. import redline
    from ..anchoring import reanchor

    from_rev = from_rev or default_from(agenda)
    old_info, old = _side(agenda, from_rev)
    new_info, new = _side(agenda, to_rev if to_rev not in (None, "", "WORKTREE") else None,
                          since=old_info["commit"])
    languages = tuple(agenda.snapshot().config.languages)
    reference = languages[0]
    sides: dict[str, tuple[dict, dict]] = {reference: (old, new)}
    stale_now: set[str] = set()

    def side(code: str | None) -> tuple[dict, dict]:
        code = code or reference
        if code not in sides:
            before, _ = _in_language(agenda, old_info["commit"], old, code)
            after, stale = _in_language(agenda, new_info["commit"], new, code)
            sides[code] = (before, after)
            if code == lang:
                stale_now.update(stale)
        return sides[code]

    new_ref = new
    if lang is not None:
        from ..translations import check_agenda_language

        check_agenda_language(lang, languages)
        old, new = side(lang)
    stats = {"words_inserted": 0, "words_deleted": 0, "paragraphs_added": 0,
             "paragraphs_deleted": 0, "paragraphs_moved": 0, "principles_added": 0,
             "principles_removed": 0, "principles_modified": 0}
    principles = []
    for pid in sorted(set(old) | set(new), key=lambda p: int(p[1:])):
        before, after = old.get(pid), new.get(pid)
        ops = redline.diff(before.body if before else "", after.body if after else "")
        if before is None:
            status = "added"
        elif after is None:
            status = "removed"
        elif any(op["op"] != "equal" for op in ops) or before.title != after.title \
                or before.status != after.status:
            status = "modified"
        else:
            status = "unchanged"
        if status != "unchanged":
            stats[f"principles_{status}"] += 1
            for key, value in redline.stats(ops).items():
                stats[key] += value
        entry_lang = {}
        if lang is not None and lang != reference:
            entry_lang = {"translation_out_of_date": pid in stale_now,
                          "translation_missing": after is not None and after is new_ref.get(pid)}
        principles.append({
            **entry_lang,
            "id": pid, "title": (after or before).title,  # type: ignore[union-attr]
            "old_title": before.title if before and after and before.title != after.title else None,
            "status": status if not (after and after.status == "retired" and before
                                     and before.status != "retired") else "removed",
            "ops": ops,
        })
    comments = []
    round_ = _round_at(agenda, from_rev, old_info["commit"])
    if round_ is not None:
        from ..verify import verify

        verified = verified or verify(agenda)
        state = round_state(verified, round_.id)
        responses = verified.responses.get(round_.id, {})
        for rec in sorted(state.effective.values(), key=lambda r: (r.principle or "", r.submitted_at)):
            old_texts, new_texts = side(rec.lang)  # a quote lives in its own language's text
            before, after = old_texts.get(rec.principle or ""), new_texts.get(rec.principle or "")
            new_quote = None
            if not rec.anchor:
                fate = "general"
            elif before is None or after is None:
                fate = "orphaned"
            else:
                try:
                    fate, moved = reanchor(before.body, after.body, rec.anchor)
                except InputError:  # an anchor that does not fit its own draft
                    fate, moved = "orphaned", None
                new_quote = moved["quote"] if moved else None
            text, _proposal, quote = visible_text(rec)
            resp = responses.get(rec.id)
            comments.append({
                "id": rec.id, "principle": rec.principle,
                "member": member_label(rec, verified.members), "quote": quote,
                "attribution": rec.attribution,
                "new_quote": new_quote if rec.attribution != "confidential" else None,
                "fate": fate, "stance": rec.stance, "text": text,
                "lang": rec.lang if rec.attribution != "confidential" else None,
                "disposition": resp.disposition if resp else None,
                "rationale": resp.rationale if resp else None,
                "commit": resp.commit if resp else None,
            })
    return {"from": old_info, "to": new_info, "stats": stats, "principles": principles,
            "comments": comments, "lang": lang or reference}


def _round_at(agenda: Agenda, rev: str, commit: str | None) -> Round | None:
    snap = agenda.snapshot()
    if rev in snap.rounds:
        return snap.rounds[rev]
    for rnd in snap.rounds.values():
        if rnd.draft == commit:
            return rnd
    return None
