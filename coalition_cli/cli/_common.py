"""What every command shares: typed options, the error map, the output sink, inputs.

Commands stay thin: parse options, make one library call, hand the result to
``out``. Data goes to stdout; errors, hints and progress to stderr.
"""

from __future__ import annotations

import functools
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path

from ..errors import CoalitionError, InputError, UsageError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, TypeVar

    F = TypeVar("F", bound=Callable[..., Any])

# the typed options (typer annotations) live in ``_options``, imported on first use
_OPTIONS = ("AgendaOpt", "AsOpt", "KeyOpt", "SigningKeyOpt", "PassphraseOpt", "FormatOpt", "AtOpt",
            "OutputOpt")


def __getattr__(name: str) -> Any:
    if name in _OPTIONS:
        from . import _options

        return getattr(_options, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def echo(text: str = "", *, err: bool = False, nl: bool = True) -> None:
    """``text`` (and a newline) to stdout or stderr, flushed — what ``typer.echo`` does with
    text, without importing typer: no stream, nothing written; ANSI codes stripped when the
    stream is not a terminal; a stream that claims ASCII gets UTF-8 (``replace``)."""
    stream = sys.stderr if err else sys.stdout
    if stream is None:
        return
    out = text + "\n" if nl else text
    if not out:
        stream.flush()
        return
    if "\x1b" in out and not _isatty(stream):
        import re

        out = re.sub(r"\033\[[;?0-9]*[a-zA-Z]", "", out)
    buffer = getattr(stream, "buffer", None)
    if buffer is not None and _ascii(getattr(stream, "encoding", None) or "ascii"):
        stream.flush()
        buffer.write(out.encode("utf-8", "replace"))
        buffer.flush()
        return
    stream.write(out)
    stream.flush()


def _ascii(encoding: str) -> bool:
    import codecs

    try:
        return codecs.lookup(encoding).name == "ascii"
    except LookupError:
        return False


def _isatty(stream: Any) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def debug() -> bool:
    return os.environ.get("COALITION_DEBUG") == "1"


_ESCAPES = None


def safe_line(text: object) -> str:
    """``text`` made one line that cannot drive the terminal: escape sequences (CSI, OSC,
    the rest) removed whole, other control and bidirectional-override characters replaced
    by U+FFFD, line breaks and tabs made spaces. For everything an ``error:``, ``hint:`` or
    ``warning:`` line echoes — a path, an id, a message from git."""
    import re

    global _ESCAPES
    if _ESCAPES is None:
        _ESCAPES = re.compile(
            r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]?"  # CSI ... final byte
            r"|(?:\x1b\]|\x9d)[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"  # OSC ... BEL or ST
            r"|\x1b[PX^_][^\x1b\x9c]*(?:\x1b\\|\x9c)?"  # DCS, SOS, PM, APC ... ST
            r"|\x1b[ -/]*[0-~]?")  # any other escape
    text = _ESCAPES.sub("", str(text))
    text = re.sub(r"[\r\n\t\v\f]+", " ", text)
    text = re.sub("[\u202a-\u202e\u2066-\u2069]", "\ufffd", text)
    return _printable(text).strip()


def fail(error: CoalitionError) -> None:
    try:
        echo(f"error: {safe_line(error.message)}", err=True)
        if error.hint:
            echo(f"hint: {safe_line(error.hint)}", err=True)
    except OSError:  # stderr is gone too (a terminal hung up): the exit code still tells
        pass


def reader_gone() -> int:
    """stdout's reader has gone: point stdout at /dev/null so that nothing else (the final
    flush included) fails, say nothing, and end as a command killed by SIGPIPE does (141)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):  # no real file descriptor (tests)
        pass
    return 141


def exit_code(exc: Exception) -> int | None:
    """The one error map: ``exc`` reported as one ``error:`` line (+ ``hint:``) on stderr, and
    the spec's exit code for it; None when ``COALITION_DEBUG=1`` wants the traceback instead.
    Every command goes through it: typer's (``handle``) and ``comment add``'s direct path."""
    if isinstance(exc, CoalitionError):
        if debug():
            return None
        fail(exc)
        return exc.exit_code
    if isinstance(exc, BrokenPipeError):  # the reader went away (`coalition ... | head`)
        return reader_gone()
    if debug():
        return None
    if isinstance(exc, OSError):
        where = f" ({exc.filename})" if getattr(exc, "filename", None) else ""
        fail(InputError(f"{exc.strerror or exc}{where}"))
        return 3
    # the last line of defence: never a traceback
    fail(CoalitionError(f"unexpected {type(exc).__name__}; this is a bug in coalition",
                        hint="COALITION_DEBUG=1 shows the traceback"))
    return 1


def handle(fn: F) -> F:
    """Turn library errors into one ``error:`` line (+ ``hint:``) and the spec's exit code
    (``exit_code``), as typer's ``Exit``."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except Exception as exc:  # noqa: BLE001 - mapped by exit_code
            import typer

            if isinstance(exc, (typer.Exit, typer.Abort)):
                raise
            code = exit_code(exc)
            if code is None:
                raise
            raise typer.Exit(code) from None

    return wrapper  # type: ignore[return-value]


