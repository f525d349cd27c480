"""CSV of a summary: one row per effective comment, in the columns of the
ISO/IEC comment template (type of comment ge/te/ed, comment, proposed change,
observations = the facilitators' rationale), with a readable label beside each
code and the commenter's acknowledgement.

The file starts with a UTF-8 byte-order mark, so Excel and LibreOffice open it as
UTF-8 (accents intact) without an import dialog.

Cells that a spreadsheet would run as a formula (starting with = + - @, a tab
or a carriage return) get a leading apostrophe.
"""

from __future__ import annotations

import csv
import io

from ._common import clean_text

COLUMNS = [
    "comment_id",
    "member",
    "sector",
    "principle",
    "quote",
    "type_of_comment",
    "type_of_comment_label",
    "stance",
    "comment",
    "proposed_change",
    "attribution",
    "disposition",
    "disposition_label",
    "observations",
    "implemented_in",
    "acknowledgement",
    "endorsements",
]

BOM = "\ufeff"

KIND_CODES = {"general": "ge", "substantive": "te", "editorial": "ed"}

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> str:
    """A cell value a spreadsheet shows as text, never evaluates."""
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    if text.startswith(_FORMULA_START) or text.lstrip().startswith(_FORMULA_START[:4]):
        return "'" + text
    return text


def _clean(value: object) -> str:
    # keep newlines (the csv module quotes them); drop terminal escapes etc.
    return "" if value is None else clean_text(value)


def render(data: dict) -> str:
    from ._common import ack_label, disposition_label, kind_label

    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for c in data.get("comments") or []:
        kind = c.get("kind")
        row = [
            c.get("id"),
            c.get("member"),
            c.get("sector"),
            c.get("principle"),
            c.get("quote"),
            KIND_CODES.get(kind, kind),
            kind_label(kind) if kind else kind,
            c.get("stance"),
            c.get("text"),
            c.get("proposed_text"),
            c.get("attribution"),
            c.get("disposition"),
            disposition_label(c.get("disposition")) if c.get("disposition") else "",
            c.get("rationale"),
            c.get("commit"),
            ack_label(c.get("ack")),
            c.get("endorsed_by"),
        ]
        writer.writerow([neutralise(_clean(v)) for v in row])
    return out.getvalue()
