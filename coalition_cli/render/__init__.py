"""Turn report data (plain dicts, already built and already redacted for
attribution by the caller) into terminal text, Markdown, HTML, JSON, CSV or
Word.

Renderers print nothing and exit nothing: they return ``str`` (``bytes`` for
docx). Everything that comes from a comment is treated as hostile and escaped
for the target format. Heavy modules (rich, jinja2, python-docx) are imported
inside the functions that need them.
"""

from __future__ import annotations

from ..errors import UsageError
from ..i18n import Translator, translating

# format -> the module (in this package) whose ``render`` draws it; imported only when used.
_SUMMARY = {"terminal": "summary_text", "md": "summary_md", "html": "summary_html",
            "json": "json_out", "csv": "summary_csv", "docx": "summary_docx"}
_CHANGES = {"terminal": "changes_text", "md": "changes_md", "html": "changes_html",
            "json": "json_out", "docx": "changes_docx"}
_REPORT = {"md": "report_md", "html": "report_html", "docx": "report_docx",
           "csv": "report_csv", "json": "json_out"}
SUMMARY_FORMATS = tuple(_SUMMARY)
REPORT_FORMATS = tuple(_REPORT)
CHANGES_FORMATS = tuple(_CHANGES)


def _render(modules: dict[str, str], data: dict, fmt: str, color: bool, width: int,
            lang: str | Translator = "en") -> str | bytes:
    if fmt not in modules:
        raise UsageError(f"format '{fmt}' is not available for this report",
                         hint="use one of: " + ", ".join(modules))
    from importlib import import_module

    module = import_module(f".{modules[fmt]}", __name__)
    both = lang.split(",") if isinstance(lang, str) and "," in lang else None
    if both is not None:  # the bilingual layout: the words in the first, texts side by side
        from ._languages import SIDE_BY_SIDE_FORMATS

        if len(both) != 2 or fmt not in SIDE_BY_SIDE_FORMATS:
            raise UsageError(f"--lang {lang}: two languages side by side are written in "
                             f"{' or '.join(SIDE_BY_SIDE_FORMATS)} only",
                             hint="use --format html or docx, or one language (--lang fr)")
        lang = both[0]
    translator = lang if isinstance(lang, Translator) else Translator(lang)
    with translating(translator):  # JSON keys and values stay as they are
        if fmt != "json":
            from ._languages import localize, side_by_side

            from ..governance.wording import withdrawn_text_translated

            data = withdrawn_text_translated(localize(data, translator.lang))
            if both is not None:
                data = side_by_side(data, both)
        if fmt == "terminal":
            return module.render(data, color=color, width=width)
        return module.render(data)


def render_summary(data: dict, fmt: str, *, color: bool = False, width: int = 100,
                   lang: str | Translator = "en") -> str | bytes:
    """Render a consultation summary in ``fmt`` (terminal, md, html, json, csv; docx as bytes),
    its words in ``lang`` (en, fr)."""
    return _render(_SUMMARY, data, fmt, color, width, lang)


def render_changes(data: dict, fmt: str, *, color: bool = False, width: int = 100,
                   lang: str | Translator = "en") -> str | bytes:
    """Render a tracked-change report in ``fmt`` (terminal, md, html, json, docx)."""
    return _render(_CHANGES, data, fmt, color, width, lang)


def render_report(data: dict, fmt: str, *, lang: str | Translator = "en") -> str | bytes:
    """Render a "what we heard / what we did" report in ``fmt`` (md, html, docx as bytes,
    csv: the coded data set of published comments, json)."""
    return _render(_REPORT, data, fmt, False, 100, lang)


__all__ = ["render_summary", "render_changes", "render_report", "SUMMARY_FORMATS",
           "CHANGES_FORMATS", "REPORT_FORMATS"]
