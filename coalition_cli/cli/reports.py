"""coalition verify, summary and changes."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from ._common import (
    AgendaOpt,
    AtOpt,
    FormatOpt,
    Out,
    OutputOpt,
    check_format,
    color_wanted,
    handle,
    open_agenda,
    progress_bar,
    report_width,
    write_report,
)


LangOpt = Annotated[str, typer.Option(
    "--lang", help="The language the report is written in: en or fr (en,fr: both, side by side "
                   "where the format allows).")]


def _report_lang(lang: str) -> str:
    from ..i18n import check_language

    for code in lang.split(","):
        check_language(code.strip())
    return lang


def _verify(ag, at=None, round_id=None, outcome_only=False, trust=None):  # noqa: ANN001, ANN202
    from ..verify import verify, verify_outcome

    update, finish = progress_bar("verifying")
    try:
        run = verify_outcome if outcome_only else verify
        return run(ag, at, round_id=round_id, progress=update, trust=trust)
    finally:
        finish()


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
        from ..trust import rewrites

        check_format(fmt, ("terminal", "json"))
        ag = open_agenda(agenda)
        if round_id is not None:  # an unknown round is a mistake, not a clean bill of health
            from ..errors import NotFound
            from ..ids import check_slug

            check_slug(round_id, "round")
            if not ag.snapshot(at).entries(f"rounds/{round_id}"):
                raise NotFound(f"no round '{round_id}'", hint="list them with: coalition round list")
        result = _verify(ag, at, round_id, outcome_only=True, trust=trust)
        if at is None and not any(p["problem"] == "incomplete-history" for p in result.problems):
            # the head this clone verified last must still be in the history
            rewritten = None if accept_rewrite else rewrites.check_rewrite(ag, result.commit)
            if rewritten:
                result.problems.append(rewritten)
            else:
                rewrites.pin_head(ag, result.commit)
        out = Out(fmt)
        if out.json:
            out.data(result.as_json())
        else:
            for p in result.problems:
                out.line(f"{p['problem']}: {p['path']}: {p['detail']}")
            founders = ", ".join(sorted(result.founders)) or "none"
            if result.trust_source == "first-use":
                out.note(f"trust on first use: no founders are pinned in this clone, so the "
                         f"founders are those the history itself names ({founders}); check "
                         "them with the facilitators, then pin them: coalition trust SHA256:…")
            else:
                where = "given with --trust" if result.trust_source == "given" else \
                    "pinned in this clone"
                out.note(f"founders {where}: {founders}")
            verdict = "ok" if result.ok else f"{len(result.problems)} problem(s)"
            out.note(f"checked {result.checked} signed files at {result.commit[:8]}: {verdict}")
        if not result.ok:
            raise typer.Exit(1)

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
