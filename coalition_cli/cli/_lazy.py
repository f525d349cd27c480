"""The root command group, built lazily: a command's module is imported, and its click
command built, only when that command is invoked (or its own help shown).

``cli.COMMANDS`` is the one table of top-level names. The listing of ``coalition --help``
comes from that table's short help, so listing never imports a command module;
``tests/test_lean_start.py`` checks that every row's text is the command's own.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, MutableMapping
from pathlib import Path
from typing import Annotated, Any, Optional

import typer
from typer.core import TyperGroup

# (name, module under coalition_cli.cli, "register" or a Typer attribute, short help)
Row = tuple[str, str, str, str]


def load_command(row: Row) -> Any:
    """The click command of one row of the table, built from its module alone."""
    name, module_name, what, help_text = row
    module = importlib.import_module(f"coalition_cli.cli.{module_name}")
    scratch = typer.Typer(rich_markup_mode=None, add_completion=False)
    scratch.callback()(_nothing)  # a callback: typer builds a group even for one command
    if what == "register":
        module.register(scratch)
    else:
        scratch.add_typer(_lazy_copy(getattr(module, what)), name=name, help=help_text)
    group = typer.main.get_command(scratch)
    command = group.commands.get(name)  # type: ignore[attr-defined]
    if command is None:
        raise LookupError(f"coalition_cli.cli.{module_name} does not define '{name}'")
    return command


def _nothing() -> None:
    """(the scratch group's callback)"""


def _lazy_copy(sub: typer.Typer) -> typer.Typer:
    """A Typer sub-app like ``sub`` whose commands are built only when invoked (or their own
    help shown): its group lists them from their docstrings."""
    infos = tuple(sub.registered_commands)
    copy = typer.Typer(no_args_is_help=sub.info.no_args_is_help,
                       cls=type("LazySubGroup", (LazySubGroup,), {"infos": infos}))
    copy.registered_groups = list(sub.registered_groups)
    copy.registered_callback = sub.registered_callback
    return copy


def _info_name(info: Any) -> str:
    return info.name or info.callback.__name__.replace("_", "-")


def _info_help(info: Any) -> str:
    import inspect

    text = info.help if info.help is not None else inspect.getdoc(info.callback)
    return inspect.cleandoc(text) if text else ""


class LazyCommands(MutableMapping):
    """The root group's commands: every name of the table, each built on first use."""

    def __init__(self, rows: tuple[Row, ...], built: MutableMapping | None = None) -> None:
        self._rows = {row[0]: row for row in rows}
        self._built: dict[str, Any] = dict(built or {})

    def __getitem__(self, name: str) -> Any:
        if name in self._built:
            return self._built[name]
        row = self._rows.get(name) if isinstance(name, str) else None
        if row is None:
            raise KeyError(name)
        self._built[name] = command = load_command(row)
        return command

    def __setitem__(self, name: str, command: Any) -> None:
        self._built[name] = command

    def __delitem__(self, name: str) -> None:
        self._rows.pop(name, None)
        del self._built[name]

    def __iter__(self) -> Iterator[str]:
        yield from self._rows
        yield from (n for n in self._built if n not in self._rows)

    def __len__(self) -> int:
        return len(self._rows) + sum(1 for n in self._built if n not in self._rows)

    def __contains__(self, name: object) -> bool:
        return name in self._rows or name in self._built

    def short_help(self, name: str) -> str | None:
        row = self._rows.get(name)
        return row[3] if row is not None and name not in self._built else None


class LazySubCommands(LazyCommands):
    """A sub-group's commands from their typer registrations, each built on first use."""

    def __init__(self, infos: tuple, built: MutableMapping | None = None) -> None:
        self._infos = {_info_name(i): i for i in infos}
        super().__init__(tuple((n, "", "", "") for n in self._infos), built)

    def __getitem__(self, name: str) -> Any:
        if name in self._built or name not in self._infos:
            return super().__getitem__(name) if name in self._built else self._missing(name)
        command = typer.main.get_command_from_info(
            self._infos[name], pretty_exceptions_short=True, rich_markup_mode=None)
        self._built[name] = command
        return command

    @staticmethod
    def _missing(name: str) -> Any:
        raise KeyError(name)

    def short_help(self, name: str) -> str | None:
        info = self._infos.get(name)
        if info is None or name in self._built:
            return None
        return None if info.short_help or info.hidden or info.deprecated else _info_help(info)


class LazySubGroup(TyperGroup):
    """A command group built with none of its commands; see ``_lazy_copy``."""

    infos: tuple = ()

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        self.commands = LazySubCommands(self.infos, self.commands)

    def list_commands(self, ctx: Any) -> list[str]:
        return list(self.commands)

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        LazyGroup.format_commands(self, ctx, formatter)  # type: ignore[arg-type]


class LazyGroup(TyperGroup):
    """A TyperGroup whose commands come from ``cli.COMMANDS``, imported on demand."""

    rows: tuple[Row, ...] = ()

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        self.commands = LazyCommands(self.rows, self.commands)

    def list_commands(self, ctx: Any) -> list[str]:
        return list(self.commands)

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        """The Commands section from the table's short help: listing imports nothing."""
        from typer._click.utils import make_default_short_help

        names = self.list_commands(ctx)
        if not names:
            return
        limit = formatter.width - 6 - max(len(n) for n in names)
        rows = []
        for name in names:
            text = self.commands.short_help(name)  # type: ignore[attr-defined]
            if text is None:
                command = self.commands[name]
                if command.hidden:
                    continue
                rows.append((name, command.get_short_help_str(limit)))
            else:
                rows.append((name, make_default_short_help(text, limit).strip()))
        with formatter.section("Commands"):
            formatter.write_dl(rows)


def root_app(rows: tuple[Row, ...]) -> typer.Typer:
    """The root Typer app: ``--agenda``, ``--version``, and the commands of ``rows``."""
    from ._roothelp import ROOT_HELP

    app = typer.Typer(
        name="coalition",
        help=ROOT_HELP,
        cls=type("CoalitionGroup", (LazyGroup,), {"rows": rows}),
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
        pretty_exceptions_show_locals=False,
        rich_markup_mode=None,
        context_settings={"help_option_names": ["-h", "--help"]},
    )
    app.callback()(root)
    return app


def _show_version(value: bool) -> None:
    """``--version``: answered while the options are parsed (eager), before click asks for
    a command."""
    if value:
        from .. import __version__

        typer.echo(f"coalition {__version__}")
        raise typer.Exit(0)


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
