"""The ``coalition`` command: a thin Typer skin over the library.

``COMMANDS`` is the one table of top-level commands. Nothing else is imported at start:
``coalition``, ``--help`` and ``--version`` are answered without typer (``_roothelp``),
so is a plain ``comment add`` or ``verify`` (``_direct``: the same body, the same error
map), and any other command line builds the root group, whose commands are imported and
built only when invoked (``_lazy``) — one command's parser, not all of them.
"""

from __future__ import annotations

# One row per top-level name, in the order `coalition --help` lists them:
# (name, module under coalition_cli.cli, "register" — the module's register(app) defines
# it — or the module's Typer sub-app, the short help `coalition --help` shows: the first
# paragraph of the command's docstring, or the group's help).
COMMANDS: tuple[tuple[str, str, str, str], ...] = (
    ("init", "setup", "register",
     "Create a git repository (if needed) and a new agenda with its first facilitator."),
    ("join", "setup", "register",
     "Join a coalition: clone its agenda, verify it against a founder's fingerprint, pin "
     "that trust, and record your key and member id in the clone."),
    ("sync", "setup", "register",
     "Pull (rebase) and push through the git remote, retrying when others pushed first."),
    ("demo", "setup", "register",
     "Build a whole sample consultation from the bundled agenda, with every report."),
    ("respond", "comments", "register",
     "Answer a comment with a signed disposition (facilitators)."),
    ("verify", "reports", "register",
     "Check every signature, permission, path and manifest. Exit 1 on any problem."),
    ("summary", "reports", "register",
     "The consultation summary of a round (default: the open or latest one)."),
    ("changes", "reports", "register",
     "The tracked changes between two versions of the draft, and each comment's fate."),
    ("report", "reports", "register",
     'The "what we heard / what we did" report of a round, for readers outside the coalition.'),
    ("trust", "trust", "register",
     "Pin the founders' keys for this clone (git config coalition.trust), like known_hosts: "
     "every later command trusts only what descends from them. Without an argument, show "
     "what is pinned."),
    ("migrate", "trust", "register",
     "Bring an agenda from before signed settings up to date: sign coalition.yaml and every "
     "unsigned principle as the facilitator running it, and seal old revocations."),
    ("redact", "trust", "register",
     "Take a record out of the agenda, visibly and signed (facilitators): for harmful "
     "content. Git history keeps its bytes in the clones that have them."),
    ("key", "setup", "key_app", "Ed25519 SSH keys for signing."),
    ("member", "members", "app", "The member registry (facilitators change it)."),
    ("principle", "principles", "app", "Draft the principles."),
    ("round", "rounds", "app", "Consultation rounds (facilitators)."),
    ("comment", "comments", "app", "Signed comments (members)."),
    ("config", "trust", "register", "The coalition's settings, signed by a facilitator."),
    ("review", "review", "app", "Review the draft in Word: export it, import a reviewed file."),
    ("notice", "governance", "notice_app", "Local Contexts Notices (facilitators)."),
    ("label", "governance", "label_app",
     "Local Contexts Labels (members of the indigenous-led sector)."),
    ("approve", "governance", "register",
     "Members of a distinction section: approve the section of the round's report as it "
     "reads now (read it first: coalition report ROUND)."),
)


def build_app() -> object:
    """The root Typer app: its options, and every command of ``COMMANDS`` built on demand."""
    from ._lazy import root_app

    return root_app(COMMANDS)


def full_app() -> object:
    """Every command registered eagerly on one Typer app (for documentation checks and
    tests that walk the whole command tree); ``coalition`` itself never builds this."""
    import importlib

    whole = build_app()
    done: set[str] = set()
    for name, module_name, what, help_text in COMMANDS:
        module = importlib.import_module(f"{__name__}.{module_name}")
        if what == "register":
            if module_name not in done:
                module.register(whole)
                done.add(module_name)
        else:
            whole.add_typer(getattr(module, what), name=name, help=help_text)
    return whole


_APP: object = None


def __getattr__(name: str) -> object:
    """``app``: the root Typer app, built on first use (``from coalition_cli.cli import app``)."""
    global _APP
    if name == "app":
        if _APP is None:
            _APP = build_app()
        return _APP
    raise AttributeError(name)


def main() -> None:
    """Run the CLI; a usage error is one ``error:`` line and a ``hint:``, exit 2."""
    import sys

    from ._roothelp import answer

    code = answer(sys.argv[1:], COMMANDS)
    if code is None:  # a plain `comment add` or `verify`: parsed without typer (``_direct``)
        from ._direct import direct

        code = direct(sys.argv[1:])
    _leave(_run() if code is None else code)


def _run() -> int:
    import sys

    import typer

    from ._common import safe_line

    try:
        from typer._click import exceptions as click_exc
    except ImportError:  # older typer on plain click
        from click import exceptions as click_exc  # type: ignore[no-redef]

    try:
        code = __getattr__("app")(standalone_mode=False)
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
