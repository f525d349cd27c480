"""coalition trust, config show/set/edit, migrate and redact: the root of trust and what
facilitators sign."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from ._common import (
    AgendaOpt,
    AsOpt,
    FormatOpt,
    KeyOpt,
    Out,
    PassphraseOpt,
    check_format,
    handle,
    identity,
    open_agenda,
    signer_session,
)
from ._text import read_text

config_app = typer.Typer(no_args_is_help=True)


def register(app: typer.Typer) -> None:
    @app.command("trust")
    @handle
    def trust(
        fingerprints: Annotated[Optional[list[str]], typer.Argument(
            metavar="[SHA256:…]...",
            help="The founders' key fingerprints, got from them out of band.")] = None,
        agenda: AgendaOpt = None, fmt: FormatOpt = "terminal",
    ) -> None:
        """Pin the founders' keys for this clone (git config coalition.trust), like
        known_hosts: every later command trusts only what descends from them. Without an
        argument, show what is pinned."""
        from ..trust.roots import pin, pinned as pinned_in

        check_format(fmt, ("terminal", "json"))
        ag = open_agenda(agenda)
        out = Out(fmt)
        if fingerprints:
            pinned = sorted(pin(ag.git, fingerprints))
        else:
            pinned = sorted(pinned_in(ag.git))
        if out.json:
            out.data({"pinned": pinned})
        elif pinned:
            for fp in pinned:
                out.line(fp)
            if fingerprints:
                out.note("pinned for this clone; check it with: coalition verify")
        else:
            out.note("no founders pinned: this clone trusts on first use; pin them with: "
                     "coalition trust SHA256:…")

    @app.command("migrate")
    @handle
    def migrate(
        as_member: AsOpt = None, key: KeyOpt = None, passphrase: PassphraseOpt = None,
        agenda: AgendaOpt = None, fmt: FormatOpt = "terminal",
    ) -> None:
        """Bring an agenda from before signed settings up to date: sign coalition.yaml and
        every unsigned principle as the facilitator running it, and seal old revocations."""
        from .. import actions

        check_format(fmt, ("terminal", "json"))
        ag = open_agenda(agenda)
        who = identity(ag, member=as_member, key=key, passphrase=passphrase, migrating=True)
        written = actions.migrate(ag, who)
        out = Out(fmt)
        if written is None:
            if out.json:
                out.data({"migrated": []})
            else:
                out.note("nothing to migrate: the settings and principles are signed")
            return
        out.written(written, f"signed {written.id} ({written.commit[:8]})")

    @app.command("redact")
    @handle
    def redact(
        record_id: Annotated[str, typer.Argument(metavar="ID", help="The record (id or prefix).")],
        reason: Annotated[str, typer.Option("--reason", help="Why, in words every member reads.")],
        as_member: AsOpt = None, key: KeyOpt = None, passphrase: PassphraseOpt = None,
        agenda: AgendaOpt = None, fmt: FormatOpt = "terminal",
    ) -> None:
        """Take a record out of the agenda, visibly and signed (facilitators): for harmful
        content. Git history keeps its bytes in the clones that have them."""
        from .. import actions

        ag, who = signer_session(fmt, agenda, as_member, key, passphrase)
        written = actions.redact(ag, who, record_id, reason)
        Out(fmt).written(written, f"redacted {written.id[:8]} ({written.commit[:8]})")

    app.add_typer(config_app, name="config",
                  help="The coalition's settings, signed by a facilitator.")


@config_app.command("show")
@handle
def show(agenda: AgendaOpt = None, fmt: FormatOpt = "terminal") -> None:
    """Print the verified coalition.yaml."""
    from ..trust.view import verified_snapshot

    check_format(fmt, ("terminal", "json"))
    snap = verified_snapshot(open_agenda(agenda))
    out = Out(fmt)
    if out.json:
        from .. import actions

        out.data(actions._config_dict(snap.config))
        return
    typer.echo((snap.read("coalition.yaml") or b"").decode("utf-8"), nl=False)


@config_app.command("set")
@handle
def set_(
    key: Annotated[str, typer.Argument(metavar="KEY", help="e.g. consensus.threshold")],
    value: Annotated[str, typer.Argument(metavar="VALUE", help="Lists are comma-separated.")],
    as_member: AsOpt = None, signing_key: KeyOpt = None, passphrase: PassphraseOpt = None,
    agenda: AgendaOpt = None, fmt: FormatOpt = "terminal",
) -> None:
    """Change one setting (facilitators): validated, signed and committed."""
    from .. import actions

    ag, who = signer_session(fmt, agenda, as_member, signing_key, passphrase)
    written = actions.config_set(ag, who, key, value)
    Out(fmt).written(written, f"{key} = {value} ({written.commit[:8]})")


@config_app.command("edit")
@handle
def edit(
    file: Annotated[Optional[str], typer.Option(
        "--file", help="Read the new coalition.yaml from this file (- for stdin).")] = None,
    as_member: AsOpt = None, signing_key: KeyOpt = None, passphrase: PassphraseOpt = None,
    agenda: AgendaOpt = None, fmt: FormatOpt = "terminal",
) -> None:
    """Edit coalition.yaml in $EDITOR (facilitators): validated, signed and committed."""
    from pathlib import Path

    from .. import actions

    ag, who = signer_session(fmt, agenda, as_member, signing_key, passphrase)
    current = (ag.snapshot().read("coalition.yaml") or b"").decode("utf-8")
    text = read_text(None, Path(file) if file else None, what="settings", body=current)
    written = actions.config_replace(ag, who, text or "")
    Out(fmt).written(written, f"settings signed ({written.commit[:8]})")
