"""The checks a record's fields pass as they are read (``model``'s ``from_fields``
functions, and the governance records'): each field by name, with errors that name the
file, and the values of a field that repeat across records checked once per value."""

from __future__ import annotations

import functools
import re

from .errors import MalformedData

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


# Control characters other than newline and tab, and lone surrogates: a terminal would run
# them (ESC) or they cannot be printed at all.
@functools.cache
def unprintable() -> re.Pattern[str]:
    """The expression, compiled when first needed (0.6 ms: most texts are told apart by
    ``printable_ascii`` and never searched)."""
    return re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


def printable_ascii(text: str) -> bool:
    """Whether ``text`` is ASCII with nothing ``unprintable()`` finds in it — most texts, told
    from their bytes with the printable ones deleted, in a fifth of the expression's time
    for a long text; a text that is not is searched with the expression."""
    return text.isascii() and not text.encode().translate(None, _PRINTABLE_ASCII)


_PRINTABLE_ASCII = bytes(range(0x20, 0x7F)) + b"\t\n"


class Repeated:
    """The rule (``Fields.str``'s keywords) of a field whose values repeat across records,
    and the values that have passed it — at most ``KEEP``: at 100,000 records, eight such
    fields checked once per value instead of once per record."""

    KEEP = 4096

    def __init__(self, **rule: Any) -> None:
        self.rule = rule
        self.passed: set[str] = set()


class Fields:
    """Typed access to a record's fields, with errors that name the file."""

    def __init__(self, fields: dict[str, Any], path: str) -> None:
        self.f = fields
        self.path = path

    def fail(self, detail: str) -> MalformedData:
        return MalformedData(self.path, detail)

    def str(self, key: str, *, optional: bool = False, pattern: re.Pattern[str] | None = None,
            choices: tuple[str, ...] | None = None, limit: int = 20_000) -> str | None:
        value = self.f.get(key)
        if value is None:
            if optional:
                return None
            raise self.fail(f"missing field '{key}'")
        if not isinstance(value, str):
            raise self.fail(f"field '{key}' must be text")
        bad = None if printable_ascii(value) else unprintable().search(value)
        if bad:  # never written by the tool (its input refuses them): a hand-made record
            raise self.fail(f"field '{key}' contains the control character U+{ord(bad.group()):04X}")
        if len(value) > limit:
            raise self.fail(f"field '{key}' is longer than {limit} characters")
        if pattern is not None and not pattern.fullmatch(value):
            raise self.fail(f"field '{key}' has an invalid value {value[:40]!r}")
        if choices is not None and value not in choices:
            raise self.fail(f"field '{key}' must be one of {', '.join(choices)}, not {value[:40]!r}")
        return value

    def req(self, key: str, **kw: Any) -> str:
        value = self.str(key, **kw)
        assert value is not None
        return value

    def repeated(self, key: str, field: Repeated, *, optional: bool = False) -> str | None:
        """``str`` by ``field``'s rule, for a value that repeats from record to record (a
        type, a round, a member, a stance): one that passed the rule before passes again
        without being checked."""
        value = self.f.get(key)
        if value.__class__ is str and value in field.passed:
            return value
        value = self.str(key, optional=optional, **field.rule)
        if value is not None:
            if len(field.passed) >= Repeated.KEEP:
                field.passed.clear()
            field.passed.add(value)
        return value

    def strs(self, key: str, *, pattern: re.Pattern[str] | None = None) -> tuple[str, ...]:
        value = self.f.get(key, [])
        if value is None:
            return ()
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.fail(f"field '{key}' must be a list of text")
        if any(not printable_ascii(v) and unprintable().search(v) for v in value):
            raise self.fail(f"field '{key}' contains a control character")
        if pattern is not None:
            for item in value:
                if not pattern.fullmatch(item):
                    raise self.fail(f"field '{key}' has an invalid value {item[:40]!r}")
        return tuple(value)

    def version(self, kind: str) -> None:
        if self.f.get("v") != 1:
            raise self.fail("unsupported record version (expected v: 1)")
        if self.f.get("type") != kind:
            raise self.fail(f"expected a record of type '{kind}', found {self.f.get('type')!r}")


__all__ = ["Fields", "Repeated", "unprintable", "printable_ascii"]
