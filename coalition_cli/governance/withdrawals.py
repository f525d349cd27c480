"""Withdrawal of consent to use a comment (CARE's *authority to control*).

A member signs a ``consent-withdrawal`` record (``type: consent-withdrawal``,
``withdraws_consent: <comment id>``) in its own folder of the comment's round,
``rounds/<round>/comments/<member>/<id>.yaml``. It may come at any time, also after the
round closed: it is not ``late``, because the closing manifest protects what the round
*counted*, and a consent withdrawal changes no count — the member's stance still counts
(to take the stance back, a member withdraws the comment while the round is open). What it
changes is what may be *shown*: from the commit that adds it, every report drops the
comment's text, proposed text, quote, person and themes, and counts it as withdrawn-consent.

What it cannot do: git history keeps the comment's bytes in every clone that fetched them
(README, "Indigenous data governance").
"""

from __future__ import annotations

from .wording import CONSENT_WITHDRAWN_TEXT

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


def redact(items: list[tuple[str, Any]]) -> tuple[list[tuple[str, Any]], dict[str, Any]]:
    """``items`` with each comment its author withdrew consent for shown without its words,
    and {comment id: the consent-withdrawal record}."""
    withdrawn = {rec.target: rec for _p, rec in items if rec.type == "consent-withdrawal"}
    if not withdrawn:
        return items, {}
    from dataclasses import replace  # (not at import: most rounds have no withdrawal)

    out = []
    for path, rec in items:
        if rec.type == "comment" and rec.id in withdrawn:
            rec = replace(rec, text=None if rec.encrypted else CONSENT_WITHDRAWN_TEXT,
                          proposed_text=None, anchor=None, author=None, themes=(),
                          encrypted=None)
        out.append((path, rec))
    return out, withdrawn
