"""Drafting principles: each version signed by a facilitator, ids never reused."""

from __future__ import annotations

from pathlib import Path

from .. import records
from ..agenda import Agenda
from ..errors import InputError
from ..identity import Identity
from ..ids import slugify
from ._write import (
    Written,
    _commit,
    _later,
    _rel,
    _signed_bytes,
    _who,
    require_role,
    verified,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


def _principle_file(fields: dict[str, Any], body: str, previous: str | None = None) -> bytes:
    return records.dump_principle({**fields, "updated_at": _later(previous)}, body)


def _themes(snap: object, themes: list[str] | tuple[str, ...]) -> list[str]:
    """A principle's themes (front matter), checked like a comment's."""
    from ..ids import check_slug

    out: list[str] = []
    allowed = snap.config.themes  # type: ignore[attr-defined]
    for theme in themes:
        check_slug(theme, "theme")
        if allowed and theme not in allowed:
            raise InputError(f"unknown theme '{theme}'", hint=f"use one of: {', '.join(allowed)}")
        if theme not in out:
            out.append(theme)
    return out


def _with_themes(fields: dict[str, Any], themes: list[str] | tuple[str, ...]) -> dict[str, Any]:
    return {**fields, "themes": list(themes)} if themes else fields


def principle_add(agenda: Agenda, identity: Identity, title: str, body: str, *,
                  themes: list[str] | tuple[str, ...] = ()) -> Written:
    snap = verified(agenda)
    require_role(identity, "facilitator", "draft principles")
    title = records.clean_text(title, "the title", limit=records.MAX_TITLE, required=True,
                               multiline=False) or ""
    body = records.clean_text(body, "the body", limit=records.MAX_BODY, required=True) or ""
    used = [int(p[1:]) for p in snap.principles]
    for entry in snap.entries("principles"):  # retired and odd files keep their numbers
        stem = Path(entry.path).name.split("-", 1)[0].removesuffix(".md")
        if stem[:1] == "P" and stem[1:].isdigit():
            used.append(int(stem[1:]))
    pid = f"P{max(used, default=0) + 1:02d}"
    path = agenda.p(f"principles/{pid}-{slugify(title)}.md")
    data = _principle_file(_with_themes({"id": pid, "title": title, "status": "active"},
                                        _themes(snap, themes)), body)
    rel = _rel(agenda, path)
    commit = _commit(agenda, identity, _signed_bytes(agenda, identity, rel, data),
                     f"principle {pid}: add \"{title}\" ({_who(identity)})")
    return Written(pid, path, commit)


def principle_edit(agenda: Agenda, identity: Identity, principle_id: str, *,
                   title: str | None = None, body: str | None = None,
                   status: str | None = None,
                   themes: list[str] | tuple[str, ...] | None = None) -> Written:
    snap = verified(agenda)
    require_role(identity, "facilitator", "draft principles")
    principle = snap.principle(principle_id)
    new_title = principle.title if title is None else (
        records.clean_text(title, "the title", limit=records.MAX_TITLE, required=True,
                           multiline=False) or "")
    new_body = principle.body if body is None else (
        records.clean_text(body, "the body", limit=records.MAX_BODY, required=True) or "")
    new_status = status or principle.status
    new_themes = tuple(principle.themes if themes is None else _themes(snap, themes))
    if (new_title, new_body.strip(), new_status, new_themes) == (
            principle.title, principle.body.strip(), principle.status, principle.themes):
        raise InputError(f"{principle.id} is unchanged: nothing to commit")
    data = _principle_file(_with_themes({"id": principle.id, "title": new_title,
                                         "status": new_status}, new_themes),
                           new_body, principle.updated_at)
    verb = "retire" if status == "retired" else "edit"
    rel = _rel(agenda, principle.path)
    commit = _commit(agenda, identity, _signed_bytes(agenda, identity, rel, data),
                     f"principle {principle.id}: {verb} \"{new_title}\" ({_who(identity)})")
    return Written(principle.id, principle.path, commit)
