"""Review in Word: export the draft under consultation as a .docx, import a reviewed one
as signed, anchored comments.

``layout`` (the exported paragraphs and where their text is in the draft), ``export``
(the .docx, with the round and draft in its custom properties), ``ooxml`` (safe reading
of a reviewed file: text, tracked changes, comments, threads), ``mapping`` (comments and
changes onto principle, quote and proposal), ``importer`` (what would be submitted, the
checks, and the signing through ``actions.comment_add``), ``wordmarkup`` (a reviewer's
comments and tracked changes written as Word writes them: for the demo and the tests).
"""

from .export import export_docx, export_round
from .importer import Plan, default_stances, plan_import, submit
from .layout import TAGS, Draft, draft_of

__all__ = ["TAGS", "Draft", "Plan", "default_stances", "draft_of", "export_docx",
           "export_round", "plan_import", "submit"]
