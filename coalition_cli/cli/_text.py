"""The texts a person gives a command — a comment, a principle's body, the settings: an
option's value, a file (``-``: standard input), what is piped in, or what they write in
their editor on the terminal (``$VISUAL``, ``$EDITOR``, else ``vi``), which a signal that
ends the command ends too."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from ..errors import InputError, UsageError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


def read_text(value: str | None, file: Path | None, *, what: str, body: str = "",
              instructions: tuple[str, ...] = (), required: bool = True) -> str | None:
    """Text from a flag, a file (``-`` for stdin), piped stdin, or ``$EDITOR`` (opened on
    ``body`` with ``instructions`` below it, as ``git commit`` does)."""
    if value is not None and file is not None:
        raise UsageError(f"give the {what} either inline or as a file, not both")
    if value is not None:
        return value
    from ..textinput import decode_text

    if file is not None:
        if str(file) == "-" and sys.stdin is None:
            raise InputError("there is no standard input to read")
        try:
            data = sys.stdin.buffer.read() if str(file) == "-" else file.read_bytes()
        except OSError as exc:
            raise InputError(f"cannot read {file}: {exc.strerror}") from None
        return decode_text(data, "stdin" if str(file) == "-" else str(file))
    if sys.stdin is None:  # started with no standard input at all (e.g. a CI job)
        pass
    elif not sys.stdin.isatty():
        data = sys.stdin.buffer.read()
        if data.strip():
            return decode_text(data, "stdin")
    elif os.environ.get("EDITOR") or os.environ.get("VISUAL"):
        return _from_editor(body, list(instructions), what)
    if required:
        raise UsageError(f"no {what} given",
                         hint="pass it inline, with a file option, on stdin, or set $EDITOR")
    return None


_EDITOR_SIGNALS = ("SIGTERM", "SIGHUP")


class _Signalled(BaseException):
    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _from_editor(body: str, instructions: list[str], what: str) -> str:
    """Open ``$VISUAL`` / ``$EDITOR`` on a file in a private folder (mode 0700) that is
    removed whatever happens: the editor fails, or SIGTERM / SIGHUP arrive while it is
    open (the editor is stopped, the folder removed, then the command ends with
    128 + the signal). SIGINT and SIGQUIT are ignored while the editor runs, as git does:
    the editor, on the same terminal, decides what Ctrl-C means; when it dies of it,
    nothing is written."""
    import shlex
    import shutil
    import signal
    import subprocess
    import tempfile

    from ..errors import Interrupted
    from ..textinput import comment_char, decode_text, editor_template, from_editor

    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
    char = comment_char(body)
    template = editor_template(body, instructions, char)
    folder = Path(tempfile.mkdtemp(prefix="coalition-edit-"))  # mode 0700, only ours
    proc: subprocess.Popen[bytes] | None = None
    previous: dict[int, Any] = {}

    def on_signal(signum: int, _frame: Any) -> None:
        raise _Signalled(signum)

    try:
        try:  # only the main thread may set handlers; elsewhere the defaults stay
            for name in _EDITOR_SIGNALS:
                number = getattr(signal, name)
                previous[number] = signal.signal(number, on_signal)
            for name in ("SIGINT", "SIGQUIT"):
                number = getattr(signal, name)
                previous[number] = signal.signal(number, signal.SIG_IGN)
        except ValueError:
            pass
        path = folder / ("PRINCIPLE.md" if what == "body" else "COMMENT.md")
        path.write_text(template, encoding="utf-8")
        try:
            proc = subprocess.Popen([*shlex.split(editor), str(path)],
                                    preexec_fn=_default_signals)
        except FileNotFoundError:
            raise InputError(f"cannot start the editor '{editor}'",
                             hint="set $EDITOR to an editor that is installed") from None
        code = proc.wait()
        if code < 0:
            raise InputError(f"the editor was ended by {signal.Signals(-code).name}; no {what} "
                             "was saved and nothing was written")
        if code != 0:
            raise InputError(f"the editor exited with an error; no {what} was saved")
        edited = decode_text(path.read_bytes(), "the edited text")
    except _Signalled as exc:
        _stop(proc)
        raise Interrupted(signal.Signals(exc.signum).name, what) from None
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
        shutil.rmtree(folder, ignore_errors=True)
    return from_editor(edited, template, char, what)


def _default_signals() -> None:
    """In the editor's process: the signals we ignore while waiting act normally there."""
    import signal

    for name in ("SIGINT", "SIGQUIT", *_EDITOR_SIGNALS):
        signal.signal(getattr(signal, name), signal.SIG_DFL)


def _stop(proc: Any) -> None:
    """End the editor (it may be waiting on a terminal that is gone)."""
    import subprocess

    if proc is None or proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


__all__ = ["read_text"]
