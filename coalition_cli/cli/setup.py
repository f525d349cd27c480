"""init, key generate, sync and demo."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from ._common import AgendaOpt, FormatOpt, Out, PassphraseOpt, check_format, handle, open_agenda

key_app = typer.Typer(no_args_is_help=True)


def _load_or_generate(key: Path | None, facilitator: str, passphrase: Path | None) -> tuple[object, Path, bool]:
    """The founder's signer, its key file, and whether it was made now (``--key``, else the
    default key, else a new key ~/.ssh/coalition_ID_ed25519, its passphrase asked on a
    terminal)."""
    from ..identity import key_path, load_signer
    from ..signing import generate_key
    from ._common import passphrase_source
    from ._passphrase import ask_new_passphrase

    if key is not None:
        return load_signer(key, passphrase_source(passphrase)), key, False
    default = key_path(None, None)
    if default.is_file() or Path(f"{default}.pub").is_file():
        return load_signer(default, passphrase_source(passphrase)), default, False
    target = default.parent / f"coalition_{facilitator}_ed25519"
    if passphrase is not None:
        secret = passphrase_source(passphrase)(target)
    else:
        secret = ask_new_passphrase(target)
    return generate_key(target, secret, comment=facilitator), target, True


def _refused_push(exc: object) -> None:
    from ._common import safe_line

    typer.echo(f"error: {safe_line(exc.message)}", err=True)  # type: ignore[attr-defined]
    for item in exc.rejected:  # type: ignore[attr-defined]
        typer.echo(f"  {safe_line(item.line())}", err=True)
    typer.echo(f"hint: {safe_line(exc.hint)}", err=True)  # type: ignore[attr-defined]
    raise typer.Exit(exc.exit_code)  # type: ignore[attr-defined]


def _joined(out: Out, j: Any) -> None:
    """What ``join`` made (a ``join.Joined``), and what to do next."""
    import os

    for note in j.notes:
        out.note(f"note: {note}")
    if out.json:
        out.data({"path": str(j.path), "branch": j.branch, "pinned": j.founders,
                  "key": str(j.key) if j.key else None, "member": j.member,
                  "registered": j.registered, "open_round": j.open_round, "checked": j.checked})
        return
    rel = os.path.relpath(j.path)
    where = str(j.path) if rel.startswith("..") else rel
    out.line(f"Joined: {where} (branch {j.branch}), {j.checked} signed files verified against "
             f"the founder {j.founders[0]}, now pinned for this clone.")
    if j.member:
        state = "registered" if j.registered else "NOT registered yet"
        out.line(f"You sign as {j.member} with {j.key} ({state}).")
    r = j.open_round
    if r:
        out.line(f"Round {r['id']} is open until {r['closes_at']}: {r['title']} "
                 f"({', '.join(r['principles'])}).")
        out.line("Next:")
        out.line(f"  cd {where}")
        out.line("  coalition principle list                 # the draft")
        out.line("  coalition comment add --principle P01 --stance support --text '...'")
        out.line("  coalition sync                           # share your comments")
    else:
        out.line("No consultation round is open yet; when the facilitators open one, run in "
                 f"{where}: coalition sync")


def register(app: typer.Typer) -> None:
    @app.command("init")
    @handle
    def init(
        path: Annotated[Path, typer.Argument(help="Folder of the new agenda's repository.")] = Path("."),
        name: Annotated[str, typer.Option("--name", help="The coalition's name.")] = "",
        facilitator: Annotated[str, typer.Option("--facilitator", help="Id of the first facilitator.")] = "",
        facilitator_name: Annotated[Optional[str], typer.Option(
            "--facilitator-name", help="Organisation name of the first facilitator.")] = None,
        person: Annotated[Optional[str], typer.Option("--person", help="Your name.")] = None,
        sector: Annotated[str, typer.Option("--sector")] = "network",
        key: Annotated[Optional[Path], typer.Option(
            "--key", help="Your key: a private key file, or a public key (.pub) whose private half "
                          "ssh-agent holds. Default ~/.ssh/id_ed25519; if there is none, a new key "
                          "~/.ssh/coalition_ID_ed25519 is made. Recorded in this repository's git "
                          "config (coalition.key) for the commands that follow.")] = None,
        passphrase: PassphraseOpt = None,
        fmt: FormatOpt = "terminal",
        languages: Annotated[Optional[str], typer.Option(
            "--languages", help="The agenda's languages, the reference first (e.g. en,fr).")] = None,
    ) -> None:
        """Create a git repository (if needed) and a new agenda with its first facilitator.

        The key that signed it is recorded in the repository's git config (coalition.key),
        so the commands that follow in this clone sign with it."""
        from .. import actions
        from ..errors import UsageError

        check_format(fmt, ("terminal", "json"))
        if not name or not facilitator:
            raise UsageError("init needs --name and --facilitator",
                             hint="coalition init PATH --name 'Our coalition' --facilitator our-id")
        from ..agenda import CONFIG
        from ..errors import InputError
        from ..ids import check_slug

        check_slug(facilitator, "member")
        base = None
        if languages is not None:
            from ..actions.setup import check_languages

            base = {"languages": check_languages(languages.split(","))}
        if (path / "agenda" / CONFIG).exists():
            raise InputError(f"{path / 'agenda'} already holds an agenda")
        private, where, made = _load_or_generate(key, facilitator, passphrase)
        agenda, commit = actions.init(path, name=name, facilitator=facilitator,
                                      facilitator_name=facilitator_name, key=private,
                                      sector=sector, person=person, base_config=base)
        from ..identity import remember_key

        remember_key(agenda.git, where)
        fp = private.public.fingerprint  # type: ignore[attr-defined]
        out = Out(fmt)
        if out.json:
            out.data({"agenda": str(agenda.path), "commit": commit, "facilitator": facilitator,
                      "fingerprint": fp, "key": str(where), "generated": made,
                      "recorded_as": "coalition.key"})
            return
        out.line(f"Created the agenda at {agenda.path} ({commit[:8]}).")
        if made:
            out.line(f"Generated your key at {where} (public key {where}.pub).")
        out.line(f"Commands in this repository sign with {where} (git config coalition.key).")
        out.line(f"Founding facilitator {facilitator}, key {fp}")
        out.line("It is pinned as the root of trust of this clone. Share it with members out of "
                 "band; each pins it in their clone with:")
        out.line(f"  coalition trust {fp}")
        out.line(f"(or checks one run with: coalition verify --trust {fp})")

    @app.command("sync")
    @handle
    def sync(
        remote: Annotated[str, typer.Option("--remote", help="The git remote.")] = "origin",
        accept_rewrite: Annotated[bool, typer.Option(
            "--accept-rewrite", help="Go on although the remote branch was rewritten (force-pushed).")] = False,
        agenda: AgendaOpt = None,
        fmt: FormatOpt = "terminal",
    ) -> None:
        """Pull (rebase) and push through the git remote, retrying when others pushed first."""
        from ..sync import sync as do_sync

        from ..outbox import OutgoingRejected

        check_format(fmt, ("terminal", "json"))
        from .gitprogress import remote_progress

        progress = remote_progress("sync")
        try:
            result = do_sync(open_agenda(agenda), remote, accept_rewrite=accept_rewrite,
                             progress=progress)
        except OutgoingRejected as exc:  # one line per record, between the error and the hint
            _refused_push(exc)
        finally:
            if progress is not None:
                progress.finish()
        out = Out(fmt)
        if out.json:
            out.data(result)
        else:
            out.line(f"synced with {remote}: {result['pulled']} commit(s) in, "
                     f"{result['pushed']} out, head {result['head'][:8]}")

    @app.command("join")
    @handle
    def join(
        url: Annotated[str, typer.Argument(metavar="URL", help="The shared remote's address.")],
        folder: Annotated[Optional[Path], typer.Argument(
            metavar="[DIR]", help="Folder of the clone (default: as git clone names it).")] = None,
        trust: Annotated[str, typer.Option(
            "--trust", metavar="SHA256:…", show_default=False, help="A founder's key fingerprint (SHA256:…), from the facilitators, "
                            "out of band.")] = "",
        key: Annotated[Optional[Path], typer.Option(
            "--key", help="Your private key (default ~/.ssh/id_ed25519); recorded in the clone.",
            show_default=False)] = None,
        as_member: Annotated[Optional[str], typer.Option(
            "--as", metavar="MEMBER", show_default=False,
            help="Your member id (default: the member your key is registered to).")] = None,
        fmt: FormatOpt = "terminal",
    ) -> None:
        """Join a coalition: clone its agenda, verify it against a founder's fingerprint, pin
        that trust, and record your key and member id in the clone."""
        from ..errors import UsageError
        from ..join import join as do_join
        from .gitprogress import remote_progress

        check_format(fmt, ("terminal", "json"))
        if not trust:
            raise UsageError("join needs --trust SHA256:… (a founder's key fingerprint)",
                             hint="the facilitators send it to you out of band; "
                                  "coalition join URL [DIR] --trust SHA256:…")
        progress = remote_progress("cloning")
        try:
            joined = do_join(url, folder, trust, key=key, member=as_member, progress=progress)
        finally:
            if progress is not None:
                progress.finish()
        _joined(Out(fmt), joined)

    @app.command("demo")
    @handle
    def demo(
        folder: Annotated[Optional[Path], typer.Argument(
            help="Where to build the demo (default: a new folder coalition-demo-*).")] = None,
    ) -> None:
        """Build a whole sample consultation from the bundled agenda, with every report."""
        from ..demo import run_demo

        run_demo(folder, echo=lambda text: typer.echo(text))


@key_app.command("generate")
@handle
def key_generate(
    out_path: Annotated[Path, typer.Option("--out", help="Private key file to write (PATH and PATH.pub).")],
    passphrase: PassphraseOpt = None,
    comment: Annotated[str, typer.Option("--comment", help="Comment of the public key.")] = "",
    fmt: FormatOpt = "terminal",
) -> None:
    """Make a new Ed25519 OpenSSH key pair (private key mode 0600, new folders 0700).

    On a terminal, offers to protect it with a passphrase (typed twice; empty for none)."""
    from ..signing import generate_key

    check_format(fmt, ("terminal", "json"))
    if passphrase is not None:
        from ._common import passphrase_source

        secret = passphrase_source(passphrase)(out_path)
    else:
        from ._passphrase import ask_new_passphrase

        secret = ask_new_passphrase(out_path)
    key = generate_key(out_path, secret, comment=comment)
    out = Out(fmt)
    if out.json:
        out.data({"private": str(out_path), "public": f"{out_path}.pub",
                  "fingerprint": key.public.fingerprint})
    else:
        out.line(f"wrote {out_path} and {out_path}.pub")
        out.line(f"fingerprint {key.public.fingerprint}")
