"""Asking a person at a terminal for a new key's passphrase (``key generate``, ``init``)."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from ..errors import InputError

TRIES = 3


def at_terminal() -> bool:
    return sys.stdin is not None and sys.stdin.isatty() and sys.stderr.isatty()


def ask_new_passphrase(path: Path) -> bytes | None:
    """On a terminal, the passphrase for a new key at ``path``, typed twice (empty: none, and
    the person is told what that means); None when nobody is at a terminal."""
    if not at_terminal():
        return None
    import getpass

    for _ in range(TRIES):
        first = getpass.getpass(f"Passphrase for the new key {path} (empty for none): ")
        if not first:
            typer.echo("No passphrase: anyone who can read the key file can sign as you.",
                       err=True)
            return None
        if getpass.getpass("The same passphrase again: ") == first:
            return first.encode()
        typer.echo("The two passphrases differ, try again.", err=True)
    raise InputError(f"the passphrases differed {TRIES} times; no key was written",
                     hint="run the command again, or pass --passphrase-file F")
