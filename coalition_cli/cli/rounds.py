"""coalition round open/close/extend/status/list."""

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

app = typer.Typer(no_args_is_help=True)


@app.command("open")
@handle
def open_(
    round_id: Annotated[str, typer.Argument(metavar="ID")],
    title: Annotated[str, typer.Option("--title")],
    closes: Annotated[str, typer.Option("--closes", help="YYYY-MM-DD (end of day, UTC) or YYYY-MM-DDTHH:MM.")],
    principles: Annotated[Optional[str], typer.Option(
        "--principles", help="Comma-separated principle ids (default: every active one).")] = None,
    as_member: AsOpt = None, key: KeyOpt = None, passphrase: PassphraseOpt = None,
    agenda: AgendaOpt = None, fmt: FormatOpt = "terminal",
) -> None:
    """Open a consultation round on the current draft (tags it coalition/ID/draft)."""
    from .. import actions
    from ..model import parse_user_date

    check_format(fmt, ("terminal", "json"))
    when = parse_user_date(closes)
    scope = [p.strip() for p in principles.split(",") if p.strip()] if principles else None
    ag = open_agenda(agenda)
    who = identity(ag, member=as_member, key=key, passphrase=passphrase)
    _warn_stale_translations(ag, scope, Out(fmt))
    written = actions.round_open(ag, who, round_id, title=title, closes=when, principles=scope)
    Out(fmt).written(written, f"round {round_id} is open until {when:%Y-%m-%d %H:%M} UTC "
                             f"({written.commit[:8]})")


def _warn_stale_translations(ag, scope, out) -> None:  # noqa: ANN001
    """Before consulting: say which language versions of the draft are out of date or
    missing (members read and quote them; the round's draft covers every language)."""
    from ..translations import stale

    for pid, lang, status in stale(actions_verified(ag)):
        if scope is None or pid in scope:
            out.note(f"warning: the {lang} text of {pid} is {status}: members reading in {lang} "
                     f"will be consulted on {'an older text' if status == 'out of date' else 'the reference text only'}"
                     f" (coalition principle edit {pid} --lang {lang})")


def actions_verified(ag):  # noqa: ANN001, ANN201
    from ..actions import verified

    return verified(ag)


@app.command("extend")
@handle
def extend(
    round_id: Annotated[str, typer.Argument(metavar="ID")],
    closes: Annotated[str, typer.Option("--closes")],
    as_member: AsOpt = None, key: KeyOpt = None, passphrase: PassphraseOpt = None,
    agenda: AgendaOpt = None, fmt: FormatOpt = "terminal",
) -> None:
    """Move an open round's closing time."""
    from .. import actions
    from ..model import parse_user_date

    check_format(fmt, ("terminal", "json"))
    when = parse_user_date(closes)
    ag = open_agenda(agenda)
    who = identity(ag, member=as_member, key=key, passphrase=passphrase)
    written = actions.round_extend(ag, who, round_id, when)
    Out(fmt).written(written, f"round {round_id} now closes {when:%Y-%m-%d %H:%M} UTC")


@app.command("close")
@handle
def close(
    round_id: Annotated[Optional[str], typer.Argument(metavar="[ID]")] = None,
    yes: Annotated[bool, typer.Option(
        "--yes", "-y", help="Close without asking (asked only on a terminal).")] = False,
    as_member: AsOpt = None, key: KeyOpt = None, passphrase: PassphraseOpt = None,
    agenda: AgendaOpt = None, fmt: FormatOpt = "terminal",
) -> None:
    """Close a round: writes the signed manifest of its records and tags coalition/ID/closed.
    On a terminal it asks first (--yes does not); scripts are not asked."""
    from .. import actions

    ag, who = signer_session(fmt, agenda, as_member, key, passphrase)
    if not yes and _person_at_terminal():
        _confirm_close(ag, round_id)
    written = actions.round_close(ag, who, round_id)
    Out(fmt).written(written, f"round {written.id} is closed ({written.commit[:8]})")


