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


def _verify(ag, at=None, round_id=None, outcome_only=False):  # noqa: ANN001, ANN202
    from ..verify import verify, verify_outcome

    update, finish = progress_bar("verifying")
    try:
        run = verify_outcome if outcome_only else verify
        return run(ag, at, round_id=round_id, progress=update)
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
        from .. import history

        check_format(fmt, ("terminal", "json"))
        ag = open_agenda(agenda)
        if round_id is not None:  # an unknown round is a mistake, not a clean bill of health
            from ..errors import NotFound
            from ..ids import check_slug

            check_slug(round_id, "round")
            if not ag.snapshot(at).entries(f"rounds/{round_id}"):
                raise NotFound(f"no round '{round_id}'", hint="list them with: coalition round list")
        result = _verify(ag, at, round_id, outcome_only=True)
        if trust and result.config is not None:
            # the root: founders pinned by the first coalition.yaml, or signed off by them since
            pinned = result.history.founders if result.history else set(result.config.founders)
            for fp in trust:
                if fp not in pinned:
                    shown = ", ".join(sorted(pinned)) or "none"
                    result.problem(ag.p("coalition.yaml"), "not-permitted",
                                   f"the key {fp} you trust is not a founder of this history "
                                   f"(its founders: {shown})")
        if at is None:  # the head this clone verified last must still be in the history
            rewritten = None if accept_rewrite else history.check_rewrite(ag, result.commit)
            if rewritten:
                result.problems.append(rewritten)
            else:
                history.pin_head(ag, result.commit)
        out = Out(fmt)
        if out.json:
            out.data(result.as_json())
        else:
            for p in result.problems:
                out.line(f"{p['problem']}: {p['path']}: {p['detail']}")
            if result.history is None and result.config is not None:
                out.note("note: this clone is shallow, so the registry's history was not checked "
                         "(git fetch --unshallow)")
            verdict = "ok" if result.ok else f"{len(result.problems)} problem(s)"
            out.note(f"checked {result.checked} signed files at {result.commit[:8]}: {verdict}")
        if not result.ok:
            raise typer.Exit(1)

    @app.command("summary")
    @handle
    def summary(
        round_id: Annotated[Optional[str], typer.Argument(metavar="[ROUND]")] = None,
        fmt: Annotated[str, typer.Option("--format", "-f", help="terminal, md, html, json or csv.")] = "terminal",
        output: OutputOpt = None, agenda: AgendaOpt = None,
    ) -> None:
        """The consultation summary of a round (default: the open or latest one)."""
        import sys

        from ..render import render_summary
        from ..reports import summary_at_head

        check_format(fmt, ("terminal", "md", "html", "json", "csv"))
        ag = open_agenda(agenda)
        data = summary_at_head(ag, round_id, lambda: _verify(ag))
        color = fmt == "terminal" and output is None and sys.stdout.isatty()
        write_report(render_summary(data, fmt, color=color and color_wanted(), width=report_width()), output)

    @app.command("changes")
    @handle
    def changes(
        from_rev: Annotated[Optional[str], typer.Option(
            "--from", help="A round id (its draft), a git revision (default: the latest round's draft).")] = None,
        to_rev: Annotated[Optional[str], typer.Option(
            "--to", help="A round id, a git revision (default: the working tree).")] = None,
        fmt: Annotated[str, typer.Option("--format", "-f", help="terminal, md, html, json or docx.")] = "terminal",
        output: OutputOpt = None, agenda: AgendaOpt = None,
    ) -> None:
        """The tracked changes between two versions of the draft, and each comment's fate."""
        import sys

        from ..render import render_changes
        from ..reports import build_changes

        check_format(fmt, ("terminal", "md", "html", "json", "docx"))
        ag = open_agenda(agenda)
        data = build_changes(ag, from_rev, to_rev)
        color = fmt == "terminal" and output is None and sys.stdout.isatty()
        write_report(render_changes(data, fmt, color=color and color_wanted(), width=report_width()), output)
