"""Report data: summaries, round status, tracked changes and the "what we heard"
report, as plain dicts.

Builders decide what a reader may see (attribution is applied here, once);
``render`` only turns these dicts into terminal text, Markdown, HTML, CSV,
JSON or Word. The JSON keys of SPEC.md are the top-level keys of these dicts.

- ``summary``: the consultation summary, round status, comment rows (remembered by commit)
- ``changes``: tracked changes between two drafts
- ``facts``: what a round's history says (close time, extensions, facilitators)
- ``heard``: the "what we heard / what we did" report
"""

from __future__ import annotations

from .changes import build_changes, default_from
from .heard import build_report
from .summary import (
    _clusters,
    _from_parts,
    _in_parts,
    build_comment_rows,
    build_round_status,
    build_summary,
    comment_rows_at_head,
    pick_round,
    round_state,
    round_status_at_head,
    summary_at_head,
)

__all__ = ["build_changes", "build_report", "build_comment_rows", "build_round_status", "build_summary",
           "comment_rows_at_head", "default_from", "pick_round", "round_state",
           "round_status_at_head", "summary_at_head", "_clusters", "_from_parts", "_in_parts"]
