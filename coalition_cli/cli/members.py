"""coalition member add/show/list/revoke-key/remove/allowed-signers."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from ._common import (
    AgendaOpt,
    AsOpt,
    AtOpt,
    FormatOpt,
    Out,
    PassphraseOpt,
    SigningKeyOpt,
    check_format,
    handle,
    open_agenda,
    signer_session,
)

app = typer.Typer(no_args_is_help=True)


def _member_row(member, unverified: set[str] = frozenset()) -> dict:  # noqa: ANN001
    return {"id": member.id, "name": member.name, "sector": member.sector,
            "roles": ",".join(member.roles), "status": member.status,
            "keys": sum(1 for k in member.keys if not k.revoked),
            "verified": "no: changed since" if member.id in unverified else "yes"}


def _registry(agenda, at):  # noqa: ANN001, ANN202
    """The verified registry at ``at`` (default HEAD), and the ids whose file there is not
    its verified version (their last verified version is what is shown)."""
    from ..trust import trusted

    ag = open_agenda(agenda)
    view = trusted(ag, ag.resolve_rev(at) if at else None)
    if view.ledger.incomplete:
        from ..errors import NotPermitted

        raise NotPermitted(view.ledger.incomplete.split(";")[0],
                           hint="git fetch --unshallow, then: coalition verify")
    return view.members, view.unverified_members()


@app.command("add")
@handle
def add(
    member_id: Annotated[str, typer.Argument(metavar="ID", help="Member id (a-z, 0-9, -).")],
    name: Annotated[str, typer.Option("--name", help="Organisation name.")],
    sector: Annotated[str, typer.Option("--sector", help="One of coalition.yaml's sectors.")],
    role: Annotated[list[str], typer.Option("--role", help="facilitator, member or staff (repeat).")],
    key: Annotated[list[Path], typer.Option("--key", help="Public key file of a person (repeat).")],
    person: Annotated[Optional[list[str]], typer.Option(
        "--person", help="Name of the person holding each --key, in order.")] = None,
    as_member: AsOpt = None, signing_key: SigningKeyOpt = None, passphrase: PassphraseOpt = None,
    agenda: AgendaOpt = None, fmt: FormatOpt = "terminal",
) -> None:
    """Register a member (or add keys and update an existing one). Facilitators only."""
    from .. import actions
    from ..signing import PublicKey

    ag, who = signer_session(fmt, agenda, as_member, signing_key, passphrase)
    people = list(person or [])
    keys = [(PublicKey.from_file(k), people[i] if i < len(people) else None)
            for i, k in enumerate(key)]
    written = actions.member_add(ag, who, member_id, name=name, sector=sector, roles=role, keys=keys)
    Out(fmt).written(written, f"registered {member_id} ({written.commit[:8]})")


@app.command("show")
@handle
def show(
    member_id: Annotated[str, typer.Argument(metavar="ID")],
    at: AtOpt = None, agenda: AgendaOpt = None, fmt: FormatOpt = "terminal",
) -> None:
    """Show a member and their keys."""
    from ..signing import PublicKey

    from ..errors import NotFound
    from ..ids import check_slug

    check_format(fmt, ("terminal", "json"))
    members, unverified = _registry(agenda, at)
    member = members.get(check_slug(member_id, "member"))
    if member is None:
        raise NotFound(f"no member '{member_id}'",
                       hint="list them with: coalition member list; check with: coalition verify")
    out = Out(fmt)
    keys = []
    for entry in member.keys:
        keys.append({"fingerprint": PublicKey.from_openssh(entry.key).fingerprint,
                     "person": entry.person, "added": entry.added, "revoked": entry.revoked})
    data = {**_member_row(member, unverified), "roles": list(member.roles), "keys": keys,
            "updated_at": member.updated_at, "updated_by": member.updated_by}
    if out.json:
        out.data(data)
        return
    out.line(f"{member.name} ({member.id})")
    out.line(f"  sector: {member.sector}   roles: {', '.join(member.roles)}   status: {member.status}")
    for k in keys:
        state = f"revoked {k['revoked']}" if k["revoked"] else f"added {k['added']}"
        out.line(f"  key {k['fingerprint']}  {k['person'] or ''}  {state}")
    if member.id in unverified:
        out.note(f"note: the registry file of {member.id} was changed without a valid "
                 "facilitator signature; shown is its last verified version (coalition verify)")


@app.command("list")
@handle
def list_(at: AtOpt = None, agenda: AgendaOpt = None, fmt: FormatOpt = "terminal") -> None:
    """List the registered members."""
    check_format(fmt, ("terminal", "json"))
    members, unverified = _registry(agenda, at)
    rows = [_member_row(m, unverified) for m in members.values()]
    if fmt == "json":
        for row, member in zip(rows, members.values()):
            row["roles"] = list(member.roles)
    Out(fmt).table(rows, ["id", "name", "sector", "roles", "status", "keys", "verified"],
                   empty="no members yet")


@app.command("revoke-key")
@handle
def revoke_key(
    member_id: Annotated[str, typer.Argument(metavar="ID")],
    key: Annotated[Path, typer.Option("--key", help="The public key file to revoke.")],
    as_member: AsOpt = None, signing_key: SigningKeyOpt = None, passphrase: PassphraseOpt = None,
    agenda: AgendaOpt = None, fmt: FormatOpt = "terminal",
) -> None:
    """Revoke one key of a member: records it signed later are rejected by verify."""
    from .. import actions
    from ..signing import PublicKey

    ag, who = signer_session(fmt, agenda, as_member, signing_key, passphrase)
    public = PublicKey.from_file(key)
    written = actions.member_revoke_key(ag, who, member_id, public)
    Out(fmt).written(written,
                     f"revoked {public.fingerprint} of {member_id} ({written.commit[:8]})")


@app.command("remove")
@handle
def remove(
    member_id: Annotated[str, typer.Argument(metavar="ID")],
    as_member: AsOpt = None, signing_key: SigningKeyOpt = None, passphrase: PassphraseOpt = None,
    agenda: AgendaOpt = None, fmt: FormatOpt = "terminal",
) -> None:
    """Remove a member from the registry (their past records stay)."""
    from .. import actions

    ag, who = signer_session(fmt, agenda, as_member, signing_key, passphrase)
    written = actions.member_remove(ag, who, member_id)
    Out(fmt).written(written, f"removed {member_id} ({written.commit[:8]})")


@app.command("allowed-signers")
@handle
def allowed_signers(
    at: AtOpt = None,
    revoked: Annotated[Optional[Path], typer.Option(
        "--revoked", help="Also write the revoked public keys to this file (for ssh-keygen -r).")] = None,
    validity: Annotated[bool, typer.Option(
        "--validity", help="Bound each key with valid-after (added) and valid-before (revoked), "
                           "for ssh-keygen -Y verify -Overify-time=<the record's submitted_at>.")] = False,
    agenda: AgendaOpt = None,
) -> None:
    """Print an OpenSSH allowed_signers file for the verified registry (ssh-keygen -Y verify
    -f); a key no facilitator signed for is never exported."""
    from ..signing import PublicKey, allowed_signers_line

    members, _unverified = _registry(agenda, at)
    revoked_keys = []

    def when(value: str | None) -> str | None:  # 2026-11-25T14:00:00Z -> 20261125140000Z
        return value.replace("-", "").replace(":", "").replace("T", "") if validity and value else None

    for member in members.values():
        for entry in member.keys:
            after, before = when(entry.added), when(entry.revoked)
            if after and before and before <= after:  # ssh-keygen refuses an empty window
                after = None
            typer.echo(allowed_signers_line(member.id, PublicKey.from_openssh(entry.key),
                                            valid_after=after, valid_before=before))
            if entry.revoked:
                revoked_keys.append(entry.key)
    if revoked is not None:
        revoked.write_text("".join(k + "\n" for k in revoked_keys), encoding="utf-8")
