"""A principle's text in another language of the agenda, signed by a facilitator like the
reference text (``coalition_cli.translations``)."""

from __future__ import annotations

from .. import records
from ..agenda import Agenda
from ..errors import InputError
from ..identity import Identity
from ..translations import (
    Translation,
    check_agenda_language,
    dump,
    source_digest,
    translation_path,
)
from ._write import Written, _commit, _later, _rel, _signed_bytes, _who, require_role, verified


def principle_translate(agenda: Agenda, identity: Identity, principle_id: str, lang: str, *,
                        title: str | None = None, body: str | None = None) -> Written:
    """Write or revise the ``lang`` text of a principle; it records the reference version it
    translates, so a later change of the reference makes it out of date."""
    snap = verified(agenda)
    require_role(identity, "facilitator", "draft principles")
    languages = tuple(snap.config.languages)
    check_agenda_language(lang, languages)
    if lang == languages[0]:
        raise InputError(f"{lang} is the reference language of this agenda: edit the principle "
                         "itself", hint=f"coalition principle edit {principle_id}")
    principle = snap.principle(principle_id)
    old: Translation | None = snap.translations.get((principle.id, lang))
    if old is None and (title is None or body is None):
        raise InputError(f"{principle.id} has no {lang} text yet: give its title and body",
                         hint=f"coalition principle edit {principle.id} --lang {lang} "
                              "--title \"…\" --body-file FILE")
    new_title = (old.title if old else "") if title is None else (
        records.clean_text(title, "the title", limit=records.MAX_TITLE, required=True,
                           multiline=False) or "")
    new_body = (old.body if old else "") if body is None else (
        records.clean_text(body, "the body", limit=records.MAX_BODY, required=True) or "")
    source = source_digest(principle.title, principle.body)
    if old is not None and (old.title, old.body.strip(), old.source) == (
            new_title, new_body.strip(), source):
        raise InputError(f"the {lang} text of {principle.id} is unchanged: nothing to commit")
    path = old.path if old else translation_path(principle.path, lang)
    data = dump(Translation(id=principle.id, lang=lang, title=new_title, body=new_body,
                            source=source, source_updated_at=principle.updated_at,
                            updated_at=_later(old.updated_at if old else None)))
    verb = "revise" if old else "add"
    commit = _commit(agenda, identity, _signed_bytes(agenda, identity, _rel(agenda, path), data),
                     f"principle {principle.id} ({lang}): {verb} \"{new_title}\" "
                     f"({_who(identity)})")
    return Written(principle.id, path, commit)
