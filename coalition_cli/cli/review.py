"""coalition review export / import: the draft as a Word document, and a reviewed one back
as signed comments."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from ._common import (
    AgendaOpt,
    AsOpt,
    FormatOpt,
    KeyOpt,
    Out,
    OutputOpt,
    PassphraseOpt,
    check_format,
    handle,
    open_agenda,
    signer_session,
    write_report,
)

app = typer.Typer(no_args_is_help=True)


@app.command("export")
@handle
def export(
    round_id: Annotated[Optional[str], typer.Argument(
        metavar="[ROUND]", help="The round (default: the open one, else the latest).")] = None,
    output: OutputOpt = None, agenda: AgendaOpt = None,
) -> None:
    """The draft under consultation as a Word document to review with comments and Track
    Changes; its properties name the round and the draft."""
    from ..review import export_round

    _draft, data = export_round(open_agenda(agenda), round_id)
    write_report(data, output)


@app.command("import")
@handle
def import_(
    file: Annotated[Path, typer.Argument(metavar="FILE.docx", help="The reviewed document.")],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Sign and submit without asking.")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Only list what would be submitted.")] = False,
    round_id: Annotated[Optional[str], typer.Option(
        "--round", help="The round the file must belong to (default: the one it names).")] = None,
    attribution: Annotated[str, typer.Option(
        "--attribution", help="public, anonymous or confidential, for every comment.")] = "public",
    kind: Annotated[str, typer.Option("--kind", help="general, substantive or editorial.")] = "substantive",
    as_member: AsOpt = None, key: KeyOpt = None, passphrase: PassphraseOpt = None,
    agenda: AgendaOpt = None, fmt: FormatOpt = "terminal",
) -> None:
    """Turn a reviewed Word document's comments and tracked changes into signed comments
    (listed first; each keeps the file's SHA-256, so importing it again submits nothing twice)."""
    from ..errors import InputError, UsageError
    from ..review import default_stances, plan_import, submit
    from ..review.layout import TAGS

    check_format(fmt, ("terminal", "json"))
    ag, who = signer_session(fmt, agenda, as_member, key, passphrase)
    try:
        data = file.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read {file}: {exc.strerror}") from None
    plan = plan_import(ag, data, file.name, identity=who, round_id=round_id)
    stances, missing = default_stances(plan)
    out = Out(fmt)
    interactive = _terminal()
    if missing and not dry_run:
        if not interactive:
            listed = ", ".join(f"{it.label} on {it.principle}" for it in missing[:6])
            more = f" and {len(missing) - 6} more" if len(missing) > 6 else ""
            english = ", ".join(f"[{t}]" for t in dict.fromkeys(TAGS.values()))
            raise InputError(f"{len(missing)} comment(s) have no stance tag: {listed}{more}; "
                             "nothing was written",
                             hint=f"begin each comment with {english} (en français [appui], "
                                  "[amendement], [opposition], [blocage], [neutre]), or import "
                                  "on a terminal to choose")
    if interactive and not dry_run and not yes:
        _ask(plan, stances, ag)
    for warning in plan.warnings:
        out.note(f"warning: {warning}")
    listing = _listing(plan, stances, who)
    if dry_run or not plan.items:
        _show(out, listing, [])
        if not plan.items and not dry_run:
            out.note(f"nothing to submit from {file.name}" + (
                f": its {len(plan.already)} comment(s) were already imported"
                if plan.already else ""))
        return
    if not out.json:
        _show(out, listing, None)
    if not yes:
        if not interactive:
            raise UsageError(f"{len(plan.items)} comment(s) are ready to sign; nothing was written",
                             hint="pass --yes to sign and submit them, or --dry-run to list them")
        if not typer.confirm(f"Sign and submit {len(plan.items)} comment(s) as "
                             f"{who.member.id}?", default=False, err=True):
            out.note("nothing was written")
            raise typer.Exit(1)
    written = submit(ag, who, plan, stances, attribution=attribution, kind=kind)
    if out.json:
        _show(out, listing, written)
        return
    for w, item in zip(written, plan.items):
        out.line(f"{w.id}  {item.label} on {item.principle}")
    out.note(f"signed and committed {len(written)} comment(s) from {file.name}; share them "
             "with: coalition sync")


def _terminal() -> bool:
    import sys

    return bool(sys.stdin and sys.stdin.isatty() and sys.stderr and sys.stderr.isatty())


def _ask(plan: Any, stances: dict[str, str], agenda: Any) -> None:
    """On a terminal: the stance of each comment without a tag (a tracked change offers
    amend)."""
    from ..actions import verified

    allowed = verified(agenda).config.stances
    for item in plan.items:
        if item.tag:
            continue
        default = "amend" if item.changed else None
        quote = f" on \"{_short(item.quote)}\"" if item.quote else ""
        while True:
            answer = typer.prompt(
                f"Stance of {item.label} on {item.principle}{quote} ({', '.join(allowed)})",
                default=default, err=True, show_default=bool(default)).strip().lower()
            if answer in allowed:
                stances[item.key] = answer
                break
            typer.echo(f"  one of: {', '.join(allowed)}", err=True)


def _short(text: str | None, width: int = 70) -> str:
    one = " ".join((text or "").split())
    return one if len(one) <= width else one[: width - 1] + "…"


def _listing(plan: Any, stances: dict[str, str], who: Any) -> dict[str, Any]:
    return {
        "file": plan.name, "sha256": plan.sha256, "round": plan.round_id,
        "member": who.member.id,
        "comments": [{"item": it.key, "label": it.label, "principle": it.principle,
                      "stance": stances.get(it.key), "quote": it.quote,
                      "proposed_text": it.proposal, "text": it.text, "replies": it.replies}
                     for it in plan.items],
        "skipped": [{"label": s.label, "reason": s.reason} for s in plan.skipped],
        "already": [{"item": it.key, "label": it.label, "id": rid} for it, rid in plan.already],
    }


def _show(out: Out, listing: dict[str, Any], written: list[Any] | None) -> None:
    if out.json:
        if written is not None:
            listing["submitted"] = [{"id": w.id, "path": w.path, "commit": w.commit}
                                    for w in written]
        out.data(listing)
        return
    n = len(listing["comments"])
    out.line(f"{listing['file']}: {n} comment(s) for round {listing['round']}, to be signed "
             f"as {listing['member']}")
    for k, c in enumerate(listing["comments"], 1):
        stance = c["stance"] or "? (no tag)"
        out.line(f"{k:>3}. {c['principle']}  {stance:<8}  {c['label']}"
                 + (f", {c['replies']} repl{'y' if c['replies'] == 1 else 'ies'}" if c["replies"] else ""))
        if c["quote"]:
            out.line(f"       quote:    \"{_short(c['quote'])}\"")
        else:
            out.line("       quote:    (the principle as a whole)")
        if c["proposed_text"] is not None:
            out.line(f"       proposed: \"{_short(c['proposed_text'])}\"")
        if c["text"]:
            out.line(f"       text:     {_short(c['text'])}")
    for s in listing["skipped"]:
        out.line(f"skipped: {s['label']} {s['reason']}")
    for a in listing["already"]:
        out.line(f"already imported: {a['label']} (comment {a['id'][:8]})")
