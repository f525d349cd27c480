"""Rule 4 of the ledger (``trust.ledger``): a governed file only moves forward.

A new version, already signed by someone with the authority and parsed, is still refused
(``rollback``) when it goes back on the version its parent trusts: it is older
(``updated_at``); it makes a revoked key valid again, shrinks a key's seal, drops a key,
or brings back a removed member; it reopens a closed round without a facilitator's signed
reopening beside it (``reopened``); or it changes a closing manifest, which is written
once. ``walk`` is the ledger's walk (``ledger._Walk``): what it has read and parsed.
"""

from __future__ import annotations

import hashlib

from .. import records
from ..errors import InputError
from .state import State, Version

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

_ORDERED = ("member", "config", "principle", "translation")  # by their updated_at


def backwards(walk: Any, kind: str | None, rel: str, new: Any, before: Version,
              commit: str) -> str:
    """How ``new`` (parsed, of ``kind``) goes back on ``before``, the version trusted at
    the parent ``walk.judged_at`` — "" when it does not."""
    try:
        old = walk.parsed(rel, before)
    except InputError:
        return ""
    order_new = new.updated_at if kind in _ORDERED else None
    if kind in _ORDERED and (order_new or "") < before.order:
        return (f"brings back an older version (updated_at {order_new or 'none'} is before "
                f"{before.order}); signed files never go back")
    if kind == "member":
        return _member_backwards(old, new)
    if kind == "round":
        if old.status == "closed" and new.status == "open":
            state = walk.judged_at
            closing = state.files.get(rel.rsplit("/", 1)[0] + "/closing.yaml")
            if not closing or not reopened(walk, commit, rel.split("/")[1], closing.blob, state):
                return "reopens a closed round without a facilitator's signed reopening"
        if max(new.updated_at or "", new.closed_at or "", new.opened_at) < before.order:
            return "brings back an older version of the round"
        return ""
    if kind == "closing":
        return "changes a closing manifest, which is written once"
    return ""


def _member_backwards(old: Any, new: Any) -> str:
    now_revoked = {e.key for e in new.keys if e.revoked}
    seals = {e.key: set(e.sealed or ()) for e in new.keys}
    for entry in old.keys:
        if entry.revoked and entry.key not in now_revoked:
            return f"makes a key revoked on {entry.revoked} valid again"
        if entry.sealed and not set(entry.sealed) <= seals.get(entry.key, set()):
            return "shrinks the seal of a key (the files it may still vouch for)"
        if entry.key not in seals:
            return "drops a key from the registry (keys are revoked, never dropped)"
    if not old.active and new.active:
        return f"brings back member '{old.id}', who was removed"
    return ""


def reopened(walk: Any, commit: str, round_id: str, closing_blob: str, state: State) -> bool:
    """Does ``commit`` hold a reopening of ``round_id``, signed by a facilitator trusted at
    ``state`` (the parent), that sets aside the closing manifest ``closing_blob``?"""
    data = walk.data(closing_blob)
    if data is None:
        return False
    digest = hashlib.sha256(data).hexdigest()
    rel = f"rounds/{round_id}/reopenings/{digest[:16]}.yaml"
    blob, sig = walk.blob_at(commit, rel)
    signer = walk.signer(blob, sig) if blob is not None else None
    if signer is None or not (signer in state.facilitator_keys or (
            walk.fingerprint(signer) in (state.founders or ()) and not state.lost(signer))):
        return False
    try:
        from ..model import reopening_from_fields

        rec = reopening_from_fields(records.parse_record(walk.data(blob) or b"", rel), rel)
    except InputError:
        return False
    return rec.round == round_id and rec.closing == digest


__all__ = ["backwards", "reopened"]
