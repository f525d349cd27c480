"""coalition notice add (facilitators) and coalition label add (members of the indigenous-led
sector): Local Contexts Notices and Labels from a saved Hub project JSON."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from ._common import AgendaOpt, AsOpt, FormatOpt, KeyOpt, Out, PassphraseOpt, handle, signer_session

notice_app = typer.Typer(no_args_is_help=True)
label_app = typer.Typer(no_args_is_help=True)
FileOpt = Annotated[Path, typer.Option(
    "--local-contexts", help="A Local Contexts Hub project, saved as JSON "
    "(https://localcontextshub.org/api/v2/projects/<id>/): no network is used.")]
RoundOpt = Annotated[Optional[str], typer.Option(
    "--round", help="The round (default: the open one, else the latest).")]


@notice_app.command("add")
@handle
def notice_add(
    local_contexts: FileOpt,
    on: Annotated[str, typer.Option("--on", help="agenda, round, or a principle id.")] = "agenda",
    round_id: RoundOpt = None,
    as_member: AsOpt = None, key: KeyOpt = None, passphrase: PassphraseOpt = None,
    agenda: AgendaOpt = None, fmt: FormatOpt = "terminal",
) -> None:
    """Facilitators: apply the project's Local Contexts Notices (signed; every report shows
    them with their names and links)."""
    from .. import actions
    from ..governance.local_contexts import read_file

    value = read_file(local_contexts, want="notices")
    ag, who = signer_session(fmt, agenda, as_member, key, passphrase)
    written = actions.notice_add(ag, who, on, value, round_id)
    Out(fmt).written(written, f"{len(value['notices'])} Notice(s) on {written.id} "
                             f"({written.commit[:8]})")


@label_app.command("add")
@handle
def label_add(
    local_contexts: FileOpt,
    principle: Annotated[str, typer.Option("--principle", "-p", help="The principle, e.g. P02.")],
    round_id: RoundOpt = None,
    as_member: AsOpt = None, key: KeyOpt = None, passphrase: PassphraseOpt = None,
    agenda: AgendaOpt = None, fmt: FormatOpt = "terminal",
) -> None:
    """Members of the indigenous-led sector: apply your community's TK/BC Labels to a principle
    a community consent rule covers (on your own comments: comment add --local-contexts)."""
    from .. import actions
    from ..governance.local_contexts import read_file

    value = read_file(local_contexts, want="labels")
    ag, who = signer_session(fmt, agenda, as_member, key, passphrase)
    written = actions.label_add(ag, who, principle, value, round_id)
    Out(fmt).written(written)


@handle
def approve(
    round_id: Annotated[str, typer.Argument(metavar="ROUND")],
    section: Annotated[str, typer.Option("--section", help="The report section (an id of "
                                         "coalition.yaml's distinctions).")],
    as_member: AsOpt = None, key: KeyOpt = None, passphrase: PassphraseOpt = None,
    agenda: AgendaOpt = None, fmt: FormatOpt = "terminal",
) -> None:
    """Members of a distinction section: approve the section of the round's report as it
    reads now (read it first: coalition report ROUND). A later change makes it stale."""
    from .. import actions

    ag, who = signer_session(fmt, agenda, as_member, key, passphrase)
    Out(fmt).written(actions.section_approve(ag, who, round_id, section))


def register(app: typer.Typer) -> None:
    """The top-level ``approve`` command (``notice`` and ``label`` are sub-apps)."""
    app.command("approve")(approve)
