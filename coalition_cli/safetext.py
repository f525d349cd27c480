"""Text safe to show anywhere: the one cleaning of hostile text (terminal escapes, NUL,
bidirectional controls) that every renderer and the command line's output sink apply.

Only ``re``: the output sink of a command that prints one line does not import a renderer.
"""

from __future__ import annotations

import re

# C0 controls except tab and newline, DEL, C1 controls, lone surrogates and the
# two XML non-characters. ESC (\x1b) is the dangerous one on a terminal: rich
# does not strip it.
_BAD_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


# Bidirectional embeddings, overrides and isolates (LRE RLE PDF LRO RLO, LRI RLI FSI PDI):
# in comment text they can reorder what follows them on the line — a report's own words
# included. Plain formats (terminal, Markdown, CSV, Word) show them as a visible escape;
# HTML keeps them inside an element that isolates them (``dir="auto"`` or ``<bdi>``).
BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")


def _bidi_escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def clean_text(value: object, *, keep_bidi: bool = False) -> str:
    """Text safe to show anywhere: newlines normalised, control characters
    (terminal escapes, NUL, ...) replaced by U+FFFD, bidirectional controls written
    as ``\\u202e`` (unless ``keep_bidi``: HTML isolates them instead). Everything else,
    any script, emoji and combining marks, is kept exactly."""
    if value is None:
        return ""
    text = str(value).replace("\r\n", "\n").replace("\r", "\n")
    text = _BAD_CHARS.sub("\ufffd", text)
    return text if keep_bidi else BIDI_CONTROLS.sub(_bidi_escape, text)
