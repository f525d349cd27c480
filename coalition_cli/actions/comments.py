"""A member's records in a round: comments, withdrawals, endorsements, acknowledgements,
and a facilitator's re-encryption of a confidential comment for today's facilitators."""

from __future__ import annotations

from pathlib import Path

from .. import records
from ..agenda import Agenda, Snapshot
from ..errors import InputError, NotFound, NotPermitted
from ..identity import Identity
from ..ids import check_principle, check_slug, new_record_id, resolve_prefix
from ..model import (
    ANSWERS,
    ATTRIBUTIONS,
    KINDS,
    Record,
    Round,
    stamp,
)
from . import _write
from ._write import (
    Written,
    _commit,
    _signed,
    require_role,
    verified,
)


def _writable_round(snap: Snapshot, round_id: str | None) -> Round:
    round_ = snap.round(round_id) if round_id else snap.open_round()
    if round_ is None:
        raise NotPermitted("no consultation round is open",
                           hint="your clone may be out of date: run coalition sync (then see "
                                "coalition round list)")
    if round_.status != "open":
        raise NotPermitted(f"round '{round_.id}' is closed",
                           hint="comments are accepted only while a round is open")
    if _write.now() > round_.closes:
        raise NotPermitted(f"round '{round_.id}' closed for comments at {round_.closes_at}",
                           hint="a facilitator may extend it: coalition round extend")
    return round_


def _member_records(agenda: Agenda, snap: Snapshot, round_: Round, member_id: str) -> dict[str, Record]:
    from ..model import record_from_fields

    entries = [e for e in snap.entries(f"rounds/{round_.id}/comments/{member_id}")
               if e.path.endswith(".yaml")]
    out = {}
    for entry, data in zip(entries, agenda.git.read_objects([e.sha for e in entries])):
        try:
            rec = record_from_fields(records.parse_record(data or b"", entry.path), entry.path,
                                     snap.config.stances)
        except InputError:
            continue
        out[rec.id] = rec
    return out


def _write_record(agenda: Agenda, identity: Identity, record: Record, message: str, *,
                  anonymous: bool = False) -> Written:
    rel = f"rounds/{record.round}/comments/{record.member}/{record.id}.yaml"
    files = _signed(agenda, identity, rel, record.fields())
    commit = _commit(agenda, identity, files, message, anonymous=anonymous)
    return Written(record.id, agenda.p(rel), commit)


