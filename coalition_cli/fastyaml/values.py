"""The values of a record's lines, as ``fastyaml``'s line reader finds them: plain scalars
(under YAML 1.2's core schema, or "not mine"), quoted ones (over several lines, folded as
YAML folds them), flow lists and mappings on one line, and the limits all of them share."""

from __future__ import annotations

import re

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

MAX_DEPTH = 32

# characters that make a text "not mine": controls (but LF), YAML's other line breaks,
# the byte order mark, non-characters and lone surrogates
_UNUSUAL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff\ud800-\udfff]")
_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_INT = re.compile(r"-?(?:0|[1-9][0-9]{0,17})\Z")
_NULLS = {"": None, "~": None, "null": None, "Null": None, "NULL": None}
_BOOLS = {"true": True, "True": True, "TRUE": True, "false": False, "False": False,
          "FALSE": False}
# words YAML 1.1 reads as booleans and 1.2 as text: ruamel and libyaml differ, so neither
# fast path decides them
_AMBIGUOUS = {"y", "n", "yes", "no", "on", "off", "=", "<<"}
# a plain scalar that is text: A-Z a-z _ / ( or U+00A0 and up — written as the characters it
# is not (compiling the range up to U+10FFFF took 6.6 ms of every worker's start)
_PLAIN_START = re.compile(r"[^\x00-\x27\x29-\x2e\x30-\x40\x5b-\x5e\x60\x7b-\x9f]")
_FLOW_PLAIN = re.compile(r"[^,\[\]{}#:\"']+")
_DIRECTIVE = re.compile(r"(?:^|\n)%")
# starts like a number, a date or a time in YAML 1.1 or 1.2 (0x1F, 0o17, 1_000, 1e5, 12:30,
# 2026-01-01): left to ruamel
_NUMBER_LIKE = re.compile(r"[0-9]*(?:0[xXoObB]|[0-9]{4}-)|[-+0-9_.eE:]+\Z")


_SIMPLE = re.compile(r"([A-Za-z_][A-Za-z0-9_]*): (?=[^ ])")
_NOT_PLAIN = frozenset("&*!|>%@`?-:,]}[{\"'#")  # a plain scalar cannot start with these


class _NotMine(Exception):
    """Not a text this fast path decides: the next reader takes it."""


def plain(text: str) -> Any:
    """The value of a plain scalar under YAML 1.2's core schema, or _NotMine when it might
    be read otherwise (numbers other than plain integers, dates, YAML 1.1 words)."""
    if len(text) > 5:  # longer than any null, boolean or YAML 1.1 word ("FALSE")
        if _PLAIN_START.match(text):  # text, unless it holds what YAML reads otherwise
            if ": " in text or " #" in text or text[-1] == ":":
                raise _NotMine
            return text
    else:
        if text in _NULLS:
            return None
        if text in _BOOLS:
            return _BOOLS[text]
        if text.lower() in _AMBIGUOUS:
            raise _NotMine
    if _INT.match(text):
        return int(text)
    if ": " in text or " #" in text or text.endswith(":"):
        raise _NotMine
    if _PLAIN_START.match(text):
        return text
    if text[0].isdigit() and not _NUMBER_LIKE.match(text):
        return text  # e.g. a record id 3f9c0a1be2d47a55: no number or date reads it
    raise _NotMine


def _known_plain(text: str) -> Any:
    """``plain(text)``, remembered for short scalars (a record's type, round, member, stance,
    kind...: the same few words in every record); a text ``plain`` refuses is not kept."""
    value = _KNOWN.get(text, _KNOWN)
    if value is _KNOWN:
        value = plain(text)
        if len(text) <= 24 and len(_KNOWN) < 4096:
            _KNOWN[text] = value
    return value


_KNOWN: dict[str, Any] = {}


def _plain_key(key: str) -> bool:
    """Whether ``key`` reads as the text it is (not a null, a boolean, a YAML 1.1 word)."""
    if key in _KEYS_SEEN:
        return True
    if len(key) <= 5 and (key in _NULLS or key in _BOOLS or key.lower() in _AMBIGUOUS):
        return False
    if len(_KEYS_SEEN) < 1024:
        _KEYS_SEEN.add(key)
    return True


_KEYS_SEEN: set[str] = set()


_ESCAPES = {"0": "\0", "a": "\a", "b": "\b", "t": "\t", "\t": "\t", "n": "\n", "v": "\v",
            "f": "\f", "r": "\r", "e": "\x1b", " ": " ", '"': '"', "/": "/", "\\": "\\",
            "N": "\x85", "_": "\xa0", "L": "\u2028", "P": "\u2029"}
_HEX = {"x": 2, "u": 4, "U": 8}
_DOUBLE_RUN = re.compile(r'[^"\\]*')
_HEX_DIGITS = re.compile("[0-9a-fA-F]+")
_BREAK, _ESCAPED_BREAK = -1, -2  # a line ended inside a quoted scalar (after a backslash)


def _double_run(line: str, i: int, out: list[str]) -> int:
    """Read a double-quoted scalar from ``line[i]`` (after the opening quote or a line
    break) into ``out``: the position after the closing quote, or _BREAK / _ESCAPED_BREAK
    when the line ends first (trailing spaces before an unescaped break are not content)."""
    size = len(line)
    while True:
        j = _DOUBLE_RUN.match(line, i).end()
        if j >= size:
            out.append(line[i:].rstrip(" "))
            return _BREAK
        out.append(line[i:j])
        if line[j] == '"':
            return j + 1
        code = line[j + 1 : j + 2]
        if not code:
            return _ESCAPED_BREAK
        if code in _ESCAPES:
            out.append(_ESCAPES[code])
            i = j + 2
        elif code in _HEX:
            digits = line[j + 2 : j + 2 + _HEX[code]]
            if len(digits) != _HEX[code] or not _HEX_DIGITS.fullmatch(digits):
                raise _NotMine
            point = int(digits, 16)
            if 0xD800 <= point <= 0xDFFF or point > 0x10FFFF:
                raise _NotMine
            out.append(chr(point))
            i = j + 2 + _HEX[code]
        else:
            raise _NotMine


