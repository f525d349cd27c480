"""Text people give the tool: files as editors save them, and what comes back from ``$EDITOR``.

Nothing here prompts or runs an editor (the CLI does); these functions only turn bytes
and edited text into the words that will be signed, or refuse with one clear reason.

* :func:`decode_text` reads UTF-8 (a byte-order mark is dropped, never stored) and
  UTF-16 or UTF-32 with a byte-order mark; anything else is refused with the encoding it
  most likely is and the ``iconv`` command that converts it.
* :func:`editor_template` and :func:`from_editor` follow ``git commit``: lines that
  start with the comment character are instructions and are removed; a result that is
  empty, or the text the editor was opened with, aborts and nothing is written. As with
  git's ``core.commentChar=auto``, the comment character is ``#`` unless a line of the
  text being edited already starts with it (a Markdown heading in a principle), then the
  first of ``;@!$%^&|:`` that no line starts with.
"""

from __future__ import annotations

import codecs

from .errors import InputError

__all__ = ["decode_text", "comment_char", "editor_template", "from_editor", "EditorAborted"]

_BOMS = (  # longest first: the UTF-32 LE mark begins with the UTF-16 LE one
    (codecs.BOM_UTF32_LE, "utf-32-le", "UTF-32LE"),
    (codecs.BOM_UTF32_BE, "utf-32-be", "UTF-32BE"),
    (codecs.BOM_UTF8, "utf-8", "UTF-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "UTF-16LE"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "UTF-16BE"),
)
_COMMENT_CHARS = "#;@!$%^&|:"


class EditorAborted(InputError):
    """The editor gave back nothing new: nothing is written (exit 3, no hint)."""


def _convert_hint(source: str, encoding: str) -> str:
    name = "FILE" if source == "stdin" else source
    return (f"save it as UTF-8, or convert it with: iconv -f {encoding} -t UTF-8 {name} > "
            f"{name}.utf8")


def _guess(data: bytes) -> str:
    """The encoding a file that is not UTF-8 most likely has (for the hint only)."""
    even, odd = data[0::2], data[1::2]
    if len(data) >= 4 and odd.count(0) > len(odd) // 2 and even.count(0) < len(even) // 4:
        return "UTF-16LE"
    if len(data) >= 4 and even.count(0) > len(even) // 2 and odd.count(0) < len(odd) // 4:
        return "UTF-16BE"
    return "WINDOWS-1252"


def decode_text(data: bytes, source: str) -> str:
    """The text of ``data`` (read from ``source``, a file name or ``stdin``)."""
    for bom, codec, label in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom):].decode(codec)
            except UnicodeDecodeError as exc:
                raise InputError(f"{source} starts with a {label} byte-order mark but is not "
                                 f"valid {label} (byte {exc.start + len(bom) + 1})",
                                 hint=_convert_hint(source, label)) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        guess = _guess(data)
        looks = (f"it looks like {guess} without a byte-order mark" if guess.startswith("UTF")
                 else f"perhaps {guess} (Latin-1)")
        raise InputError(f"{source} is not valid UTF-8 (byte {exc.start + 1}); {looks}",
                         hint=_convert_hint(source, guess)) from None


def comment_char(text: str) -> str:
    """``#``, or the first candidate that starts no line of ``text``."""
    starts = {line[:1] for line in text.splitlines()}
    return next((c for c in _COMMENT_CHARS if c not in starts), "#")


def editor_template(text: str, instructions: list[str], char: str) -> str:
    """What the editor opens: ``text``, a blank line, then the instructions."""
    lines = [f"{char} {' '.join(line.split())}".rstrip() for line in instructions]
    lines.append(f"{char} Lines starting with '{char}' are removed. An empty text, or one "
                 "left unchanged, aborts: nothing is signed or written.")
    head = text.rstrip("\n")
    return (head + "\n\n" if head else "\n") + "\n".join(lines) + "\n"


def strip_instructions(text: str, char: str) -> str:
    """``text`` without the lines starting with ``char`` and without blank lines at either
    end (as ``git commit``; other whitespace, blank lines inside, is the writer's)."""
    text = text.replace("\r\n", "\n")
    kept = [line for line in text.split("\n") if not line.startswith(char)]
    while kept and not kept[0].strip():
        kept.pop(0)
    while kept and not kept[-1].strip():
        kept.pop()
    return "\n".join(kept)


def from_editor(edited: str, template: str, char: str, what: str) -> str:
    """The words from an editor session, or :class:`EditorAborted`."""
    text = strip_instructions(edited, char)
    if not text.strip():
        raise EditorAborted(f"the {what} is empty (the editor was left without writing any); "
                            "nothing was written")
    if text == strip_instructions(template, char):
        raise EditorAborted(f"the {what} was left unchanged in the editor; nothing was written")
    return text
