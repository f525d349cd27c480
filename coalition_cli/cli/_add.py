"""What ``coalition comment add`` does once its options are parsed: the one body that both
typer's command (``cli.comments.add``) and the direct path (``_direct``) call. No typer
here: the direct path runs it without importing typer at all."""

from __future__ import annotations

from pathlib import Path

from ._common import Out, signer_session, stderr_is_terminal
from ._text import read_text


def add(*, principle: str, stance: str, quote: str | None = None, occurrence: int | None = None,
        text: str | None = None, text_file: Path | None = None, propose: str | None = None,
        kind: str = "substantive", theme: list[str] | None = None,
        attribution: str = "public", supersedes: str | None = None,
        round_id: str | None = None, share_with: list[str] | None = None,
        name_holders: bool = False, local_contexts: Path | None = None,
        as_member: str | None = None, key: Path | None = None, passphrase: Path | None = None,
        agenda: Path | None = None, fmt: str = "terminal", lang: str | None = None) -> None:
    """Submit a signed comment on the draft under consultation; prints its id."""
    from .. import actions
    from ..translations import comment_language

    labels = None
    if local_contexts is not None:
        from ..governance.local_contexts import read_file

        labels = read_file(local_contexts, want="labels")
    ag, who = signer_session(fmt, agenda, as_member, key, passphrase)
    # checked before anything is typed, against the verified settings the write starts from
    lang = comment_language(ag, lang, actions.verified(ag))
    required = stance in ("block", "oppose", "amend", "neutral") and propose is None
    if stderr_is_terminal():  # before anything is signed: say what will count
        from ..voices import what_will_count

        for warning in what_will_count(ag, who, principle=principle, stance=stance,
                                       supersedes=supersedes, round_id=round_id):
            Out(fmt).note(f"warning: {warning}")
    body = read_text(text, text_file, what="comment text", required=required,
                     instructions=(f"Your comment on {principle}, stance '{stance}', above.",))
    written = actions.comment_add(
        ag, who, principle=principle, stance=stance, text=body, quote=quote,
        occurrence=occurrence, propose=propose, kind=kind, themes=theme or [],
        attribution=attribution, supersedes=supersedes, round_id=round_id, lang=lang,
        share_with=share_with or None, name_holders=name_holders, local_contexts=labels)
    Out(fmt).written(written)
