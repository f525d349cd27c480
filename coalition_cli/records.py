"""Record files: the exact bytes the tool writes, and safe reading of any YAML.

Canonical form (a contract: changing it changes every signature written from
now on, never the ones already stored). A record is YAML in which every line is
``key: <JSON value>``, keys in a fixed order, UTF-8, LF line ends::

    v: 1
    type: "comment"
    id: "3f9c0a1be2d47a55"
    anchor: {"quote": "annual public reporting", "prefix": "...", ...}
    text: "We ask for quarterly reports.\\nThey keep the public informed."

JSON is a subset of YAML 1.2, so any YAML reader (and a person reading a git
diff) gets the same values, while this module reads it back with ``json`` at a
few microseconds a record. Anything not in that form — a record written or
signed by hand, ``coalition.yaml``, principle front matter — goes through
ruamel.yaml's safe loader behind limits: no anchors or aliases (no "billion
laughs"), no explicit tags (nothing constructs objects), nesting at most 32
deep, duplicate keys refused, files of bounded size. Signatures are always
checked over the stored bytes; a record is never re-serialised.
"""

from __future__ import annotations

import functools
import json
import re
import unicodedata

from .errors import InputError, MalformedData

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

MAX_RECORD_BYTES = 256 * 1024
MAX_MANIFEST_BYTES = 64 * 1024 * 1024
MAX_TEXT = 20_000  # characters of a comment's text or proposed text
MAX_QUOTE = 2_000
MAX_TITLE = 200
MAX_BODY = 100_000  # characters of a principle body
MAX_DEPTH = 32


# YAML double-quoted scalars treat these as line breaks or forbid them raw
# (YAML's printable set excludes DEL, C1 controls, U+FFFE and U+FFFF):
# escape them so the JSON value reads back identically as YAML.
@functools.cache
def _yaml_unsafe() -> re.Pattern[str]:
    """Compiled when first needed: a class of characters past Latin-1 takes 0.9 ms to
    compile, and an ASCII value (most of a record's) can only hold DEL of them."""
    return re.compile("[\u007f-\u009f\u2028\u2029\ufeff\ufffe\uffff\ud800-\udfff]")


def _json(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, separators=(", ", ": "))
    if text.isascii() and "\x7f" not in text:
        return text
    return _yaml_unsafe().sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def dump_record(fields: dict[str, Any]) -> bytes:
    """The canonical bytes of a record: one ``key: JSON`` line per non-None field."""
    lines = [f"{key}: {_json(value)}" for key, value in fields.items() if value is not None]
    return ("\n".join(lines) + "\n").encode("utf-8")


def parse_record(data: bytes, path: str, *, limit: int = MAX_RECORD_BYTES) -> dict[str, Any]:
    """Read a record file's bytes into a dict; MalformedData names the file and line."""
    if len(data) > limit:
        raise MalformedData(path, f"file is {len(data)} bytes, more than the limit of {limit}")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise MalformedData(path, "not valid UTF-8", line=line) from None
    fields = _parse_canonical(text, path)
    if fields is None:
        fields = _other_client(text, path)
    if not isinstance(fields, dict):
        raise MalformedData(path, "expected a mapping of fields", line=1)
    return fields


def _other_client(text: str, path: str) -> Any:
    """A record in ordinary YAML (another client's): the restricted block parser, else
    ``load_yaml_text`` (libyaml's C parser, else ruamel) — see ``fastyaml``."""
    from .fastyaml import parse_block

    fields = parse_block(text)
    return fields if fields is not None else load_yaml_text(text, path)


def _parse_canonical(text: str, path: str) -> dict[str, Any] | None:
    """Fast path for the canonical form; None when the text is in another form."""
    if not text.endswith("\n") or "\r" in text:
        return None
    if _second_line_not_json(text):
        return None  # what the loop below finds on its second line, without reading the first
    out: dict[str, Any] = {}
    loads = _STRICT_JSON.decode
    for number, line in enumerate(text[:-1].split("\n"), 1):
        if line[:1] == "#":  # a whole-line comment: YAML ignores it too
            continue
        key, sep, raw = line.partition(": ")
        if not sep or raw[:1] not in _JSON_START or not key.isidentifier():
            return None  # e.g. another client's plain ``type: comment``: not JSON
        try:
            value = loads(raw)
        except (ValueError, RecursionError):
            return None
        if raw.count("[") + raw.count("{") >= MAX_DEPTH and _depth(value) >= MAX_DEPTH:
            return None  # too deep: the YAML reader refuses it, naming the line
        if key in out:
            if _canonical_odd().search(text):
                return None
            raise MalformedData(path, f"duplicate key '{key}'", line=number)
        out[key] = value
    if _canonical_odd().search(text):  # checked last: a text of another form fails sooner
        return None  # what json and YAML would read differently: YAML decides
    return out


