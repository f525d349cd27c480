"""coalition comment add/list/show/withdraw/endorse/ack, and coalition respond."""

from __future__ import annotations

from pathlib import Path
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
RoundOpt = Annotated[Optional[str], typer.Option("--round", help="The round (default: the open one).")]


@app.command("add")
@handle
def add(
    principle: Annotated[str, typer.Option("--principle", "-p", help="The principle, e.g. P03.")],
    stance: Annotated[str, typer.Option("--stance", "-s", help="support, amend, neutral, oppose or block.")],
    quote: Annotated[Optional[str], typer.Option("--quote", help="A passage of the draft you comment on.")] = None,
    occurrence: Annotated[Optional[int], typer.Option(
        "--occurrence", help="Which occurrence of an ambiguous quote (1-based).")] = None,
    text: Annotated[Optional[str], typer.Option("--text", "-t", help="Your comment.")] = None,
    text_file: Annotated[Optional[Path], typer.Option("--text-file", help="Read the comment from a file.")] = None,
    propose: Annotated[Optional[str], typer.Option(
        "--propose", help="Proposed text replacing the quote (or the whole principle).")] = None,
    kind: Annotated[str, typer.Option("--kind", help="general, substantive or editorial.")] = "substantive",
    theme: Annotated[Optional[list[str]], typer.Option("--theme", help="A theme tag (repeat).")] = None,
    attribution: Annotated[str, typer.Option(
        "--attribution", help="public, anonymous or confidential.")] = "public",
    supersedes: Annotated[Optional[str], typer.Option(
        "--supersedes", help="Id of your earlier comment this one replaces.")] = None,
    round_id: RoundOpt = None,
    share_with: Annotated[Optional[list[str]], typer.Option(
        "--share-with", help="Confidential: the members who may read it (comma-separated or "
        "repeated; facilitators or others), instead of every facilitator.")] = None,
    name_holders: Annotated[bool, typer.Option(
        "--name-holders", help="Confidential with --share-with: reports may name who holds "
        "it (otherwise they only count them).")] = False,
    local_contexts: Annotated[Optional[Path], typer.Option(
        "--local-contexts", help="Members of the indigenous-led sector: your community's TK/BC "
        "Labels from a saved Local Contexts Hub project JSON.")] = None,
    as_member: AsOpt = None, key: KeyOpt = None, passphrase: PassphraseOpt = None,
    agenda: AgendaOpt = None, fmt: FormatOpt = "terminal",
    lang: Annotated[Optional[str], typer.Option(
        "--lang", help="The language you write in, a language of the agenda (default: "
                       "COALITION_LANG, git config coalition.lang, else your locale's); a "
                       "--quote is found in that language's text.")] = None,
) -> None:
    """Submit a signed comment on the draft under consultation; prints its id."""
    from . import _add  # the one body (also run by the direct path, ``_direct``)

    _add.add(principle=principle, stance=stance, quote=quote, occurrence=occurrence, text=text,
             text_file=text_file, propose=propose, kind=kind, theme=theme,
             attribution=attribution, supersedes=supersedes, round_id=round_id,
             share_with=share_with, name_holders=name_holders, local_contexts=local_contexts,
             as_member=as_member, key=key, passphrase=passphrase, agenda=agenda, fmt=fmt,
             lang=lang)


def _rows(ag, round_id, principle, member, stance, awaiting):  # noqa: ANN001, ANN202
    from ..reports import comment_rows_at_head

    if principle:  # the same spellings comment add accepts (p2, 2 -> P02)
        from ..ids import check_principle

        principle = check_principle(principle)
    return [row for row in comment_rows_at_head(ag)
            if not (round_id and row["round"] != round_id
                    or principle and row["principle"] != principle
                    or member and row["member"] != member
                    or stance and row["stance"] != stance
                    or awaiting and row["response"] != "awaiting")]


