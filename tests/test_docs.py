"""Every command the CLI offers is documented in the README."""

from __future__ import annotations

from pathlib import Path

import typer

from coalition_cli.cli import full_app

README = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")


def _commands(group: typer.Typer, prefix: str = "coalition") -> list[str]:
    out = []
    for command in group.registered_commands:
        name = command.name or command.callback.__name__.replace("_", "-")
        out.append(f"{prefix} {name}")
    for sub in group.registered_groups:
        out.extend(_commands(sub.typer_instance, f"{prefix} {sub.name}"))
    return out


def test_every_command_is_in_the_readme() -> None:
    commands = _commands(full_app())
    assert len(commands) > 25
    missing = [c for c in commands if c not in README and c.replace(" ", " ", 1) not in README]
    # subcommands may be documented in a group line such as "coalition comment withdraw ID"
    assert not missing, f"undocumented: {missing}"