# --- the agenda and who is acting -------------------------------------------------------


def open_agenda(path: Path | None) -> Any:
    from ..agenda import Agenda

    if path is None and "typer" in sys.modules:  # run by typer: the root's --agenda
        path = _root_agenda()
    agenda = Agenda.open(path)
    agenda.git.recover()  # any command, a read too, finishes what a killed write left
    return agenda


def _root_agenda() -> Path | None:
    """The ``--agenda`` given before the command (``coalition --agenda X ...``), from click's
    context; None outside one (the direct path passes it itself)."""
    try:  # typer >= 0.2x runs on its own copy of click, whose context stack is a different one
        from typer._click.globals import get_current_context
    except ImportError:  # older typer: plain click
        from click import get_current_context

    ctx = get_current_context(silent=True)
    root = ctx.find_root().obj if ctx is not None else None
    return root.get("agenda") if isinstance(root, dict) else None


def passphrase_source(given: Path | None) -> Callable[[Path], bytes | None]:
    """Where a key's passphrase comes from: the file given, ``COALITION_PASSPHRASE_FILE``,
    else a person at a terminal (asked up to three times), else nowhere (None)."""
    file = given or (Path(os.environ["COALITION_PASSPHRASE_FILE"])
                     if os.environ.get("COALITION_PASSPHRASE_FILE") else None)

    def source(key: Path) -> bytes | None:
        if file is not None:
            try:
                return file.read_bytes().rstrip(b"\r\n")
            except OSError:
                raise InputError(f"cannot read the passphrase file {file}") from None
        if sys.stdin is not None and sys.stdin.isatty() and sys.stderr.isatty():
            import getpass

            return getpass.getpass(f"Passphrase for {key}: ").encode()
        return None

    def wrong(key: Path) -> None:
        echo("Wrong passphrase, try again.", err=True)

    source.tries = 1 if file is not None else 3  # type: ignore[attr-defined]
    source.wrong = wrong  # type: ignore[attr-defined]
    return source


def identity(agenda: Any, *, member: str | None, key: Path | None,
             passphrase: Path | None, migrating: bool = False) -> Any:
    """Who is signing, checked against the *verified* registry: a signing command refuses
    (exit 4) while the registry, the settings or the rounds at the head do not verify
    (``migrating``: the settings and principles may still be unsigned)."""
    from .. import actions
    from .. import identity as ident
    from ..trust.view import migration_snapshot

    agenda.git.recover()  # finish what a write killed mid-way left (locks, working tree)
    snap = migration_snapshot(agenda) if migrating else actions.verified(agenda)
    return ident.resolve(agenda, snap, member=member, key=str(key) if key else None,
                         passphrase=passphrase_source(passphrase))


def signer_session(fmt: str, agenda: Path | None, member: str | None, key: Path | None,
                   passphrase: Path | None) -> tuple[Any, Any]:
    """What a signed write starts with: its output format checked, the agenda opened, and
    who is signing resolved (their key loaded). Returns (agenda, identity)."""
    check_format(fmt, ("terminal", "json"))
    ag = open_agenda(agenda)
    ag.git.require_branch()  # before any check or prompt: a write needs a branch to land on
    return ag, identity(ag, member=member, key=key, passphrase=passphrase)


# --- output ---------------------------------------------------------------------------


