"""English and French: the words the tool writes in its reports, from gettext catalogs.

Every string a report writes (headings, labels, status words, legends) is an English
message id wrapped in ``_()`` (or ``n_()`` for a count, ``N_()`` to mark a constant that is
translated where it is shown). The French catalog is ``locales/fr/LC_MESSAGES/coalition.po``
(the source, written by hand) compiled by Babel to the ``.mo`` beside it, which is what runs;
``tests/test_i18n.py`` fails when the two disagree.

A report is rendered under one ``Translator`` (``translating(Translator("fr"))``): the
language lives in that object, set for the duration of one render in a context variable,
never in the process. The translator formats dates and numbers for its locale (fr_CA:
``1 234,5``, ``75 %``, ``1 déc. 2026``) and records every message its catalog lacked in
``misses``: a French report with a miss has English in it, and the tests fail on it. To
list what is untranslated after adding strings:
``python -m coalition_cli.i18n.check`` (the same check the tests run).
"""

from __future__ import annotations

import gettext
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path

from ..errors import UsageError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Iterator

LANGUAGES = ("en", "fr")  # the languages the tool writes reports in
NAMES = {"en": "English", "fr": "français"}
LOCALES = {"en": "en_CA", "fr": "fr_CA"}
DOMAIN = "coalition"
LOCALE_DIR = Path(__file__).parent / "locales"


@lru_cache(maxsize=None)
def _catalog(lang: str) -> gettext.GNUTranslations:
    with open(LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.mo", "rb") as fh:
        return gettext.GNUTranslations(fh)


def check_language(lang: str, what: str = "--lang") -> str:
    """``lang`` if the tool writes reports in it, else a usage error."""
    if lang not in LANGUAGES:
        raise UsageError(f"{what} '{lang}' is not a language coalition writes reports in",
                         hint="use one of: " + ", ".join(LANGUAGES))
    return lang


class Translator:
    """The words and formats of one report in one language; ``misses`` lists every message
    the catalog did not have (English was written instead)."""

    def __init__(self, lang: str = "en") -> None:
        self.lang = check_language(lang)
        self.locale = LOCALES[lang]
        self.misses: list[str] = []
        self._mo = None if lang == "en" else _catalog(lang)

    # words ---------------------------------------------------------------------------
    def gettext(self, message: str, context: str | None = None) -> str:
        if self._mo is None:
            return message
        key = f"{context}\x04{message}" if context else message
        found = self._mo._catalog.get(key)  # type: ignore[attr-defined]
        if not found:
            self.misses.append(message)
            return message
        return found

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        if self._mo is None:
            return singular if n == 1 else plural
        index = self._mo.plural(n)  # type: ignore[attr-defined]
        found = self._mo._catalog.get((singular, index))  # type: ignore[attr-defined]
        if not found:
            self.misses.append(singular)
            return singular if n == 1 else plural
        return found

    # formats -------------------------------------------------------------------------
    @property
    def english(self) -> bool:
        return self._mo is None

    def number(self, value: float | int) -> str:
        if self.english:
            return str(value)
        from babel.numbers import format_decimal

        return format_decimal(value, locale=self.locale)

    def percent(self, share: float) -> str:
        if self.english:
            return f"{share:.0%}"
        from babel.numbers import format_percent

        return format_percent(share, locale=self.locale)

    def date(self, moment: datetime) -> str:
        """A day: '2026-12-01' in English (as before), '1 déc. 2026' in French."""
        if self.english:
            return moment.strftime("%Y-%m-%d")
        from babel.dates import format_date

        return format_date(moment, "medium", locale=self.locale)

    def datetime(self, moment: datetime) -> str:
        """A moment in UTC: '2026-12-01 14:05 UTC', '1 déc. 2026, 14 h 05 UTC'."""
        moment = moment.astimezone(timezone.utc)
        if self.english:
            return moment.strftime("%Y-%m-%d %H:%M UTC")
        from babel.dates import format_time

        return (f"{self.date(moment)}, "
                f"{format_time(moment, 'short', locale=self.locale, tzinfo=timezone.utc)} UTC")

    def colon(self) -> str:
        """': ' in English, ' : ' (non-breaking space first) in French."""
        return ": " if self.english else "\u00a0: "


ENGLISH = Translator("en")
_current: ContextVar[Translator] = ContextVar("coalition_translator", default=ENGLISH)


def current() -> Translator:
    """The translator of the report being rendered (English outside of any)."""
    return _current.get()


@contextmanager
def translating(translator: Translator) -> Iterator[Translator]:
    """Render under ``translator`` (this context only: other threads keep their own)."""
    token = _current.set(translator)
    try:
        yield translator
    finally:
        _current.reset(token)


def _(message: str, **values: Any) -> str:
    """``message`` in the current report's language, ``{name}`` fields filled from ``values``."""
    text = _current.get().gettext(message)
    return text.format(**values) if values else text


def p_(context: str, message: str, **values: Any) -> str:
    """``_`` for a word whose translation depends on where it is used (``context``)."""
    text = _current.get().gettext(message, context)
    return text.format(**values) if values else text


def n_(singular: str, plural: str, n: int, **values: Any) -> str:
    """The form for ``n`` of a counted message; ``{n}`` is the count in the locale's digits."""
    tr = _current.get()
    return tr.ngettext(singular, plural, n).format(n=tr.number(n), **values)


def N_(message: str) -> str:
    """Mark a constant for the catalog; it is translated (``_``) where it is shown."""
    return message


def colon() -> str:
    return _current.get().colon()


def lang() -> str:
    return _current.get().lang


__all__ = ["LANGUAGES", "NAMES", "Translator", "translating", "current", "check_language",
           "_", "n_", "N_", "p_", "colon", "lang"]