@app.command("list")
@handle
def list_(
    round_id: RoundOpt = None,
    principle: Annotated[Optional[str], typer.Option("--principle", "-p")] = None,
    member: Annotated[Optional[str], typer.Option("--member")] = None,
    stance: Annotated[Optional[str], typer.Option("--stance")] = None,
    awaiting: Annotated[bool, typer.Option("--awaiting", help="Only comments awaiting a response.")] = False,
    mine: Annotated[bool, typer.Option(
        "--mine", help="What needs me: my comments, their answers, what awaits my "
                       "acknowledgement (facilitators: what awaits an answer, who has not "
                       "responded).")] = False,
    as_member: AsOpt = None, key: KeyOpt = None, passphrase: PassphraseOpt = None,
    agenda: AgendaOpt = None, fmt: FormatOpt = "terminal",
) -> None:
    """List verified comments, with their state and whether they await a response."""
    check_format(fmt, ("terminal", "json"))
    if mine:
        _mine(open_agenda(agenda), as_member, key, passphrase, Out(fmt))
        return
    rows = _rows(open_agenda(agenda), round_id, principle, member, stance, awaiting)
    Out(fmt).table(rows, ["short", "principle", "member", "stance", "state", "response", "text"],
                   empty="no comments")


def _mine(ag, as_member, key, passphrase, out: Out) -> None:  # noqa: ANN001
    from ..inbox import what_needs_me, whoami
    from ..verify import verify
    from ._common import passphrase_source

    me = whoami(ag, ag.snapshot(), member=as_member, key=str(key) if key else None,
                passphrase=passphrase_source(passphrase))
    view = what_needs_me(verify(ag), me)
    if out.json:
        out.data(view)
        return
    out.table(view["mine"], ["short", "round", "principle", "stance", "state", "response",
                             "acknowledged", "todo"],
              title=f"comments of {view['member']}", empty=f"{view['member']} has no comments")
    todo = [row["short"] for row in view["mine"] if row["todo"]]
    if todo:
        out.note(f"{len(todo)} answered comment(s) await your acknowledgement: coalition "
                 f"comment ack {todo[0]} satisfied|maintains-objection")
    if view["facilitator"]:
        out.line("")
        out.table(view["awaiting"], ["short", "round", "principle", "member", "stance"],
                  title=f"awaiting an answer ({len(view['awaiting'])})",
                  empty="no comment awaits an answer")
        if view["round"]:
            waiting = ", ".join(view["not_responded"]) or "none"
            out.line(f"voting members with no stance in round {view['round']}: {waiting}")


@app.command("show")
@handle
def show(
    comment_id: Annotated[str, typer.Argument(metavar="ID")],
    decrypt: Annotated[bool, typer.Option(
        "--decrypt", help="Facilitators: open a confidential comment with your key.")] = False,
    as_member: AsOpt = None, key: KeyOpt = None, passphrase: PassphraseOpt = None,
    agenda: AgendaOpt = None, fmt: FormatOpt = "terminal",
) -> None:
    """Show one record in full, with its response (verified data only: a record or
    response that does not verify is marked so)."""
    from .. import actions, records
    from ..verify import verify

    check_format(fmt, ("terminal", "json"))
    ag = open_agenda(agenda)
    snap = ag.snapshot()
    rec, path = actions.find_record(ag, snap, comment_id)
    checked = verify(ag, snap.commit)
    withdrawal = checked.consent_withdrawn.get(rec.round, {}).get(rec.id)
    who = identity(ag, member=as_member, key=key, passphrase=passphrase) if decrypt else None
    if withdrawal is not None and (who is None or who.member.id != rec.member):
        # its author withdrew consent to use it: its words are shown to its author only
        from ..governance.withdrawals import redact

        rec = redact([(path, rec), (withdrawal.id, withdrawal)])[0][0][1]
        if decrypt:
            from ..errors import NotPermitted

            raise NotPermitted(f"the author of {rec.id[:8]} withdrew consent to use it",
                               hint="only its author may still open it")
    data = {k: v for k, v in rec.fields().items() if v is not None}
    data["path"] = path
    problems = [p["problem"] for p in checked.problems if p["path"] == path]
    data["verified"] = "yes" if path in checked.accepted else f"no ({', '.join(problems) or 'not checked'})"
    if rec.encrypted and decrypt:
        from ..confidential import SEALED_FIELDS, open_comment

        from ..governance.recipients import may_open

        if not may_open(rec, who.member.id, checked):
            actions.require_role(who, "facilitator", "read confidential comments")
        payload, grant = open_comment(actions.verified(ag), rec, who.key)
        # only the sealed fields, never anything else a payload might claim
        data.update({k: payload[k] for k in SEALED_FIELDS if payload.get(k)})
        data.pop("encrypted", None)
        if grant is not None:
            data["access"] = f"re-encrypted by {grant.granted_by} on {grant.granted_at}"
    elif rec.encrypted:
        data["encrypted"] = ("[confidential: its member and the facilitators read it with "
                             "--decrypt]" if rec.shared_with is None else
                             "[confidential: its member and the holders it chose read it "
                             "with --decrypt]")
    if withdrawal is not None:
        data["consent"] = f"withdrawn by its author on {withdrawal.submitted_at}"
    response_path = ag.p(f"rounds/{rec.round}/responses/{rec.id}.yaml")
    raw = snap.read(f"rounds/{rec.round}/responses/{rec.id}.yaml")
    if raw is not None and response_path in checked.accepted:
        data["response"] = records.parse_record(raw, "response")
    elif raw is not None:
        data["response"] = "[a response that does not verify: coalition verify]"
    out = Out(fmt)
    if out.json:
        out.data(data)
        return
    for line in _readable(data):
        out.line(line)