def comment_add(agenda: Agenda, identity: Identity, *, principle: str, stance: str,
                text: str | None = None, quote: str | None = None,
                occurrence: int | None = None, propose: str | None = None,
                kind: str = "substantive", themes: list[str] | None = None,
                attribution: str = "public", supersedes: str | None = None,
                round_id: str | None = None, lang: str | None = None,
                provenance: dict[str, str] | None = None, share_with: list[str] | None = None,
                name_holders: bool = False, local_contexts: dict | None = None) -> Written:
    """Sign and commit a comment. ``lang``: the language the comment is written in (a
    language of the agenda); a quote must be in that language's version of the principle at
    the round's draft. ``provenance`` (``review import``) names the file it came from; a
    confidential comment seals it with its text (a file's digest would tie it to its file
    and to the other comments from that file). ``share_with``: a confidential comment's
    holders chosen by its author instead of every facilitator (governance.recipients),
    ``name_holders``: reports may name them."""
    snap = verified(agenda)
    round_ = _writable_round(snap, round_id)
    config = snap.config
    pid = check_principle(principle)
    if lang is not None:
        from ..translations import check_agenda_language

        check_agenda_language(lang, tuple(config.languages))
    if pid not in round_.principles:
        raise InputError(f"{pid} is not under consultation in round '{round_.id}'",
                         hint=f"this round covers {', '.join(round_.principles)}")
    if stance not in config.stances:
        raise InputError(f"unknown stance '{stance}'", hint=f"use one of: {', '.join(config.stances)}")
    if kind not in KINDS:
        raise InputError(f"unknown kind '{kind}'", hint=f"use one of: {', '.join(KINDS)}")
    if attribution not in ATTRIBUTIONS:
        raise InputError(f"unknown attribution '{attribution}'",
                         hint=f"use one of: {', '.join(ATTRIBUTIONS)}")
    if local_contexts is not None:
        from ..governance.local_contexts import LABEL_SECTOR

        if identity.member.sector != LABEL_SECTOR or local_contexts.get("notices"):
            raise NotPermitted(f"Local Contexts Labels are applied by members of the "
                               f"{LABEL_SECTOR} sector, on their own comments",
                               hint="facilitators apply Notices: coalition notice add")
    if (share_with or name_holders) and attribution != "confidential":
        raise InputError("--share-with and --name-holders are for a confidential comment",
                         hint="add --attribution confidential")
    tags = []
    for theme in themes or []:
        check_slug(theme, "theme")
        if config.themes and theme not in config.themes:
            raise InputError(f"unknown theme '{theme}'", hint=f"use one of: {', '.join(config.themes)}")
        tags.append(theme)
    text = records.clean_text(text, "the comment text")
    propose = records.clean_text(propose, "the proposed text")
    if stance == "block" and not (text or "").strip():
        raise InputError("a block needs a reason: give the comment text",
                         hint="say why with --text, --text-file or stdin")
    if not (text or "").strip() and not (propose or "").strip() and stance != "support":
        raise InputError("the comment has no text", hint="give --text, --text-file or stdin")
    anchor = None
    if quote is not None:
        quote = records.clean_text(quote, "--quote", limit=records.MAX_QUOTE, required=True)
        draft = snap.draft_principles(round_).get(pid)
        if draft is None:
            raise NotFound(f"{pid} is not in the round's draft")
        from ..anchoring import QuoteNotFound, make_anchor

        quoted_text = draft.body
        if lang is not None and lang != config.languages[0]:
            quoted_text = _draft_translation(agenda, round_, pid, lang).body
        variants = records.nfc_variants(quote or "")  # typed, then NFC, then NFD
        for number, form in enumerate(variants, 1):
            try:
                anchor = make_anchor(quoted_text, form, occurrence)
                break
            except QuoteNotFound as exc:
                if number == len(variants):
                    if lang is not None:  # say which version was searched
                        exc.message = f"{exc.message} (in the {lang} text of {pid})"
                    raise
    previous = None
    if supersedes:
        own = _member_records(agenda, snap, round_, identity.member.id)
        comments = {i: r for i, r in own.items() if r.type == "comment"}
        previous = resolve_prefix(supersedes, comments, "comment")
        if comments[previous].principle != pid:
            raise InputError(f"comment {previous[:8]} is on {comments[previous].principle}, not {pid}")
    encrypted = None
    author = identity.person
    if attribution == "confidential":
        from ..confidential import SEALED_FIELDS, encrypt_for_facilitators

        # only what counting and verifying need stays in the clear; the person, the anchor,
        # the themes and the words go to the verified facilitators and to the author's key
        payload = {"text": text, "proposed_text": propose, "author": author, "anchor": anchor,
                   "themes": list(tags), "lang": lang}
        assert set(payload) == set(SEALED_FIELDS)
        if provenance is not None:
            payload["provenance"] = provenance
        if share_with:
            from ..confidential import encrypt
            from ..governance.recipients import chosen_recipients

            keys, chosen = chosen_recipients(snap, share_with, identity.member.id)
            encrypted = encrypt(payload, list(dict.fromkeys([*keys, identity.entry.key])))
        else:
            chosen = None
            encrypted = encrypt_for_facilitators(snap, payload, also=[identity.entry.key])
        text, propose, author, anchor, tags, lang, provenance = None, None, None, None, [], None, None
    record = Record(type="comment", id=new_record_id(), round=round_.id, member=identity.member.id,
                    submitted_at=stamp(_write.now()), principle=pid, author=author,
                    stance=stance, kind=kind, attribution=attribution, themes=tuple(tags),
                    anchor=anchor, text=text if text is not None else ("" if not encrypted else None),
                    proposed_text=propose, supersedes=previous, encrypted=encrypted, lang=lang,
                    provenance=provenance, shared_with=chosen if encrypted else None,
                    holders_named=bool(name_holders and encrypted and chosen),
                    local_contexts=local_contexts)
    if attribution == "public":
        message = f"comment {record.id[:8]}: {identity.member.id} on {pid} ({stance}) in {round_.id}"
    else:  # the commit must not say whose it is
        message = f"comment {record.id[:8]}: an {attribution} comment on {pid} in {round_.id}"
    return _write_record(agenda, identity, record, message, anonymous=attribution != "public")


