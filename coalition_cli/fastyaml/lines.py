"""The restricted line reader of ``fastyaml``: a record in ordinary block-style YAML — its
entries, and those of a mapping nested in it, found by one regular expression each, what
lies below an entry read line by line — or None, "not mine"."""

from __future__ import annotations

import re

from .values import (
    _AMBIGUOUS, _BOOLS, _KEY, _KEYS_SEEN, _NOT_PLAIN, _NULLS,
    _NotMine, _SIMPLE, _UNUSUAL, _double, _flow, _indent, _inline, _known_plain, _quoted,
    _plain_key, _rest_is_empty, _single, plain,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


def parse_block(text: str) -> dict[str, Any] | None:
    """A record in ordinary block-style YAML: a mapping whose values are scalars, flow
    collections, or one level of block list or mapping. None when not of that shape."""
    if not text.endswith("\n") or _unusual(text):
        return None
    try:
        found = _mapping(text, 1) if "\n " in text else _flat(text)
        return found or _block(text.split("\n")[:-1])
    except (_NotMine, IndexError, ValueError, RecursionError):
        return None


def _unusual(text: str) -> bool:
    """Whether ``text`` holds a character of ``_UNUSUAL``: for a text in ASCII (most
    records), the bytes that are not printable ASCII or LF, deleted from its bytes — a
    fifth of the regular expression's cost."""
    if text.isascii():
        return bool(text.encode().translate(None, _PLAIN_ASCII))
    return _UNUSUAL.search(text) is not None


_PLAIN_ASCII = bytes(range(0x20, 0x7F)) + b"\n"


def _flat(text: str) -> dict[str, Any] | None:
    """The commonest record: every line ``key: value``, nothing nested, blank, commented or
    continued — read with one regular expression; None otherwise (then _block reads it)."""
    entries = _FLAT_LINE.findall(text)
    if len(entries) != text.count("\n"):
        return None
    out: dict[str, Any] = {}
    known = _VALUES.get
    # the same reading of a line as _mapping's, written out in both: a call for each entry
    # would cost what these loops save
    for key, raw in entries:
        value = known(raw, _VALUES)
        if value is _VALUES:
            value = _line_value(raw)
            if value is _VALUES:
                return None
        if key in out or key not in _KEYS_SEEN and not _plain_key(key):
            raise _NotMine
        out[key] = value
    return out


# ``key: value`` alone on its line, the value not starting with a space
_FLAT_LINE = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*): ([^ \n][^\n]*)$", re.M)


def _line_value(raw: str) -> Any:
    """The value of ``raw``, the whole value of a ``key: value`` line, or _VALUES when it is
    one ``_block`` reads (a plain text with a comment after it). A value that repeats (a
    record's type, round, member, stance...) is remembered in ``_VALUES``."""
    first, last = raw[0], raw[-1]
    if first == "'" and last == "'" and len(raw) > 1 and "'" not in raw[1:-1]:
        value: Any = raw[1:-1]
    elif first == "'" or first == '"':  # '' for a quote, escapes: closed on this line
        value, end = (_single if first == "'" else _double)(raw, 0)
        _rest_is_empty(raw, end)
    elif first == "[" or first == "{":
        value, end = _flow(raw, 0, 1)
        _rest_is_empty(raw, end)
        return value  # never remembered: a caller may change a list
    elif first in _NOT_PLAIN or last == " " or " #" in raw:
        return _VALUES
    else:
        value = plain(raw)
    if len(raw) <= 12:  # a type, a round, a member, a stance... (not ids, times, texts)
        if len(_VALUES) >= 4096:
            _VALUES.clear()
        _VALUES[raw] = value
    return value


_VALUES: dict[str, Any] = {}  # a line's value text -> its value (``_line_value``)


def _mapping(text: str, depth: int) -> dict[str, Any] | None:
    """A block mapping whose entries, ``key: value`` or ``key:``, start at the start of their
    lines: each found with the lines below it by one regular expression, and read as
    ``_flat`` reads a line or — nested, or a quoted text over several lines — by
    ``_nested``; None when a line belongs to no entry (then _block reads the record)."""
    entries = _ENTRY.findall(text)
    lines = len(entries)
    out: dict[str, Any] = {}
    known = _VALUES.get
    for key, raw, below in entries:
        if below:
            lines += below.count("\n")
        if below and below.strip(" \n"):
            value = _nested(key, raw, below, depth)
        elif not raw or raw[0] == " ":
            return None  # ``key:`` alone, or a value after two spaces
        else:
            value = known(raw, _VALUES)
            if value is _VALUES:
                value = _line_value(raw)
                if value is _VALUES:
                    return None
        if key in out or key not in _KEYS_SEEN and not _plain_key(key):
            raise _NotMine
        out[key] = value
    if lines != text.count("\n"):
        return None
    return out


def _nested(key: str, raw: str, below: str, depth: int) -> Any:
    """The value of an entry with lines below it: a block mapping a record nests (its lines
    moved back to the start and read by ``_mapping``), a quoted text folded over them
    (``_quoted``, as ``_entry`` reads one), or what ``_entry`` reads of them — which must be
    every one."""
    if not raw and depth == 1:
        found = _FIRST_CONTENT.match(below)
        if found is not None and found.group(1) and found.group(2) not in "-#":
            inner = _dedented(below, len(found.group(1)))
            value = None if inner is None else _mapping(inner, depth + 1)
            if value is not None:
                return value
    if raw and raw[0] in "'\"":  # a quoted text folded over the lines below
        lines = [raw, *below.split("\n")[:-1]]
        value, last, end = _quoted(lines, 0, 0, 0)
        _rest_is_empty(lines[last], end)
        following = _next_content(lines, last + 1)
    else:
        lines = [f"{key}: {raw}" if raw else key + ":", *below.split("\n")[:-1]]
        _key, value, following = _entry(lines, 0, 0, depth)
    if following != len(lines):
        raise _NotMine  # a line below that is not the value's
    return value


