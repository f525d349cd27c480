"""The error tree of coalition.

Domain code raises these; only the CLI layer turns them into an ``error:``
line, an optional ``hint:`` line and an exit code. Nothing here knows about
typer or click.

Exit codes (a contract, see SPEC.md): 0 ok, 1 a check found problems,
2 usage, 3 bad input or malformed agenda data, 4 not permitted,
5 git or sync failure.
"""

from __future__ import annotations


class CoalitionError(Exception):
    """Base of every error the tool reports to a user."""

    exit_code = 3

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:  # pragma: no cover - trivial
        return self.message


class UsageError(CoalitionError):
    """The command was called wrongly (exit 2)."""

    exit_code = 2


class InputError(CoalitionError):
    """Bad input from the user or malformed agenda data (exit 3)."""

    exit_code = 3


class NotFound(InputError):
    """An id, file or revision that does not exist (exit 3)."""


class AmbiguousId(InputError):
    """A short id prefix that matches more than one record (exit 3)."""

    def __init__(self, prefix: str, candidates: list[str]) -> None:
        shown = ", ".join(sorted(candidates)[:10])
        super().__init__(
            f"id '{prefix}' is ambiguous: it matches {shown}",
            hint="give more characters of the id",
        )
        self.candidates = candidates


class MalformedData(InputError):
    """A file of the agenda that cannot be read (exit 3); names file and line."""

    def __init__(self, path: str, detail: str, *, line: int | None = None) -> None:
        where = f"{path}:{line}" if line is not None else path
        super().__init__(f"{where}: {detail}")
        self.path = path
        self.line = line
        self.detail = detail


class KeyProblem(InputError):
    """A key file that cannot be read or used (exit 3)."""


class SignatureInvalid(InputError):
    """A signature that does not verify or cannot be parsed (exit 3)."""


class NotPermitted(CoalitionError):
    """The signer's role or key does not allow this, or the round is closed (exit 4)."""

    exit_code = 4


class GitError(CoalitionError):
    """A git command failed, or the remote refused a push (exit 5)."""

    exit_code = 5


class Interrupted(CoalitionError):
    """A signal (SIGTERM, SIGHUP) ended an interactive step; nothing was written.
    Exit 128 + the signal's number, as a shell reports a command killed by it."""

    def __init__(self, signal_name: str, what: str) -> None:
        import signal

        super().__init__(f"interrupted by {signal_name} while the editor was open; "
                         f"no {what} was saved and nothing was written")
        self.exit_code = 128 + int(getattr(signal, signal_name))
