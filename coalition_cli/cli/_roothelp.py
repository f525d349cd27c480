"""``coalition``, ``coalition --help`` and ``coalition --version`` without importing typer.

Importing typer costs four times the interpreter's own start-up, and these three answers
need nothing of it: the root's help page is laid out here from the table of commands
(``cli.COMMANDS``) exactly as click lays it out — the same usage line, wrapping, two
definition lists and short-help truncation. ``tests/test_lean_start.py`` compares the two
pages, character for character, at many terminal widths; anything else (another option,
an unusual program name, shell completion) goes through typer as before.
"""

from __future__ import annotations

import os
import sys

ROOT_HELP = ("Draft a coalition's shared principles in git and consult its members with "
             "signed comments.")
ROOT_OPTIONS = (
    ("--agenda <path>", "The agenda folder (env COALITION_AGENDA)."),
    ("--version", "Show the version and exit."),
    ("-h, --help", "Show this message and exit."),
)


def answer(argv: list[str], rows: tuple) -> int | None:
    """The exit code, when ``argv`` (without the program) is answered here; else None."""
    if argv not in ([], ["--help"], ["-h"], ["--version"]) or "_COALITION_COMPLETE" in os.environ:
        return None
    if argv == ["--version"]:
        from .. import __version__

        text = f"coalition {__version__}\n"
    else:
        prog = program_name()
        if prog != "coalition":
            return None  # `python -m coalition_cli`: let click name it
        text = root_help(prog, rows, width()) + "\n"
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:  # `coalition --help | head`
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            os.close(devnull)
        except (OSError, ValueError):
            pass
        return 141
    return 0


def program_name() -> str:
    main = sys.modules.get("__main__")
    if getattr(main, "__package__", None) in (None, ""):
        return os.path.basename(sys.argv[0])
    return ""  # run as a module


def width() -> int:
    """The help's width as click computes it: the terminal's columns (``COLUMNS`` first),
    at most 80, less 2, at least 50."""
    try:
        columns = int(os.environ.get("COLUMNS", "0"))
    except ValueError:
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns
        except (AttributeError, ValueError, OSError):
            columns = 0
        columns = columns or 80
    return max(min(columns, 80) - 2, 50)


def root_help(prog: str, rows: tuple, width: int) -> str:
    out: list[str] = []
    prefix = f"Usage: {prog} "
    args = "[OPTIONS] COMMAND [ARGS]..."
    if width >= len(prefix) + 20:
        out.append(_fill(args, width, prefix, " " * len(prefix)))
    else:
        out.append(prefix + "\n" + _fill(args, width, " " * 11, " " * 11))
    out.append("\n\n")
    out.append(_fill(ROOT_HELP, width, "  ", "  "))
    out.append("\n\nOptions:\n")
    out.append(_definitions(list(ROOT_OPTIONS), width))
    names = [row[0] for row in rows]
    limit = width - 6 - max(len(n) for n in names)
    out.append("\nCommands:\n")
    out.append(_definitions([(row[0], short_help(row[3], limit)) for row in rows], width))
    return "".join(out).rstrip("\n")


def _definitions(items: list[tuple[str, str]], width: int) -> str:
    """Two columns indented by 2, the first at most 30 wide, then 2 spaces."""
    first = min(max(len(a) for a, _b in items), 30) + 2
    text_width = max(width - first - 2, 10)
    out = []
    for term, text in items:
        out.append("  " + term)
        if not text:
            out.append("\n")
            continue
        if len(term) <= first - 2:
            out.append(" " * (first - len(term)))
        else:
            out.append("\n" + " " * (first + 2))
        lines = _fill(text, text_width, "", "").splitlines() or [""]
        out.append(lines[0] + "\n")
        out.extend(" " * (first + 2) + line + "\n" for line in lines[1:])
    return "".join(out)


def _fill(text: str, width: int, first: str, rest: str) -> str:
    """Greedy wrapping of one paragraph, words longer than a line cut where the line ends."""
    import textwrap

    class Wrapper(textwrap.TextWrapper):
        def _handle_long_word(self, chunks, line, length, width):  # noqa: ANN001, ANN202
            room = max(width - length, 1)
            line.append(chunks[-1][:room])
            chunks[-1] = chunks[-1][room:]

    return Wrapper(width, initial_indent=first, subsequent_indent=rest,
                   replace_whitespace=False).fill(" ".join(text.expandtabs().split("\n")))


def short_help(text: str, limit: int) -> str:
    """The first sentence of ``text`` if it fits in ``limit``, else as many words as fit
    followed by "..."."""
    words = text.split("\n\n", 1)[0].split()
    if not words:
        return ""
    total = 0
    for i, word in enumerate(words):
        total += len(word) + (i > 0)
        if total > limit:
            break
        if word.endswith("."):
            return " ".join(words[: i + 1])
        if total == limit and i != len(words) - 1:
            break
    else:
        return " ".join(words)
    total += 3
    while i > 0:
        total -= len(words[i]) + 1
        if total <= limit:
            break
        i -= 1
    return " ".join(words[:i]) + "..."