def _second_line_not_json(text: str) -> bool:
    """Whether the second line (both lines not comments) is not ``key: JSON``: another
    client's ``type: comment``. The first line cannot have raised by then (no key repeats
    yet), so ``_parse_canonical`` would answer None there anyway."""
    first = text.find("\n")
    second = text.find("\n", first + 1)
    if second < 0 or text[:1] == "#" or text[first + 1 : first + 2] == "#":
        return False
    key, sep, raw = text[first + 1 : second].partition(": ")
    return not sep or raw[:1] not in _JSON_START or not key.isidentifier()


# how a JSON value (what ``json`` reads, with no whitespace before it) can start
_JSON_START = frozenset('"[{-0123456789tfnNI ')


# A tab, a character YAML does not take raw (the writer escapes them), or an escaped
# surrogate (json joins a pair into one character, YAML keeps two): not the canonical form.
@functools.cache
def _canonical_odd() -> re.Pattern[str]:
    return re.compile("[\t\u007f-\u009f\u2028\u2029\ufeff\ufffe\uffff]|\\\\u[dD][89a-fA-F]")


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out = dict(pairs)
    if len(out) != len(pairs):
        raise ValueError("a duplicate key")  # YAML's reader refuses it, naming the line
    return out


def _no_constant(name: str) -> Any:
    raise ValueError(name)  # NaN, Infinity: a float to json, text to YAML


def _strict_json(raw: str) -> Any:
    return _STRICT_JSON.decode(raw)


# one decoder (``json.loads`` with these arguments builds a new one on every call)
_STRICT_JSON = json.JSONDecoder(object_pairs_hook=_no_duplicates, parse_constant=_no_constant)


def _depth(value: Any) -> int:
    """How deeply lists and mappings nest in a JSON value (without recursion)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, (list, dict)):
            deepest = max(deepest, level)
            stack.extend((v, level + 1) for v in (item.values() if isinstance(item, dict) else item))
    return deepest


def load_yaml_text(text: str, path: str) -> Any:
    """Parse hand-written YAML safely (see module docstring for the limits): through
    libyaml's C parser when it is installed and the text is plain data (``fastyaml``),
    else — and for every refusal — ruamel's safe loader."""
    from .fastyaml import parse_events

    fast = parse_events(text)
    if fast is not None:
        return fast
    return _ruamel_load(text, path)


_RUAMEL: list = []  # one loader instance per process


def _ruamel(text: str = "") -> Any:
    """The one safe loader of this process — or, for a document with a directive
    (``%YAML 1.1``...), one of its own: a directive stays with the loader that read it and
    would change how every later document is read (``yes`` a boolean, ``0?`` refused), so
    one member's record could change how other members' records parse."""
    from ruamel.yaml import YAML

    if _DIRECTIVE.search(text):
        return YAML(typ="safe", pure=True)
    if not _RUAMEL:
        _RUAMEL.append(YAML(typ="safe", pure=True))
    return _RUAMEL[0]


_DIRECTIVE = re.compile(r"(?:^|\n)%")