def _draft_translation(agenda: Agenda, round_: Round, pid: str, lang: str):  # noqa: ANN202
    """The ``lang`` text of ``pid`` at the round's draft, signed by a verified facilitator."""
    from ..trust import trusted
    from ..trust.view import signed_translations

    found = signed_translations(agenda, round_.draft, trusted(agenda)).get((pid, lang))
    if found is None:
        raise InputError(f"{pid} has no {lang} text in round '{round_.id}': a quote in {lang} "
                         "has nothing to anchor in",
                         hint="quote the reference text (with its language's --lang), or "
                              "comment without --quote")
    return found


def find_record(agenda: Agenda, snap: Snapshot, record_id: str,
                round_id: str | None = None) -> tuple[Record, str]:
    """A record of any member by id or unambiguous prefix, with its path."""
    from ..model import record_from_fields

    sub = f"rounds/{round_id}" if round_id else "rounds"
    candidates = {}
    for entry in snap.entries(sub):
        if "/comments/" in entry.path and entry.path.endswith(".yaml"):
            candidates.setdefault(Path(entry.path).stem, entry)
    found = resolve_prefix(record_id, candidates, "comment")
    entry = candidates[found]
    data = agenda.git.read_objects([entry.sha])[0] or b""
    rec = record_from_fields(records.parse_record(data, entry.path), entry.path,
                             snap.config.stances)
    return rec, entry.path


def own_comment(agenda: Agenda, snap: Snapshot, identity: Identity, comment_id: str,
                what: str, kind: str) -> tuple[Record, Record | None]:
    """The member's own comment ``comment_id`` (else refused: only its member may ``what``),
    and its member's earlier record of type ``kind`` about it, if any."""
    target, _ = find_record(agenda, snap, comment_id)
    if target.type != "comment":
        raise InputError(f"{target.id[:8]} is a {target.type}, not a comment")
    if target.member != identity.member.id:
        raise NotPermitted(f"comment {target.id[:8]} belongs to '{target.member}'; "
                           f"only its member may {what}")
    done = next((r for r in _member_records(agenda, snap, snap.round(target.round),
                                            identity.member.id).values()
                 if r.type == kind and r.target == target.id), None)
    return target, done


def comment_withdraw(agenda: Agenda, identity: Identity, comment_id: str) -> Written:
    snap = verified(agenda)
    target, done = own_comment(agenda, snap, identity, comment_id, "withdraw it", "withdrawal")
    round_ = _writable_round(snap, target.round)
    if done is not None:
        raise InputError(f"comment {target.id[:8]} was already withdrawn on {done.submitted_at} "
                         f"(withdrawal {done.id[:8]}); nothing was written")
    record = Record(type="withdrawal", id=new_record_id(), round=round_.id,
                    member=identity.member.id, submitted_at=stamp(_write.now()),
                    principle=target.principle, author=identity.person, target=target.id)
    if target.attribution != "public":  # the commit must not say whose it was
        return _write_record(agenda, identity, record, f"comment {target.id[:8]}: withdrawn",
                             anonymous=True)
    return _write_record(agenda, identity, record,
                         f"comment {target.id[:8]}: withdrawn by {identity.member.id}")


