"""coalition verify, summary and changes."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from ._common import (
    AgendaOpt,
    AtOpt,
    FormatOpt,
    OutputOpt,
    check_format,
    color_wanted,
    handle,
    open_agenda,
    report_width,
    write_report,
)
from ._verify import verified as _verify


LangOpt = Annotated[str, typer.Option(
    "--lang", help="The language the report is written in: en or fr (en,fr: both, side by side "
                   "where the format allows).")]


def _report_lang(lang: str) -> str:
    from ..i18n import check_language

    for code in lang.split(","):
        check_language(code.strip())
    return lang


def register(app: typer.Typer) -> None:
    @app.command("verify")
    @handle
    def verify_cmd(
        round_id: Annotated[Optional[str], typer.Option("--round", help="Only this round (and the registry).")] = None,
        trust: Annotated[Optional[list[str]], typer.Option(
            "--trust", help="A founder key fingerprint you got out of band (SHA256:...).")] = None,
        accept_rewrite: Annotated[bool, typer.Option(
            "--accept-rewrite", help="Accept that the branch was rewritten since the last verify here.")] = False,
        at: AtOpt = None, agenda: AgendaOpt = None, fmt: FormatOpt = "terminal",
    ) -> None:
        """Check every signature, permission, path and manifest. Exit 1 on any problem."""
        from . import _verify  # the one body (also run by the direct path, ``_direct``)

        code = _verify.verify(round_id=round_id, trust=trust, accept_rewrite=accept_rewrite,
                              at=at, agenda=agenda, fmt=fmt)
        if code:
            raise typer.Exit(code)

    @app.command("summary")
    @handle
    def summary(
        round_id: Annotated[Optional[str], typer.Argument(metavar="[ROUND]")] = None,
        fmt: Annotated[str, typer.Option(
            "--format", "-f", help="terminal, md, html, json, csv or docx.")] = "terminal",
        no_text: Annotated[bool, typer.Option(
            "--no-principle-text", help="Leave out each principle's text at the round's draft.")] = False,
        output: OutputOpt = None, agenda: AgendaOpt = None, lang: LangOpt = "en",
    ) -> None:
        """The consultation summary of a round (default: the open or latest one)."""
        import sys

        from ..render import render_summary
        from ..reports import summary_at_head

        check_format(fmt, ("terminal", "md", "html", "json", "csv", "docx"))
        lang = _report_lang(lang)
        ag = open_agenda(agenda)
        data = summary_at_head(ag, round_id, lambda: _verify(ag), principle_text=not no_text,
                               rows=fmt != "terminal")  # the terminal report shows no rows
        color = fmt == "terminal" and output is None and sys.stdout.isatty()
        write_report(render_summary(data, fmt, color=color and color_wanted(), width=report_width(),
                                    lang=lang), output)

    @app.command("changes")
    @handle
    def changes(
        from_rev: Annotated[Optional[str], typer.Option(
            "--from", help="A round id (its draft), a git revision (default: the latest round's draft).")] = None,
        to_rev: Annotated[Optional[str], typer.Option(
            "--to", help="A round id, a git revision (default: the working tree).")] = None,
        fmt: Annotated[str, typer.Option("--format", "-f", help="terminal, md, html, json or docx.")] = "terminal",
        output: OutputOpt = None, agenda: AgendaOpt = None, lang: LangOpt = "en",
    ) -> None:
        """The tracked changes between two versions of the draft, and each comment's fate."""
        import sys

        from ..render import render_changes
        from ..reports import build_changes

        check_format(fmt, ("terminal", "md", "html", "json", "docx"))
        lang = _report_lang(lang)
        if "," in lang:
            from ..errors import UsageError

            raise UsageError("changes is written in one language at a time",
                             hint="coalition changes --lang fr (the redline of the French text)")
        ag = open_agenda(agenda)
        languages = tuple(ag.snapshot().config.languages)
        data = build_changes(ag, from_rev, to_rev,  # the redline of that language's versions
                             lang=lang if lang in languages else None)
        color = fmt == "terminal" and output is None and sys.stdout.isatty()
        write_report(render_changes(data, fmt, color=color and color_wanted(), width=report_width(),
                                    lang=lang), output)

    @app.command("report")
    @handle
    def report(
        round_id: Annotated[str, typer.Argument(metavar="ROUND")],
        fmt: Annotated[str, typer.Option(
            "--format", "-f", help="md, html, docx, csv (the coded data set) or json.")] = "md",
        audience: Annotated[str, typer.Option(
            "--audience", help="outside (default: no id, member or path of an anonymous or "
                               "confidential comment) or coalition (record ids shown).")] = "outside",
        output: OutputOpt = None, agenda: AgendaOpt = None, lang: LangOpt = "en",
    ) -> None:
        """The "what we heard / what we did" report of a round, for readers outside the coalition."""
        from ..render import REPORT_FORMATS, render_report
        from ..reports import build_report

        check_format(fmt, REPORT_FORMATS)
        check_format(audience, ("outside", "coalition"))
        lang = _report_lang(lang)
        from ..trust import trusted

        ag = open_agenda(agenda)
        trusted(ag).refuse_if_untrusted()  # never a report of forged settings or registry
        data = build_report(ag, _verify(ag), round_id, audience=audience)
        write_report(render_report(data, fmt, lang=lang), output)
