"""Terminal rendering of a tracked-change report.

The redline reads without colour, like ``git diff --word-diff=plain``:
deletions ``[-text-]``, insertions ``{+text+}``, moves ``[moved from here: …]``
and ``[moved here: …]``. With colour, deletions are also red and struck
through, insertions green and underlined, moves magenta.
"""

from __future__ import annotations

from ._common import (
    DELETE,
    EQUAL,
    INSERT,
    MOVE_FROM,
    MOVE_TO,
    NONE_MARK,
    display_paragraphs,
    member_name,
    move_numbers,
    one_line,
    principle_heading,
    short_sha,
    version_label,
    disposition_word,
    fate_help,
    fate_label,
    quoted,
    stance_label,
    status_label,
)
from ..i18n import _
from ._languages import version_note

STYLES = {
    EQUAL: "",
    DELETE: "red strike",
    INSERT: "green underline",
    MOVE_FROM: "magenta strike",
    MOVE_TO: "magenta underline",
}
STATUS_STYLE = {"added": "green", "removed": "red", "modified": "yellow", "unchanged": "dim"}
FATE_STYLE = {"anchored": "green", "modified": "yellow", "relocated": "yellow",
              "orphaned": "red", "unanchored": "dim"}


def redline_text(ops: list[dict]):
    """The redline of one principle as a list of rich Texts, one per paragraph."""
    from rich.text import Text

    numbers = move_numbers(ops)
    out = []
    for para in display_paragraphs(ops):
        t = Text()
        for seg in para.segments:
            style = STYLES[seg.kind]
            if seg.kind == EQUAL:
                t.append(seg.text)
            elif seg.kind == DELETE:
                t.append("[-" + seg.text + "-]", style=style)
            elif seg.kind == INSERT:
                t.append("{+" + seg.text + "+}", style=style)
            else:
                n = numbers.get(seg.pair, "")
                n = f" ({n})" if n else ""
                lead, trail = seg.text[: len(seg.text) - len(seg.text.lstrip())], seg.text.rstrip()
                body = trail.lstrip()
                where = _("moved from here") if seg.kind == MOVE_FROM else _("moved here")
                t.append(lead)
                t.append(f"[{where}{n}: {body}]", style=style)
                t.append(seg.text[len(seg.text.rstrip()):])
        if para.split == "insert":
            t.append("{+¶+}", style=STYLES[INSERT])
        elif para.split == "delete":
            t.append("[-¶-]", style=STYLES[DELETE])
        out.append(t)
    return out


def render(data: dict, *, color: bool = False, width: int = 100) -> str:
    from rich.padding import Padding
    from rich.table import Table
    from rich.text import Text

    from .summary_text import make_console

    con = make_console(width, color)
    frm, to = data.get("from") or {}, data.get("to") or {}
    con.print(Text(_("Tracked changes"), style="bold"))
    frm_word, to_word = _("from"), _("to")
    pad = max(len(frm_word), len(to_word)) + 1
    con.print(Text(frm_word.ljust(pad), style="dim") + Text(version_label(frm)))
    con.print(Text(to_word.ljust(pad), style="dim") + Text(version_label(to)))
    if to.get("author"):
        con.print(Text(_("author of the changes:") + " ", style="dim") + Text(one_line(to["author"])))
    con.print()

    by_principle: dict[str, list[dict]] = {}
    for c in data.get("comments") or []:
        by_principle.setdefault(c.get("principle"), []).append(c)

    for p in data.get("principles") or []:
        status = one_line(p.get("status"))
        head = Text(principle_heading(p), style="bold")
        head.append(f"  [{status_label(status)}]", style=STATUS_STYLE.get(status, ""))
        con.rule(head, align="left", characters="─", style="dim")
        if p.get("old_title") and p.get("old_title") != p.get("title"):
            t = Text(_("title:") + " ", style="dim")
            t.append("[-" + one_line(p["old_title"]) + "-]", style=STYLES[DELETE])
            t.append(" ")
            t.append("{+" + one_line(p.get("title")) + "+}", style=STYLES[INSERT])
            con.print(t)
        if version_note(p):
            con.print(Text(version_note(p), style="yellow"))
        paras = redline_text(p.get("ops") or [])
        if not paras:
            con.print(Text(_("(no text)"), style="dim"))
        for t in paras:
            con.print(t)
            con.print()
        comments = by_principle.get(p.get("id")) or []
        if comments:
            con.print(Text(_("Comments"), style="bold"))
            for c in comments:
                con.print(Padding(_comment_text(c), (0, 0, 0, 2)))
            con.print()

    orphans = [c for pid, cs in by_principle.items()
               if pid not in {p.get("id") for p in data.get("principles") or []} for c in cs]
    if orphans:
        con.rule(Text(_("Comments on other principles"), style="bold"), align="left", style="dim")
        for c in orphans:
            con.print(Padding(_comment_text(c), (0, 0, 0, 2)))
        con.print()

    st = data.get("stats") or {}
    con.rule(Text(_("Counts"), style="bold"), align="left", style="dim")
    t = Table.grid(padding=(0, 3))
    t.add_column()
    t.add_column(justify="right")
    t.add_column()
    t.add_column(justify="right")
    t.add_row(_("words inserted"), str(st.get("words_inserted", 0)),
              _("principles added"), str(st.get("principles_added", 0)))
    t.add_row(_("words deleted"), str(st.get("words_deleted", 0)),
              _("principles removed"), str(st.get("principles_removed", 0)))
    t.add_row(_("paragraphs added"), str(st.get("paragraphs_added", 0)),
              _("principles modified"), str(st.get("principles_modified", 0)))
    t.add_row(_("paragraphs deleted"), str(st.get("paragraphs_deleted", 0)),
              _("paragraphs moved"), str(st.get("paragraphs_moved", 0)))
    con.print(t)
    return "\n".join(line.rstrip() for line in con.file.getvalue().splitlines()) + "\n"


def _comment_text(c: dict):
    from rich.text import Text

    fate = one_line(c.get("fate"))
    t = Text("• ")
    t.append(one_line(c.get("id")), style="bold")
    t.append(f" {member_name(c.get('member'), c.get('attribution'))}")
    if c.get("stance"):
        t.append(f" ({stance_label(c['stance'])})")
    t.append(" — ")
    t.append(fate_label(fate) if fate else NONE_MARK, style=FATE_STYLE.get(fate, ""))
    if fate_help(fate):
        t.append(f" ({fate_help(fate)})", style="dim")
    if c.get("quote"):
        t.append("\n  " + _("quote:") + " " + quoted(one_line(c["quote"])), style="dim")
        if c.get("new_quote") and one_line(c["new_quote"]) != one_line(c["quote"]):
            t.append(" → " + quoted(one_line(c["new_quote"])), style="dim")
    if c.get("text"):
        t.append("\n  " + one_line(c["text"]))
    if c.get("disposition"):
        t.append("\n  " + _("disposition:") + " ")
        t.append(disposition_word(c["disposition"]), style="bold")
        if c.get("rationale"):
            t.append(" — " + one_line(c["rationale"]))
        if c.get("commit"):
            t.append(" " + _("(in {commit})", commit=short_sha(c["commit"])), style="dim")
    else:
        t.append("\n  " + _("disposition: awaiting"), style="dim")
    return t
