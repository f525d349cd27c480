"""What a round's history says, for reports: when it really closed, the extensions of its
closing date, who facilitated it, and the hashes a reader checks the closing manifest by.

The round file is rewritten by ``round extend`` and ``round close`` (each a signed commit),
so the dates a round went through are the versions of ``round.yaml`` in the history up to
the commit reported on. Nothing here is trusted beyond what ``verify`` already checked:
the current round and closing come from the ``Verified`` object; older versions of the
round file only supply the dates it was extended from and to.
"""

from __future__ import annotations

import hashlib

from ..agenda import Agenda
from ..model import Round
from ..store import literal
from ..verify import Verified

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


def _closes_history(agenda: Agenda, commit: str, rnd: Round,
                    verified: Verified | None = None) -> list[tuple[str, str]]:
    """(commit date, closes_at) of every version of the round file up to ``commit``, oldest
    first: only versions signed by a facilitator of the verified registry, and each parsed
    only once its signature checked out (a member's planted version adds no date)."""
    from .. import records
    from ..signing import verify_detached_fast
    from ..trust.rules import facilitator_signed

    state = verified.trust.ledger.state if verified is not None and verified.trust else None
    path = agenda.p(f"rounds/{rnd.id}/round.yaml")
    code, out = agenda.git.run_status("log", "--reverse", "--format=%H %cI", commit, "--",
                                      literal(path))
    if code != 0:
        return []
    seen: list[tuple[str, str]] = []
    for line in out.splitlines():
        sha, _, when = line.partition(" ")
        data, sig = agenda.git.read_objects([f"{sha}:{path}", f"{sha}:{path}.sig"])
        if data is None or sig is None or state is None:
            continue
        key = verify_detached_fast(data, sig)
        if key is None or facilitator_signed(state, key.openssh,
                                             hashlib.sha256(data).hexdigest()) is not None:
            continue
        try:
            fields = records.load_yaml_bytes(data, path)
        except Exception:  # noqa: BLE001 - an unreadable old version adds no date
            continue
        closes = fields.get("closes_at") if isinstance(fields, dict) else None
        if isinstance(closes, str):
            seen.append((when, closes))
    return seen


def round_facts(agenda: Agenda, verified: Verified, rnd: Round) -> dict[str, Any]:
    """The dates, people and hashes of one round, as report data."""
    members = verified.members

    def name(member_id: str | None) -> str | None:
        if not member_id:
            return None
        m = members.get(member_id)
        return m.name if m else member_id

    history = _closes_history(agenda, verified.commit, rnd, verified)
    planned = history[0][1] if history else rnd.closes_at
    extensions = []
    previous = planned
    for when, closes in history[1:]:
        if closes != previous:
            extensions.append({"recorded_at": when, "from": previous, "to": closes})
            previous = closes
    closing_path = agenda.p(f"rounds/{rnd.id}/closing.yaml")
    closing = None
    if rnd.id in verified.closings:
        data = agenda.git.read_file(verified.commit, closing_path) or b""
        code, blob = agenda.git.run_status("rev-parse", f"{verified.commit}:{closing_path}")
        closing = {"path": closing_path, "sha256": hashlib.sha256(data).hexdigest(),
                   "blob": blob.strip() if code == 0 else None,
                   "records": len(verified.closings[rnd.id].records),
                   "closed_by": verified.closings[rnd.id].closed_by}
    facilitators = sorted(m.name for m in members.values() if m.has_role("facilitator"))
    return {
        "opened_at": rnd.opened_at, "opened_by": name(rnd.opened_by),
        "planned_closes_at": planned, "closes_at": rnd.closes_at,
        "closed_at": rnd.closed_at, "closed_by": name(rnd.closed_by),
        "extensions": extensions, "facilitators": facilitators, "closing": closing,
        "draft_tag": f"coalition/{rnd.id}/draft",
        "closed_tag": f"coalition/{rnd.id}/closed" if rnd.status == "closed" else None,
    }
