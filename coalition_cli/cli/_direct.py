"""The commonest command lines answered without typer: ``comment add`` (a member's most
frequent write) and ``verify`` (what everyone runs after every pull).

Importing typer and building a command's parser cost more than the rest of a signed write
(twice the interpreter's own start-up), and 30 ms of a 105 ms warm verify. A plain command line
of one of ``DIRECT``'s commands — long options with their values, the short ones its
table has, ``--agenda`` before the command — is parsed here, from its table, and handed to
the same body typer's command runs (``_add.add``, ``_verify.verify``), whose errors go
through the same map (``_common.exit_code``). Anything else — ``--help`` or ``-h``, an
unknown or repeated option, a missing required one, a value that is empty or starts with
``-``, ``--opt=value`` on a flag, an argument, ``--``, attached short values, shell
completion — is left to typer (``None``), so help, usage errors and their exit codes stay
typer's own. ``tests/test_direct.py`` checks that each table is typer's command, option for
option, and that both paths hand the body the same values.
"""

from __future__ import annotations

import os
from pathlib import Path

# (option names, the body's parameter, what it takes: "str", "int", "path", "multi" (a
# repeatable str, kept in order), "flag" (no value))
Option = tuple[tuple[str, ...], str, str]
ADD_OPTIONS: tuple[Option, ...] = (
    (("--principle", "-p"), "principle", "str"),
    (("--stance", "-s"), "stance", "str"),
    (("--quote",), "quote", "str"),
    (("--occurrence",), "occurrence", "int"),
    (("--text", "-t"), "text", "str"),
    (("--text-file",), "text_file", "path"),
    (("--propose",), "propose", "str"),
    (("--kind",), "kind", "str"),
    (("--theme",), "theme", "multi"),
    (("--attribution",), "attribution", "str"),
    (("--supersedes",), "supersedes", "str"),
    (("--round",), "round_id", "str"),
    (("--share-with",), "share_with", "multi"),
    (("--name-holders",), "name_holders", "flag"),
    (("--local-contexts",), "local_contexts", "path"),
    (("--as",), "as_member", "str"),
    (("--key",), "key", "path"),
    (("--passphrase-file",), "passphrase", "path"),
    (("--agenda",), "agenda", "path"),
    (("--format", "-f"), "fmt", "str"),
    (("--lang",), "lang", "str"),
)
VERIFY_OPTIONS: tuple[Option, ...] = (
    (("--round",), "round_id", "str"),
    (("--trust",), "trust", "multi"),
    (("--accept-rewrite",), "accept_rewrite", "flag"),
    (("--at",), "at", "str"),
    (("--agenda",), "agenda", "path"),
    (("--format", "-f"), "fmt", "str"),
)


class Command:
    """A command answered here: its words, its option table, the parameters it requires,
    and its body (``module:function`` under ``coalition_cli.cli``)."""

    def __init__(self, words: tuple[str, ...], options: tuple[Option, ...],
                 required: tuple[str, ...], body: str) -> None:
        self.words, self.options, self.required, self.body = words, options, required, body
        self.by_name = {name: (dest, kind) for names, dest, kind in options for name in names}
        self.kinds = {dest: kind for _names, dest, kind in options}

    def run(self, params: dict[str, object]) -> int:
        import importlib

        module, function = self.body.split(":")
        code = getattr(importlib.import_module(f"{__package__}.{module}"), function)(**params)
        return code if isinstance(code, int) else 0


DIRECT = (
    Command(("comment", "add"), ADD_OPTIONS, ("principle", "stance"), "_add:add"),
    Command(("verify",), VERIFY_OPTIONS, (), "_verify:verify"),
)


def direct(argv: list[str]) -> int | None:
    """Run ``argv`` (without the program) here when it is a plain command line of one of
    ``DIRECT``'s commands: its exit code. None: typer answers it."""
    parsed = parse(argv)
    if parsed is None:
        return None
    command, params = parsed
    _start_git(params.get("agenda"))
    # the command is the whole of this process, which ends with os._exit (``cli._leave``):
    # the cyclic collector is never worth running on the way — re-enabled once verify had
    # paused it, its first pass walked every verified record (4 ms at 10,000)
    import gc

    gc.disable()
    from ._common import exit_code

    try:
        return command.run(params)
    except KeyboardInterrupt:  # as typer ends on it: 130, nothing said
        return 130
    except Exception as exc:  # noqa: BLE001 - the one error map
        code = exit_code(exc)
        if code is None:  # COALITION_DEBUG=1: the traceback
            raise
        return code


def _start_git(agenda: object) -> None:
    """Start the agenda's first git questions (``store.start_early``) from the folder
    ``Agenda.open`` will discover from, before the imports of the rest."""
    from ..store import start_early

    given = agenda if agenda is not None else os.environ.get("COALITION_AGENDA") or None
    try:
        folder = Path(given).expanduser().resolve() if given is not None else Path.cwd()  # type: ignore[arg-type]
        if folder.is_dir():
            start_early(folder)
    except (OSError, RuntimeError):  # no such folder, no home: Agenda.open says so
        pass


def parse(argv: list[str]) -> tuple[Command, dict[str, object]] | None:
    """The command and its body's keyword arguments for a plain ``[--agenda DIR] COMMAND
    OPTIONS`` of one of ``DIRECT``'s commands (as typer would convert them), else None."""
    if "_COALITION_COMPLETE" in os.environ:
        return None
    root_agenda = None
    at = 0
    while at < len(argv) and argv[at].startswith("-"):
        got = _option(argv, at, _ROOT)
        if got is None or root_agenda is not None:
            return None
        _dest, root_agenda, at = got
    command = next((c for c in DIRECT if tuple(argv[at:at + len(c.words)]) == c.words), None)
    if command is None:
        return None
    params: dict[str, object] = {}
    at += len(command.words)
    while at < len(argv):
        got = _option(argv, at, command.by_name)
        if got is None:
            return None
        dest, value, at = got
        if command.kinds[dest] == "multi":
            params.setdefault(dest, []).append(value)  # type: ignore[union-attr]
        elif dest in params:
            return None  # repeated: typer decides
        else:
            params[dest] = value
    if any(name not in params for name in command.required):
        return None
    if "agenda" not in params and root_agenda is not None:
        params["agenda"] = root_agenda
    return command, params


_ROOT = {"--agenda": ("agenda", "path")}


def _option(argv: list[str], at: int, table: dict[str, tuple[str, str]]
            ) -> tuple[str, object, int] | None:
    """(parameter, converted value, next position) of the option at ``argv[at]``, or None
    when it is not one this parser is sure of."""
    token = argv[at]
    name, eq, attached = token.partition("=") if token.startswith("--") else (token, "", "")
    spec = table.get(name)
    if spec is None:
        return None
    dest, kind = spec
    if kind == "flag":
        return None if eq else (dest, True, at + 1)
    if eq:
        raw, at = attached, at + 1
    elif at + 1 < len(argv):
        raw, at = argv[at + 1], at + 2
    else:
        return None
    if not raw or raw.startswith("-"):
        return None
    if kind == "int":
        try:
            return dest, int(raw), at
        except ValueError:
            return None
    return dest, Path(raw) if kind == "path" else raw, at
