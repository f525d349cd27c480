"""Consultation rounds: open, extend, close (with a signed manifest), reopen by mistake."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from .. import records
from ..agenda import Agenda
from ..errors import InputError, NotFound, NotPermitted
from ..identity import Identity
from ..ids import check_principle, check_slug
from ..model import (
    Round,
    stamp,
)
from . import _write
from ._write import (
    Written,
    _commit,
    _later,
    _signed,
    _who,
    require_role,
    verified,
)


def round_open(agenda: Agenda, identity: Identity, round_id: str, *, title: str,
               closes: datetime, principles: list[str] | None = None) -> Written:
    snap = verified(agenda)
    require_role(identity, "facilitator", "open a round")
    check_slug(round_id, "round")
    title = records.clean_text(title, "--title", limit=200, required=True, multiline=False) or ""
    current = snap.open_round()
    if current is not None:
        raise NotPermitted(f"round '{current.id}' is still open; one round at a time",
                           hint=f"close it first: coalition round close {current.id}")
    if round_id in snap.rounds or snap.entries(f"rounds/{round_id}"):
        raise InputError(f"round '{round_id}' already exists")
    moment = _write.now()
    if closes <= moment:
        raise InputError(f"--closes {stamp(closes)} is in the past")
    active = [p.id for p in snap.principles.values() if p.active]
    scope = [check_principle(p) for p in principles] if principles else active
    for pid in scope:
        if pid not in active:
            raise NotFound(f"no active principle {pid} to consult on")
    if not scope:
        raise InputError("there are no principles to consult on",
                         hint="draft one first: coalition principle add TITLE --body ...")
    round_ = Round(id=round_id, title=title, status="open", opened_at=stamp(moment),
                   closes_at=stamp(closes), draft=snap.commit, principles=tuple(scope),
                   opened_by=identity.member.id, updated_at=stamp(moment))
    files = _signed(agenda, identity, f"rounds/{round_id}/round.yaml", round_.fields())
    commit = _commit(agenda, identity, files,
                     f"round {round_id}: open \"{title}\" until {stamp(closes)}\n\n"
                     f"Draft: {snap.commit}\nPrinciples: {', '.join(scope)}")
    agenda.git.tag(f"coalition/{round_id}/draft", snap.commit)
    return Written(round_id, agenda.p(f"rounds/{round_id}/round.yaml"), commit)


def round_extend(agenda: Agenda, identity: Identity, round_id: str, closes: datetime) -> Written:
    snap = verified(agenda)
    require_role(identity, "facilitator", "extend a round")
    round_ = snap.round(round_id)
    if round_.status != "open":
        raise NotPermitted(f"round '{round_id}' is closed")
    if closes <= _write.now():
        raise InputError(f"--closes {stamp(closes)} is in the past")
    updated = replace(round_, closes_at=stamp(closes), updated_at=_later(round_.updated_at))
    files = _signed(agenda, identity, f"rounds/{round_id}/round.yaml", updated.fields())
    commit = _commit(agenda, identity, files,
                     f"round {round_id}: closes {stamp(closes)} (was {round_.closes_at})")
    return Written(round_id, agenda.p(f"rounds/{round_id}/round.yaml"), commit)


def round_close(agenda: Agenda, identity: Identity, round_id: str | None = None) -> Written:
    import hashlib

    snap = verified(agenda)
    require_role(identity, "facilitator", "close a round")
    round_ = snap.round(round_id) if round_id else snap.open_round()
    if round_ is None:
        raise NotFound("no round is open", hint="list rounds with: coalition round list")
    if round_.status != "open":
        raise NotPermitted(f"round '{round_.id}' is already closed")
    base = agenda.p(f"rounds/{round_.id}") + "/"
    files = [f for f in snap.round_files(round_.id) if "/comments/" in f.path]
    blobs = agenda.git.read_objects([f.sha for f in files])
    manifest = sorted([f.path[len(base):], hashlib.sha256(data or b"").hexdigest()]
                      for f, data in zip(files, blobs))
    when = _later(round_.updated_at)  # after the version it replaces (a reopening's, too)
    closing = {"v": 1, "type": "closing", "round": round_.id, "closed_at": when,
               "closed_by": identity.member.id, "count": len(manifest), "records": manifest}
    closed = replace(round_, status="closed", closed_at=when, closed_by=identity.member.id,
                     updated_at=when)
    out = _signed(agenda, identity, f"rounds/{round_.id}/closing.yaml", closing)
    out.update(_signed(agenda, identity, f"rounds/{round_.id}/round.yaml", closed.fields()))
    commit = _commit(agenda, identity, out,
                     f"round {round_.id}: close with {len(manifest)} records")
    agenda.git.tag(f"coalition/{round_.id}/closed", commit)
    return Written(round_.id, agenda.p(f"rounds/{round_.id}/closing.yaml"), commit)


def round_reopen(agenda: Agenda, identity: Identity, round_id: str, closes: datetime,
                 reason: str = "closed by mistake") -> Written:
    """Reopen a closed round before any response was written: a signed reopening sets its
    closing manifest aside (the only way verify accepts a closed round reading open)."""
    import hashlib

    from ..model import Reopening

    snap = verified(agenda)
    require_role(identity, "facilitator", "reopen a round")
    round_ = snap.round(round_id)
    if round_.status != "closed":
        raise InputError(f"round '{round_id}' is not closed")
    if snap.open_round() is not None:
        raise NotPermitted("another round is open; one round at a time")
    if snap.entries(f"rounds/{round_id}/responses"):
        raise NotPermitted(f"round '{round_id}' already has responses; it cannot be reopened",
                           hint="open a new round instead")
    if closes <= _write.now():
        raise InputError(f"--closes {stamp(closes)} is in the past")
    reason = records.clean_text(reason, "--reason", limit=2000, required=True) or ""
    closing = snap.read(f"rounds/{round_id}/closing.yaml") or b""
    digest = hashlib.sha256(closing).hexdigest()
    when = _later(round_.updated_at or round_.closed_at)
    record = Reopening(round=round_id, closing=digest, closes_at=stamp(closes), reason=reason,
                       reopened_at=when, reopened_by=identity.member.id)
    reopened = replace(round_, status="open", closes_at=stamp(closes), closed_at=None,
                       closed_by=None, updated_at=when)
    base = f"rounds/{round_id}/"
    files: dict[str, bytes | None] = {agenda.p(base + "closing.yaml"): None,
                                      agenda.p(base + "closing.yaml.sig"): None}
    files.update(_signed(agenda, identity, f"{base}reopenings/{digest[:16]}.yaml",
                         record.fields()))
    files.update(_signed(agenda, identity, base + "round.yaml", reopened.fields()))
    commit = _commit(agenda, identity, files,
                     f"round {round_id}: reopen until {stamp(closes)} ({_who(identity)})\n\n"
                     f"Reason: {reason}")
    return Written(round_id, agenda.p(base + "round.yaml"), commit)
