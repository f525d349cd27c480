"""init, key generate, sync and demo."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from ._common import AgendaOpt, FormatOpt, Out, PassphraseOpt, check_format, handle, open_agenda

key_app = typer.Typer(no_args_is_help=True)


def _load_or_generate(key: Path | None, facilitator: str, passphrase: Path | None) -> tuple[object, Path, bool]:
    from ..identity import key_path, load_private_key
    from ..signing import generate_key
    from ._common import passphrase_source

    if key is not None:
        return load_private_key(key, passphrase_source(passphrase)), key, False
    default = key_path(None, None)
    if default.is_file():
        return load_private_key(default, passphrase_source(passphrase)), default, False
    target = default.parent / f"coalition_{facilitator}_ed25519"
    target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    secret = passphrase.read_bytes().rstrip(b"\r\n") if passphrase else None
    return generate_key(target, secret, comment=facilitator), target, True


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
            "--key", help="Your private key (default ~/.ssh/id_ed25519, generated if missing).")] = None,
        passphrase: PassphraseOpt = None,
        fmt: FormatOpt = "terminal",
        languages: Annotated[Optional[str], typer.Option(
            "--languages", help="The agenda's languages, the reference first (e.g. en,fr).")] = None,
    ) -> None:
        """Create a git repository (if needed) and a new agenda with its first facilitator."""
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
        fp = private.public.fingerprint  # type: ignore[attr-defined]
        out = Out(fmt)
        if out.json:
            out.data({"agenda": str(agenda.path), "commit": commit, "facilitator": facilitator,
                      "fingerprint": fp, "key": str(where), "generated": made})
            return
        out.line(f"Created the agenda at {agenda.path} ({commit[:8]}).")
        if made:
            out.line(f"Generated your key at {where} (public key {where}.pub).")
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

        check_format(fmt, ("terminal", "json"))
        result = do_sync(open_agenda(agenda), remote, accept_rewrite=accept_rewrite)
        out = Out(fmt)
        if out.json:
            out.data(result)
        else:
            out.line(f"synced with {remote}: {result['pulled']} commit(s) in, "
                     f"{result['pushed']} out, head {result['head'][:8]}")

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
    """Make a new Ed25519 OpenSSH key pair (private key mode 0600)."""
    from ..signing import generate_key

    check_format(fmt, ("terminal", "json"))
    secret = None
    if passphrase is not None:
        from ._common import passphrase_source

        secret = passphrase_source(passphrase)(out_path)
    key = generate_key(out_path, secret, comment=comment)
    out = Out(fmt)
    if out.json:
        out.data({"private": str(out_path), "public": f"{out_path}.pub",
                  "fingerprint": key.public.fingerprint})
    else:
        out.line(f"wrote {out_path} and {out_path}.pub")
        out.line(f"fingerprint {key.public.fingerprint}")
