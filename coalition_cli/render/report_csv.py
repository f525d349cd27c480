"""The coded data set released beside a "what we heard" report: one row per published
comment (public and anonymous; confidential ones are never released), with its coding —
stance, type (ISO code and label), themes — and its disposition. UTF-8 with a byte-order
mark, formulas neutralised, as the summary's CSV."""

from __future__ import annotations

import csv
import io

from ._common import ack_label, clean_text, disposition_label, kind_label
from .summary_csv import BOM, KIND_CODES, neutralise

COLUMNS = ["ref", "round", "principle", "organisation", "sector", "attribution", "stance",
           "type_of_comment", "type_of_comment_label", "themes", "quote", "comment",
           "proposed_change", "disposition", "disposition_label", "observations",
           "implemented_in", "acknowledgement", "endorsements", "comment_id", "record"]


def render(data: dict) -> str:
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in data.get("dataset") or []:
        kind = row.get("kind")
        values = [row.get("ref"), row.get("round"), row.get("principle"), row.get("who"),
                  row.get("sector"), row.get("attribution"), row.get("stance"),
                  KIND_CODES.get(kind, kind), kind_label(kind) if kind else kind,
                  "; ".join(row.get("themes") or []), row.get("on"), row.get("text"),
                  row.get("proposal"), row.get("disposition"),
                  disposition_label(row.get("disposition")) if row.get("disposition") else "",
                  row.get("rationale"), row.get("commit"), ack_label(row.get("ack")),
                  row.get("endorsements"), row.get("comment"), row.get("path")]
        writer.writerow([neutralise("" if v is None else clean_text(v)) for v in values])
    return out.getvalue()