def _readable(data: dict) -> list[str]:  # noqa: C901 - one small case per kind of field
    """``comment show`` for a person: one ``key: value`` per field; the anchor as its quote,
    its context and its place; the response as its fields; lists joined; long text
    indented under its key."""
    lines: list[str] = []

    def field(key: str, value: object, indent: str = "") -> None:
        if isinstance(value, (list, tuple)):
            value = ", ".join(str(v) for v in value) or "none"
        text = str(value)
        if "\n" in text:
            lines.append(f"{indent}{key}:")
            lines.extend(f"{indent}  {part}" for part in text.split("\n"))
        else:
            lines.append(f"{indent}{key}: {text}")

    for key, value in data.items():
        if key == "anchor" and isinstance(value, dict):
            lines.append("anchor:")
            field("quote", " ".join(str(value.get("quote", "")).split()), "  ")
            before = " ".join(str(value.get("prefix", "")).split())
            after = " ".join(str(value.get("suffix", "")).split())
            quote = " ".join(str(value.get("quote", "")).split())
            field("context", f"…{before} [{quote}] {after}…", "  ")
            if "start" in value and "end" in value:
                field("place", f"characters {value['start']}–{value['end']} of the principle "
                               "at the round's draft", "  ")
        elif key == "response" and isinstance(value, dict):
            lines.append("response:")
            for sub in ("disposition", "rationale", "responder", "responded_at", "commit"):
                if value.get(sub) not in (None, ""):
                    field(sub, value[sub], "  ")
        elif isinstance(value, dict):
            lines.append(f"{key}:")
            for sub, item in value.items():
                field(str(sub), item, "  ")
        else:
            field(key, value)
    return lines


@app.command("reencrypt")
@handle
def reencrypt(
    comment_id: Annotated[str, typer.Argument(metavar="ID")],
    as_member: AsOpt = None, key: KeyOpt = None, passphrase: PassphraseOpt = None,
    agenda: AgendaOpt = None, fmt: FormatOpt = "terminal",
) -> None:
    """Facilitators: re-encrypt a confidential comment to today's facilitators (signed access record)."""
    from .. import actions

    ag, who = signer_session(fmt, agenda, as_member, key, passphrase)
    written = actions.comment_reencrypt(ag, who, comment_id)
    Out(fmt).written(written, f"re-encrypted {written.id[:8]} for the current facilitators "
                             f"({written.commit[:8]})")


@app.command("withdraw")
@handle
def withdraw(
    comment_id: Annotated[str, typer.Argument(metavar="ID")],
    as_member: AsOpt = None, key: KeyOpt = None, passphrase: PassphraseOpt = None,
    agenda: AgendaOpt = None, fmt: FormatOpt = "terminal",
) -> None:
    """Withdraw one of your comments (a signed withdrawal record)."""
    from .. import actions

    ag, who = signer_session(fmt, agenda, as_member, key, passphrase)
    Out(fmt).written(actions.comment_withdraw(ag, who, comment_id))


