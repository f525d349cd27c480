"""A principle in each language of the agenda: one signed text per language.

``coalition.yaml`` lists the agenda's ``languages``; the first is the **reference**, the
language a principle is drafted in (``principles/P03-slug.md``). Every other language has
its own file beside it, ``principles/P03-slug.fr.md`` with its ``.sig``, written and signed
by a facilitator exactly like the reference and governed by the trust ledger like it
(``trust.state.kind_of`` calls it a ``translation``: signed by a facilitator trusted at its
parent, ``updated_at`` only moves forward, parsed only after its signature is checked).

A translation records what it translates: ``source``, the SHA-256 of the reference's title
and body it was written from (``source_digest``), and that version's ``source_updated_at``.
When the reference changes later the translation is **out of date** (``out_of_date``):
``principle list`` says so, ``round open`` warns, reports mark it. Nothing is ever
machine-translated.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import PurePosixPath

from .errors import InputError, MalformedData, UsageError
from .ids import PRINCIPLE_ID
from .plainclass import dataclass

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

# principles/P03-some-slug.fr.md (or P03.fr.md): a reference file name never has a dot in it
_NAME = re.compile(r"(P[0-9]{2,6})(?:-[^./]*)?\.([a-z]{2,3})\.md")
LANG_CODE = re.compile(r"[a-z]{2,3}")
_SHA256 = re.compile(r"[0-9a-f]{64}")


def language_of(name: str) -> str | None:
    """The language of a principle file name if it is a translation (``P03-x.fr.md``)."""
    m = _NAME.fullmatch(PurePosixPath(name).name)
    return m.group(2) if m else None


def is_translation(name: str) -> bool:
    return language_of(name) is not None


def translation_path(reference_path: str, lang: str) -> str:
    """``…/P03-slug.md`` -> ``…/P03-slug.fr.md``."""
    return reference_path[: -len(".md")] + f".{lang}.md"


def language_name(code: str, in_lang: str = "en") -> str:
    from babel import Locale

    return Locale.parse(code).get_display_name(in_lang) or code


def check_code(code: str, what: str = "--lang") -> str:
    """A real language code (ISO 639, as Babel knows it), or a usage error."""
    if not isinstance(code, str) or not LANG_CODE.fullmatch(code):
        raise UsageError(f"{what} '{code}' is not a language code",
                         hint="use a two-letter ISO 639-1 code, like en or fr")
    from babel import Locale, UnknownLocaleError

    try:
        Locale.parse(code)
    except (UnknownLocaleError, ValueError):
        raise UsageError(f"{what} '{code}' is not a language code",
                         hint="use a two-letter ISO 639-1 code, like en or fr") from None
    return code


def check_agenda_language(code: str, languages: tuple[str, ...], what: str = "--lang") -> str:
    """``code`` if the agenda lists it, else a usage error naming the agenda's languages."""
    check_code(code, what)
    if code not in languages:
        raise UsageError(f"{what} '{code}' is not a language of this agenda "
                         f"({', '.join(languages)})",
                         hint=f"a facilitator adds it with: coalition config set languages "
                              f"{','.join((*languages, code))}")
    return code


def source_digest(title: str, body: str) -> str:
    """What a translation was written from: the reference's title and body."""
    return hashlib.sha256(f"{title}\n\n{body.strip()}".encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Translation:
    id: str
    lang: str
    title: str
    body: str
    source: str  # source_digest of the reference version it translates
    source_updated_at: str | None = None
    path: str = ""
    updated_at: str | None = None

    def out_of_date(self, reference: Any) -> bool:
        """Has the reference changed since this translation was written from it?"""
        return self.source != source_digest(reference.title, reference.body)


def translation_from_fields(fields: dict[str, Any], body: str, path: str) -> Translation:
    def text(key: str, limit: int, optional: bool = False) -> str | None:
        value = fields.get(key)
        if value is None and optional:
            return None
        if not isinstance(value, str) or len(value) > limit or not value.strip():
            raise MalformedData(path, f"front matter '{key}' must be text")
        if re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f]", value):
            raise MalformedData(path, f"field '{key}' contains a control character")
        return value

    pid = fields.get("id")
    if not isinstance(pid, str) or not PRINCIPLE_ID.fullmatch(pid):
        raise MalformedData(path, "front matter 'id' must be a principle id like P03")
    lang = fields.get("lang")
    if not isinstance(lang, str) or not LANG_CODE.fullmatch(lang):
        raise MalformedData(path, "front matter 'lang' must be a language code like fr")
    source = fields.get("source")
    if not isinstance(source, str) or not _SHA256.fullmatch(source):
        raise MalformedData(path, "front matter 'source' must be the SHA-256 of the reference "
                                  "text it translates")
    name = PurePosixPath(path).name
    if not (name == f"{pid}.{lang}.md" or (name.startswith(f"{pid}-")
                                             and name.endswith(f".{lang}.md"))):
        raise MalformedData(path, f"file name does not match its id {pid} and language {lang}")
    return Translation(id=pid, lang=lang, title=text("title", 200) or "", body=body,
                       source=source, source_updated_at=text("source_updated_at", 40, True),
                       path=path, updated_at=text("updated_at", 40, True))


