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
    signer_session,
)
from ._text import read_text

app = typer.Typer(no_args_is_help=True)
BodyOpt = Annotated[Optional[str], typer.Option("--body", help="The body (Markdown).", show_default=False)]
BodyFileOpt = Annotated[Optional[Path], typer.Option(
    "--body-file", help="Read the body from a file ('-' for stdin).", show_default=False)]
LangOpt = Annotated[Optional[str], typer.Option(
    "--lang", help="Which language version (a language of the agenda; default: the reference, "
                   "the first of coalition.yaml's languages).", show_default=False)]


def _other_language(ag, lang: Optional[str]) -> Optional[str]:  # noqa: ANN001
    """``lang`` if it names a language of the agenda other than the reference, None for the
    reference (or no --lang); a usage error for a code the agenda does not list."""
    if lang is None:
        return None
    from ..translations import check_agenda_language

    languages = tuple(ag.snapshot().config.languages)
    check_agenda_language(lang, languages)
    return None if lang == languages[0] else lang
ThemeOpt = Annotated[Optional[list[str]], typer.Option(
    "--theme", help="A theme of the principle (repeat); community consent rules in "
    "coalition.yaml name themes, e.g. indigenous-data-governance.", show_default=False)]


@app.command("add")
@handle
def add(
    title: Annotated[str, typer.Argument(help="The principle's title.")],
    body: BodyOpt = None, body_file: BodyFileOpt = None, theme: ThemeOpt = None,
    as_member: AsOpt = None, key: KeyOpt = None, passphrase: PassphraseOpt = None,
    agenda: AgendaOpt = None, fmt: FormatOpt = "terminal", lang: LangOpt = None,
) -> None:
    """Add a principle (in the agenda's reference language); prints its new id."""
    from .. import actions
    from ..errors import UsageError

    ag, who = signer_session(fmt, agenda, as_member, key, passphrase)
    if _other_language(ag, lang):
        raise UsageError(f"a principle is added in the agenda's reference language first, "
                         f"then given its {lang} text",
                         hint=f"coalition principle add TITLE, then: coalition principle edit "
                              f"ID --lang {lang} --title \"…\"")
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
    agenda: AgendaOpt = None, fmt: FormatOpt = "terminal", lang: LangOpt = None,
) -> None:
    """Change a principle's title, body or themes (one commit naming the principle and its
    author); with --lang, its text in another language of the agenda."""
    from .. import actions

    ag, who = signer_session(fmt, agenda, as_member, key, passphrase)
    other = _other_language(ag, lang)
    if other:
        _translate(ag, who, principle_id, other, title, body, body_file, fmt)
        return
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


def _translate(ag, who, principle_id, lang, title, body, body_file, fmt) -> None:  # noqa: ANN001
    from .. import actions
    from ..errors import InputError

    snap = ag.snapshot()
    current = snap.principle(principle_id)
    old = snap.translations.get((current.id, lang))
    if old is None and title is None:
        raise InputError(f"{current.id} has no {lang} text yet: give its --title",
                         hint=f"coalition principle edit {current.id} --lang {lang} "
                              "--title \"…\" --body-file FILE")
    text = body
    if body is None and (body_file is not None or title is None or old is None):
        text = read_text(None, body_file, what="body", body=old.body if old else "",
                         instructions=(f"The {lang} text of {current.id}, translating the "
                                       f"reference \"{current.title}\":", *[
                                           line for line in current.body.splitlines()]))
    written = actions.principle_translate(ag, who, current.id, lang, title=title, body=text)
    Out(fmt).written(written, f"{written.id} ({lang}) updated ({written.commit[:8]})")


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
    lang: LangOpt = None,
) -> None:
    """Show a principle, now or at any revision (--at), in any language of the agenda."""
    check_format(fmt, ("terminal", "json"))
    ag = open_agenda(agenda)
    snap = ag.snapshot(at)
    principle = snap.principle(principle_id)
    other = _other_language(ag, lang)
    if other:
        _show_translation(ag, snap, principle, other, fmt)
        return
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


def _show_translation(ag, snap, principle, lang: str, fmt: str) -> None:  # noqa: ANN001
    from ..translations import no_such, status_of

    t = snap.translations.get((principle.id, lang))
    if t is None:
        raise no_such(principle.id, lang)
    signed = _verdicts(ag, snap.commit).get(t.path, False)
    status = status_of(t, principle)
    out = Out(fmt)
    if out.json:
        out.data({"id": t.id, "lang": lang, "title": t.title, "body": t.body, "path": t.path,
                  "verified": signed, "status": status, "source": t.source,
                  "source_updated_at": t.source_updated_at})
        return
    out.line(f"{t.id} {t.title}  [{lang}]" + (" [retired]" if not principle.active else ""))
    out.line("")
    out.line(t.body)
    if status == "out of date":
        out.note(f"note: out of date: the reference text of {t.id} changed after this {lang} "
                 f"text was written (it translates the version of {t.source_updated_at}); "
                 f"see: coalition principle show {t.id}")
    if not signed:
        out.note(f"note: this text of {t.id} is not signed by a verified facilitator; "
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
    columns = ["id", "title", "status", "words", "verified"]
    languages = tuple(snap.config.languages)[1:]
    if languages and principles:
        from ..translations import status_of

        texts = snap.translations
        for row in rows:  # one column per other language: up to date, out of date, missing
            for lang in languages:
                t = texts.get((row["id"], lang))
                state = status_of(t, principles[row["id"]])
                if t is not None and not signed.get(t.path):
                    state += ", not verified"
                row[lang] = state
        columns += list(languages)
    Out(fmt).table(rows, columns, empty="no principles yet")


@app.command("log")
@handle
def log(
    principle_id: Annotated[str, typer.Argument(metavar="ID")],
    agenda: AgendaOpt = None, fmt: FormatOpt = "terminal", lang: LangOpt = None,
) -> None:
    """The history of one principle (of one language version with --lang)."""
    check_format(fmt, ("terminal", "json"))
    ag = open_agenda(agenda)
    principle = ag.snapshot().principle(principle_id)
    path = principle.path
    other = _other_language(ag, lang)
    if other:
        from ..translations import no_such, translation_path

        t = ag.snapshot().translations.get((principle.id, other))
        if t is None:
            raise no_such(principle.id, other)
        path = t.path if t else translation_path(principle.path, other)
    from ..store import literal

    raw = ag.git.run("log", "--format=%H%x00%an%x00%aI%x00%s", "--", literal(path)).decode()
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
