"""Who and what a report may show of a record: the attribution rules, in one place.

``public``: member (and person) and text. ``anonymous``: text without member or person.
``confidential``: counted, never its text (it is stored encrypted anyway).
"""

from __future__ import annotations

from ..i18n import N_
from ..model import Member, Record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


def member_label(rec: Record, members: dict[str, Member]) -> str | None:
    if rec.attribution != "public":
        return None
    member = members.get(rec.member)
    name = member.name if member else rec.member
    return f"{name} ({rec.author})" if rec.author else name


def visible_text(rec: Record) -> tuple[str | None, str | None, str | None]:
    """(text, proposed text, quote) as a report for everyone may show them."""
    if rec.attribution == "confidential":
        return None, None, None
    quote = rec.anchor.get("quote") if rec.anchor else None
    return rec.text, rec.proposed_text, quote


PROBLEM_HELP = {
    "bad-signature": N_("its signature does not match its bytes"),
    "unknown-member": N_("signed by, or naming, a member who is not in the registry"),
    "revoked-key": N_("signed with a key that had been revoked"),
    "not-permitted": N_("signed by someone not allowed to write it"),
    "wrong-place": N_("its fields do not agree with its folder or file name"),
    "late": N_("added after the round's closing manifest"),
    "malformed": N_("it cannot be read as a record"),
    "duplicate-id": N_("its id is used by another record"),
    "unsigned": N_("it has no signature"),
}


def excluded_records(base: str, problems: list[dict[str, str]], round_id: str,
                     members_base: str) -> list[dict[str, Any]]:
    """The records a report of round ``round_id`` left out, and why.

    A comment or response file's path names its member (``comments/<member>/<id>.yaml``) or
    the comment it answers, and a problem's detail may quote either — so every file under the
    round folder but the round's own ``round.yaml`` and ``closing.yaml`` (a member may plant a
    copy of a comment anywhere, under any name) is listed by round and kind of problem only,
    with a count, never by path. Registry and round files (``members/…``,
    ``rounds/<r>/round.yaml``) name no commenter and keep their path.
    ``base`` is the agenda path of the round folder, ending in ``/``.
    """
    grouped: dict[tuple[str, str], int] = {}
    out: list[dict[str, Any]] = []
    for p in problems:
        path = p.get("path") or ""
        if path.startswith(base):
            rest = path[len(base):]
            if rest.removesuffix(".sig") not in ("round.yaml", "closing.yaml"):
                what = ("comment record" if rest.startswith("comments/") else
                        "response record" if rest.startswith("responses/") else "record")
                key = (what, p.get("problem") or "")
                grouped[key] = grouped.get(key, 0) + 1
                continue
        elif not path.startswith(members_base):
            continue
        out.append({"path": path, "round": round_id if path.startswith(base) else None,
                    "record": "file", "problem": p.get("problem"), "detail": p.get("detail"),
                    "count": 1})
    for (what, kind), count in sorted(grouped.items()):
        out.append({"path": None, "round": round_id, "record": what, "problem": kind,
                    "detail": PROBLEM_HELP.get(kind, N_("it did not pass verification")),
                    "count": count})
    return out