def _ruamel_load(text: str, path: str) -> Any:
    """ruamel's safe loader behind the limits of the module docstring."""
    from ruamel.yaml.error import MarkedYAMLError, YAMLError
    from ruamel.yaml.events import (
        AliasEvent,
        CollectionEndEvent,
        CollectionStartEvent,
        NodeEvent,
    )

    yaml = _ruamel(text)
    depth = 0
    try:
        for event in yaml.parse(text):
            line = event.start_mark.line + 1 if event.start_mark else None
            if isinstance(event, AliasEvent) or (
                isinstance(event, NodeEvent) and event.anchor is not None
            ):
                raise MalformedData(path, "YAML anchors and aliases are not allowed", line=line)
            tag = getattr(event, "tag", None)
            if tag is not None and not isinstance(event, AliasEvent):
                raise MalformedData(path, f"YAML tag {tag!s} is not allowed", line=line)
            if isinstance(event, CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    raise MalformedData(path, f"nested deeper than {MAX_DEPTH} levels", line=line)
            elif isinstance(event, CollectionEndEvent):
                depth -= 1
        return yaml.load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        problem = (exc.problem or exc.context or "invalid YAML").strip()
        raise MalformedData(path, f"invalid YAML: {problem}", line=line) from None
    except YAMLError as exc:
        raise MalformedData(path, f"invalid YAML: {str(exc).splitlines()[0]}") from None
    except RecursionError:
        raise MalformedData(path, "YAML nested too deeply") from None
    except (ValueError, OverflowError) as exc:  # e.g. a timestamp like 2001-13-45
        raise MalformedData(path, f"invalid YAML value: {exc}") from None


def load_yaml_bytes(data: bytes, path: str, *, limit: int = MAX_RECORD_BYTES) -> Any:
    if len(data) > limit:
        raise MalformedData(path, f"file is {len(data)} bytes, more than the limit of {limit}")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise MalformedData(
            path, "not valid UTF-8", line=data[: exc.start].count(b"\n") + 1
        ) from None
    fields = _parse_canonical(text, path)  # coalition.yaml as the tool writes it: µs, not ms
    return fields if fields is not None else _other_client(text, path)


# --- principles: YAML front matter + Markdown body ----------------------------------


def split_front_matter(data: bytes, path: str) -> tuple[dict[str, Any], str]:
    """Split a principle file into its front matter fields and its body."""
    if len(data) > MAX_BODY * 4 + 4096:
        raise MalformedData(path, "principle file is too large")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise MalformedData(
            path, "not valid UTF-8", line=data[: exc.start].count(b"\n") + 1
        ) from None
    text = text.replace("\r\n", "\n")
    if not text.startswith("---\n"):
        raise MalformedData(path, "missing YAML front matter (the file must start with ---)", line=1)
    end = text.find("\n---\n", 3)
    if end == -1:
        if text.endswith("\n---"):
            end = len(text) - 4
        else:
            raise MalformedData(path, "front matter is not closed by a --- line", line=1)
    head = text[4 : end + 1]
    body = text[end + 5 :]
    try:
        fields = _parse_canonical(head, path) if head else {}
        if fields is None:
            fields = load_yaml_text(head, path)
    except MalformedData as exc:  # the front matter starts on line 2 of the file
        if exc.line is None:
            raise
        raise MalformedData(path, exc.detail, line=exc.line + 1) from None
    if not isinstance(fields, dict):
        raise MalformedData(path, "front matter must be a mapping", line=2)
    return fields, body.strip("\n")


def dump_principle(fields: dict[str, Any], body: str) -> bytes:
    head = dump_record(fields).decode("utf-8")
    return f"---\n{head}---\n\n{body.strip()}\n".encode("utf-8")


# --- text a person typed -------------------------------------------------------------

_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _has_surrogate(text: str) -> bool:
    """Whether ``text`` holds a lone surrogate (e.g. non-UTF-8 bytes of argv, kept by
    surrogateescape): exactly what UTF-8 cannot encode."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def clean_text(value: str | None, what: str, *, limit: int = MAX_TEXT, required: bool = False,
               multiline: bool = True) -> str | None:
    """Check a piece of user text: no control characters, bounded length.

    Windows line ends become LF; everything else is kept exactly as typed, so
    the text round-trips byte for byte (no Unicode normalisation is applied).
    """
    if value is None:
        if required:
            raise InputError(f"{what} is required")
        return None
    if not isinstance(value, str):
        raise InputError(f"{what} must be text")
    text = value.replace("\r\n", "\n")
    if "\ufffd" in text or _has_surrogate(text):
        raise InputError(f"{what} is not valid UTF-8 text")
    bad = _CONTROL.search(text) or (None if multiline else re.search("[\n\t]", text))
    if bad:
        raise InputError(
            f"{what} contains the control character U+{ord(bad.group()):04X} "
            f"at position {bad.start() + 1}"
        )
    if required and not text.strip():
        raise InputError(f"{what} is empty")
    if len(text) > limit:
        raise InputError(f"{what} is {len(text)} characters; the limit is {limit}")
    return text


def nfc_variants(text: str) -> list[str]:
    """The text as typed, then its NFC and NFD forms when they differ."""
    out = [text]
    for form in ("NFC", "NFD"):
        other = unicodedata.normalize(form, text)
        if other not in out:
            out.append(other)
    return out