class Out:
    """The one output sink: JSON or terminal text on stdout, notes on stderr."""

    def __init__(self, fmt: str = "terminal") -> None:
        self.fmt = fmt

    @property
    def json(self) -> bool:
        return self.fmt == "json"

    def data(self, obj: Any) -> None:
        echo(json.dumps(obj, ensure_ascii=False, indent=2))

    def line(self, text: str) -> None:
        echo(_printable(text))

    def written(self, written: Any, text: str | None = None) -> None:
        """What a write made: ``{id, path, commit}`` as JSON, else ``text`` (default the id)."""
        if self.json:
            self.data({"id": written.id, "path": written.path, "commit": written.commit})
        else:
            self.line(text or written.id)

    def note(self, text: str) -> None:
        echo(safe_line(text), err=True)

    def table(self, rows: list[dict[str, Any]], columns: list[str], *, title: str | None = None,
              empty: str = "nothing to show") -> None:
        if self.json:
            self.data(rows)
            return
        if not rows:
            self.note(empty)
            return
        write_columns(rows, columns, title=title)


def write_columns(rows: list[dict[str, Any]], columns: list[str], *, title: str | None = None,
                  stream: Any = None) -> None:
    """Rows as aligned columns on stdout, one line each.

    Written directly, not through rich's Table: the same look (a bold header on a terminal,
    two spaces between columns), but 100,000 rows take a second instead of minutes.
    Every cell is made one line of printable text (``render._common.one_line``).

    On a terminal too narrow for the rows, nothing is left for the terminal to wrap (it
    would cut words): the widest column (a comment's text, say) goes on indented lines
    under its row, wrapped at spaces; when even the rest does not fit, every column wraps
    at spaces inside a narrower width. Piped output keeps one line per row for scripts.
    """
    from rich.cells import cell_len

    from ..render._common import one_line

    stream = stream or sys.stdout
    cells = [[one_line("" if row.get(c) is None else str(row.get(c))) for c in columns]
             for row in rows]
    widths = [len(c) for c in columns]
    lengths = [[len(v) if v.isascii() else cell_len(v) for v in line] for line in cells]
    for line in lengths:
        widths = [w if w >= n else n for w, n in zip(widths, line)]
    tty = stream.isatty()
    bold = tty and color_wanted(stream)
    room = terminal_width() if tty else 0
    span = lambda sizes: sum(sizes) + 2 * (len(sizes) - 1)  # noqa: E731
    header = [list(columns)]
    below: int | None = None
    below_cells: list[str] = []
    if room and span(widths) > room:
        k = max(range(len(widths)), key=widths.__getitem__)
        rest = widths[:k] + widths[k + 1:]
        if rest and span(rest) <= room:  # the widest column on lines of its own
            below, below_cells = k, [line[k] for line in cells]
            cells = [line[:k] + line[k + 1:] for line in cells]
            lengths = [line[:k] + line[k + 1:] for line in lengths]
            header, widths = [list(columns[:k]) + list(columns[k + 1:])], rest
        else:  # not even that: every column wraps
            widths = _widths_for(room, cells, columns)
            header, cells = _fit([list(columns)], widths), _fit(cells, widths)
    fast = below is None and len(header) == 1 and not (room and span(widths) > room) \
        and len(cells) == len(lengths)

    def render(values: list[str]) -> str:
        last = len(values) - 1
        return "".join(v if i == last else v + " " * (widths[i] - cell_len(v) + 2)
                       for i, v in enumerate(values)).rstrip()

    def plain(values: list[str], sizes: list[int]) -> str:
        last = len(values) - 1
        return "".join(v if i == last else v + " " * (widths[i] - sizes[i] + 2)
                       for i, v in enumerate(values)).rstrip()

    out = []
    if title:
        out.append(one_line(title))
    heads = [render(line) for line in header]
    if below is not None:
        heads.append("    " + columns[below])
    out.extend(f"\x1b[1m{h}\x1b[0m" if bold else h for h in heads)
    if fast:
        out.extend(plain(line, sizes) for line, sizes in zip(cells, lengths))
    else:
        for n, line in enumerate(cells):
            out.append(render(line))
            if below is not None and below_cells[n]:
                out.extend("    " + part for part in _wrap(below_cells[n], room - 4))
    stream.write("\n".join(out) + "\n")
    stream.flush()


def _widths_for(room: int, cells: list[list[str]], columns: list[str]) -> list[int]:
    """Column widths that fit ``room``: each column's natural width, the widest narrowed
    first, none below 4 cells."""
    from rich.cells import cell_len

    widths = [max([cell_len(c)] + [cell_len(line[i]) for line in cells])
              for i, c in enumerate(columns)]
    while sum(widths) + 2 * (len(widths) - 1) > room:
        k = max(range(len(widths)), key=widths.__getitem__)
        if widths[k] <= 4:
            break
        widths[k] -= 1
    return widths


