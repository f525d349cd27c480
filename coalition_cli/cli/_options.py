"""The options many commands share, as typer annotations (``from ._common import AgendaOpt``
finds them here: ``_common`` itself imports no typer, so that ``comment add``'s direct path
(``_direct``) runs without it)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

AgendaOpt = Annotated[Optional[Path], typer.Option(
    "--agenda", help="The agenda folder (default: agenda/ of this repository; env COALITION_AGENDA).",
    show_default=False)]
AsOpt = Annotated[Optional[str], typer.Option(
    "--as", help="Act as this member (env COALITION_MEMBER; default: the member owning the key).",
    show_default=False)]
KeyOpt = Annotated[Optional[Path], typer.Option(
    "--key", help="Your key: its private key file, or its .pub when ssh-agent holds it (env "
    "COALITION_KEY; git config coalition.key; default ~/.ssh/id_ed25519).",
    show_default=False)]
SigningKeyOpt = Annotated[Optional[Path], typer.Option(
    "--signing-key", help="Your key: its private key file, or its .pub when ssh-agent holds it (env "
    "COALITION_KEY; git config coalition.key; default ~/.ssh/id_ed25519).",
    show_default=False)]
PassphraseOpt = Annotated[Optional[Path], typer.Option(
    "--passphrase-file", help="File holding the key's passphrase (env COALITION_PASSPHRASE_FILE).",
    show_default=False)]
FormatOpt = Annotated[str, typer.Option("--format", "-f", help="terminal or json.")]
AtOpt = Annotated[Optional[str], typer.Option(
    "--at", help="Read the agenda as it was at this revision (commit, tag or round id).",
    show_default=False)]
OutputOpt = Annotated[Optional[Path], typer.Option(
    "--output", "-o", help="Write the report to this file instead of stdout.", show_default=False)]