def comment_endorse(agenda: Agenda, identity: Identity, comment_id: str,
                    text: str | None = None) -> Written:
    snap = verified(agenda)
    target, _ = find_record(agenda, snap, comment_id)
    if target.type != "comment":
        raise InputError(f"{target.id[:8]} is a {target.type}, not a comment")
    if target.member == identity.member.id:
        raise InputError("you cannot endorse your own comment")
    if target.attribution == "confidential":
        raise InputError("a confidential comment cannot be endorsed")
    round_ = _writable_round(snap, target.round)
    text = records.clean_text(text, "the endorsement text")
    record = Record(type="endorsement", id=new_record_id(), round=round_.id,
                    member=identity.member.id, submitted_at=stamp(_write.now()),
                    principle=target.principle, author=identity.person, target=target.id,
                    text=text)
    return _write_record(agenda, identity, record,
                         f"comment {target.id[:8]}: endorsed by {identity.member.id}")


def comment_ack(agenda: Agenda, identity: Identity, comment_id: str, answer: str,
                text: str | None = None) -> Written:
    snap = verified(agenda)
    if answer not in ANSWERS:
        raise InputError(f"unknown answer '{answer}'", hint=f"use one of: {', '.join(ANSWERS)}")
    target, _ = find_record(agenda, snap, comment_id)
    if target.member != identity.member.id or target.type != "comment":
        raise NotPermitted(f"comment {target.id[:8]} is not yours to acknowledge")
    response = snap.read(f"rounds/{target.round}/responses/{target.id}.yaml")
    if response is None:
        raise InputError(f"comment {target.id[:8]} has no response yet",
                         hint="acknowledge it after a facilitator responds")
    text = records.clean_text(text, "the acknowledgement text")
    record = Record(type="acknowledgement", id=new_record_id(), round=target.round,
                    member=identity.member.id, submitted_at=stamp(_write.now()),
                    principle=target.principle, author=identity.person, target=target.id,
                    answer=answer, text=text)
    if target.attribution != "public":
        return _write_record(agenda, identity, record, f"comment {target.id[:8]}: {answer}",
                             anonymous=True)
    return _write_record(agenda, identity, record,
                         f"comment {target.id[:8]}: {identity.member.id} is {answer}")


def comment_reencrypt(agenda: Agenda, identity: Identity, comment_id: str) -> Written:
    """Give today's facilitators access to a confidential comment (e.g. one added later).

    A facilitator who can open the comment re-encrypts its payload to every current
    facilitator key and signs the result as ``rounds/<round>/access/<comment-id>.yaml``;
    the member's signed comment is left exactly as submitted.
    """
    from ..confidential import Access, encrypt, facilitator_keys, open_comment
    from ..signing import PublicKey

    snap = verified(agenda)
    require_role(identity, "facilitator", "give access to confidential comments")
    target, _ = find_record(agenda, snap, comment_id)
    if target.type != "comment" or not target.encrypted:
        raise InputError(f"{target.id[:8]} is not a confidential comment")
    payload, _grant = open_comment(snap, target, identity.key)
    from ..governance.recipients import regrant_keys

    chosen = regrant_keys(snap, target, payload)  # never wider than its author chose
    recipients = facilitator_keys(snap) if chosen is None else chosen
    grant = Access(round=target.round, comment=target.id, encrypted=encrypt(payload, recipients),
                   recipients=tuple(PublicKey.from_openssh(k).fingerprint for k in recipients),
                   granted_by=identity.member.id, granted_at=stamp(_write.now()))
    rel = f"rounds/{target.round}/access/{target.id}.yaml"
    files = _signed(agenda, identity, rel, grant.fields())
    sha = _commit(agenda, identity, files,
                  f"access to {target.id[:8]}: re-encrypted for {len(recipients)} "
                  f"{'facilitator ' if chosen is None else 'chosen holder '}key(s) "
                  f"({identity.member.id})")
    return Written(target.id, agenda.p(rel), sha)