def _person_at_terminal() -> bool:
    import sys

    return bool(sys.stdin is not None and sys.stdin.isatty() and sys.stderr is not None
                and sys.stderr.isatty())


def _confirm_close(ag: object, round_id: str | None) -> None:
    """Ask before closing: the round, its deadline and how many records it holds."""
    from .. import actions
    from ._common import safe_line

    snap = actions.verified(ag)  # type: ignore[arg-type]
    round_ = snap.round(round_id) if round_id else snap.open_round()
    if round_ is None or round_.status != "open":
        return  # round_close says why it cannot close it
    count = len([e for e in snap.entries(f"rounds/{round_.id}/comments")
                 if e.path.endswith(".yaml")])
    typer.echo(safe_line(f"Round {round_.id} ({round_.title}) closes {round_.closes_at}; it holds "
                         f"{count} member record(s)."), err=True)
    typer.echo("Closing it now ends commenting; it can be reopened only before any response.",
               err=True)
    if not typer.confirm(f"Close round {round_.id} now?", default=False, err=True):
        typer.echo(f"round {round_.id} is still open: nothing was written", err=True)
        raise typer.Exit(1)


@app.command("reopen")
@handle
def reopen(
    round_id: Annotated[str, typer.Argument(metavar="ID")],
    closes: Annotated[str, typer.Option("--closes", help="The new closing time.")],
    reason: Annotated[str, typer.Option("--reason", help="Why it is reopened.")] = "closed by mistake",
    as_member: AsOpt = None, key: KeyOpt = None, passphrase: PassphraseOpt = None,
    agenda: AgendaOpt = None, fmt: FormatOpt = "terminal",
) -> None:
    """Reopen a round closed by mistake, before any response: a signed reopening sets its
    closing manifest aside (verify accepts nothing else)."""
    from .. import actions
    from ..model import parse_user_date

    check_format(fmt, ("terminal", "json"))
    when = parse_user_date(closes)
    ag, who = signer_session(fmt, agenda, as_member, key, passphrase)
    written = actions.round_reopen(ag, who, round_id, when, reason)
    Out(fmt).written(written, f"round {round_id} is open again until {when:%Y-%m-%d %H:%M} UTC "
                             f"({written.commit[:8]})")


@app.command("status")
@handle
def status(
    round_id: Annotated[Optional[str], typer.Argument(metavar="[ID]")] = None,
    agenda: AgendaOpt = None, fmt: FormatOpt = "terminal",
) -> None:
    """Time left, comments per principle, and which voting members have not responded."""
    from ..reports import round_status_at_head

    check_format(fmt, ("terminal", "json"))
    data = round_status_at_head(open_agenda(agenda), round_id)
    out = Out(fmt)
    if out.json:
        out.data(data)
        return
    left = data["seconds_left"]
    when = f"{left // 86400} d {left % 86400 // 3600} h left" if data["status"] == "open" else "closed"
    out.line(f"Round {data['round']}: {data['title']} — {data['status']}, closes "
             f"{data['closes_at']} ({when})")
    out.line(f"Comments: {data['comments']}   awaiting a response: {len(data['awaiting_response'])}")
    for pid, count in data["comments_per_principle"].items():
        out.line(f"  {pid}: {count}")
    out.line(f"Responded: {len(data['responded'])} of {data['voting_members']} voting members")
    if data["not_responded"]:
        out.line("Not yet responded: " + ", ".join(data["not_responded"]))


@app.command("list")
@handle
def list_(agenda: AgendaOpt = None, fmt: FormatOpt = "terminal") -> None:
    """List the rounds."""
    check_format(fmt, ("terminal", "json"))
    rounds = open_agenda(agenda).snapshot().rounds
    rows = [{"id": r.id, "title": r.title, "status": r.status, "opened_at": r.opened_at,
             "closes_at": r.closes_at, "draft": r.draft[:8], "principles": ",".join(r.principles)}
            for r in rounds.values()]
    Out(fmt).table(rows, ["id", "title", "status", "opened_at", "closes_at", "draft"],
                   empty="no rounds yet")