def _dedented(below: str, indent: int) -> str | None:
    """``below``'s lines without their first ``indent`` spaces; None when a line that is not
    blank has fewer."""
    pad = " " * indent
    out = []
    for line in below.split("\n")[:-1]:
        if line.startswith(pad):
            out.append(line[indent:])
        elif line.strip(" "):
            return None
        else:
            out.append("")
    out.append("")
    return "\n".join(out)


# an entry of a block mapping, ``key: value`` or ``key:`` alone on its line, with the lines
# below it that are indented, blank, or items of a block list
_ENTRY = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*):(?: ([^\n]*))?\n((?:[ \n-][^\n]*\n)*)", re.M)
_FIRST_CONTENT = re.compile(r"(?: *\n)*( *)([^ \n])")


def _block(lines: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    i, size = 0, len(lines)
    if lines and lines[0].rstrip(" ") == "---":
        i = 1
    while i < size:
        line = lines[i]
        if not line or line[0] == "#":
            i += 1
            continue
        if line[0] == " ":
            if not line.lstrip(" ") or line.lstrip(" ")[0] == "#":
                i += 1
                continue
            raise _NotMine  # indented where a key should start
        simple = _SIMPLE.match(line)
        following = lines[i + 1][:1] if i + 1 < size else "x"
        if simple is not None and following not in ("", " ", "#"):
            # the commonest line, ``key: text`` or ``key: 'text'`` alone on its line, read
            # here; anything else (and every doubt) by _entry
            key, start = simple.group(1), simple.end()
            rest = line[start:]
            if rest[0] == "'" and rest[-1] == "'" and len(rest) > 1 and "'" not in rest[1:-1]:
                value: Any = rest[1:-1]
            elif rest[0] not in _NOT_PLAIN and rest[-1] != " " and " #" not in rest:
                value = _known_plain(rest)
            else:
                key, value, i = _entry(lines, i, 0, 1)
                simple = None
            if simple is not None:
                if not _plain_key(key):
                    raise _NotMine
                i += 1
        else:
            key, value, i = _entry(lines, i, 0, 1)
        if key in out:
            raise _NotMine  # duplicate: ruamel names it
        out[key] = value
    if not out:
        raise _NotMine
    return out


def _entry(lines: list[str], i: int, indent: int, depth: int) -> tuple[str, Any, int]:
    """One ``key: value`` at ``indent``, with what belongs to it below: (key, value, next)."""
    line = lines[i][indent:]
    colon = line.find(":")
    key = line[:colon]
    if colon <= 0 or not _KEY.match(key) or key in _NULLS or key in _BOOLS \
            or key.lower() in _AMBIGUOUS:
        raise _NotMine
    after = line[colon + 1 :]
    if after and after[0] != " ":
        raise _NotMine
    stripped = after.lstrip(" ")
    if stripped and stripped[0] != "#":
        start = indent + colon + 1 + len(after) - len(stripped)
        value, last = _inline(lines, i, start, indent, depth)
        nxt = _next_content(lines, last + 1)
        if nxt < len(lines) and _indent(lines[nxt]) > indent:
            raise _NotMine  # a plain value continued on the next lines
        return key, value, nxt
    nxt = _next_content(lines, i + 1)
    if nxt >= len(lines):
        return key, None, nxt
    below = _indent(lines[nxt])
    child = lines[nxt][below:]
    if child.startswith("- ") or child == "-":
        if below < indent:
            return key, None, nxt
        return (key, *_block_list(lines, nxt, below, depth + 1))
    if below <= indent:
        return key, None, nxt
    if depth + 1 > 2:
        raise _NotMine  # deeper block nesting than a record has
    value: dict[str, Any] = {}
    j = nxt
    while j < len(lines) and _indent(lines[j]) == below:
        sub_key, sub_value, j = _entry(lines, j, below, depth + 1)
        if sub_key in value:
            raise _NotMine
        value[sub_key] = sub_value
        j = _next_content(lines, j)
    if j < len(lines) and _indent(lines[j]) > indent:
        raise _NotMine
    return key, value, j


def _block_list(lines: list[str], i: int, indent: int, depth: int) -> tuple[list, int]:
    items = []
    while i < len(lines) and _indent(lines[i]) == indent and lines[i][indent:indent + 1] == "-":
        rest = lines[i][indent + 1 :]
        if not rest.strip(" ") or rest[0] != " ":
            raise _NotMine  # an empty item or a nested block
        start = indent + 1 + len(rest) - len(rest.lstrip(" "))
        if lines[i][start] in "-" or re.match(r"[^\"'\[{]*:( |$)", lines[i][start:]):
            raise _NotMine  # a nested list or a mapping as an item
        item, last = _inline(lines, i, start, indent, depth)
        items.append(item)
        i = _next_content(lines, last + 1)
        if i < len(lines) and _indent(lines[i]) > indent:
            raise _NotMine
    return items, i


def _next_content(lines: list[str], i: int) -> int:
    """The first line from ``i`` that is neither blank nor a comment."""
    size = len(lines)
    while i < size:
        content = lines[i].lstrip(" ")
        if content and content[0] != "#":
            return i
        i += 1
    return i

