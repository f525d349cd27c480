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

SUMMARY_FORMATS = ("terminal", "md", "html", "json", "csv")
CHANGES_FORMATS = ("terminal", "md", "html", "json", "docx")


def _unknown(fmt: str, formats: tuple[str, ...]) -> UsageError:
    return UsageError(
        f"format '{fmt}' is not available for this report",
        hint="use one of: " + ", ".join(formats),
    )


def render_summary(data: dict, fmt: str, *, color: bool = False, width: int = 100) -> str:
    """Render a consultation summary in ``fmt`` (terminal, md, html, json, csv)."""
    if fmt == "terminal":
        from .summary_text import render

        return render(data, color=color, width=width)
    if fmt == "md":
        from .summary_md import render

        return render(data)
    if fmt == "html":
        from .summary_html import render

        return render(data)
    if fmt == "json":
        from .json_out import render

        return render(data)
    if fmt == "csv":
        from .summary_csv import render

        return render(data)
    raise _unknown(fmt, SUMMARY_FORMATS)


def render_changes(
    data: dict, fmt: str, *, color: bool = False, width: int = 100
) -> str | bytes:
    """Render a tracked-change report in ``fmt`` (terminal, md, html, json, docx)."""
    if fmt == "terminal":
        from .changes_text import render

        return render(data, color=color, width=width)
    if fmt == "md":
        from .changes_md import render

        return render(data)
    if fmt == "html":
        from .changes_html import render

        return render(data)
    if fmt == "json":
        from .json_out import render

        return render(data)
    if fmt == "docx":
        from .changes_docx import render

        return render(data)
    raise _unknown(fmt, CHANGES_FORMATS)


__all__ = ["render_summary", "render_changes", "SUMMARY_FORMATS", "CHANGES_FORMATS"]
