"""coalition principle add/edit/show/list/retire/log."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from ._common import (
    AgendaOpt,
    AsOpt,
    AtOpt,
    FormatOpt,
    KeyOpt,
    Out,
    PassphraseOpt,
    check_format,
    handle,
    open_agenda,
    read_text,
    signer_session,
)

app = typer.Typer(no_args_is_help=True)
BodyOpt = Annotated[Optional[str], typer.Option("--body", help="The body (Markdown).", show_default=False)]
BodyFileOpt = Annotated[Optional[Path], typer.Option(
    "--body-file", help="Read the body from a file ('-' for stdin).", show_default=False)]
ThemeOpt = Annotated[Optional[list[str]], typer.Option(
    "--theme", help="A theme of the principle (repeat); community consent rules in "
    "coalition.yaml name themes, e.g. indigenous-data-governance.", show_default=False)]


@app.command("add")
@handle
def add(
    title: Annotated[str, typer.Argument(help="The principle's title.")],
    body: BodyOpt = None, body_file: BodyFileOpt = None, theme: ThemeOpt = None,
    as_member: AsOpt = None, key: KeyOpt = None, passphrase: PassphraseOpt = None,
    agenda: AgendaOpt = None, fmt: FormatOpt = "terminal",
) -> None:
    """Add a principle; prints its new id."""
    from .. import actions

    ag, who = signer_session(fmt, agenda, as_member, key, passphrase)
    text = read_text(body, body_file, what="body",
                     instructions=(f"The body of the new principle \"{title}\" (Markdown), above.",))
    written = actions.principle_add(ag, who, title, text or "", themes=theme or ())
    Out(fmt).written(written, written.id)


@app.command("edit")
@handle
def edit(
    principle_id: Annotated[str, typer.Argument(metavar="ID")],
    title: Annotated[Optional[str], typer.Option("--title")] = None,
    body: BodyOpt = None, body_file: BodyFileOpt = None, theme: ThemeOpt = None,
    no_themes: Annotated[bool, typer.Option("--no-themes", help="Remove every theme.")] = False,
    as_member: AsOpt = None, key: KeyOpt = None, passphrase: PassphraseOpt = None,
    agenda: AgendaOpt = None, fmt: FormatOpt = "terminal",
) -> None:
    """Change a principle's title, body or themes (one commit naming the principle and its
    author)."""
    from .. import actions

    ag, who = signer_session(fmt, agenda, as_member, key, passphrase)
    current = ag.snapshot().principle(principle_id)
    text = body
    themes = [] if no_themes else (theme or None)
    if body is None and (body_file is not None or (title is None and themes is None)):
        text = read_text(None, body_file, what="body", body=current.body,
                         instructions=(f"The body of {current.id} \"{current.title}\" "
                                       "(Markdown), above.",))
    written = actions.principle_edit(ag, who, principle_id, title=title, body=text,
                                     themes=themes)
    Out(fmt).written(written, f"{written.id} updated ({written.commit[:8]})")


@app.command("retire")
@handle
def retire(
    principle_id: Annotated[str, typer.Argument(metavar="ID")],
    as_member: AsOpt = None, key: KeyOpt = None, passphrase: PassphraseOpt = None,
    agenda: AgendaOpt = None, fmt: FormatOpt = "terminal",
) -> None:
    """Retire a principle (it keeps its id; ids are never reused)."""
    from .. import actions

    ag, who = signer_session(fmt, agenda, as_member, key, passphrase)
    written = actions.principle_edit(ag, who, principle_id, status="retired")
    Out(fmt).written(written, f"{written.id} retired ({written.commit[:8]})")


@app.command("show")
@handle
def show(
    principle_id: Annotated[str, typer.Argument(metavar="ID")],
    at: AtOpt = None, agenda: AgendaOpt = None, fmt: FormatOpt = "terminal",
) -> None:
    """Show a principle, now or at any revision (--at)."""
    check_format(fmt, ("terminal", "json"))
    ag = open_agenda(agenda)
    snap = ag.snapshot(at)
    principle = snap.principle(principle_id)
    signed = _verdicts(ag, snap.commit).get(principle.path, False)
    out = Out(fmt)
    if out.json:
        out.data({"id": principle.id, "title": principle.title, "status": principle.status,
                  "body": principle.body, "path": principle.path, "verified": signed})
        return
    out.line(f"{principle.id} {principle.title}" + (" [retired]" if not principle.active else ""))
    out.line("")
    out.line(principle.body)
    if not signed:
        out.note(f"note: this text of {principle.id} is not signed by a verified facilitator; "
                 "reports never use it (coalition verify)")


def _verdicts(ag, commit: str) -> dict[str, bool]:  # noqa: ANN001
    """path -> is that principle file signed by a verified facilitator."""
    from ..trust import trusted
    from ..trust.view import principle_verdicts

    return principle_verdicts(ag, commit, trusted(ag))


@app.command("list")
@handle
def list_(at: AtOpt = None, agenda: AgendaOpt = None, fmt: FormatOpt = "terminal") -> None:
    """List the principles."""
    check_format(fmt, ("terminal", "json"))
    ag = open_agenda(agenda)
    snap = ag.snapshot(at)
    principles = snap.principles
    signed = _verdicts(ag, snap.commit) if principles else {}
    rows = [{"id": p.id, "title": p.title, "status": p.status, "words": len(p.body.split()),
             "verified": "yes" if signed.get(p.path) else "no: not a facilitator's text"}
            for p in principles.values()]
    Out(fmt).table(rows, ["id", "title", "status", "words", "verified"],
                   empty="no principles yet")


@app.command("log")
@handle
def log(
    principle_id: Annotated[str, typer.Argument(metavar="ID")],
    agenda: AgendaOpt = None, fmt: FormatOpt = "terminal",
) -> None:
    """The history of one principle: every commit that changed it."""
    check_format(fmt, ("terminal", "json"))
    ag = open_agenda(agenda)
    principle = ag.snapshot().principle(principle_id)
    raw = ag.git.run("log", "--format=%H%x00%an%x00%aI%x00%s", "--", principle.path).decode()
    rows = []
    for line in raw.splitlines():
        sha, author, date, subject = line.split("\0", 3)
        rows.append({"commit": sha, "author": author, "date": date, "message": subject})
    out = Out(fmt)
    if out.json:
        out.data(rows)
        return
    for row in rows:
        out.line(f"{row['commit'][:8]}  {row['date'][:16]}  {row['author']}  {row['message']}")