def _single_run(line: str, i: int, out: list[str]) -> int:
    """``_double_run`` for a single-quoted scalar ('' is a quote; no other escapes)."""
    while True:
        j = line.find("'", i)
        if j < 0:
            out.append(line[i:].rstrip(" "))
            return _BREAK
        out.append(line[i:j])
        if line[j + 1 : j + 2] == "'":
            out.append("'")
            i = j + 2
            continue
        return j + 1


def _double(line: str, pos: int) -> tuple[str, int]:
    """A one-line double-quoted scalar starting at ``line[pos] == '"'``: (value, end)."""
    out: list[str] = []
    end = _double_run(line, pos + 1, out)
    if end < 0:
        raise _NotMine  # continues on the next line: not inside a flow collection
    return "".join(out), end


def _single(line: str, pos: int) -> tuple[str, int]:
    out: list[str] = []
    end = _single_run(line, pos + 1, out)
    if end < 0:
        raise _NotMine
    return "".join(out), end


def _quoted(lines: list[str], i: int, pos: int, owner: int) -> tuple[str, int, int]:
    """A quoted scalar of a block entry starting at ``lines[i][pos]``, which may go on over
    the following lines, each indented past ``owner`` (the entry's own indentation; blank
    lines aside): (value, line where it ends, position after its closing quote).

    Lines are folded as YAML folds a quoted scalar: a line break between two lines of text
    is one space, each blank line one newline; the spaces that end a line and the
    indentation that starts the next are not content; in a double-quoted scalar a
    backslash that ends a line joins it to the next without a space."""
    run = _double_run if lines[i][pos] == '"' else _single_run
    out: list[str] = []
    end = run(lines[i], pos + 1, out)
    size = len(lines)
    while end < 0:
        blank = 0
        i += 1
        while i < size and not lines[i].strip(" "):
            blank += 1
            i += 1
        if i >= size:
            raise _NotMine  # not closed: ruamel names the error
        indent = _indent(lines[i])
        if indent <= owner:
            raise _NotMine  # leniencies of indentation stay ruamel's to judge
        out.append("\n" * blank if blank or end == _ESCAPED_BREAK else " ")
        end = run(lines[i], indent, out)
    return "".join(out), i, end


def _rest_is_empty(line: str, pos: int) -> None:
    """Nothing but spaces and a comment may follow a value."""
    rest = line[pos:]
    stripped = rest.lstrip(" ")
    if stripped and not (stripped[0] == "#" and len(stripped) < len(rest)):
        raise _NotMine


def _flow(line: str, pos: int, depth: int) -> tuple[Any, int]:
    """A flow sequence or mapping starting at ``line[pos]``, on one line: (value, end)."""
    if depth > MAX_DEPTH:
        raise _NotMine
    closing = "]" if line[pos] == "[" else "}"
    is_map = closing == "}"
    out: Any = {} if is_map else []
    i = _skip(line, pos + 1)
    if line[i : i + 1] == closing:
        return out, i + 1
    while True:
        item, i = _flow_item(line, i, depth)
        if is_map:
            i = _skip(line, i)
            if line[i : i + 2] != ": ":
                raise _NotMine  # "a:b", a key alone, ... : ruamel decides
            i = _skip(line, i + 2)
            if line[i : i + 1] in (",", "}", ""):
                raise _NotMine
            value, i = _flow_item(line, i, depth)
            try:
                if item in out:
                    raise _NotMine
            except TypeError:
                raise _NotMine from None
            out[item] = value
        else:
            out.append(item)
        i = _skip(line, i)
        sep = line[i : i + 1]
        if sep == closing:
            return out, i + 1
        if sep != ",":
            raise _NotMine
        i = _skip(line, i + 1)
        if line[i : i + 1] in (closing, ",", ""):
            raise _NotMine  # a trailing or doubled comma


def _skip(line: str, i: int) -> int:
    while line[i : i + 1] == " ":
        i += 1
    return i


def _flow_item(line: str, i: int, depth: int) -> tuple[Any, int]:
    c = line[i : i + 1]
    if c == '"':
        return _double(line, i)
    if c == "'":
        return _single(line, i)
    if c in ("[", "{"):
        return _flow(line, i, depth + 1)
    found = _FLOW_PLAIN.match(line, i)
    if not found:
        raise _NotMine
    text = found.group().rstrip(" ")
    return plain(text), i + len(text)


def _inline(lines: list[str], i: int, pos: int, owner: int, depth: int) -> tuple[Any, int]:
    """The value written after ``key: `` or ``- `` at ``lines[i][pos]`` (``owner``: the
    entry's indentation): (value, the line it ends on — a quoted one may go on)."""
    line = lines[i]
    c = line[pos]
    if c == '"' or c == "'":
        value, i, end = _quoted(lines, i, pos, owner)
        line = lines[i]
    elif c in "[{":
        value, end = _flow(line, pos, depth + 1)
    else:
        if c in "&*!|>%@`?-:,]}":
            raise _NotMine
        text = line[pos:]
        cut = text.find(" #")
        if cut >= 0:
            text = text[:cut]
        return plain(text.rstrip(" ")), i
    _rest_is_empty(line, end)
    return value, i


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))