def _fit(cells: list[list[str]], widths: list[int]) -> list[list[str]]:
    """Each row's cells wrapped at spaces into ``widths``, as several lines of the row."""
    out: list[list[str]] = []
    for line in cells:
        wrapped = [_wrap(v, w) for v, w in zip(line, widths)]
        for k in range(max(len(parts) for parts in wrapped)):
            out.append([parts[k] if k < len(parts) else "" for parts in wrapped])
    return out


def _wrap(text: str, width: int) -> list[str]:
    """``text`` in lines of at most ``width`` terminal cells, broken at spaces."""
    from rich.cells import cell_len

    lines: list[str] = []
    current = ""
    for word in text.split(" "):
        while cell_len(word) > width:  # longer than the column: the one forced cut
            if current:
                lines.append(current)
                current = ""
            cut = width
            while cut > 1 and cell_len(word[:cut]) > width:
                cut -= 1  # (one character at least: a wide one in a 1-cell column)
            lines.append(word[:cut])
            word = word[cut:]
        if not current:
            current = word
        elif cell_len(current) + 1 + cell_len(word) <= width:
            current += " " + word
        else:
            lines.append(current)
            current = word
    lines.append(current)
    return lines or [""]


def terminal_width() -> int:
    """Columns of the terminal (``COLUMNS`` when set, as shells do)."""
    import shutil

    return max(20, shutil.get_terminal_size((100, 24)).columns)


def color_wanted(stream: Any = None) -> bool:
    """Colour and bold only on a terminal, and never when ``NO_COLOR`` is set (no-color.org)."""
    stream = stream or sys.stdout
    return stream.isatty() and not os.environ.get("NO_COLOR")


def report_width() -> int:
    """The width terminal reports are drawn at: the terminal's, up to 100 columns."""
    return min(100, terminal_width()) if sys.stdout.isatty() else 100


def _printable(text: str) -> str:
    """No terminal escape (ESC, C1), NUL or lone surrogate reaches the terminal."""
    if text.isascii() and text.isprintable():  # (an id, a path): nothing to clean
        return text
    from ..safetext import clean_text

    return clean_text(text)


def terminal_console(stderr: bool = False) -> Any:
    from rich.console import Console

    stream = sys.stderr if stderr else sys.stdout
    tty = stream.isatty()
    return Console(file=stream, width=None if tty else 100, no_color=not color_wanted(stream),
                   highlight=False, markup=False, emoji=False, soft_wrap=not tty)


def stderr_is_terminal() -> bool:
    """Are diagnostics read by a person (warnings that only help at a terminal)?"""
    return sys.stderr is not None and sys.stderr.isatty()


def check_format(fmt: str, allowed: tuple[str, ...]) -> str:
    if fmt not in allowed:
        raise UsageError(f"format '{fmt}' is not available here", hint=f"use one of: {', '.join(allowed)}")
    return fmt


def write_report(content: str | bytes, output: Path | None) -> None:
    if output is not None:
        data = content.encode("utf-8") if isinstance(content, str) else content
        tmp = output.with_name(f".{output.name}.tmp")
        try:
            tmp.write_bytes(data)
            os.replace(tmp, output)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise InputError(f"cannot write {output}: {exc.strerror}") from None
        echo(f"wrote {output}", err=True)
        return
    if isinstance(content, bytes):
        if sys.stdout.isatty():
            raise UsageError("this format is binary", hint="write it to a file with --output FILE")
        sys.stdout.buffer.write(content)
        sys.stdout.flush()
        return
    echo(content, nl=not content.endswith("\n"))


def progress_bar(label: str) -> tuple[Callable[[int, int], None], Callable[[], None]]:
    """A progress callback that draws on a terminal after a moment, else does nothing."""
    import time

    if not sys.stderr.isatty():
        return (lambda done, total: None), (lambda: None)
    started = time.monotonic()
    state: dict[str, Any] = {}

    def update(done: int, total: int) -> None:
        if "bar" not in state:
            if time.monotonic() - started < 0.5:
                return
            from rich.progress import Progress

            bar = Progress(console=terminal_console(stderr=True), transient=True)
            bar.start()
            state["bar"], state["task"] = bar, bar.add_task(label, total=total)
        state["bar"].update(state["task"], completed=done, total=total)

    def finish() -> None:
        if "bar" in state:
            state["bar"].stop()

    return update, finish