def parse(path: str, data: bytes) -> Translation:
    from . import records

    head, body = records.split_front_matter(data, path)
    return translation_from_fields(head, body, path)


def dump(translation: Translation) -> bytes:
    from . import records

    fields = {"id": translation.id, "lang": translation.lang, "title": translation.title,
              "source": translation.source, "source_updated_at": translation.source_updated_at,
              "updated_at": translation.updated_at}
    return records.dump_principle(fields, translation.body)


def read_all(agenda: Any, commit: str) -> dict[tuple[str, str], Translation]:
    """(principle id, language) -> its translation at ``commit`` (files as committed; a
    trusted snapshot's head is its trusted state)."""
    entries = [e for e in agenda.git.ls_tree(commit, agenda.p("principles"))
               if is_translation(e.path)]
    blobs = agenda.git.read_objects([e.sha for e in entries])
    out: dict[tuple[str, str], Translation] = {}
    for entry, data in zip(entries, blobs):
        if entry.mode == "120000":
            raise MalformedData(entry.path, "a symlink where a translation file should be")
        t = parse(entry.path, data or b"")
        if (t.id, t.lang) in out:
            raise MalformedData(entry.path, f"{t.id} has two {t.lang} translations")
        out[(t.id, t.lang)] = t
    return out


def status_of(translation: Translation | None, reference: Any) -> str:
    """'up to date', 'out of date' or 'missing'."""
    if translation is None:
        return "missing"
    return "out of date" if translation.out_of_date(reference) else "up to date"


def stale(snapshot: Any) -> list[tuple[str, str, str]]:
    """(principle id, language, 'out of date' | 'missing') of every active principle's
    translation that is not up to date, for the agenda's non-reference languages."""
    languages = tuple(snapshot.config.languages)[1:]
    if not languages:
        return []
    found = read_all(snapshot.agenda, snapshot.commit)
    out = []
    for pid, principle in snapshot.principles.items():
        if not principle.active:
            continue
        for lang in languages:
            status = status_of(found.get((pid, lang)), principle)
            if status != "up to date":
                out.append((pid, lang, status))
    return out


def comment_language(agenda: Any, given: str | None, snapshot: Any = None) -> str | None:
    """The language a new comment records: ``--lang`` (checked against the agenda), else the
    member's setting (``COALITION_LANG``, git config ``coalition.lang``) or the locale
    (``LC_ALL``, ``LC_MESSAGES``, ``LANG``) when the agenda lists it, else the reference
    language. None on an agenda in one language when nothing was given (nothing to tell).
    The languages are those of ``snapshot`` (a writer's verified one), else of the head."""
    import os

    languages = tuple((snapshot or agenda.snapshot()).config.languages)
    if given is not None:
        return check_agenda_language(given, languages)
    if len(languages) < 2:
        return None
    from .identity import _git_config

    wanted = [os.environ.get("COALITION_LANG") or "", _git_config(agenda, "coalition.lang") or ""]
    wanted += [os.environ.get(name) or "" for name in ("LC_ALL", "LC_MESSAGES", "LANG")]
    for value in wanted:
        code = (value or "").split("_")[0].split(".")[0].split("-")[0].lower()
        if code in languages:
            return code
    return languages[0]


def no_such(pid: str, lang: str) -> InputError:
    from .errors import NotFound

    return NotFound(f"{pid} has no {lang} text yet",
                    hint=f"a facilitator writes it with: coalition principle edit {pid} --lang {lang}")


__all__ = ["Translation", "language_of", "is_translation", "translation_path", "check_code",
           "check_agenda_language", "source_digest", "translation_from_fields", "parse", "dump",
           "read_all", "status_of", "stale"]
