"""The ``coalition`` command: a thin Typer skin over the library.

Only typer is imported at start; each command imports what it needs, so
``coalition --help`` stays fast.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from . import comments, governance, members, principles, reports, review, rounds, setup, trust

app = typer.Typer(
    name="coalition",
    help="Draft a coalition's shared principles in git and consult its members with signed comments.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    pretty_exceptions_show_locals=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _show_version(value: bool) -> None:
    """``--version``: answered while the options are parsed (eager), before click asks for
    a command."""
    if value:
        from .. import __version__

        typer.echo(f"coalition {__version__}")
        raise typer.Exit(0)


@app.callback()
def root(
    ctx: typer.Context,
    agenda: Annotated[Optional[Path], typer.Option(
        "--agenda", help="The agenda folder (env COALITION_AGENDA).", show_default=False)] = None,
    version: Annotated[bool, typer.Option(
        "--version", help="Show the version and exit.", is_eager=True,
        callback=_show_version)] = False,
) -> None:
    """Draft a coalition's shared principles in git and consult its members with signed comments."""
    ctx.obj = {"agenda": agenda}


setup.register(app)
app.add_typer(setup.key_app, name="key", help="Ed25519 SSH keys for signing.")
app.add_typer(members.app, name="member", help="The member registry (facilitators change it).")
app.add_typer(principles.app, name="principle", help="Draft the principles.")
app.add_typer(rounds.app, name="round", help="Consultation rounds (facilitators).")
app.add_typer(comments.app, name="comment", help="Signed comments (members).")
app.add_typer(governance.notice_app, name="notice",
              help="Local Contexts Notices (facilitators).")
app.add_typer(governance.label_app, name="label",
              help="Local Contexts Labels (members of the indigenous-led sector).")
app.command("approve")(governance.approve)
comments.register(app)
reports.register(app)
trust.register(app)
app.add_typer(review.app, name="review", help="Review the draft in Word: export it, import a reviewed file.")


def main() -> None:
    """Run the CLI; a usage error is one ``error:`` line and a ``hint:``, exit 2."""
    code = _run()
    _leave(code)


def _run() -> int:
    import sys

    from ._common import safe_line

    try:
        from typer._click import exceptions as click_exc
    except ImportError:  # older typer on plain click
        from click import exceptions as click_exc  # type: ignore[no-redef]

    try:
        code = app(standalone_mode=False)
    except click_exc.UsageError as exc:
        if type(exc).__name__ == "NoArgsIsHelpError":  # `coalition` alone: show the help
            typer.echo(exc.format_message())
            return 0
        typer.echo(f"error: {safe_line(exc.format_message())}", err=True)
        where = exc.ctx.command_path if exc.ctx is not None else "coalition"
        typer.echo(f"hint: see '{safe_line(where)} --help'", err=True)
        return 2
    except typer.Abort:  # (typer's own copy of click has no exceptions.Abort)
        typer.echo("error: aborted", err=True)
        return 1
    except click_exc.ClickException as exc:
        typer.echo(f"error: {safe_line(exc.format_message())}", err=True)
        return exc.exit_code
    except BrokenPipeError:  # `coalition --help | head`: the reader went away, not an error
        from ._common import reader_gone

        return reader_gone()
    except SystemExit as exc:
        if isinstance(exc.__context__, BrokenPipeError):  # typer's own answer to EPIPE
            from ._common import reader_gone

            return reader_gone()
        if exc.code is None or isinstance(exc.code, int):
            return exc.code or 0
        print(exc.code, file=sys.stderr)
        return 1
    return code if isinstance(code, int) else 0


def _leave(code: int) -> None:
    """Exit without tearing the interpreter down: after a verify or a summary of 100,000
    records, freeing their millions of objects one by one takes a third of a second that
    nobody waits for. Everything that must happen at exit has happened by now — files are
    written and closed by the commands, worker processes joined — except flushing the
    standard streams, done here."""
    import os
    import sys

    try:
        sys.stdout.flush()
    except (BrokenPipeError, ValueError):  # the reader went away (`| head`): nothing to say
        pass
    try:
        sys.stderr.flush()
    except (BrokenPipeError, ValueError):
        pass
    os._exit(code)
