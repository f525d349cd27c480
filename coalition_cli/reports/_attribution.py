"""Who and what a report may show of a record: the attribution rules, in one place.

``public``: member (and person) and text. ``anonymous``: text without member or person.
``confidential``: counted, never its text (it is stored encrypted anyway).
"""

from __future__ import annotations

from ..model import Member, Record


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