@app.command("withdraw-consent")
@handle
def withdraw_consent(
    comment_id: Annotated[str, typer.Argument(metavar="ID")],
    reason: Annotated[Optional[str], typer.Option("--reason", help="Why (optional; signed, "
                                                  "shown to the coalition's members).")] = None,
    as_member: AsOpt = None, key: KeyOpt = None, passphrase: PassphraseOpt = None,
    agenda: AgendaOpt = None, fmt: FormatOpt = "terminal",
) -> None:
    """Withdraw consent to use one of your comments (also after the round closed): reports
    stop showing its words at once; its stance still counts. Git history keeps its bytes."""
    from .. import actions

    ag, who = signer_session(fmt, agenda, as_member, key, passphrase)
    Out(fmt).written(actions.comment_withdraw_consent(ag, who, comment_id, reason))


@app.command("endorse")
@handle
def endorse(
    comment_id: Annotated[str, typer.Argument(metavar="ID")],
    text: Annotated[Optional[str], typer.Option("--text", "-t")] = None,
    as_member: AsOpt = None, key: KeyOpt = None, passphrase: PassphraseOpt = None,
    agenda: AgendaOpt = None, fmt: FormatOpt = "terminal",
) -> None:
    """Co-sign another member's comment instead of writing a duplicate."""
    from .. import actions

    ag, who = signer_session(fmt, agenda, as_member, key, passphrase)
    Out(fmt).written(actions.comment_endorse(ag, who, comment_id, text))


@app.command("ack")
@handle
def ack(
    comment_id: Annotated[str, typer.Argument(metavar="ID")],
    answer: Annotated[str, typer.Argument(help="satisfied or maintains-objection")],
    text: Annotated[Optional[str], typer.Option("--text", "-t")] = None,
    as_member: AsOpt = None, key: KeyOpt = None, passphrase: PassphraseOpt = None,
    agenda: AgendaOpt = None, fmt: FormatOpt = "terminal",
) -> None:
    """Answer the disposition of your comment: satisfied or maintains-objection."""
    from .. import actions

    ag, who = signer_session(fmt, agenda, as_member, key, passphrase)
    Out(fmt).written(actions.comment_ack(ag, who, comment_id, answer, text))


@app.command("discard")
@handle
def discard(
    comment_id: Annotated[str, typer.Argument(metavar="ID")],
    agenda: AgendaOpt = None, fmt: FormatOpt = "terminal",
) -> None:
    """Take back a record that has not left this clone (one sync refused to push, say):
    the local commits are rewritten without it. A record already on the remote is refused."""
    from ..outbox import discard as do_discard

    check_format(fmt, ("terminal", "json"))
    done = do_discard(open_agenda(agenda), comment_id)
    out = Out(fmt)
    if out.json:
        out.data({"id": done.id, "path": done.path, "head": done.head, "dropped": done.dropped})
    else:
        out.line(f"discarded {done.id}: it was never pushed; head {done.head[:8]}")


def register(root: typer.Typer) -> None:
    @root.command("respond")
    @handle
    def respond(
        comment_id: Annotated[str, typer.Argument(metavar="COMMENT")],
        disposition: Annotated[str, typer.Option(
            "--disposition", "-d",
            help="accepted, accepted-in-part, not-accepted, noted, duplicate or out-of-scope.")],
        rationale: Annotated[str, typer.Option("--rationale", "-r", help="Why.")],
        commit: Annotated[Optional[str], typer.Option(
            "--commit", help="The commit that implemented it.")] = None,
        force: Annotated[bool, typer.Option(
            "--force", help="Answer a withdrawn or late comment all the same.")] = False,
        as_member: AsOpt = None, key: KeyOpt = None, passphrase: PassphraseOpt = None,
        agenda: AgendaOpt = None, fmt: FormatOpt = "terminal",
    ) -> None:
        """Answer a comment with a signed disposition (facilitators)."""
        from .. import actions

        ag, who = signer_session(fmt, agenda, as_member, key, passphrase)
        written = actions.respond(ag, who, comment_id, disposition=disposition,
                                  rationale=rationale, commit=commit, force=force)
        Out(fmt).written(written, f"{disposition}: {written.id[:8]} ({written.commit[:8]})")
